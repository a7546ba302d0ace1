//! The Grafana dashboard in ops/grafana/wharf.json must query only metrics
//! the hub exports: every `wharf_*` name in a panel expression is one the
//! code declares, and after a demo run each appears in the Prometheus text
//! that `wharf::telemetry::prometheus()` renders.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use wharf::commands::demo::{run_demo, DemoArgs};
use wharf_engine::telemetry as engine;
use wharf_model::ExceptionKind;
use wharf_store::{AuditEntry, NewException, Store};

/// Suffixes Prometheus adds to a histogram's name for its series.
const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

fn dashboard() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ops/grafana/wharf.json");
    let text = std::fs::read_to_string(&path).expect("ops/grafana/wharf.json is readable");
    serde_json::from_str(&text).expect("ops/grafana/wharf.json is valid JSON")
}

/// Collects every `expr` string anywhere in the dashboard.
fn expressions(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("expr", Value::String(expr)) => found.push(expr.clone()),
                    _ => expressions(child, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| expressions(item, found)),
        _ => {}
    }
}

/// Returns the metric names the expressions use, with a histogram series
/// suffix (`_bucket`, `_sum`, `_count`) removed.
fn dashboard_metrics() -> BTreeSet<String> {
    let mut exprs = Vec::new();
    expressions(&dashboard(), &mut exprs);
    assert!(!exprs.is_empty(), "the dashboard has no panel expressions");

    let mut names = BTreeSet::new();
    for expr in &exprs {
        let mut rest = expr.as_str();
        while let Some(start) = rest.find("wharf_") {
            let tail = &rest[start..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            let name = &tail[..end];
            let base = HISTOGRAM_SUFFIXES
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(name);
            names.insert(base.to_owned());
            rest = &tail[end..];
        }
    }
    names
}

fn declared_metrics() -> BTreeSet<&'static str> {
    BTreeSet::from([
        wharf_odoo::CALLS_METRIC,
        wharf_odoo::CALL_DURATION_METRIC,
        engine::MESSAGES,
        engine::DELIVERY_ATTEMPTS,
        engine::DELIVERY_DURATION,
        engine::QUEUE_DEPTH,
        engine::EXCEPTIONS_OPEN,
        engine::EXCEPTION_OLDEST_AGE,
        engine::CONNECTOR_UP,
        engine::CONNECTOR_LAST_CONTACT,
    ])
}

#[test]
fn dashboard_uses_declared_metrics() {
    let used = dashboard_metrics();
    let declared = declared_metrics();
    for name in &used {
        assert!(
            declared.contains(name.as_str()),
            "the dashboard queries {name}, which no crate declares"
        );
    }
    for name in declared {
        assert!(
            used.contains(name),
            "metric {name} has no panel in the dashboard"
        );
    }
}

#[test]
fn dashboard_has_datasource_variable() {
    let dashboard = dashboard();
    let variables = dashboard["templating"]["list"].as_array().unwrap();
    let datasource = variables
        .iter()
        .find(|variable| variable["name"] == "datasource")
        .expect("a `datasource` template variable");
    assert_eq!(datasource["type"], "datasource");
    assert_eq!(datasource["query"], "prometheus");

    let mut uids = Vec::new();
    collect_datasource_uids(&dashboard["panels"], &mut uids);
    assert!(!uids.is_empty());
    for uid in uids {
        assert_eq!(uid, "${datasource}");
    }
}

fn collect_datasource_uids(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(uid) = map.get("datasource").and_then(|source| source.get("uid")) {
                found.push(uid.as_str().unwrap_or_default().to_owned());
            }
            map.values()
                .for_each(|child| collect_datasource_uids(child, found));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_datasource_uids(item, found)),
        _ => {}
    }
}

/// Runs a small demo against the simulators on loopback with the
/// Prometheus recorder installed, samples the store's gauges, and checks
/// that the rendered text has a series for every dashboard metric.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_exports_dashboard_metrics() {
    let handle = wharf::telemetry::prometheus().expect("the recorder installs");
    let dir = tempfile::tempdir().unwrap();
    let args = DemoArgs {
        orders: 8,
        odoo_version: 18,
        summary_json: None,
        dir: Some(dir.path().join("run")),
        seed: 5,
        no_faults: false,
        timeout_secs: 300,
        replay: false,
        listen: None,
    };
    run_demo(&args).await.expect("the demo settles");

    // Whether the demo's faults raise an exception depends on the seed, so
    // one is raised here for the exception gauges to have a series.
    let store = wharf_store_sqlite::SqliteStore::open(&dir.path().join("run/wharf.db"))
        .await
        .expect("the demo's store opens");
    let stream = "file:metrics-test.csv".to_owned();
    let detail = "file metrics-test.csv could not be decoded".to_owned();
    store
        .raise_exception(
            NewException {
                kind: ExceptionKind::ParseError,
                owner: "warehouse".to_owned(),
                site: "main".to_owned(),
                correlation_id: stream.clone(),
                message_id: None,
                detail: detail.clone(),
            },
            AuditEntry {
                stream,
                action: "exception".to_owned(),
                message_id: None,
                detail,
            },
        )
        .await
        .expect("the exception is stored");

    // The hub samples its gauges every 15 s; a short demo may end first.
    engine::GaugeSampler::default()
        .sample(&store)
        .await
        .expect("the store's gauges are sampled");

    let text = handle.render();
    for name in dashboard_metrics() {
        assert!(
            text.contains(&format!("# TYPE {name} ")),
            "no {name} in the rendered metrics:\n{text}"
        );
        let series = text
            .lines()
            .filter(|line| !line.starts_with('#') && line.starts_with(name.as_str()))
            .count();
        assert!(series > 0, "{name} has no series:\n{text}");
    }
    assert!(
        text.contains("wharf_odoo_call_duration_seconds_bucket{"),
        "Odoo call durations are not rendered as a histogram"
    );
    let again = wharf::telemetry::prometheus().expect("a second call returns the handle");
    assert!(again
        .render()
        .contains("# TYPE wharf_messages_total counter"));
}
