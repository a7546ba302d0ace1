//! The engine's flows on the real SQLite store and the real codecs, with
//! Odoo and the warehouse folder replaced by recorders at the ports: the
//! public sample confirmation files must produce the right Odoo writes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use common::{order, MemoryFolder, RecordingErp};
use wharf_engine::ports::{Erp, WarehouseFiles};
use wharf_engine::shipment::ShipmentPlan;
use wharf_engine::{Engine, EngineSettings, ReleaseMode, Site, SiteRules};
use wharf_formats::Layout;
use wharf_model::Decimal;
use wharf_store_sqlite::SqliteStore;

mod common;

struct Harness {
    engine: Engine,
    erp: Arc<RecordingErp>,
    folder: Arc<MemoryFolder>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new(confirmation_layout: Layout, release_mode: ReleaseMode) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("wharf.db"))
            .await
            .unwrap();
        let erp = Arc::new(RecordingErp::default());
        let folder = Arc::new(MemoryFolder::default());
        let mut rules: SiteRules =
            serde_json::from_value(serde_json::json!({"code": "main", "warehouses": ["WH"]}))
                .unwrap();
        rules.release_mode = release_mode;
        let site = Site {
            rules,
            order_layout: Arc::new(wharf_formats::default_order_layout()),
            confirmation_layout: Arc::new(confirmation_layout),
            files: Arc::clone(&folder) as Arc<dyn WarehouseFiles>,
            inventory: None,
            lifecycle: None,
            account: None,
        };
        let engine = Engine {
            store: Arc::new(store),
            erp: Arc::clone(&erp) as Arc<dyn Erp>,
            sites: vec![site],
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

    /// Runs passes until one does no work.
    async fn settle(&self) {
        for _ in 0..20 {
            if self.engine.step().await == 0 {
                return;
            }
        }
        panic!("the engine kept working after 20 passes");
    }

    fn plans(&self) -> BTreeMap<String, ShipmentPlan> {
        self.erp
            .applied
            .lock()
            .unwrap()
            .iter()
            .map(|plan| (plan.picking_name.clone(), plan.clone()))
            .collect()
    }
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/samples")
            .join(name),
    )
    .unwrap()
}

