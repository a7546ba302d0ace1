//! `wharf audit verify` and `wharf audit purge` on the store a demo run
//! kept: the chain verifies after the demo, fails after a row is altered or
//! deleted in the database file, and still verifies after a purge.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;
use wharf::commands::audit::cutoffs;
use wharf::config::Config;
use wharf_store_sqlite::audit::{row_hash, GENESIS_HASH};
use wharf_store_sqlite::sqlx::{self, Row as _};

/// Microseconds in one day.
const DAY_MICROS: i64 = 86_400_000_000;

/// Files of a demo folder that `wharf audit` reads. The folders of the site
/// are not copied because the audit commands never open them.
const DEMO_FILES: [&str; 5] = [
    "wharf.toml",
    "odoo-api-key",
    "wharf.db",
    "wharf.db-wal",
    "wharf.db-shm",
];

/// Runs one demo for the whole test binary and returns its folder.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<TempDir> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temporary folder");
            let demo = wharf(
                &["demo", "--orders", "20", "--seed", "5", "--dir"],
                dir.path(),
            );
            assert!(
                demo.status.success(),
                "demo failed: {}",
                String::from_utf8_lossy(&demo.stderr)
            );
            dir
        })
        .path()
}

/// Copies the demo's configuration and store into a new folder, so that a
/// test can alter its copy, and returns the folder and its configuration.
fn demo_copy() -> (TempDir, PathBuf) {
    let copy = tempfile::tempdir().expect("temporary folder");
    for name in DEMO_FILES {
        let source = demo_template().join(name);
        if source.exists() {
            std::fs::copy(&source, copy.path().join(name)).expect("copy a demo file");
        }
    }
    let config = copy.path().join("wharf.toml");
    (copy, config)
}

fn wharf(args: &[&str], path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .arg(path)
        .output()
        .expect("the wharf binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs SQL against the store of a configuration through its own connection,
/// the way an operator with file access could.
fn with_database<T>(config: &Path, work: impl AsyncFnOnce(&sqlx::SqlitePool) -> T) -> T {
    let store = Config::load(config)
        .expect("demo configuration loads")
        .store
        .path;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}", store.display());
        let pool = sqlx::SqlitePool::connect(&url)
            .await
            .expect("raw connection");
        let value = work(&pool).await;
        pool.close().await;
        value
    })
}

fn execute(config: &Path, statement: &str) {
    with_database(config, async |pool| {
        sqlx::query(statement)
            .execute(pool)
            .await
            .expect("raw statement");
    });
}

fn count(config: &Path, query: &str) -> i64 {
    with_database(config, async |pool| {
        sqlx::query_scalar(query)
            .fetch_one(pool)
            .await
            .expect("raw count")
    })
}

/// Returns the id and stream of the middle row of the longest order stream.
fn middle_row(config: &Path) -> (i64, String) {
    with_database(config, async |pool| {
        let stream: String = sqlx::query_scalar(
            "SELECT stream FROM audit WHERE stream <> 'system' \
             GROUP BY stream ORDER BY COUNT(*) DESC, stream LIMIT 1",
        )
        .fetch_one(pool)
        .await
        .expect("longest stream");
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit WHERE stream = ? ORDER BY id")
            .bind(&stream)
            .fetch_all(pool)
            .await
            .expect("stream ids");
        assert!(ids.len() >= 3, "stream {stream} has {} rows", ids.len());
        (ids[ids.len() / 2], stream)
    })
}

