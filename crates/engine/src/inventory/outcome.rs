//! Turns classified reconciliation rows into stored rows, adjustments for
//! Odoo and exceptions for inventory control.

use std::collections::HashSet;

use wharf_model::{
    CorrelationId, Envelope, EventKind, ExceptionKind, MessageId, StockKey, VarianceKind,
};
use wharf_store::{AuditEntry, NewException, NewOutbox, VarianceRecord};

use super::plan::{InventoryPlan, PlanLine, StockOp};
use super::run::{ReconcileOptions, SnapshotInput};
use crate::reconcile::{Reconciliation, VarianceRow};
use crate::site::Site;

/// Rows, adjustments and exceptions of a reconciliation, ready to record.
#[derive(Debug)]
pub(crate) struct Classified {
    pub rows: Vec<VarianceRecord>,
    pub outbox: Vec<NewOutbox>,
    pub exceptions: Vec<NewException>,
    pub audit: Vec<AuditEntry>,
    /// Rows queued as adjustments.
    pub applied: u64,
}

/// Decides the action of every row. Within-threshold differences become
/// one adjustment message when `apply` is set. Differences beyond the
/// threshold and the special kinds become exceptions, and unsettled rows
/// wait for the next reconciliation.
pub(crate) fn classify_rows(
    site: &Site,
    snapshot: SnapshotInput<'_>,
    reconciliation: &Reconciliation,
    options: ReconcileOptions,
    taken_at: &str,
    open: &HashSet<(String, ExceptionKind)>,
    unknown_locations: &HashSet<String>,
) -> Classified {
    let correlation = format!("reconcile:{}:{}", site.code(), snapshot.name);
    let mut classified = Classified {
        rows: Vec::with_capacity(reconciliation.rows.len()),
        outbox: vec![],
        exceptions: vec![],
        audit: vec![],
        applied: 0,
    };
    let mut adjustments = Vec::new();

    // A location Odoo does not have cannot take an adjustment: its rows are
    // not applied, and the location is one exception of its own.
    if options.raise_exceptions {
        let mut names: Vec<&String> = unknown_locations.iter().collect();
        names.sort();
        for name in names {
            let exception = unknown_location(site, name);
            if !open.contains(&(exception.correlation_id.clone(), exception.kind)) {
                classified.exceptions.push(exception);
            }
        }
    }

    for row in &reconciliation.rows {
        let action = match row.kind {
            _ if unknown_locations.contains(&row.key.location)
                && row.kind != VarianceKind::Match =>
            {
                if options.raise_exceptions {
                    "exception"
                } else {
                    "none"
                }
            }
            VarianceKind::Match => "none",
            VarianceKind::Unsettled => "deferred",
            VarianceKind::WithinThreshold if options.apply => {
                adjustments.push(adjustment(row, taken_at));
                "applied"
            }
            VarianceKind::WithinThreshold => "none",
            VarianceKind::BeyondThreshold
            | VarianceKind::SerialDuplicate
            | VarianceKind::NegativeStock
            | VarianceKind::ExpiredLot
                if options.raise_exceptions =>
            {
                let exception = exception(site, row);
                let known = (exception.correlation_id.clone(), exception.kind);
                if !open.contains(&known) {
                    classified.exceptions.push(exception);
                }
                "exception"
            }
            VarianceKind::BeyondThreshold
            | VarianceKind::SerialDuplicate
            | VarianceKind::NegativeStock
            | VarianceKind::ExpiredLot => "none",
        };
        classified.rows.push(record(row, action));
    }

    classified.applied = adjustments.len() as u64;
    if !adjustments.is_empty() {
        let plan = InventoryPlan {
            reference: format!(
                "Reconciliation {} [wharf:{}:{}]",
                snapshot.name,
                site.code(),
                snapshot.sha256.get(..12).unwrap_or(snapshot.sha256)
            ),
            lines: adjustments,
            create_unknown_lots: site.rules.create_unknown_lots,
        };
        classified.outbox.push(NewOutbox {
            envelope: Envelope {
                id: MessageId::new(),
                kind: EventKind::InventoryApply,
                site: site.code().to_owned(),
                correlation_id: CorrelationId(correlation.clone()),
                idempotency_key: format!("reconcile_apply:{}:{}", site.code(), snapshot.sha256),
                source: "engine".to_owned(),
                payload: serde_json::to_value(&plan).expect("inventory plan serialises"),
            },
            sink: crate::ODOO_SINK.to_owned(),
        });
    }

    let counts: Vec<String> = reconciliation
        .counts
        .iter()
        .map(|(kind, count)| format!("{kind} {count}"))
        .collect();
    classified.audit.push(AuditEntry {
        stream: correlation,
        action: "reconciled".to_owned(),
        message_id: None,
        detail: format!(
            "{} key(s) compared ({}); {} adjustment(s) queued, {} exception(s)",
            reconciliation.compared,
            counts.join(", "),
            classified.applied,
            classified.exceptions.len()
        ),
    });
    classified
}

