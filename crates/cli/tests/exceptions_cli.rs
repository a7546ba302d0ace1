//! `wharf exceptions` end to end through the binary: resolving an exception
//! a demo run raised, and retrying an inbox message that ended in an
//! exception, on a store the test builds itself so no Odoo is needed.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{json, Value};
use wharf_model::{CorrelationId, Envelope, EventKind, ExceptionKind, MessageId};
use wharf_store::{AuditEntry, Handled, HandledOutcome, Ingest, NewException, Store};
use wharf_store_sqlite::SqliteStore;

const CONFIRMATIONS: [EventKind; 1] = [EventKind::ShipmentConfirmed];

fn wharf(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("the wharf binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn listed(config: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["exceptions", "list", "--json"];
    args.extend_from_slice(extra);
    let output = wharf(config, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Value = serde_json::from_slice(&output.stdout).expect("list --json prints JSON");
    rows.as_array().expect("a JSON array").clone()
}

#[test]
fn resolve_after_demo() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let demo = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["demo", "--orders", "30", "--dir"])
        .arg(&run)
        .output()
        .expect("the wharf binary runs");
    assert!(demo.status.success(), "demo failed: {}", stderr(&demo));
    let config = run.join("wharf.toml");

    let open = listed(&config, &[]);
    assert!(!open.is_empty(), "the demo's faults raise exceptions");
    let unknown_site = wharf(&config, &["exceptions", "list", "--site", "nosite"]);
    assert!(!unknown_site.status.success());
    assert!(
        stderr(&unknown_site).contains("use one of: main"),
        "{}",
        stderr(&unknown_site)
    );
    let first = &open[0];
    let id = first["id"].as_i64().unwrap();
    let owner = first["owner"].as_str().unwrap();
    let correlation = first["correlation_id"].as_str().unwrap();
    assert!(first["age_seconds"].as_i64().unwrap() >= 0);
    let by_owner = listed(&config, &["--owner", owner]);
    assert!(by_owner.iter().all(|row| row["owner"] == owner));

    let id_text = id.to_string();
    let resolve_args = [
        "exceptions",
        "resolve",
        id_text.as_str(),
        "--by",
        "tester",
        "--note",
        "customer informed by phone",
    ];
    let resolved = wharf(&config, &resolve_args);
    assert!(resolved.status.success(), "{}", stderr(&resolved));
    assert!(stdout(&resolved).contains(&format!("Exception {id} resolved")));

    let still_open = listed(&config, &[]);
    assert_eq!(still_open.len(), open.len() - 1);
    assert!(still_open.iter().all(|row| row["id"] != id));
    let all = listed(&config, &["--all"]);
    let row = all.iter().find(|row| row["id"] == id).unwrap();
    assert_eq!(row["state"], "resolved");

    let show = wharf(&config, &["exceptions", "show", &id_text]);
    let show_text = stdout(&show);
    assert!(show.status.success(), "{}", stderr(&show));
    assert!(
        show_text.contains("resolved by tester: customer informed by phone"),
        "{show_text}"
    );
    assert!(show_text.contains("manual_resolve"), "{show_text}");

    let trace = wharf(&config, &["trace", correlation]);
    let trace_text = stdout(&trace);
    assert!(trace.status.success(), "{trace_text}");
    let audit_line = trace_text
        .lines()
        .find(|line| line.contains("manual_resolve"));
    let audit_line = audit_line.unwrap_or_else(|| panic!("no manual_resolve row: {trace_text}"));
    assert!(audit_line.contains("tester"), "{audit_line}");
    assert!(
        audit_line.contains("customer informed by phone"),
        "{audit_line}"
    );

    let again = wharf(&config, &resolve_args);
    assert!(!again.status.success());
    assert!(stderr(&again).contains(&format!("exception {id} is already resolved")));
}

/// Writes a configuration whose store is `wharf.db` in `dir`. The exception
/// commands open only the store, so the Odoo URL is never reached.
fn write_config(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("odoo-api-key"), "unused").unwrap();
    let text = r#"
[store]
path = "wharf.db"

[odoo]
url = "http://127.0.0.1:9"
database = "wharf"
login = "integration"
api_key_file = "odoo-api-key"

[[sites]]
code = "main"
warehouses = ["WH"]

