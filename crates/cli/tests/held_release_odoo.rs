//! Against the Odoo simulator: orders of a customer on credit hold are
//! held, and released by the hub once the hold is lifted in Odoo: the tag
//! removed, or the partner field `x_credit_hold` cleared.

use std::path::Path;

use serde_json::{json, Value};
use tokio::sync::watch;
use wharf::config::Config;
use wharf_engine::Engine;
use wharf_model::PickingState;
use wharf_sim::odoo::{OdooSim, SeedOptions, SimOptions};

const API_KEY: &str = "held-test-key";

async fn settle(engine: &Engine) {
    for _ in 0..50 {
        if engine.step().await == 0 {
            return;
        }
    }
    panic!("the hub kept working after 50 passes");
}

/// Writes and loads a configuration for the simulator at `url`, with
/// `odoo_extra` appended to the `[odoo]` table.
fn config(dir: &Path, url: &str, odoo_extra: &str) -> Config {
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
database = "wharf_held"
login = "integration"
api_key_file = "odoo-api-key"
{odoo_extra}

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

fn ids(result: &Value) -> Vec<i64> {
    result
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|record| record["id"].as_i64())
        .collect()
}

async fn held_count(engine: &Engine) -> usize {
    let mut held = 0;
    for site in &engine.sites {
        held += engine
            .store
            .pickings_in_state(site.code(), PickingState::Held)
            .await
            .unwrap()
            .len();
    }
    held
}

/// Creates a simulator with nine generated orders. With `credit_hold_every`
/// set, every n-th order goes to the customer tagged "Credit Hold".
fn seeded_sim(credit_hold_every: Option<usize>) -> OdooSim {
    let sim = OdooSim::new(SimOptions {
        version: 18,
        database: "wharf_held".to_owned(),
        api_key: API_KEY.to_owned(),
        login: "integration".to_owned(),
        password: API_KEY.to_owned(),
    })
    .unwrap();
    sim.seed_demo(&SeedOptions {
        orders: 9,
        seed: 3,
        credit_hold_every,
        lines_per_order: (1, 2),
        ..SeedOptions::default()
    })
    .unwrap();
    sim
}

/// Serves the simulator on a loopback port until the returned sender is
/// dropped or sends `true`. Returns the sender and the base URL.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_hold_released_after_tag_removed() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded_sim(Some(3));
    let (_stop, url) = serve(&sim).await;
    let engine = wharf::hub::build(&config(dir.path(), &url, ""))
        .await
        .unwrap();

    settle(&engine).await;
    let held = held_count(&engine).await;
    assert!(held > 0, "no order was held for credit");
    let open = engine.store.exceptions(false).await.unwrap();
    assert_eq!(open.len(), held, "{open:#?}");

    // Credit control clears the customer: the tag goes, the pickings stay.
    let tags = sim
        .admin_call(
            "res.partner.category",
            "search_read",
            None,
            json!({"domain": [["name", "=", "Credit Hold"]], "fields": ["id"]}),
            json!({}),
        )
        .unwrap();
    let tag = ids(&tags)[0];
    let partners = sim
        .admin_call(
            "res.partner",
            "search_read",
            None,
            json!({"domain": [["category_id", "in", [tag]]], "fields": ["id"]}),
            json!({}),
        )
        .unwrap();
    sim.admin_call(
        "res.partner",
        "write",
        Some(ids(&partners)),
        json!({"vals": {"category_id": [[3, tag]]}}),
        json!({}),
    )
    .unwrap();

    settle(&engine).await;

    assert_eq!(held_count(&engine).await, 0);
    let open = engine.store.exceptions(false).await.unwrap();
    assert!(open.is_empty(), "{open:#?}");
    let written = std::fs::read_dir(dir.path().join("site/inbound"))
        .unwrap()
        .count();
    assert_eq!(written, 9, "every order file is written once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_hold_released_after_field_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded_sim(None);
    // Harbor Supply Co. (partner 10) is one of the customers the seed
    // picks at random; credit control flags it before the first poll.
    let harbor = 10;
    let flag = |value: bool| {
        sim.admin_call(
            "res.partner",
            "write",
            Some(vec![harbor]),
            json!({"vals": {"x_credit_hold": value}}),
            json!({}),
        )
        .unwrap();
    };
    flag(true);
    let pickings = sim
        .admin_call(
            "stock.picking",
            "search_read",
            None,
            json!({"domain": [["partner_id", "=", harbor]], "fields": ["name"]}),
            json!({}),
        )
        .unwrap();
    let harbor_pickings: Vec<String> = pickings
        .as_array()
        .unwrap()
        .iter()
        .map(|picking| picking["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !harbor_pickings.is_empty() && harbor_pickings.len() < 9,
        "the seed gives Harbor Supply some of the orders: {harbor_pickings:?}"
    );
    let (_stop, url) = serve(&sim).await;
    let odoo_extra = r#"credit_hold_field = "x_credit_hold""#;
    let engine = wharf::hub::build(&config(dir.path(), &url, odoo_extra))
        .await
        .unwrap();

    settle(&engine).await;
    assert_eq!(held_count(&engine).await, harbor_pickings.len());
    let open = engine.store.exceptions(false).await.unwrap();
    let mut held: Vec<String> = open.iter().map(|e| e.correlation_id.clone()).collect();
    held.sort();
    let mut expected = harbor_pickings.clone();
    expected.sort();
    assert_eq!(held, expected, "{open:#?}");
    for exception in &open {
        let text = format!(
            "picking {} held: customer Harbor Supply Co. is flagged on credit hold in Odoo; clear the flag on the customer in Odoo once credit is cleared",
            exception.correlation_id
        );
        assert_eq!(exception.detail, text);
    }
    let written = std::fs::read_dir(dir.path().join("site/inbound"))
        .unwrap()
        .count();
    assert_eq!(written, 9 - harbor_pickings.len(), "the others go out");

    // Credit control clears the flag: the pickings stay as they are.
    flag(false);
    settle(&engine).await;

    assert_eq!(held_count(&engine).await, 0);
    let open = engine.store.exceptions(false).await.unwrap();
    assert!(open.is_empty(), "{open:#?}");
    let all = engine.store.exceptions(true).await.unwrap();
    assert_eq!(all.len(), harbor_pickings.len());
    assert!(all.iter().all(|e| e.state == "resolved"), "{all:#?}");
    let written = std::fs::read_dir(dir.path().join("site/inbound"))
        .unwrap()
        .count();
    assert_eq!(written, 9, "every order file is written once");
}
