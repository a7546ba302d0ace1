//! The embedded SQLite backend of [`wharf_store::Store`].
//!
//! # Design
//!
//! One database file contains every table of the store. Times are stored as
//! INTEGER microseconds since the Unix epoch, message ids as UUID text, and
//! payloads as JSON text.
//!
//! ## Tables
//!
//! * `inbox`: messages read by sources, unique by idempotency key.
//! * `outbox`: messages produced by handlers, each bound to one sink.
//! * `attempts`: one row per delivery attempt of an outbox message.
//! * `exceptions`: business exceptions for a named owner, `open` or `resolved`.
//! * `audit`: the audit trail, a SHA-256 hash chain per stream (see [`audit`]).
//! * `duplicates`: copies refused by idempotency key, and business duplicates.
//! * `cursors`: where each source resumes reading.
//! * `pickings`: Wharf's lifecycle of each picking.
//! * `reconciliations`: one row per stock reconciliation run of a site, and
//!   `variance_rows`: its rows that are not plain matches, with quantities
//!   as exact decimal text.
//!
//! ## States
//!
//! An inbox row goes `pending` → `claimed` → `handled`, `exception` or
//! `duplicate`. An outbox row goes `pending` → `in_flight` → `delivered` or
//! `failed`, and back to `pending` with a later `next_attempt_at` when a
//! delivery asks for a retry. A claim raises the row's `attempt` and sets
//! `owner` and `lease_until`; a commit or delivery record is accepted only
//! while the row is still claimed with the same owner and attempt.
//!
//! ## Transactions
//!
//! All writes go through one connection and start with `BEGIN IMMEDIATE`, so
//! a write transaction takes SQLite's write lock before it reads anything and
//! never fails half way on a lock upgrade. Reads use a separate pool and see
//! the last committed state (WAL mode). Commits are durable: the journal is
//! synced on every commit (`synchronous = FULL`).
//!
//! ## Recovery after a crash
//!
//! A transaction either committed in full or left no trace, so a source that
//! restarts reads from its stored cursor, and whatever it reads again is
//! refused by idempotency key. A message claimed by a process that died
//! stays `claimed` (or `in_flight`) until its lease expires and is then
//! claimed again with a higher attempt; if the old process comes back, its
//! commit fails with [`wharf_store::StoreError::LeaseLost`].

mod acceptance;
mod access;
pub mod audit;
mod convert;
mod dashboard;
mod effects;
mod error;
mod exceptions;
mod inbox;
mod ingest;
mod open;
mod outbox;
mod queries;
mod reconcile;
mod replay;
mod retention;
mod stock;

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use wharf_model::{Envelope, EventKind, MessageId};
use wharf_store::Dashboard;
use wharf_store::{
    AuditEntry, AuditRow, Delivery, ExceptionRow, Handled, Ingest, IngestOutcome, NewException,
    NewReconciliation, PickingRecord, ReconciliationSummary, StatusReport, StockMessage, Store,
    StoreResult, StoredInbox, StoredOutbox, VarianceRecord,
};
use wharf_store::{ExceptionRecord, RetriedMessage};
use wharf_store::{NewSession, NewToken, SessionRecord, TokenRecord};
use wharf_store::{ReplaySelection, ReplayedMessage};

pub use open::SqliteStore;
pub use retention::{PurgeReport, RetentionCutoffs};

/// The SQL toolkit this store is built on, for tests that alter the database
/// file the way an operator with file access could.
#[doc(hidden)]
pub use sqlx;

#[async_trait]
impl Store for SqliteStore {
    async fn ingest(&self, ingest: Ingest) -> StoreResult<IngestOutcome> {
        self.ingest_batch(ingest).await
    }

    async fn cursor(&self, source: &str) -> StoreResult<Option<String>> {
        self.read_cursor(source).await
    }

    async fn has_key(&self, idempotency_key: &str) -> StoreResult<bool> {
        self.key_exists(idempotency_key).await
    }

    async fn claim_inbox(
        &self,
        kinds: &[EventKind],
        limit: u32,
        owner: &str,
        lease: Duration,
    ) -> StoreResult<Vec<StoredInbox>> {
        self.claim_inbox_rows(kinds, limit, owner, lease).await
    }

    async fn commit_handled(&self, handled: Handled) -> StoreResult<()> {
        self.commit_handled_message(handled).await
    }