/// Builds the change that makes Odoo hold what the warehouse counted. It is
/// a delta, so stock moved in Odoo between the read and the apply is kept.
fn adjustment(row: &VarianceRow, taken_at: &str) -> PlanLine {
    PlanLine {
        source_line: 0,
        movement_ref: format!("reconciliation {}", describe_key(&row.key)),
        op: StockOp::Delta,
        key: row.key.clone(),
        // NOTE: the snapshot's expiry date is not carried into the rows, so
        // a lot created by a reconciliation adjustment has no expiry date.
        expiry_date: None,
        quantity: row.variance,
        occurred_at: Some(taken_at.to_owned()),
    }
}

/// Builds the exception for a snapshot location that Odoo does not have.
fn unknown_location(site: &Site, name: &str) -> NewException {
    let kind = ExceptionKind::UnknownLocation;
    NewException {
        kind,
        owner: site.rules.owners.owner_of(kind).to_owned(),
        site: site.code().to_owned(),
        correlation_id: format!("location:{}:{name}", site.code()),
        message_id: None,
        detail: format!(
            "the warehouse reports stock in location {name:?}, which is not an internal Odoo \
             location under the site's stock_location; map the warehouse's code to an Odoo \
             location in the site's inventory `locations`, or create the location in Odoo"
        ),
    }
}

/// Builds the exception of one row. Its correlation id names the stock key
/// (`stock:<site>:<location>:<sku>:<lot>`), so later snapshots showing the
/// same difference find it open and raise no second one.
fn exception(site: &Site, row: &VarianceRow) -> NewException {
    let kind = match row.kind {
        VarianceKind::SerialDuplicate => ExceptionKind::SerialDuplicate,
        VarianceKind::NegativeStock => ExceptionKind::NegativeStock,
        VarianceKind::ExpiredLot => ExceptionKind::ExpiredLot,
        _ => ExceptionKind::InventoryVariance,
    };
    let next_step = match row.kind {
        VarianceKind::SerialDuplicate => "find the serial and correct the location it is not in",
        VarianceKind::NegativeStock => {
            "count the location and post the missing receipt or adjustment"
        }
        VarianceKind::ExpiredLot => "quarantine or scrap the lot",
        _ => "recount the location and correct the side that is wrong",
    };
    let mut detail = format!(
        "{}: warehouse {}, Odoo {}, in flight {}, variance {} ({}); {next_step}",
        describe_key(&row.key),
        row.wms,
        row.odoo,
        row.in_flight,
        row.variance,
        row.kind
    );
    if let Some(extra) = &row.detail {
        detail.push_str(&format!(". {extra}"));
    }
    NewException {
        kind,
        owner: site.rules.owners.owner_of(kind).to_owned(),
        site: site.code().to_owned(),
        correlation_id: format!(
            "stock:{}:{}:{}:{}",
            site.code(),
            row.key.location,
            row.key.sku,
            row.key.lot.as_deref().unwrap_or("-")
        ),
        message_id: None,
        detail,
    }
}

fn record(row: &VarianceRow, action: &str) -> VarianceRecord {
    VarianceRecord {
        location: row.key.location.clone(),
        sku: row.key.sku.clone(),
        lot: row.key.lot.clone(),
        wms: row.wms,
        odoo: row.odoo,
        in_flight: row.in_flight,
        variance: row.variance,
        kind: row.kind,
        action: action.to_owned(),
        detail: row.detail.clone(),
    }
}

fn describe_key(key: &StockKey) -> String {
    match &key.lot {
        Some(lot) => format!("{} {} lot {lot}", key.location, key.sku),
        None => format!("{} {}", key.location, key.sku),
    }
}
