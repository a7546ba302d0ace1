//! Measures the reconciliation of 1,000,000 synthetic quant rows.
//!
//! Generates one million stock keys over 20,000 SKUs and 50 locations. A
//! third of the SKUs are lot-tracked with expiry dates, 20 are
//! serial-tracked and the rest untracked. Untracked SKUs whose number ends
//! in 1 are weighed in kilograms with three decimals. Both sides start
//! identical. Then 1,000 WMS
//! rows get a known drift and 5,000 keys get an in-flight entry, applied to
//! Odoo's side so that it explains the difference (one in a hundred is
//! unsettled). The benchmark reconciles both sides, checks that the
//! variances found are exactly the drift injected, and prints the times and
//! the peak resident memory (`VmHWM`). It exits non-zero when the check
//! fails.
//!
//! ```text
//! cargo run --release -p wharf-engine --example reconcile_bench
//! ```

// A benchmark reports on standard output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use jiff::civil::{date, Date};
use jiff::ToSpan;
use wharf_engine::reconcile::{ReconcileRules, Reconciler, Reconciliation, Threshold};
use wharf_model::{Decimal, StockKey};

const ROWS: u32 = 1_000_000;
const SKUS: u32 = 20_000;
const LOCATIONS: u32 = 50;
const LOT_NAMES: u32 = 10_000;
const DRIFT_ROWS: u32 = 1_000;
const IN_FLIGHT_ROWS: u32 = 5_000;
/// One in-flight entry in this many is still being delivered.
const UNSETTLED_EVERY: u32 = 100;
/// Marks a row without a lot.
const NO_LOT: u32 = u32::MAX;

/// Names of the synthetic warehouse, indexed by the ids in [`QuantRow`].
struct Catalogue {
    locations: Vec<String>,
    skus: Vec<String>,
    /// Lot names shared by the lot-tracked SKUs, then serial numbers.
    lots: Vec<String>,
    serial_skus: Vec<String>,
}

/// One stock key with its quantity on each side.
struct QuantRow {
    location: u32,
    sku: u32,
    lot: u32,
    expiry: Option<Date>,
    wms: Decimal,
    odoo: Decimal,
}

/// An in-flight entry of the row at `row`.
struct InFlight {
    row: u32,
    quantity: Decimal,
    message: String,
    settled: bool,
}

/// Everything the benchmark generates before it reconciles.
struct Generated {
    catalogue: Catalogue,
    rows: Vec<QuantRow>,
    in_flight: Vec<InFlight>,
    /// Injected variance (`wms - expected_odoo`) by key.
    drift: HashMap<StockKey, Decimal>,
}

fn today() -> Date {
    date(2025, 3, 1)
}

