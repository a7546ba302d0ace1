//! Shipment confirmations read back from a warehouse.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One line of a shipment confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippedLine {
    /// Line number in the source file, from 1, for error messages.
    pub source_line: u32,
    /// Warehouse SKU after the layout's transforms; compared with Odoo's `default_code`.
    pub sku: String,
    pub quantity: Decimal,
    /// Lot or serial number shipped, when the product is tracked.
    pub lot: Option<String>,
    /// Expiry date of the lot as the warehouse recorded it (`YYYY-MM-DD`).
    pub expiry_date: Option<String>,
    /// Odoo stock.move id when the warehouse echoes it back.
    pub move_id: Option<i64>,
}

/// A warehouse's confirmation that one picking (or part of it) shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentConfirmation {
    /// The picking reference as the warehouse echoes it (Odoo picking name).
    pub picking_ref: String,
    /// Lines; empty for order-level confirmations that only carry tracking.
    pub lines: Vec<ShippedLine>,
    /// Carrier name or code as the warehouse wrote it.
    pub carrier: Option<String>,
    /// Tracking numbers, kept as text (leading zeros matter).
    pub tracking_numbers: Vec<String>,
    /// Ship time as an RFC 3339 instant, converted from the site's time zone.
    pub shipped_at: Option<String>,
    /// True when the file marks this as an extra shipment of an order
    /// already shipped (for example a `_R` suffix) that only adds tracking.
    pub reshipment: bool,
}
