//! Replay in the SQLite store: which delivered outbox messages each kind of
//! selection returns, and the audit rows of a replay, which leave every
//! outbox row as it was. Each test runs on a fresh database file.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use tempfile::TempDir;
use wharf_model::{CorrelationId, Envelope, EventKind, MessageId, PickingState};
use wharf_store::{
    Delivery, DeliveryResult, Handled, HandledOutcome, Ingest, NewOutbox, PickingUpdate,
    ReplaySelection, ReplayedMessage, Store, StoredOutbox,
};
use wharf_store_sqlite::SqliteStore;

const LEASE: Duration = Duration::from_secs(600);

async fn open_store() -> (TempDir, SqliteStore) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(&folder.path().join("wharf.db"))
        .await
        .expect("store opens");
    (folder, store)
}

fn envelope(kind: EventKind, site: &str, picking: &str, key: &str) -> Envelope {
    Envelope {
        id: MessageId::new(),
        kind,
        site: site.to_owned(),
        correlation_id: CorrelationId(picking.to_owned()),
        idempotency_key: key.to_owned(),
        source: format!("confirmations/{key}.csv"),
        payload: json!({ "picking_name": picking }),
    }
}

/// One picking of an order, as the release stored it.
struct Picking<'a> {
    id: i64,
    name: &'a str,
    order: &'a str,
    backorder: Option<&'a str>,
}

/// Handles one inbox message into one outbox message of `kind` for
/// `picking`, on the Odoo sink, with the picking's lifecycle row.
async fn queue(
    store: &SqliteStore,
    site: &str,
    kind: EventKind,
    picking: &Picking<'_>,
) -> Envelope {
    let key = format!("{}-{}", picking.name, kind.as_str()).replace('/', "-");
    let inbox = envelope(EventKind::ShipmentConfirmed, site, picking.name, &key);
    store
        .ingest(Ingest {
            source: format!("folder:{site}:confirmations"),
            cursor: None,
            messages: vec![inbox],
        })
        .await
        .unwrap();
    let claimed = store
        .claim_inbox(&[EventKind::ShipmentConfirmed], 1, "handler", LEASE)
        .await
        .unwrap()
        .remove(0);

    let outbox = envelope(kind, site, picking.name, &format!("apply:{key}"));
    let update = PickingUpdate {
        picking_id: picking.id,
        picking_name: picking.name.to_owned(),
        site: site.to_owned(),
        state: PickingState::Confirmed,
        release: Some(json!({ "order_name": picking.order })),
        backorder: picking.backorder.map(str::to_owned),
        tracking: None,
    };
    let handled = Handled {
        message_id: claimed.envelope.id,
        owner: claimed.owner.clone(),
        attempt: claimed.attempt,
        outcome: HandledOutcome::Done,
        outbox: vec![NewOutbox {
            envelope: outbox.clone(),
            sink: "odoo".to_owned(),
        }],
        exceptions: vec![],
        pickings: vec![update],
        audit: vec![],
        resolved: vec![],
    };
    store.commit_handled(handled).await.unwrap();
    outbox
}

/// Claims every due Odoo message and records each as delivered.
async fn deliver_all(store: &SqliteStore) {
    let claimed = store
        .claim_outbox("odoo", 100, "sink", LEASE)
        .await
        .unwrap();
    for message in claimed {
        let delivery = Delivery {
            message_id: message.envelope.id,
            owner: message.owner.clone(),
            attempt: message.attempt,
            started_at: Timestamp::now(),
            result: DeliveryResult::Delivered {
                detail: format!("{} validated", message.envelope.correlation_id),
            },
            pickings: vec![],
            audit: vec![],
        };
        store.record_delivery(delivery).await.unwrap();
    }
}

fn ids(messages: &[StoredOutbox]) -> Vec<MessageId> {
    messages.iter().map(|message| message.envelope.id).collect()
}

fn picking<'a>(id: i64, name: &'a str, order: &'a str) -> Picking<'a> {
    Picking {
        id,
        name,
        order,
        backorder: None,
    }
}

#[tokio::test]
async fn ids_select_only_delivered_messages() {
    let (_dir, store) = open_store().await;
    let first = queue(
        &store,
        "main",
        EventKind::ShipmentApply,
        &picking(1, "WH/OUT/00001", "S00001"),
    )
    .await;
    deliver_all(&store).await;
    let pending = queue(
        &store,
        "main",
        EventKind::ShipmentApply,
        &picking(2, "WH/OUT/00002", "S00002"),
    )
    .await;

    let selection = ReplaySelection {
        ids: vec![first.id, pending.id],
        ..ReplaySelection::default()
    };
    let found = store.replay_messages(&selection).await.unwrap();

    assert_eq!(ids(&found), vec![first.id]);
    assert_eq!(found[0].envelope, first);
    assert_eq!(found[0].sink, "odoo");
    assert_eq!(found[0].attempt, 1);
}