fn main() -> ExitCode {
    let started = Instant::now();
    let generated = generate();
    let generate_time = started.elapsed();
    let generated_rss = peak_rss_kib();

    let started = Instant::now();
    let (result, finish_time) = reconcile(&generated);
    let reconcile_time = started.elapsed();

    println!("rows: {}", generated.rows.len());
    println!("generate: {:.3} s", generate_time.as_secs_f64());
    println!("reconcile: {:.3} s", reconcile_time.as_secs_f64());
    println!("  of which finish: {:.3} s", finish_time.as_secs_f64());
    println!("peak RSS after generating: {}", format_kib(generated_rss));
    println!("peak RSS: {}", format_kib(peak_rss_kib()));
    for (kind, count) in &result.counts {
        println!("  {kind}: {count}");
    }
    println!("rows listed: {}", result.rows.len());

    match check(&generated, &result) {
        Ok(()) => {
            println!("check: the variances found are the {DRIFT_ROWS} rows of drift injected");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("check failed: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Feeds both sides and the in-flight entries, then classifies. Returns
/// the result and the time spent in `finish`.
fn reconcile(generated: &Generated) -> (Reconciliation, Duration) {
    let names = &generated.catalogue;
    let mut rules = ReconcileRules::new(
        today(),
        Threshold {
            absolute: Decimal::ONE,
            percent: Decimal::ZERO,
        },
    );
    rules.serial_skus = names.serial_skus.iter().cloned().collect();
    let mut reconciler = Reconciler::new(rules);

    for row in &generated.rows {
        let (location, sku, lot) = key_names(names, row);
        reconciler.add_wms(location, sku, lot, row.wms, row.expiry);
    }
    for row in &generated.rows {
        let (location, sku, lot) = key_names(names, row);
        reconciler.add_odoo(location, sku, lot, row.odoo, row.expiry);
    }
    for entry in &generated.in_flight {
        let row = &generated.rows[entry.row as usize];
        let (location, sku, lot) = key_names(names, row);
        reconciler.add_in_flight(
            location,
            sku,
            lot,
            entry.quantity,
            &entry.message,
            entry.settled,
        );
    }

    let started = Instant::now();
    let result = reconciler.finish();
    (result, started.elapsed())
}

fn key_names<'a>(names: &'a Catalogue, row: &QuantRow) -> (&'a str, &'a str, Option<&'a str>) {
    let lot = (row.lot != NO_LOT).then(|| names.lots[row.lot as usize].as_str());
    (
        &names.locations[row.location as usize],
        &names.skus[row.sku as usize],
        lot,
    )
}

/// Compares the variances found with the drift injected, and the rows
/// listed for in-flight entries with the entries added.
fn check(generated: &Generated, result: &Reconciliation) -> Result<(), String> {
    if result.compared != u64::from(ROWS) {
        return Err(format!(
            "compared {} keys, expected {ROWS}",
            result.compared
        ));
    }

    let found: HashMap<&StockKey, Decimal> = result
        .rows
        .iter()
        .filter(|row| !row.variance.is_zero())
        .map(|row| (&row.key, row.variance))
        .collect();
    let missing = generated
        .drift
        .iter()
        .filter(|(key, variance)| found.get(key) != Some(variance))
        .count();
    let unexpected = found
        .keys()
        .filter(|key| !generated.drift.contains_key(*key))
        .count();
    if missing > 0 || unexpected > 0 {
        return Err(format!(
            "{missing} injected variances not found or different, {unexpected} variances not injected"
        ));
    }

    let with_messages = result
        .rows
        .iter()
        .filter(|row| !row.messages.is_empty())
        .count();
    if with_messages != generated.in_flight.len() {
        return Err(format!(
            "{with_messages} rows list in-flight messages, expected {}",
            generated.in_flight.len()
        ));
    }
    Ok(())
}

/// Returns the peak resident set size of this process in KiB, from `VmHWM`
/// in `/proc/self/status`, or `None` where that is not available.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn format_kib(kib: Option<u64>) -> String {
    kib.map_or("unknown (no /proc/self/status)".to_owned(), |kib| {
        format!("{} MiB", kib / 1024)
    })
}

/// Builds the catalogue, the rows of both sides, the drift and the
/// in-flight entries.
fn generate() -> Generated {
    let catalogue = catalogue();
    let expiry_dates = expiry_dates();
    let mut rows: Vec<QuantRow> = (0..ROWS)
        .map(|index| quant_row(index, &expiry_dates))
        .collect();

    // Drift: rows spread by a stride prime to ROWS, so all are distinct.
    let mut drift = HashMap::new();
    for k in 0..DRIFT_ROWS {
        let row = &mut rows[((k * 997 + 13) % ROWS) as usize];
        let magnitude = Decimal::from(1 + k % 4);
        let change = if k % 2 == 0 { magnitude } else { -magnitude };
        row.wms += change;
        drift.insert(stock_key(&catalogue, row), change);
    }

    // In-flight entries: Odoo already reflects them, positive (a shipment
    // Odoo has not applied yet) or negative (a change made after T).
    let mut in_flight = Vec::new();
    for j in 0..IN_FLIGHT_ROWS {
        let index = (j * 199 + 7) % ROWS;
        let row = &mut rows[index as usize];
        let magnitude = Decimal::from(1 + j % 5);
        let quantity = if j % 2 == 0 {
            magnitude
        } else {
            -magnitude.min(row.odoo)
        };
        row.odoo += quantity;
        in_flight.push(InFlight {
            row: index,
            quantity,
            message: format!("msg-{j:05}"),
            settled: j % UNSETTLED_EVERY != 0,
        });
    }

    Generated {
        catalogue,
        rows,
        in_flight,
        drift,
    }
}

fn catalogue() -> Catalogue {
    let mut lots: Vec<String> = (0..LOT_NAMES)
        .map(|n| format!("L{}-{:03}", 2400 + n / 1000, n % 1000))
        .collect();
    let mut serial_skus = Vec::new();
    for sku in (0..SKUS).filter(|sku| is_serial(*sku)) {
        serial_skus.push(format!("SKU-{sku:05}"));
        lots.extend((0..LOCATIONS).map(|slot| format!("SX{sku:05}-{slot:05}")));
    }
    Catalogue {
        locations: (0..LOCATIONS)
            .map(|n| format!("WH/Stock/Aisle {:02}/Bin {:02}", n / 10, n % 10))
            .collect(),
        skus: (0..SKUS).map(|sku| format!("SKU-{sku:05}")).collect(),
        lots,
        serial_skus,
    }
}

/// Expiry dates of lots: 700 future days, then one date already past.
fn expiry_dates() -> Vec<Date> {
    let mut dates: Vec<Date> = (30..730).map(|days| today() + days.days()).collect();
    dates.push(today() - 5.days());
    dates
}

fn is_serial(sku: u32) -> bool {
    sku % 1_000 == 999
}

/// Row `index`: SKU `index % SKUS` in its slot `index / SKUS` (0 to 49).
fn quant_row(index: u32, expiry_dates: &[Date]) -> QuantRow {
    let (sku, slot) = (index % SKUS, index / SKUS);
    let spread = index.wrapping_mul(7_919);

    let (location, lot, expiry, quantity) = if is_serial(sku) {
        let serial_base = LOT_NAMES + (sku / 1_000) * LOCATIONS;
        (
            (sku + slot) % LOCATIONS,
            serial_base + slot,
            None,
            Decimal::ONE,
        )
    } else if sku % 3 == 0 {
        // Five lots per location and each lot of this SKU in one location.
        // One lot in 500 has expired.
        let expired = (sku + slot) % 500 == 0;
        let day = if expired {
            700
        } else {
            (sku * 31 + slot * 17) % 700
        };
        let lot = (sku * 7 + slot) % LOT_NAMES;
        let quantity = Decimal::from(1 + spread % 200);
        (
            (sku + slot / 5) % LOCATIONS,
            lot,
            Some(expiry_dates[day as usize]),
            quantity,
        )
    } else if sku % 10 == 1 {
        // Weighed goods in kilograms with three decimals.
        let grams = i64::from(1_000 + spread % 500_000);
        (slot, NO_LOT, None, Decimal::new(grams, 3))
    } else {
        (slot, NO_LOT, None, Decimal::from(1 + spread % 500))
    };

    QuantRow {
        location,
        sku,
        lot,
        expiry,
        wms: quantity,
        odoo: quantity,
    }
}

fn stock_key(names: &Catalogue, row: &QuantRow) -> StockKey {
    let (location, sku, lot) = key_names(names, row);
    StockKey {
        location: location.to_owned(),
        sku: sku.to_owned(),
        lot: lot.map(str::to_owned),
    }
}
