//! The result of a reconciliation: counts per kind and the rows to report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wharf_model::{Decimal, StockKey, VarianceKind};

/// The outcome of comparing a warehouse snapshot with Odoo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Number of distinct stock keys compared, from either side or from
    /// in-flight entries only.
    pub compared: u64,
    /// Number of keys of each kind. A kind that no key has is absent.
    pub counts: BTreeMap<VarianceKind, u64>,
    /// Every key except a `Match` without in-flight entries, sorted by
    /// (location, SKU, lot). Matches explained by in-flight messages are
    /// kept so that a report can show them.
    pub rows: Vec<VarianceRow>,
}

impl Reconciliation {
    /// Returns the number of keys of `kind`, zero when there are none.
    pub fn count(&self, kind: VarianceKind) -> u64 {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    /// Returns the rows of `kind`, in key order.
    pub fn rows_of(&self, kind: VarianceKind) -> impl Iterator<Item = &VarianceRow> {
        self.rows.iter().filter(move |row| row.kind == kind)
    }
}

/// One reconciled stock key, with both balances and what explains them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarianceRow {
    pub key: StockKey,
    /// Warehouse quantity at the snapshot, in the Odoo unit.
    pub wms: Decimal,
    /// Odoo quantity when Odoo was read.
    pub odoo: Decimal,
    /// Sum of the in-flight quantities: how much Odoo is expected to exceed
    /// the warehouse because of messages not yet applied on one side.
    pub in_flight: Decimal,
    /// `wms - (odoo - in_flight)`, positive when the warehouse has more.
    pub variance: Decimal,
    pub kind: VarianceKind,
    /// Ids of the in-flight messages of this key, in the order added.
    pub messages: Vec<String>,
    /// Explanation of a special kind, for example
    /// `serial SX1-01001 also in WH/Stock/Shelf 2`.
    pub detail: Option<String>,
}

impl VarianceRow {
    /// Returns the quantity to count in Odoo (the quant's inventory
    /// quantity) so that Odoo agrees with the warehouse: `odoo_now +
    /// variance`.
    ///
    /// `odoo_now` is Odoo's quantity of the key read again when the
    /// adjustment is applied. Adding the variance to it, instead of writing
    /// the warehouse's quantity, keeps every movement Odoo applied since it
    /// was read for the reconciliation, including in-flight messages that
    /// arrived meanwhile.
    ///
    /// Returns `None` unless the row is `WithinThreshold` or
    /// `BeyondThreshold`. A match needs no adjustment, and the special kinds
    /// (serial duplicate, negative stock, unsettled, expired lot) need a
    /// person before any count is written. Whether to apply a
    /// `WithinThreshold` row automatically, or a `BeyondThreshold` row after
    /// review, is the caller's decision.
    pub fn counted_quantity(&self, odoo_now: Decimal) -> Option<Decimal> {
        match self.kind {
            VarianceKind::WithinThreshold | VarianceKind::BeyondThreshold => {
                Some(odoo_now + self.variance)
            }
            _ => None,
        }
    }
}
