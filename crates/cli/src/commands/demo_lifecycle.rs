//! The Odoo users of `wharf demo`: customer service cancels and amends some
//! orders after their release, and customers return goods of some shipped
//! ones. Their effects are counted for the demo's summary.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::watch;
use wharf_model::{ChangeKind, ChangeOutcome, PickingState, ReceiptKind};
use wharf_odoo::stock::{create_return, ReturnItem, ReturnLine, ReturnRequest};
use wharf_odoo::Client;
use wharf_sim::odoo::OdooSim;
use wharf_store::Store;

/// Every how many released pickings, by picking id, the demo's users act on.
#[derive(Debug, Clone, Copy)]
pub struct UserPlan {
    pub cancel_every: i64,
    pub amend_every: i64,
    pub return_every: i64,
}

/// Lifecycle figures of a demo run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LifecycleSummary {
    /// Pickings cancelled in Odoo after release.
    pub cancelled_in_odoo: u64,
    /// Pickings whose lines were changed in Odoo after release.
    pub amended_in_odoo: u64,
    /// Warehouse answers to cancels and amendments, as `<kind>_<outcome>`.
    pub change_answers: BTreeMap<String, u64>,
    /// Progress records the warehouse wrote.
    pub progress_reports: u64,
    /// Returns created in Odoo and received by the warehouse, by disposition.
    pub returns_created: u64,
    pub returns_received: BTreeMap<String, u64>,
    /// Purchase receipts (backorders included) the warehouse received.
    pub purchase_receipts_received: u64,
    /// Receipts Odoo booked short with a backorder for the rest.
    pub receipt_backorders: u64,
    /// Finance activities scheduled on sale orders for received returns.
    pub finance_follow_ups: u64,
    /// Receipts and returns stopped on an exception, not booked.
    pub receipts_stopped: u64,
}

/// Runs the demo's Odoo users until `stopped` turns true.
pub async fn run_users(
    sim: OdooSim,
    client: Client,
    store: Arc<dyn Store>,
    plan: UserPlan,
    mut stopped: watch::Receiver<bool>,
) -> anyhow::Result<(u64, u64, u64)> {
    let mut acted = HashSet::new();
    let mut returned = HashSet::new();
    let mut counts = (0, 0, 0);
    while !*stopped.borrow() {
        let released = store
            .pickings_in_state("main", PickingState::Released)
            .await?;
        for record in released {
            if !acted.insert(record.picking_id) {
                continue;
            }
            if record.picking_id % plan.cancel_every == 0 {
                cancel(&sim, record.picking_id)?;
                counts.0 += 1;
            } else if record.picking_id % plan.amend_every == 0 && amend(&sim, record.picking_id)? {
                counts.1 += 1;
            }
        }
        let shipped = store
            .pickings_in_state("main", PickingState::Shipped)
            .await?;
        for record in shipped {
            let due =
                record.picking_id % plan.return_every == 0 && record.picking_name.contains("/OUT/");
            if due && returned.insert(record.picking_id) {
                return_one_unit(&sim, &client, record.picking_id).await?;
                counts.2 += 1;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = stopped.changed() => {}
        }
    }
    Ok(counts)
}

fn cancel(sim: &OdooSim, picking_id: i64) -> anyhow::Result<()> {
    sim.admin_call(
        "stock.picking",
        "action_cancel",
        Some(vec![picking_id]),
        json!({}),
        json!({}),
    )
    .with_context(|| format!("the demo could not cancel picking {picking_id}"))?;
    Ok(())
}

/// Lowers the first line of more than one unit by one; false when none has more.
fn amend(sim: &OdooSim, picking_id: i64) -> anyhow::Result<bool> {
    let moves = sim.admin_call(
        "stock.move",
        "search_read",
        None,
        json!({"domain": [["picking_id", "=", picking_id]], "fields": ["product_uom_qty"], "order": "id"}),
        json!({}),
    )?;
    let Some(line) = moves
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["product_uom_qty"].as_f64().unwrap_or(0.0) > 1.0)
    else {
        return Ok(false);
    };
    let lowered = line["product_uom_qty"].as_f64().unwrap_or(0.0) - 1.0;
    let id = line["id"].as_i64().unwrap_or_default();
    sim.admin_call(
        "stock.move",
        "write",
        Some(vec![id]),
        json!({"vals": {"product_uom_qty": lowered}}),
        json!({}),
    )
    .with_context(|| format!("the demo could not change move {id}"))?;
    Ok(true)
}

