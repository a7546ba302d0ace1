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
enum Command {
    /// Run the hub: poll Odoo, release orders, apply confirmations.
    Run {
        /// Configuration file (TOML); see examples/wharf.toml.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Validate a configuration file and reach Odoo and the site folders.
    Check {
        /// Configuration file (TOML) to validate.
        #[arg(long, short)]
        config: PathBuf,
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
        Command::Check { config } => commands::check::check(&config).await,
        Command::Status { config, json } => commands::status::status(&config, json).await,
        Command::Trace { config, reference } => commands::trace::trace(&config, &reference).await,
        Command::Exceptions { action } => commands::exceptions::exceptions(action).await,
        Command::Audit { action } => commands::audit::audit(action).await,
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
