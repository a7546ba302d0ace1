use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use wharf_model::{Envelope, EventKind, ExceptionKind, MessageId, PickingState};
use wharf_store::{
    AuditEntry, Delivery, DeliveryResult, HandledOutcome, NewException, NewOutbox, PickingUpdate,
    Store, StoreError, StoredOutbox,
};
use wharf_store_sqlite::SqliteStore;

use crate::{envelope, handled, ingest_keys, open_store, LONG_LEASE, READY};

/// Ingests and handles one message per key, each producing one
/// `shipment_apply` message for the `odoo` sink.
async fn queue_outbox(store: &SqliteStore, keys: &[&str]) -> Vec<Envelope> {
    ingest_keys(store, keys).await;
    let mut queued = Vec::new();
    for claimed in store
        .claim_inbox(&READY, 100, "handler", LONG_LEASE)
        .await
        .unwrap()
    {
        let key = claimed.envelope.idempotency_key.clone();
        let outbox = envelope(EventKind::ShipmentApply, &key, &format!("apply:{key}"));
        let mut result = handled(&claimed, HandledOutcome::Done);
        result.outbox.push(NewOutbox {
            envelope: outbox.clone(),
            sink: "odoo".to_owned(),
        });
        store.commit_handled(result).await.unwrap();
        queued.push(outbox);
    }
    queued
}

fn delivery(claimed: &StoredOutbox, result: DeliveryResult) -> Delivery {
    Delivery {
        message_id: claimed.envelope.id,
        owner: claimed.owner.clone(),
        attempt: claimed.attempt,
        started_at: Timestamp::now(),
        result,
        pickings: Vec::new(),
        audit: Vec::new(),
    }
}

fn rejected(message_id: MessageId) -> NewException {
    NewException {
        kind: ExceptionKind::OdooRejected,
        owner: "customer_service".to_owned(),
        site: "main".to_owned(),
        correlation_id: "a".to_owned(),
        message_id: Some(message_id),
        detail: "Odoo rejected the lot".to_owned(),
    }
}

