//! Decoding speed of a large stock snapshot with the built-in layout.
//!
//! Writes 1,000,000 balance rows (a third with lots and expiry dates) with
//! `encode_snapshot`, then times `decode_snapshot_with`, which hands each
//! row on without keeping it, as the reconciliation reads snapshots.
//!
//! Run: `cargo run --release -p wharf-formats --example snapshot_decode`

use std::process::ExitCode;
use std::time::Instant;

use rust_decimal::Decimal;
use wharf_formats::{decode_snapshot_with, default_snapshot_layout, encode_snapshot, FormatError};
use wharf_model::SnapshotRow;

const ROWS: u32 = 1_000_000;

fn main() -> ExitCode {
    let mut layout = default_snapshot_layout();
    layout.time_zone = Some("Europe/Berlin".to_owned());
    let rows: Vec<SnapshotRow> = (0..ROWS).map(row).collect();
    let bytes = match encode_snapshot(&layout, "2026-12-04T22:00:00Z", &rows) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("encoding the snapshot failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    drop(rows);

    let started = Instant::now();
    let mut decoded = 0u64;
    let mut total = Decimal::ZERO;
    let result = decode_snapshot_with(&layout, &bytes, |row| {
        decoded += 1;
        total += row.quantity;
        Ok::<(), FormatError>(())
    });
    let elapsed = started.elapsed().as_secs_f64();
    if let Err(error) = result {
        eprintln!("decoding the snapshot failed: {error}");
        return ExitCode::FAILURE;
    }
    if decoded != u64::from(ROWS) {
        eprintln!("decoded {decoded} rows, expected {ROWS}");
        return ExitCode::FAILURE;
    }

    let megabytes = bytes.len() as f64 / 1_000_000.0;
    println!("rows: {decoded}");
    println!("bytes: {} ({megabytes:.1} MB)", bytes.len());
    println!(
        "decode: {elapsed:.3} s, {:.0} MB/s, {:.0} rows/s",
        megabytes / elapsed,
        f64::from(ROWS) / elapsed
    );
    println!("sum of quantities: {total}");
    ExitCode::SUCCESS
}

fn row(index: u32) -> SnapshotRow {
    let sku = index % 20_000;
    let lotted = sku % 3 == 0;
    SnapshotRow {
        source_line: index + 2,
        location: format!("WH/Stock/Aisle {:02}/Bin {:03}", index % 50, index % 997),
        sku: format!("SKU-{sku:05}"),
        lot: lotted.then(|| format!("L{:06}", index / 7)),
        expiry_date: lotted.then(|| format!("2027-{:02}-{:02}", 1 + index % 12, 1 + index % 28)),
        quantity: Decimal::new(i64::from(index % 5000) * 25, 2),
        unit: Some(if sku % 10 == 0 { "CS" } else { "EA" }.to_owned()),
    }
}
