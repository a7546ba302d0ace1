//! Inventory end to end: the Odoo simulator, the WMS simulator keeping its
//! own stock, and the hub on SQLite. Orders ship, the warehouse reports
//! movements, loses stock without reporting it, and sends a snapshot while
//! its last shipments are still on the way to Odoo. The reconciliation must
//! report exactly the injected drift, count the shipments as in flight,
//! and after `--apply` Odoo must hold what the warehouse holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tokio::sync::watch;
use wharf::config::Config;
use wharf_engine::inventory::{NoProgress, ReconcileOptions};
use wharf_engine::ports::InFile;
use wharf_engine::Engine;
use wharf_model::{Decimal, StockKey, VarianceKind};
use wharf_sim::odoo::{OdooSim, SeedOptions, SimOptions};
use wharf_sim::wms::{
    DriftKind, DriftOptions, FaultOptions, InventoryOptions, StockRow, WmsOptions, WmsSim,
};

/// Options of `wharf reconcile --apply` and of the hub: adjust and raise.
const APPLY: ReconcileOptions = ReconcileOptions {
    apply: true,
    raise_exceptions: true,
};
/// Options of `wharf reconcile` without `--apply`: report only.
const REPORT: ReconcileOptions = ReconcileOptions {
    apply: false,
    raise_exceptions: false,
};
const API_KEY: &str = "inventory-test-key";
const DATABASE: &str = "wharf_inventory";
const ZONE: &str = "Europe/Berlin";
/// The warehouse's code for Odoo's `WH/Stock`.
const STOCK: &str = "STOCK";
const QUARANTINE: &str = "QUARANTINE";

