//! `wharf status`: counts by state and the oldest open exception.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use wharf_store::{StatusReport, Store};
use wharf_store_sqlite::SqliteStore;

use crate::config::Config;

pub async fn status(config_path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    crate::hub::ensure_store_exists(&config)?;
    let store = SqliteStore::open(&config.store.path).await?;
    let report = store.status().await?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the report as aligned text sections.
pub fn write_text(out: &mut impl std::io::Write, report: &StatusReport) -> std::io::Result<()> {
    let sections = [
        ("Pickings", &report.pickings),
        ("Inbox", &report.inbox),
        ("Outbox", &report.outbox),
        ("Open exceptions", &report.open_exceptions),
    ];
    for (title, counts) in sections {
        writeln!(out, "{title}:")?;
        if counts.is_empty() {
            writeln!(out, "  (none)")?;
        }
        for (key, count) in counts {
            writeln!(out, "  {key:<32} {count:>8}")?;
        }
    }
    writeln!(out, "Duplicates ignored: {}", report.duplicates)?;
    writeln!(out, "Delivery retries:   {}", report.retries)?;
    match &report.oldest_open_exception {
        Some(oldest) => writeln!(
            out,
            "Oldest open exception: #{} {} ({}, owner {}) since {}: {}",
            oldest.id,
            oldest.kind,
            oldest.correlation_id,
            oldest.owner,
            oldest.created_at,
            oldest.detail
        )?,
        None => writeln!(out, "Oldest open exception: none")?,
    }
    writeln!(out, "Last reconciliation per site:")?;
    if report.reconciliations.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for run in &report.reconciliations {
        let matched = run.counts.get("match").copied().unwrap_or(0);
        writeln!(
            out,
            "  {:<10} {} at {}: {} compared, {} variances, {} applied, {} exceptions raised, {} inventory exceptions open",
            run.site,
            run.snapshot_ref,
            run.finished_at,
            run.compared,
            run.compared.saturating_sub(matched),
            run.applied,
            run.exceptions,
            run.open_exceptions
        )?;
    }
    Ok(())
}