    async fn claim_outbox(
        &self,
        sink: &str,
        limit: u32,
        owner: &str,
        lease: Duration,
    ) -> StoreResult<Vec<StoredOutbox>> {
        self.claim_outbox_rows(sink, limit, owner, lease).await
    }

    async fn record_delivery(&self, delivery: Delivery) -> StoreResult<()> {
        self.record_delivery_attempt(delivery).await
    }

    async fn next_due(&self, sink: &str) -> StoreResult<Option<Timestamp>> {
        self.next_due_at(sink).await
    }

    async fn picking(&self, picking_id: i64) -> StoreResult<Option<PickingRecord>> {
        self.picking_by_id(picking_id).await
    }

    async fn picking_by_name(&self, name: &str) -> StoreResult<Option<PickingRecord>> {
        self.picking_named(name).await
    }

    async fn pickings_of_order(&self, order_name: &str) -> StoreResult<Vec<PickingRecord>> {
        self.pickings_with_order(order_name).await
    }

    async fn pickings_in_state(
        &self,
        site: &str,
        state: wharf_model::PickingState,
    ) -> StoreResult<Vec<PickingRecord>> {
        self.pickings_with_state(site, state).await
    }

    async fn message(&self, id: MessageId) -> StoreResult<Option<Envelope>> {
        self.stored_message(id).await
    }

    async fn exceptions(&self, include_resolved: bool) -> StoreResult<Vec<ExceptionRow>> {
        self.list_exceptions(include_resolved).await
    }

    async fn trace(&self, correlation_id: &str) -> StoreResult<Vec<AuditRow>> {
        self.audit_stream(correlation_id).await
    }

    async fn status(&self) -> StoreResult<StatusReport> {
        self.status_report().await
    }

    async fn stock_messages(
        &self,
        site: &str,
        kinds: &[EventKind],
        since: Timestamp,
    ) -> StoreResult<Vec<StockMessage>> {
        self.list_stock_messages(site, kinds, since).await
    }

    async fn record_reconciliation(&self, reconciliation: NewReconciliation) -> StoreResult<i64> {
        self.insert_reconciliation(reconciliation).await
    }

    async fn last_reconciliations(&self) -> StoreResult<Vec<ReconciliationSummary>> {
        self.latest_reconciliations().await
    }

    async fn last_variances(&self, site: &str) -> StoreResult<Vec<VarianceRecord>> {
        self.latest_variances(site).await
    }

    async fn raise_exception(&self, exception: NewException, audit: AuditEntry) -> StoreResult<()> {
        self.insert_exception(exception, audit).await
    }

    async fn exception(&self, id: i64) -> StoreResult<Option<ExceptionRecord>> {
        self.exception_by_id(id).await
    }

    async fn resolve_exception(&self, id: i64, by: &str, note: &str) -> StoreResult<()> {
        self.resolve_exception_manually(id, by, note).await
    }

    async fn retry_exception(
        &self,
        id: i64,
        by: &str,
        note: &str,
        corrected_payload: Option<serde_json::Value>,
    ) -> StoreResult<RetriedMessage> {
        self.retry_exception_message(id, by, note, corrected_payload)
            .await
    }

    async fn create_token(&self, token: NewToken) -> StoreResult<TokenRecord> {
        self.insert_token(token).await
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        self.active_token(hash).await
    }

    async fn tokens(&self) -> StoreResult<Vec<TokenRecord>> {
        self.all_tokens().await
    }

    async fn revoke_token(&self, id: i64, by: &str) -> StoreResult<()> {
        self.revoke(id, by).await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        self.insert_session(session).await
    }

    async fn session(&self, hash: &str) -> StoreResult<Option<SessionRecord>> {
        self.live_session(hash).await
    }

    async fn end_session(&self, hash: &str) -> StoreResult<()> {
        self.delete_session(hash).await
    }

    async fn acceptance(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<wharf_store::AcceptanceFigures> {
        self.read_acceptance(from, to).await
    }

    async fn replay_messages(&self, selection: &ReplaySelection) -> StoreResult<Vec<StoredOutbox>> {
        self.delivered_messages(selection).await
    }

    async fn record_replay(
        &self,
        by: &str,
        reason: &str,
        replayed: Vec<ReplayedMessage>,
    ) -> StoreResult<()> {
        self.append_replay_rows(by, reason, replayed).await
    }

    async fn dashboard(&self, now: Timestamp) -> StoreResult<Dashboard> {
        self.dashboard_figures(now).await
    }
}
