//! Secrets stay out of everything a run leaves behind. The test runs the
//! `wharf demo` binary with `RUST_LOG=trace`, the most verbose filter. The
//! demo gives its Odoo simulator one API key, which is also the integration
//! user's password. That key must then be missing from standard output and
//! error, the summary JSON, every store row (audit rows included) and every
//! other file of the run. In one run the demo also serves its dashboard,
//! and the test signs in to it while the demo works, so the dashboard token,
//! a rejected token, the sign-in form's CSRF value and the session cookie
//! are searched for too.
//! Last, a token made by `wharf token create` may appear only in the one
//! line that command prints for it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection as _, SqliteConnection};

/// Orders the demo generates: enough for every flow to call Odoo, few
/// enough to keep trace output and run time small.
const DEMO_ORDERS: &str = "12";

/// Name of the file in which the demo keeps its API key.
const KEY_FILE: &str = "odoo-api-key";

/// Name of the file in which the demo keeps its dashboard token.
const TOKEN_FILE: &str = "dashboard-token";

/// Runs one demo at a time: each one uses the machine's cores fully.
static DEMO_RUNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn wharf() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_wharf"));
    command.env("RUST_LOG", "trace").kill_on_drop(true);
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A finished demo: its kept folder and everything it printed.
struct DemoRun {
    dir: tempfile::TempDir,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `wharf demo` against the simulator of `odoo_version`. With
/// `dashboard`, the demo also serves its dashboard on a loopback port, and
/// the test signs in to it while the demo works. Returns the run and the
/// secrets the dashboard handed out.
async fn run_demo(odoo_version: &str, dashboard: bool) -> (DemoRun, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let (stdout_path, stderr_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let port = free_port();

    let mut command = wharf();
    command
        .args(["demo", "--orders", DEMO_ORDERS, "--seed", "5"])
        .args(["--odoo-version", odoo_version, "--timeout-secs", "300"])
        .arg("--dir")
        .arg(dir.path())
        .arg("--summary-json")
        .arg(dir.path().join("summary.json"))
        .stdout(Stdio::from(std::fs::File::create(&stdout_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&stderr_path).unwrap()));
    if dashboard {
        command.arg("--listen").arg(format!("127.0.0.1:{port}"));
    }
    let mut child = command.spawn().expect("the wharf binary starts");

    let secrets = if dashboard {
        use_dashboard(dir.path(), port).await
    } else {
        vec![]
    };
    let status = tokio::time::timeout(Duration::from_secs(400), child.wait())
        .await
        .expect("the demo finishes within 400 s")
        .unwrap();
    let run = DemoRun {
        dir,
        stdout: std::fs::read(&stdout_path).unwrap(),
        stderr: std::fs::read(&stderr_path).unwrap(),
    };
    assert!(
        status.success(),
        "wharf demo failed: {status}\n{}",
        text(&run.stderr)
    );
    (run, secrets)
}

/// Returns a loopback port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Returns the value of the cookie `name` that `response` sets.
fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix(&prefix))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("the response sets no {name} cookie"))
        .to_owned()
}

