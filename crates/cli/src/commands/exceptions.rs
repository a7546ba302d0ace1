//! `wharf exceptions`: the exception queue from the command line. `list`
//! and `show` read the store; `retry` and `resolve` are manual
//! interventions, each recorded in the audit trail with who took it and why.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use wharf_model::ExceptionKind;
use wharf_store::{ExceptionRow, MessageQueue, Store, StoreError};
use wharf_store_sqlite::SqliteStore;

use crate::config::Config;

/// The `wharf exceptions` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExceptionsCommand {
    /// List exceptions, oldest first: open ones only unless --all.
    List(ListArgs),
    /// Print one exception, its message and the audit trail of its correlation id.
    Show(ShowArgs),
    /// Put an exception's failed message back to work, with a corrected
    /// payload if given, and resolve the exception.
    Retry(RetryArgs),
    /// Resolve an exception with a note, leaving its message as it is.
    Resolve(ResolveArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Configuration file (TOML) naming the store to read.
    #[arg(long, short)]
    config: PathBuf,
    /// Only exceptions of this owner team, for example `warehouse`.
    #[arg(long)]
    owner: Option<String>,
    /// Only exceptions of this kind, for example `unknown_picking`.
    #[arg(long)]
    kind: Option<String>,
    /// Only exceptions of this site code.
    #[arg(long)]
    site: Option<String>,
    /// Include resolved exceptions.
    #[arg(long)]
    all: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Configuration file (TOML) naming the store to read.
    #[arg(long, short)]
    config: PathBuf,
    /// Exception id, as `wharf exceptions list` prints it.
    id: i64,
}

/// Arguments of a manual action: the exception, the person and the reason.
#[derive(Debug, Args)]
pub struct ActionArgs {
    /// Configuration file (TOML) naming the store to change.
    #[arg(long, short)]
    config: PathBuf,
    /// Exception id, as `wharf exceptions list` prints it.
    id: i64,
    /// Person taking the action, recorded in the audit trail. Defaults to
    /// the USER environment variable.
    #[arg(long, env = "USER", value_name = "NAME")]
    by: String,
    /// Reason for the action, recorded in the audit trail.
    #[arg(long, value_name = "TEXT")]
    note: String,
}

#[derive(Debug, Args)]
pub struct RetryArgs {
    #[command(flatten)]
    action: ActionArgs,
    /// JSON file whose content replaces the message's payload before the
    /// retry. The audit trail keeps the original payload.
    #[arg(long, value_name = "FILE.json")]
    payload: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    #[command(flatten)]
    action: ActionArgs,
}

/// One row of `list --json`: the stored exception and its age.
#[derive(Debug, Serialize)]
struct ListedException<'a> {
    #[serde(flatten)]
    exception: &'a ExceptionRow,
    age_seconds: i64,
}

/// Runs one `wharf exceptions` subcommand.
pub async fn exceptions(command: ExceptionsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ExceptionsCommand::List(args) => list(args).await,
        ExceptionsCommand::Show(args) => show(args).await,
        ExceptionsCommand::Retry(args) => retry(args).await,
        ExceptionsCommand::Resolve(args) => resolve(args).await,
    }
}

async fn open_store(config_path: &Path) -> anyhow::Result<SqliteStore> {
    let config = Config::load(config_path)?;
    crate::hub::ensure_store_exists(&config)?;
    SqliteStore::open(&config.store.path)
        .await
        .with_context(|| format!("store.path: cannot open {}", config.store.path.display()))
}

