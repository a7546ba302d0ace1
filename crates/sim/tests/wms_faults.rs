//! Each fault of the WMS simulator produces exactly the files and ledger
//! entries its option describes.

mod wms_support;

use rust_decimal::Decimal;
use wharf_sim::wms::{read_ledger, tracking_number, Fault, FaultOptions};
use wms_support::{
    drop_order_file, order, outbound_files, read_confirmation, sim, temp_root, SEED,
};

const FILE_1: &str = "SHP-000001-WH_OUT_00001.csv";

#[tokio::test]
async fn no_faults_ships_in_full() {
    let root = temp_root();
    drop_order_file(root.path(), "orders-1.csv", &[order(1)]);
    let mut sim = sim(root.path(), FaultOptions::default());

    let entries = sim.run_once().await.unwrap();

    assert_eq!(outbound_files(root.path()), [FILE_1]);
    assert!(root.path().join("processed/orders-1.csv").exists());
    assert!(!root.path().join("inbound/orders-1.csv").exists());

    let confirmation = read_confirmation(root.path(), FILE_1);
    assert_eq!(confirmation.picking_ref, "WH/OUT/00001");
    assert_eq!(confirmation.carrier.as_deref(), Some("DHL"));
    assert_eq!(confirmation.tracking_numbers, [tracking_number(SEED, 1, 0)]);
    let shipped_at: jiff::Timestamp = confirmation
        .shipped_at
        .as_deref()
        .expect("confirmation carries shipped_at")
        .parse()
        .unwrap();
    let age = jiff::Timestamp::now().duration_since(shipped_at);
    assert!(
        age.as_secs() < 60,
        "shipped_at {shipped_at} is not the time of shipping"
    );

    let shipped: Vec<(&str, String, Option<&str>)> = confirmation
        .lines
        .iter()
        .map(|line| {
            (
                line.sku.as_str(),
                line.quantity.to_string(),
                line.lot.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shipped,
        [
            ("PLAIN", "10".to_owned(), None),
            ("LOTTED", "4".to_owned(), Some("L-100")),
            ("SERIAL", "1".to_owned(), Some("SN-A")),
            ("SERIAL", "1".to_owned(), Some("SN-000001-3-0001")),
        ]
    );

    assert_eq!(entries.len(), 1);
    assert_eq!(entries, read_ledger(root.path()).unwrap());
    let entry = &entries[0];
    assert_eq!(entry.seq, 1);
    assert!(entry.faults.is_empty());
    assert_eq!(entry.confirmation_files, [FILE_1]);
    assert_eq!(entry.encoding, "utf-8");
    assert_eq!(entry.lines[2].lots, ["SN-A", "SN-000001-3-0001"]);
}

#[tokio::test]
async fn short_ships_half_of_first_line() {
    let root = temp_root();
    drop_order_file(root.path(), "o.csv", &[order(1)]);
    let faults = FaultOptions {
        short_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let confirmation = read_confirmation(root.path(), FILE_1);
    assert_eq!(confirmation.lines[0].quantity, Decimal::from(5));
    assert_eq!(
        confirmation.lines[1].quantity,
        Decimal::from(4),
        "other lines in full"
    );
    assert_eq!(entries[0].faults, [Fault::Short]);
    assert_eq!(entries[0].lines[0].demanded, Decimal::from(10));
    assert_eq!(entries[0].lines[0].shipped, Decimal::from(5));
}

#[tokio::test]
async fn short_serial_line_ships_fewer_serials() {
    let root = temp_root();
    let mut serial_only = order(1);
    serial_only.lines.retain(|line| line.tracking == "serial");
    drop_order_file(root.path(), "o.csv", &[serial_only]);
    let faults = FaultOptions {
        short_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let confirmation = read_confirmation(root.path(), FILE_1);
    assert_eq!(confirmation.lines.len(), 1, "2 demanded, 1 serial shipped");
    assert_eq!(confirmation.lines[0].lot.as_deref(), Some("SN-A"));
    assert_eq!(entries[0].lines[0].shipped, Decimal::ONE);
}

#[tokio::test]
async fn wrong_lot_on_lot_line() {
    let root = temp_root();
    drop_order_file(root.path(), "o.csv", &[order(1)]);
    let faults = FaultOptions {
        wrong_lot_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let confirmation = read_confirmation(root.path(), FILE_1);
    assert_eq!(confirmation.lines[1].lot.as_deref(), Some("L-100-B"));
    assert_eq!(
        confirmation.lines[2].lot.as_deref(),
        Some("SN-A"),
        "serials untouched"
    );
    assert_eq!(entries[0].faults, [Fault::WrongLot]);
    assert_eq!(entries[0].lines[1].lots, ["L-100-B"]);
}

#[tokio::test]
async fn wrong_lot_skipped_without_lot_line() {
    let root = temp_root();
    let mut plain = order(1);
    plain.lines.truncate(1);
    drop_order_file(root.path(), "o.csv", &[plain]);
    let faults = FaultOptions {
        wrong_lot_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    assert!(
        entries[0].faults.is_empty(),
        "no lot-tracked line to get wrong"
    );
}

#[tokio::test]
async fn two_tracking_numbers() {
    let root = temp_root();
    drop_order_file(root.path(), "o.csv", &[order(1)]);
    let faults = FaultOptions {
        two_tracking_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let confirmation = read_confirmation(root.path(), FILE_1);
    let expected = [tracking_number(SEED, 1, 0), tracking_number(SEED, 1, 1)];
    assert_eq!(confirmation.tracking_numbers, expected);
    assert!(expected.iter().all(|number| number.len() == 12));
    assert_eq!(entries[0].tracking_numbers, expected);
    assert_eq!(entries[0].faults, [Fault::TwoTracking]);
}

#[tokio::test]
async fn duplicate_writes_same_bytes_twice() {
    let root = temp_root();
    drop_order_file(root.path(), "o.csv", &[order(1)]);
    let faults = FaultOptions {
        duplicate_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let duplicate = "SHP-000001-WH_OUT_00001-dup.csv";
    assert_eq!(outbound_files(root.path()), [duplicate, FILE_1]);
    let outbound = root.path().join("outbound");
    assert_eq!(
        std::fs::read(outbound.join(FILE_1)).unwrap(),
        std::fs::read(outbound.join(duplicate)).unwrap()
    );
    assert_eq!(entries[0].confirmation_files, [FILE_1, duplicate]);
    assert_eq!(entries[0].faults, [Fault::Duplicate]);
}

#[tokio::test]
async fn unknown_sku_line_added() {
    let root = temp_root();
    drop_order_file(root.path(), "o.csv", &[order(1)]);
    let faults = FaultOptions {
        unknown_sku_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let confirmation = read_confirmation(root.path(), FILE_1);
    let last = confirmation.lines.last().unwrap();
    assert_eq!(last.sku, "UNKNOWN-1");
    assert_eq!(last.quantity, Decimal::ONE);
    assert_eq!(last.move_id, None);
    assert_eq!(entries[0].faults, [Fault::UnknownSku]);
    assert_eq!(entries[0].lines.last().unwrap().sku, "UNKNOWN-1");
}

#[tokio::test]
async fn cp1252_file_has_bom_crlf_and_e_acute() {
    let root = temp_root();
    drop_order_file(root.path(), "o.csv", &[order(1)]);
    let faults = FaultOptions {
        cp1252_every: Some(1),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let bytes = std::fs::read(root.path().join("outbound").join(FILE_1)).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte order mark");
    assert!(bytes.contains(&0xE9), "Windows-1252 `é`");
    assert!(
        std::str::from_utf8(&bytes[3..]).is_err(),
        "not UTF-8 after the mark"
    );
    let line_ends = bytes.iter().filter(|&&byte| byte == b'\n').count();
    assert_eq!(
        bytes.windows(2).filter(|pair| pair == b"\r\n").count(),
        line_ends,
        "CRLF only"
    );

    let confirmation = read_confirmation(root.path(), FILE_1);
    assert_eq!(confirmation.lines.len(), 4, "decodes with `auto`");
    assert_eq!(entries[0].encoding, "windows-1252");
    assert_eq!(entries[0].faults, [Fault::Cp1252]);
}

#[tokio::test]
async fn every_nth_order_only() {
    let root = temp_root();
    drop_order_file(root.path(), "a.csv", &[order(1), order(2), order(3)]);
    let faults = FaultOptions {
        short_every: Some(2),
        unknown_sku_every: Some(3),
        ..FaultOptions::default()
    };

    let entries = sim(root.path(), faults).run_once().await.unwrap();

    let applied: Vec<(u64, Vec<Fault>)> = entries
        .iter()
        .map(|entry| (entry.seq, entry.faults.clone()))
        .collect();
    assert_eq!(
        applied,
        [
            (1, vec![]),
            (2, vec![Fault::Short]),
            (3, vec![Fault::UnknownSku])
        ]
    );
    assert_eq!(outbound_files(root.path()).len(), 3);
}

#[tokio::test]
async fn undecodable_order_file_rejected() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    std::fs::write(
        root.path().join("inbound/bad.csv"),
        b"not,an,order\n1,2,3\n",
    )
    .unwrap();

    let entries = sim.run_once().await.unwrap();

    assert!(entries.is_empty());
    assert!(root.path().join("rejected/bad.csv").exists());
    let reason = std::fs::read_to_string(root.path().join("rejected/bad.csv.reason.txt")).unwrap();
    assert!(reason.contains("picking_id"), "{reason}");
    assert_eq!(sim.last_seq(), 0, "no order taken");
}

#[tokio::test]
async fn temp_files_left_alone() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    std::fs::write(root.path().join("inbound/half.csv.tmp"), b"picking_id,pick").unwrap();

    let entries = sim.run_once().await.unwrap();

    assert!(entries.is_empty());
    assert!(root.path().join("inbound/half.csv.tmp").exists());
}
