//! Helpers for the WMS simulator tests: orders, order files and a
//! simulator on a temporary root.

#![allow(dead_code)]

pub mod changes;
pub mod receipts;

use std::path::Path;

use rust_decimal::Decimal;
use tempfile::TempDir;
use wharf_formats::{
    decode_confirmations, default_confirmation_layout, default_order_layout, encode_orders,
};
use wharf_model::{Address, OrderLine, OrderRelease, ShipmentConfirmation};
use wharf_sim::wms::{FaultOptions, WmsOptions, WmsSim};

pub const SEED: u64 = 7;

/// Builds an order line; `tracking` is `none`, `lot` or `serial`.
pub fn line(
    line_no: u32,
    sku: &str,
    quantity: i64,
    tracking: &str,
    reserved: &[&str],
) -> OrderLine {
    OrderLine {
        line_no,
        move_id: 1000 + i64::from(line_no),
        product_id: 500 + i64::from(line_no),
        sku: sku.to_owned(),
        description: format!("Product {sku}"),
        quantity: Decimal::from(quantity),
        uom: "Units".to_owned(),
        tracking: tracking.to_owned(),
        reserved_lots: reserved.iter().map(|lot| (*lot).to_owned()).collect(),
    }
}

/// Builds an order with a plain line, a lot-tracked line and a serial line.
pub fn order(number: u32) -> OrderRelease {
    OrderRelease {
        picking_id: i64::from(number),
        picking_name: format!("WH/OUT/{number:05}"),
        order_name: format!("S{number:05}"),
        customer_ref: String::new(),
        warehouse: "WH".to_owned(),
        customer: "Customer A".to_owned(),
        customer_tags: Vec::new(),
        credit_hold: false,
        ship_to: Address {
            name: "Customer A".to_owned(),
            street: "1 Main Street".to_owned(),
            zip: "75001".to_owned(),
            city: "Paris".to_owned(),
            country_code: "FR".to_owned(),
            ..Address::default()
        },
        carrier: "DHL".to_owned(),
        scheduled_date: "2024-05-01 08:30:00".to_owned(),
        write_date: "2024-04-30 10:00:00".to_owned(),
        lines: vec![
            line(1, "PLAIN", 10, "none", &[]),
            line(2, "LOTTED", 4, "lot", &["L-100"]),
            line(3, "SERIAL", 2, "serial", &["SN-A"]),
        ],
    }
}

/// Writes an order file into `inbound/` the careful way: `.tmp`, then rename.
pub fn drop_order_file(root: &Path, name: &str, orders: &[OrderRelease]) {
    let bytes = encode_orders(&default_order_layout(), orders).unwrap();
    let inbound = root.join("inbound");
    std::fs::create_dir_all(&inbound).unwrap();
    let temp = inbound.join(format!("{name}.tmp"));
    std::fs::write(&temp, bytes).unwrap();
    std::fs::rename(temp, inbound.join(name)).unwrap();
}

pub fn sim(root: &Path, faults: FaultOptions) -> WmsSim {
    WmsSim::new(WmsOptions {
        root: root.to_owned(),
        order_layout: default_order_layout(),
        confirmation_layout: default_confirmation_layout(),
        faults,
        seed: SEED,
    })
    .unwrap()
}

pub fn temp_root() -> TempDir {
    tempfile::tempdir().unwrap()
}

/// Names of the files in `outbound/`, sorted.
pub fn outbound_files(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("outbound"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Decodes a confirmation file from `outbound/` with the default layout.
pub fn read_confirmation(root: &Path, name: &str) -> ShipmentConfirmation {
    let bytes = std::fs::read(root.join("outbound").join(name)).unwrap();
    let mut confirmations = decode_confirmations(&default_confirmation_layout(), &bytes).unwrap();
    assert_eq!(confirmations.len(), 1, "one confirmation per file");
    confirmations.remove(0)
}
