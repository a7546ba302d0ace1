//! The inventory flows on the real SQLite store and codecs, with Odoo and
//! the warehouse folders replaced by recorders: movement files become
//! inventory plans, and a snapshot reconciles with shipments in flight.

use std::str::FromStr;
use std::sync::Arc;

use common::{MemoryFolder, RecordingErp};
use wharf_engine::inventory::{
    InventoryRules, NoProgress, ReconcileOptions, SiteInventory, StockOp,
};
use wharf_engine::ports::{Erp, OdooStock, WarehouseFiles};
use wharf_engine::{Engine, EngineSettings, Site, SiteRules};
use wharf_model::{Address, Decimal, OrderLine, OrderRelease, StockKey, VarianceKind};
use wharf_store_sqlite::SqliteStore;

mod common;

/// Options of `wharf reconcile --apply` and of the hub: adjust and raise.
const APPLY: ReconcileOptions = ReconcileOptions {
    apply: true,
    raise_exceptions: true,
};

struct Harness {
    engine: Engine,
    erp: Arc<RecordingErp>,
    folder: Arc<MemoryFolder>,
    inventory_folder: Arc<MemoryFolder>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("wharf.db"))
            .await
            .unwrap();
        let erp = Arc::new(RecordingErp::default());
        let folder = Arc::new(MemoryFolder::default());
        let inventory_folder = Arc::new(MemoryFolder::default());
        let rules: SiteRules = serde_json::from_value(serde_json::json!({
            "code": "main", "warehouses": ["WH"], "time_zone": "Europe/Berlin"
        }))
        .unwrap();
        let inventory_rules: InventoryRules = toml::from_str(
            r#"
            stock_location = "WH/Stock"
            locations = { "A-01" = "WH/Stock/Shelf 1", "Q" = "WH/Quarantine" }
            units = { CS = "12" }
            reasons = { DMG = "Damaged in warehouse", FOUND = "Found in cycle count" }
            threshold = { absolute = "5" }
            "#,
        )
        .unwrap();
        let site = Site {
            rules,
            order_layout: Arc::new(wharf_formats::default_order_layout()),
            confirmation_layout: Arc::new(wharf_formats::default_confirmation_layout()),
            files: Arc::clone(&folder) as Arc<dyn WarehouseFiles>,
            inventory: Some(SiteInventory {
                rules: inventory_rules,
                movement_layout: Arc::new(wharf_formats::default_movement_layout()),
                snapshot_layout: Arc::new(wharf_formats::default_snapshot_layout()),
                files: Arc::clone(&inventory_folder) as Arc<dyn WarehouseFiles>,
            }),
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
            inventory_folder,
            _dir: dir,
        }
    }
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn key(location: &str, sku: &str, lot: Option<&str>) -> StockKey {
    StockKey {
        location: location.to_owned(),
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
    }
}

fn stock(
    location: &str,
    sku: &str,
    lot: Option<&str>,
    quantity: &str,
    tracking: &str,
) -> OdooStock {
    OdooStock {
        key: key(location, sku, lot),
        quantity: dec(quantity),
        expiry_date: lot.map(|_| "2099-01-31".to_owned()),
        tracking: tracking.to_owned(),
        uom_rounding: Decimal::ONE,
    }
}

#[tokio::test]
async fn movement_file_becomes_plans_per_reason() {
    let harness = Harness::new().await;
    let file = "\
movement_ref,kind,location,to_location,sku,lot,expiry_date,quantity,unit,reason,occurred_at
M1,cycle_count,A-01,,WID-100,,,97,EA,,2026-12-04T09:00:00+01:00
M2,adjustment,A-01,,GLUE,GL-9,2027-03-31,-0.25,CS,DMG,2026-12-04T09:05:00+01:00
M3,status_change,A-01,Q,WID-100,,,2,EA,DMG,2026-12-04T09:06:00+01:00
M4,scrap,A-01,,WID-100,,,1,PAL,DMG,2026-12-04T09:07:00+01:00
";
    harness
        .inventory_folder
        .drop_file("MOV-0001.csv", file.as_bytes());
    for _ in 0..5 {
        harness.engine.step().await;
    }

    let plans = harness.erp.inventory.lock().unwrap().clone();
    assert_eq!(plans.len(), 2, "{plans:#?}");
    let damaged = plans
        .iter()
        .find(|plan| plan.reference.starts_with("Damaged in warehouse"))
        .unwrap();
    let glue = &damaged.lines[0];
    assert_eq!(glue.op, StockOp::Delta);
    assert_eq!(glue.quantity, dec("-3"));
    assert_eq!(glue.key, key("WH/Stock/Shelf 1", "GLUE", Some("GL-9")));
    assert_eq!(glue.expiry_date.as_deref(), Some("2027-03-31"));
    let moved: Vec<_> = damaged.lines[1..]
        .iter()
        .map(|line| (line.key.location.as_str(), line.quantity))
        .collect();
    assert_eq!(
        moved,
        vec![("WH/Stock/Shelf 1", dec("-2")), ("WH/Quarantine", dec("2"))]
    );

    let counted = plans
        .iter()
        .find(|plan| plan.reference.starts_with("cycle_count"))
        .unwrap();
    assert_eq!(counted.lines[0].op, StockOp::Count);
    assert_eq!(counted.lines[0].quantity, dec("97"));

    let exceptions = harness.engine.store.exceptions(false).await.unwrap();
    assert_eq!(exceptions.len(), 1, "{exceptions:#?}");
    assert!(
        exceptions[0].detail.contains("PAL"),
        "{}",
        exceptions[0].detail
    );
    assert!(
        exceptions[0].detail.contains("M4"),
        "{}",
        exceptions[0].detail
    );
    assert_eq!(harness.inventory_folder.archived.lock().unwrap().len(), 1);
}

