//! A site with its own Odoo account, against the Odoo and WMS simulators.
//! The hub validates that site's shipments as the site's user and the other
//! site's as the `[odoo]` user. A site user without the shipment rights
//! stops only its own site's deliveries, with exceptions that name the user.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use tokio::sync::watch;
use wharf::config::Config;
use wharf_engine::Engine;
use wharf_model::{ExceptionKind, PickingState};
use wharf_sim::odoo::{AccessProfile, OdooSim, SeedOptions, SimOptions};
use wharf_sim::wms::{WmsOptions, WmsSim};

const DATABASE: &str = "wharf_accounts";
const MAIN_LOGIN: &str = "integration";
const MAIN_KEY: &str = "main-account-key";
const EAST_LOGIN: &str = "wharf-east";
const EAST_KEY: &str = "east-account-key";
const VALIDATE: &str = "stock.picking.button_validate";

struct World {
    sim: OdooSim,
    engine: Engine,
    west: WmsSim,
    east: WmsSim,
    _dir: tempfile::TempDir,
    _stop: watch::Sender<bool>,
}

/// Writes and loads a configuration with site `west` (warehouse WH) on the
/// `[odoo]` account and site `east` (warehouse EAST) on its own account.
fn config(dir: &Path, url: &str) -> Config {
    std::fs::write(dir.join("main-key"), MAIN_KEY).unwrap();
    std::fs::write(dir.join("east-key"), EAST_KEY).unwrap();
    let text = format!(
        r#"
[store]
path = "wharf.db"

[odoo]
url = "{url}"
database = "{DATABASE}"
login = "{MAIN_LOGIN}"
api_key_file = "main-key"

[[sites]]
code = "west"
warehouses = ["WH"]

[sites.folder]
read_dir = "west/outbound"
write_dir = "west/inbound"
archive_dir = "west/archive"
error_dir = "west/error"
completion = {{ temp_suffix = ".tmp" }}

[[sites]]
code = "east"
warehouses = ["EAST"]

[sites.odoo]
login = "{EAST_LOGIN}"
api_key_file = "east-key"

[sites.folder]
read_dir = "east/outbound"
write_dir = "east/inbound"
archive_dir = "east/archive"
error_dir = "east/error"
completion = {{ temp_suffix = ".tmp" }}
"#
    );
    let path = dir.join("wharf.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
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

fn warehouse(dir: &Path, code: &str) -> WmsSim {
    let root = dir.join(code);
    for folder in ["archive", "error"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    WmsSim::new(WmsOptions {
        root,
        order_layout: wharf_formats::default_order_layout(),
        confirmation_layout: wharf_formats::default_confirmation_layout(),
        faults: Default::default(),
        seed: 9,
    })
    .unwrap()
}

/// Seeds ten orders over both warehouses, adds the east site's user with
/// `east_profile` and builds the hub.
async fn world(east_profile: AccessProfile) -> World {
    let dir = tempfile::tempdir().unwrap();
    let sim = OdooSim::new(SimOptions {
        version: 18,
        database: DATABASE.to_owned(),
        api_key: MAIN_KEY.to_owned(),
        login: MAIN_LOGIN.to_owned(),
        password: MAIN_KEY.to_owned(),
    })
    .unwrap();
    sim.seed_demo(&SeedOptions {
        orders: 10,
        seed: 4,
        lines_per_order: (1, 2),
        ..SeedOptions::default()
    })
    .unwrap();
    sim.add_profile_user(EAST_LOGIN, EAST_KEY, east_profile);
    let (stop, url) = serve(&sim).await;
    let west = warehouse(dir.path(), "west");
    let east = warehouse(dir.path(), "east");
    let engine = wharf::hub::build(&config(dir.path(), &url)).await.unwrap();
    World {
        sim,
        engine,
        west,
        east,
        _dir: dir,
        _stop: stop,
    }
}

impl World {
    async fn settle(&self) {
        for _ in 0..50 {
            if self.engine.step().await == 0 {
                return;
            }
        }
        panic!("the hub kept working after 50 passes");
    }

    /// Releases every order, lets both warehouses ship them and lets the hub
    /// deliver the confirmations, with the call counters cleared before the
    /// warehouses ship.
    async fn ship_everything(&mut self) {
        self.settle().await;
        self.sim.reset_call_counts();
        self.west.run_once().await.unwrap();
        self.east.run_once().await.unwrap();
        self.settle().await;
    }

    /// Returns the state in Odoo of every delivery order whose name starts
    /// with `prefix`, by name.
    fn deliveries(&self, prefix: &str) -> BTreeMap<String, String> {
        let found = self
            .sim
            .admin_call(
                "stock.picking",
                "search_read",
                None,
                json!({"domain": [["name", "=like", format!("{prefix}%")]], "fields": ["name", "state"]}),
                json!({}),
            )
            .unwrap();
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|picking| {
                let name = picking["name"].as_str().unwrap().to_owned();
                let state = picking["state"].as_str().unwrap().to_owned();
                (name, state)
            })
            .collect()
    }

    async fn site_pickings(&self, site: &str, state: PickingState) -> Vec<String> {
        let mut names: Vec<String> = self
            .engine
            .store
            .pickings_in_state(site, state)
            .await
            .unwrap()
            .into_iter()
            .map(|record| record.picking_name)
            .collect();
        names.sort();
        names
    }
}

fn validations(sim: &OdooSim, login: &str) -> u64 {
    sim.user_call_counts(login)
        .get(VALIDATE)
        .copied()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_site_ships_as_its_user() {
    let mut world = world(AccessProfile::Integration).await;
    let west = world.deliveries("WH/OUT/");
    let east = world.deliveries("EAST/OUT/");
    assert!(!west.is_empty(), "the seed puts orders in WH");
    assert!(!east.is_empty(), "the seed puts orders in EAST");

    world.ship_everything().await;

    let open = world.engine.store.exceptions(false).await.unwrap();
    assert!(open.is_empty(), "{open:#?}");
    for (name, state) in world.deliveries("WH/OUT/") {
        assert_eq!(state, "done", "{name}");
    }
    for (name, state) in world.deliveries("EAST/OUT/") {
        assert_eq!(state, "done", "{name}");
    }
    assert_eq!(
        world
            .site_pickings("west", PickingState::Shipped)
            .await
            .len(),
        west.len()
    );
    assert_eq!(
        world
            .site_pickings("east", PickingState::Shipped)
            .await
            .len(),
        east.len()
    );

    // Each site's shipments go out in one batch, so each user validates
    // once: the east user its site's pickings, the main user the west's.
    assert_eq!(validations(&world.sim, EAST_LOGIN), 1);
    assert_eq!(validations(&world.sim, MAIN_LOGIN), 1);
    let east_calls = world.sim.user_call_counts(EAST_LOGIN);
    let main_calls = world.sim.user_call_counts(MAIN_LOGIN);
    assert!(
        east_calls.contains_key("stock.picking.write"),
        "the east user writes its site's pickings: {east_calls:?}"
    );
    assert!(
        main_calls.contains_key("stock.picking.write"),
        "the main user writes the west site's pickings: {main_calls:?}"
    );

    // The east user's calls show as their own connector.
    let contacts: BTreeMap<String, _> = world.engine.contacts.snapshot().into_iter().collect();
    let east_contact = contacts.get("odoo:east").expect("odoo:east is recorded");
    assert!(east_contact.last_ok.is_some(), "{contacts:?}");
    assert!(contacts.contains_key("odoo"), "{contacts:?}");
    assert!(!contacts.contains_key("odoo:west"), "{contacts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_user_without_rights_stops_only_its_site() {
    let mut world = world(AccessProfile::NoAccess).await;
    let west = world.deliveries("WH/OUT/");
    let east = world.deliveries("EAST/OUT/");
    assert!(!west.is_empty(), "the seed puts orders in WH");
    assert!(!east.is_empty(), "the seed puts orders in EAST");

    world.ship_everything().await;

    // The west site goes on as if nothing happened.
    for (name, state) in world.deliveries("WH/OUT/") {
        assert_eq!(state, "done", "{name}");
    }
    assert_eq!(
        world
            .site_pickings("west", PickingState::Shipped)
            .await
            .len(),
        west.len()
    );

    // Nothing of the east site is validated, and each of its pickings is
    // an Odoo rejection that names the user and the missing right.
    for (name, state) in world.deliveries("EAST/OUT/") {
        assert_ne!(state, "done", "{name}");
    }
    assert_eq!(validations(&world.sim, EAST_LOGIN), 0);
    let mut failed: Vec<String> = east.keys().cloned().collect();
    failed.sort();
    assert_eq!(
        world.site_pickings("east", PickingState::Exception).await,
        failed
    );
    let open = world.engine.store.exceptions(false).await.unwrap();
    assert_eq!(open.len(), east.len(), "{open:#?}");
    for exception in &open {
        assert_eq!(exception.site, "east", "{exception:#?}");
        assert_eq!(
            exception.kind,
            ExceptionKind::OdooRejected,
            "{exception:#?}"
        );
        let detail = &exception.detail;
        assert!(
            detail.starts_with(r#"Odoo account "wharf-east" of site east: "#),
            "{detail}"
        );
        assert!(detail.contains("AccessError"), "{detail}");
        assert!(detail.contains("stock.picking"), "{detail}");
    }
}

#[test]
fn example_site_account_loads() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wharf.toml");
    let text = std::fs::read_to_string(example).unwrap();
    let commented =
        "# [sites.odoo]\n# login = \"wharf-east\"\n# api_key_env = \"WHARF_ODOO_EAST_API_KEY\"\n";
    assert!(
        text.contains(commented),
        "the example documents [sites.odoo]"
    );
    let enabled = text.replace(
        commented,
        "[sites.odoo]\nlogin = \"wharf-east\"\napi_key_env = \"WHARF_ODOO_EAST_API_KEY\"\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wharf.toml");
    std::fs::write(&path, enabled).unwrap();

    let config = Config::load(&path).unwrap();
    let east = config
        .sites
        .iter()
        .find(|site| site.rules.code == "east")
        .unwrap();
    let account = east.odoo.as_ref().expect("site east has its own account");
    assert_eq!(account.login, "wharf-east");
    let odoo = config.odoo_for_site(east);
    assert_eq!(odoo.login, "wharf-east");
    assert_eq!(odoo.api_key_env.as_deref(), Some("WHARF_ODOO_EAST_API_KEY"));
    assert_eq!(odoo.url, config.odoo.url);
    let main = config
        .sites
        .iter()
        .find(|site| site.rules.code != "east")
        .unwrap();
    assert!(main.odoo.is_none());
}
