//! The handler side of the inbox: claims with a lease, and the commit of
//! everything one message produced.

use std::time::Duration;

use sqlx::{FromRow, QueryBuilder, Sqlite};
use tracing::warn;
use wharf_model::EventKind;
use wharf_store::{Handled, HandledOutcome, StoreError, StoreResult, StoredInbox};

use crate::audit::{self, NewAuditRow};
use crate::convert::{attempt, lease_end, now_micros, timestamp, EnvelopeColumns};
use crate::effects::{insert_exceptions, insert_outbox, resolve_exceptions, upsert_pickings};
use crate::error::db_error;
use crate::SqliteStore;

#[derive(Debug, FromRow)]
struct ClaimedColumns {
    seq: i64,
    #[sqlx(flatten)]
    envelope: EnvelopeColumns,
    received_at: i64,
    attempt: i64,
    owner: String,
}

/// The claim of an inbox row, as a commit finds it.
#[derive(Debug, FromRow)]
struct ClaimColumns {
    state: String,
    owner: Option<String>,
    attempt: i64,
    idempotency_key: String,
    source: String,
}

impl SqliteStore {
    /// Claims due inbox messages of the given kinds, oldest first.
    ///
    /// A message is due when it is `pending`, or `claimed` with a lease that
    /// has expired. Each claimed row gets `owner`, a lease ending `lease` from
    /// now and its attempt number raised by one.
    #[tracing::instrument(skip(self, kinds))]
    pub(crate) async fn claim_inbox_rows(
        &self,
        kinds: &[EventKind],
        limit: u32,
        owner: &str,
        lease: Duration,
    ) -> StoreResult<Vec<StoredInbox>> {
        if kinds.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let now = now_micros();

        let mut claim = QueryBuilder::<Sqlite>::new(
            "UPDATE inbox SET state = 'claimed', attempt = attempt + 1, owner = ",
        );
        claim.push_bind(owner);
        claim.push(", lease_until = ");
        claim.push_bind(lease_end(now, lease));
        claim.push(
            " WHERE rowid IN (SELECT rowid FROM inbox \
             WHERE state IN ('pending', 'claimed') \
             AND (state = 'pending' OR lease_until <= ",
        );
        claim.push_bind(now);
        claim.push(") AND kind IN (");
        let mut list = claim.separated(", ");
        for kind in kinds {
            list.push_bind(kind.as_str());
        }
        claim.push(") ORDER BY received_at, rowid LIMIT ");
        claim.push_bind(i64::from(limit));
        claim.push(
            ") RETURNING rowid AS seq, id, kind, site, correlation_id, idempotency_key, source, \
             payload, received_at, attempt, owner",
        );

        let mut tx = self.begin_write().await?;
        let mut rows: Vec<ClaimedColumns> = claim
            .build_query_as()
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;

        // RETURNING gives rows in no particular order.
        rows.sort_by_key(|row| (row.received_at, row.seq));
        rows.into_iter()
            .map(|row| {
                Ok(StoredInbox {
                    envelope: row.envelope.into_envelope()?,
                    received_at: timestamp(row.received_at)?,
                    attempt: attempt(row.attempt)?,
                    owner: row.owner,
                })
            })
            .collect()
    }

    /// Commits a handler's result for one claimed message: the inbox state,
    /// outbox messages, exceptions, picking updates and audit rows, all or
    /// nothing.
    ///
    /// The message must still be `claimed` by `handled.owner` with
    /// `handled.attempt`, even if its lease has expired, as long as no other
    /// worker claimed it since.
    #[tracing::instrument(skip_all, fields(message_id = %handled.message_id, attempt = handled.attempt))]
    pub(crate) async fn commit_handled_message(&self, handled: Handled) -> StoreResult<()> {
        let now = now_micros();
        let id = handled.message_id.to_string();
        let mut tx = self.begin_write().await?;

        let claim: Option<ClaimColumns> = sqlx::query_as(
            "SELECT state, owner, attempt, idempotency_key, source FROM inbox WHERE id = ?",
        )
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let claim = claim.ok_or(StoreError::NotFound(handled.message_id))?;
        check_claim(&claim, &handled)?;

        let state = match handled.outcome {
            HandledOutcome::Done => "handled",
            HandledOutcome::Exception => "exception",
            HandledOutcome::Duplicate => "duplicate",
        };
        sqlx::query("UPDATE inbox SET state = ?, handled_at = ?, lease_until = NULL WHERE id = ?")
            .bind(state)
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if handled.outcome == HandledOutcome::Duplicate {
            // A business duplicate has no original message with its key.
            sqlx::query(
                "INSERT INTO duplicates (message_id, idempotency_key, original_id, source, at) \
                 VALUES (?, ?, NULL, ?, ?)",
            )
            .bind(&id)
            .bind(&claim.idempotency_key)
            .bind(&claim.source)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }

        insert_outbox(&mut tx, Some(handled.message_id), &handled.outbox, now).await?;
        insert_exceptions(&mut tx, &handled.exceptions, now).await?;
        upsert_pickings(&mut tx, &handled.pickings, now).await?;
        resolve_exceptions(&mut tx, &handled.resolved, now).await?;
        let audit_rows = handled
            .audit
            .into_iter()
            .map(|entry| NewAuditRow::from_entry(entry, now))
            .collect();
        audit::append(&mut tx, audit_rows).await?;

        tx.commit().await.map_err(db_error)
    }
}

fn check_claim(claim: &ClaimColumns, handled: &Handled) -> StoreResult<()> {
    let stored_attempt = attempt(claim.attempt)?;
    let same_claim = claim.state == "claimed"
        && claim.owner.as_deref() == Some(handled.owner.as_str())
        && stored_attempt == handled.attempt;
    if same_claim {
        return Ok(());
    }

    warn!(
        message_id = %handled.message_id,
        owner = %handled.owner,
        attempt = handled.attempt,
        stored_state = %claim.state,
        stored_attempt,
        "Handler result rejected: the message's claim changed"
    );
    Err(StoreError::LeaseLost {
        message_id: handled.message_id,
        attempt: stored_attempt,
    })
}
