//! The durable store's interface: inbox, outbox, attempts, exceptions, audit
//! trail, idempotency keys, cursors and the lifecycle of each picking.
//!
//! # Design
//!
//! Every step of the data path is one transaction in the store:
//!
//! * a source calls [`Store::ingest`] with the messages it read and its new
//!   cursor. Messages whose idempotency key is already stored are recorded as
//!   duplicates instead of inserted, so a re-read after a crash adds nothing.
//! * a handler worker claims inbox messages with [`Store::claim_inbox`], runs
//!   pure business logic, and calls [`Store::commit_handled`] with everything
//!   the message produced (outbox messages, exceptions, lifecycle changes,
//!   audit rows);
//! * a sink claims outbox messages with [`Store::claim_outbox`], delivers
//!   them, and calls [`Store::record_delivery`] with the outcome.
//!
//! Claims carry a lease: a worker that dies leaves its messages claimable
//! again once the lease expires. Each claim raises the message's attempt
//! number, and a commit or delivery record whose owner and attempt no longer
//! match the row is rejected with [`StoreError::LeaseLost`], so a stale worker
//! can never overwrite a newer attempt's outcome.
//!
//! Backends: `wharf-store-sqlite` (embedded default). A PostgreSQL backend
//! implements the same trait with `FOR UPDATE SKIP LOCKED` claims.

mod acceptance;
mod access;
mod dashboard;
mod records;
mod replay;
mod trace;

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use wharf_model::{Envelope, MessageId};

pub use acceptance::{latency_of, AcceptanceFigures, Latency, Outcomes};
pub use access::{NewSession, NewToken, Role, SessionRecord, TokenRecord};
pub use dashboard::{
    percentile, AgeBuckets, ConfirmationLag, Dashboard, LagHour, QueueHealth, SinkHealth,
    SiteHealth, SiteQueues, Unshipped, AGE_BUCKET_BOUNDS_SECS, LAG_WINDOW_HOURS,
    TRACKING_LATE_AFTER_SECS,
};
pub use records::{
    AuditEntry, AuditRow, Delivery, DeliveryResult, ExceptionRow, Handled, HandledOutcome, Ingest,
    IngestOutcome, NewException, NewOutbox, NewReconciliation, OutboxState, PickingRecord,
    PickingUpdate, ReconciliationSummary, ResolvedException, StatusReport, StockMessage,
    StoredInbox, StoredOutbox, VarianceRecord,
};
pub use records::{ExceptionRecord, MessageQueue, RetriedMessage};
pub use replay::{ReplaySelection, ReplayedMessage};
pub use trace::{order_trace, OrderTrace};

/// Errors of a store backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be reached or returned an I/O error;
    /// the caller may retry.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The row's lease passed to another worker; the caller must drop its result.
    #[error("lease on message {message_id} lost: another worker claimed it (attempt {attempt})")]
    LeaseLost { message_id: MessageId, attempt: u32 },
    /// A message id that the store does not hold.
    #[error("message {0} not found in the store")]
    NotFound(MessageId),
    /// Stored data that this version cannot read, such as an unknown kind.
    #[error("corrupt store row: {0}")]
    Corrupt(String),
    /// A schema migration failed.
    #[error("store migration failed: {0}")]
    Migration(String),
    /// An exception id that the store does not hold.
    #[error("exception {0} not found in the store: list them with `wharf exceptions list --all`")]
    ExceptionNotFound(i64),
    /// A manual action on an exception that is already resolved.
    #[error("exception {0} is already resolved: nothing left to do")]
    ExceptionResolved(i64),
    /// A retry of an exception whose message cannot run again. The `reason`
    /// explains why and what to do instead.
    #[error("exception {id} cannot be retried: {reason}")]
    NotRetryable { id: i64, reason: String },
    /// A manual action without the person who took it or their reason.
    #[error("exception {id}: missing {field}: a manual action records who took it and why")]
    MissingActionField { id: i64, field: &'static str },
    /// A token id that the store does not hold.
    #[error("token {0} not found in the store: list them with `wharf token list`")]
    TokenNotFound(i64),
    /// A revoke of a token revoked before.
    #[error("token {0} is already revoked: nothing left to do")]
    TokenAlreadyRevoked(i64),
    /// A manual action's field longer than the store keeps.
    #[error(
        "exception {id}: the {field} is {length} characters long; shorten it to at most {max}"
    )]
    ActionFieldTooLong {
        id: i64,
        field: &'static str,
        length: usize,
        max: usize,
    },
    /// A corrected payload whose JSON shape differs from the message's.
    #[error("exception {id}: the corrected payload is {found}, but the message's payload is {expected}: correct the original payload (`wharf exceptions show {id}` prints it) and retry")]
    PayloadShape {
        id: i64,
        expected: &'static str,
        found: &'static str,
    },
}

