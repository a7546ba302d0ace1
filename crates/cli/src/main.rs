//! The `wharf` binary: runs the hub, checks a configuration, reports status,
//! runs the simulators and a self-contained demo.

#![allow(
    clippy::print_stderr,
    reason = "errors that stop the binary go to stderr before any logger exists"
)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wharf::commands;

/// Middleware between Odoo and warehouse systems.
#[derive(Debug, Parser)]
#[command(name = "wharf", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing would only obscure the arguments"
)]
enum Command {
    /// Run the hub: poll Odoo, release orders, apply confirmations.
    Run {
        /// Configuration file (TOML); see examples/wharf.toml.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Serve the dashboard and admin API over the store, without running
    /// the hub: to look at a stopped hub's or a demo's store.
    Serve {
        /// Configuration file (TOML) naming the store.
        #[arg(long, short)]
        config: PathBuf,
        /// Address to listen on; defaults to the [server] table's `listen`.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Validate a configuration file and reach Odoo and the site folders.
    Check {
        /// Configuration file (TOML) to validate.
        #[arg(long, short)]
        config: PathBuf,
        /// Check instead, per Odoo account, the access rights its flows need
        /// and the rights and groups it has beyond them.
        #[arg(long)]
        privileges: bool,
        /// With --privileges, print the report as JSON.
        #[arg(long, requires = "privileges")]
        json: bool,
    },
    /// Print message, picking and exception counts from the store.
    Status {
        /// Configuration file (TOML) naming the store to read.
        #[arg(long, short)]
        config: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print one order's path through the hub: every audit row and
    /// exception of a picking, or of every picking of a sale or purchase order.
    Trace {
        /// Configuration file (TOML) naming the store to read.
        #[arg(long, short)]
        config: PathBuf,
        /// Picking name (`WH/OUT/00042`), sale order name (`S00042`, with
        /// its returns) or purchase order name (`P00042`).
        reference: String,
    },
    /// Act on the exception queue: list, show, retry or resolve exceptions.
    Exceptions {
        #[command(subcommand)]
        action: commands::exceptions::ExceptionsCommand,
    },
    /// Check the audit trail's hash chains, or purge records past their
    /// retention.
    Audit {
        #[command(subcommand)]
        action: commands::audit::AuditCommand,
    },
    /// Create, list or revoke the tokens of the admin API and dashboard.
    Token {
        #[command(subcommand)]
        action: commands::token::TokenCommand,
    },
    /// Deliver delivered messages once more, through the same idempotency
    /// checks, and report per message whether anything changed.
    Replay(commands::replay::ReplayArgs),
    /// Compare a period's figures with the acceptance targets of a phase,
    /// as an HTML page or JSON.
    Report(commands::report::ReportArgs),
    /// Reconcile a site's newest stock snapshot with Odoo now and write the
    /// variance report.
    Reconcile(commands::reconcile::ReconcileArgs),
    /// Run the Odoo simulator, the WMS simulator and the hub together on
    /// SQLite in a temporary folder, and print a summary.
    Demo(commands::demo::DemoArgs),
    /// Run a simulator.
    Sim {
        #[command(subcommand)]
        which: SimCommand,
    },
}

#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing would only obscure the arguments"
)]
enum SimCommand {
    /// An Odoo server that replies to JSON-RPC and JSON-2 requests as Odoo 17, 18 or 19 do.
    Odoo(commands::sim::SimOdooArgs),
    /// A legacy WMS that exchanges flat files in folders, with fault injection.
    Wms(commands::sim::SimWmsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run { config } => commands::run::run(&config).await,
        Command::Serve { config, listen } => commands::run::serve(&config, listen).await,
        Command::Check {
            config,
            privileges: false,
            ..
        } => commands::check::check(&config).await,
        Command::Check { config, json, .. } => commands::check::privileges(&config, json).await,
        Command::Status { config, json } => commands::status::status(&config, json).await,
        Command::Trace { config, reference } => commands::trace::trace(&config, &reference).await,
        Command::Exceptions { action } => commands::exceptions::exceptions(action).await,
        Command::Audit { action } => commands::audit::audit(action).await,
        Command::Token { action } => commands::token::token(action).await,
        Command::Replay(args) => commands::replay::replay_command(args).await,
        Command::Report(args) => commands::report::report(args).await,
        Command::Reconcile(args) => commands::reconcile::reconcile(args).await,
        Command::Demo(args) => commands::demo::demo(args).await,
        Command::Sim {
            which: SimCommand::Odoo(args),
        } => commands::sim::odoo(args).await,
        Command::Sim {
            which: SimCommand::Wms(args),
        } => commands::sim::wms(args).await,
    }
}
