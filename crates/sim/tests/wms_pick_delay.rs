//! The pick delay: order files wait in `inbound/` before they ship, while
//! change requests are answered at once.
//!
//! These tests run on the real clock with a delay of one second. Each round
//! that must fall within the delay checks first that it did, so a machine
//! that stalls for a second fails with that message and not a wrong one.

mod wms_support;

use std::path::Path;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use wharf_model::ChangeOutcome;
use wharf_sim::wms::{
    read_change_log, read_ledger, run_cli_with_lifecycle, FaultOptions, LifecycleOptions,
    WmsInventoryArgs, WmsLifecycleArgs, WmsSim, WmsSimArgs,
};
use wms_support::changes::{amend, cancel, drop_change_file, read_answers};
use wms_support::receipts::dir_files;
use wms_support::{drop_order_file, line, order, outbound_files, sim, temp_root};

const DELAY: Duration = Duration::from_millis(1_000);

fn sim_with_delay(root: &Path, too_late_every: Option<usize>) -> WmsSim {
    let mut sim = sim(root, FaultOptions::default());
    let pick_delay_ms = u64::try_from(DELAY.as_millis()).unwrap();
    sim.set_lifecycle_options(LifecycleOptions {
        pick_delay_ms,
        too_late_every,
        ..LifecycleOptions::default()
    })
    .unwrap();
    sim
}

/// Fails when more than the delay has passed since `started`, because the
/// checks after it assume the order files are still waiting.
fn assert_within_delay(started: Instant) {
    let elapsed = started.elapsed();
    assert!(
        elapsed < DELAY,
        "the rounds took {elapsed:?}, more than the pick delay of {DELAY:?}; rerun on a less busy machine"
    );
}

#[tokio::test]
async fn nothing_ships_before_delay() {
    let root = temp_root();
    let mut sim = sim_with_delay(root.path(), None);
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    let started = Instant::now();

    let first = sim.run_once().await.unwrap();
    let second = sim.run_once().await.unwrap();

    assert_within_delay(started);
    assert!(first.is_empty(), "{first:?}");
    assert!(second.is_empty(), "{second:?}");
    assert!(outbound_files(root.path()).is_empty());
    assert!(read_ledger(root.path()).unwrap().is_empty());
    assert_eq!(dir_files(root.path(), "inbound"), ["a.csv"]);
    assert!(dir_files(root.path(), "processed").is_empty());
    assert_eq!(sim.last_seq(), 0);
}

#[tokio::test]
async fn ships_after_delay() {
    let root = temp_root();
    let mut sim = sim_with_delay(root.path(), None);
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    let started = Instant::now();
    let waiting = sim.run_once().await.unwrap();
    assert_within_delay(started);

    tokio::time::sleep(DELAY).await;
    let entries = sim.run_once().await.unwrap();

    assert!(waiting.is_empty(), "{waiting:?}");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].picking_ref, "WH/OUT/00001");
    assert_eq!(outbound_files(root.path()), ["SHP-000001-WH_OUT_00001.csv"]);
    assert_eq!(read_ledger(root.path()).unwrap().len(), 1);
    assert_eq!(dir_files(root.path(), "processed"), ["a.csv"]);
    assert!(dir_files(root.path(), "inbound").is_empty());
}

#[tokio::test]
async fn cancel_within_delay_stops_order() {
    let root = temp_root();
    let mut sim = sim_with_delay(root.path(), None);
    drop_order_file(root.path(), "a.csv", &[order(1), order(2)]);
    let started = Instant::now();
    let waiting = sim.run_once().await.unwrap();

    drop_change_file(root.path(), "CHG-1.csv", &[cancel(1)]);
    let answered = sim.run_once().await.unwrap();
    assert_within_delay(started);
    let answers = read_answers(root.path(), "ANS-000001.csv");
    let outbound_before = outbound_files(root.path());

    tokio::time::sleep(DELAY).await;
    let entries = sim.run_once().await.unwrap();

    assert!(waiting.is_empty(), "{waiting:?}");
    assert!(answered.is_empty(), "{answered:?}");
    assert_eq!(outbound_before, ["ANS-000001.csv"], "answered at once");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].picking_ref, "WH/OUT/00001");
    assert_eq!(answers[0].outcome, ChangeOutcome::Accepted);

    let shipped: Vec<&str> = entries
        .iter()
        .map(|entry| entry.picking_ref.as_str())
        .collect();
    assert_eq!(shipped, ["WH/OUT/00002"], "the cancelled order never ships");
    assert_eq!(
        outbound_files(root.path()),
        ["ANS-000001.csv", "SHP-000001-WH_OUT_00002.csv"]
    );
    assert_eq!(dir_files(root.path(), "processed"), ["CHG-1.csv", "a.csv"]);
}

