//! A picking held for credit is released, and its exception resolved, once
//! the customer's tag is gone in Odoo, although the picking itself did not
//! change and the poll's cursor has passed it.

use std::str::FromStr;
use std::sync::Arc;

use common::{settle, MemoryFolder, RecordingErp};
use wharf_engine::ports::{Erp, WarehouseFiles};
use wharf_engine::{Engine, EngineSettings, Site, SiteRules};
use wharf_model::{Address, Decimal, OrderLine, OrderRelease, PickingState};
use wharf_store_sqlite::SqliteStore;

mod common;

fn order(tags: &[&str]) -> OrderRelease {
    OrderRelease {
        picking_id: 7,
        picking_name: "WH/OUT/00007".to_owned(),
        order_name: "S00007".to_owned(),
        customer_ref: String::new(),
        warehouse: "WH".to_owned(),
        customer: "Kessler Foods".to_owned(),
        customer_tags: tags.iter().map(|tag| (*tag).to_owned()).collect(),
        credit_hold: false,
        ship_to: Address {
            name: "Kessler Foods".to_owned(),
            street: "Hafenstrasse 1".to_owned(),
            zip: "20457".to_owned(),
            city: "Hamburg".to_owned(),
            country_code: "DE".to_owned(),
            ..Address::default()
        },
        carrier: String::new(),
        scheduled_date: "2026-12-04 10:00:00".to_owned(),
        write_date: "2026-12-04 10:00:00".to_owned(),
        lines: vec![OrderLine {
            line_no: 1,
            move_id: 70,
            product_id: 9,
            sku: "MILK-UHT".to_owned(),
            description: "UHT Milk".to_owned(),
            quantity: Decimal::from_str("3").unwrap(),
            uom: "Units".to_owned(),
            tracking: "lot".to_owned(),
            reserved_lots: vec![],
        }],
    }
}

struct Harness {
    engine: Engine,
    erp: Arc<RecordingErp>,
    folder: Arc<MemoryFolder>,
    _dir: tempfile::TempDir,
}

async fn harness(rules: serde_json::Value) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("wharf.db"))
        .await
        .unwrap();
    let erp = Arc::new(RecordingErp::default());
    let folder = Arc::new(MemoryFolder::default());
    let rules: SiteRules = serde_json::from_value(rules).unwrap();
    let engine = Engine {
        store: Arc::new(store),
        erp: Arc::clone(&erp) as Arc<dyn Erp>,
        sites: vec![Site {
            rules,
            order_layout: Arc::new(wharf_formats::default_order_layout()),
            confirmation_layout: Arc::new(wharf_formats::default_confirmation_layout()),
            files: Arc::clone(&folder) as Arc<dyn WarehouseFiles>,
            inventory: None,
            lifecycle: None,
            account: None,
        }],
        settings: EngineSettings::default(),
        owner: "test".to_owned(),
        contacts: Default::default(),
    };
    Harness {
        engine,
        erp,
        folder,
        _dir: dir,
    }
}

#[tokio::test]
async fn held_order_released_after_fix() {
    let Harness {
        engine,
        erp,
        folder,
        _dir,
    } = harness(serde_json::json!({"code": "main", "warehouses": ["WH"]})).await;

    *erp.ready.lock().unwrap() = vec![order(&["Credit Hold"])];
    settle(&engine).await;
    let held = engine.store.picking(7).await.unwrap().unwrap();
    assert_eq!(held.state, PickingState::Held);
    assert_eq!(engine.store.exceptions(false).await.unwrap().len(), 1);
    assert!(folder.written.lock().unwrap().is_empty());

    // Credit cleared: the tag is gone, the picking itself is unchanged.
    *erp.ready.lock().unwrap() = vec![order(&[])];
    settle(&engine).await;

    let released = engine.store.picking(7).await.unwrap().unwrap();
    assert_eq!(released.state, PickingState::Released);
    let written: Vec<String> = folder.written.lock().unwrap().keys().cloned().collect();
    assert_eq!(written, ["WH_OUT_00007.csv"]);
    assert!(engine.store.exceptions(false).await.unwrap().is_empty());
    let all = engine.store.exceptions(true).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state, "resolved");

    // Nothing more happens on later passes: the release is not repeated.
    settle(&engine).await;
    assert_eq!(folder.written.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn later_order_waits_without_exception() {
    let Harness {
        engine,
        erp,
        folder,
        _dir,
    } = harness(serde_json::json!({
        "code": "main", "warehouses": ["WH"], "release_horizon_hours": 48
    }))
    .await;
    let in_days = |days: i64| {
        let at = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
        at.strftime("%Y-%m-%d %H:%M:%S").to_string()
    };
    let mut later = order(&[]);
    later.scheduled_date = in_days(5);
    *erp.ready.lock().unwrap() = vec![later.clone()];

    settle(&engine).await;

    let waiting = engine.store.picking(7).await.unwrap().unwrap();
    assert_eq!(waiting.state, PickingState::Held);
    assert!(engine.store.exceptions(true).await.unwrap().is_empty());
    assert!(folder.written.lock().unwrap().is_empty());

    // Odoo moves the date forward: the next re-read releases it.
    later.scheduled_date = in_days(1);
    *erp.ready.lock().unwrap() = vec![later];
    settle(&engine).await;

    let released = engine.store.picking(7).await.unwrap().unwrap();
    assert_eq!(released.state, PickingState::Released);
    assert_eq!(folder.written.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn scheduled_site_writes_in_slots() {
    let Harness {
        engine,
        erp,
        folder,
        _dir,
    } = harness(serde_json::json!({
        "code": "main", "warehouses": ["WH"], "release_every_minutes": 30
    }))
    .await;
    let mut first = order(&[]);
    first.picking_id = 1;
    first.picking_name = "WH/OUT/00001".to_owned();
    *erp.ready.lock().unwrap() = vec![first.clone()];
    settle(&engine).await;
    assert_eq!(
        folder.written.lock().unwrap().len(),
        1,
        "the first slot opens at start"
    );

    // A picking ready within the slot waits for the next one.
    let mut second = order(&[]);
    second.write_date = "2026-12-04 10:05:00".to_owned();
    *erp.ready.lock().unwrap() = vec![first, second];
    settle(&engine).await;
    assert_eq!(folder.written.lock().unwrap().len(), 1);
    let second_state = engine.store.picking(7).await.unwrap().unwrap().state;
    assert_eq!(second_state, PickingState::Released);

    // Half an hour later the next slot writes it.
    let earlier = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(31);
    engine
        .store
        .ingest(wharf_store::Ingest {
            source: "release-slot:main".to_owned(),
            cursor: Some(earlier.to_string()),
            messages: vec![],
        })
        .await
        .unwrap();
    settle(&engine).await;
    assert_eq!(folder.written.lock().unwrap().len(), 2);
}
