//! The dashboard's figures, read in one transaction.
//!
//! Every query seeks an index (migration 0004 adds the missing ones) or
//! scans a covering index. So the cost grows with the rows a figure reports
//! (unshipped pickings, open exceptions, the last 24 hours of shipments) and
//! not with the history the store keeps. The queue depths are the exception:
//! they count every message, from covering indexes instead of the tables.
//!
//! A picking's release time is its first audit row `transformed`: the release
//! handler writes it when it queues the order for the warehouse, before any
//! confirmation can add another. A picking without one (its audit rows were
//! purged) counts its age from its last lifecycle change instead, and a
//! shipment without one is left out of the lag figures.

use std::collections::BTreeMap;

use jiff::Timestamp;
use sqlx::SqliteConnection;
use wharf_model::PickingState;
use wharf_store::{
    AgeBuckets, ConfirmationLag, Dashboard, QueueHealth, SinkHealth, SiteHealth, SiteQueues,
    StoreResult, AGE_BUCKET_BOUNDS_SECS, LAG_WINDOW_HOURS, TRACKING_LATE_AFTER_SECS,
};

use crate::convert::{count, micros, timestamp};
use crate::error::db_error;
use crate::reconcile::latest_summaries;
use crate::SqliteStore;

const MICROS_PER_SEC: i64 = 1_000_000;

/// The release time of the picking whose name is in column `{name}`.
const RELEASED_AT: &str = "(SELECT MIN(audit.at) FROM audit \
     WHERE audit.stream = {name} AND audit.action = 'transformed')";

/// Sites by code, created on first mention.
type Sites = BTreeMap<String, SiteHealth>;

impl SqliteStore {
    pub(crate) async fn dashboard_figures(&self, now: Timestamp) -> StoreResult<Dashboard> {
        let generated_at = now;
        let now = micros(now);
        let mut tx = self.begin_read().await?;
        let mut sites = Sites::new();

        read_unshipped(&mut tx, now, &mut sites).await?;
        read_confirmation_lag(&mut tx, now, &mut sites).await?;
        read_late_tracking(&mut tx, now, &mut sites).await?;
        read_exception_ages(&mut tx, now, &mut sites).await?;
        read_exception_kinds(&mut tx, &mut sites).await?;
        for summary in latest_summaries(&mut tx).await? {
            let site = summary.site.clone();
            site_entry(&mut sites, &site).reconciliation = Some(summary);
        }
        let queues = read_queues(&mut tx).await?;
        for site in &queues.sites {
            site_entry(&mut sites, &site.site);
        }

        let mut open_exceptions = BTreeMap::new();
        for health in sites.values() {
            for (kind, number) in &health.open_exceptions {
                *open_exceptions.entry(kind.clone()).or_default() += number;
            }
        }
        Ok(Dashboard {
            generated_at,
            sites: sites.into_values().collect(),
            open_exceptions,
            queues,
        })
    }
}

fn site_entry<'a>(sites: &'a mut Sites, site: &str) -> &'a mut SiteHealth {
    sites.entry(site.to_owned()).or_insert_with(|| SiteHealth {
        site: site.to_owned(),
        ..SiteHealth::default()
    })
}

/// Returns the four `SUM`s that count the rows of `column` (a time) by age
/// bucket, for parameters `?1` to `?3` bound to the bucket bounds as times
/// (see [`bucket_starts`]). An age under a bound is a time after it.
fn bucket_sums(column: &str) -> String {
    format!(
        "SUM({column} > ?1), SUM({column} <= ?1 AND {column} > ?2), \
         SUM({column} <= ?2 AND {column} > ?3), SUM({column} <= ?3)"
    )
}

/// Returns the times at which an item's age reaches each bucket bound.
fn bucket_starts(now: i64) -> [i64; 3] {
    AGE_BUCKET_BOUNDS_SECS.map(|bound| now - bound * MICROS_PER_SEC)
}

fn buckets(sums: [i64; 4]) -> StoreResult<AgeBuckets> {
    Ok(AgeBuckets {
        under_1h: count(sums[0])?,
        from_1h_to_4h: count(sums[1])?,
        from_4h_to_24h: count(sums[2])?,
        over_24h: count(sums[3])?,
    })
}

