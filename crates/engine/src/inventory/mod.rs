//! Inventory: movements from the warehouse applied in Odoo, and snapshots
//! reconciled against Odoo's quants.
//!
//! * [`source`] scans the site's inventory folder. Movement files are
//!   ingested whole (idempotency key: the SHA-256 of their content) and
//!   archived; snapshot files are handed to the reconciliation.
//! * [`handler`] maps each movement to Odoo terms (location, unit, reason)
//!   and queues one [`plan::InventoryPlan`] per reason code for the Odoo sink.
//! * [`run`] reconciles a snapshot: it reads Odoo's quants under the site's
//!   stock location, counts the stock messages still in flight at the
//!   snapshot's time, classifies every row, and records the result with its
//!   adjustments and exceptions in one store transaction.

pub mod handler;
mod in_flight;
mod outcome;
pub mod plan;
pub mod rules;
pub mod run;
pub mod source;

use std::sync::Arc;

use wharf_formats::Layout;

pub use plan::{InventoryPlan, NetChange, PlanLine, StockOp};
pub use rules::InventoryRules;
pub use run::{
    reconcile_snapshot, NoProgress, Progress, ReconcileError, ReconcileOptions, ReconcileOutcome,
    SnapshotInput,
};

use crate::ports::WarehouseFiles;

/// A site's inventory flows, built by the binary from the configuration.
#[derive(Debug, Clone)]
pub struct SiteInventory {
    pub rules: InventoryRules,
    /// Layout of the movement files the warehouse writes.
    pub movement_layout: Arc<Layout>,
    /// Layout of the snapshot files the warehouse writes.
    pub snapshot_layout: Arc<Layout>,
    /// The folder the warehouse writes movement and snapshot files to.
    pub files: Arc<dyn WarehouseFiles>,
}
