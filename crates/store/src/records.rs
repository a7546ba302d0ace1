//! The rows that cross the [`crate::Store`] interface.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use wharf_model::{Envelope, ExceptionKind, MessageId, PickingState};

/// Messages a source read, with its new cursor.
#[derive(Debug, Clone)]
pub struct Ingest {
    /// Source name, for example `odoo:main` or `folder:main:confirmations`.
    pub source: String,
    /// New cursor value; `None` leaves the cursor unchanged.
    pub cursor: Option<String>,
    pub messages: Vec<Envelope>,
}

/// Outcome of [`crate::Store::ingest`] for each message.
#[derive(Debug, Clone, Default)]
pub struct IngestOutcome {
    pub inserted: Vec<MessageId>,
    /// Messages whose idempotency key was already stored, with the id of the
    /// message that contains the key. They are recorded as duplicates, not inserted.
    pub duplicates: Vec<(MessageId, MessageId)>,
}

/// An inbox message claimed by a handler worker.
#[derive(Debug, Clone)]
pub struct StoredInbox {
    pub envelope: Envelope,
    pub received_at: Timestamp,
    /// Claim number of this message, from 1.
    pub attempt: u32,
    pub owner: String,
}

/// Disposition of an inbox message by its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandledOutcome {
    /// Turned into outbox messages or state changes.
    Done,
    /// Stopped on an exception listed in [`Handled::exceptions`].
    Exception,
    /// A business duplicate that changes nothing (for example a second
    /// confirmation of a shipped picking).
    Duplicate,
}

/// A new outbox message.
#[derive(Debug, Clone)]
pub struct NewOutbox {
    pub envelope: Envelope,
    /// Sink that delivers it, for example `odoo` or `folder:main`.
    pub sink: String,
}

/// A new exception for a named owner.
#[derive(Debug, Clone)]
pub struct NewException {
    pub kind: ExceptionKind,
    /// Owner team, for example `warehouse`.
    pub owner: String,
    pub site: String,
    pub correlation_id: String,
    /// The message that raised it, when there is one.
    pub message_id: Option<MessageId>,
    /// Description of the failure and the next step, in one or two sentences.
    pub detail: String,
}

/// A lifecycle change of one picking (insert or update).
#[derive(Debug, Clone)]
pub struct PickingUpdate {
    pub picking_id: i64,
    pub picking_name: String,
    pub site: String,
    pub state: PickingState,
    /// The released order as JSON; kept from an earlier update when `None`.
    pub release: Option<serde_json::Value>,
    /// Backorder picking name, when validation created one.
    pub backorder: Option<String>,
    /// Latest tracking numbers written to Odoo, comma separated.
    pub tracking: Option<String>,
}

/// One audit trail row to append.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Chain the row belongs to: the correlation id, or `system`.
    pub stream: String,
    /// `received`, `transformed`, `delivered`, `retried`, `duplicate`, `exception`, ...
    pub action: String,
    pub message_id: Option<MessageId>,
    pub detail: String,
}

/// Everything one inbox message produced, committed together.
#[derive(Debug, Clone)]
pub struct Handled {
    pub message_id: MessageId,
    /// Owner and attempt from the claim, checked against the row.
    pub owner: String,
    pub attempt: u32,
    pub outcome: HandledOutcome,
    pub outbox: Vec<NewOutbox>,
    pub exceptions: Vec<NewException>,
    pub pickings: Vec<PickingUpdate>,
    pub audit: Vec<AuditEntry>,
    /// Open exceptions the message settles, for example a hold that a
    /// release ends. Matching no open exception is not an error.
    pub resolved: Vec<ResolvedException>,
}

/// Open exceptions of one correlation id and kind to mark resolved.
#[derive(Debug, Clone)]
pub struct ResolvedException {
    pub correlation_id: String,
    pub kind: ExceptionKind,
    /// Reason they are resolved, stored with them.
    pub note: String,
}

/// An outbox message claimed by a sink.
#[derive(Debug, Clone)]
pub struct StoredOutbox {
    pub envelope: Envelope,
    pub sink: String,
    /// Claim number of this message, from 1.
    pub attempt: u32,
    pub owner: String,
    pub created_at: Timestamp,
}

/// Outcome of one delivery attempt.
#[derive(Debug, Clone)]
pub enum DeliveryResult {
    /// The effect is in place (made now, or found already made).
    Delivered { detail: String },
    /// A transient failure: try again at `retry_at`.
    Retry { error: String, retry_at: Timestamp },
    /// A permanent failure, a defect, or retries exhausted: stop and raise an exception.
    Failed {
        error: String,
        exception: NewException,
    },
}

/// One delivery attempt to record.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub message_id: MessageId,
    pub owner: String,
    pub attempt: u32,
    pub started_at: Timestamp,
    pub result: DeliveryResult,
    pub pickings: Vec<PickingUpdate>,
    pub audit: Vec<AuditEntry>,
}

