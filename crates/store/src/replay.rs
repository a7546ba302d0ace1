//! Replay selections, and the audit rows a replay writes.

use jiff::Timestamp;
use serde::Serialize;
use wharf_model::{EventKind, MessageId};

/// The delivered outbox messages a replay takes. Every criterion that is
/// set must match, so `site` with `kinds` selects one site's messages of
/// those kinds. A selection with no criterion set matches every delivered
/// message, so callers that act on it should require at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplaySelection {
    /// Outbox message ids. An empty list matches any id.
    pub ids: Vec<MessageId>,
    /// Earliest `created_at`, inclusive.
    pub from: Option<Timestamp>,
    /// Latest `created_at`, exclusive.
    pub to: Option<Timestamp>,
    /// Site code.
    pub site: Option<String>,
    /// Message kinds. An empty list matches any kind.
    pub kinds: Vec<EventKind>,
    /// A sale order name (`S00042`) or a picking name (`WH/OUT/00042`).
    /// A sale order selects the messages of every picking released for it
    /// and of their backorders. A picking selects its own messages and
    /// those of its backorder.
    pub order: Option<String>,
}

impl ReplaySelection {
    /// Returns true when no criterion is set.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
            && self.from.is_none()
            && self.to.is_none()
            && self.site.is_none()
            && self.kinds.is_empty()
            && self.order.is_none()
    }
}

/// One replayed message, for the audit row that
/// [`crate::Store::record_replay`] writes on its correlation id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedMessage {
    pub message_id: MessageId,
    pub correlation_id: String,
    /// Outcome of the replay: `unchanged`, `applied` or the failure, with
    /// what the delivery reported.
    pub detail: String,
}
