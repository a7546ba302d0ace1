//! The WMS simulator's stock: shipments and movements change it, snapshots
//! report it, and drift changes it by exactly what `drift.jsonl` records.

mod wms_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use rust_decimal::Decimal;
use wharf_formats::{decode_movements, decode_snapshot, default_movement_layout};
use wharf_model::{InventoryMovement, MovementKind, SnapshotRow, StockKey};
use wharf_sim::wms::{
    read_drift, read_movement_log, run_cli_with_inventory, DriftKind, DriftOptions, FaultOptions,
    InventoryOptions, InventorySchedule, StockRow, WmsError, WmsInventoryArgs, WmsSim, WmsSimArgs,
    STOCK_FILE,
};
use wms_support::{drop_order_file, order, sim, temp_root};

fn row(location: &str, sku: &str, lot: Option<&str>, quantity: i64) -> StockRow {
    StockRow {
        location: location.to_owned(),
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
        expiry_date: lot.map(|_| "2026-01-31".to_owned()),
        quantity: Decimal::from(quantity),
    }
}

fn key(location: &str, sku: &str, lot: Option<&str>) -> StockKey {
    StockKey {
        location: location.to_owned(),
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
    }
}

/// Builds a warehouse with plain, lot-tracked and serial stock in several bins.
fn starting_stock() -> Vec<StockRow> {
    vec![
        row("A-01", "PLAIN", None, 100),
        row("A-01", "LOTTED", Some("L-099"), 30),
        row("A-02", "LOTTED", Some("L-100"), 40),
        row("A-02", "BOLTS", Some("B-7"), 60),
        row("A-03", "SERIAL", Some("SN-A"), 1),
        row("A-03", "SERIAL", Some("SN-B"), 1),
        row("B-01", "PLAIN", None, 24),
        row("B-01", "CASED", None, 48),
        row("C-01", "LOTTED", Some("L-101"), 12),
        row("C-01", "BOLTS", Some("B-8"), 5),
    ]
}

/// Non-zero balances by key, in units.
fn balances(rows: &[StockRow]) -> BTreeMap<StockKey, Decimal> {
    rows.iter()
        .filter(|row| !row.quantity.is_zero())
        .map(|row| (row.key(), row.quantity))
        .collect()
}

/// Non-zero snapshot balances by key, converted to units.
fn snapshot_balances(rows: &[SnapshotRow], case_size: u32) -> BTreeMap<StockKey, Decimal> {
    rows.iter()
        .filter(|row| !row.quantity.is_zero())
        .map(|row| {
            let units = match row.unit.as_deref() {
                Some("CS") => row.quantity * Decimal::from(case_size),
                Some("EA") => row.quantity,
                other => panic!("unexpected unit {other:?} in {row:?}"),
            };
            (key(&row.location, &row.sku, row.lot.as_deref()), units)
        })
        .collect()
}

/// Applies movements to balances in units, as a reader of the file would.
fn replay(
    mut stock: BTreeMap<StockKey, Decimal>,
    movements: &[InventoryMovement],
    case_size: u32,
) -> BTreeMap<StockKey, Decimal> {
    for movement in movements {
        let units = match movement.unit.as_deref() {
            Some("CS") => movement.quantity * Decimal::from(case_size),
            _ => movement.quantity,
        };
        let from = key(&movement.location, &movement.sku, movement.lot.as_deref());
        match movement.kind {
            MovementKind::CycleCount => {
                stock.insert(from, units);
            }
            MovementKind::Adjustment => *stock.entry(from).or_default() += units,
            MovementKind::Scrap => *stock.entry(from).or_default() -= units,
            MovementKind::StatusChange => {
                let to = movement.to_location.as_deref().unwrap();
                *stock.entry(from).or_default() -= units;
                *stock
                    .entry(key(to, &movement.sku, movement.lot.as_deref()))
                    .or_default() += units;
            }
        }
    }
    stock.retain(|_, quantity| !quantity.is_zero());
    stock
}

fn stocked_sim(root: &Path) -> WmsSim {
    let mut sim = sim(root, FaultOptions::default());
    sim.load_stock(starting_stock()).unwrap();
    sim
}

