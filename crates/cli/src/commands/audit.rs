//! `wharf audit verify` and `wharf audit purge`: check the audit trail's hash
//! chains, and delete records past their retention without breaking them.

use std::io::Write as _;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use wharf_store_sqlite::audit::{ChainBreak, ChainCheck, ChainProblem};
use wharf_store_sqlite::{PurgeReport, RetentionCutoffs, SqliteStore};

use crate::config::{Config, RetentionConfig};

/// The `wharf audit` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of every audit stream. Exits with status 1 when
    /// a chain is broken.
    Verify {
        /// Configuration file (TOML) naming the store to check.
        #[arg(long, short)]
        config: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Delete the records older than the days set in `[retention]`, keeping
    /// every audit stream verifiable.
    Purge {
        /// Configuration file (TOML) with the store and the `[retention]` days.
        #[arg(long, short)]
        config: PathBuf,
        /// Count what would be deleted without deleting it.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs one `wharf audit` subcommand.
pub async fn audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { config, json } => verify(&config, json).await,
        AuditCommand::Purge { config, dry_run } => purge(&config, dry_run).await,
    }
}

/// Checks the hash chain of every audit stream and prints the rows and
/// streams checked, with each row that breaks a chain. Exits with 1 when a
/// chain is broken.
pub async fn verify(config_path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let store = open_store(&config).await?;
    let check = store.check_audit_chain().await?;

    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &check_json(&check))?;
        writeln!(out)?;
    } else {
        write_check(&mut out, &check)?;
    }

    Ok(if check.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Deletes the records older than the `[retention]` days of their kind, or
/// with `dry_run` only counts them.
pub async fn purge(config_path: &Path, dry_run: bool) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let mut out = std::io::stdout().lock();
    if config.retention == RetentionConfig::default() {
        writeln!(
            out,
            "Nothing to purge: the configuration has no [retention] days, so every record is kept."
        )?;
        return Ok(ExitCode::SUCCESS);
    }

    let cutoffs = cutoffs(&config.retention, Timestamp::now())?;
    let store = open_store(&config).await?;
    let report = store
        .purge(&cutoffs, dry_run)
        .await
        .context("audit purge deleted nothing")?;

    write_report(&mut out, &report, &cutoffs)?;
    Ok(ExitCode::SUCCESS)
}

async fn open_store(config: &Config) -> anyhow::Result<SqliteStore> {
    crate::hub::ensure_store_exists(config)?;
    SqliteStore::open(&config.store.path)
        .await
        .with_context(|| format!("store.path: cannot open {}", config.store.path.display()))
}

/// Turns the configured days into the times before which records go.
pub fn cutoffs(retention: &RetentionConfig, now: Timestamp) -> anyhow::Result<RetentionCutoffs> {
    let cutoff = |key: &str, days: Option<NonZeroU32>| -> anyhow::Result<Option<Timestamp>> {
        let Some(days) = days else {
            return Ok(None);
        };
        let age = SignedDuration::from_hours(i64::from(days.get()) * 24);
        now.checked_sub(age).map(Some).with_context(|| {
            format!("retention.{key}: {days} days reach before the earliest supported time; use fewer days")
        })
    };

    Ok(RetentionCutoffs {
        audit: cutoff("audit_days", retention.audit_days)?,
        messages: cutoff("messages_days", retention.messages_days)?,
        exceptions: cutoff("exceptions_days", retention.exceptions_days)?,
        reconciliations: cutoff("reconciliations_days", retention.reconciliations_days)?,
    })
}

