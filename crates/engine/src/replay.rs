//! Replay: delivers outbox messages that were delivered before once more,
//! through the same idempotency checks as a first delivery, and reports per
//! message whether the delivery changed anything.
//!
//! Replay reads the messages from the store and calls the ports directly. It
//! writes one `replay` audit row per message and nothing else to the store:
//! outbox rows keep their state, attempts and delivery time, and lifecycle
//! rows stay as they are.
//!
//! Each outcome comes from what the target returns or holds, never from a guess:
//!
//! * `shipment_apply`: [`ShipResult::AlreadyDone`] is unchanged, a
//!   validation is applied;
//! * `inventory_apply`: [`InventoryResult::already_applied`];
//! * `receipt_apply`: [`ReceiptResult::AlreadyDone`];
//! * `return_follow_up`: whether Odoo created an activity;
//! * `tracking_update`: the numbers Odoo holds, read first through
//!   [`TrackingRead`]; without it the message is skipped;
//! * order, change and expected-receipt files: [`WriteResult`];
//! * `picking_note`: skipped, because Odoo adds a second chatter message
//!   each time a note is posted.
//!
//! [`ShipResult::AlreadyDone`]: crate::ports::ShipResult::AlreadyDone
//! [`InventoryResult::already_applied`]: crate::ports::InventoryResult::already_applied
//! [`ReceiptResult::AlreadyDone`]: crate::lifecycle::ReceiptResult::AlreadyDone
//! [`WriteResult`]: crate::ports::WriteResult

use async_trait::async_trait;
use serde::Serialize;
use tracing::{info, warn};
use wharf_model::{EventKind, MessageId};
use wharf_store::{ReplaySelection, ReplayedMessage, StoreError, StoredOutbox};

use crate::ports::PortError;
use crate::runtime::Engine;

mod deliver;

use deliver::Replayed;

/// The messages to replay, with who requests the replay and why.
#[derive(Debug, Clone)]
pub struct ReplayRequest {
    pub selection: ReplaySelection,
    /// Person running the replay, recorded in the audit trail.
    pub by: String,
    /// Reason for the replay, recorded in the audit trail.
    pub reason: String,
}

impl ReplayRequest {
    /// Checks that the request selects something and names who runs it and why.
    pub fn check(&self) -> Result<(), ReplayError> {
        if self.selection.is_empty() {
            return Err(ReplayError::EmptySelection);
        }
        if self.by.trim().is_empty() {
            return Err(ReplayError::MissingField("the person running it (by)"));
        }
        if self.reason.trim().is_empty() {
            return Err(ReplayError::MissingField("a reason"));
        }
        if let (Some(from), Some(to)) = (self.selection.from, self.selection.to) {
            if from >= to {
                return Err(ReplayError::EmptyPeriod { from, to });
            }
        }
        Ok(())
    }
}

/// Errors that stop a replay before or between messages. A message whose
/// delivery fails does not stop the replay: it is reported as failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A selection with no criterion, which would replay every delivered message.
    #[error("replay needs a selection: give message ids, a time range, a site, kinds or an order")]
    EmptySelection,
    /// A site code the configuration does not have.
    #[error("replay --site {site:?} is not a configured site; use one of: {known}")]
    UnknownSite { site: String, known: String },
    /// A time range whose start is not before its end.
    #[error("replay --from {from} is not before --to {to}: the range selects nothing")]
    EmptyPeriod {
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    },
    /// `by` or `reason` is blank.
    #[error("replay needs {0}: the audit trail records who ran a replay and why")]
    MissingField(&'static str),
    /// The store failed. Messages replayed before the failure are in the
    /// audit trail.
    #[error("replay stopped: {0}")]
    Store(#[from] StoreError),
}

/// A read of Odoo that replay needs beyond the [`crate::ports::Erp`] port,
/// because adding tracking numbers does not report whether it wrote any.
#[async_trait]
pub trait TrackingRead: std::fmt::Debug + Send + Sync {
    /// Returns the tracking numbers a picking carries in Odoo now.
    async fn tracking_numbers(&self, picking_id: i64) -> Result<Vec<String>, PortError>;
}

/// What replaying one message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayOutcome {
    /// The effect was already in place: nothing was written.
    Unchanged,
    /// The effect was missing and the delivery made it.
    Applied,
    /// The delivery failed, and the detail contains the error.
    Failed,
    /// Not delivered, because replay cannot tell whether it would change
    /// the target. The detail gives the reason.
    Skipped,
}