async fn list(args: ListArgs) -> anyhow::Result<ExitCode> {
    let kind = args.kind.as_deref().map(parse_kind).transpose()?;
    if let Some(site) = &args.site {
        let config = Config::load(&args.config)?;
        let known: Vec<&str> = config.sites.iter().map(|s| s.rules.code.as_str()).collect();
        anyhow::ensure!(
            known.contains(&site.as_str()),
            "--site {site:?} is not a site of {}; use one of: {}",
            args.config.display(),
            known.join(", ")
        );
    }
    let store = open_store(&args.config).await?;

    let rows: Vec<ExceptionRow> = store
        .exceptions(args.all)
        .await?
        .into_iter()
        .filter(|row| kind.is_none_or(|kind| row.kind == kind))
        .filter(|row| args.owner.as_ref().is_none_or(|owner| row.owner == *owner))
        .filter(|row| args.site.as_ref().is_none_or(|site| row.site == *site))
        .collect();

    let now = Timestamp::now();
    let mut out = std::io::stdout().lock();
    if args.json {
        let listed: Vec<ListedException> = rows
            .iter()
            .map(|exception| ListedException {
                exception,
                age_seconds: now.duration_since(exception.created_at).as_secs(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &listed)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }

    if rows.is_empty() {
        writeln!(out, "No exceptions match.")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:>6}  {:<22} {:<18} {:<8} {:<9} {:<24} {:>8}",
        "ID", "KIND", "OWNER", "SITE", "STATE", "CORRELATION", "AGE"
    )?;
    for row in &rows {
        writeln!(
            out,
            "{:>6}  {:<22} {:<18} {:<8} {:<9} {:<24} {:>8}",
            row.id,
            row.kind.as_str(),
            row.owner,
            row.site,
            row.state,
            row.correlation_id,
            format_age(now.duration_since(row.created_at))
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.config).await?;
    let record = store
        .exception(args.id)
        .await?
        .ok_or(StoreError::ExceptionNotFound(args.id))?;
    let exception = &record.exception;
    let message = match exception.message_id {
        Some(id) => store.message(id).await?,
        None => None,
    };
    let history = store.trace(&exception.correlation_id).await?;

    let mut out = std::io::stdout().lock();
    let age = format_age(Timestamp::now().duration_since(exception.created_at));
    writeln!(
        out,
        "Exception {} ({}, {})",
        exception.id, exception.kind, exception.state
    )?;
    writeln!(out, "  owner:       {}", exception.owner)?;
    writeln!(out, "  site:        {}", exception.site)?;
    writeln!(out, "  correlation: {}", exception.correlation_id)?;
    writeln!(out, "  raised:      {} ({age} ago)", exception.created_at)?;
    writeln!(out, "  detail:      {}", exception.detail)?;
    if let (Some(at), Some(note)) = (record.resolved_at, &record.note) {
        writeln!(out, "  resolved:    {at}: {note}")?;
    }

    match (exception.message_id, message) {
        (None, _) => writeln!(
            out,
            "Message: none (raised for a rejected file or by a reconciliation)"
        )?,
        (Some(id), None) => writeln!(out, "Message {id}: no longer in the store")?,
        (Some(_), Some(envelope)) => {
            writeln!(out, "Message:")?;
            serde_json::to_writer_pretty(&mut out, &envelope)?;
            writeln!(out)?;
        }
    }

    writeln!(out, "History of {}:", exception.correlation_id)?;
    if history.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for row in &history {
        writeln!(
            out,
            "  {}  {:<16} {}",
            row.at.strftime("%Y-%m-%d %H:%M:%S%.3f"),
            row.action,
            row.detail
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn retry(args: RetryArgs) -> anyhow::Result<ExitCode> {
    let payload = args.payload.as_deref().map(read_payload).transpose()?;
    let action = args.action;
    let store = open_store(&action.config).await?;

    let retried = store
        .retry_exception(action.id, &action.by, &action.note, payload)
        .await?;

    let queue = match retried.queue {
        MessageQueue::Inbox => "inbox",
        MessageQueue::Outbox => "outbox",
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Exception {} retried by {}: {queue} message {} is pending again; `wharf run` handles it on its next pass.",
        action.id, action.by, retried.message_id
    )?;
    if !retried.also_resolved.is_empty() {
        writeln!(
            out,
            "Also resolved exceptions {:?} of the same message.",
            retried.also_resolved
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn resolve(args: ResolveArgs) -> anyhow::Result<ExitCode> {
    let action = args.action;
    let store = open_store(&action.config).await?;

    store
        .resolve_exception(action.id, &action.by, &action.note)
        .await?;

    writeln!(
        std::io::stdout().lock(),
        "Exception {} resolved by {}.",
        action.id,
        action.by
    )?;
    Ok(ExitCode::SUCCESS)
}

fn parse_kind(name: &str) -> anyhow::Result<ExceptionKind> {
    ExceptionKind::parse(name).ok_or_else(|| {
        let known: Vec<&str> = ExceptionKind::ALL
            .iter()
            .map(|kind| kind.as_str())
            .collect();
        anyhow::anyhow!(
            "--kind: unknown exception kind {name:?}: use one of {}",
            known.join(", ")
        )
    })
}

fn read_payload(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--payload: cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("--payload: {} is not valid JSON", path.display()))
}

/// Formats an age as its two largest units, for example `2d 03h` or `4m 09s`.
fn format_age(age: SignedDuration) -> String {
    let seconds = age.as_secs().max(0);
    let (days, hours) = (seconds / 86_400, seconds / 3_600 % 24);
    let (minutes, secs) = (seconds / 60 % 60, seconds % 60);
    if days > 0 {
        format!("{days}d {hours:02}h")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m {secs:02}s")
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_uses_two_largest_units() {
        assert_eq!(format_age(SignedDuration::from_secs(9)), "9s");
        assert_eq!(format_age(SignedDuration::from_secs(249)), "4m 09s");
        assert_eq!(
            format_age(SignedDuration::from_secs(3 * 3_600 + 60)),
            "3h 01m"
        );
        assert_eq!(
            format_age(SignedDuration::from_secs(2 * 86_400 + 3 * 3_600)),
            "2d 03h"
        );
    }

    #[test]
    fn negative_age_is_zero() {
        assert_eq!(format_age(SignedDuration::from_secs(-5)), "0s");
    }

    #[test]
    fn unknown_kind_lists_known_ones() {
        let error = parse_kind("lost_parcel").unwrap_err().to_string();
        assert!(error.contains("lost_parcel"), "{error}");
        assert!(error.contains("unknown_picking"), "{error}");
    }
}
