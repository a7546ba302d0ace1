use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use wharf_model::{Decimal, Envelope, EventKind, ExceptionKind, VarianceKind};
use wharf_store::{
    AuditEntry, Delivery, DeliveryResult, HandledOutcome, NewException, NewOutbox,
    NewReconciliation, OutboxState, ReconciliationSummary, Store, StoredOutbox, VarianceRecord,
};
use wharf_store_sqlite::SqliteStore;

use crate::{envelope, handled, ingest_keys, open_store, raw_sql, LONG_LEASE, READY};

const STOCK: [EventKind; 2] = [EventKind::InventoryApply, EventKind::ShipmentApply];

fn decimal(text: &str) -> Decimal {
    Decimal::from_str_exact(text).expect("test decimal")
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn summary(site: &str, snapshot: &str, finished_at: &str) -> ReconciliationSummary {
    ReconciliationSummary {
        site: site.to_owned(),
        snapshot_ref: snapshot.to_owned(),
        snapshot_sha256: "ab".repeat(32),
        taken_at: at("2026-03-01T06:00:00Z"),
        odoo_read_at: at("2026-03-01T06:05:00.123456Z"),
        finished_at: at(finished_at),
        compared: 12,
        counts: BTreeMap::from([("match".to_owned(), 9), ("beyond_threshold".to_owned(), 3)]),
        applied: 1,
        exceptions: 2,
        apply: true,
        open_exceptions: 0,
    }
}

fn row(location: &str, sku: &str, lot: Option<&str>, variance: &str) -> VarianceRecord {
    VarianceRecord {
        location: location.to_owned(),
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
        wms: decimal("7.50"),
        odoo: decimal("6.9166666666666666666666666667"),
        in_flight: decimal("0"),
        variance: decimal(variance),
        kind: VarianceKind::BeyondThreshold,
        action: "exception".to_owned(),
        detail: Some(format!("{location}/{sku} differs")),
    }
}

fn reconciliation(summary: ReconciliationSummary) -> NewReconciliation {
    NewReconciliation {
        summary,
        rows: Vec::new(),
        outbox: Vec::new(),
        exceptions: Vec::new(),
        audit: Vec::new(),
    }
}

/// Queues one outbox message per envelope through a handler commit, each
/// for its own sink `sink:<idempotency key>` so that a test can claim it alone.
async fn queue(store: &SqliteStore, messages: &[Envelope]) {
    ingest_keys(store, &["stock"]).await;
    let claimed = store
        .claim_inbox(&READY, 1, "handler", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    let mut result = handled(&claimed, HandledOutcome::Done);
    for message in messages {
        result.outbox.push(NewOutbox {
            envelope: message.clone(),
            sink: format!("sink:{}", message.idempotency_key),
        });
    }
    store.commit_handled(result).await.unwrap();
}

async fn claim(store: &SqliteStore, key: &str, lease: Duration) -> StoredOutbox {
    let mut claimed = store
        .claim_outbox(&format!("sink:{key}"), 1, "sink", lease)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "nothing to claim for {key}");
    claimed.remove(0)
}

async fn finish(store: &SqliteStore, claimed: &StoredOutbox, result: DeliveryResult) {
    let delivery = Delivery {
        message_id: claimed.envelope.id,
        owner: claimed.owner.clone(),
        attempt: claimed.attempt,
        started_at: Timestamp::now(),
        result,
        pickings: Vec::new(),
        audit: Vec::new(),
    };
    store.record_delivery(delivery).await.unwrap();
}

fn delivered() -> DeliveryResult {
    DeliveryResult::Delivered {
        detail: "applied".to_owned(),
    }
}

fn variance_exception(site: &str) -> NewException {
    NewException {
        kind: ExceptionKind::InventoryVariance,
        owner: "inventory_control".to_owned(),
        site: site.to_owned(),
        correlation_id: format!("reconcile:{site}"),
        message_id: None,
        detail: "SKU-1 at A-01 differs by 0.58 beyond the threshold 0.1".to_owned(),
    }
}

#[tokio::test]
async fn stock_messages_filter_by_state_and_time() {
    let (_folder, store) = open_store().await;
    let stock = |key: &str| envelope(EventKind::InventoryApply, "inv", key);
    let mut north = stock("north");
    north.site = "north".to_owned();
    let messages = vec![
        stock("pending"),
        stock("old"),
        stock("late"),
        envelope(EventKind::ShipmentApply, "ship", "recent"),
        stock("expired"),
        stock("claimed"),
        stock("failed"),
        north,
        envelope(EventKind::OrderRelease, "order", "release"),
    ];
    queue(&store, &messages).await;

    for key in ["old", "late", "recent"] {
        let claimed = claim(&store, key, LONG_LEASE).await;
        finish(&store, &claimed, delivered()).await;
    }
    let failed = claim(&store, "failed", LONG_LEASE).await;
    let exception = variance_exception("main");
    let error = "Odoo rejected the count".to_owned();
    finish(&store, &failed, DeliveryResult::Failed { error, exception }).await;
    claim(&store, "expired", Duration::from_millis(1)).await;
    claim(&store, "claimed", LONG_LEASE).await;
    tokio::time::sleep(Duration::from_millis(50)).await;

    // Fixed times around `since` = 900: `old` was created and delivered
    // before it, `late` was delivered after it and `recent` created after it.
    let times = [
        ("pending", 100, None),
        ("old", 200, Some(250)),
        ("late", 300, Some(1_100)),
        ("recent", 1_000, Some(1_200)),
        ("expired", 400, None),
        ("claimed", 500, None),
        ("failed", 600, None),
        ("north", 700, None),
        ("release", 800, None),
    ];
    for (key, created, delivered) in times {
        let delivered = delivered.map_or("delivered_at".to_owned(), |at: i64| at.to_string());
        let statement = format!(
            "UPDATE outbox SET created_at = {created}, delivered_at = {delivered} \
             WHERE idempotency_key = '{key}'"
        );
        raw_sql(&store, &statement).await;
    }

    let since = Timestamp::from_microsecond(900).unwrap();
    let found = store.stock_messages("main", &STOCK, since).await.unwrap();

    let listed: Vec<(&str, OutboxState)> = found
        .iter()
        .map(|message| (message.envelope.idempotency_key.as_str(), message.state))
        .collect();
    assert_eq!(
        listed,
        [
            ("pending", OutboxState::Pending),
            ("late", OutboxState::Delivered),
            ("expired", OutboxState::Pending),
            ("claimed", OutboxState::InFlight),
            ("failed", OutboxState::Failed),
            ("recent", OutboxState::Delivered),
        ]
    );
    assert_eq!(found[0].envelope, messages[0]);
    assert_eq!(
        found[1].created_at,
        Timestamp::from_microsecond(300).unwrap()
    );
    assert_eq!(
        found[1].delivered_at,
        Some(Timestamp::from_microsecond(1_100).unwrap())
    );
    assert_eq!(found[0].delivered_at, None);
    assert!(store
        .stock_messages("main", &[], since)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn record_reads_back_exact_rows() {
    let (_folder, store) = open_store().await;
    let mut new = reconciliation(summary("main", "balances-0301.csv", "2026-03-01T06:10:00Z"));
    new.rows = vec![
        row("B-02", "SKU-1", None, "0.5833333333333333333333333333"),
        row("A-01", "SKU-2", Some("L2"), "-1.50"),
        row("A-01", "SKU-2", None, "3"),
        row("A-01", "SKU-1", Some("L1"), "0.000001"),
    ];
    new.rows[2].detail = None;
    new.rows[2].action = "deferred".to_owned();
    new.rows[2].kind = VarianceKind::Unsettled;
    new.exceptions.push(variance_exception("main"));

    let id = store.record_reconciliation(new.clone()).await.unwrap();
    assert!(id > 0);

    let latest = store.last_reconciliations().await.unwrap();
    let mut expected_summary = new.summary.clone();
    expected_summary.open_exceptions = 1;
    assert_eq!(latest, [expected_summary]);
    let rows = store.last_variances("main").await.unwrap();
    let expected = [&new.rows[3], &new.rows[2], &new.rows[1], &new.rows[0]];
    assert_eq!(rows.iter().collect::<Vec<_>>(), expected);
    let texts: Vec<String> = rows.iter().map(|row| row.variance.to_string()).collect();
    assert_eq!(
        texts,
        ["0.000001", "3", "-1.50", "0.5833333333333333333333333333"]
    );
    assert_eq!(rows[0].odoo.to_string(), "6.9166666666666666666666666667");

    let exceptions = store.exceptions(false).await.unwrap();
    assert_eq!(exceptions.len(), 1);
    assert_eq!(exceptions[0].kind, ExceptionKind::InventoryVariance);
    assert!(store.last_variances("north").await.unwrap().is_empty());
}

#[tokio::test]
async fn record_queues_claimable_adjustments() {
    let (_folder, store) = open_store().await;
    let adjustment = envelope(EventKind::InventoryApply, "reconcile:main", "count:1");
    let mut new = reconciliation(summary("main", "balances.csv", "2026-03-01T06:10:00Z"));
    new.outbox.push(NewOutbox {
        envelope: adjustment.clone(),
        sink: "odoo".to_owned(),
    });
    store.record_reconciliation(new).await.unwrap();

    let since = Timestamp::now();
    let listed = store.stock_messages("main", &STOCK, since).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, OutboxState::Pending);

    let claimed = store
        .claim_outbox("odoo", 10, "sink", LONG_LEASE)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].envelope, adjustment);
    finish(&store, &claimed[0], delivered()).await;
    let status = store.status().await.unwrap();
    assert_eq!(status.outbox.get("inventory_apply/delivered"), Some(&1));
}