#[tokio::test]
async fn site_and_kind_select_together() {
    let (_dir, store) = open_store().await;
    let selected = queue(
        &store,
        "main",
        EventKind::ShipmentApply,
        &picking(1, "WH/OUT/00001", "S00001"),
    )
    .await;
    queue(
        &store,
        "main",
        EventKind::TrackingUpdate,
        &picking(2, "WH/OUT/00002", "S00002"),
    )
    .await;
    queue(
        &store,
        "east",
        EventKind::ShipmentApply,
        &picking(3, "EAST/OUT/00003", "S00003"),
    )
    .await;
    deliver_all(&store).await;

    let selection = ReplaySelection {
        site: Some("main".to_owned()),
        kinds: vec![EventKind::ShipmentApply],
        ..ReplaySelection::default()
    };
    let found = store.replay_messages(&selection).await.unwrap();

    assert_eq!(ids(&found), vec![selected.id]);
}

#[tokio::test]
async fn time_range_includes_start_excludes_end() {
    let (_dir, store) = open_store().await;
    for (id, name) in [
        (1, "WH/OUT/00001"),
        (2, "WH/OUT/00002"),
        (3, "WH/OUT/00003"),
    ] {
        queue(
            &store,
            "main",
            EventKind::ShipmentApply,
            &picking(id, name, "S00001"),
        )
        .await;
        // Distinct creation times, which the store keeps in microseconds.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    deliver_all(&store).await;
    let all = store
        .replay_messages(&ReplaySelection::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);

    let selection = ReplaySelection {
        from: Some(all[1].created_at),
        to: Some(all[2].created_at),
        ..ReplaySelection::default()
    };
    let found = store.replay_messages(&selection).await.unwrap();

    assert_eq!(ids(&found), vec![all[1].envelope.id]);
}

#[tokio::test]
async fn order_selects_its_pickings_and_backorders() {
    let (_dir, store) = open_store().await;
    let shipped = Picking {
        backorder: Some("WH/OUT/00003"),
        ..picking(1, "WH/OUT/00001", "S00001")
    };
    let first = queue(&store, "main", EventKind::ShipmentApply, &shipped).await;
    queue(
        &store,
        "main",
        EventKind::ShipmentApply,
        &picking(2, "WH/OUT/00002", "S00002"),
    )
    .await;
    // The backorder's own release names the order too; this message only
    // reaches it through the first picking's backorder column.
    let backorder = queue(
        &store,
        "main",
        EventKind::TrackingUpdate,
        &picking(3, "WH/OUT/00003", "S00099"),
    )
    .await;
    deliver_all(&store).await;

    for reference in ["S00001", "WH/OUT/00001"] {
        let selection = ReplaySelection {
            order: Some(reference.to_owned()),
            ..ReplaySelection::default()
        };
        let found = store.replay_messages(&selection).await.unwrap();
        assert_eq!(ids(&found), vec![first.id, backorder.id], "{reference}");
    }
}

#[tokio::test]
async fn unknown_order_selects_nothing() {
    let (_dir, store) = open_store().await;
    queue(
        &store,
        "main",
        EventKind::ShipmentApply,
        &picking(1, "WH/OUT/00001", "S00001"),
    )
    .await;
    deliver_all(&store).await;

    let selection = ReplaySelection {
        order: Some("S00404".to_owned()),
        ..ReplaySelection::default()
    };
    let found = store.replay_messages(&selection).await.unwrap();

    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test]
async fn record_replay_audits_and_keeps_outbox() {
    let (_dir, store) = open_store().await;
    let message = queue(
        &store,
        "main",
        EventKind::ShipmentApply,
        &picking(1, "WH/OUT/00001", "S00001"),
    )
    .await;
    deliver_all(&store).await;
    let before = store.status().await.unwrap();

    let replayed = ReplayedMessage {
        message_id: message.id,
        correlation_id: "WH/OUT/00001".to_owned(),
        detail: "unchanged: WH/OUT/00001 was already validated".to_owned(),
    };
    store
        .record_replay("alice", "check after the Odoo restore", vec![replayed])
        .await
        .unwrap();

    let rows = store.trace("WH/OUT/00001").await.unwrap();
    let replay: Vec<_> = rows.iter().filter(|row| row.action == "replay").collect();
    assert_eq!(replay.len(), 1);
    assert_eq!(replay[0].message_id, Some(message.id));
    assert!(
        replay[0].detail.starts_with("unchanged"),
        "{}",
        replay[0].detail
    );
    assert!(replay[0].detail.contains("alice"), "{}", replay[0].detail);
    assert!(replay[0].detail.contains("check after the Odoo restore"));
    let after = store.status().await.unwrap();
    assert_eq!(after.outbox, before.outbox);
    let claimable = store.claim_outbox("odoo", 10, "sink", LEASE).await.unwrap();
    assert!(claimable.is_empty(), "{claimable:?}");
    store.verify_audit_chain().await.unwrap();
}
