use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;
use wharf_model::{EventKind, ExceptionKind, PickingState};
use wharf_store::{
    AuditEntry, HandledOutcome, NewException, NewOutbox, PickingUpdate, Store, StoreError,
};

use crate::{envelope, handled, ingest_keys, ingest_of, open_store, LONG_LEASE, READY};

fn picking(id: i64, name: &str, state: PickingState) -> PickingUpdate {
    PickingUpdate {
        picking_id: id,
        picking_name: name.to_owned(),
        site: "main".to_owned(),
        state,
        release: None,
        backorder: None,
        tracking: None,
    }
}

#[tokio::test]
async fn claim_oldest_first_with_limit() {
    let (_folder, store) = open_store().await;
    let first = ingest_keys(&store, &["a", "b"]).await;
    let later = ingest_keys(&store, &["c"]).await;

    let claimed = store
        .claim_inbox(&READY, 2, "worker-1", LONG_LEASE)
        .await
        .unwrap();
    let ids: Vec<_> = claimed.iter().map(|message| message.envelope.id).collect();
    assert_eq!(ids, vec![first[0].id, first[1].id]);
    assert!(claimed
        .iter()
        .all(|message| message.attempt == 1 && message.owner == "worker-1"));

    let rest = store
        .claim_inbox(&READY, 10, "worker-2", LONG_LEASE)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].envelope.id, later[0].id);
}

#[tokio::test]
async fn claim_filters_by_kind() {
    let (_folder, store) = open_store().await;
    let confirmation = envelope(EventKind::ShipmentConfirmed, "WH/OUT/1", "file:1");
    store
        .ingest(ingest_of(vec![confirmation.clone()], None))
        .await
        .unwrap();

    assert!(store
        .claim_inbox(&READY, 10, "w", LONG_LEASE)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_inbox(&[], 10, "w", LONG_LEASE)
        .await
        .unwrap()
        .is_empty());
    let claimed = store
        .claim_inbox(&[EventKind::ShipmentConfirmed], 10, "w", LONG_LEASE)
        .await
        .unwrap();
    assert_eq!(claimed[0].envelope, confirmation);
}

#[tokio::test]
async fn live_lease_blocks_second_claim() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["a"]).await;

    store
        .claim_inbox(&READY, 10, "worker-1", LONG_LEASE)
        .await
        .unwrap();
    let second = store
        .claim_inbox(&READY, 10, "worker-2", LONG_LEASE)
        .await
        .unwrap();

    assert!(second.is_empty());
}

#[tokio::test]
async fn expired_lease_is_claimed_again() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["a"]).await;

    let first = store
        .claim_inbox(&READY, 10, "worker-1", Duration::from_millis(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = store
        .claim_inbox(&READY, 10, "worker-2", LONG_LEASE)
        .await
        .unwrap();

    assert_eq!(second.len(), 1);
    assert_eq!(second[0].envelope.id, first[0].envelope.id);
    assert_eq!(first[0].attempt, 1);
    assert_eq!(second[0].attempt, 2);
    assert_eq!(second[0].owner, "worker-2");
}

#[tokio::test]
async fn stale_owner_gets_lease_lost() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["a"]).await;
    let stale = store
        .claim_inbox(&READY, 1, "worker-1", Duration::ZERO)
        .await
        .unwrap()
        .remove(0);
    let fresh = store
        .claim_inbox(&READY, 1, "worker-2", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);

    let error = store
        .commit_handled(handled(&stale, HandledOutcome::Done))
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::LeaseLost { message_id, attempt: 2 } if message_id == stale.envelope.id),
        "{error:?}"
    );

    store
        .commit_handled(handled(&fresh, HandledOutcome::Done))
        .await
        .unwrap();
    let again = store
        .commit_handled(handled(&fresh, HandledOutcome::Done))
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::LeaseLost { .. }), "{again:?}");
    assert!(store
        .claim_inbox(&READY, 10, "worker-3", Duration::ZERO)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn commit_of_unknown_message_is_not_found() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["a"]).await;
    let mut claimed = store
        .claim_inbox(&READY, 1, "w", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    claimed.envelope.id = wharf_model::MessageId::new();

    let error = store
        .commit_handled(handled(&claimed, HandledOutcome::Done))
        .await
        .unwrap_err();

    assert!(
        matches!(error, StoreError::NotFound(id) if id == claimed.envelope.id),
        "{error:?}"
    );
}

