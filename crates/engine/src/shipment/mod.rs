//! Shipment confirmation: warehouse files become validated Odoo pickings.
//!
//! * [`source`] scans the site's folder and ingests each complete file whole
//!   (idempotency key: the SHA-256 of its content, so a duplicate file adds
//!   nothing), then archives it, or moves it to the error folder when the
//!   site's layout cannot decode it.
//! * [`handler`] decodes the file and [`decide`]s each confirmation against
//!   the released picking: a shipment to apply, tracking to add, a duplicate,
//!   or an exception (unknown picking or SKU, over-shipment, nothing shipped).
//! * The Odoo sink applies shipments in batches and records the outcome.

pub mod decide;
pub mod handler;
pub mod source;

use serde::{Deserialize, Serialize};
use wharf_model::Decimal;

use crate::config::ShortShipmentRule;

/// Payload of a `shipment_confirmed` inbox message: the file as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmationFile {
    pub file_name: String,
    pub sha256: String,
    /// File content, base64, byte for byte (the layout decides the encoding).
    pub content_base64: String,
}

/// Quantity shipped of one lot (or of an untracked product).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedLot {
    pub lot: Option<String>,
    pub expiry_date: Option<String>,
    pub quantity: Decimal,
}

/// Shipped quantities of one Odoo stock.move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMove {
    pub move_id: i64,
    pub product_id: i64,
    pub sku: String,
    /// Demanded quantity at release.
    pub demand: Decimal,
    pub lots: Vec<PlannedLot>,
}

impl PlannedMove {
    /// Total shipped on this move.
    pub fn shipped(&self) -> Decimal {
        self.lots.iter().map(|lot| lot.quantity).sum()
    }
}

/// Payload of a `shipment_apply` outbox message: everything Odoo must record
/// for one picking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentPlan {
    pub picking_id: i64,
    pub picking_name: String,
    /// Every released move, shipped quantity possibly zero.
    pub moves: Vec<PlannedMove>,
    pub carrier: Option<String>,
    pub tracking: Vec<String>,
    /// True when some move shipped less than its demand.
    pub short: bool,
    pub short_rule: ShortShipmentRule,
    pub create_unknown_lots: bool,
    pub ship_expired_lots: bool,
    /// When the warehouse shipped, RFC 3339; reconciliation uses it to tell
    /// whether a snapshot already reflects the shipment.
    #[serde(default)]
    pub shipped_at: Option<String>,
}

/// Payload of a `tracking_update` outbox message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingUpdate {
    pub picking_id: i64,
    pub picking_name: String,
    /// Every tracking number the picking should carry afterwards.
    pub tracking: Vec<String>,
}
