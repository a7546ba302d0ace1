//! The dashboard's figures on a store filled through the `Store` interface.
//! Times that the interface stamps with the clock are moved with SQL
//! afterwards, so that each test controls ages and lags to the second.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use tempfile::TempDir;
use wharf_model::{CorrelationId, Envelope, EventKind, ExceptionKind, MessageId, PickingState};
use wharf_store::{
    AgeBuckets, AuditEntry, Delivery, DeliveryResult, Handled, HandledOutcome, Ingest,
    NewException, NewOutbox, NewReconciliation, PickingUpdate, ReconciliationSummary, Store,
};
use wharf_store_sqlite::SqliteStore;

const LEASE: Duration = Duration::from_secs(600);
const HOUR: i64 = 3_600;

async fn open_store() -> (TempDir, SqliteStore) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(&folder.path().join("wharf.db"))
        .await
        .expect("store opens");
    (folder, store)
}

/// Runs one SQL statement on the store's file through a second connection.
async fn raw_sql(store: &SqliteStore, statement: &str) {
    let url = format!("sqlite://{}", store.path().display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("raw connection");
    sqlx::query(statement)
        .execute(&pool)
        .await
        .expect("raw statement");
    pool.close().await;
}

fn envelope(kind: EventKind, site: &str, correlation: &str) -> Envelope {
    let id = MessageId::new();
    Envelope {
        id,
        kind,
        site: site.to_owned(),
        correlation_id: CorrelationId(correlation.to_owned()),
        idempotency_key: format!("{kind}:{id}"),
        source: "test".to_owned(),
        payload: json!({ "picking": correlation }),
    }
}

/// What one handled inbox message produces in a test.
#[derive(Default)]
struct Effects {
    outbox: Vec<NewOutbox>,
    pickings: Vec<PickingUpdate>,
    exceptions: Vec<NewException>,
    audit: Vec<AuditEntry>,
}

/// Ingests one inbox message of `site`, claims it and commits `effects`.
async fn commit(store: &SqliteStore, site: &str, effects: Effects) {
    let message = envelope(EventKind::PickingReady, site, "poll");
    let ingest = Ingest {
        source: "odoo:main".to_owned(),
        cursor: None,
        messages: vec![message],
    };
    store.ingest(ingest).await.unwrap();
    let claimed = store
        .claim_inbox(&[EventKind::PickingReady], 1, "handler", LEASE)
        .await
        .unwrap()
        .remove(0);
    let handled = Handled {
        message_id: claimed.envelope.id,
        owner: claimed.owner,
        attempt: claimed.attempt,
        outcome: HandledOutcome::Done,
        outbox: effects.outbox,
        exceptions: effects.exceptions,
        pickings: effects.pickings,
        audit: effects.audit,
        resolved: vec![],
    };
    store.commit_handled(handled).await.unwrap();
}

fn picking(id: i64, name: &str, site: &str, state: PickingState) -> PickingUpdate {
    PickingUpdate {
        picking_id: id,
        picking_name: name.to_owned(),
        site: site.to_owned(),
        state,
        release: None,
        backorder: None,
        tracking: None,
    }
}

fn release_row(name: &str) -> AuditEntry {
    AuditEntry {
        stream: name.to_owned(),
        action: "transformed".to_owned(),
        message_id: None,
        detail: format!("order file for {name} queued"),
    }
}

fn to_odoo(kind: EventKind, site: &str, correlation: &str) -> NewOutbox {
    NewOutbox {
        envelope: envelope(kind, site, correlation),
        sink: "odoo".to_owned(),
    }
}

fn exception(kind: ExceptionKind, owner: &str, site: &str) -> NewException {
    NewException {
        kind,
        owner: owner.to_owned(),
        site: site.to_owned(),
        correlation_id: "WH/OUT/00001".to_owned(),
        message_id: None,
        detail: "test exception".to_owned(),
    }
}

/// Claims every due message of the `odoo` sink and records `result` for each.
async fn deliver_all(store: &SqliteStore, result: impl Fn() -> DeliveryResult) {
    let claimed = store
        .claim_outbox("odoo", 100, "sink", LEASE)
        .await
        .unwrap();
    for message in claimed {
        let delivery = Delivery {
            message_id: message.envelope.id,
            owner: message.owner,
            attempt: message.attempt,
            started_at: Timestamp::now(),
            result: result(),
            pickings: vec![],
            audit: vec![],
        };
        store.record_delivery(delivery).await.unwrap();
    }
}

fn delivered() -> DeliveryResult {
    DeliveryResult::Delivered {
        detail: "validated".to_owned(),
    }
}

/// Returns `now` moved back by `secs` seconds, in stored microseconds.
fn before(now: Timestamp, secs: i64) -> i64 {
    now.as_microsecond() - secs * 1_000_000
}

#[tokio::test]
async fn empty_store_has_no_figures() {
    let (_folder, store) = open_store().await;
    let now = Timestamp::now();

    let dashboard = store.dashboard(now).await.unwrap();

    assert_eq!(dashboard.generated_at, now);
    assert!(dashboard.sites.is_empty());
    assert!(dashboard.open_exceptions.is_empty());
    assert_eq!(dashboard.queues, wharf_store::QueueHealth::default());
}

#[tokio::test]
async fn unshipped_pickings_by_age() {
    let (_folder, store) = open_store().await;
    let released = [
        (1, "OUT/1", PickingState::Released, 10 * 60),
        (2, "OUT/2", PickingState::Picked, 2 * HOUR),
        (3, "OUT/3", PickingState::Exception, 5 * HOUR),
        (4, "OUT/4", PickingState::Confirmed, 30 * HOUR),
    ];
    let mut effects = Effects::default();
    for (id, name, state, _) in released {
        effects.pickings.push(picking(id, name, "main", state));
        effects.audit.push(release_row(name));
    }
    // Not unshipped: held before release, shipped, cancelled.
    effects
        .pickings
        .push(picking(5, "OUT/5", "main", PickingState::Held));
    effects
        .pickings
        .push(picking(6, "OUT/6", "main", PickingState::Shipped));
    effects
        .pickings
        .push(picking(7, "OUT/7", "main", PickingState::Cancelled));
    // Released with no audit row left: its age counts from its last change.
    effects
        .pickings
        .push(picking(8, "OUT/8", "north", PickingState::Staged));
    commit(&store, "main", effects).await;

    let now = Timestamp::now();
    for (_, name, _, age) in released {
        let at = before(now, age);
        raw_sql(
            &store,
            &format!("UPDATE audit SET at = {at} WHERE stream = '{name}'"),
        )
        .await;
    }
    let changed = before(now, 90 * 60);
    raw_sql(
        &store,
        &format!("UPDATE pickings SET updated_at = {changed} WHERE picking_id = 8"),
    )
    .await;

    let dashboard = store.dashboard(now).await.unwrap();
    let sites: Vec<&str> = dashboard
        .sites
        .iter()
        .map(|site| site.site.as_str())
        .collect();
    assert_eq!(sites, ["main", "north"]);

    let main = &dashboard.sites[0].unshipped;
    assert_eq!(main.count, 4);
    assert_eq!(main.ages.counts(), [1, 1, 1, 1]);
    assert_eq!(main.oldest_age_secs, Some(30 * HOUR));
    assert_eq!(
        main.oldest_released_at.map(|at| at.as_microsecond()),
        Some(before(now, 30 * HOUR))
    );

    let north = &dashboard.sites[1].unshipped;
    assert_eq!(north.count, 1);
    assert_eq!(north.ages.from_1h_to_4h, 1);
    assert_eq!(north.oldest_age_secs, Some(90 * 60));
}

#[tokio::test]
async fn confirmation_lag_from_release() {
    let (_folder, store) = open_store().await;
    // (picking, hours before now it was validated, lag in minutes)
    let shipments = [
        ("OUT/1", 1, 30),
        ("OUT/2", 1, 90),
        ("OUT/3", 5, 60),
        ("OUT/4", 30, 10),
    ];
    let mut effects = Effects::default();
    for (name, _, _) in shipments {
        effects.audit.push(release_row(name));
        effects
            .outbox
            .push(to_odoo(EventKind::ShipmentApply, "main", name));
    }
    // Validated, but its release row was purged: left out.
    effects
        .outbox
        .push(to_odoo(EventKind::ShipmentApply, "main", "OUT/9"));
    commit(&store, "main", effects).await;
    deliver_all(&store, delivered).await;

    let now = Timestamp::now();
    for (name, hours, lag_minutes) in shipments {
        let validated = before(now, hours * HOUR);
        let released = validated - lag_minutes * 60 * 1_000_000;
        raw_sql(
            &store,
            &format!("UPDATE audit SET at = {released} WHERE stream = '{name}'"),
        )
        .await;
        raw_sql(
            &store,
            &format!(
                "UPDATE outbox SET delivered_at = {validated} WHERE correlation_id = '{name}'"
            ),
        )
        .await;
    }

    let dashboard = store.dashboard(now).await.unwrap();
    let lag = &dashboard.sites[0].confirmation_lag;
    assert_eq!(
        lag.confirmed, 3,
        "the 30 h old and the unreleased one are out"
    );
    assert_eq!(lag.p50_secs, Some(60 * 60));
    assert_eq!(lag.p95_secs, Some(90 * 60));
    assert_eq!(lag.hourly.len(), 24);
    assert_eq!(lag.hourly[22].confirmed, 2);
    assert_eq!(lag.hourly[22].p50_secs, Some(30 * 60));
    assert_eq!(lag.hourly[18].confirmed, 1);
    assert_eq!(lag.hourly[23].confirmed, 0);
}

#[tokio::test]
async fn late_tracking_updates_counted() {
    let (_folder, store) = open_store().await;
    let mut effects = Effects::default();
    for name in ["late", "recent", "done"] {
        effects
            .outbox
            .push(to_odoo(EventKind::TrackingUpdate, "main", name));
    }
    commit(&store, "main", effects).await;

    let now = Timestamp::now();
    for (name, age) in [("late", 20 * 60), ("recent", 5 * 60), ("done", HOUR)] {
        let at = before(now, age);
        raw_sql(
            &store,
            &format!("UPDATE outbox SET created_at = {at} WHERE correlation_id = '{name}'"),
        )
        .await;
    }
    raw_sql(
        &store,
        "UPDATE outbox SET state = 'delivered', delivered_at = created_at \
         WHERE correlation_id = 'done'",
    )
    .await;

    let dashboard = store.dashboard(now).await.unwrap();
    assert_eq!(dashboard.sites[0].late_tracking_updates, 1);
}

#[tokio::test]
async fn exceptions_by_owner_and_age() {
    let (_folder, store) = open_store().await;
    let mut effects = Effects::default();
    effects.exceptions.push(exception(
        ExceptionKind::HeldOrder,
        "customer_service",
        "main",
    ));
    effects
        .exceptions
        .push(exception(ExceptionKind::UnknownSku, "warehouse", "main"));
    effects
        .exceptions
        .push(exception(ExceptionKind::UnknownSku, "warehouse", "main"));
    effects
        .exceptions
        .push(exception(ExceptionKind::Defect, "it", "north"));
    commit(&store, "main", effects).await;

    let now = Timestamp::now();
    let old = before(now, 2 * 24 * HOUR);
    raw_sql(
        &store,
        &format!("UPDATE exceptions SET created_at = {old} WHERE id = (SELECT MAX(id) FROM exceptions WHERE kind = 'unknown_sku')"),
    )
    .await;
    let open_rows = store.exceptions(false).await.unwrap();
    let resolved = open_rows
        .iter()
        .find(|row| row.kind == ExceptionKind::HeldOrder)
        .expect("held order exception")
        .id;
    store
        .resolve_exception(resolved, "ana", "fixed in Odoo")
        .await
        .unwrap();

    let dashboard = store.dashboard(now).await.unwrap();
    let main = &dashboard.sites[0].exceptions_by_owner;
    let expected = BTreeMap::from([(
        "warehouse".to_owned(),
        AgeBuckets {
            under_1h: 1,
            over_24h: 1,
            ..AgeBuckets::default()
        },
    )]);
    assert_eq!(main, &expected, "the resolved held order is gone");
    assert_eq!(dashboard.sites[1].exceptions_by_owner["it"].under_1h, 1);

    let status = store.status().await.unwrap();
    assert_eq!(dashboard.open_exceptions, status.open_exceptions);
    assert_eq!(dashboard.open_exceptions["unknown_sku"], 2);
}

#[tokio::test]
async fn queue_counts_match_status() {
    let (_folder, store) = open_store().await;
    let mut effects = Effects::default();
    for name in ["a", "b", "c"] {
        effects
            .outbox
            .push(to_odoo(EventKind::ShipmentApply, "main", name));
    }
    effects.outbox.push(NewOutbox {
        envelope: envelope(EventKind::OrderRelease, "north", "d"),
        sink: "folder:north".to_owned(),
    });
    commit(&store, "main", effects).await;

    // Every odoo message retries once. Then one fails and two are delivered.
    deliver_all(&store, || DeliveryResult::Retry {
        error: "timed out".to_owned(),
        retry_at: Timestamp::now(),
    })
    .await;
    let claimed = store.claim_outbox("odoo", 10, "sink", LEASE).await.unwrap();
    for (index, message) in claimed.into_iter().enumerate() {
        let result = if index == 0 {
            DeliveryResult::Failed {
                error: "rejected".to_owned(),
                exception: exception(ExceptionKind::OdooRejected, "it", "main"),
            }
        } else {
            delivered()
        };
        let delivery = Delivery {
            message_id: message.envelope.id,
            owner: message.owner,
            attempt: message.attempt,
            started_at: Timestamp::now(),
            result,
            pickings: vec![],
            audit: vec![],
        };
        store.record_delivery(delivery).await.unwrap();
    }

    let dashboard = store.dashboard(Timestamp::now()).await.unwrap();
    let status = store.status().await.unwrap();
    let queues = &dashboard.queues;
    assert_eq!(queues.inbox, status.inbox);
    assert_eq!(queues.outbox, status.outbox);
    assert_eq!(queues.retries, status.retries);
    assert_eq!(queues.retries, 3);
    assert_eq!(queues.attempts, 6);
    assert_eq!(queues.dead_letters, 1);

    let sinks: Vec<&str> = queues.sinks.iter().map(|sink| sink.sink.as_str()).collect();
    assert_eq!(sinks, ["folder:north", "odoo"]);
    let odoo = &queues.sinks[1];
    assert_eq!(odoo.attempts, 6);
    assert_eq!(odoo.dead_letters, 1);
    assert_eq!(odoo.messages["delivered"], 2);
    assert_eq!(queues.sinks[0].messages["pending"], 1);

    let sites: Vec<&str> = queues.sites.iter().map(|site| site.site.as_str()).collect();
    assert_eq!(sites, ["main", "north"]);
    assert_eq!(queues.sites[0].inbox["picking_ready/handled"], 1);
    assert_eq!(queues.sites[0].outbox["shipment_apply/failed"], 1);
    assert_eq!(queues.sites[0].retries, 3);
    assert_eq!(queues.sites[0].sinks.len(), 1);
    assert_eq!(queues.sites[1].outbox["order_release/pending"], 1);
    assert_eq!(queues.sites[1].retries, 0);
}

#[tokio::test]
async fn latest_reconciliation_per_site() {
    let (_folder, store) = open_store().await;
    let at: Timestamp = "2026-03-01T06:00:00Z".parse().unwrap();
    let summary = ReconciliationSummary {
        site: "north".to_owned(),
        snapshot_ref: "snapshot.csv".to_owned(),
        snapshot_sha256: "ab".repeat(32),
        taken_at: at,
        odoo_read_at: at,
        finished_at: at,
        compared: 4,
        counts: BTreeMap::from([("match".to_owned(), 3), ("beyond_threshold".to_owned(), 1)]),
        applied: 0,
        exceptions: 1,
        apply: false,
        open_exceptions: 0,
    };
    let new = NewReconciliation {
        summary: summary.clone(),
        rows: vec![],
        outbox: vec![],
        exceptions: vec![],
        audit: vec![],
    };
    store.record_reconciliation(new).await.unwrap();

    let dashboard = store.dashboard(Timestamp::now()).await.unwrap();
    assert_eq!(dashboard.sites.len(), 1);
    assert_eq!(dashboard.sites[0].site, "north");
    assert_eq!(dashboard.sites[0].reconciliation, Some(summary));
}