/// Result alias for store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// The durable store. Every method is one transaction.
#[async_trait]
pub trait Store: std::fmt::Debug + Send + Sync + 'static {
    /// Inserts messages read by a source and moves its cursor, atomically.
    async fn ingest(&self, ingest: Ingest) -> StoreResult<IngestOutcome>;

    /// Returns a source's cursor, `None` before its first ingest.
    async fn cursor(&self, source: &str) -> StoreResult<Option<String>>;

    /// Returns true when a message with this idempotency key is stored.
    async fn has_key(&self, idempotency_key: &str) -> StoreResult<bool>;

    /// Claims up to `limit` unhandled inbox messages of the given kinds,
    /// oldest first, for `lease`.
    async fn claim_inbox(
        &self,
        kinds: &[wharf_model::EventKind],
        limit: u32,
        owner: &str,
        lease: Duration,
    ) -> StoreResult<Vec<StoredInbox>>;

    /// Commits everything one inbox message produced.
    async fn commit_handled(&self, handled: Handled) -> StoreResult<()>;

    /// Claims up to `limit` outbox messages for one sink that are due now, oldest first.
    async fn claim_outbox(
        &self,
        sink: &str,
        limit: u32,
        owner: &str,
        lease: Duration,
    ) -> StoreResult<Vec<StoredOutbox>>;

    /// Records one delivery attempt and its consequences.
    async fn record_delivery(&self, delivery: Delivery) -> StoreResult<()>;

    /// Returns the earliest time an outbox message of this sink becomes due,
    /// so a sink can sleep until then.
    async fn next_due(&self, sink: &str) -> StoreResult<Option<Timestamp>>;

    /// Returns the lifecycle record of a picking by its Odoo id.
    async fn picking(&self, picking_id: i64) -> StoreResult<Option<PickingRecord>>;

    /// Lists a site's pickings in one lifecycle state, oldest change first.
    async fn pickings_in_state(
        &self,
        site: &str,
        state: wharf_model::PickingState,
    ) -> StoreResult<Vec<PickingRecord>>;

    /// Lists the pickings released for a sale order, by its Odoo name
    /// (for example `S00042`), oldest first.
    async fn pickings_of_order(&self, order_name: &str) -> StoreResult<Vec<PickingRecord>>;

    /// Returns the lifecycle record of a picking by its Odoo name.
    async fn picking_by_name(&self, name: &str) -> StoreResult<Option<PickingRecord>>;

    /// Returns a stored inbox or outbox message by id.
    async fn message(&self, id: MessageId) -> StoreResult<Option<Envelope>>;

    /// Lists exceptions, open ones only unless `include_resolved`.
    async fn exceptions(&self, include_resolved: bool) -> StoreResult<Vec<ExceptionRow>>;

    /// Returns the audit rows of one correlation id, oldest first.
    async fn trace(&self, correlation_id: &str) -> StoreResult<Vec<AuditRow>>;

    /// Counts by state and the oldest open exception.
    async fn status(&self) -> StoreResult<StatusReport>;

    /// Lists a site's outbox messages of these kinds that may explain a
    /// difference between the warehouse and Odoo at `since`: every message
    /// not delivered yet (pending, in flight or failed), and every message
    /// created or delivered at or after `since`. Oldest first.
    async fn stock_messages(
        &self,
        site: &str,
        kinds: &[wharf_model::EventKind],
        since: Timestamp,
    ) -> StoreResult<Vec<StockMessage>>;

    /// Records a reconciliation with its rows, adjustments, exceptions and
    /// audit rows in one transaction, and returns its id.
    async fn record_reconciliation(&self, reconciliation: NewReconciliation) -> StoreResult<i64>;

    /// Returns the latest reconciliation of each site, by site code.
    async fn last_reconciliations(&self) -> StoreResult<Vec<ReconciliationSummary>>;

    /// Records an exception that no message carries, for example for a file
    /// rejected before it became a message, with its audit row.
    async fn raise_exception(&self, exception: NewException, audit: AuditEntry) -> StoreResult<()>;

    /// Returns the rows of a site's latest reconciliation, sorted by
    /// location, SKU and lot; empty when the site has none.
    async fn last_variances(&self, site: &str) -> StoreResult<Vec<VarianceRecord>>;

    /// Returns one exception with its resolution, `None` for an unknown id.
    async fn exception(&self, id: i64) -> StoreResult<Option<ExceptionRecord>>;

    /// Marks an open exception resolved by a person, with an audit row
    /// `manual_resolve` naming who and why. Its message, if any, stays as it is.
    async fn resolve_exception(&self, id: i64, by: &str, note: &str) -> StoreResult<()>;

    /// Puts an open exception's failed message back to work and marks the
    /// exception resolved, with an audit row `manual_retry` naming who and why.
    ///
    /// An inbox message in state `exception` becomes `pending` again, keeping
    /// its id and idempotency key, so its handler runs again. An outbox
    /// message in state `failed` becomes `pending`, due now, keeping its
    /// attempt count. A `corrected_payload` replaces the message's payload
    /// first, and the audit row keeps the original.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotRetryable`] when the exception carries no message or
    /// its message is not in a failed state, [`StoreError::ExceptionResolved`],
    /// [`StoreError::ExceptionNotFound`], and [`StoreError::MissingActionField`]
    /// when `by` or `note` is blank.
    async fn retry_exception(
        &self,
        id: i64,
        by: &str,
        note: &str,
        corrected_payload: Option<serde_json::Value>,
    ) -> StoreResult<RetriedMessage>;

    // Tokens and sessions (see the `access` module).

    /// Stores a token by the hash of its secret, with an audit row
    /// `token_created` on the `access` stream.
    async fn create_token(&self, token: NewToken) -> StoreResult<TokenRecord>;

    /// Returns the token whose secret hashes to `hash`, unless it is revoked.
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>>;

    /// Lists every token, revoked ones included, oldest first.
    async fn tokens(&self) -> StoreResult<Vec<TokenRecord>>;

    /// Revokes a token and ends its sessions, with an audit row
    /// `token_revoked`. [`StoreError::TokenNotFound`] for an unknown id,
    /// [`StoreError::TokenAlreadyRevoked`] for a revoked one.
    async fn revoke_token(&self, id: i64, by: &str) -> StoreResult<()>;

    /// Stores a dashboard session.
    async fn create_session(&self, session: NewSession) -> StoreResult<()>;

    /// Returns the session whose cookie hashes to `hash`, unless it expired
    /// or its token was revoked.
    async fn session(&self, hash: &str) -> StoreResult<Option<SessionRecord>>;

    /// Ends a session; an unknown session changes nothing.
    async fn end_session(&self, hash: &str) -> StoreResult<()>;

    /// Reads the figures of an acceptance report for `[from, to)`.
    async fn acceptance(&self, from: Timestamp, to: Timestamp) -> StoreResult<AcceptanceFigures>;

    // Replay (see the `replay` module).

    /// Lists the delivered outbox messages that `selection` matches, oldest
    /// first, with the owner and attempt of their delivery. Messages pending, in flight
    /// or failed are left out: a sink still delivers the first two, and a
    /// failed one goes back to work through [`Store::retry_exception`].
    /// Reads only: no row changes.
    async fn replay_messages(&self, selection: &ReplaySelection) -> StoreResult<Vec<StoredOutbox>>;

    /// Appends one audit row `replay` per message on its correlation id,
    /// naming who ran the replay and why, in one transaction. The outbox
    /// rows stay as they are.
    async fn record_replay(
        &self,
        by: &str,
        reason: &str,
        replayed: Vec<ReplayedMessage>,
    ) -> StoreResult<()>;

    // Dashboard (see the `dashboard` module).

    /// Reads the dashboard's figures from one committed state, with ages and
    /// the confirmation lag window computed against `now`.
    async fn dashboard(&self, now: Timestamp) -> StoreResult<Dashboard>;
}

/// Lease length used when a caller has no reason to choose another.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