fn write_check(out: &mut impl std::io::Write, check: &ChainCheck) -> std::io::Result<()> {
    let anchored = match check.anchored_streams {
        0 => String::new(),
        count => format!(", {count} of them starting after a retention purge"),
    };
    if check.is_intact() {
        return writeln!(
            out,
            "Audit trail intact: {} rows in {} streams checked{anchored}.",
            check.rows, check.streams
        );
    }

    writeln!(
        out,
        "Audit trail broken: {} of {} rows in {} streams checked break their stream's hash chain{anchored}.",
        check.break_count, check.rows, check.streams
    )?;
    for broken in &check.breaks {
        writeln!(out, "  {broken}.")?;
        writeln!(out, "    What to do: {}", advice(broken))?;
    }
    let unlisted = check.break_count - check.breaks.len() as u64;
    if unlisted > 0 {
        writeln!(
            out,
            "  ... and {unlisted} more rows; run with --json for the same list."
        )?;
    }
    writeln!(
        out,
        "Keep this database file as evidence and do not purge: `wharf audit purge` deletes nothing until every chain verifies."
    )
}

/// Says what the break means and how to investigate it.
fn advice(broken: &ChainBreak) -> String {
    let row = broken.row_id;
    match &broken.problem {
        ChainProblem::HashMismatch => format!(
            "row {row} was changed after it was written; compare it with the same row in a backup of the database"
        ),
        ChainProblem::NotLinkedToPrevious { previous_id } => format!(
            "a row of this stream between rows {previous_id} and {row} was deleted, or a row was inserted; restore the stream from a backup"
        ),
        ChainProblem::NotLinkedToStart {
            purged_through_id: Some(_),
        } => format!(
            "rows before {row} were deleted outside a purge, or the stream's row in audit_anchors was changed; restore them from a backup"
        ),
        ChainProblem::NotLinkedToStart {
            purged_through_id: None,
        } => format!(
            "the stream's first rows before {row} were deleted without a purge anchor; restore them from a backup"
        ),
    }
}

fn check_json(check: &ChainCheck) -> serde_json::Value {
    let breaks: Vec<serde_json::Value> = check
        .breaks
        .iter()
        .map(|broken| {
            let problem = match broken.problem {
                ChainProblem::HashMismatch => "hash_mismatch",
                ChainProblem::NotLinkedToPrevious { .. } => "not_linked_to_previous",
                ChainProblem::NotLinkedToStart { .. } => "not_linked_to_start",
            };
            json!({
                "stream": broken.stream,
                "row_id": broken.row_id,
                "problem": problem,
                "message": broken.to_string(),
                "advice": advice(broken),
            })
        })
        .collect();
    json!({
        "intact": check.is_intact(),
        "rows": check.rows,
        "streams": check.streams,
        "anchored_streams": check.anchored_streams,
        "break_count": check.break_count,
        "breaks": breaks,
    })
}

fn write_report(
    out: &mut impl std::io::Write,
    report: &PurgeReport,
    cutoffs: &RetentionCutoffs,
) -> std::io::Result<()> {
    let verb = if report.dry_run {
        "Would delete"
    } else {
        "Deleted"
    };
    let before = |cutoff: Option<Timestamp>| match cutoff {
        Some(at) => format!("before {}", at.strftime("%Y-%m-%d %H:%M:%S UTC")),
        None => "none: kept forever".to_owned(),
    };

    writeln!(
        out,
        "{verb} {} audit rows from the start of {} streams ({}).",
        report.audit_rows,
        report.audit_streams,
        before(cutoffs.audit)
    )?;
    writeln!(
        out,
        "{verb} {} handled inbox and {} delivered outbox messages with {} delivery attempts ({}).",
        report.inbox_messages,
        report.outbox_messages,
        report.attempts,
        before(cutoffs.messages)
    )?;
    writeln!(
        out,
        "{verb} {} resolved exceptions ({}).",
        report.exceptions,
        before(cutoffs.exceptions)
    )?;
    writeln!(
        out,
        "{verb} {} reconciliations with {} variance rows ({}).",
        report.reconciliations,
        report.variance_rows,
        before(cutoffs.reconciliations)
    )?;
    if report.dry_run {
        writeln!(out, "Dry run: nothing was deleted.")?;
    }
    Ok(())
}
