//! `wharf run` started while Odoo is down waits for it instead of exiting,
//! then releases the ready orders once Odoo responds.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wharf_sim::odoo::{OdooSim, SeedOptions, SimOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_waits_for_odoo_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    for folder in ["inbound", "outbound", "archive", "error"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    // Reserve a free port, then leave it closed until the simulator starts.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    std::fs::write(dir.path().join("key"), "late-key").unwrap();
    let config = format!(
        r#"
[store]
path = "hub.db"

[odoo]
url = "http://{address}"
database = "late"
login = "integration"
api_key_file = "key"

[engine]
odoo_poll_interval_ms = 200

[[sites]]
code = "main"
warehouses = ["WH", "EAST"]

[sites.folder]
read_dir = "{root}/outbound"
write_dir = "{root}/inbound"
archive_dir = "{root}/archive"
error_dir = "{root}/error"
completion = {{ temp_suffix = ".tmp" }}
"#,
        root = root.display()
    );
    let config_path = dir.path().join("wharf.toml");
    std::fs::write(&config_path, config).unwrap();

    let mut hub = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["run", "--config"])
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert!(
        hub.try_wait().unwrap().is_none(),
        "the hub exited while Odoo was down"
    );

    let sim = OdooSim::new(SimOptions {
        version: 19,
        database: "late".into(),
        api_key: "late-key".into(),
        login: "integration".into(),
        password: "late-key".into(),
    })
    .unwrap();
    sim.seed_demo(&SeedOptions {
        orders: 5,
        ..SeedOptions::default()
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind(address).await.unwrap();
    tokio::spawn(sim.serve(listener, std::future::pending::<()>()));

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut released = 0;
    while released < 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        released = std::fs::read_dir(root.join("inbound")).unwrap().count();
    }
    hub.kill().unwrap();
    hub.wait().unwrap();
    assert_eq!(
        released, 5,
        "the hub did not release the orders after Odoo came up"
    );
}
