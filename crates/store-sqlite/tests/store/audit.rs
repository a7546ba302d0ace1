use wharf_model::EventKind;
use wharf_store::{AuditEntry, HandledOutcome, Store, StoreError};

use crate::{envelope, handled, ingest_keys, ingest_of, open_store, raw_sql, LONG_LEASE, READY};

#[tokio::test]
async fn chain_links_rows_of_a_stream() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["WH/OUT/1"]).await;
    let copy = envelope(EventKind::PickingReady, "WH/OUT/1", "WH/OUT/1");
    store.ingest(ingest_of(vec![copy], None)).await.unwrap();
    let claimed = store
        .claim_inbox(&READY, 1, "w", LONG_LEASE)
        .await
        .unwrap()
        .remove(0);
    let mut result = handled(&claimed, HandledOutcome::Done);
    for (stream, action) in [("WH/OUT/1", "transformed"), ("system", "note")] {
        result.audit.push(AuditEntry {
            stream: stream.to_owned(),
            action: action.to_owned(),
            message_id: None,
            detail: String::new(),
        });
    }
    store.commit_handled(result).await.unwrap();

    let rows = store.trace("WH/OUT/1").await.unwrap();
    let actions: Vec<&str> = rows.iter().map(|row| row.action.as_str()).collect();
    assert_eq!(actions, ["received", "duplicate", "transformed"]);
    assert!(rows.windows(2).all(|pair| pair[0].id < pair[1].id));
    assert_eq!(store.trace("system").await.unwrap().len(), 1);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn altered_row_fails_verification() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["WH/OUT/1", "WH/OUT/2"]).await;
    let copy = envelope(EventKind::PickingReady, "WH/OUT/1", "WH/OUT/1");
    store.ingest(ingest_of(vec![copy], None)).await.unwrap();
    store.verify_audit_chain().await.unwrap();
    let altered = store.trace("WH/OUT/1").await.unwrap()[0].id;

    raw_sql(
        &store,
        &format!("UPDATE audit SET detail = 'edited' WHERE id = {altered}"),
    )
    .await;

    let error = store.verify_audit_chain().await.unwrap_err();
    let StoreError::Corrupt(message) = error else {
        panic!("expected Corrupt, got {error:?}")
    };
    assert!(
        message.contains(&format!("audit row {altered} ")),
        "{message}"
    );
}

#[tokio::test]
async fn deleted_row_fails_verification() {
    let (_folder, store) = open_store().await;
    ingest_keys(&store, &["WH/OUT/1"]).await;
    let copy = envelope(EventKind::PickingReady, "WH/OUT/1", "WH/OUT/1");
    store.ingest(ingest_of(vec![copy], None)).await.unwrap();
    let rows = store.trace("WH/OUT/1").await.unwrap();

    raw_sql(
        &store,
        &format!("DELETE FROM audit WHERE id = {}", rows[0].id),
    )
    .await;

    let error = store.verify_audit_chain().await.unwrap_err();
    let StoreError::Corrupt(message) = error else {
        panic!("expected Corrupt, got {error:?}")
    };
    assert!(
        message.contains(&format!("audit row {} ", rows[1].id)),
        "{message}"
    );
}