#[tokio::test]
async fn commit_writes_every_part() {
    let (_folder, store) = open_store().await;
    let message = ingest_keys(&store, &["WH/OUT/1"]).await.remove(0);
    let claimed = store
        .claim_inbox(&READY, 1, "w", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    let release = envelope(EventKind::OrderRelease, "WH/OUT/1", "file:main:1");

    let mut result = handled(&claimed, HandledOutcome::Done);
    result.outbox.push(NewOutbox {
        envelope: release.clone(),
        sink: "folder:main".to_owned(),
    });
    result.pickings.push(PickingUpdate {
        release: Some(json!({ "picking_id": 1 })),
        ..picking(1, "WH/OUT/1", PickingState::Released)
    });
    result.audit.push(AuditEntry {
        stream: "WH/OUT/1".to_owned(),
        action: "transformed".to_owned(),
        message_id: Some(message.id),
        detail: "order file queued".to_owned(),
    });
    store.commit_handled(result).await.unwrap();

    assert!(store.has_key(&release.idempotency_key).await.unwrap());
    assert_eq!(store.message(release.id).await.unwrap(), Some(release));
    let record = store.picking(1).await.unwrap().unwrap();
    assert_eq!(record.state, PickingState::Released);
    assert_eq!(record.release, Some(json!({ "picking_id": 1 })));
    let status = store.status().await.unwrap();
    assert_eq!(status.inbox.get("picking_ready/handled"), Some(&1));
    assert_eq!(status.outbox.get("order_release/pending"), Some(&1));
    let actions: Vec<String> = store
        .trace("WH/OUT/1")
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect();
    assert_eq!(actions, ["received", "transformed"]);
}

#[tokio::test]
async fn picking_update_keeps_unset_fields() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["a", "b"]).await;
    let claimed = store.claim_inbox(&READY, 2, "w", LONG_LEASE).await.unwrap();

    let mut first = handled(&claimed[0], HandledOutcome::Done);
    first.pickings.push(PickingUpdate {
        release: Some(json!({ "lines": 2 })),
        tracking: Some("1Z999".to_owned()),
        ..picking(1, "WH/OUT/1", PickingState::Released)
    });
    store.commit_handled(first).await.unwrap();
    let mut second = handled(&claimed[1], HandledOutcome::Done);
    second.pickings.push(PickingUpdate {
        backorder: Some("WH/OUT/9".to_owned()),
        ..picking(1, "WH/OUT/1", PickingState::Backordered)
    });
    store.commit_handled(second).await.unwrap();

    let record = store.picking_by_name("WH/OUT/1").await.unwrap().unwrap();
    assert_eq!(record.state, PickingState::Backordered);
    assert_eq!(record.release, Some(json!({ "lines": 2 })));
    assert_eq!(record.tracking.as_deref(), Some("1Z999"));
    assert_eq!(record.backorder.as_deref(), Some("WH/OUT/9"));
    assert!(store.picking(2).await.unwrap().is_none());
}

#[tokio::test]
async fn failed_commit_writes_nothing() {
    let (_folder, store) = open_store().await;
    let messages = ingest_keys(&store, &["a", "b"]).await;
    let claimed = store.claim_inbox(&READY, 2, "w", LONG_LEASE).await.unwrap();
    let mut first = handled(&claimed[0], HandledOutcome::Done);
    first
        .pickings
        .push(picking(1, "WH/OUT/1", PickingState::Released));
    store.commit_handled(first).await.unwrap();

    // Picking 2 under picking 1's name violates the unique picking name.
    let release = envelope(EventKind::OrderRelease, "b", "file:main:b");
    let mut second = handled(&claimed[1], HandledOutcome::Exception);
    second.outbox.push(NewOutbox {
        envelope: release.clone(),
        sink: "folder:main".to_owned(),
    });
    second.exceptions.push(NewException {
        kind: ExceptionKind::HeldOrder,
        owner: "customer_service".to_owned(),
        site: "main".to_owned(),
        correlation_id: "b".to_owned(),
        message_id: Some(messages[1].id),
        detail: "credit hold".to_owned(),
    });
    second.audit.push(AuditEntry {
        stream: "b".to_owned(),
        action: "exception".to_owned(),
        message_id: Some(messages[1].id),
        detail: "credit hold".to_owned(),
    });
    second
        .pickings
        .push(picking(2, "WH/OUT/1", PickingState::Held));
    let error = store.commit_handled(second.clone()).await.unwrap_err();

    assert!(matches!(error, StoreError::Corrupt(_)), "{error:?}");
    assert_eq!(store.message(release.id).await.unwrap(), None);
    assert!(store.exceptions(true).await.unwrap().is_empty());
    assert_eq!(store.trace("b").await.unwrap().len(), 1);
    assert!(store.picking(2).await.unwrap().is_none());
    let status = store.status().await.unwrap();
    assert_eq!(status.inbox.get("picking_ready/claimed"), Some(&1));
    assert!(status.outbox.is_empty());

    // The claim survives the failure, so a corrected result commits.
    second.pickings[0].picking_name = "WH/OUT/2".to_owned();
    store.commit_handled(second).await.unwrap();
    assert_eq!(store.exceptions(false).await.unwrap().len(), 1);
}

#[tokio::test]
async fn duplicate_outcome_is_recorded() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["a"]).await;
    let claimed = store
        .claim_inbox(&READY, 1, "w", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);

    store
        .commit_handled(handled(&claimed, HandledOutcome::Duplicate))
        .await
        .unwrap();

    let status = store.status().await.unwrap();
    assert_eq!(status.inbox.get("picking_ready/duplicate"), Some(&1));
    assert_eq!(status.duplicates, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_never_overlap() {
    let (_folder, store) = open_store().await;
    let keys: Vec<String> = (0..200).map(|n| format!("picking:{n}")).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let messages = ingest_keys(&store, &key_refs).await;

    let mut workers = Vec::new();
    for worker in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let owner = format!("worker-{worker}");
            let mut claimed = Vec::new();
            loop {
                let batch = store
                    .claim_inbox(&READY, 7, &owner, LONG_LEASE)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return claimed;
                }
                claimed.extend(batch.into_iter().map(|message| message.envelope.id));
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }

    let distinct: HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), messages.len());
    assert_eq!(
        distinct,
        messages.iter().map(|message| message.id).collect()
    );
}
