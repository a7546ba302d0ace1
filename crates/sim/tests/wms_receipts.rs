//! Expected receipts (purchases and returns) and the receipt advice the
//! simulated warehouse writes for them.

mod wms_support;

use std::path::Path;

use rust_decimal::Decimal;
use wharf_model::{Disposition, ReceiptKind, ReceivedLine};
use wharf_sim::wms::{
    read_ledger, read_receipt_log, run_cli_with_lifecycle, FaultOptions, LifecycleOptions,
    ReceiptFault, StockRow, WmsInventoryArgs, WmsLifecycleArgs, WmsSim, WmsSimArgs,
};
use wms_support::receipts::{dir_files, drop_receipt_file, expected, read_advice};
use wms_support::{line, outbound_files, sim, temp_root};

fn sim_with(root: &Path, lifecycle: LifecycleOptions) -> WmsSim {
    let mut sim = sim(root, FaultOptions::default());
    sim.set_lifecycle_options(lifecycle).unwrap();
    sim
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn stock_row(sku: &str, lot: Option<&str>, expiry: Option<&str>, quantity: &str) -> StockRow {
    StockRow {
        location: "STOCK".to_owned(),
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
        expiry_date: expiry.map(str::to_owned),
        quantity: dec(quantity),
    }
}

/// Returns (SKU, lot, quantity, disposition) of each advice line.
fn summary(lines: &[ReceivedLine]) -> Vec<(&str, Option<&str>, Decimal, Option<Disposition>)> {
    lines
        .iter()
        .map(|line| {
            (
                line.sku.as_str(),
                line.lot.as_deref(),
                line.quantity,
                line.disposition,
            )
        })
        .collect()
}

#[tokio::test]
async fn purchase_with_lot_and_short() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            short_receipt_every: Some(2),
            ..LifecycleOptions::default()
        },
    );
    let receipt = expected(
        1,
        ReceiptKind::Purchase,
        vec![
            line(1, "PLAIN", 10, "none", &[]),
            line(2, "LOTTED", 4, "lot", &[]),
        ],
    );
    drop_receipt_file(root.path(), "ASN-1.csv", &[receipt]);

    let entries = sim.run_once().await.unwrap();

    assert!(entries.is_empty(), "an expected receipt is not an order");
    assert!(read_ledger(root.path()).unwrap().is_empty());
    assert_eq!(outbound_files(root.path()), ["RCV-000001.csv"]);
    assert_eq!(dir_files(root.path(), "processed"), ["ASN-1.csv"]);
    assert!(dir_files(root.path(), "inbound").is_empty());

    let advice = read_advice(root.path(), "RCV-000001.csv");
    assert_eq!(advice.picking_ref, "WH/IN/00001");
    let received_at: jiff::Timestamp = advice.received_at.as_deref().unwrap().parse().unwrap();
    assert_eq!(received_at.subsec_nanosecond(), 0, "whole seconds");
    let expiry = received_at
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(365))
        .unwrap()
        .to_string();
    assert_eq!(
        summary(&advice.lines),
        [
            ("PLAIN", None, dec("10"), None),
            ("LOTTED", Some("LOT-WH_IN_00001-2"), dec("3"), None),
        ]
    );
    assert_eq!(advice.lines[0].move_id, Some(1001));
    assert_eq!(advice.lines[1].move_id, Some(1002));
    assert_eq!(advice.lines[0].expiry_date, None);
    assert_eq!(
        advice.lines[1].expiry_date.as_deref(),
        Some(expiry.as_str())
    );
    assert!(advice.lines.iter().all(|line| line.inspection.is_none()));

    let log = read_receipt_log(root.path()).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].request_file, "ASN-1.csv");
    assert_eq!(log[0].advice_file, "RCV-000001.csv");
    assert_eq!(log[0].picking_ref, "WH/IN/00001");
    assert_eq!(log[0].records[0].fault, None);
    assert_eq!(log[0].records[1].fault, Some(ReceiptFault::Short));
    assert_eq!(log[0].records[1].expected, dec("4"));

    assert_eq!(
        sim.stock(),
        [
            stock_row("LOTTED", Some("LOT-WH_IN_00001-2"), Some(&expiry), "3"),
            stock_row("PLAIN", None, None, "10"),
        ]
    );
}

