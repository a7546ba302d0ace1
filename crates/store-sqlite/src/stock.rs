//! Stock messages: the outbox messages a reconciliation counts as in flight
//! when it compares the warehouse's balances with Odoo's.

use jiff::Timestamp;
use sqlx::{FromRow, QueryBuilder, Sqlite};
use wharf_model::EventKind;
use wharf_store::{OutboxState, StockMessage, StoreError, StoreResult};

use crate::convert::{micros, now_micros, timestamp, EnvelopeColumns};
use crate::error::db_error;
use crate::SqliteStore;

#[derive(Debug, FromRow)]
struct StockColumns {
    #[sqlx(flatten)]
    envelope: EnvelopeColumns,
    state: String,
    lease_until: Option<i64>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl SqliteStore {
    /// Lists the outbox messages of `site` and `kinds` that are not
    /// delivered, or were created or delivered at or after `since`, oldest
    /// first by creation.
    ///
    /// A message `in_flight` whose lease has expired is reported as
    /// [`OutboxState::Pending`], because no sink is working on it and the
    /// next claim takes it again.
    pub(crate) async fn list_stock_messages(
        &self,
        site: &str,
        kinds: &[EventKind],
        since: Timestamp,
    ) -> StoreResult<Vec<StockMessage>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }

        let now = now_micros();
        let mut query = QueryBuilder::new("");
        push_stock_query(&mut query, site, kinds, micros(since));
        let rows: Vec<StockColumns> = query
            .build_query_as()
            .fetch_all(self.reader())
            .await
            .map_err(db_error)?;

        rows.into_iter().map(|row| row.into_message(now)).collect()
    }
}

/// Appends the query of [`SqliteStore::list_stock_messages`] to `query`.
///
/// The filter is three SELECTs joined by UNION ALL rather than one WHERE
/// with OR, because SQLite 3.40 without `ANALYZE` statistics planned the OR
/// as a read of every delivered row of the site and kinds. Each branch seeks
/// an index of migration 0002, and `rowid IN` drops a row found twice.
fn push_stock_query<'args>(
    query: &mut QueryBuilder<'args, Sqlite>,
    site: &'args str,
    kinds: &[EventKind],
    since: i64,
) {
    let branches = [
        "state IN ('pending', 'in_flight', 'failed')",
        "state = 'delivered' AND created_at >= ",
        "state = 'delivered' AND delivered_at >= ",
    ];

    query.push(
        "SELECT id, kind, site, correlation_id, idempotency_key, source, payload, \
         state, lease_until, created_at, delivered_at \
         FROM outbox WHERE rowid IN (",
    );
    for (index, branch) in branches.into_iter().enumerate() {
        if index > 0 {
            query.push(" UNION ALL ");
        }
        query.push("SELECT rowid FROM outbox WHERE site = ");
        query.push_bind(site);
        query.push(" AND kind IN (");
        let mut list = query.separated(", ");
        for kind in kinds {
            list.push_bind(kind.as_str());
        }
        query.push(") AND ");
        query.push(branch);
        if branch.ends_with(">= ") {
            query.push_bind(since);
        }
    }
    query.push(") ORDER BY created_at, rowid");
}

impl StockColumns {
    fn into_message(self, now: i64) -> StoreResult<StockMessage> {
        let state = match self.state.as_str() {
            "pending" => OutboxState::Pending,
            "in_flight" if self.lease_until.is_some_and(|until| until > now) => {
                OutboxState::InFlight
            }
            "in_flight" => OutboxState::Pending,
            "delivered" => OutboxState::Delivered,
            "failed" => OutboxState::Failed,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "outbox message {} has unknown state {other:?}",
                    self.envelope.id
                )))
            }
        };

        Ok(StockMessage {
            envelope: self.envelope.into_envelope()?,
            state,
            created_at: timestamp(self.created_at)?,
            delivered_at: self.delivered_at.map(timestamp).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the plan of the query on an empty store: SQLite plans from the
    /// schema alone until `ANALYZE` runs, so an empty file gets the plan a
    /// large one gets.
    #[tokio::test]
    async fn stock_query_seeks_indexes() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let store = SqliteStore::open(&folder.path().join("wharf.db"))
            .await
            .expect("store opens");

        let kinds = [EventKind::InventoryApply, EventKind::ShipmentApply];
        let mut explain = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        push_stock_query(&mut explain, "main", &kinds, 0);
        let steps: Vec<(i64, i64, i64, String)> = explain
            .build_query_as()
            .fetch_all(store.reader())
            .await
            .expect("query plan");
        let plan: Vec<String> = steps.into_iter().map(|step| step.3).collect();

        // Each branch must seek down to its state or time range: a plan that
        // stops at (site=? AND kind=?) reads every delivered row.
        let scans: Vec<&String> = plan
            .iter()
            .filter(|step| step.starts_with("SCAN"))
            .collect();
        assert!(scans.is_empty(), "plan scans a table: {plan:#?}");
        for seek in [
            "outbox_stock_state (site=? AND kind=? AND state=?)",
            "outbox_stock_state (site=? AND kind=? AND state=? AND created_at>?)",
            "outbox_stock_delivered (site=? AND kind=? AND delivered_at>?)",
        ] {
            let found = plan.iter().any(|step| step.ends_with(seek));
            assert!(found, "plan lacks {seek:?}: {plan:#?}");
        }
    }
}
