use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use wharf_model::{CorrelationId, Envelope, EventKind, ExceptionKind, MessageId};
use wharf_store::{
    AuditEntry, Delivery, DeliveryResult, Handled, HandledOutcome, Ingest, NewException, NewOutbox,
    Store, StoredInbox,
};
use wharf_store_sqlite::{RetentionCutoffs, SqliteStore};

use crate::{in_one_hour, open_store, raw_pool, raw_sql};

const LEASE: Duration = Duration::from_secs(600);
const SINK: &str = "folder:main";

fn envelope(key: &str) -> Envelope {
    Envelope {
        id: MessageId::new(),
        kind: EventKind::PickingReady,
        site: "main".to_owned(),
        correlation_id: CorrelationId(key.to_owned()),
        idempotency_key: key.to_owned(),
        source: "odoo".to_owned(),
        payload: json!({ "key": key }),
    }
}

fn handled(claimed: &StoredInbox, outbox: Vec<NewOutbox>) -> Handled {
    Handled {
        message_id: claimed.envelope.id,
        owner: claimed.owner.clone(),
        attempt: claimed.attempt,
        outcome: HandledOutcome::Done,
        outbox,
        exceptions: Vec::new(),
        pickings: Vec::new(),
        audit: Vec::new(),
        resolved: Vec::new(),
    }
}

/// Returns the first column of every row a query returns, as text.
async fn column(store: &SqliteStore, query: &str) -> Vec<String> {
    let pool = raw_pool(store).await;
    let values = sqlx::query_scalar(query)
        .fetch_all(&pool)
        .await
        .expect("raw query");
    pool.close().await;
    values
}

/// Leaves inbox `a` handled with no outbox message, `b` handled with one
/// delivered and one in-flight outbox message, `c` claimed and `d` pending.
async fn messages_in_every_state(store: &SqliteStore) {
    let messages = ["a", "b", "c", "d"].map(envelope).to_vec();
    let ingest = Ingest {
        source: "odoo:main".to_owned(),
        cursor: None,
        messages,
    };
    store.ingest(ingest).await.unwrap();
    let claimed = store
        .claim_inbox(&[EventKind::PickingReady], 3, "w", LEASE)
        .await
        .unwrap();
    store
        .commit_handled(handled(&claimed[0], Vec::new()))
        .await
        .unwrap();
    let outbox = ["b-1", "b-2"]
        .map(|key| NewOutbox {
            envelope: envelope(key),
            sink: SINK.to_owned(),
        })
        .to_vec();
    store
        .commit_handled(handled(&claimed[1], outbox))
        .await
        .unwrap();

    let sent = store.claim_outbox(SINK, 2, "w", LEASE).await.unwrap();
    let delivery = Delivery {
        message_id: sent[0].envelope.id,
        owner: sent[0].owner.clone(),
        attempt: sent[0].attempt,
        started_at: Timestamp::now(),
        result: DeliveryResult::Delivered {
            detail: "written".to_owned(),
        },
        pickings: Vec::new(),
        audit: Vec::new(),
    };
    store.record_delivery(delivery).await.unwrap();
}

#[tokio::test]
async fn purge_keeps_unfinished_messages() {
    let (_folder, store) = open_store().await;
    messages_in_every_state(&store).await;
    let cutoffs = RetentionCutoffs {
        messages: Some(in_one_hour()),
        ..RetentionCutoffs::default()
    };

    let report = store.purge(&cutoffs, false).await.unwrap();

    assert_eq!(report.inbox_messages, 1);
    assert_eq!(report.outbox_messages, 1);
    assert_eq!(report.attempts, 1);
    let inbox = column(
        &store,
        "SELECT idempotency_key || ':' || state FROM inbox ORDER BY 1",
    )
    .await;
    assert_eq!(inbox, ["b:handled", "c:claimed", "d:pending"]);
    let outbox = column(&store, "SELECT idempotency_key || ':' || state FROM outbox").await;
    assert_eq!(outbox, ["b-2:in_flight"]);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn past_cutoff_keeps_messages() {
    let (_folder, store) = open_store().await;
    messages_in_every_state(&store).await;
    let cutoffs = RetentionCutoffs {
        messages: Some(Timestamp::UNIX_EPOCH),
        ..RetentionCutoffs::default()
    };

    let report = store.purge(&cutoffs, false).await.unwrap();

    assert_eq!(report.inbox_messages + report.outbox_messages, 0);
    assert_eq!(column(&store, "SELECT id FROM inbox").await.len(), 4);
}

#[tokio::test]
async fn purge_keeps_open_exceptions() {
    let (_folder, store) = open_store().await;
    for key in ["open", "resolved"] {
        let exception = NewException {
            kind: ExceptionKind::HeldOrder,
            owner: "customer_service".to_owned(),
            site: "main".to_owned(),
            correlation_id: key.to_owned(),
            message_id: None,
            detail: "held".to_owned(),
        };
        let audit = AuditEntry {
            stream: key.to_owned(),
            action: "exception".to_owned(),
            message_id: None,
            detail: "held".to_owned(),
        };
        store.raise_exception(exception, audit).await.unwrap();
    }
    raw_sql(
        &store,
        "UPDATE exceptions SET state = 'resolved', resolved_at = 1 WHERE correlation_id = 'resolved'",
    )
    .await;
    let cutoffs = RetentionCutoffs {
        exceptions: Some(in_one_hour()),
        ..RetentionCutoffs::default()
    };

    let report = store.purge(&cutoffs, false).await.unwrap();

    assert_eq!(report.exceptions, 1);
    let left = column(&store, "SELECT correlation_id FROM exceptions").await;
    assert_eq!(left, ["open"]);
}

#[tokio::test]
async fn purge_keeps_latest_reconciliation() {
    let (_folder, store) = open_store().await;
    for (id, site, finished_at) in [
        (1, "main", 1),
        (2, "main", 2),
        (3, "main", 3),
        (4, "other", 1),
    ] {
        raw_sql(
            &store,
            &format!(
                "INSERT INTO reconciliations (id, site, snapshot_ref, snapshot_sha256, taken_at, \
                 odoo_read_at, finished_at, compared, counts, applied, exceptions, apply) \
                 VALUES ({id}, '{site}', 'SNAP', '', 0, 0, {finished_at}, 0, '{{}}', 0, 0, 0)"
            ),
        )
        .await;
    }
    raw_sql(
        &store,
        "INSERT INTO variance_rows (reconciliation_id, location, sku, wms, odoo, in_flight, \
         variance, kind, action) VALUES (1, 'A', 'SKU', '1', '0', '0', '1', 'missing', 'none')",
    )
    .await;
    let cutoffs = RetentionCutoffs {
        reconciliations: Some(Timestamp::from_microsecond(10).unwrap()),
        ..RetentionCutoffs::default()
    };

    let report = store.purge(&cutoffs, false).await.unwrap();

    assert_eq!(report.reconciliations, 2);
    assert_eq!(report.variance_rows, 1);
    let left = column(
        &store,
        "SELECT site || ':' || id FROM reconciliations ORDER BY id",
    )
    .await;
    assert_eq!(left, ["main:3", "other:4"]);
}