#[tokio::test]
async fn short_line_of_one_unit() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            short_receipt_every: Some(1),
            ..LifecycleOptions::default()
        },
    );
    let receipt = expected(
        1,
        ReceiptKind::Purchase,
        vec![line(1, "SERIAL", 1, "serial", &[])],
    );
    drop_receipt_file(root.path(), "ASN-1.csv", &[receipt]);

    sim.run_once().await.unwrap();

    let advice = read_advice(root.path(), "RCV-000001.csv");
    assert_eq!(summary(&advice.lines), [("SERIAL", None, dec("0"), None)]);
    assert!(sim.stock().is_empty(), "nothing arrived");
}

#[tokio::test]
async fn return_lines_share_disposition() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            return_dispositions: Disposition::ALL.to_vec(),
            ..LifecycleOptions::default()
        },
    );
    let receipt = expected(
        2,
        ReceiptKind::Return,
        vec![
            line(1, "SERIAL", 2, "serial", &["SN-A", "SN-B"]),
            line(2, "LOTTED", 3, "lot", &["L-1", "L-2"]),
            line(3, "PLAIN", 1, "none", &[]),
            line(4, "OTHER", 2, "none", &[]),
        ],
    );
    drop_receipt_file(root.path(), "ASN-2.csv", &[receipt]);

    sim.run_once().await.unwrap();

    let advice = read_advice(root.path(), "RCV-000001.csv");
    let restock = Some(Disposition::Restock);
    assert_eq!(
        summary(&advice.lines),
        [
            ("SERIAL", Some("SN-A"), dec("1"), restock),
            ("SERIAL", Some("SN-B"), dec("1"), restock),
            ("LOTTED", Some("L-1"), dec("2"), restock),
            ("LOTTED", Some("L-2"), dec("1"), restock),
            ("PLAIN", None, dec("1"), restock),
            ("OTHER", None, dec("2"), restock),
        ],
        "one disposition for the whole return"
    );
    assert!(advice.lines.iter().all(|line| line.inspection.is_some()));
    assert!(advice.lines.iter().all(|line| line.expiry_date.is_none()));
    assert_eq!(
        sim.stock(),
        [
            stock_row("LOTTED", Some("L-1"), None, "2"),
            stock_row("LOTTED", Some("L-2"), None, "1"),
            stock_row("OTHER", None, None, "2"),
            stock_row("PLAIN", None, None, "1"),
            stock_row("SERIAL", Some("SN-A"), None, "1"),
            stock_row("SERIAL", Some("SN-B"), None, "1"),
        ]
    );
}

#[tokio::test]
async fn successive_returns_cycle() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            return_dispositions: vec![
                Disposition::Quarantine,
                Disposition::Scrap,
                Disposition::ReturnToVendor,
            ],
            ..LifecycleOptions::default()
        },
    );
    let returns: Vec<_> = (20..24)
        .map(|number| {
            expected(
                number,
                ReceiptKind::Return,
                vec![
                    line(1, "PLAIN", 1, "none", &[]),
                    line(2, "OTHER", 2, "none", &[]),
                ],
            )
        })
        .collect();
    drop_receipt_file(root.path(), "ASN-20.csv", &returns);

    sim.run_once().await.unwrap();

    let expected_dispositions = [
        Disposition::Quarantine,
        Disposition::Scrap,
        Disposition::ReturnToVendor,
        Disposition::Quarantine,
    ];
    for (index, disposition) in expected_dispositions.into_iter().enumerate() {
        let name = format!("RCV-{:06}.csv", index + 1);
        let advice = read_advice(root.path(), &name);
        let dispositions: Vec<Option<Disposition>> =
            advice.lines.iter().map(|line| line.disposition).collect();
        assert_eq!(dispositions, [Some(disposition); 2], "{name}");
    }
    assert!(sim.stock().is_empty(), "nothing restocked");
}

