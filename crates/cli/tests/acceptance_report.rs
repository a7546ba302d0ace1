//! `wharf report` on a demo run: the figures agree with `wharf status`,
//! every configured target gets a line, and the HTML page shows them.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn wharf(args: &[&str], config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("the wharf binary runs")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.code().is_some_and(|code| code <= 1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// Sum of a status section's counts whose key ends with `/state`.
fn in_state(section: &Value, state: &str) -> u64 {
    section
        .as_object()
        .expect("status section")
        .iter()
        .filter(|(key, _)| key.ends_with(&format!("/{state}")))
        .map(|(_, count)| count.as_u64().expect("count"))
        .sum()
}

#[test]
fn report_of_a_demo_run() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let demo = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["demo", "--orders", "30", "--dir"])
        .arg(&run)
        .output()
        .expect("the wharf binary runs");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let config = run.join("wharf.toml");

    let period = ["--from", "2000-01-01", "--to", "2100-01-01"];
    let mut args = vec!["report", "--format", "json"];
    args.extend(period);
    let report = json(&wharf(&args, &config));
    let status = json(&wharf(&["status", "--json"], &config));

    let figures = &report["figures"];
    assert_eq!(
        figures["inbox"]["succeeded"].as_u64(),
        Some(in_state(&status["inbox"], "handled"))
    );
    assert_eq!(
        figures["inbox"]["failed"].as_u64(),
        Some(in_state(&status["inbox"], "exception"))
    );
    assert_eq!(
        figures["outbox"]["succeeded"].as_u64(),
        Some(in_state(&status["outbox"], "delivered"))
    );
    assert!(
        figures["outbox"]["succeeded"].as_u64().unwrap() > 0,
        "the demo delivered messages"
    );
    let release = &figures["latency"]["order_release"];
    assert!(
        release["count"].as_u64().unwrap() > 0,
        "release latency measured: {release}"
    );
    assert!(release["p95_ms"].as_u64().unwrap() >= release["p50_ms"].as_u64().unwrap());

    assert_eq!(report["phase"], "pilot");
    let lines = report["lines"].as_array().expect("lines");
    let measures: Vec<&str> = lines
        .iter()
        .map(|line| line["measure"].as_str().unwrap())
        .collect();
    assert_eq!(
        measures,
        [
            "Message success rate",
            "Reconciliation variance",
            "Manual interventions per 1,000 messages",
            "p95 latency of order_release",
            "p95 latency of shipment_apply",
            "p95 latency of tracking_update",
        ]
    );
    let passed = lines.iter().all(|line| line["verdict"] != "fail")
        && lines.iter().any(|line| line["verdict"] == "pass");
    assert_eq!(report["passed"].as_bool(), Some(passed));

    let mut args = vec!["report", "--phase", "rollout"];
    args.extend(period);
    let html = wharf(&args, &config);
    let page = String::from_utf8(html.stdout).expect("UTF-8 page");
    // The exit status follows the verdict, so a pipeline can stop on it.
    let failed = page.contains(r#"data-verdict="fail""#);
    assert_eq!(
        html.status.code(),
        Some(if failed { 1 } else { 0 }),
        "{page}"
    );
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("phase rollout"));
    assert!(page.contains("p95 latency of shipment_apply"));

    let unknown = wharf(
        &[
            "report",
            "--phase",
            "nope",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
        ],
        &config,
    );
    assert!(!unknown.status.success());
    let error = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        error.contains("\"nope\"") && error.contains("pilot"),
        "{error}"
    );
}
