//! Measures ingest throughput with durable commits.
//!
//! Ingests `N` messages (default 100,000) in batches of `BATCH` (default
//! 500) into a new database in a temporary folder, one transaction per
//! batch, and prints messages per second. It stops early after 120 seconds
//! and reports what it ingested by then.
//!
//! ```text
//! cargo run --release -p wharf-store-sqlite --example ingest_bench -- [N] [BATCH]
//! ```

// A benchmark reports on standard output and exits on bad arguments.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::json;
use wharf_model::{CorrelationId, Envelope, EventKind, MessageId};
use wharf_store::{Ingest, Store};
use wharf_store_sqlite::SqliteStore;

const DEFAULT_MESSAGES: usize = 100_000;
const DEFAULT_BATCH: usize = 500;
const TIME_LIMIT: Duration = Duration::from_secs(120);

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(total), Some(batch)) = (
        parse_arg(args.next(), DEFAULT_MESSAGES),
        parse_arg(args.next(), DEFAULT_BATCH),
    ) else {
        eprintln!("usage: ingest_bench [N] [BATCH], both positive integers");
        return ExitCode::FAILURE;
    };

    let folder = match tempfile::tempdir() {
        Ok(folder) => folder,
        Err(error) => {
            eprintln!("cannot create a temporary folder: {error}");
            return ExitCode::FAILURE;
        }
    };
    let store = match SqliteStore::open(&folder.path().join("bench.db")).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("cannot open the store: {error}");
            return ExitCode::FAILURE;
        }
    };

    let started = Instant::now();
    let mut ingested = 0;
    let mut batches = 0;
    while ingested < total && started.elapsed() < TIME_LIMIT {
        let size = batch.min(total - ingested);
        let messages = (ingested..ingested + size).map(message).collect();
        let cursor = Some((ingested + size).to_string());
        let ingest = Ingest {
            source: "bench".to_owned(),
            cursor,
            messages,
        };
        if let Err(error) = store.ingest(ingest).await {
            eprintln!("ingest failed after {ingested} messages: {error}");
            return ExitCode::FAILURE;
        }
        ingested += size;
        batches += 1;
    }
    let elapsed = started.elapsed();
    store.close().await;

    let rate = count_as_f64(ingested) / elapsed.as_secs_f64();
    println!(
        "ingested {ingested} messages in {batches} batches of up to {batch} in {:.2} s: {rate:.0} messages/s",
        elapsed.as_secs_f64()
    );
    if ingested < total {
        println!("stopped at the {} s time limit", TIME_LIMIT.as_secs());
    }
    ExitCode::SUCCESS
}

fn parse_arg(arg: Option<String>, default: usize) -> Option<usize> {
    match arg {
        None => Some(default),
        Some(text) => text.parse().ok().filter(|value| *value > 0),
    }
}

/// Builds a message of about the size of a small picking release.
fn message(number: usize) -> Envelope {
    Envelope {
        id: MessageId::new(),
        kind: EventKind::PickingReady,
        site: "main".to_owned(),
        correlation_id: CorrelationId(format!("WH/OUT/{number:07}")),
        idempotency_key: format!("picking:{number}"),
        source: "odoo".to_owned(),
        payload: json!({
            "picking_id": number,
            "picking_name": format!("WH/OUT/{number:07}"),
            "warehouse": "WH",
            "lines": [{ "line_no": 1, "sku": "SKU-1", "quantity": "2", "uom": "Units" }],
        }),
    }
}

/// Converts a message count for the rate; counts stay far below 2^52, where
/// the conversion would start to round.
fn count_as_f64(count: usize) -> f64 {
    u32::try_from(count).map(f64::from).unwrap_or(f64::MAX)
}
