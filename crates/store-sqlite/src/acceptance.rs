//! The figures of an acceptance report for one period, read in one
//! transaction so they describe one committed state.

use std::collections::BTreeMap;

use jiff::Timestamp;
use wharf_store::{latency_of, AcceptanceFigures, Outcomes, StoreResult};

use crate::convert::{count, micros};
use crate::error::db_error;
use crate::SqliteStore;

impl SqliteStore {
    pub(crate) async fn read_acceptance(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<AcceptanceFigures> {
        let (start, end) = (micros(from), micros(to));
        let mut tx = self.begin_read().await?;

        let inbox: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) FROM inbox WHERE received_at >= ? AND received_at < ? GROUP BY state",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        let outbox: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) FROM outbox WHERE created_at >= ? AND created_at < ? GROUP BY state",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;

        let durations: Vec<(String, i64)> = sqlx::query_as(
            "SELECT o.kind, o.delivered_at - COALESCE(i.received_at, o.created_at) \
             FROM outbox o LEFT JOIN inbox i ON i.id = o.inbox_id \
             WHERE o.state = 'delivered' AND o.delivered_at >= ? AND o.delivered_at < ?",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;

        let (reconciliations, compared, matched): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), SUM(compared), SUM(COALESCE(json_extract(counts, '$.match'), 0)) \
             FROM reconciliations WHERE finished_at >= ? AND finished_at < ?",
        )
        .bind(start)
        .bind(end)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;

        let manual: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit WHERE action IN ('manual_retry', 'manual_resolve') \
             AND at >= ? AND at < ?",
        )
        .bind(start)
        .bind(end)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;

        let compared = count(compared.unwrap_or(0))?;
        let matched = count(matched.unwrap_or(0))?;
        Ok(AcceptanceFigures {
            from,
            to,
            inbox: outcomes(
                &inbox,
                &["handled"],
                &["exception"],
                &["pending", "claimed"],
            )?,
            outbox: outcomes(
                &outbox,
                &["delivered"],
                &["failed"],
                &["pending", "in_flight"],
            )?,
            latency: latencies(durations),
            reconciliations: count(reconciliations)?,
            compared,
            variances: compared.saturating_sub(matched),
            manual_interventions: count(manual)?,
        })
    }
}

fn outcomes(
    by_state: &[(String, i64)],
    succeeded: &[&str],
    failed: &[&str],
    in_progress: &[&str],
) -> StoreResult<Outcomes> {
    let mut outcomes = Outcomes::default();
    for (state, n) in by_state {
        let n = count(*n)?;
        if succeeded.contains(&state.as_str()) {
            outcomes.succeeded += n;
        } else if failed.contains(&state.as_str()) {
            outcomes.failed += n;
        } else if in_progress.contains(&state.as_str()) {
            outcomes.in_progress += n;
        }
    }
    Ok(outcomes)
}

fn latencies(durations: Vec<(String, i64)>) -> BTreeMap<String, wharf_store::Latency> {
    let mut by_kind: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (kind, micros) in durations {
        let millis = u64::try_from(micros.max(0) / 1000).unwrap_or(0);
        by_kind.entry(kind).or_default().push(millis);
    }
    by_kind
        .into_iter()
        .map(|(kind, values)| (kind, latency_of(values)))
        .collect()
}