fn inventory_files(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("inventory"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn stock_decreases_on_shipment() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    sim.load_stock(vec![
        row("QUARANTINE", "PLAIN", None, 5),
        row("Z-09", "PLAIN", None, 100),
        row("A-01", "LOTTED", Some("L-099"), 30),
        row("B-01", "LOTTED", Some("L-100"), 20),
        row("A-03", "SERIAL", Some("SN-A"), 1),
    ])
    .unwrap();
    drop_order_file(root.path(), "o.csv", &[order(1)]);

    sim.run_once().await.unwrap();

    let stock = balances(&sim.stock());
    // Quarantine is never picked, so the plain units leave Z-09.
    assert_eq!(stock[&key("Z-09", "PLAIN", None)], Decimal::from(90));
    assert_eq!(stock[&key("QUARANTINE", "PLAIN", None)], Decimal::from(5));
    // The reserved lot leaves its own location, not the first by code.
    assert_eq!(
        stock[&key("B-01", "LOTTED", Some("L-100"))],
        Decimal::from(16)
    );
    assert_eq!(
        stock[&key("A-01", "LOTTED", Some("L-099"))],
        Decimal::from(30)
    );
    // SN-A leaves; the generated serial was never in stock and goes negative.
    assert!(!stock.contains_key(&key("A-03", "SERIAL", Some("SN-A"))));
    assert_eq!(
        stock[&key("A-03", "SERIAL", Some("SN-000001-3-0001"))],
        Decimal::from(-1)
    );
    assert_eq!(stock.len(), 5);

    let reopened = wms_support::sim(root.path(), FaultOptions::default());
    assert_eq!(reopened.stock(), sim.stock(), "stock.json keeps the stock");
}

#[tokio::test]
async fn unknown_sku_ships_from_default_location() {
    let root = temp_root();
    let mut plain = order(1);
    plain.lines.truncate(1);
    drop_order_file(root.path(), "o.csv", &[plain]);
    let faults = FaultOptions {
        unknown_sku_every: Some(1),
        ..FaultOptions::default()
    };
    let mut sim = sim(root.path(), faults);

    sim.run_once().await.unwrap();

    let stock = balances(&sim.stock());
    assert_eq!(stock[&key("STOCK", "PLAIN", None)], Decimal::from(-10));
    assert_eq!(stock[&key("STOCK", "UNKNOWN-1", None)], Decimal::from(-1));
}

#[tokio::test]
async fn movements_change_stock_and_decode() {
    let root = temp_root();
    let mut sim = stocked_sim(root.path());
    let before = balances(&sim.stock());

    let movements = sim.write_movements(20, 42).await.unwrap();

    assert_eq!(movements.len(), 20);
    assert_eq!(inventory_files(root.path()), ["MOV-000001.csv"]);
    let bytes = std::fs::read(root.path().join("inventory/MOV-000001.csv")).unwrap();
    assert_eq!(
        decode_movements(&default_movement_layout(), &bytes).unwrap(),
        movements
    );
    assert_eq!(read_movement_log(root.path()).unwrap(), movements);
    assert_eq!(replay(before, &movements, 12), balances(&sim.stock()));

    for kind in MovementKind::ALL {
        assert!(
            movements.iter().any(|movement| movement.kind == kind),
            "no {kind} among {movements:#?}"
        );
    }
    for movement in &movements {
        assert_eq!(movement.unit.as_deref(), Some("EA"));
        let reason = movement.reason.as_deref();
        match movement.kind {
            MovementKind::CycleCount => assert_eq!(reason, None),
            MovementKind::Adjustment if movement.quantity > Decimal::ZERO => {
                assert_eq!(reason, Some("FOUND"));
            }
            MovementKind::Adjustment => assert!(matches!(reason, Some("DMG" | "LOST"))),
            MovementKind::Scrap => assert!(matches!(reason, Some("DMG" | "EXPIRED"))),
            MovementKind::StatusChange => {
                assert_eq!(movement.to_location.as_deref(), Some("QUARANTINE"));
            }
        }
    }
}

#[tokio::test]
async fn movement_files_are_numbered() {
    let root = temp_root();
    let mut sim = stocked_sim(root.path());

    let first = sim.write_movements(3, 1).await.unwrap();
    let second = sim.write_movements(3, 2).await.unwrap();

    assert_eq!(
        inventory_files(root.path()),
        ["MOV-000001.csv", "MOV-000002.csv"]
    );
    assert_eq!(first[0].movement_ref, "MOV-000001-0001");
    assert_eq!(second[2].movement_ref, "MOV-000002-0003");
    let mut reopened = wms_support::sim(root.path(), FaultOptions::default());
    reopened.write_movements(1, 3).await.unwrap();
    assert!(root.path().join("inventory/MOV-000003.csv").exists());
}

#[tokio::test]
async fn movements_need_stock() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());

    let error = sim.write_movements(5, 1).await.unwrap_err();

    assert!(matches!(error, WmsError::NoStockToMove), "{error}");
    assert!(error.to_string().contains("stock.json"), "{error}");
    assert!(inventory_files(root.path()).is_empty());
}