/// Moves the first `rows` rows of every stream `days` into the past and
/// rewrites the hashes of every stream, so that the chains stay intact.
/// Returns how many rows were moved.
fn backdate_stream_starts(config: &Path, rows: usize, days: i64) -> i64 {
    with_database(config, async |pool| {
        let all = sqlx::query(
            "SELECT id, stream, action, message_id, correlation_id, detail, at \
             FROM audit ORDER BY stream, id",
        )
        .fetch_all(pool)
        .await
        .expect("audit rows");

        let mut moved = 0;
        let mut position = 0;
        let mut stream = String::new();
        let mut prev_hash = GENESIS_HASH.to_owned();
        for row in all {
            let row_stream: String = row.get("stream");
            if row_stream != stream {
                stream = row_stream;
                position = 0;
                prev_hash = GENESIS_HASH.to_owned();
            }
            let mut at: i64 = row.get("at");
            if position < rows {
                at -= days * DAY_MICROS;
                moved += 1;
            }
            let message_id: Option<String> = row.get("message_id");
            let correlation_id: Option<String> = row.get("correlation_id");
            let hash = row_hash(
                &prev_hash,
                &stream,
                row.get("action"),
                message_id.as_deref(),
                correlation_id.as_deref(),
                row.get("detail"),
                at,
            );
            sqlx::query("UPDATE audit SET at = ?, prev_hash = ?, hash = ? WHERE id = ?")
                .bind(at)
                .bind(&prev_hash)
                .bind(&hash)
                .bind(row.get::<i64, _>("id"))
                .execute(pool)
                .await
                .expect("rewrite audit row");
            prev_hash = hash;
            position += 1;
        }
        moved
    })
}

#[test]
fn verify_passes_after_demo() {
    let (_copy, config) = demo_copy();
    let rows = count(&config, "SELECT COUNT(*) FROM audit");

    let verify = wharf(&["audit", "verify", "--config"], &config);

    let text = stdout(&verify);
    assert!(verify.status.success(), "{text}");
    assert!(text.starts_with("Audit trail intact:"), "{text}");
    assert!(text.contains(&format!("{rows} rows")), "{text}");
}

#[test]
fn altered_row_fails_verify() {
    let (_copy, config) = demo_copy();
    let (id, stream) = middle_row(&config);
    execute(
        &config,
        &format!("UPDATE audit SET detail = 'edited' WHERE id = {id}"),
    );

    let verify = wharf(&["audit", "verify", "--config"], &config);

    let text = stdout(&verify);
    assert_eq!(verify.status.code(), Some(1), "{text}");
    assert!(text.starts_with("Audit trail broken: 1 of"), "{text}");
    assert!(
        text.contains(&format!("audit row {id} of stream {stream:?}")),
        "{text}"
    );
    assert!(
        text.contains("its hash does not match its fields"),
        "{text}"
    );
    assert!(text.contains("What to do: "), "{text}");
}

#[test]
fn deleted_row_fails_verify_json() {
    let (_copy, config) = demo_copy();
    let (id, stream) = middle_row(&config);
    let previous = count(
        &config,
        &format!("SELECT MAX(id) FROM audit WHERE stream = '{stream}' AND id < {id}"),
    );
    let next = count(
        &config,
        &format!("SELECT MIN(id) FROM audit WHERE stream = '{stream}' AND id > {id}"),
    );
    execute(&config, &format!("DELETE FROM audit WHERE id = {id}"));

    let verify = wharf(&["audit", "verify", "--json", "--config"], &config);

    assert_eq!(verify.status.code(), Some(1), "{}", stdout(&verify));
    let report: Value = serde_json::from_slice(&verify.stdout).expect("verify --json prints JSON");
    assert_eq!(report["intact"], false);
    assert_eq!(report["break_count"], 1);
    let broken = &report["breaks"][0];
    assert_eq!(broken["stream"], stream.as_str());
    assert_eq!(broken["row_id"], next);
    assert_eq!(broken["problem"], "not_linked_to_previous");
    let message = broken["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("hash of row {previous}")),
        "{message}"
    );
}

