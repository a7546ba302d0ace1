//! Replay after a demo run: every delivered confirmation replayed against
//! the Odoo simulator must come back unchanged, and Odoo's pickings, move
//! lines, sale orders and quants must be equal before and after. Also the
//! `wharf replay` checks that reject a request before any Odoo login.

use std::path::Path;
use std::process::{Command, Output};

use wharf::commands::demo::{run_demo_detailed, DemoArgs};

fn demo_args() -> DemoArgs {
    DemoArgs {
        orders: 40,
        odoo_version: 19,
        summary_json: None,
        dir: None,
        seed: 11,
        no_faults: false,
        timeout_secs: 300,
        replay: true,
        listen: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_confirmations_replay_unchanged() {
    let outcome = run_demo_detailed(&demo_args()).await.expect("demo runs");
    let summary = &outcome.summary;
    let replay = summary
        .replay
        .as_ref()
        .expect("--replay adds a replay block");

    assert!(
        replay.replayed >= summary.pickings_done / 2,
        "too few confirmations replayed: {replay:?} for {} pickings done",
        summary.pickings_done
    );
    assert!(replay.replayed > 0);
    assert_eq!(replay.unchanged, replay.replayed, "{replay:?}");
    assert_eq!(replay.applied, 0, "{replay:?}");
    assert_eq!(replay.failed, 0, "{replay:?}");
    assert!(replay.odoo_state_unchanged, "{replay:?}");
    assert!(replay.pickings_compared > 0, "{replay:?}");
    assert!(replay.quants_compared > 0, "{replay:?}");
    assert!(
        !replay
            .odoo_calls
            .contains_key("stock.picking.button_validate"),
        "replay validated a picking: {:?}",
        replay.odoo_calls
    );
    let json = serde_json::to_value(summary).unwrap();
    assert_eq!(json["replay"]["odoo_state_unchanged"], true);
}

fn wharf(args: &[&str], config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("the wharf binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A configuration whose Odoo no one listens on: the checks must fail
/// before the command tries to reach it.
fn unreachable_config(dir: &Path) -> std::path::PathBuf {
    let folder = dir.join("site");
    for sub in ["out", "in", "archive", "error"] {
        std::fs::create_dir_all(folder.join(sub)).unwrap();
    }
    std::fs::write(dir.join("key"), "not-used").unwrap();
    let text = format!(
        r#"
[store]
path = "wharf.db"

[odoo]
url = "http://127.0.0.1:9"
database = "none"
login = "integration"
api_key_file = "key"

[[sites]]
code = "main"
warehouses = ["WH"]
time_zone = "UTC"

[sites.folder]
read_dir = "{root}/out"
write_dir = "{root}/in"
archive_dir = "{root}/archive"
error_dir = "{root}/error"
completion = {{ stable_for_ms = 300 }}
"#,
        root = folder.display()
    );
    let path = dir.join("wharf.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn replay_without_selection_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = unreachable_config(dir.path());

    let output = wharf(&["replay", "--by", "alice", "--reason", "check"], &config);

    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("replay needs a selection"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn replay_with_blank_reason_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = unreachable_config(dir.path());

    let output = wharf(
        &[
            "replay",
            "--kind",
            "shipment_apply",
            "--by",
            "alice",
            "--reason",
            " ",
        ],
        &config,
    );

    assert!(!output.status.success());
    assert!(stderr(&output).contains("a reason"), "{}", stderr(&output));
}

#[test]
fn replay_with_unknown_kind_lists_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let config = unreachable_config(dir.path());

    let output = wharf(
        &[
            "replay", "--kind", "shipment", "--by", "alice", "--reason", "check",
        ],
        &config,
    );

    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("shipment_apply"),
        "{}",
        stderr(&output)
    );
}