#[tokio::test]
async fn snapshot_equals_stock() {
    let root = temp_root();
    let mut sim = stocked_sim(root.path());
    sim.write_movements(10, 5).await.unwrap();
    let mut options = InventoryOptions::default();
    options.snapshot_layout.time_zone = Some("Asia/Tokyo".to_owned());
    options.snapshot_layout.datetime_format = "%Y-%m-%d %H:%M:%S".to_owned();
    sim.set_inventory_options(options.clone()).unwrap();
    let before = jiff::Timestamp::now();

    let report = sim
        .write_snapshot(&DriftOptions::default(), 9)
        .await
        .unwrap();

    assert_eq!(report.file_name, "SNAP-000001.csv");
    assert!(report.drift.is_empty());
    assert_eq!(snapshot_balances(&report.rows, 12), balances(&sim.stock()));
    let bytes = std::fs::read(root.path().join("inventory/SNAP-000001.csv")).unwrap();
    let decoded = decode_snapshot(&options.snapshot_layout, &bytes).unwrap();
    assert_eq!(decoded.rows, report.rows);
    assert_eq!(decoded.taken_at.as_deref(), Some(report.taken_at.as_str()));

    // The file has the time in Tokyo, without an offset.
    let taken_at: jiff::Timestamp = report.taken_at.parse().unwrap();
    assert!((taken_at.as_second() - before.as_second()).abs() <= 2);
    let local = taken_at
        .to_zoned(jiff::tz::TimeZone::get("Asia/Tokyo").unwrap())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    assert!(String::from_utf8(bytes).unwrap().contains(&local));
}

#[tokio::test]
async fn drift_recorded_equals_difference() {
    let root = temp_root();
    let mut sim = stocked_sim(root.path());
    sim.set_inventory_options(InventoryOptions {
        serial_skus: vec!["SERIAL".to_owned()],
        ..InventoryOptions::default()
    })
    .unwrap();
    let before = balances(&sim.stock());
    let drift = DriftOptions {
        lost_cartons: 2,
        miscounted_lots: 2,
        serials_twice: 1,
    };

    let report = sim.write_snapshot(&drift, 77).await.unwrap();

    let mut recorded: BTreeMap<StockKey, Decimal> = BTreeMap::new();
    for record in &report.drift {
        *recorded.entry(record.key.clone()).or_default() += record.delta;
    }
    let snapshot = snapshot_balances(&report.rows, 12);
    let mut difference = snapshot.clone();
    for (key, quantity) in &before {
        *difference.entry(key.clone()).or_default() -= *quantity;
    }
    difference.retain(|_, delta| !delta.is_zero());
    assert_eq!(difference, recorded);

    let count = |kind: DriftKind| report.drift.iter().filter(|r| r.kind == kind).count();
    assert_eq!(count(DriftKind::LostCarton), 2);
    assert_eq!(count(DriftKind::MiscountedLot), 2);
    assert_eq!(count(DriftKind::SerialTwice), 1);
    for record in &report.drift {
        assert_eq!(record.snapshot_file, "SNAP-000001.csv");
        match record.kind {
            DriftKind::LostCarton => assert_eq!(record.delta, Decimal::from(-12)),
            DriftKind::MiscountedLot => assert!(record.key.lot.is_some()),
            DriftKind::SerialTwice => {
                assert_eq!(record.key.sku, "SERIAL");
                assert_ne!(record.key.location, "A-03");
            }
        }
    }

    assert_eq!(read_drift(root.path()).unwrap(), report.drift);
    assert!(read_movement_log(root.path()).unwrap().is_empty());
    assert_eq!(snapshot, balances(&sim.stock()), "drift stays in the stock");
}