#[tokio::test]
async fn record_extends_audit_chain() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["reconcile:main"]).await;
    for snapshot in ["first.csv", "second.csv"] {
        let mut new = reconciliation(summary("main", snapshot, "2026-03-01T06:10:00Z"));
        for stream in ["reconcile:main", "system"] {
            new.audit.push(AuditEntry {
                stream: stream.to_owned(),
                action: "reconciled".to_owned(),
                message_id: None,
                detail: format!("snapshot {snapshot}"),
            });
        }
        store.record_reconciliation(new).await.unwrap();
    }

    let trail = store.trace("reconcile:main").await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|row| row.action.as_str()).collect();
    assert_eq!(actions, ["received", "reconciled", "reconciled"]);
    assert_eq!(store.trace("system").await.unwrap().len(), 2);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn latest_run_of_each_site() {
    let (_folder, store) = open_store().await;
    let runs = [
        ("main", "main-1", "2026-03-01T10:00:00Z"),
        ("main", "main-2", "2026-03-01T11:00:00Z"),
        // Recorded last but finished earlier, so not the latest of north.
        ("north", "north-1", "2026-03-01T12:00:00Z"),
        ("north", "north-2", "2026-03-01T09:00:00Z"),
        // Same end time: the greater id wins.
        ("east", "east-1", "2026-03-01T08:00:00Z"),
        ("east", "east-2", "2026-03-01T08:00:00Z"),
    ];
    for (site, snapshot, finished) in runs {
        let mut new = reconciliation(summary(site, snapshot, finished));
        new.rows.push(row("A-01", snapshot, None, "1"));
        store.record_reconciliation(new).await.unwrap();
    }

    let latest = store.last_reconciliations().await.unwrap();
    let snapshots: Vec<(&str, &str)> = latest
        .iter()
        .map(|run| (run.site.as_str(), run.snapshot_ref.as_str()))
        .collect();
    assert_eq!(
        snapshots,
        [("east", "east-2"), ("main", "main-2"), ("north", "north-1")]
    );
    let north_rows = store.last_variances("north").await.unwrap();
    assert_eq!(north_rows.len(), 1);
    assert_eq!(north_rows[0].sku, "north-1");

    let status = store.status().await.unwrap();
    assert_eq!(status.reconciliations, latest);
}

