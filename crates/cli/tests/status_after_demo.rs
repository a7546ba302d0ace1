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
        .filter(|(state, _)| state.as_str() != "held")
        .map(|(_, count)| count.as_u64().unwrap())
        .sum();
    assert_eq!(released, summary["orders_released"].as_u64().unwrap());
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
