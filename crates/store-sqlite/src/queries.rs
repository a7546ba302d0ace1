//! Read-only queries: pickings, stored messages, exceptions and the status
//! report with the latest reconciliation of each site.

use std::collections::BTreeMap;

use sqlx::SqliteConnection;
use wharf_model::{Envelope, MessageId, PickingState};
use wharf_store::{ExceptionRow, PickingRecord, StatusReport, StoreResult};

use crate::convert::{count, EnvelopeColumns, ExceptionColumns, PickingColumns};
use crate::error::db_error;
use crate::reconcile::latest_summaries;
use crate::SqliteStore;

const PICKING_COLUMNS: &str =
    "picking_id, picking_name, site, state, release, backorder, tracking, updated_at";

/// An exception's columns, and whether a retry can put its message back to
/// work: an inbox message stopped on an exception, or a failed delivery.
const EXCEPTION_COLUMNS: &str = "id, kind, owner, site, correlation_id, message_id, detail, state, created_at, \
    (state = 'open' AND message_id IS NOT NULL AND (\
     EXISTS (SELECT 1 FROM inbox i WHERE i.id = exceptions.message_id AND i.state = 'exception') \
     OR EXISTS (SELECT 1 FROM outbox o WHERE o.id = exceptions.message_id AND o.state = 'failed'))) AS retryable";

impl SqliteStore {
    pub(crate) async fn picking_by_id(
        &self,
        picking_id: i64,
    ) -> StoreResult<Option<PickingRecord>> {
        let query = format!("SELECT {PICKING_COLUMNS} FROM pickings WHERE picking_id = ?");
        let row: Option<PickingColumns> = sqlx::query_as(&query)
            .bind(picking_id)
            .fetch_optional(self.reader())
            .await
            .map_err(db_error)?;
        row.map(PickingColumns::into_record).transpose()
    }

    pub(crate) async fn picking_named(&self, name: &str) -> StoreResult<Option<PickingRecord>> {
        let query = format!("SELECT {PICKING_COLUMNS} FROM pickings WHERE picking_name = ?");
        let row: Option<PickingColumns> = sqlx::query_as(&query)
            .bind(name)
            .fetch_optional(self.reader())
            .await
            .map_err(db_error)?;
        row.map(PickingColumns::into_record).transpose()
    }

    pub(crate) async fn pickings_with_state(
        &self,
        site: &str,
        state: PickingState,
    ) -> StoreResult<Vec<PickingRecord>> {
        let query = format!(
            "SELECT {PICKING_COLUMNS} FROM pickings WHERE site = ? AND state = ? \
             ORDER BY updated_at, picking_id"
        );
        let rows: Vec<PickingColumns> = sqlx::query_as(&query)
            .bind(site)
            .bind(state.as_str())
            .fetch_all(self.reader())
            .await
            .map_err(db_error)?;
        rows.into_iter().map(PickingColumns::into_record).collect()
    }

    pub(crate) async fn pickings_with_order(
        &self,
        order_name: &str,
    ) -> StoreResult<Vec<PickingRecord>> {
        let query = format!(
            "SELECT {PICKING_COLUMNS} FROM pickings \
             WHERE json_extract(release, '$.order_name') = ? ORDER BY picking_id"
        );
        let rows: Vec<PickingColumns> = sqlx::query_as(&query)
            .bind(order_name)
            .fetch_all(self.reader())
            .await
            .map_err(db_error)?;
        rows.into_iter().map(PickingColumns::into_record).collect()
    }

    /// Looks a message up in the inbox, then in the outbox.
    pub(crate) async fn stored_message(&self, id: MessageId) -> StoreResult<Option<Envelope>> {
        let id = id.to_string();
        let mut tx = self.begin_read().await?;
        for table in ["inbox", "outbox"] {
            let query = format!(
                "SELECT id, kind, site, correlation_id, idempotency_key, source, payload \
                 FROM {table} WHERE id = ?"
            );
            let row: Option<EnvelopeColumns> = sqlx::query_as(&query)
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
            if let Some(row) = row {
                return row.into_envelope().map(Some);
            }
        }
        Ok(None)
    }

    /// Lists exceptions oldest first.
    pub(crate) async fn list_exceptions(
        &self,
        include_resolved: bool,
    ) -> StoreResult<Vec<ExceptionRow>> {
        let filter = if include_resolved {
            ""
        } else {
            "WHERE state = 'open'"
        };
        let query =
            format!("SELECT {EXCEPTION_COLUMNS} FROM exceptions {filter} ORDER BY created_at, id");
        let rows: Vec<ExceptionColumns> = sqlx::query_as(&query)
            .fetch_all(self.reader())
            .await
            .map_err(db_error)?;
        rows.into_iter().map(ExceptionColumns::into_row).collect()
    }

    /// Counts every table for `wharf status`, from one committed state.
    pub(crate) async fn status_report(&self) -> StoreResult<StatusReport> {
        let mut tx = self.begin_read().await?;

        let inbox = counts(
            &mut tx,
            "SELECT kind || '/' || state, COUNT(*) FROM inbox GROUP BY kind, state",
        )
        .await?;
        let outbox = counts(
            &mut tx,
            "SELECT kind || '/' || state, COUNT(*) FROM outbox GROUP BY kind, state",
        )
        .await?;
        let pickings = counts(
            &mut tx,
            "SELECT state, COUNT(*) FROM pickings GROUP BY state",
        )
        .await?;
        let open_exceptions = counts(
            &mut tx,
            "SELECT kind, COUNT(*) FROM exceptions WHERE state = 'open' GROUP BY kind",
        )
        .await?;

        let oldest_query = format!(
            "SELECT {EXCEPTION_COLUMNS} FROM exceptions WHERE state = 'open' \
             ORDER BY created_at, id LIMIT 1"
        );
        let oldest: Option<ExceptionColumns> = sqlx::query_as(&oldest_query)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;

        let duplicates: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM duplicates")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        let retries: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attempts WHERE outcome = 'retry'")
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
        let reconciliations = latest_summaries(&mut tx).await?;

        Ok(StatusReport {
            inbox,
            outbox,
            pickings,
            open_exceptions,
            oldest_open_exception: oldest.map(ExceptionColumns::into_row).transpose()?,
            duplicates: count(duplicates)?,
            retries: count(retries)?,
            reconciliations,
        })
    }
}

/// Runs a `SELECT label, COUNT(*) ... GROUP BY` query into a map.
async fn counts(conn: &mut SqliteConnection, query: &str) -> StoreResult<BTreeMap<String, u64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(query)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    rows.into_iter()
        .map(|(label, number)| Ok((label, count(number)?)))
        .collect()
}