#[test]
fn purge_keeps_chain_verifiable() {
    let (_copy, config) = demo_copy();
    let before = count(&config, "SELECT COUNT(*) FROM audit");
    let moved = backdate_stream_starts(&config, 2, 100);
    assert!(wharf(&["audit", "verify", "--config"], &config)
        .status
        .success());
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[retention]\naudit_days = 30\n");
    std::fs::write(&config, text).unwrap();

    let dry_run = wharf(&["audit", "purge", "--dry-run", "--config"], &config);
    assert!(dry_run.status.success(), "{}", stdout(&dry_run));
    assert!(
        stdout(&dry_run).contains(&format!("Would delete {moved} audit rows")),
        "{}",
        stdout(&dry_run)
    );
    assert_eq!(count(&config, "SELECT COUNT(*) FROM audit"), before);

    let purge = wharf(&["audit", "purge", "--config"], &config);
    assert!(purge.status.success(), "{}", stdout(&purge));
    assert!(stdout(&purge).contains(&format!("Deleted {moved} audit rows")));

    let rows_after_purge = before - moved + 1;
    assert_eq!(
        count(&config, "SELECT COUNT(*) FROM audit"),
        rows_after_purge
    );
    assert_eq!(
        count(&config, "SELECT COUNT(*) FROM audit WHERE action = 'purge'"),
        1
    );
    assert!(count(&config, "SELECT COUNT(*) FROM audit_anchors") > 0);
    let verify = wharf(&["audit", "verify", "--config"], &config);
    let text = stdout(&verify);
    assert!(verify.status.success(), "{text}");
    assert!(text.contains(&format!("{rows_after_purge} rows")), "{text}");
    assert!(text.contains("starting after a retention purge"), "{text}");
}

#[test]
fn purge_stops_on_broken_chain() {
    let (_copy, config) = demo_copy();
    let (id, _) = middle_row(&config);
    backdate_stream_starts(&config, 2, 100);
    execute(
        &config,
        &format!("UPDATE audit SET detail = 'edited' WHERE id = {id}"),
    );
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[retention]\naudit_days = 30\n");
    std::fs::write(&config, text).unwrap();
    let before = count(&config, "SELECT COUNT(*) FROM audit");

    let purge = wharf(&["audit", "purge", "--config"], &config);

    assert!(!purge.status.success());
    let error = String::from_utf8_lossy(&purge.stderr);
    assert!(error.contains(&format!("audit row {id} ")), "{error}");
    assert!(error.contains("the purge deleted nothing"), "{error}");
    assert_eq!(count(&config, "SELECT COUNT(*) FROM audit"), before);
}

#[test]
fn purge_without_retention_keeps_all() {
    let (_copy, config) = demo_copy();
    let before = count(&config, "SELECT COUNT(*) FROM audit");

    let purge = wharf(&["audit", "purge", "--config"], &config);

    assert!(purge.status.success());
    assert!(
        stdout(&purge).starts_with("Nothing to purge"),
        "{}",
        stdout(&purge)
    );
    assert_eq!(count(&config, "SELECT COUNT(*) FROM audit"), before);
}

#[test]
fn example_retention_days() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wharf.toml");
    let retention = Config::load(&example).expect("example loads").retention;

    assert_eq!(retention.audit_days.map(|days| days.get()), Some(2555));
    assert_eq!(retention.messages_days.map(|days| days.get()), Some(90));
    assert_eq!(retention.exceptions_days.map(|days| days.get()), Some(365));
    assert_eq!(retention.reconciliations_days, None);
}

#[test]
fn retention_cutoffs_from_days() {
    let (_copy, config) = demo_copy();
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[retention]\nmessages_days = 2\n");
    std::fs::write(&config, &text).unwrap();
    let retention = Config::load(&config).unwrap().retention;
    let now: jiff::Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();

    let cutoffs = cutoffs(&retention, now).unwrap();

    assert_eq!(
        cutoffs.messages,
        Some("2026-03-08T12:00:00Z".parse().unwrap())
    );
    assert_eq!(cutoffs.audit, None);

    std::fs::write(&config, text.replace("messages_days = 2", "audit_days = 0")).unwrap();
    let error = format!("{:#}", Config::load(&config).unwrap_err());
    assert!(error.contains("audit_days"), "{error}");
}