#[tokio::test]
async fn dispositions_continue_after_restart() {
    let root = temp_root();
    let lifecycle = LifecycleOptions {
        return_dispositions: vec![Disposition::Scrap, Disposition::Restock],
        ..LifecycleOptions::default()
    };
    let mut first = sim_with(root.path(), lifecycle.clone());
    let receipt = expected(
        3,
        ReceiptKind::Return,
        vec![
            line(1, "PLAIN", 1, "none", &[]),
            line(2, "OTHER", 1, "none", &[]),
        ],
    );
    drop_receipt_file(root.path(), "ASN-3.csv", &[receipt]);
    first.run_once().await.unwrap();
    drop(first);

    let mut sim = sim_with(root.path(), lifecycle);
    let receipt = expected(
        4,
        ReceiptKind::Return,
        vec![line(1, "PLAIN", 5, "none", &[])],
    );
    drop_receipt_file(root.path(), "ASN-4.csv", &[receipt]);
    sim.run_once().await.unwrap();

    let first_advice = read_advice(root.path(), "RCV-000001.csv");
    let second_advice = read_advice(root.path(), "RCV-000002.csv");
    assert_eq!(first_advice.lines[0].disposition, Some(Disposition::Scrap));
    assert_eq!(first_advice.lines[1].disposition, Some(Disposition::Scrap));
    assert_eq!(
        second_advice.lines[0].disposition,
        Some(Disposition::Restock),
        "the second return, not the third line, picks the disposition"
    );
    assert_eq!(sim.stock(), [stock_row("PLAIN", None, None, "5")]);
}

#[tokio::test]
async fn over_receipt_fault() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            over_receipt_every: Some(2),
            ..LifecycleOptions::default()
        },
    );
    let serials = expected(
        5,
        ReceiptKind::Purchase,
        vec![line(1, "SERIAL", 2, "serial", &[])],
    );
    let plain = expected(
        6,
        ReceiptKind::Purchase,
        vec![
            line(1, "PLAIN", 5, "none", &[]),
            line(2, "SERIAL", 1, "serial", &[]),
        ],
    );
    drop_receipt_file(root.path(), "ASN-5.csv", &[serials, plain]);

    sim.run_once().await.unwrap();

    assert_eq!(
        outbound_files(root.path()),
        ["RCV-000001.csv", "RCV-000002.csv"]
    );
    let first = read_advice(root.path(), "RCV-000001.csv");
    assert_eq!(
        summary(&first.lines),
        [
            ("SERIAL", Some("SN-WH_IN_00005-1-0001"), dec("1"), None),
            ("SERIAL", Some("SN-WH_IN_00005-1-0002"), dec("1"), None),
        ]
    );
    let second = read_advice(root.path(), "RCV-000002.csv");
    assert_eq!(
        summary(&second.lines),
        [
            ("PLAIN", None, dec("6"), None),
            ("SERIAL", Some("SN-WH_IN_00006-2-0001"), dec("1"), None),
        ]
    );
    let log = read_receipt_log(root.path()).unwrap();
    assert_eq!(log[1].records[0].fault, Some(ReceiptFault::Over));
    assert_eq!(log[1].records[1].fault, None);
}

#[tokio::test]
async fn garbage_file_rejected() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    std::fs::write(
        root.path().join("inbound/ASN-bad.csv"),
        "not,an,expected,receipt\n1,2,3,4\n",
    )
    .unwrap();

    let entries = sim.run_once().await.unwrap();

    assert!(entries.is_empty());
    assert!(outbound_files(root.path()).is_empty(), "no advice");
    assert!(read_receipt_log(root.path()).unwrap().is_empty());
    let rejected = dir_files(root.path(), "rejected");
    assert!(rejected.contains(&"ASN-bad.csv".to_owned()), "{rejected:?}");
    assert!(dir_files(root.path(), "inbound").is_empty());
}

