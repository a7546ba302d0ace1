//! `wharf check --privileges` against the Odoo simulator: exit codes, the
//! text and JSON reports, a site's own account, and secrets kept out of
//! the output.

use std::path::Path;

use serde_json::Value;
use tokio::sync::watch;
use wharf_sim::odoo::{AccessProfile, OdooSim, SeedOptions, SimOptions};

const MAIN_KEY: &str = "privileges-main-key";
const SITE_KEY: &str = "privileges-site-key";

fn sim(version: u8) -> OdooSim {
    let sim = OdooSim::new(SimOptions {
        version,
        database: "wharf_rights".to_owned(),
        api_key: MAIN_KEY.to_owned(),
        login: "integration".to_owned(),
        password: MAIN_KEY.to_owned(),
    })
    .unwrap();
    sim.seed_demo(&SeedOptions::default()).unwrap();
    // The configured site runs no inventory flow, so Odoo 17's stock
    // manager group, which applying counts needs, is not needed here.
    let mut exact = AccessProfile::Integration.rights(version);
    exact.groups.remove("stock.group_stock_manager");
    sim.set_user_rights("integration", exact).unwrap();
    sim
}

/// Serves the simulator on a loopback port until the sender is dropped.
async fn serve(sim: &OdooSim) -> (watch::Sender<bool>, String) {
    let (stop, stopped) = watch::channel(false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = sim.clone();
    tokio::spawn(async move {
        let mut stopped = stopped;
        let _ = server
            .serve(listener, async move {
                while stopped.changed().await.is_ok() && !*stopped.borrow() {}
            })
            .await;
    });
    (stop, url)
}

/// Writes a configuration with one site; `site_odoo` is appended as the
/// site's `[sites.odoo]` table when not empty.
fn write_config(dir: &Path, url: &str, site_odoo: &str) -> std::path::PathBuf {
    std::fs::write(dir.join("main-key"), MAIN_KEY).unwrap();
    std::fs::write(dir.join("site-key"), SITE_KEY).unwrap();
    for folder in ["outbound", "inbound", "archive", "error"] {
        std::fs::create_dir_all(dir.join("site").join(folder)).unwrap();
    }
    let text = format!(
        r#"
[store]
path = "wharf.db"

[odoo]
url = "{url}"
database = "wharf_rights"
login = "integration"
api_key_file = "main-key"

[[sites]]
code = "main"
warehouses = ["WH"]

[sites.folder]
read_dir = "site/outbound"
write_dir = "site/inbound"
archive_dir = "site/archive"
error_dir = "site/error"
completion = {{ temp_suffix = ".tmp" }}
{site_odoo}
"#
    );
    let path = dir.join("wharf.toml");
    std::fs::write(&path, text).unwrap();
    path
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn run(config: &Path, extra: &[&str]) -> Output {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["check", "--config"])
        .arg(config)
        .arg("--privileges")
        .args(extra)
        .output()
        .await
        .unwrap();
    Output {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn assert_no_secret(output: &Output) {
    for secret in [MAIN_KEY, SITE_KEY] {
        assert!(!output.stdout.contains(secret), "secret in stdout");
        assert!(!output.stderr.contains(secret), "secret in stderr");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_account_passes() {
    for version in [17, 18, 19] {
        let dir = tempfile::tempdir().unwrap();
        let sim = sim(version);
        let (_stop, url) = serve(&sim).await;
        let config = write_config(dir.path(), &url, "");

        let output = run(&config, &[]).await;

        assert_eq!(
            output.code,
            Some(0),
            "{version}: {}{}",
            output.stdout,
            output.stderr
        );
        assert!(
            output.stdout.contains("ok      stock.picking write"),
            "{}",
            output.stdout
        );
        assert!(!output.stdout.contains("MISSING"), "{}", output.stdout);
        assert!(!output.stdout.contains("beyond  "), "{}", output.stdout);
        assert_no_secret(&output);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_right_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim(18);
    let mut rights = AccessProfile::Integration.rights(18);
    rights
        .rights
        .remove(&("stock.move.line".to_owned(), "write".to_owned()));
    sim.set_user_rights("integration", rights).unwrap();
    let (_stop, url) = serve(&sim).await;
    let config = write_config(dir.path(), &url, "");

    let output = run(&config, &[]).await;

    assert_eq!(output.code, Some(1), "{}{}", output.stdout, output.stderr);
    assert!(
        output.stdout.contains("MISSING stock.move.line write"),
        "{}",
        output.stdout
    );
    assert_no_secret(&output);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_account_too_broad() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim(19);
    sim.add_profile_user("broad", SITE_KEY, AccessProfile::TooBroad);
    let (_stop, url) = serve(&sim).await;
    let site_odoo = "[sites.odoo]\nlogin = \"broad\"\napi_key_file = \"site-key\"\n";
    let config = write_config(dir.path(), &url, site_odoo);

    let text = run(&config, &[]).await;

    assert_eq!(text.code, Some(0), "{}{}", text.stdout, text.stderr);
    assert!(
        text.stdout.contains("account sites.main.odoo (login broad"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("beyond  res.users write"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("beyond  group base.group_system"),
        "{}",
        text.stdout
    );
    assert_no_secret(&text);

    let json = run(&config, &["--json"]).await;

    assert_eq!(json.code, Some(0), "{}{}", json.stdout, json.stderr);
    assert_no_secret(&json);
    let document: Value = serde_json::from_str(&json.stdout).unwrap();
    let accounts = document["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["account"], "odoo");
    assert_eq!(accounts[1]["login"], "broad");
    assert_eq!(accounts[1]["complete"], true);
    let beyond = accounts[1]["report"]["beyond"].as_array().unwrap();
    let users_write = beyond
        .iter()
        .find(|s| s["model"] == "res.users" && s["operation"] == "write")
        .expect("res.users write checked");
    assert_eq!(users_write["access"]["state"], "granted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_account_needs_one_key_source() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:9";
    let both =
        "[sites.odoo]\nlogin = \"broad\"\napi_key_file = \"site-key\"\napi_key_env = \"X\"\n";
    let config = write_config(dir.path(), url, both);

    let output = run(&config, &[]).await;

    assert_eq!(output.code, Some(1), "{}{}", output.stdout, output.stderr);
    assert!(
        output
            .stderr
            .contains("set exactly one of api_key_file and api_key_env"),
        "{}",
        output.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_account_rejects_unknown_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:9";
    let literal = "[sites.odoo]\nlogin = \"broad\"\napi_key = \"literal\"\n";
    let config = write_config(dir.path(), url, literal);

    let output = run(&config, &[]).await;

    assert_eq!(output.code, Some(1), "{}{}", output.stdout, output.stderr);
    assert!(output.stderr.contains("api_key"), "{}", output.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_check_connects_site_account() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim(19);
    sim.add_profile_user("east", SITE_KEY, AccessProfile::Integration);
    let (_stop, url) = serve(&sim).await;
    let site_odoo = "[sites.odoo]\nlogin = \"east\"\napi_key_file = \"site-key\"\n";
    let config = write_config(dir.path(), &url, site_odoo);
    std::fs::write(dir.path().join("site-key"), "not-the-key").unwrap();

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);

    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL site main odoo user east"), "{stdout}");
    assert!(!stdout.contains("not-the-key"), "{stdout}");
}