#[tokio::test]
async fn claim_outbox_by_sink() {
    let (_folder, store) = open_store().await;
    let queued = queue_outbox(&store, &["a", "b"]).await;

    assert!(store
        .claim_outbox("folder:main", 10, "sink", LONG_LEASE)
        .await
        .unwrap()
        .is_empty());
    let claimed = store
        .claim_outbox("odoo", 10, "sink", LONG_LEASE)
        .await
        .unwrap();

    let ids: Vec<_> = claimed.iter().map(|message| message.envelope.id).collect();
    assert_eq!(ids, vec![queued[0].id, queued[1].id]);
    assert!(claimed
        .iter()
        .all(|message| message.attempt == 1 && message.sink == "odoo"));
    assert_eq!(claimed[0].envelope, queued[0]);
    assert!(store
        .claim_outbox("odoo", 10, "other", LONG_LEASE)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn delivered_message_is_done() {
    let (_folder, store) = open_store().await;
    queue_outbox(&store, &["a"]).await;
    let claimed = store
        .claim_outbox("odoo", 1, "sink", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);

    let mut record = delivery(
        &claimed,
        DeliveryResult::Delivered {
            detail: "validated".to_owned(),
        },
    );
    record.pickings.push(PickingUpdate {
        picking_id: 1,
        picking_name: "a".to_owned(),
        site: "main".to_owned(),
        state: PickingState::Shipped,
        release: None,
        backorder: None,
        tracking: Some("1Z1".to_owned()),
    });
    record.audit.push(AuditEntry {
        stream: "a".to_owned(),
        action: "delivered".to_owned(),
        message_id: Some(claimed.envelope.id),
        detail: "validated".to_owned(),
    });
    store.record_delivery(record).await.unwrap();

    let status = store.status().await.unwrap();
    assert_eq!(status.outbox.get("shipment_apply/delivered"), Some(&1));
    assert_eq!(status.pickings.get("shipped"), Some(&1));
    assert_eq!(status.retries, 0);
    assert_eq!(store.next_due("odoo").await.unwrap(), None);
    assert_eq!(
        store.trace("a").await.unwrap().last().unwrap().action,
        "delivered"
    );
    assert!(store
        .claim_outbox("odoo", 10, "sink", Duration::ZERO)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn retry_waits_until_retry_at() {
    let (_folder, store) = open_store().await;
    queue_outbox(&store, &["a"]).await;
    let first = store
        .claim_outbox("odoo", 1, "sink", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    // The store keeps microseconds, so the test's time carries no more.
    let later = Timestamp::now() + SignedDuration::from_secs(3_600);
    let retry_at = Timestamp::from_microsecond(later.as_microsecond()).unwrap();

    let retry = DeliveryResult::Retry {
        error: "Odoo timed out".to_owned(),
        retry_at,
    };
    store
        .record_delivery(delivery(&first, retry))
        .await
        .unwrap();

    assert!(store
        .claim_outbox("odoo", 10, "sink", LONG_LEASE)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.next_due("odoo").await.unwrap(), Some(retry_at));
    let status = store.status().await.unwrap();
    assert_eq!(status.outbox.get("shipment_apply/pending"), Some(&1));
    assert_eq!(status.retries, 1);
}

#[tokio::test]
async fn due_retry_is_claimed_with_next_attempt() {
    let (_folder, store) = open_store().await;
    queue_outbox(&store, &["a"]).await;
    let first = store
        .claim_outbox("odoo", 1, "sink-1", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    let retry_at = Timestamp::now() - SignedDuration::from_secs(1);
    let retry = DeliveryResult::Retry {
        error: "connection reset".to_owned(),
        retry_at,
    };
    store
        .record_delivery(delivery(&first, retry))
        .await
        .unwrap();

    let second = store
        .claim_outbox("odoo", 1, "sink-2", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(second.attempt, 2);
    assert_eq!(second.owner, "sink-2");

    let late = DeliveryResult::Delivered {
        detail: "late".to_owned(),
    };
    let error = store
        .record_delivery(delivery(&first, late))
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::LeaseLost { attempt: 2, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn expired_delivery_lease_is_claimed_again() {
    let (_folder, store) = open_store().await;
    queue_outbox(&store, &["a"]).await;
    let first = store
        .claim_outbox("odoo", 1, "sink-1", Duration::ZERO)
        .await
        .unwrap()
        .remove(0);
    assert!(store.next_due("odoo").await.unwrap().is_some());

    let second = store
        .claim_outbox("odoo", 1, "sink-2", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);

    assert_eq!(second.envelope.id, first.envelope.id);
    assert_eq!(second.attempt, 2);
}

#[tokio::test]
async fn failed_delivery_opens_exception() {
    let (_folder, store) = open_store().await;
    queue_outbox(&store, &["a"]).await;
    let claimed = store
        .claim_outbox("odoo", 1, "sink", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);

    let failed = DeliveryResult::Failed {
        error: "ValidationError: lot missing".to_owned(),
        exception: rejected(claimed.envelope.id),
    };
    store
        .record_delivery(delivery(&claimed, failed))
        .await
        .unwrap();

    let exceptions = store.exceptions(false).await.unwrap();
    assert_eq!(exceptions.len(), 1);
    assert_eq!(exceptions[0].kind, ExceptionKind::OdooRejected);
    assert_eq!(exceptions[0].message_id, Some(claimed.envelope.id));
    assert_eq!(exceptions[0].state, "open");
    let status = store.status().await.unwrap();
    assert_eq!(status.outbox.get("shipment_apply/failed"), Some(&1));
    assert_eq!(status.open_exceptions.get("odoo_rejected"), Some(&1));
    assert_eq!(status.oldest_open_exception.unwrap().id, exceptions[0].id);
    assert!(store
        .claim_outbox("odoo", 10, "sink", Duration::ZERO)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn delivery_of_unknown_message_is_not_found() {
    let (_folder, store) = open_store().await;
    queue_outbox(&store, &["a"]).await;
    let mut claimed = store
        .claim_outbox("odoo", 1, "sink", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    claimed.envelope.id = MessageId::new();

    let result = DeliveryResult::Delivered {
        detail: String::new(),
    };
    let error = store
        .record_delivery(delivery(&claimed, result))
        .await
        .unwrap_err();

    assert!(matches!(error, StoreError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn status_counts_every_table() {
    let (_folder, store) = open_store().await;
    queue_outbox(&store, &["a", "b", "c"]).await;
    ingest_keys(&store, &["d"]).await;
    let claimed = store
        .claim_outbox("odoo", 3, "sink", LONG_LEASE)
        .await
        .unwrap();
    let retry_at = Timestamp::now();
    let retry = DeliveryResult::Retry {
        error: "busy".to_owned(),
        retry_at,
    };
    store
        .record_delivery(delivery(&claimed[0], retry))
        .await
        .unwrap();
    let failed = DeliveryResult::Failed {
        error: "rejected".to_owned(),
        exception: rejected(claimed[1].envelope.id),
    };
    store
        .record_delivery(delivery(&claimed[1], failed))
        .await
        .unwrap();

    let status = store.status().await.unwrap();

    assert_eq!(status.inbox.get("picking_ready/handled"), Some(&3));
    assert_eq!(status.inbox.get("picking_ready/pending"), Some(&1));
    assert_eq!(status.outbox.get("shipment_apply/pending"), Some(&1));
    assert_eq!(status.outbox.get("shipment_apply/failed"), Some(&1));
    assert_eq!(status.outbox.get("shipment_apply/in_flight"), Some(&1));
    assert_eq!(status.open_exceptions.get("odoo_rejected"), Some(&1));
    assert_eq!(status.retries, 1);
    assert_eq!(status.duplicates, 0);
    assert!(status.pickings.is_empty());
}