#[tokio::test]
async fn case_units_convert_without_drift() {
    let root = temp_root();
    let mut sim = stocked_sim(root.path());
    sim.set_inventory_options(InventoryOptions {
        case_units: vec!["CASED".to_owned(), "BOLTS".to_owned()],
        ..InventoryOptions::default()
    })
    .unwrap();
    sim.load_stock(vec![
        row("A-01", "CASED", None, 36),
        row("A-02", "CASED", None, 3),
        row("A-02", "BOLTS", Some("B-7"), 60),
        row("B-01", "PLAIN", None, 5),
    ])
    .unwrap();
    let before = balances(&sim.stock());

    let movements = sim.write_movements(12, 11).await.unwrap();
    let report = sim
        .write_snapshot(&DriftOptions::default(), 4)
        .await
        .unwrap();

    for movement in &movements {
        let expected = if movement.sku == "PLAIN" { "EA" } else { "CS" };
        assert_eq!(movement.unit.as_deref(), Some(expected), "{movement:?}");
    }
    assert!(movements
        .iter()
        .any(|movement| movement.unit.as_deref() == Some("CS")));
    let after = replay(before, &movements, 12);
    assert_eq!(after, balances(&sim.stock()));
    assert_eq!(snapshot_balances(&report.rows, 12), after);
    for row in &report.rows {
        let expected = if row.sku == "PLAIN" { "EA" } else { "CS" };
        assert_eq!(row.unit.as_deref(), Some(expected), "{row:?}");
    }
}

#[tokio::test]
async fn case_quantities_are_fractional() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    sim.set_inventory_options(InventoryOptions {
        case_units: vec!["CASED".to_owned()],
        ..InventoryOptions::default()
    })
    .unwrap();
    sim.load_stock(vec![
        row("A-01", "CASED", None, 36),
        row("A-02", "CASED", None, 3),
        row("B-01", "PLAIN", None, 5),
    ])
    .unwrap();

    let report = sim
        .write_snapshot(&DriftOptions::default(), 1)
        .await
        .unwrap();

    let quantities: Vec<(String, String)> = report
        .rows
        .iter()
        .map(|row| (row.quantity.to_string(), row.unit.clone().unwrap()))
        .collect();
    assert_eq!(
        quantities,
        [
            ("3".to_owned(), "CS".to_owned()),
            ("0.25".to_owned(), "CS".to_owned()),
            ("5".to_owned(), "EA".to_owned()),
        ]
    );
}

#[tokio::test]
async fn stock_file_from_setup() {
    let root = temp_root();
    std::fs::write(
        root.path().join(STOCK_FILE),
        r#"{"rows":[{"location":"A-01","sku":"PLAIN","quantity":"7.5"}]}"#,
    )
    .unwrap();

    let sim = sim(root.path(), FaultOptions::default());

    assert_eq!(
        sim.stock(),
        [StockRow {
            location: "A-01".to_owned(),
            sku: "PLAIN".to_owned(),
            lot: None,
            expiry_date: None,
            quantity: "7.5".parse().unwrap(),
        }]
    );
}

#[tokio::test]
async fn unusable_snapshot_layout_rejected() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    let mut options = InventoryOptions::default();
    options
        .snapshot_layout
        .columns
        .retain(|column| column.field.as_deref() != Some("sku"));

    let error = sim.set_inventory_options(options).unwrap_err();

    assert!(error.to_string().contains("snapshot layout"), "{error}");
    assert!(error.to_string().contains("sku"), "{error}");
}

