//! Owner teams from the configuration reach the stored exceptions: those a
//! site's handler raises, those a sink raises and those the worker raises
//! itself.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use common::{settle, MemoryFolder, RecordingErp};
use wharf_engine::ports::{Erp, WarehouseFiles};
use wharf_engine::{Engine, EngineSettings, Owners, Site, SiteRules};
use wharf_model::{
    Address, CorrelationId, Decimal, Envelope, EventKind, ExceptionKind, MessageId, OrderLine,
    OrderRelease,
};
use wharf_store::{ExceptionRow, Ingest};
use wharf_store_sqlite::SqliteStore;

mod common;

/// Builds a ready picking with id `id` whose customer carries `tags`.
fn ready_picking(id: i64, tags: &[&str]) -> OrderRelease {
    OrderRelease {
        picking_id: id,
        picking_name: format!("WH/OUT/{id:05}"),
        order_name: format!("S{id:05}"),
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
            move_id: id * 10,
            product_id: 9,
            sku: "MILK-UHT".to_owned(),
            description: "UHT Milk".to_owned(),
            quantity: Decimal::from_str("3").unwrap(),
            uom: "Units".to_owned(),
            tracking: "none".to_owned(),
            reserved_lots: vec![],
        }],
    }
}

fn owners(entries: &[(&str, &str)]) -> Owners {
    let table: BTreeMap<String, String> = entries
        .iter()
        .map(|(kind, team)| ((*kind).to_owned(), (*team).to_owned()))
        .collect();
    Owners::from_names(table).unwrap()
}

/// Builds an engine whose site and settings carry `owners`, as the binary
/// builds them from the `[owners]` table.
async fn engine(
    dir: &tempfile::TempDir,
    owners: &Owners,
) -> (Engine, Arc<RecordingErp>, Arc<MemoryFolder>) {
    let store = SqliteStore::open(&dir.path().join("wharf.db"))
        .await
        .unwrap();
    let erp = Arc::new(RecordingErp::default());
    let folder = Arc::new(MemoryFolder::default());
    let mut rules: SiteRules =
        serde_json::from_value(serde_json::json!({"code": "main", "warehouses": ["WH"]})).unwrap();
    rules.owners = owners.clone();
    let settings = EngineSettings {
        owners: owners.clone(),
        ..EngineSettings::default()
    };
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
        settings,
        owner: "test".to_owned(),
        contacts: Default::default(),
    };
    (engine, erp, folder)
}

async fn open_exception(engine: &Engine, kind: ExceptionKind) -> ExceptionRow {
    let exceptions = engine.store.exceptions(false).await.unwrap();
    exceptions
        .into_iter()
        .find(|row| row.kind == kind)
        .unwrap_or_else(|| panic!("no open {kind} exception"))
}

#[tokio::test]
async fn held_order_goes_to_configured_team() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, erp, _folder) = engine(&dir, &owners(&[("held_order", "credit_desk")])).await;

    *erp.ready.lock().unwrap() = vec![ready_picking(12, &["Credit Hold"])];
    settle(&engine).await;

    let held = open_exception(&engine, ExceptionKind::HeldOrder).await;
    assert_eq!(held.owner, "credit_desk");
}

#[tokio::test]
async fn held_order_keeps_default_team_when_unset() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, erp, _folder) = engine(&dir, &owners(&[("defect", "platform")])).await;

    *erp.ready.lock().unwrap() = vec![ready_picking(12, &["Credit Hold"])];
    settle(&engine).await;

    let held = open_exception(&engine, ExceptionKind::HeldOrder).await;
    assert_eq!(held.owner, ExceptionKind::HeldOrder.default_owner());
}

#[tokio::test]
async fn worker_defect_goes_to_configured_team() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _erp, _folder) = engine(&dir, &owners(&[("defect", "platform")])).await;

    // A message for a site the configuration lacks: the worker, not a
    // site's handler, raises the defect.
    let id = MessageId::new();
    let envelope = Envelope {
        id,
        kind: EventKind::PickingReady,
        site: "closed-site".to_owned(),
        correlation_id: CorrelationId("WH/OUT/00013".to_owned()),
        idempotency_key: format!("test:{id}"),
        source: "test".to_owned(),
        payload: serde_json::json!({}),
    };
    engine
        .store
        .ingest(Ingest {
            source: "test".to_owned(),
            cursor: None,
            messages: vec![envelope],
        })
        .await
        .unwrap();
    settle(&engine).await;

    let defect = open_exception(&engine, ExceptionKind::Defect).await;
    assert_eq!(defect.owner, "platform");
    assert_eq!(defect.site, "closed-site");
}

#[tokio::test]
async fn folder_sink_failure_goes_to_configured_team() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, erp, folder) =
        engine(&dir, &owners(&[("transport_failure", "site_support")])).await;

    // Another file already has the order file's name, so the folder sink
    // fails for good and raises the exception.
    folder
        .written
        .lock()
        .unwrap()
        .insert("WH_OUT_00014.csv".to_owned(), b"another order".to_vec());
    *erp.ready.lock().unwrap() = vec![ready_picking(14, &[])];
    settle(&engine).await;

    let failure = open_exception(&engine, ExceptionKind::TransportFailure).await;
    assert_eq!(failure.owner, "site_support");
    assert_eq!(failure.correlation_id, "WH/OUT/00014");
}