struct World {
    engine: Engine,
    /// The configuration file, for runs of the `wharf` binary.
    config_path: PathBuf,
    wms: WmsSim,
    sim: OdooSim,
    root: PathBuf,
    _stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

async fn start() -> World {
    start_version(19).await
}

async fn start_version(version: u8) -> World {
    let dir = tempfile::tempdir().unwrap();
    let sim = OdooSim::new(SimOptions {
        version,
        database: DATABASE.to_owned(),
        api_key: API_KEY.to_owned(),
        login: "integration".to_owned(),
        password: API_KEY.to_owned(),
    })
    .unwrap();
    sim.seed_demo(&SeedOptions {
        orders: 12,
        seed: 5,
        lines_per_order: (1, 3),
        ..SeedOptions::default()
    })
    .unwrap();
    let (stop, stopped) = watch::channel(false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = sim.clone();
    tokio::spawn(async move {
        let mut stopped = stopped;
        let _ = server
            .serve(listener, async move {
                while stopped.changed().await.is_ok() && !*stopped.borrow() {}
            })
            .await;
    });

    let root = dir.path().join("site-main");
    let config = config(dir.path(), &root, &url);
    let engine = wharf::hub::build(&config).await.unwrap();

    let mut wms = WmsSim::new(WmsOptions {
        root: root.clone(),
        order_layout: zoned(wharf_formats::default_order_layout()),
        confirmation_layout: zoned(wharf_formats::default_confirmation_layout()),
        faults: FaultOptions::default(),
        seed: 5,
    })
    .unwrap();
    wms.set_inventory_options(InventoryOptions {
        movement_layout: zoned(wharf_formats::default_movement_layout()),
        snapshot_layout: zoned(wharf_formats::default_snapshot_layout()),
        case_units: vec!["WID-200".to_owned()],
        serial_skus: vec!["SCAN-X1".to_owned()],
        quarantine_location: QUARANTINE.to_owned(),
        default_location: STOCK.to_owned(),
        ..InventoryOptions::default()
    })
    .unwrap();

    // The warehouse starts with exactly Odoo's stock.
    let odoo = engine
        .erp
        .stock_on_hand(&["WH/Stock".to_owned()])
        .await
        .unwrap();
    let rows = odoo
        .into_iter()
        .filter(|row| row.key.location == "WH/Stock")
        .map(|row| StockRow {
            location: STOCK.to_owned(),
            sku: row.key.sku,
            lot: row.key.lot,
            expiry_date: row.expiry_date,
            quantity: row.quantity,
        })
        .collect();
    wms.load_stock(rows).unwrap();

    World {
        engine,
        config_path: dir.path().join("wharf.toml"),
        wms,
        sim,
        root,
        _stop: stop,
        _dir: dir,
    }
}

fn zoned(mut layout: wharf_formats::Layout) -> wharf_formats::Layout {
    layout.time_zone = Some(ZONE.to_owned());
    layout
}

fn config(dir: &Path, root: &Path, url: &str) -> Config {
    std::fs::write(dir.join("odoo-api-key"), API_KEY).unwrap();
    let text = format!(
        r#"
[store]
path = "wharf.db"

[odoo]
url = "{url}"
database = "{DATABASE}"
login = "integration"
api_key_file = "odoo-api-key"

[[sites]]
code = "main"
warehouses = ["WH"]
time_zone = "{ZONE}"

[sites.folder]
read_dir = "{root}/outbound"
write_dir = "{root}/inbound"
archive_dir = "{root}/archive"
error_dir = "{root}/error"
completion = {{ temp_suffix = ".tmp" }}

[sites.inventory]
stock_location = "WH/Stock"
locations = {{ {STOCK} = "WH/Stock", {QUARANTINE} = "WH/Stock/Quarantine" }}
units = {{ CS = "12" }}
reasons = {{ DMG = "Damaged in warehouse", LOST = "Lost in warehouse", FOUND = "Found in cycle count", EXPIRED = "Expired", QC = "Quality hold" }}
threshold = {{ absolute = "100" }}

[sites.inventory_folder]
read_dir = "{root}/inventory"
write_dir = "{root}/inventory"
archive_dir = "{root}/inventory-archive"
error_dir = "{root}/inventory-error"
completion = {{ temp_suffix = ".tmp" }}
"#,
        root = root.display()
    );
    for folder in [
        "outbound",
        "inbound",
        "archive",
        "error",
        "inventory",
        "inventory-archive",
        "inventory-error",
    ] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    let path = dir.join("wharf.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

/// Runs hub passes until one does no work.
async fn settle(engine: &Engine) {
    for _ in 0..50 {
        if engine.step().await == 0 {
            return;
        }
    }
    panic!("the hub kept working after 50 passes");
}

/// Finds a snapshot file through the site's inventory folder, as the hub does.
async fn snapshot_file(world: &World, name: &str) -> InFile {
    let inventory = world.engine.sites[0].inventory.as_ref().unwrap();
    let files = inventory.files.scan().await.unwrap();
    files
        .into_iter()
        .find(|file| file.name == name)
        .unwrap_or_else(|| panic!("snapshot {name} is not in the inventory folder"))
}

/// Moves a reconciled snapshot to the archive, as `wharf reconcile` does.
async fn archive(world: &World, file: &InFile) {
    let inventory = world.engine.sites[0].inventory.as_ref().unwrap();
    inventory.files.archive(file).await.unwrap();
}

fn odoo_location(code: &str) -> String {
    match code {
        STOCK => "WH/Stock".to_owned(),
        QUARANTINE => "WH/Stock/Quarantine".to_owned(),
        other => other.to_owned(),
    }
}

/// Balances by key, zero balances left out.
type Balances = BTreeMap<StockKey, Decimal>;

fn wms_balances(wms: &WmsSim) -> Balances {
    let mut balances = Balances::new();
    for row in wms.stock() {
        let key = StockKey {
            location: odoo_location(&row.location),
            sku: row.sku,
            lot: row.lot,
        };
        *balances.entry(key).or_default() += row.quantity;
    }
    balances.retain(|_, quantity| !quantity.is_zero());
    balances
}

async fn odoo_balances(engine: &Engine) -> Balances {
    let mut balances = Balances::new();
    for row in engine
        .erp
        .stock_on_hand(&["WH/Stock".to_owned()])
        .await
        .unwrap()
    {
        *balances.entry(row.key).or_default() += row.quantity;
    }
    balances.retain(|_, quantity| !quantity.is_zero());
    balances
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_reported_exactly_with_shipments_in_flight() {
    let mut world = start().await;
    let site = world.engine.sites[0].clone();

    // Orders go out, and the warehouse reports movements that reach Odoo.
    settle(&world.engine).await;
    world.wms.write_movements(8, 11).await.unwrap();
    settle(&world.engine).await;
    let open = world.engine.store.exceptions(false).await.unwrap();
    assert!(open.is_empty(), "movements raised exceptions: {open:#?}");

    // The warehouse ships every order, then loses stock and takes a
    // snapshot before the hub has seen any of those confirmations.
    let shipped = world.wms.run_once().await.unwrap();
    assert!(!shipped.is_empty(), "the warehouse shipped nothing");
    let drift = DriftOptions {
        lost_cartons: 1,
        miscounted_lots: 1,
        serials_twice: 0,
    };
    let report = world.wms.write_snapshot(&drift, 3).await.unwrap();
    assert_eq!(report.drift.len(), 2, "{:#?}", report.drift);
    let file = snapshot_file(&world, &report.file_name).await;

    let outcome = world
        .engine
        .reconcile_file(&site, &file, REPORT, &NoProgress)
        .await
        .unwrap();

    let injected: BTreeMap<StockKey, Decimal> = report
        .drift
        .iter()
        .map(|record| {
            let key = StockKey {
                location: odoo_location(&record.key.location),
                ..record.key.clone()
            };
            (key, record.delta)
        })
        .collect();
    let reported: BTreeMap<StockKey, Decimal> = outcome
        .rows
        .iter()
        .filter(|row| !row.variance.is_zero())
        .map(|row| {
            let key = StockKey {
                location: row.location.clone(),
                sku: row.sku.clone(),
                lot: row.lot.clone(),
            };
            (key, row.variance)
        })
        .collect();
    assert_eq!(reported, injected, "rows: {:#?}", outcome.rows);
    assert!(outcome
        .rows
        .iter()
        .filter(|row| !row.variance.is_zero())
        .all(|row| row.kind == VarianceKind::WithinThreshold));

    let in_flight: Vec<_> = outcome
        .rows
        .iter()
        .filter(|row| !row.in_flight.is_zero())
        .collect();
    assert!(
        !in_flight.is_empty(),
        "no shipment counted in flight: {:#?}",
        outcome.rows
    );
    // Every shipment still on its way to Odoo is explained, not reported.
    let shipped_keys: std::collections::BTreeSet<(String, Option<String>)> = shipped
        .iter()
        .flat_map(|entry| entry.lines.iter())
        .filter(|line| !line.shipped.is_zero())
        .flat_map(|line| {
            let lots: Vec<Option<String>> = if line.lots.is_empty() {
                vec![None]
            } else {
                line.lots.iter().cloned().map(Some).collect()
            };
            lots.into_iter().map(|lot| (line.sku.clone(), lot))
        })
        .collect();
    let in_flight_keys: std::collections::BTreeSet<(String, Option<String>)> = in_flight
        .iter()
        .map(|row| (row.sku.clone(), row.lot.clone()))
        .collect();
    assert_eq!(in_flight_keys, shipped_keys);
    assert!(in_flight.iter().all(|row| row.variance.is_zero()
        || injected.contains_key(&StockKey {
            location: row.location.clone(),
            sku: row.sku.clone(),
            lot: row.lot.clone(),
        })));
    assert_eq!(outcome.summary.applied, 0);

    // Applying the same snapshot, then delivering everything queued, makes
    // Odoo hold what the warehouse holds.
    let applied = world
        .engine
        .reconcile_file(&site, &file, APPLY, &NoProgress)
        .await
        .unwrap();
    assert_eq!(applied.summary.applied, 2);
    archive(&world, &file).await;
    world.engine.deliver_odoo().await.unwrap();
    settle(&world.engine).await;
    assert_eq!(odoo_balances(&world.engine).await, wms_balances(&world.wms));
    let status = world.engine.store.status().await.unwrap();
    assert_eq!(status.reconciliations[0].applied, 2);

    // A serial booked into a second location is its own exception.
    let serial = DriftOptions {
        lost_cartons: 0,
        miscounted_lots: 0,
        serials_twice: 1,
    };
    let report = world.wms.write_snapshot(&serial, 4).await.unwrap();
    assert_eq!(report.drift[0].kind, DriftKind::SerialTwice);
    let file = snapshot_file(&world, &report.file_name).await;
    let outcome = world
        .engine
        .reconcile_file(&site, &file, APPLY, &NoProgress)
        .await
        .unwrap();
    let duplicated = report.drift[0].key.lot.clone();
    let serial_rows: Vec<_> = outcome
        .rows
        .iter()
        .filter(|row| row.kind == VarianceKind::SerialDuplicate)
        .collect();
    assert_eq!(serial_rows.len(), 2, "{:#?}", outcome.rows);
    assert!(serial_rows.iter().all(|row| row.lot == duplicated));
    let open = world.engine.store.exceptions(false).await.unwrap();
    assert!(
        open.iter().any(|e| e.kind.as_str() == "serial_duplicate"),
        "{open:#?}"
    );
    // The simulator books the second copy into a location Odoo lacks.
    let second = odoo_location(&report.drift[0].key.location);
    let unknown: Vec<_> = open
        .iter()
        .filter(|e| e.kind.as_str() == "unknown_location")
        .collect();
    assert_eq!(unknown.len(), 1, "{open:#?}");
    assert!(unknown[0].detail.contains(&second), "{}", unknown[0].detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_lot_from_movement_gets_expiry() {
    let world = start().await;
    let movement = "\
movement_ref,kind,location,to_location,sku,lot,expiry_date,quantity,unit,reason,occurred_at
M-NEW-1,adjustment,STOCK,,MILK-UHT,MU-2712-NEW,2027-12-31,24,EA,FOUND,2026-12-04T09:00:00+01:00
M-NEW-2,adjustment,STOCK,,WID-200,,,0.25,CS,FOUND,2026-12-04T09:00:00+01:00
";
    let path = world.root.join("inventory/MOV-9001.csv");
    std::fs::write(&path, movement).unwrap();
    let before = odoo_balances(&world.engine).await;

    settle(&world.engine).await;

    let open = world.engine.store.exceptions(false).await.unwrap();
    assert!(open.is_empty(), "{open:#?}");
    let rows = world
        .engine
        .erp
        .stock_on_hand(&["WH/Stock".to_owned()])
        .await
        .unwrap();
    let lot = rows
        .iter()
        .find(|row| row.key.lot.as_deref() == Some("MU-2712-NEW"))
        .expect("the new lot is on hand in Odoo");
    assert_eq!(lot.quantity, Decimal::from(24));
    assert_eq!(lot.expiry_date.as_deref(), Some("2027-12-31"));
    let widget = StockKey {
        location: "WH/Stock".to_owned(),
        sku: "WID-200".to_owned(),
        lot: None,
    };
    let after = odoo_balances(&world.engine).await;
    assert_eq!(
        after[&widget] - before[&widget],
        Decimal::from_str("3").unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odoo_17_count_needs_inventory_administrator() {
    let world = start_version(17).await;
    // The integration user is Inventory / User only, as the recorded
    // Odoo 17 server's was.
    let uid = world.sim.user_id("integration").unwrap();
    world
        .sim
        .admin_call(
            "res.users",
            "write",
            Some(vec![uid]),
            serde_json::json!({"vals": {"groups": ["Inventory / User", "Sales / User: All Documents", "User types / Internal User"]}}),
            serde_json::json!({}),
        )
        .unwrap();
    let movement = "\
movement_ref,kind,location,to_location,sku,lot,expiry_date,quantity,unit,reason,occurred_at
M-17-1,cycle_count,STOCK,,WID-100,,,97,EA,,2026-12-04T09:00:00+01:00
";
    std::fs::write(world.root.join("inventory/MOV-1701.csv"), movement).unwrap();
    let before = odoo_balances(&world.engine).await;

    settle(&world.engine).await;

    let open = world.engine.store.exceptions(false).await.unwrap();
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].kind.as_str(), "odoo_rejected");
    assert!(
        open[0].detail.contains("Inventory / Administrator"),
        "{}",
        open[0].detail
    );
    assert_eq!(odoo_balances(&world.engine).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_command_writes_report() {
    let mut world = start().await;
    let drift = DriftOptions {
        lost_cartons: 1,
        miscounted_lots: 0,
        serials_twice: 0,
    };
    let report = world.wms.write_snapshot(&drift, 9).await.unwrap();
    let lost = &report.drift[0];
    let output = world.root.join("reports/main");

    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .arg("reconcile")
        .arg("--config")
        .arg(&world.config_path)
        .args(["--site", "main", "--output"])
        .arg(&output)
        .output()
        .await
        .unwrap();

    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("Nothing was applied"), "{stdout}");
    let csv = std::fs::read_to_string(output.with_extension("csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "site,location,sku,lot,wms_quantity,odoo_quantity,in_flight_quantity,variance,kind,action,detail"
    );
    let lost_line = csv
        .lines()
        .find(|line| line.contains(&format!(",{},", lost.key.sku)))
        .unwrap_or_else(|| panic!("no row for {} in {csv}", lost.key.sku));
    let variance: Decimal = lost_line.split(',').nth(7).unwrap().parse().unwrap();
    assert_eq!(variance, lost.delta, "{lost_line}");
    assert!(
        lost_line.ends_with(",within_threshold,none,"),
        "{lost_line}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(output.with_extension("json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["snapshot_ref"], report.file_name.as_str());
    assert_eq!(json["summary"]["apply"], false);
    assert!(!world.wms.inventory_dir().join(&report.file_name).exists());

    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .arg("status")
        .arg("--config")
        .arg(&world.config_path)
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains(&report.file_name), "{text}");
    assert!(text.contains("1 variances, 0 applied"), "{text}");
}
