//! Helpers for the receipt tests: expected receipts, expected receipt
//! files and the advice files the simulator writes.

use std::path::Path;

use wharf_formats::{
    decode_receipt_advice, default_expected_receipt_layout, default_receipt_advice_layout,
    encode_expected_receipts,
};
use wharf_model::{ExpectedReceipt, OrderLine, ReceiptAdvice, ReceiptKind};

/// Builds an expected receipt of picking `WH/IN/<number>`.
pub fn expected(number: u32, kind: ReceiptKind, lines: Vec<OrderLine>) -> ExpectedReceipt {
    ExpectedReceipt {
        picking_id: i64::from(number),
        picking_name: format!("WH/IN/{number:05}"),
        kind,
        origin: format!("P{number:05}"),
        partner: "Vendor A".to_owned(),
        scheduled_date: "2024-05-01 08:30:00".to_owned(),
        lines,
    }
}

/// Writes an expected receipt file into `inbound/`: `.tmp`, then rename.
pub fn drop_receipt_file(root: &Path, name: &str, receipts: &[ExpectedReceipt]) {
    let bytes = encode_expected_receipts(&default_expected_receipt_layout(), receipts).unwrap();
    let inbound = root.join("inbound");
    std::fs::create_dir_all(&inbound).unwrap();
    let temp = inbound.join(format!("{name}.tmp"));
    std::fs::write(&temp, bytes).unwrap();
    std::fs::rename(temp, inbound.join(name)).unwrap();
}

/// Decodes an advice file from `outbound/` with the default layout.
pub fn read_advice(root: &Path, name: &str) -> ReceiptAdvice {
    let bytes = std::fs::read(root.join("outbound").join(name)).unwrap();
    let mut advices = decode_receipt_advice(&default_receipt_advice_layout(), &bytes).unwrap();
    assert_eq!(advices.len(), 1, "one advice per file");
    advices.remove(0)
}

/// Names of the files in the folder `dir` under the root, sorted.
pub fn dir_files(root: &Path, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
