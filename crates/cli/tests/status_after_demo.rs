//! `wharf status` on the folder a demo run kept: the counts it prints as
//! JSON must be the ones the demo's summary reports.

use std::process::Command;

use serde_json::Value;

#[test]
fn status_json_matches_demo_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary_path = dir.path().join("summary.json");
    let demo = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["demo", "--orders", "40", "--seed", "3", "--dir"])
        .arg(dir.path().join("run"))
        .arg("--summary-json")
        .arg(&summary_path)
        .output()
        .expect("the wharf binary runs");
    assert!(
        demo.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let summary: Value = serde_json::from_slice(&std::fs::read(&summary_path).unwrap()).unwrap();

    let status = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["status", "--json", "--config"])
        .arg(dir.path().join("run/wharf.toml"))
        .output()
        .expect("the wharf binary runs");
    assert!(
        status.status.success(),
        "status failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let report: Value = serde_json::from_slice(&status.stdout).expect("status --json prints JSON");

    assert_eq!(report["open_exceptions"], summary["exceptions"]);
    assert_eq!(report["duplicates"], summary["duplicates_ignored"]);
    assert_eq!(report["retries"], summary["delivery_retries"]);
    let released: u64 = report["pickings"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(state, _)| !["held", "expected", "received"].contains(&state.as_str()))
        .map(|(_, count)| count.as_u64().unwrap())
        .sum();
    let stopped_receipts = summary["lifecycle"]["receipts_stopped"].as_u64().unwrap();
    assert_eq!(
        released,
        summary["orders_released"].as_u64().unwrap() + stopped_receipts
    );
    let oldest = &report["oldest_open_exception"];
    assert_eq!(
        oldest.is_null(),
        summary["exceptions"].as_object().unwrap().is_empty()
    );

    let text = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["status", "--config"])
        .arg(dir.path().join("run/wharf.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Pickings:"), "{text}");
    assert!(text.contains("Oldest open exception"), "{text}");
}

#[test]
fn trace_prints_order_path() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args([
            "demo",
            "--orders",
            "5",
            "--seed",
            "4",
            "--no-faults",
            "--dir",
        ])
        .arg(dir.path().join("run"))
        .output()
        .expect("the wharf binary runs");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let config = dir.path().join("run/wharf.toml");
    let trace = |reference: &str| {
        Command::new(env!("CARGO_BIN_EXE_wharf"))
            .args(["trace", "--config"])
            .arg(&config)
            .arg(reference)
            .output()
            .expect("the wharf binary runs")
    };

    let by_picking = trace("WH/OUT/00001");
    let text = String::from_utf8_lossy(&by_picking.stdout).into_owned();
    assert!(by_picking.status.success(), "{text}");
    let actions: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().nth(3))
        .collect();
    // Progress rows come from the warehouse's own files, whose order against
    // the confirmation depends on the folder scan, so they are checked apart.
    assert!(
        actions.iter().any(|action| action.starts_with("progress")),
        "{text}"
    );
    let path: Vec<&str> = actions
        .iter()
        .copied()
        .filter(|action| !action.starts_with("progress"))
        .collect();
    assert_eq!(
        path,
        [
            "received",
            "transformed",
            "delivered",
            "transformed",
            "delivered"
        ],
        "{text}"
    );
    assert!(text.contains("WH/OUT/00001 validated"), "{text}");

    let order = text.split(['(', ')']).nth(1).unwrap().to_owned();
    let by_order = trace(&order);
    assert!(by_order.status.success());
    assert!(String::from_utf8_lossy(&by_order.stdout).contains("WH/OUT/00001"));

    let unknown = trace("WH/OUT/99999");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stdout).contains("Nothing recorded for WH/OUT/99999"));
}
