use wharf_model::EventKind;
use wharf_store::{Store, StoreError};

use crate::{envelope, ingest_keys, ingest_of, open_store};

#[tokio::test]
async fn ingest_stores_messages_and_cursor() {
    let (_folder, store) = open_store().await;
    let first = envelope(EventKind::PickingReady, "WH/OUT/1", "picking:1");
    let second = envelope(EventKind::PickingReady, "WH/OUT/2", "picking:2");

    let outcome = store
        .ingest(ingest_of(
            vec![first.clone(), second.clone()],
            Some("2026-01-01 00:00:00"),
        ))
        .await
        .unwrap();

    assert_eq!(outcome.inserted, vec![first.id, second.id]);
    assert!(outcome.duplicates.is_empty());
    assert_eq!(
        store.cursor("odoo:main").await.unwrap().as_deref(),
        Some("2026-01-01 00:00:00")
    );
    assert_eq!(store.message(first.id).await.unwrap(), Some(first));
    assert!(store.has_key("picking:2").await.unwrap());
    assert!(!store.has_key("picking:3").await.unwrap());
}

#[tokio::test]
async fn cursor_none_keeps_stored_cursor() {
    let (_folder, store) = open_store().await;
    assert_eq!(store.cursor("odoo:main").await.unwrap(), None);

    store
        .ingest(ingest_of(Vec::new(), Some("7")))
        .await
        .unwrap();
    store.ingest(ingest_of(Vec::new(), None)).await.unwrap();

    assert_eq!(
        store.cursor("odoo:main").await.unwrap().as_deref(),
        Some("7")
    );
}

#[tokio::test]
async fn failed_ingest_leaves_messages_and_cursor() {
    let (_folder, store) = open_store().await;
    let stored = envelope(EventKind::PickingReady, "WH/OUT/1", "picking:1");
    store
        .ingest(ingest_of(vec![stored.clone()], Some("1")))
        .await
        .unwrap();

    // The same id under another key cannot be stored, so the batch fails.
    let fresh = envelope(EventKind::PickingReady, "WH/OUT/2", "picking:2");
    let mut clash = envelope(EventKind::PickingReady, "WH/OUT/3", "picking:3");
    clash.id = stored.id;
    let error = store
        .ingest(ingest_of(vec![fresh.clone(), clash], Some("2")))
        .await
        .unwrap_err();

    assert!(matches!(error, StoreError::Corrupt(_)), "{error:?}");
    assert_eq!(
        store.cursor("odoo:main").await.unwrap().as_deref(),
        Some("1")
    );
    assert!(!store.has_key("picking:2").await.unwrap());
    assert_eq!(store.message(fresh.id).await.unwrap(), None);
    assert!(store.trace("WH/OUT/2").await.unwrap().is_empty());
}

#[tokio::test]
async fn duplicate_key_across_batches() {
    let (_folder, store) = open_store().await;
    let original = ingest_keys(&store, &["picking:1"]).await.remove(0);
    let copy = envelope(EventKind::PickingReady, "picking:1", "picking:1");

    let outcome = store
        .ingest(ingest_of(vec![copy.clone()], Some("2")))
        .await
        .unwrap();

    assert!(outcome.inserted.is_empty());
    assert_eq!(outcome.duplicates, vec![(copy.id, original.id)]);
    assert_eq!(store.message(copy.id).await.unwrap(), None);
    assert_eq!(
        store.cursor("odoo:main").await.unwrap().as_deref(),
        Some("2")
    );
    assert_eq!(store.status().await.unwrap().duplicates, 1);

    let actions: Vec<String> = store
        .trace("picking:1")
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect();
    assert_eq!(actions, ["received", "duplicate"]);
}

#[tokio::test]
async fn duplicate_key_inside_one_batch() {
    let (_folder, store) = open_store().await;
    let first = envelope(EventKind::PickingReady, "WH/OUT/1", "picking:1");
    let copy = envelope(EventKind::PickingReady, "WH/OUT/1", "picking:1");
    let other = envelope(EventKind::PickingReady, "WH/OUT/2", "picking:2");

    let outcome = store
        .ingest(ingest_of(
            vec![first.clone(), copy.clone(), other.clone()],
            None,
        ))
        .await
        .unwrap();

    assert_eq!(outcome.inserted, vec![first.id, other.id]);
    assert_eq!(outcome.duplicates, vec![(copy.id, first.id)]);
    assert_eq!(store.status().await.unwrap().duplicates, 1);
}

#[tokio::test]
async fn same_envelope_twice_is_its_own_duplicate() {
    let (_folder, store) = open_store().await;
    let message = envelope(EventKind::PickingReady, "WH/OUT/1", "picking:1");
    store
        .ingest(ingest_of(vec![message.clone()], None))
        .await
        .unwrap();

    let outcome = store
        .ingest(ingest_of(vec![message.clone()], None))
        .await
        .unwrap();

    assert!(outcome.inserted.is_empty());
    assert_eq!(outcome.duplicates, vec![(message.id, message.id)]);
}

#[tokio::test]
async fn large_batch_spans_insert_chunks() {
    let (_folder, store) = open_store().await;
    let keys: Vec<String> = (0..2_500).map(|n| format!("picking:{n}")).collect();
    let mut messages: Vec<_> = keys
        .iter()
        .map(|key| envelope(EventKind::PickingReady, key, key))
        .collect();
    messages.push(envelope(EventKind::PickingReady, "picking:7", "picking:7"));

    let outcome = store
        .ingest(ingest_of(messages, Some("end")))
        .await
        .unwrap();

    assert_eq!(outcome.inserted.len(), 2_500);
    assert_eq!(outcome.duplicates.len(), 1);
    let status = store.status().await.unwrap();
    assert_eq!(status.inbox.get("picking_ready/pending"), Some(&2_500));
    store.verify_audit_chain().await.unwrap();
}
