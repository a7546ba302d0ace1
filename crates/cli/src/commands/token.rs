//! `wharf token`: API and dashboard tokens. The secret is printed once at
//! creation; the store keeps only its SHA-256.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use wharf_server::auth::{check_token_name, hash_secret, new_secret};
use wharf_store::{NewToken, Role};

use crate::config::Config;
use crate::hub::{open_existing_store, open_store};

/// The `wharf token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret, the only time it is shown.
    Create(CreateArgs),
    /// List tokens, revoked ones included, without secrets.
    List(ListArgs),
    /// Revoke a token and end its dashboard sessions.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Configuration file (TOML) naming the store.
    #[arg(long, short)]
    config: PathBuf,
    /// `viewer` reads, `operator` also acts on exceptions, `admin` also
    /// manages tokens and replays.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// A name people recognise in the audit trail, such as `ops-dashboard`.
    #[arg(long)]
    name: String,
    /// Limit the token to one site's data.
    #[arg(long, value_name = "CODE")]
    site: Option<String>,
    /// Person creating the token, for the audit trail. Defaults to the USER
    /// environment variable; pass it when USER is unset.
    #[arg(long, env = "USER", value_name = "NAME")]
    by: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Configuration file (TOML) naming the store.
    #[arg(long, short)]
    config: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Configuration file (TOML) naming the store.
    #[arg(long, short)]
    config: PathBuf,
    /// Token id, as `wharf token list` prints it.
    id: i64,
    /// Person revoking it, for the audit trail.
    #[arg(long, env = "USER", value_name = "NAME")]
    by: String,
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| format!("unknown role {name:?}: use viewer, operator or admin"))
}

pub async fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create(args) => create(args).await,
        TokenCommand::List(args) => list(args).await,
        TokenCommand::Revoke(args) => revoke(args).await,
    }
}

async fn create(args: CreateArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config)?;
    if let Some(site) = &args.site {
        anyhow::ensure!(
            config.sites.iter().any(|known| &known.rules.code == site),
            "--site {site:?} is not a site of {}: use one of its [[sites]] codes",
            args.config.display()
        );
    }
    let name = check_token_name(&args.name).map_err(|error| anyhow::anyhow!("--name: {error}"))?;
    anyhow::ensure!(
        !args.by.trim().is_empty(),
        "--by must not be empty: say who creates the token"
    );

    let store = open_store(&config).await?;
    let existing = store.tokens().await?;
    anyhow::ensure!(
        !existing.iter().any(|token| token.revoked_at.is_none() && token.name == name),
        "--name: an active token is already named {name:?}; pick another name, so the audit trail tells them apart"
    );

    let secret = new_secret();
    let token = store
        .create_token(NewToken {
            name: name.to_owned(),
            role: args.role,
            site: args.site,
            hash: hash_secret(&secret),
            created_by: args.by,
        })
        .await?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "{secret}")?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "Token {} {:?} ({}) created. The line above is its secret: store it now, it is not shown again.",
        token.id, token.name, token.role
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn list(args: ListArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let store = open_existing_store(&config).await?;
    let tokens = store.tokens().await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &tokens)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if tokens.is_empty() {
        writeln!(
            out,
            "No tokens. Create one with `wharf token create --role viewer --name NAME`."
        )?;
    }
    for token in &tokens {
        let state = match token.revoked_at {
            Some(at) => format!("revoked {at}"),
            None => "active".to_owned(),
        };
        writeln!(
            out,
            "{:>4}  {:<24} {:<8} {:<10} created {} by {}  {state}",
            token.id,
            token.name,
            token.role,
            token.site.as_deref().unwrap_or("all sites"),
            token.created_at.strftime("%Y-%m-%d %H:%M"),
            token.created_by,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn revoke(args: RevokeArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let store = open_existing_store(&config).await?;
    store.revoke_token(args.id, &args.by).await?;
    writeln!(std::io::stdout().lock(), "Token {} revoked.", args.id)?;
    Ok(ExitCode::SUCCESS)
}
