//! The envelope every business event travels in.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Stable id of one stored message (inbox or outbox row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub Uuid);

impl MessageId {
    /// Creates a time-ordered id, so ids sort roughly by creation time.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for MessageId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The id that follows one order through every system: the Odoo picking
/// name in the flows built so far (for example `WH/OUT/00042`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CorrelationId(pub String);

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Meaning of a message, stored as its string form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An Odoo picking read as ready to release (inbox).
    PickingReady,
    /// A batch of pickings read in one poll, for sites that take one file per poll (inbox).
    PickingBatchReady,
    /// An order file to write to the warehouse (outbox).
    OrderRelease,
    /// A confirmation file read from the warehouse, stored whole (inbox).
    ShipmentConfirmed,
    /// Quantities, lots and tracking to write to Odoo, then validate (outbox).
    ShipmentApply,
    /// Tracking numbers to add to a picking Odoo already validated (outbox).
    TrackingUpdate,
    /// A movement file read from the warehouse, stored whole (inbox).
    InventoryMovements,
    /// Stock counts, adjustments and scrap to apply in Odoo (outbox).
    InventoryApply,
    /// A warehouse file of progress reports, stored whole (inbox).
    WarehouseProgress,
    /// A short note to post on an Odoo picking's chatter (outbox).
    PickingNote,
    /// A released picking found cancelled or changed in Odoo (inbox).
    OrderChanged,
    /// A cancel or amendment file to write to the warehouse (outbox).
    ChangeRequest,
    /// A warehouse file of answers to cancels and amendments (inbox).
    ChangeAnswered,
    /// A receipt or customer return read as expected in Odoo (inbox).
    ReceiptExpected,
    /// An expected receipt (ASN) file to write to the warehouse (outbox).
    ReceiptNotice,
    /// A warehouse file of receipt advice, stored whole (inbox).
    ReceiptReceived,
    /// Received quantities and lots to book on an Odoo receipt (outbox).
    ReceiptApply,
    /// An activity for finance on the order of a received return (outbox).
    ReturnFollowUp,
}

impl EventKind {
    /// Every kind, for status reports.
    pub const ALL: [EventKind; 18] = [
        EventKind::PickingReady,
        EventKind::PickingBatchReady,
        EventKind::OrderRelease,
        EventKind::ShipmentConfirmed,
        EventKind::ShipmentApply,
        EventKind::TrackingUpdate,
        EventKind::InventoryMovements,
        EventKind::InventoryApply,
        EventKind::WarehouseProgress,
        EventKind::PickingNote,
        EventKind::OrderChanged,
        EventKind::ChangeRequest,
        EventKind::ChangeAnswered,
        EventKind::ReceiptExpected,
        EventKind::ReceiptNotice,
        EventKind::ReceiptReceived,
        EventKind::ReceiptApply,
        EventKind::ReturnFollowUp,
    ];

    /// Returns the stored name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PickingReady => "picking_ready",
            EventKind::PickingBatchReady => "picking_batch_ready",
            EventKind::OrderRelease => "order_release",
            EventKind::ShipmentConfirmed => "shipment_confirmed",
            EventKind::ShipmentApply => "shipment_apply",
            EventKind::TrackingUpdate => "tracking_update",
            EventKind::InventoryMovements => "inventory_movements",
            EventKind::InventoryApply => "inventory_apply",
            EventKind::WarehouseProgress => "warehouse_progress",
            EventKind::PickingNote => "picking_note",
            EventKind::OrderChanged => "order_changed",
            EventKind::ChangeRequest => "change_request",
            EventKind::ChangeAnswered => "change_answered",
            EventKind::ReceiptExpected => "receipt_expected",
            EventKind::ReceiptNotice => "receipt_notice",
            EventKind::ReceiptReceived => "receipt_received",
            EventKind::ReceiptApply => "receipt_apply",
            EventKind::ReturnFollowUp => "return_follow_up",
        }
    }

    /// Parses a stored name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One business event with the ids that make it traceable and idempotent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: MessageId,
    pub kind: EventKind,
    /// Site code from the configuration (for example `main`).
    pub site: String,
    pub correlation_id: CorrelationId,
    /// Key that makes a second copy of the same event a duplicate, for
    /// example `picking:42` or the SHA-256 of a confirmation file's content.
    pub idempotency_key: String,
    /// Origin of the event: `odoo`, or a file path relative to the site's root.
    pub source: String,
    pub payload: serde_json::Value,
}