#[tokio::test]
async fn failed_record_leaves_nothing() {
    let (_folder, store) = open_store().await;
    let mut new = reconciliation(summary("main", "balances.csv", "2026-03-01T06:10:00Z"));
    new.rows.push(row("A-01", "SKU-1", None, "1"));
    new.rows[0].action = "adjusted".to_owned();
    new.outbox.push(NewOutbox {
        envelope: envelope(EventKind::InventoryApply, "reconcile:main", "count:1"),
        sink: "odoo".to_owned(),
    });
    new.exceptions.push(variance_exception("main"));

    let result = store.record_reconciliation(new).await;

    assert!(result.is_err(), "unknown action accepted: {result:?}");
    assert!(store.last_reconciliations().await.unwrap().is_empty());
    assert!(store.exceptions(true).await.unwrap().is_empty());
    let pending = store
        .claim_outbox("odoo", 10, "sink", LONG_LEASE)
        .await
        .unwrap();
    assert!(pending.is_empty());
}

#[tokio::test]
async fn raised_exception_is_open_and_audited() {
    let (_folder, store) = open_store().await;
    let exception = NewException {
        kind: ExceptionKind::ParseError,
        owner: "warehouse".to_owned(),
        site: "main".to_owned(),
        correlation_id: "file:SNAP-7.csv".to_owned(),
        message_id: None,
        detail: "snapshot SNAP-7.csv has no taken_at".to_owned(),
    };
    let audit = AuditEntry {
        stream: "file:SNAP-7.csv".to_owned(),
        action: "exception".to_owned(),
        message_id: None,
        detail: "rejected".to_owned(),
    };

    store.raise_exception(exception, audit).await.unwrap();

    let open = store.exceptions(false).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].kind, ExceptionKind::ParseError);
    assert_eq!(open[0].correlation_id, "file:SNAP-7.csv");
    assert_eq!(store.trace("file:SNAP-7.csv").await.unwrap().len(), 1);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn latest_run_counts_open_inventory_exceptions() {
    let (_folder, store) = open_store().await;
    let mut new = reconciliation(summary("main", "first.csv", "2026-03-01T06:10:00Z"));
    new.exceptions.push(variance_exception("main"));
    new.exceptions.push(variance_exception("east"));
    store.record_reconciliation(new).await.unwrap();

    let latest = store.last_reconciliations().await.unwrap();

    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].open_exceptions, 1);
}