/// Returns the stored names of the states between release and shipment.
fn unshipped_states() -> String {
    let shipped = PickingState::Shipped.process_rank();
    PickingState::ALL
        .iter()
        .filter(|state| {
            state
                .process_rank()
                .is_some_and(|rank| Some(rank) < shipped)
        })
        .map(|state| format!("'{}'", state.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

type BucketRow = (String, i64, i64, i64, i64, i64, Option<i64>);

async fn read_unshipped(
    conn: &mut SqliteConnection,
    now: i64,
    sites: &mut Sites,
) -> StoreResult<()> {
    let released_at = RELEASED_AT.replace("{name}", "pickings.picking_name");
    // MATERIALIZED runs the release time subquery once per picking, because
    // the flattened form would repeat it in each aggregate below.
    let query = format!(
        "WITH unshipped AS MATERIALIZED \
         (SELECT site, COALESCE({released_at}, updated_at) AS released_at \
          FROM pickings WHERE state IN ({states})) \
         SELECT site, COUNT(*), {sums}, MIN(released_at) FROM unshipped GROUP BY site",
        sums = bucket_sums("released_at"),
        states = unshipped_states(),
    );
    let [one_hour, four_hours, one_day] = bucket_starts(now);
    let rows: Vec<BucketRow> = sqlx::query_as(&query)
        .bind(one_hour)
        .bind(four_hours)
        .bind(one_day)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;

    for (site, total, under_1h, to_4h, to_24h, over_24h, oldest) in rows {
        let unshipped = &mut site_entry(sites, &site).unshipped;
        unshipped.count = count(total)?;
        unshipped.ages = buckets([under_1h, to_4h, to_24h, over_24h])?;
        unshipped.oldest_released_at = oldest.map(timestamp).transpose()?;
        unshipped.oldest_age_secs = oldest.map(|at| (now - at) / MICROS_PER_SEC);
    }
    Ok(())
}

async fn read_confirmation_lag(
    conn: &mut SqliteConnection,
    now: i64,
    sites: &mut Sites,
) -> StoreResult<()> {
    let window_start = now - i64::from(LAG_WINDOW_HOURS) * 3_600 * MICROS_PER_SEC;
    let released_at = RELEASED_AT.replace("{name}", "outbox.correlation_id");
    let query = format!(
        "SELECT site, delivered_at, {released_at} FROM outbox \
         WHERE kind = 'shipment_apply' AND delivered_at > ?1 AND delivered_at <= ?2 \
         AND state = 'delivered'"
    );
    let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(&query)
        .bind(window_start)
        .bind(now)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;

    let mut samples: BTreeMap<String, Vec<(Timestamp, i64)>> = BTreeMap::new();
    for (site, delivered_at, released_at) in rows {
        let Some(released_at) = released_at else {
            continue;
        };
        let lag = (delivered_at - released_at) / MICROS_PER_SEC;
        samples
            .entry(site)
            .or_default()
            .push((timestamp(delivered_at)?, lag));
    }
    let now = timestamp(now)?;
    for (site, samples) in samples {
        site_entry(sites, &site).confirmation_lag = ConfirmationLag::from_samples(now, &samples);
    }
    Ok(())
}

async fn read_late_tracking(
    conn: &mut SqliteConnection,
    now: i64,
    sites: &mut Sites,
) -> StoreResult<()> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT site, COUNT(*) FROM outbox WHERE kind = 'tracking_update' \
         AND state IN ('pending', 'in_flight', 'failed') AND created_at < ?1 GROUP BY site",
    )
    .bind(now - TRACKING_LATE_AFTER_SECS * MICROS_PER_SEC)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;

    for (site, late) in rows {
        site_entry(sites, &site).late_tracking_updates = count(late)?;
    }
    Ok(())
}

async fn read_exception_ages(
    conn: &mut SqliteConnection,
    now: i64,
    sites: &mut Sites,
) -> StoreResult<()> {
    let query = format!(
        "SELECT site, owner, {sums} FROM exceptions WHERE state = 'open' GROUP BY site, owner",
        sums = bucket_sums("created_at"),
    );
    let [one_hour, four_hours, one_day] = bucket_starts(now);
    let rows: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(&query)
        .bind(one_hour)
        .bind(four_hours)
        .bind(one_day)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;

    for (site, owner, under_1h, to_4h, to_24h, over_24h) in rows {
        let ages = buckets([under_1h, to_4h, to_24h, over_24h])?;
        site_entry(sites, &site)
            .exceptions_by_owner
            .insert(owner, ages);
    }
    Ok(())
}

async fn read_exception_kinds(conn: &mut SqliteConnection, sites: &mut Sites) -> StoreResult<()> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT site, kind, COUNT(*) FROM exceptions WHERE state = 'open' GROUP BY site, kind",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    for (site, kind, number) in rows {
        site_entry(sites, &site)
            .open_exceptions
            .insert(kind, count(number)?);
    }
    Ok(())
}

fn site_queues(sites: &mut BTreeMap<String, SiteQueues>, site: String) -> &mut SiteQueues {
    sites.entry(site.clone()).or_insert_with(|| SiteQueues {
        site,
        ..SiteQueues::default()
    })
}

async fn read_queues(conn: &mut SqliteConnection) -> StoreResult<QueueHealth> {
    let mut sites: BTreeMap<String, SiteQueues> = BTreeMap::new();
    let inbox: Vec<(String, String, String, i64)> =
        sqlx::query_as("SELECT site, kind, state, COUNT(*) FROM inbox GROUP BY site, kind, state")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
    for (site, kind, state, number) in inbox {
        let queues = site_queues(&mut sites, site);
        *queues.inbox.entry(format!("{kind}/{state}")).or_default() += count(number)?;
    }

    // Rows come sorted by site then sink, so a site's sinks are built in order.
    let outbox: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT site, sink, kind, state, COUNT(*), SUM(attempt) FROM outbox \
         GROUP BY site, sink, kind, state ORDER BY site, sink",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    for (site, sink, kind, state, number, attempts) in outbox {
        let number = count(number)?;
        let queues = site_queues(&mut sites, site);
        *queues.outbox.entry(format!("{kind}/{state}")).or_default() += number;

        if queues.sinks.last().is_none_or(|last| last.sink != sink) {
            queues.sinks.push(SinkHealth {
                sink,
                ..SinkHealth::default()
            });
        }
        let sink_health = queues.sinks.last_mut().expect("pushed above");
        sink_health.attempts += count(attempts)?;
        if state == "failed" {
            sink_health.dead_letters += number;
        }
        *sink_health.messages.entry(state).or_default() += number;
    }

    // One outbox lookup per retry row: bounded by the retries, not by every attempt.
    let retries: Vec<(String, i64)> = sqlx::query_as(
        "SELECT outbox.site, COUNT(*) FROM attempts JOIN outbox ON outbox.id = attempts.outbox_id \
         WHERE attempts.outcome = 'retry' GROUP BY outbox.site",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    for (site, number) in retries {
        site_queues(&mut sites, site).retries = count(number)?;
    }

    Ok(QueueHealth::from_sites(sites.into_values().collect()))
}