fn order() -> OrderRelease {
    OrderRelease {
        picking_id: 42,
        picking_name: "WH/OUT/00042".to_owned(),
        order_name: "S00042".to_owned(),
        customer_ref: String::new(),
        warehouse: "WH".to_owned(),
        customer: "Contoso Retail Ltd".to_owned(),
        customer_tags: vec![],
        credit_hold: false,
        ship_to: Address {
            name: "Contoso DC Reno".to_owned(),
            street: "1 Dock Road".to_owned(),
            zip: "89501".to_owned(),
            city: "Reno".to_owned(),
            country_code: "US".to_owned(),
            ..Address::default()
        },
        carrier: String::new(),
        scheduled_date: "2026-12-04 10:00:00".to_owned(),
        write_date: "2026-12-04 10:00:00".to_owned(),
        lines: vec![OrderLine {
            line_no: 1,
            move_id: 420,
            product_id: 100,
            sku: "WID-100".to_owned(),
            description: "Widget".to_owned(),
            quantity: dec("5"),
            uom: "Units".to_owned(),
            tracking: "none".to_owned(),
            reserved_lots: vec![],
        }],
    }
}

#[tokio::test]
async fn snapshot_counts_shipment_in_flight() {
    let harness = Harness::new().await;
    *harness.erp.ready.lock().unwrap() = vec![order()];
    *harness.erp.locations.lock().unwrap() = vec!["WH/Stock/Shelf 1".to_owned()];
    *harness.erp.stock.lock().unwrap() = vec![
        stock("WH/Stock", "WID-100", None, "100", "none"),
        stock("WH/Stock", "MILK", Some("MU-1"), "50", "lot"),
        stock("WH/Stock", "SCAN", Some("SX-1"), "1", "serial"),
        stock("WH/Stock", "PAINT", None, "10", "none"),
    ];
    for _ in 0..3 {
        harness.engine.step().await;
    }
    assert_eq!(harness.folder.written.lock().unwrap().len(), 1);

    // The warehouse shipped 5 before its snapshot; the confirmation has
    // arrived but is not applied in Odoo when the snapshot is reconciled.
    let confirmation = "\
picking_ref,line_no,move_id,sku,quantity,lot,expiry_date,carrier,tracking,shipped_at
WH/OUT/00042,1,420,WID-100,5,,,,,2026-12-04T08:00:00+01:00
";
    harness
        .folder
        .drop_file("SHP-42.csv", confirmation.as_bytes());
    let snapshot = "\
location,sku,lot,expiry_date,quantity,unit,taken_at
WH/Stock,WID-100,,,95,EA,2026-12-04T09:00:00+01:00
WH/Stock,MILK,MU-1,2099-01-31,47,EA,2026-12-04T09:00:00+01:00
WH/Stock,SCAN,SX-1,,1,EA,2026-12-04T09:00:00+01:00
A-01,SCAN,SX-1,,1,EA,2026-12-04T09:00:00+01:00
WH/Stock,PAINT,,,2,CS,2026-12-04T09:00:00+01:00
";
    harness
        .inventory_folder
        .drop_file("SNAP-0001.csv", snapshot.as_bytes());
    let site = harness.engine.sites[0].clone();
    let file = harness.inventory_folder.incoming.lock().unwrap()[0].clone();
    let outcome = harness
        .engine
        .reconcile_file(&site, &file, APPLY, &NoProgress)
        .await
        .unwrap();

    let row = |sku: &str, location: &str| {
        outcome
            .rows
            .iter()
            .find(|row| row.sku == sku && row.location == location)
            .unwrap_or_else(|| panic!("no row for {sku} at {location}: {:#?}", outcome.rows))
    };
    let widget = row("WID-100", "WH/Stock");
    assert_eq!(widget.kind, VarianceKind::Match);
    assert_eq!(widget.in_flight, dec("5"));
    assert_eq!(widget.variance, Decimal::ZERO);

    let milk = row("MILK", "WH/Stock");
    assert_eq!(milk.kind, VarianceKind::WithinThreshold);
    assert_eq!(milk.variance, dec("-3"));
    assert_eq!(milk.action, "applied");

    assert_eq!(row("SCAN", "WH/Stock").kind, VarianceKind::SerialDuplicate);
    assert_eq!(
        row("SCAN", "WH/Stock/Shelf 1").kind,
        VarianceKind::SerialDuplicate
    );

    let paint = row("PAINT", "WH/Stock");
    assert_eq!(paint.variance, dec("14"));
    assert_eq!(paint.kind, VarianceKind::BeyondThreshold);
    assert_eq!(paint.action, "exception");
    assert_eq!(outcome.summary.applied, 1);

    // Delivering applies the shipment and the adjustment, nothing else.
    harness.engine.deliver_odoo().await.unwrap();
    let plans = harness.erp.inventory.lock().unwrap().clone();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].lines.len(), 1);
    assert_eq!(plans[0].lines[0].key, key("WH/Stock", "MILK", Some("MU-1")));
    assert_eq!(plans[0].lines[0].quantity, dec("-3"));
    assert_eq!(harness.erp.applied.lock().unwrap().len(), 1);

    let status = harness.engine.store.status().await.unwrap();
    assert_eq!(status.reconciliations.len(), 1);
    assert_eq!(status.reconciliations[0].applied, 1);
    let open = harness.engine.store.exceptions(false).await.unwrap();
    let kinds: Vec<_> = open.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"serial_duplicate"), "{kinds:?}");
    assert!(kinds.contains(&"inventory_variance"), "{kinds:?}");
}
