//! Decoding speed of a large shipment confirmation file with the built-in
//! layout.
//!
//! Writes 200,000 confirmations of 4 lines each (800,000 records, half of
//! them with lots and expiry dates, a quarter of the confirmations with two
//! tracking numbers, every 50th a reshipment) with `encode_confirmations`,
//! then times `decode_confirmations`.
//!
//! Run: `cargo run --release -p wharf-formats --example confirmation_decode`

use std::process::ExitCode;
use std::time::Instant;

use rust_decimal::Decimal;
use wharf_formats::{decode_confirmations, default_confirmation_layout, encode_confirmations};
use wharf_model::{ShipmentConfirmation, ShippedLine};

const CONFIRMATIONS: u32 = 200_000;
const LINES_PER_CONFIRMATION: u32 = 4;

fn main() -> ExitCode {
    let mut layout = default_confirmation_layout();
    layout.time_zone = Some("Europe/Berlin".to_owned());
    let confirmations: Vec<ShipmentConfirmation> = (0..CONFIRMATIONS).map(confirmation).collect();
    let bytes = match encode_confirmations(&layout, &confirmations) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("encoding the confirmations failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    drop(confirmations);

    let started = Instant::now();
    let result = decode_confirmations(&layout, &bytes);
    let elapsed = started.elapsed().as_secs_f64();
    let decoded = match result {
        Ok(decoded) => decoded,
        Err(error) => {
            eprintln!("decoding the confirmations failed: {error}");
            return ExitCode::FAILURE;
        }
    };

    let lines: usize = decoded.iter().map(|decoded| decoded.lines.len()).sum();
    let expected_lines = CONFIRMATIONS * LINES_PER_CONFIRMATION;
    if decoded.len() != CONFIRMATIONS as usize || lines != expected_lines as usize {
        eprintln!(
            "decoded {} confirmations with {lines} lines, expected {CONFIRMATIONS} with {expected_lines}",
            decoded.len()
        );
        return ExitCode::FAILURE;
    }
    let total: Decimal = decoded
        .iter()
        .flat_map(|decoded| &decoded.lines)
        .map(|line| line.quantity)
        .sum();

    let megabytes = bytes.len() as f64 / 1_000_000.0;
    println!("confirmations: {}, lines: {lines}", decoded.len());
    println!("bytes: {} ({megabytes:.1} MB)", bytes.len());
    println!(
        "decode: {elapsed:.3} s, {:.0} MB/s, {:.0} records/s",
        megabytes / elapsed,
        f64::from(expected_lines) / elapsed
    );
    println!("sum of quantities: {total}");
    ExitCode::SUCCESS
}

fn confirmation(index: u32) -> ShipmentConfirmation {
    // Every 50th confirmation is a reshipment of the picking before it, so
    // the file has `_R` references that must stay apart from the original.
    let reshipment = index % 50 == 49;
    let picking = if reshipment { index - 1 } else { index };
    let mut tracking_numbers = vec![format!("00340434{:010}", u64::from(index) * 7919)];
    if index % 4 == 0 {
        tracking_numbers.push(format!("00340434{:010}", u64::from(index) * 7919 + 1));
    }

    ShipmentConfirmation {
        picking_ref: format!("WH/OUT/{picking:07}"),
        lines: (0..LINES_PER_CONFIRMATION)
            .map(|line| shipped_line(index, line))
            .collect(),
        carrier: Some(if index % 3 == 0 { "DHL" } else { "UPS" }.to_owned()),
        tracking_numbers,
        // One ship time per picking, a minute apart, from 2026-12-01 08:00 UTC.
        shipped_at: Some(
            jiff::Timestamp::from_second(1_796_112_000 + i64::from(index) * 60)
                .map_or_else(|_| String::new(), |instant| instant.to_string()),
        ),
        reshipment,
    }
}

fn shipped_line(index: u32, line: u32) -> ShippedLine {
    let sku = (index * LINES_PER_CONFIRMATION + line) % 20_000;
    let lotted = sku % 2 == 0;
    ShippedLine {
        source_line: 0,
        sku: format!("SKU-{sku:05}"),
        quantity: Decimal::new(i64::from(1 + (index + line) % 40) * 1000, 3),
        lot: lotted.then(|| format!("L{:06}", sku / 3)),
        expiry_date: lotted.then(|| format!("2027-{:02}-{:02}", 1 + sku % 12, 1 + sku % 28)),
        move_id: Some(i64::from(index) * 10 + i64::from(line)),
    }
}