/// Returns one unit of the first line of a shipped picking, through Odoo's
/// return wizard as a user would.
async fn return_one_unit(sim: &OdooSim, client: &Client, picking_id: i64) -> anyhow::Result<()> {
    let moves = sim.admin_call(
        "stock.move",
        "search_read",
        None,
        json!({"domain": [["picking_id", "=", picking_id]], "fields": ["id"], "order": "id"}),
        json!({}),
    )?;
    let Some(first) = moves
        .as_array()
        .and_then(|all| all.first())
        .and_then(|m| m["id"].as_i64())
    else {
        return Ok(());
    };
    let request = ReturnRequest {
        picking_id,
        lines: vec![ReturnLine {
            item: ReturnItem::Move(first),
            quantity: rust_decimal::Decimal::ONE,
        }],
    };
    create_return(client, &request)
        .await
        .with_context(|| format!("the demo could not return goods of picking {picking_id}"))?;
    Ok(())
}

/// Counts what the lifecycle flows did, from the simulators' logs, Odoo
/// and the store.
pub async fn summarize(
    sim: &OdooSim,
    store: &dyn Store,
    wms_root: &Path,
    counts: (u64, u64, u64),
) -> anyhow::Result<LifecycleSummary> {
    let mut summary = LifecycleSummary {
        cancelled_in_odoo: counts.0,
        amended_in_odoo: counts.1,
        returns_created: counts.2,
        ..LifecycleSummary::default()
    };
    for entry in wharf_sim::wms::read_change_log(wms_root)? {
        let kind = match entry.kind {
            ChangeKind::Cancel => "cancel",
            ChangeKind::Amend => "amend",
        };
        let outcome = match entry.outcome {
            ChangeOutcome::Accepted => "accepted",
            ChangeOutcome::TooLate => "too_late",
        };
        *summary
            .change_answers
            .entry(format!("{kind}_{outcome}"))
            .or_insert(0) += 1;
    }
    for entry in wharf_sim::wms::read_receipt_log(wms_root)? {
        match entry.kind {
            ReceiptKind::Purchase => summary.purchase_receipts_received += 1,
            ReceiptKind::Return => {
                let disposition = entry
                    .records
                    .first()
                    .and_then(|record| record.disposition)
                    .map_or("none", |d| d.as_str());
                *summary
                    .returns_received
                    .entry(disposition.to_owned())
                    .or_insert(0) += 1;
            }
        }
    }
    summary.progress_reports = progress_records(&wms_root.join("archive"))?;
    summary.receipts_stopped = store
        .pickings_in_state("main", PickingState::Exception)
        .await?
        .iter()
        .filter(|record| record.picking_name.contains("/IN/"))
        .count() as u64;
    summary.receipt_backorders = count(
        sim,
        "stock.picking",
        json!([["backorder_id", "!=", false], ["name", "like", "/IN/"]]),
    )?;
    summary.finance_follow_ups = count(
        sim,
        "mail.activity",
        json!([["res_model", "=", "sale.order"]]),
    )?;
    Ok(summary)
}

fn count(sim: &OdooSim, model: &str, domain: Value) -> anyhow::Result<u64> {
    let found = sim.admin_call(
        model,
        "search_count",
        None,
        json!({"domain": domain}),
        json!({}),
    )?;
    Ok(found.as_u64().unwrap_or(0))
}

/// Counts the records of the progress files the hub archived.
fn progress_records(archive: &Path) -> anyhow::Result<u64> {
    let mut records = 0;
    let Ok(entries) = std::fs::read_dir(archive) else {
        return Ok(0);
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with("PRG") {
            let text = std::fs::read_to_string(entry.path())?;
            records += text
                .lines()
                .skip(1)
                .filter(|line| !line.trim().is_empty())
                .count() as u64;
        }
    }
    Ok(records)
}