impl ReplayOutcome {
    /// Returns the name used in reports and audit rows.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplayOutcome::Unchanged => "unchanged",
            ReplayOutcome::Applied => "applied",
            ReplayOutcome::Failed => "failed",
            ReplayOutcome::Skipped => "skipped",
        }
    }
}

/// One replayed message.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayEntry {
    pub message_id: MessageId,
    pub kind: EventKind,
    pub site: String,
    pub correlation_id: String,
    pub outcome: ReplayOutcome,
    pub detail: String,
}

/// Messages by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReplayTotals {
    pub replayed: u64,
    pub unchanged: u64,
    pub applied: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// Result of a replay run.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayReport {
    pub selection: ReplaySelection,
    /// Every selected message, oldest first.
    pub messages: Vec<ReplayEntry>,
    pub totals: ReplayTotals,
    /// Requested ids that are not delivered outbox messages (unknown, still
    /// pending or in flight, or failed), so they were not replayed.
    pub not_delivered: Vec<MessageId>,
    /// True when no message was applied or failed, so the run changed
    /// nothing in Odoo or the warehouse folders.
    pub unchanged: bool,
}

/// Replays the delivered outbox messages that the request selects, in
/// batches of the engine's `odoo_batch_size`, and records each batch in the
/// audit trail before the next one starts.
pub async fn replay(
    engine: &Engine,
    request: &ReplayRequest,
    tracking: Option<&dyn TrackingRead>,
) -> Result<ReplayReport, ReplayError> {
    request.check()?;
    if let Some(site) = &request.selection.site {
        if !engine.sites.iter().any(|known| known.code() == site) {
            let known: Vec<&str> = engine.sites.iter().map(crate::Site::code).collect();
            return Err(ReplayError::UnknownSite {
                site: site.clone(),
                known: known.join(", "),
            });
        }
    }
    let messages = engine.store.replay_messages(&request.selection).await?;
    let not_delivered: Vec<MessageId> = request
        .selection
        .ids
        .iter()
        .filter(|id| !messages.iter().any(|message| message.envelope.id == **id))
        .copied()
        .collect();
    info!(messages = messages.len(), by = %request.by, "Replay started");

    let batch = usize::try_from(engine.settings.odoo_batch_size.max(1)).unwrap_or(1);
    let mut entries = Vec::with_capacity(messages.len());
    for chunk in messages.chunks(batch) {
        let replayed = deliver::batch(engine, chunk, tracking).await;
        let audit = replayed.iter().map(audit_row).collect();
        engine
            .store
            .record_replay(&request.by, &request.reason, audit)
            .await?;
        entries.extend(replayed);
    }

    let totals = count(&entries);
    info!(
        replayed = totals.replayed,
        unchanged = totals.unchanged,
        applied = totals.applied,
        failed = totals.failed,
        skipped = totals.skipped,
        "Replay finished"
    );
    Ok(ReplayReport {
        selection: request.selection.clone(),
        messages: entries,
        totals,
        not_delivered,
        unchanged: totals.applied == 0 && totals.failed == 0,
    })
}

fn entry(message: &StoredOutbox, result: Replayed) -> ReplayEntry {
    let envelope = &message.envelope;
    if result.outcome == ReplayOutcome::Failed {
        warn!(message_id = %envelope.id, correlation_id = %envelope.correlation_id, error = %result.detail, "Replayed delivery failed");
    }
    ReplayEntry {
        message_id: envelope.id,
        kind: envelope.kind,
        site: envelope.site.clone(),
        correlation_id: envelope.correlation_id.0.clone(),
        outcome: result.outcome,
        detail: result.detail,
    }
}

fn audit_row(entry: &ReplayEntry) -> ReplayedMessage {
    ReplayedMessage {
        message_id: entry.message_id,
        correlation_id: entry.correlation_id.clone(),
        detail: format!("{}: {}", entry.outcome.as_str(), entry.detail),
    }
}

fn count(entries: &[ReplayEntry]) -> ReplayTotals {
    let mut totals = ReplayTotals::default();
    for entry in entries {
        totals.replayed += 1;
        match entry.outcome {
            ReplayOutcome::Unchanged => totals.unchanged += 1,
            ReplayOutcome::Applied => totals.applied += 1,
            ReplayOutcome::Failed => totals.failed += 1,
            ReplayOutcome::Skipped => totals.skipped += 1,
        }
    }
    totals
}