/// Waits for the demo's dashboard, then calls the API with its token and
/// with a wrong one, and signs in to the pages. Returns the token, the
/// wrong token, the CSRF value and the session cookie.
async fn use_dashboard(dir: &Path, port: u16) -> Vec<String> {
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let token = loop {
        let token = std::fs::read_to_string(dir.join(TOKEN_FILE)).unwrap_or_default();
        let up = client.get(format!("{base}/healthz")).send().await.is_ok();
        if up && !token.trim().is_empty() {
            break token.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "the dashboard did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    for path in ["/api/v1/status", "/api/v1/exceptions", "/metrics"] {
        let response = client
            .get(format!("{base}{path}"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    }
    let wrong: String = token.chars().rev().collect();
    let rejected = client
        .get(format!("{base}/api/v1/status"))
        .header(AUTHORIZATION, format!("Bearer {wrong}"))
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), StatusCode::UNAUTHORIZED);

    let form = client.get(format!("{base}/login")).send().await.unwrap();
    let csrf = set_cookie(&form, "wharf_sign_in");
    let signed_in = client
        .post(format!("{base}/login"))
        .header(COOKIE, format!("wharf_sign_in={csrf}"))
        .form(&[("token", token.as_str()), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        signed_in.status().is_redirection(),
        "POST /login: {}",
        signed_in.status()
    );
    let session = set_cookie(&signed_in, "wharf_session");
    let page = client
        .get(format!("{base}/business"))
        .header(COOKIE, format!("wharf_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "GET /business");

    vec![token, wrong, csrf, session]
}

/// Returns every file under `dir`, in sub-folders too.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![];
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Returns the files under `dir` that contain `secret`, except the two
/// files the demo writes its secrets to.
fn files_with(dir: &Path, secret: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name != KEY_FILE && name != TOKEN_FILE)
        })
        .filter(|path| contains(&std::fs::read(path).unwrap(), secret))
        .collect()
}

async fn open_store(database: &Path) -> SqliteConnection {
    let options = SqliteConnectOptions::new()
        .filename(database)
        .read_only(true);
    SqliteConnection::connect_with(&options).await.unwrap()
}

/// Returns `table.column` for every column of every table of the store
/// whose text contains `secret`. A file search alone could miss a value
/// that SQLite split across pages.
async fn store_columns_with(database: &Path, secret: &str) -> Vec<String> {
    let mut connection = open_store(database).await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut connection)
            .await
            .unwrap();
    let mut found = vec![];
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
            .bind(&table)
            .fetch_all(&mut connection)
            .await
            .unwrap();
        for column in columns {
            let query = format!(
                "SELECT count(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), ?1) > 0"
            );
            let rows: i64 = sqlx::query_scalar(&query)
                .bind(secret)
                .fetch_one(&mut connection)
                .await
                .unwrap();
            if rows > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

async fn audit_rows(database: &Path) -> i64 {
    let mut connection = open_store(database).await;
    sqlx::query_scalar("SELECT count(*) FROM audit")
        .fetch_one(&mut connection)
        .await
        .unwrap()
}

/// Checks that `secret`, named `description` in failures, is in none of the run's
/// output, files and store columns.
async fn assert_nowhere(run: &DemoRun, secret: &str, description: &str) {
    assert!(
        !contains(&run.stdout, secret),
        "{description} is on standard output"
    );
    assert!(
        !contains(&run.stderr, secret),
        "{description} is on standard error"
    );
    assert_eq!(
        files_with(run.dir.path(), secret),
        Vec::<PathBuf>::new(),
        "files of the demo folder contain {description}"
    );
    assert_eq!(
        store_columns_with(&run.dir.path().join("wharf.db"), secret).await,
        Vec::<String>::new(),
        "store columns contain {description}"
    );
}

/// Runs the demo and checks that its API key, and every secret the
/// dashboard handed out, is nowhere but in the demo's secret files.
async fn check_demo(odoo_version: &str, dashboard: bool) -> DemoRun {
    let (run, dashboard_secrets) = run_demo(odoo_version, dashboard).await;
    let key = std::fs::read_to_string(run.dir.path().join(KEY_FILE)).unwrap();
    let key = key.trim();
    let stderr = text(&run.stderr);

    // The search means something only with a long key and verbose logs
    // that include the Odoo calls made with it.
    assert!(key.len() >= 32, "the demo's API key {key:?} is short");
    assert!(stderr.contains("TRACE"), "no trace output on stderr");
    assert!(
        stderr.contains("Odoo call succeeded"),
        "stderr does not log the Odoo calls"
    );
    assert!(
        audit_rows(&run.dir.path().join("wharf.db")).await > 0,
        "the store has no audit rows"
    );

    assert_nowhere(&run, key, "the API key").await;
    let names = [
        "the dashboard token",
        "a rejected token",
        "the CSRF value",
        "the session cookie",
    ];
    for (secret, description) in dashboard_secrets.iter().zip(names) {
        assert!(secret.len() >= 32, "{description} {secret:?} is short");
        assert_nowhere(&run, secret, description).await;
    }
    run
}

#[tokio::test]
async fn demo_jsonrpc_logs_no_api_key() {
    let _one_demo = DEMO_RUNS.lock().await;
    // Over JSON-RPC the key travels in the body of every call.
    check_demo("17", false).await;
}

#[tokio::test]
async fn demo_json2_logs_no_secrets() {
    let _one_demo = DEMO_RUNS.lock().await;
    // Over JSON-2 the key travels in the Authorization header.
    let run = check_demo("19", true).await;
    check_created_token(run.dir.path()).await;
}

/// Creates an API token on the demo's store and checks that only
/// `wharf token create` prints it, once, and that the store keeps no copy.
async fn check_created_token(dir: &Path) {
    let config = dir.join("wharf.toml");

    let created = wharf()
        .args(["token", "create", "--role", "admin"])
        .args(["--name", "secrets-test", "--by", "secrets-test"])
        .arg("--config")
        .arg(&config)
        .output()
        .await
        .unwrap();
    assert!(created.status.success(), "{}", text(&created.stderr));
    let stdout = text(&created.stdout);
    let token = stdout.lines().next().unwrap_or_default().trim().to_owned();
    assert!(token.len() >= 32, "the token {token:?} is short");
    assert!(
        !contains(&created.stderr, &token),
        "token create logs the token"
    );

    let readers: [&[&str]; 4] = [
        &["token", "list"],
        &["token", "list", "--json"],
        &["status", "--json"],
        &["audit", "verify"],
    ];
    for args in readers {
        let output = wharf()
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "wharf {args:?}: {}",
            text(&output.stderr)
        );
        assert!(
            !contains(&output.stdout, &token),
            "wharf {args:?} prints the token"
        );
        assert!(
            !contains(&output.stderr, &token),
            "wharf {args:?} logs the token"
        );
    }
    assert_eq!(
        files_with(dir, &token),
        Vec::<PathBuf>::new(),
        "files of the demo folder contain the token"
    );
    assert_eq!(
        store_columns_with(&dir.join("wharf.db"), &token).await,
        Vec::<String>::new(),
        "store columns contain the token"
    );
}