fn layout(name: &str) -> Layout {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/layouts")
        .join(name);
    Layout::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn semicolon_despatch_sample_confirms_shipment() {
    let harness = Harness::new(layout("odc_despatch_confirm.toml"), ReleaseMode::PerPicking).await;
    *harness.erp.ready.lock().unwrap() = vec![
        order(4711, "4711", &[("SKU-RED-M", 2), ("SKU-RED-L", 1)]),
        order(4712, "4712", &[("SKU-BLU-S", 3)]),
    ];
    harness.settle().await;
    assert_eq!(
        harness
            .folder
            .written
            .lock()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        ["4711.csv", "4712.csv"]
    );

    harness.folder.drop_file(
        "despatch.txt",
        &sample("wms_semicolon_odc_despatch_confirm.txt"),
    );
    harness.settle().await;

    let plans = harness.plans();
    let full = &plans["4711"];
    assert!(!full.short);
    assert_eq!(full.moves[0].shipped(), Decimal::from(2));
    assert_eq!(full.moves[1].shipped(), Decimal::from(1));
    assert_eq!(full.carrier.as_deref(), Some("CARR1"));
    assert!(
        !plans.contains_key("4712"),
        "a confirmation of zero on every line must not reach Odoo"
    );

    let status = harness.engine.store.status().await.unwrap();
    assert_eq!(status.open_exceptions.get("nothing_shipped"), Some(&1));
    assert_eq!(
        harness.folder.archived.lock().unwrap().as_slice(),
        ["despatch.txt"]
    );
}

#[tokio::test]
async fn japanese_shipped_sample_confirms_orders_and_reshipment() {
    let harness = Harness::new(layout("jp_shipped_tracking.toml"), ReleaseMode::PerPicking).await;
    *harness.erp.ready.lock().unwrap() = vec![
        order(1, "1000879842", &[("CAP-001", 1)]),
        order(2, "1000879889", &[("CAP-002", 1)]),
        order(3, "1000880002", &[("CAP-003", 1)]),
        order(4, "1000880008", &[("CAP-004", 1)]),
    ];
    harness.settle().await;
    harness.folder.drop_file(
        "shipped.csv",
        &sample("wms_jp_shipped_tracking_utf8bom.csv"),
    );
    harness.settle().await;

    let plans = harness.plans();
    assert_eq!(
        plans.len(),
        4,
        "every order-level confirmation ships its picking in full"
    );
    assert!(plans.values().all(|plan| !plan.short));
    assert_eq!(plans["1000879842"].tracking, ["361054809931"]);

    let tracking = harness.erp.tracking.lock().unwrap().clone();
    assert_eq!(
        tracking,
        [(
            4,
            vec!["361054809721".to_owned(), "361054899999".to_owned()]
        )],
        "the _R row adds its tracking number"
    );
}

#[tokio::test]
async fn duplicate_confirmation_file_changes_nothing() {
    let harness = Harness::new(layout("odc_despatch_confirm.toml"), ReleaseMode::PerPicking).await;
    *harness.erp.ready.lock().unwrap() =
        vec![order(4711, "4711", &[("SKU-RED-M", 2), ("SKU-RED-L", 1)])];
    harness.settle().await;
    let bytes = sample("wms_semicolon_odc_despatch_confirm.txt");
    harness.folder.drop_file("first.txt", &bytes);
    harness.settle().await;
    harness.folder.drop_file("again.txt", &bytes);
    harness.settle().await;

    assert_eq!(harness.erp.applied.lock().unwrap().len(), 1);
    assert_eq!(harness.engine.store.status().await.unwrap().duplicates, 1);
}

#[tokio::test]
async fn batch_mode_one_file_per_poll() {
    let harness = Harness::new(
        wharf_formats::default_confirmation_layout(),
        ReleaseMode::BatchPerPoll,
    )
    .await;
    *harness.erp.ready.lock().unwrap() = vec![
        order(1, "WH/OUT/00001", &[("A", 1)]),
        order(2, "WH/OUT/00002", &[("B", 2)]),
        order(3, "WH/OUT/00003", &[("C", 3)]),
    ];
    harness.settle().await;
    harness.settle().await;

    let written = harness.folder.written.lock().unwrap().clone();
    assert_eq!(
        written.len(),
        1,
        "one batch file expected, got {:?}",
        written.keys().collect::<Vec<_>>()
    );
    let (name, bytes) = written.iter().next().unwrap();
    assert!(name.starts_with("BATCH_main_"), "{name}");
    let orders =
        wharf_formats::decode_orders(&wharf_formats::default_order_layout(), bytes).unwrap();
    let names: Vec<&str> = orders
        .iter()
        .map(|order| order.picking_name.as_str())
        .collect();
    assert_eq!(names, ["WH/OUT/00001", "WH/OUT/00002", "WH/OUT/00003"]);

    let status = harness.engine.store.status().await.unwrap();
    assert_eq!(status.pickings.get("released"), Some(&3));
}

#[tokio::test]
async fn header_only_file_is_an_exception() {
    let harness = Harness::new(
        wharf_formats::default_confirmation_layout(),
        ReleaseMode::PerPicking,
    )
    .await;
    let header =
        wharf_formats::encode_confirmations(&wharf_formats::default_confirmation_layout(), &[])
            .unwrap();
    harness.folder.drop_file("empty.csv", &header);
    harness.settle().await;

    let status = harness.engine.store.status().await.unwrap();
    assert_eq!(
        status.open_exceptions.get("parse_error"),
        Some(&1),
        "{status:?}"
    );
    assert!(harness.erp.applied.lock().unwrap().is_empty());
}
