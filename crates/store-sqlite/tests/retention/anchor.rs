use serde_json::json;
use wharf_model::{CorrelationId, Envelope, EventKind, MessageId};
use wharf_store::{Ingest, Store, StoreError};
use wharf_store_sqlite::audit::ChainProblem;
use wharf_store_sqlite::RetentionCutoffs;

use crate::{audit_before, in_one_hour, insert_chain, open_store, raw_sql, stream_ids};

#[tokio::test]
async fn purge_deletes_old_prefix() {
    let (_folder, store) = open_store().await;
    let ids = insert_chain(&store, "WH/OUT/1", &[1, 2, 3, 100, 101]).await;

    let report = store.purge(&audit_before(50), false).await.unwrap();

    assert_eq!(report.audit_rows, 3);
    assert_eq!(report.audit_streams, 1);
    assert_eq!(stream_ids(&store, "WH/OUT/1").await, ids[3..]);
    let check = store.verify_audit_chain().await.unwrap();
    assert_eq!(check.anchored_streams, 1);
    assert_eq!(check.rows, 3, "two kept rows and the purge row");
}

#[tokio::test]
async fn old_row_after_newer_row_is_kept() {
    let (_folder, store) = open_store().await;
    let ids = insert_chain(&store, "WH/OUT/1", &[1, 100, 2, 3]).await;

    let report = store.purge(&audit_before(50), false).await.unwrap();

    assert_eq!(report.audit_rows, 1);
    assert_eq!(stream_ids(&store, "WH/OUT/1").await, ids[1..]);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn purge_writes_system_row() {
    let (_folder, store) = open_store().await;
    insert_chain(&store, "WH/OUT/1", &[1, 2]).await;

    store.purge(&audit_before(50), false).await.unwrap();

    let rows = store.trace("system").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "purge");
    assert!(
        rows[0].detail.contains("purged 2 audit rows of 1 streams"),
        "{}",
        rows[0].detail
    );
}

#[tokio::test]
async fn emptied_stream_continues_from_anchor() {
    let (_folder, store) = open_store().await;
    insert_chain(&store, "WH/OUT/1", &[1, 2]).await;
    store.purge(&audit_before(50), false).await.unwrap();
    assert!(stream_ids(&store, "WH/OUT/1").await.is_empty());

    let message = Envelope {
        id: MessageId::new(),
        kind: EventKind::PickingReady,
        site: "main".to_owned(),
        correlation_id: CorrelationId("WH/OUT/1".to_owned()),
        idempotency_key: "WH/OUT/1".to_owned(),
        source: "odoo".to_owned(),
        payload: json!({}),
    };
    let ingest = Ingest {
        source: "odoo:main".to_owned(),
        cursor: None,
        messages: vec![message],
    };
    store.ingest(ingest).await.unwrap();

    assert_eq!(stream_ids(&store, "WH/OUT/1").await.len(), 1);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn second_purge_moves_anchor() {
    let (_folder, store) = open_store().await;
    let ids = insert_chain(&store, "WH/OUT/1", &[1, 2, 60, 70, 100]).await;

    store.purge(&audit_before(50), false).await.unwrap();
    let report = store.purge(&audit_before(80), false).await.unwrap();

    assert_eq!(report.audit_rows, 2);
    assert_eq!(stream_ids(&store, "WH/OUT/1").await, ids[4..]);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn deleted_first_kept_row_breaks_start() {
    let (_folder, store) = open_store().await;
    let ids = insert_chain(&store, "WH/OUT/1", &[1, 2, 100, 101]).await;
    store.purge(&audit_before(50), false).await.unwrap();

    raw_sql(&store, &format!("DELETE FROM audit WHERE id = {}", ids[2])).await;

    let check = store.check_audit_chain().await.unwrap();
    assert_eq!(check.break_count, 1);
    assert_eq!(check.breaks[0].row_id, ids[3]);
    assert_eq!(
        check.breaks[0].problem,
        ChainProblem::NotLinkedToStart {
            purged_through_id: Some(ids[1])
        }
    );
}

#[tokio::test]
async fn check_lists_each_break() {
    let (_folder, store) = open_store().await;
    let first = insert_chain(&store, "WH/OUT/1", &[1, 2, 3]).await;
    let second = insert_chain(&store, "WH/OUT/2", &[1, 2, 3]).await;

    raw_sql(
        &store,
        &format!("DELETE FROM audit WHERE id = {}", first[1]),
    )
    .await;
    raw_sql(
        &store,
        &format!(
            "UPDATE audit SET detail = 'edited' WHERE id = {}",
            second[0]
        ),
    )
    .await;

    let check = store.check_audit_chain().await.unwrap();
    assert!(!check.is_intact());
    assert_eq!(check.streams, 2);
    assert_eq!(check.rows, 5);
    assert_eq!(check.breaks.len(), 2);
    assert_eq!(check.breaks[0].stream, "WH/OUT/1");
    assert_eq!(check.breaks[0].row_id, first[2]);
    assert_eq!(
        check.breaks[0].problem,
        ChainProblem::NotLinkedToPrevious {
            previous_id: first[0]
        }
    );
    assert_eq!(check.breaks[1].stream, "WH/OUT/2");
    assert_eq!(check.breaks[1].row_id, second[0]);
    assert_eq!(check.breaks[1].problem, ChainProblem::HashMismatch);
}

#[tokio::test]
async fn purge_stops_on_broken_chain() {
    let (_folder, store) = open_store().await;
    let ids = insert_chain(&store, "WH/OUT/1", &[1, 2, 3]).await;
    raw_sql(
        &store,
        &format!("UPDATE audit SET detail = 'edited' WHERE id = {}", ids[0]),
    )
    .await;

    let error = store.purge(&audit_before(50), false).await.unwrap_err();

    let StoreError::Corrupt(message) = error else {
        panic!("expected Corrupt, got {error:?}")
    };
    assert!(
        message.contains(&format!("audit row {} ", ids[0])),
        "{message}"
    );
    assert_eq!(stream_ids(&store, "WH/OUT/1").await, ids);
}

#[tokio::test]
async fn dry_run_deletes_nothing() {
    let (_folder, store) = open_store().await;
    let ids = insert_chain(&store, "WH/OUT/1", &[1, 2, 3]).await;

    let report = store.purge(&audit_before(50), true).await.unwrap();

    assert!(report.dry_run);
    assert_eq!(report.audit_rows, 3);
    assert_eq!(stream_ids(&store, "WH/OUT/1").await, ids);
    assert!(store.trace("system").await.unwrap().is_empty());
    let check = store.verify_audit_chain().await.unwrap();
    assert_eq!(check.anchored_streams, 0);
}

#[tokio::test]
async fn no_cutoff_keeps_audit() {
    let (_folder, store) = open_store().await;
    let ids = insert_chain(&store, "WH/OUT/1", &[1, 2]).await;
    let cutoffs = RetentionCutoffs {
        messages: Some(in_one_hour()),
        ..RetentionCutoffs::default()
    };

    let report = store.purge(&cutoffs, false).await.unwrap();

    assert_eq!(report.audit_rows, 0);
    assert_eq!(stream_ids(&store, "WH/OUT/1").await, ids);
}