#[tokio::test]
async fn duplicate_stock_row_rejected() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());

    let error = sim
        .load_stock(vec![
            row("A-01", "PLAIN", None, 1),
            row("A-01", "PLAIN", None, 2),
        ])
        .unwrap_err();

    assert!(error.to_string().contains("listed twice"), "{error}");
}

#[tokio::test]
async fn corrupt_stock_file_is_reported() {
    let root = temp_root();
    std::fs::write(root.path().join(STOCK_FILE), b"{\"rowz\":[]}").unwrap();

    let error = WmsSim::new(wharf_sim::wms::WmsOptions {
        root: root.path().to_owned(),
        order_layout: wharf_formats::default_order_layout(),
        confirmation_layout: wharf_formats::default_confirmation_layout(),
        faults: FaultOptions::default(),
        seed: 1,
    })
    .unwrap_err();

    assert!(error.to_string().contains(STOCK_FILE), "{error}");
}

#[tokio::test]
async fn running_writes_files_on_intervals() {
    let root = temp_root();
    let mut sim = stocked_sim(root.path());
    let schedule = InventorySchedule {
        movements_every: Some(Duration::from_millis(40)),
        movements_per_file: 2,
        snapshot_every: Some(Duration::from_millis(60)),
        first_snapshot_drift: DriftOptions {
            lost_cartons: 1,
            ..DriftOptions::default()
        },
    };

    sim.run_with_inventory(
        Duration::from_millis(10),
        &schedule,
        tokio::time::sleep(Duration::from_millis(400)),
    )
    .await;

    let files = inventory_files(root.path());
    let snapshots = files
        .iter()
        .filter(|name| name.starts_with("SNAP-"))
        .count();
    assert!(files.contains(&"MOV-000001.csv".to_owned()), "{files:?}");
    assert!(snapshots >= 2, "{files:?}");
    let drift = read_drift(root.path()).unwrap();
    assert_eq!(drift.len(), 1, "drift before the first snapshot only");
    assert_eq!(drift[0].snapshot_file, "SNAP-000001.csv");
}

#[tokio::test]
async fn cli_once_writes_inventory_files() {
    let root = temp_root();
    std::fs::write(
        root.path().join(STOCK_FILE),
        r#"{"rows":[{"location":"A-01","sku":"PLAIN","quantity":"100"}]}"#,
    )
    .unwrap();
    let args = WmsSimArgs {
        root: root.path().to_owned(),
        poll_interval_ms: 1000,
        faults: FaultOptions::default(),
        seed: 3,
        order_layout: None,
        confirmation_layout: None,
        once: true,
    };
    let inventory = WmsInventoryArgs {
        movements_every_secs: Some(60),
        snapshot_every_secs: Some(60),
        drift: DriftOptions {
            lost_cartons: 1,
            ..DriftOptions::default()
        },
        ..WmsInventoryArgs::default()
    };

    run_cli_with_inventory(args, inventory).await.unwrap();

    assert_eq!(
        inventory_files(root.path()),
        ["MOV-000001.csv", "SNAP-000001.csv"]
    );
    assert_eq!(read_movement_log(root.path()).unwrap().len(), 5);
    assert_eq!(read_drift(root.path()).unwrap().len(), 1);
}

#[tokio::test]
async fn cli_rejects_zero_interval() {
    let root = temp_root();
    let args = WmsSimArgs {
        root: root.path().to_owned(),
        poll_interval_ms: 1000,
        faults: FaultOptions::default(),
        seed: 3,
        order_layout: None,
        confirmation_layout: None,
        once: true,
    };
    let inventory = WmsInventoryArgs {
        snapshot_every_secs: Some(0),
        ..WmsInventoryArgs::default()
    };

    let error = run_cli_with_inventory(args, inventory).await.unwrap_err();

    assert!(error.to_string().contains("--snapshot-every 0"), "{error}");
}