#[tokio::test]
async fn too_late_fault_within_delay_ships() {
    let root = temp_root();
    let mut sim = sim_with_delay(root.path(), Some(1));
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    let started = Instant::now();
    sim.run_once().await.unwrap();

    drop_change_file(root.path(), "CHG-1.csv", &[cancel(1)]);
    let answered = sim.run_once().await.unwrap();
    assert_within_delay(started);

    tokio::time::sleep(DELAY).await;
    let entries = sim.run_once().await.unwrap();

    assert!(answered.is_empty(), "{answered:?}");
    let answers = read_answers(root.path(), "ANS-000001.csv");
    assert_eq!(answers[0].outcome, ChangeOutcome::TooLate);
    assert_eq!(answers[0].detail.as_deref(), Some("already picked"));
    assert!(read_change_log(root.path()).unwrap()[0].fault);
    assert_eq!(entries.len(), 1, "a too-late cancel ships the order");
    assert_eq!(entries[0].picking_ref, "WH/OUT/00001");
}

#[tokio::test]
async fn amendment_within_delay_ships_amended() {
    let root = temp_root();
    let mut sim = sim_with_delay(root.path(), None);
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    let started = Instant::now();
    sim.run_once().await.unwrap();

    let amended = vec![line(1, "PLAIN", 6, "none", &[])];
    drop_change_file(root.path(), "CHG-1.csv", &[amend(1, amended)]);
    sim.run_once().await.unwrap();
    assert_within_delay(started);

    tokio::time::sleep(DELAY).await;
    let entries = sim.run_once().await.unwrap();

    let answers = read_answers(root.path(), "ANS-000001.csv");
    assert_eq!(answers[0].outcome, ChangeOutcome::Accepted);
    assert_eq!(entries.len(), 1);
    let demanded: Vec<(&str, Decimal)> = entries[0]
        .lines
        .iter()
        .map(|line| (line.sku.as_str(), line.demanded))
        .collect();
    assert_eq!(demanded, [("PLAIN", Decimal::from(6))]);
}

#[tokio::test]
async fn restart_starts_delay_again() {
    let root = temp_root();
    let mut first = sim_with_delay(root.path(), None);
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    first.run_once().await.unwrap();
    drop(first);
    tokio::time::sleep(DELAY).await;

    let mut sim = sim_with_delay(root.path(), None);
    let started = Instant::now();
    let after_restart = sim.run_once().await.unwrap();
    assert_within_delay(started);
    tokio::time::sleep(DELAY).await;
    let entries = sim.run_once().await.unwrap();

    assert!(after_restart.is_empty(), "{after_restart:?}");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].picking_ref, "WH/OUT/00001");
}

#[tokio::test]
async fn cli_once_rejects_pick_delay() {
    let root = temp_root();
    drop_order_file(root.path(), "a.csv", &[order(1)]);
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
        pick_delay_ms: 500,
        ..WmsLifecycleArgs::default()
    };

    let error = run_cli_with_lifecycle(args, WmsInventoryArgs::default(), lifecycle)
        .await
        .unwrap_err()
        .to_string();

    assert!(error.contains("--pick-delay-ms 500"), "{error}");
    assert!(error.contains("--once"), "{error}");
    assert_eq!(dir_files(root.path(), "inbound"), ["a.csv"]);
}