[sites.folder]
read_dir = "site/outbound"
write_dir = "site/inbound"
archive_dir = "site/archive"
error_dir = "site/error"
completion = { temp_suffix = ".tmp" }
"#;
    let path = dir.join("wharf.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Stores a confirmation for a picking Wharf never released, handled into
/// an `unknown_picking` exception the way the shipment handler does, and an
/// exception without a message, as a rejected file raises. Returns the
/// confirmation.
async fn seed_store(path: &Path) -> Envelope {
    let store = SqliteStore::open(path).await.unwrap();
    let confirmation = Envelope {
        id: MessageId::new(),
        kind: EventKind::ShipmentConfirmed,
        site: "main".to_owned(),
        correlation_id: CorrelationId("WH/OUT/00077".to_owned()),
        idempotency_key: "confirmation:main:test-77".to_owned(),
        source: "SHP-77.csv".to_owned(),
        payload: json!({ "file_name": "SHP-77.csv", "content_base64": "" }),
    };
    let ingest = Ingest {
        source: "folder:main:confirmations".to_owned(),
        cursor: None,
        messages: vec![confirmation.clone()],
    };
    store.ingest(ingest).await.unwrap();

    let claimed = store
        .claim_inbox(&CONFIRMATIONS, 1, "test", Duration::from_secs(600))
        .await
        .unwrap();
    let exception = NewException {
        kind: ExceptionKind::UnknownPicking,
        owner: "warehouse".to_owned(),
        site: "main".to_owned(),
        correlation_id: "WH/OUT/00077".to_owned(),
        message_id: Some(confirmation.id),
        detail: "confirmation names WH/OUT/00077, which Wharf never released".to_owned(),
    };
    let handled = Handled {
        message_id: confirmation.id,
        owner: claimed[0].owner.clone(),
        attempt: claimed[0].attempt,
        outcome: HandledOutcome::Exception,
        outbox: vec![],
        exceptions: vec![exception.clone()],
        pickings: vec![],
        audit: vec![],
        resolved: vec![],
    };
    store.commit_handled(handled).await.unwrap();

    let rejected = NewException {
        kind: ExceptionKind::ParseError,
        correlation_id: "file:SHP-bad.csv".to_owned(),
        message_id: None,
        ..exception
    };
    let audit = AuditEntry {
        stream: "file:SHP-bad.csv".to_owned(),
        action: "exception".to_owned(),
        message_id: None,
        detail: "file rejected".to_owned(),
    };
    store.raise_exception(rejected, audit).await.unwrap();
    store.close().await;
    confirmation
}

#[tokio::test]
async fn retry_requeues_inbox_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let confirmation = seed_store(&dir.path().join("wharf.db")).await;
    let open = listed(&config, &["--kind", "unknown_picking"]);
    assert_eq!(open.len(), 1);
    let id = open[0]["id"].as_i64().unwrap().to_string();
    let corrected = json!({ "file_name": "SHP-77.csv", "content_base64": "Y29ycmVjdGVk" });
    let payload_path = dir.path().join("corrected.json");
    std::fs::write(&payload_path, corrected.to_string()).unwrap();

    let retried = wharf(
        &config,
        &[
            "exceptions",
            "retry",
            &id,
            "--by",
            "tester",
            "--note",
            "picking name fixed",
            "--payload",
            payload_path.to_str().unwrap(),
        ],
    );

    assert!(retried.status.success(), "{}", stderr(&retried));
    assert!(
        stdout(&retried).contains("pending again"),
        "{}",
        stdout(&retried)
    );
    assert!(listed(&config, &["--kind", "unknown_picking"]).is_empty());
    let trace = stdout(&wharf(&config, &["trace", "WH/OUT/00077"]));
    assert!(trace.contains("manual_retry"), "{trace}");
    assert!(
        trace.contains("retried by tester: picking name fixed"),
        "{trace}"
    );

    let store = SqliteStore::open(&dir.path().join("wharf.db"))
        .await
        .unwrap();
    let claimed = store
        .claim_inbox(&CONFIRMATIONS, 10, "test", Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "the message is pending again");
    assert_eq!(claimed[0].envelope.id, confirmation.id);
    assert_eq!(
        claimed[0].envelope.idempotency_key,
        confirmation.idempotency_key
    );
    assert_eq!(claimed[0].envelope.payload, corrected);
    store.close().await;
}

#[tokio::test]
async fn retry_without_message_fails() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    seed_store(&dir.path().join("wharf.db")).await;
    let rejected = listed(&config, &["--kind", "parse_error"]);
    let id = rejected[0]["id"].as_i64().unwrap().to_string();

    let output = wharf(
        &config,
        &["exceptions", "retry", &id, "--by", "tester", "--note", "x"],
    );

    assert!(!output.status.success());
    let error = stderr(&output);
    assert!(
        error.contains(&format!("exception {id} cannot be retried")),
        "{error}"
    );
    assert!(error.contains("drop the corrected file"), "{error}");
    assert_eq!(listed(&config, &["--kind", "parse_error"]).len(), 1);
}
