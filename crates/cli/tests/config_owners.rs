//! The `[owners]` table: the example lists every exception kind with its
//! default team, mistakes are rejected with the value at fault, and a
//! configured team reaches the exceptions of a hub built from the file.

use std::path::{Path, PathBuf};

use tokio::sync::watch;
use wharf::config::Config;
use wharf_engine::Engine;
use wharf_model::ExceptionKind;
use wharf_sim::odoo::{OdooSim, SeedOptions, SimOptions};

const API_KEY: &str = "owners-test-key";

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wharf.toml")
}

fn example_text() -> String {
    std::fs::read_to_string(example_path()).expect("examples/wharf.toml is readable")
}

/// Loads the example with its one `from` line replaced by `to`, and returns
/// the error text.
fn load_error(from: &str, to: &str) -> String {
    let example = example_text();
    let changed = example.replacen(from, to, 1);
    assert_ne!(changed, example, "the example has no line {from:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wharf.toml");
    std::fs::write(&path, changed).unwrap();
    match Config::load(&path) {
        Ok(_) => panic!("the example with {to:?} loaded without error"),
        Err(error) => format!("{error:#}"),
    }
}

#[test]
fn example_lists_every_kind_with_default() {
    let config = Config::load(&example_path()).unwrap();
    let text = example_text();

    for kind in ExceptionKind::ALL {
        let line = format!("\n{} = \"{}\"\n", kind.as_str(), kind.default_owner());
        assert!(text.contains(&line), "[owners] does not list {line:?}");
        assert_eq!(config.owners.owner_of(kind), kind.default_owner());
    }
}

#[test]
fn unknown_kind_is_rejected() {
    let error = load_error(
        "\nheld_order = \"customer_service\"\n",
        "\nheld_orders = \"customer_service\"\n",
    );

    assert!(error.contains("\"held_orders\""), "{error}");
    assert!(error.contains("held_order,"), "{error}");
    assert!(error.contains("nothing_received"), "{error}");
}

#[test]
fn empty_team_is_rejected() {
    let error = load_error(
        "\ncredit_note_due = \"finance\"\n",
        "\ncredit_note_due = \" \"\n",
    );

    assert!(error.contains("credit_note_due"), "{error}");
    assert!(error.contains("empty team name"), "{error}");
}

#[test]
fn owners_key_in_engine_is_rejected() {
    let error = load_error("\n[engine]\n", "\n[engine]\nowners = {}\n");

    assert!(error.contains("owners"), "{error}");
}

/// Writes a configuration for the simulator at `url` with an `[owners]`
/// table, and loads it.
fn config(dir: &Path, url: &str) -> Config {
    std::fs::write(dir.join("odoo-api-key"), API_KEY).unwrap();
    for folder in ["outbound", "inbound", "archive", "error"] {
        std::fs::create_dir_all(dir.join("site").join(folder)).unwrap();
    }
    let text = format!(
        r#"
[store]
path = "wharf.db"

[odoo]
url = "{url}"
database = "wharf_owners"
login = "integration"
api_key_file = "odoo-api-key"

[owners]
held_order = "credit_desk"
defect = "platform"

[[sites]]
code = "main"
warehouses = ["WH", "EAST"]

[sites.folder]
read_dir = "site/outbound"
write_dir = "site/inbound"
archive_dir = "site/archive"
error_dir = "site/error"
completion = {{ temp_suffix = ".tmp" }}
"#
    );
    let path = dir.join("wharf.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

/// Serves `sim` on a loopback port until the returned sender is dropped.
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

async fn settle(engine: &Engine) {
    for _ in 0..50 {
        if engine.step().await == 0 {
            return;
        }
    }
    panic!("the hub kept working after 50 passes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_owner_reaches_held_exception() {
    let sim = OdooSim::new(SimOptions {
        version: 18,
        database: "wharf_owners".to_owned(),
        api_key: API_KEY.to_owned(),
        login: "integration".to_owned(),
        password: API_KEY.to_owned(),
    })
    .unwrap();
    sim.seed_demo(&SeedOptions {
        orders: 6,
        seed: 3,
        credit_hold_every: Some(3),
        lines_per_order: (1, 2),
        ..SeedOptions::default()
    })
    .unwrap();
    let (_stop, url) = serve(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = wharf::hub::build(&config(dir.path(), &url)).await.unwrap();

    assert_eq!(
        engine.settings.owners.owner_of(ExceptionKind::Defect),
        "platform"
    );
    assert_eq!(
        engine.sites[0]
            .rules
            .owners
            .owner_of(ExceptionKind::HeldOrder),
        "credit_desk"
    );

    settle(&engine).await;
    let exceptions = engine.store.exceptions(false).await.unwrap();
    let held: Vec<_> = exceptions
        .iter()
        .filter(|row| row.kind == ExceptionKind::HeldOrder)
        .collect();
    assert!(!held.is_empty(), "no held_order exception: {exceptions:?}");
    for row in held {
        assert_eq!(row.owner, "credit_desk", "{row:?}");
    }
}