#[tokio::test]
async fn retry_after_crash_same_bytes() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    let receipt = expected(
        7,
        ReceiptKind::Purchase,
        vec![line(1, "LOTTED", 4, "lot", &[])],
    );
    drop_receipt_file(root.path(), "ASN-7.csv", &[receipt]);
    sim.run_once().await.unwrap();
    let advice = std::fs::read(root.path().join("outbound/RCV-000001.csv")).unwrap();
    let stock = sim.stock();
    drop(sim);

    // Rewind to a crash after the stock was stored but before the advice
    // sequence number was: the file is back in `inbound/`, the state at 0.
    std::fs::rename(
        root.path().join("processed/ASN-7.csv"),
        root.path().join("inbound/ASN-7.csv"),
    )
    .unwrap();
    std::fs::write(
        root.path().join(".wms-receipts-state.json"),
        r#"{"last_advice_seq":0}"#,
    )
    .unwrap();
    let mut sim = wms_support::sim(root.path(), FaultOptions::default());
    sim.run_once().await.unwrap();

    assert_eq!(outbound_files(root.path()), ["RCV-000001.csv"]);
    let again = std::fs::read(root.path().join("outbound/RCV-000001.csv")).unwrap();
    assert_eq!(again, advice);
    assert_eq!(read_receipt_log(root.path()).unwrap().len(), 1);
    assert_eq!(sim.stock(), stock, "nothing added twice");
    assert_eq!(dir_files(root.path(), "processed"), ["ASN-7.csv"]);
}

#[tokio::test]
async fn crash_mid_file_no_duplicates() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    let first = expected(
        8,
        ReceiptKind::Purchase,
        vec![line(1, "PLAIN", 3, "none", &[])],
    );
    let second = expected(
        9,
        ReceiptKind::Purchase,
        vec![line(1, "PLAIN", 2, "none", &[])],
    );
    drop_receipt_file(root.path(), "ASN-8.csv", &[first, second]);
    // A file with other bytes under the second advice's name makes the
    // round fail after the second receipt is logged and before its advice
    // is written.
    let blocker = root.path().join("outbound/RCV-000002.csv");
    std::fs::write(&blocker, "blocked").unwrap();

    assert!(sim.run_once().await.is_err());
    assert_eq!(dir_files(root.path(), "inbound"), ["ASN-8.csv"]);
    drop(sim);
    std::fs::remove_file(&blocker).unwrap();
    let mut sim = wms_support::sim(root.path(), FaultOptions::default());
    sim.run_once().await.unwrap();

    assert_eq!(
        outbound_files(root.path()),
        ["RCV-000001.csv", "RCV-000002.csv"]
    );
    let log = read_receipt_log(root.path()).unwrap();
    let pickings: Vec<&str> = log.iter().map(|entry| entry.picking_ref.as_str()).collect();
    assert_eq!(
        pickings,
        ["WH/IN/00008", "WH/IN/00009"],
        "nothing logged twice"
    );
    assert_eq!(
        read_advice(root.path(), "RCV-000002.csv").picking_ref,
        "WH/IN/00009"
    );
    assert_eq!(sim.stock(), [stock_row("PLAIN", None, None, "5")]);
    assert_eq!(dir_files(root.path(), "processed"), ["ASN-8.csv"]);
}

#[tokio::test]
async fn cli_once_applies_lifecycle_args() {
    let root = temp_root();
    std::fs::create_dir_all(root.path().join("inbound")).unwrap();
    let purchase = expected(
        10,
        ReceiptKind::Purchase,
        vec![line(1, "PLAIN", 4, "none", &[])],
    );
    let refund = expected(
        11,
        ReceiptKind::Return,
        vec![line(1, "PLAIN", 1, "none", &[])],
    );
    drop_receipt_file(root.path(), "ASN-10.csv", &[purchase, refund]);
    let args = WmsSimArgs {
        root: root.path().to_owned(),
        poll_interval_ms: 1000,
        faults: FaultOptions::default(),
        seed: 3,
        order_layout: None,
        confirmation_layout: None,
        once: true,
    };
    let lifecycle = WmsLifecycleArgs {
        return_dispositions: vec![Disposition::Quarantine],
        short_receipt_every: Some(1),
        ..WmsLifecycleArgs::default()
    };

    run_cli_with_lifecycle(args, WmsInventoryArgs::default(), lifecycle)
        .await
        .unwrap();

    let purchase = read_advice(root.path(), "RCV-000001.csv");
    assert_eq!(summary(&purchase.lines), [("PLAIN", None, dec("3"), None)]);
    let refund = read_advice(root.path(), "RCV-000002.csv");
    assert_eq!(
        summary(&refund.lines),
        [("PLAIN", None, dec("1"), Some(Disposition::Quarantine))]
    );
}
