//! The order lifecycle beyond release and shipment: warehouse progress,
//! cancels and amendments after release, expected receipts for purchases
//! and customer returns, and the receipts the warehouse books.
//!
//! * [`watch`] reads Odoo: released pickings cancelled or changed since
//!   their release, and receipts ready to announce. Each finding is an inbox
//!   message whose idempotency key names what changed, so a finding read
//!   again is a duplicate.
//! * The warehouse's progress, change answer and receipt advice files are
//!   read from the site's confirmation folder, distinguished by file
//!   name prefix ([`LifecycleRules`]), and stored whole like confirmation files.
//! * [`progress`], [`changes`] and [`receipts`] are the pure handlers; they
//!   render change and expected-receipt files into the outbox of the site's
//!   lifecycle queue, which a folder sink writes at once, whatever the
//!   site's release schedule.
//! * [`deliver`] is the Odoo side: chatter notes, receipts booked into the
//!   disposition's location, and finance activities.

pub mod changes;
pub mod deliver;
mod detect;
mod effects;
pub mod inbox;
mod matching;
pub mod progress;
pub mod receipts;
pub mod rules;
pub mod watch;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use wharf_formats::Layout;
use wharf_model::{Decimal, EventKind, ExpectedReceipt, OrderChange, OrderRelease, ReceiptKind};

pub use rules::{FinanceFollowUp, LifecycleRules};

/// A site's lifecycle flows, built by the binary from the configuration.
#[derive(Debug, Clone)]
pub struct SiteLifecycle {
    pub rules: LifecycleRules,
    /// Layout of the progress files the warehouse writes.
    pub progress_layout: Arc<Layout>,
    /// Layout of the change files Wharf writes.
    pub change_layout: Arc<Layout>,
    /// Layout of the answer files the warehouse writes.
    pub change_answer_layout: Arc<Layout>,
    /// Layout of the expected receipt files Wharf writes.
    pub expected_receipt_layout: Arc<Layout>,
    /// Layout of the receipt advice files the warehouse writes.
    pub receipt_advice_layout: Arc<Layout>,
}

/// Sink name of a site's lifecycle file queue (changes and expected receipts).
pub fn lifecycle_sink(site: &str) -> String {
    format!("folder:{site}:lifecycle")
}

/// Payload of an `order_changed` inbox message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub change: OrderChange,
    /// The picking as Odoo holds it now, for an amendment: it replaces the
    /// stored release, so the shipment is matched against the new demand.
    pub amended: Option<OrderRelease>,
}

/// A released picking as Odoo holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickingNow {
    pub picking_id: i64,
    pub picking_name: String,
    /// Odoo's picking state, such as `assigned`, `done` or `cancel`.
    pub state: String,
    /// Every move, cancelled ones included.
    pub moves: Vec<MoveNow>,
}

/// One move of a released picking as Odoo holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveNow {
    pub move_id: i64,
    pub product_id: i64,
    pub sku: String,
    /// The demand in the move's unit.
    pub quantity: Decimal,
    /// Odoo's move state; a `cancel` move demands nothing.
    pub state: String,
}

/// A receipt Odoo expects, with the cursor values of the read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingReceipt {
    pub receipt: ExpectedReceipt,
    /// Odoo `write_date` of the picking, naive UTC.
    pub write_date: String,
    /// Code of the picking's warehouse.
    pub warehouse: String,
}

/// Quantities and lots a warehouse received, to book on one Odoo receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptPlan {
    pub picking_id: i64,
    pub picking_name: String,
    pub kind: ReceiptKind,
    /// The receipt's source document, for messages.
    pub origin: String,
    /// Received quantities per expected move; a move not listed receives 0.
    pub moves: Vec<ReceivedMove>,
    /// Odoo location (complete name) the goods go to, for a return's
    /// disposition; the receipt's own destination when `None`.
    pub destination: Option<String>,
    /// Keep the quantities not received open in a backorder (purchases),
    /// or close them (returns).
    pub backorder: bool,
    /// True when some move received less than expected.
    pub short: bool,
}

/// The lots received on one expected move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedMove {
    pub move_id: i64,
    pub sku: String,
    pub lots: Vec<ReceivedLot>,
}

/// A quantity received in one lot or serial, or without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLot {
    pub lot: Option<String>,
    pub quantity: Decimal,
    /// Expiry date `YYYY-MM-DD` of a lot new to Odoo.
    pub expiry_date: Option<String>,
}

/// Effect of booking a receipt in Odoo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReceiptResult {
    /// Validated now; the backorder name when Odoo created one.
    Received { backorder: Option<String> },
    /// Found already validated (a retry after a lost response).
    AlreadyDone { backorder: Option<String> },
}

/// Payload of a `picking_note` outbox message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickingNote {
    pub picking_id: i64,
    pub picking_name: String,
    pub body: String,
}

/// Payload of a `return_follow_up` outbox message: an activity for finance
/// on the sale order of a received return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The sale order, such as `S00042`.
    pub order_name: String,
    /// Summary of the activity; it names the return, so a retry finds the
    /// activity it already created.
    pub summary: String,
    pub note: String,
}

impl SiteLifecycle {
    /// Returns the inbox kind of a file in the site's confirmation folder, by
    /// its name's prefix; `None` for a confirmation file.
    pub fn kind_of(&self, file_name: &str) -> Option<EventKind> {
        let rules = &self.rules;
        [
            (&rules.progress_prefix, EventKind::WarehouseProgress),
            (&rules.answer_prefix, EventKind::ChangeAnswered),
            (&rules.receipt_prefix, EventKind::ReceiptReceived),
        ]
        .into_iter()
        .find(|(prefix, _)| file_name.starts_with(prefix.as_str()))
        .map(|(_, kind)| kind)
    }

    /// Decodes a file of `kind` to tell whether its layout reads it; the
    /// error names what is wrong.
    pub fn check_file(&self, kind: EventKind, bytes: &[u8]) -> Result<(), String> {
        let result = match kind {
            EventKind::WarehouseProgress => {
                wharf_formats::decode_progress(&self.progress_layout, bytes).map(drop)
            }
            EventKind::ChangeAnswered => {
                wharf_formats::decode_change_answers(&self.change_answer_layout, bytes).map(drop)
            }
            _ => wharf_formats::decode_receipt_advice(&self.receipt_advice_layout, bytes).map(drop),
        };
        result.map_err(|error| error.to_string())
    }
}
