//! One order's whole path through the hub, gathered from the audit trail,
//! the pickings and the exceptions: what `wharf trace` and the dashboard's
//! trace page show.

use serde::Serialize;

use crate::{AuditRow, ExceptionRow, PickingRecord, Store, StoreResult};

/// Everything recorded for one picking, sale order or purchase order.
#[derive(Debug, Clone, Serialize)]
pub struct OrderTrace {
    /// The name asked for.
    pub reference: String,
    /// The picking of that name, or every picking of the order, oldest first.
    pub pickings: Vec<PickingRecord>,
    /// Audit rows of those pickings and their backorders, oldest first.
    pub rows: Vec<AuditRow>,
    /// Exceptions of the same streams, resolved ones included.
    pub exceptions: Vec<ExceptionRow>,
}

impl OrderTrace {
    /// True when nothing of that name passed through the hub.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.exceptions.is_empty()
    }

    /// Returns the audit streams the trace covers: each picking and its
    /// backorder.
    pub fn streams(&self) -> Vec<String> {
        streams_of(&self.pickings, &self.reference)
    }
}

/// Gathers the trace of a picking name (`WH/OUT/00042`), or of every
/// picking of a sale or purchase order name (`S00042`, `P00042`).
pub async fn order_trace(store: &dyn Store, reference: &str) -> StoreResult<OrderTrace> {
    let pickings = match store.picking_by_name(reference).await? {
        Some(picking) => vec![picking],
        None => store.pickings_of_order(reference).await?,
    };
    let streams = streams_of(&pickings, reference);

    let mut rows: Vec<AuditRow> = Vec::new();
    for stream in &streams {
        rows.extend(store.trace(stream).await?);
    }
    rows.sort_by_key(|row| (row.at, row.id));
    let exceptions = store
        .exceptions(true)
        .await?
        .into_iter()
        .filter(|exception| streams.contains(&exception.correlation_id))
        .collect();
    Ok(OrderTrace {
        reference: reference.to_owned(),
        pickings,
        rows,
        exceptions,
    })
}

/// Returns each picking's name and its backorder's, in order, without
/// repeats. When no picking matched, it returns the reference itself, so a
/// stream of another kind (a file name, `access`) can still be traced.
fn streams_of(pickings: &[PickingRecord], reference: &str) -> Vec<String> {
    let mut streams: Vec<String> = Vec::new();
    for picking in pickings {
        let names = std::iter::once(&picking.picking_name).chain(picking.backorder.as_ref());
        for name in names {
            if !streams.contains(name) {
                streams.push(name.clone());
            }
        }
    }
    if streams.is_empty() {
        streams.push(reference.to_owned());
    }
    streams
}
