//! `wharf trace`: one order's whole path, from the audit trail.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use wharf_store::{order_trace, OrderTrace, PickingRecord};
use wharf_store_sqlite::SqliteStore;

use crate::config::Config;

/// Prints every audit row and exception of a picking, or of every picking
/// of a sale order, oldest first.
pub async fn trace(config_path: &Path, reference: &str) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    crate::hub::ensure_store_exists(&config)?;
    let store = SqliteStore::open(&config.store.path)
        .await
        .with_context(|| format!("store.path: cannot open {}", config.store.path.display()))?;

    let OrderTrace {
        pickings,
        rows,
        exceptions,
        ..
    } = order_trace(&store, reference).await?;

    let mut out = std::io::stdout().lock();
    if rows.is_empty() && exceptions.is_empty() {
        writeln!(
            out,
            "Nothing recorded for {reference}: no picking, sale order or purchase order of that name passed through this hub."
        )?;
        return Ok(ExitCode::FAILURE);
    }
    for picking in &pickings {
        writeln!(
            out,
            "{} ({}) site {}: {}",
            picking.picking_name,
            order_name(picking),
            picking.site,
            picking.state
        )?;
    }
    for row in &rows {
        writeln!(
            out,
            "{}  {:<16} {:<16} {}",
            row.at.strftime("%Y-%m-%d %H:%M:%S%.3f"),
            row.stream,
            row.action,
            row.detail
        )?;
    }
    for exception in &exceptions {
        writeln!(
            out,
            "exception #{} {} ({}, owner {}, {}) since {}: {}",
            exception.id,
            exception.kind,
            exception.correlation_id,
            exception.owner,
            exception.state,
            exception.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            exception.detail
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn order_name(picking: &PickingRecord) -> String {
    picking
        .release
        .as_ref()
        .and_then(|release| release.get("order_name"))
        .and_then(|name| name.as_str())
        .filter(|name| !name.is_empty())
        .unwrap_or("no sale order")
        .to_owned()
}
