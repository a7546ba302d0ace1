//! Inventory events from a warehouse: movements during the day and full
//! balance snapshots, and the reconciliation of a snapshot with Odoo.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Kind of change a warehouse made to its stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// A counted quantity replaces the balance of the location (absolute).
    CycleCount,
    /// A signed change of the balance, with a reason code.
    Adjustment,
    /// Goods destroyed or written off: the quantity leaves the location.
    Scrap,
    /// Goods change status, for example available to quarantine: the
    /// quantity moves from `location` to `to_location`.
    StatusChange,
}

impl MovementKind {
    pub const ALL: [MovementKind; 4] = [
        MovementKind::CycleCount,
        MovementKind::Adjustment,
        MovementKind::Scrap,
        MovementKind::StatusChange,
    ];

    /// Returns the name used in files and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::CycleCount => "cycle_count",
            MovementKind::Adjustment => "adjustment",
            MovementKind::Scrap => "scrap",
            MovementKind::StatusChange => "status_change",
        }
    }

    /// Parses a name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for MovementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Position of a quantity of stock: the key on which balances are compared.
///
/// `location` is the warehouse's own location code until the engine maps it
/// to an Odoo location name (for example `WH/Stock`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StockKey {
    pub location: String,
    pub sku: String,
    /// Lot or serial number; `None` for untracked products.
    pub lot: Option<String>,
}

/// One stock movement reported by a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryMovement {
    /// Line number in the source file, from 1, for error messages.
    pub source_line: u32,
    /// The warehouse's own id of the movement; with the site it makes the
    /// idempotency key, so a file sent twice moves stock once.
    pub movement_ref: String,
    pub kind: MovementKind,
    /// Location the stock is counted in or leaves.
    pub location: String,
    /// Target location of a status change.
    pub to_location: Option<String>,
    pub sku: String,
    pub lot: Option<String>,
    /// Expiry date of the lot as the warehouse recorded it (`YYYY-MM-DD`).
    pub expiry_date: Option<String>,
    /// Counted quantity for a cycle count, signed change for an adjustment,
    /// quantity removed for scrap or moved for a status change; in `unit`.
    pub quantity: Decimal,
    /// The warehouse's unit code (for example `CS`); `None` means the
    /// product's Odoo unit.
    pub unit: Option<String>,
    /// The warehouse's reason code, mapped to Odoo by configuration.
    pub reason: Option<String>,
    /// When the warehouse made the movement, RFC 3339 with offset.
    pub occurred_at: Option<String>,
}

/// One balance row of a warehouse snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRow {
    /// Line number in the source file, from 1, for error messages.
    pub source_line: u32,
    pub location: String,
    pub sku: String,
    pub lot: Option<String>,
    /// Expiry date of the lot (`YYYY-MM-DD`).
    pub expiry_date: Option<String>,
    pub quantity: Decimal,
    /// The warehouse's unit code; `None` means the product's Odoo unit.
    pub unit: Option<String>,
}

/// A full balance file of one warehouse, taken at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventorySnapshot {
    /// The warehouse's id of the snapshot (often the file name).
    pub snapshot_ref: String,
    /// When the warehouse took the balances, RFC 3339 with offset.
    pub taken_at: String,
    pub rows: Vec<SnapshotRow>,
}

/// Classification of a reconciled row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceKind {
    /// Both sides agree once in-flight messages are counted.
    Match,
    /// A difference within the site's or product's threshold.
    WithinThreshold,
    /// A difference beyond the threshold: an exception for inventory control.
    BeyondThreshold,
    /// One serial number on hand in more than one place, or more than once.
    SerialDuplicate,
    /// Odoo or the warehouse shows a negative balance.
    NegativeStock,
    /// A lot on hand whose expiry date has passed.
    ExpiredLot,
    /// A message touching this row was being delivered while Odoo was read;
    /// the row is compared again at the next reconciliation.
    Unsettled,
}

impl VarianceKind {
    /// Returns the name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            VarianceKind::Match => "match",
            VarianceKind::WithinThreshold => "within_threshold",
            VarianceKind::BeyondThreshold => "beyond_threshold",
            VarianceKind::SerialDuplicate => "serial_duplicate",
            VarianceKind::NegativeStock => "negative_stock",
            VarianceKind::ExpiredLot => "expired_lot",
            VarianceKind::Unsettled => "unsettled",
        }
    }
}

impl fmt::Display for VarianceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
