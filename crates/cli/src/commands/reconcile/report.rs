//! The variance report of a reconciliation: CSV and JSON files, and a
//! summary on the terminal.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use wharf_engine::inventory::ReconcileOutcome;
use wharf_store::{ReconciliationSummary, VarianceRecord};

/// The JSON report: the summary and every row that is not a plain match.
#[derive(Serialize)]
struct JsonReport<'a> {
    reconciliation_id: i64,
    summary: &'a ReconciliationSummary,
    rows: &'a [VarianceRecord],
}

/// Writes `<output>.csv` and `<output>.json`.
pub fn write_files(output: &Path, outcome: &ReconcileOutcome) -> anyhow::Result<()> {
    let stem = output.with_extension("");
    let csv_path = with_extension(&stem, "csv");
    let json_path = with_extension(&stem, "json");
    if let Some(parent) = stem.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create report folder {}", parent.display()))?;
    }

    let mut writer = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("cannot write report {}", csv_path.display()))?;
    writer.write_record([
        "site",
        "location",
        "sku",
        "lot",
        "wms_quantity",
        "odoo_quantity",
        "in_flight_quantity",
        "variance",
        "kind",
        "action",
        "detail",
    ])?;
    for row in &outcome.rows {
        writer.write_record([
            outcome.summary.site.as_str(),
            &row.location,
            &row.sku,
            row.lot.as_deref().unwrap_or(""),
            &row.wms.normalize().to_string(),
            &row.odoo.normalize().to_string(),
            &row.in_flight.normalize().to_string(),
            &row.variance.normalize().to_string(),
            row.kind.as_str(),
            &row.action,
            row.detail.as_deref().unwrap_or(""),
        ])?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write report {}", csv_path.display()))?;

    let report = JsonReport {
        reconciliation_id: outcome.id,
        summary: &outcome.summary,
        rows: &outcome.rows,
    };
    let json = serde_json::to_vec_pretty(&report)?;
    std::fs::write(&json_path, json)
        .with_context(|| format!("cannot write report {}", json_path.display()))?;
    Ok(())
}

fn with_extension(stem: &Path, extension: &str) -> PathBuf {
    let mut path = stem.as_os_str().to_owned();
    path.push(".");
    path.push(extension);
    PathBuf::from(path)
}

/// Writes the summary and the first rows as aligned text.
pub fn write_summary(
    out: &mut impl Write,
    outcome: &ReconcileOutcome,
    delivered: usize,
) -> std::io::Result<()> {
    const SHOWN: usize = 40;
    let summary = &outcome.summary;
    writeln!(
        out,
        "Reconciliation {} of site {}: snapshot {} taken at {}",
        outcome.id, summary.site, summary.snapshot_ref, summary.taken_at
    )?;
    writeln!(out, "Keys compared: {}", summary.compared)?;
    for (kind, count) in &summary.counts {
        writeln!(out, "  {kind:<20} {count:>10}")?;
    }
    writeln!(
        out,
        "Adjustments queued: {}, Odoo messages delivered: {delivered}, exceptions raised: {}",
        summary.applied, summary.exceptions
    )?;
    if !summary.apply {
        writeln!(out, "Nothing was applied; run with --apply to adjust Odoo.")?;
    }
    for row in outcome.rows.iter().take(SHOWN) {
        writeln!(
            out,
            "  {:<24} {:<14} {:<14} wms {:>10} odoo {:>10} in flight {:>8} variance {:>8}  {} -> {}",
            row.location,
            row.sku,
            row.lot.as_deref().unwrap_or("-"),
            row.wms.normalize(),
            row.odoo.normalize(),
            row.in_flight.normalize(),
            row.variance.normalize(),
            row.kind,
            row.action
        )?;
    }
    if outcome.rows.len() > SHOWN {
        writeln!(
            out,
            "  ... {} more rows in the report files",
            outcome.rows.len() - SHOWN
        )?;
    }
    Ok(())
}
