//! The sink side of the outbox: claims with a lease, delivery records with
//! their consequences, and the time the next message of a sink falls due.

use std::time::Duration;

use jiff::Timestamp;
use sqlx::FromRow;
use tracing::warn;
use wharf_store::{Delivery, DeliveryResult, StoreError, StoreResult, StoredOutbox};

use crate::audit::{self, NewAuditRow};
use crate::convert::{attempt, lease_end, micros, now_micros, timestamp, EnvelopeColumns};
use crate::effects::{insert_exceptions, upsert_pickings};
use crate::error::db_error;
use crate::SqliteStore;

#[derive(Debug, FromRow)]
struct ClaimedColumns {
    seq: i64,
    #[sqlx(flatten)]
    envelope: EnvelopeColumns,
    sink: String,
    attempt: i64,
    owner: String,
    created_at: i64,
}

impl SqliteStore {
    /// Claims due outbox messages of one sink, oldest first.
    ///
    /// A message is due when it is `pending` with `next_attempt_at` reached,
    /// or `in_flight` with a lease that has expired. Each claimed row becomes
    /// `in_flight` with `owner`, a lease ending `lease` from now and its
    /// attempt number raised by one.
    #[tracing::instrument(skip(self))]
    pub(crate) async fn claim_outbox_rows(
        &self,
        sink: &str,
        limit: u32,
        owner: &str,
        lease: Duration,
    ) -> StoreResult<Vec<StoredOutbox>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let now = now_micros();

        let mut tx = self.begin_write().await?;
        let mut rows: Vec<ClaimedColumns> = sqlx::query_as(
            "UPDATE outbox SET state = 'in_flight', attempt = attempt + 1, owner = ?1, lease_until = ?2 \
             WHERE rowid IN (SELECT rowid FROM outbox \
                 WHERE sink = ?3 AND state IN ('pending', 'in_flight') \
                 AND ((state = 'pending' AND next_attempt_at <= ?4) \
                      OR (state = 'in_flight' AND lease_until <= ?4)) \
                 ORDER BY created_at, rowid LIMIT ?5) \
             RETURNING rowid AS seq, id, kind, site, correlation_id, idempotency_key, source, \
                 payload, sink, attempt, owner, created_at",
        )
        .bind(owner)
        .bind(lease_end(now, lease))
        .bind(sink)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;

        // RETURNING gives rows in no particular order.
        rows.sort_by_key(|row| (row.created_at, row.seq));
        rows.into_iter()
            .map(|row| {
                Ok(StoredOutbox {
                    envelope: row.envelope.into_envelope()?,
                    sink: row.sink,
                    attempt: attempt(row.attempt)?,
                    owner: row.owner,
                    created_at: timestamp(row.created_at)?,
                })
            })
            .collect()
    }

    /// Records one delivery attempt and applies its outcome, all or nothing.
    ///
    /// `Delivered` ends the message; `Retry` makes it `pending` again from
    /// `retry_at` with the lease cleared; `Failed` ends it as `failed` and
    /// opens the given exception. The message must still be `in_flight` for
    /// `delivery.owner` with `delivery.attempt`.
    #[tracing::instrument(skip_all, fields(message_id = %delivery.message_id, attempt = delivery.attempt))]
    pub(crate) async fn record_delivery_attempt(&self, delivery: Delivery) -> StoreResult<()> {
        let now = now_micros();
        let id = delivery.message_id.to_string();
        let mut tx = self.begin_write().await?;

        let claim: Option<(String, Option<String>, i64)> =
            sqlx::query_as("SELECT state, owner, attempt FROM outbox WHERE id = ?")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let (state, owner, stored_attempt) =
            claim.ok_or(StoreError::NotFound(delivery.message_id))?;
        let stored_attempt = attempt(stored_attempt)?;
        if state != "in_flight"
            || owner.as_deref() != Some(delivery.owner.as_str())
            || stored_attempt != delivery.attempt
        {
            warn!(
                owner = %delivery.owner,
                stored_state = %state,
                stored_attempt,
                "Delivery record rejected: the message's claim changed"
            );
            return Err(StoreError::LeaseLost {
                message_id: delivery.message_id,
                attempt: stored_attempt,
            });
        }

        let (outcome, error, detail) = match &delivery.result {
            DeliveryResult::Delivered { detail } => ("delivered", None, Some(detail.as_str())),
            DeliveryResult::Retry { error, .. } => ("retry", Some(error.as_str()), None),
            DeliveryResult::Failed { error, .. } => ("failed", Some(error.as_str()), None),
        };
        sqlx::query(
            "INSERT INTO attempts (outbox_id, attempt, started_at, finished_at, outcome, error, detail) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(i64::from(delivery.attempt))
        .bind(micros(delivery.started_at))
        .bind(now)
        .bind(outcome)
        .bind(error)
        .bind(detail)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;

        let update = match &delivery.result {
            DeliveryResult::Delivered { .. } => sqlx::query(
                "UPDATE outbox SET state = 'delivered', delivered_at = ?1, lease_until = NULL \
                 WHERE id = ?2",
            )
            .bind(now),
            DeliveryResult::Retry { error, retry_at } => sqlx::query(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?1, last_error = ?2, \
                 owner = NULL, lease_until = NULL WHERE id = ?3",
            )
            .bind(micros(*retry_at))
            .bind(error),
            DeliveryResult::Failed { error, .. } => sqlx::query(
                "UPDATE outbox SET state = 'failed', last_error = ?1, lease_until = NULL \
                 WHERE id = ?2",
            )
            .bind(error),
        };
        update.bind(&id).execute(&mut *tx).await.map_err(db_error)?;
        if let DeliveryResult::Failed { exception, .. } = &delivery.result {
            insert_exceptions(&mut tx, std::slice::from_ref(exception), now).await?;
        }

        upsert_pickings(&mut tx, &delivery.pickings, now).await?;
        let audit_rows = delivery
            .audit
            .into_iter()
            .map(|entry| NewAuditRow::from_entry(entry, now))
            .collect();
        audit::append(&mut tx, audit_rows).await?;

        tx.commit().await.map_err(db_error)
    }

    /// Returns the earliest time a message of `sink` becomes claimable: the
    /// `next_attempt_at` of a pending message or the lease end of one in
    /// flight. The time may be in the past.
    pub(crate) async fn next_due_at(&self, sink: &str) -> StoreResult<Option<Timestamp>> {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END) \
             FROM outbox WHERE sink = ? AND state IN ('pending', 'in_flight')",
        )
        .bind(sink)
        .fetch_one(self.reader())
        .await
        .map_err(db_error)?;
        due.map(timestamp).transpose()
    }
}
