//! Replay: the delivered outbox messages a selection matches, and the audit
//! rows of a replay. Neither touches an outbox row, so a replay never puts a
//! message back to work or changes its delivery record.

use sqlx::{FromRow, QueryBuilder, Sqlite};
use tracing::info;
use wharf_store::{AuditEntry, ReplaySelection, ReplayedMessage, StoreResult, StoredOutbox};

use crate::audit::{self, NewAuditRow};
use crate::convert::{attempt, micros, now_micros, timestamp, EnvelopeColumns};
use crate::error::db_error;
use crate::SqliteStore;

#[derive(Debug, FromRow)]
struct DeliveredColumns {
    #[sqlx(flatten)]
    envelope: EnvelopeColumns,
    sink: String,
    attempt: i64,
    owner: String,
    created_at: i64,
}

impl SqliteStore {
    /// Lists delivered outbox messages matching every criterion of
    /// `selection`, oldest first.
    #[tracing::instrument(skip(self))]
    pub(crate) async fn delivered_messages(
        &self,
        selection: &ReplaySelection,
    ) -> StoreResult<Vec<StoredOutbox>> {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT id, kind, site, correlation_id, idempotency_key, source, payload, sink, \
             attempt, COALESCE(owner, '') AS owner, created_at \
             FROM outbox WHERE state = 'delivered'",
        );
        push_criteria(&mut query, selection);
        query.push(" ORDER BY created_at, rowid");

        let rows: Vec<DeliveredColumns> = query
            .build_query_as()
            .fetch_all(self.reader())
            .await
            .map_err(db_error)?;
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

    /// Appends one `replay` audit row per message, all in one transaction.
    #[tracing::instrument(skip(self, reason, replayed), fields(messages = replayed.len()))]
    pub(crate) async fn append_replay_rows(
        &self,
        by: &str,
        reason: &str,
        replayed: Vec<ReplayedMessage>,
    ) -> StoreResult<()> {
        if replayed.is_empty() {
            return Ok(());
        }
        let now = now_micros();
        let count = replayed.len();
        let rows = replayed
            .into_iter()
            .map(|message| {
                let entry = AuditEntry {
                    stream: message.correlation_id,
                    action: "replay".to_owned(),
                    message_id: Some(message.message_id),
                    detail: format!("{}; replayed by {by}: {reason}", message.detail),
                };
                NewAuditRow::from_entry(entry, now)
            })
            .collect();

        let mut tx = self.begin_write().await?;
        audit::append(&mut tx, rows).await?;
        tx.commit().await.map_err(db_error)?;
        info!(messages = count, by, "Replay recorded in the audit trail");
        Ok(())
    }
}

/// Adds one `AND ...` clause per criterion that is set.
fn push_criteria<'args>(
    query: &mut QueryBuilder<'args, Sqlite>,
    selection: &'args ReplaySelection,
) {
    if !selection.ids.is_empty() {
        query.push(" AND id IN (");
        let mut ids = query.separated(", ");
        for id in &selection.ids {
            ids.push_bind(id.to_string());
        }
        query.push(")");
    }
    if let Some(from) = selection.from {
        query.push(" AND created_at >= ").push_bind(micros(from));
    }
    if let Some(to) = selection.to {
        query.push(" AND created_at < ").push_bind(micros(to));
    }
    if let Some(site) = &selection.site {
        query.push(" AND site = ").push_bind(site.as_str());
    }
    if !selection.kinds.is_empty() {
        query.push(" AND kind IN (");
        let mut kinds = query.separated(", ");
        for kind in &selection.kinds {
            kinds.push_bind(kind.as_str());
        }
        query.push(")");
    }
    if let Some(order) = &selection.order {
        // The correlation id of an outgoing flow is the picking name: the
        // order's pickings are the ones whose release names it, and a
        // backorder carries its own picking name.
        query
            .push(
                " AND correlation_id IN ( \
                 SELECT picking_name FROM pickings WHERE json_extract(release, '$.order_name') = ",
            )
            .push_bind(order.as_str())
            .push(" UNION SELECT backorder FROM pickings WHERE backorder IS NOT NULL AND (picking_name = ")
            .push_bind(order.as_str())
            .push(" OR json_extract(release, '$.order_name') = ")
            .push_bind(order.as_str())
            .push(") UNION SELECT ")
            .push_bind(order.as_str())
            .push(")");
    }
}
