use serde_json::json;
use wharf_model::{EventKind, PickingState};
use wharf_store::{HandledOutcome, NewOutbox, PickingUpdate, Store};
use wharf_store_sqlite::SqliteStore;

use crate::{envelope, handled, ingest_of, LONG_LEASE, READY};

#[tokio::test]
async fn reopen_keeps_everything() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("wharf.db");
    let handled_message = envelope(EventKind::PickingReady, "WH/OUT/1", "picking:1");
    let pending_message = envelope(EventKind::PickingReady, "WH/OUT/2", "picking:2");
    let release = envelope(EventKind::OrderRelease, "WH/OUT/1", "file:main:1");

    {
        let store = SqliteStore::open(&path).await.unwrap();
        let messages = vec![handled_message.clone(), pending_message.clone()];
        store.ingest(ingest_of(messages, Some("42"))).await.unwrap();
        let claimed = store
            .claim_inbox(&READY, 1, "w", LONG_LEASE)
            .await
            .unwrap()
            .remove(0);
        let mut result = handled(&claimed, HandledOutcome::Done);
        result.outbox.push(NewOutbox {
            envelope: release.clone(),
            sink: "folder:main".to_owned(),
        });
        result.pickings.push(PickingUpdate {
            picking_id: 1,
            picking_name: "WH/OUT/1".to_owned(),
            site: "main".to_owned(),
            state: PickingState::Released,
            release: Some(json!({ "lines": 1 })),
            backorder: None,
            tracking: None,
        });
        store.commit_handled(result).await.unwrap();
        // Dropped without close, as a killed process would leave it.
    }

    let store = SqliteStore::open(&path).await.unwrap();

    assert_eq!(
        store.cursor("odoo:main").await.unwrap().as_deref(),
        Some("42")
    );
    assert_eq!(
        store.message(handled_message.id).await.unwrap(),
        Some(handled_message)
    );
    assert_eq!(store.message(release.id).await.unwrap(), Some(release));
    assert_eq!(
        store.picking(1).await.unwrap().unwrap().release,
        Some(json!({ "lines": 1 }))
    );
    let status = store.status().await.unwrap();
    assert_eq!(status.inbox.get("picking_ready/handled"), Some(&1));
    assert_eq!(status.inbox.get("picking_ready/pending"), Some(&1));
    assert_eq!(status.outbox.get("order_release/pending"), Some(&1));
    store.verify_audit_chain().await.unwrap();

    let rest = store
        .claim_inbox(&READY, 10, "w2", LONG_LEASE)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].envelope, pending_message);
    store.close().await;
}