/// The lifecycle record of one picking.
#[derive(Debug, Clone, Serialize)]
pub struct PickingRecord {
    pub picking_id: i64,
    pub picking_name: String,
    pub site: String,
    pub state: PickingState,
    pub release: Option<serde_json::Value>,
    pub backorder: Option<String>,
    pub tracking: Option<String>,
    pub updated_at: Timestamp,
}

/// A stored exception.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionRow {
    pub id: i64,
    pub kind: ExceptionKind,
    pub owner: String,
    pub site: String,
    pub correlation_id: String,
    pub message_id: Option<MessageId>,
    pub detail: String,
    /// `open` or `resolved`.
    pub state: String,
    pub created_at: Timestamp,
    /// True when the exception is open and its message stopped in a state a
    /// retry resumes: an inbox message on an exception, or a failed delivery.
    pub retryable: bool,
}

/// A stored exception with its resolution, as [`crate::Store::exception`]
/// returns it.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionRecord {
    #[serde(flatten)]
    pub exception: ExceptionRow,
    /// When it was resolved, by a person or by a later message.
    pub resolved_at: Option<Timestamp>,
    /// Reason it was resolved.
    pub note: Option<String>,
}

/// Queue of a stored message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageQueue {
    Inbox,
    Outbox,
}

/// The message that [`crate::Store::retry_exception`] put back to work.
#[derive(Debug, Clone, Serialize)]
pub struct RetriedMessage {
    pub message_id: MessageId,
    pub queue: MessageQueue,
    /// Other open exceptions of the same message, resolved with this one
    /// because the retry makes them out of date.
    pub also_resolved: Vec<i64>,
}

/// A stored audit row.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub stream: String,
    pub action: String,
    pub message_id: Option<MessageId>,
    pub detail: String,
    pub at: Timestamp,
    /// SHA-256 of this row's fields and the previous row's hash in the stream, hex.
    pub hash: String,
}

/// Counts for `wharf status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusReport {
    /// Inbox messages by `kind/state`, for example `shipment_confirmed/handled`.
    pub inbox: BTreeMap<String, u64>,
    /// Outbox messages by `kind/state`, for example `order_release/delivered`.
    pub outbox: BTreeMap<String, u64>,
    /// Pickings by lifecycle state.
    pub pickings: BTreeMap<String, u64>,
    /// Open exceptions by kind.
    pub open_exceptions: BTreeMap<String, u64>,
    pub oldest_open_exception: Option<ExceptionRow>,
    /// Messages ingested as duplicates of a stored idempotency key.
    pub duplicates: u64,
    /// Delivery attempts that ended in a retry.
    pub retries: u64,
    /// The latest reconciliation of each site.
    pub reconciliations: Vec<ReconciliationSummary>,
}

/// Delivery state of an outbox message, as the reconciliation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    /// Claimed by a sink whose lease has not expired: the effect may be
    /// happening right now.
    InFlight,
    Delivered,
    Failed,
}

/// An outbox message that changes stock in Odoo, with its delivery state.
#[derive(Debug, Clone)]
pub struct StockMessage {
    pub envelope: Envelope,
    pub state: OutboxState,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

/// One classified row of a reconciliation, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct VarianceRecord {
    pub location: String,
    pub sku: String,
    pub lot: Option<String>,
    pub wms: rust_decimal::Decimal,
    pub odoo: rust_decimal::Decimal,
    pub in_flight: rust_decimal::Decimal,
    pub variance: rust_decimal::Decimal,
    pub kind: wharf_model::VarianceKind,
    /// `none`, `applied`, `exception` or `deferred`.
    pub action: String,
    pub detail: Option<String>,
}

/// Summary of one reconciliation run.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ReconciliationSummary {
    pub site: String,
    /// The warehouse's snapshot reference (usually its file name).
    pub snapshot_ref: String,
    /// SHA-256 of the snapshot file, hex.
    pub snapshot_sha256: String,
    /// When the warehouse took the snapshot.
    pub taken_at: Timestamp,
    /// When Wharf read Odoo's quants.
    pub odoo_read_at: Timestamp,
    pub finished_at: Timestamp,
    /// Distinct (location, SKU, lot) keys compared.
    pub compared: u64,
    /// Rows by variance kind, `match` included.
    pub counts: BTreeMap<String, u64>,
    /// Rows whose adjustment was queued for Odoo.
    pub applied: u64,
    /// Rows that became exceptions.
    pub exceptions: u64,
    /// True when adjustments were allowed (`--apply` or the site's rule).
    pub apply: bool,
    /// Inventory exceptions of the site open now, whichever run raised
    /// them; filled when read, not stored.
    #[serde(default)]
    pub open_exceptions: u64,
}

/// A reconciliation to record, with the adjustments and exceptions it
/// produced, committed together.
#[derive(Debug, Clone)]
pub struct NewReconciliation {
    pub summary: ReconciliationSummary,
    /// Every row that is not a plain match.
    pub rows: Vec<VarianceRecord>,
    pub outbox: Vec<NewOutbox>,
    pub exceptions: Vec<NewException>,
    pub audit: Vec<AuditEntry>,
}
