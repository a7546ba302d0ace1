//! The order lifecycle end to end: the hub between the Odoo simulator and
//! the WMS simulator, driven step by step. Orders are cancelled and amended
//! in Odoo after release, the warehouse answers and reports progress out of
//! order, customers return goods with each disposition, and purchase
//! receipts arrive short and with new lots.

use std::path::Path;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use tokio::sync::watch;
use wharf::config::Config;
use wharf_engine::Engine;
use wharf_model::{Disposition, ExceptionKind, PickingState};
use wharf_odoo::stock::{create_return, ReturnItem, ReturnLine, ReturnRequest};
use wharf_sim::odoo::{OdooSim, SeedOptions, SimOptions};
use wharf_sim::wms::{read_receipt_log, LifecycleOptions, WmsOptions, WmsSim};

const API_KEY: &str = "lifecycle-test-key";
const DATABASE: &str = "wharf_lifecycle";

struct World {
    sim: OdooSim,
    wms: WmsSim,
    engine: Engine,
    config: Config,
    _dir: tempfile::TempDir,
    _stop: watch::Sender<bool>,
}

fn config(dir: &Path, url: &str) -> Config {
    std::fs::write(dir.join("odoo-api-key"), API_KEY).unwrap();
    let text = format!(
        r#"
[store]
path = "wharf.db"

[odoo]
url = "{url}"
database = "{DATABASE}"
login = "integration"
api_key_file = "odoo-api-key"

[[sites]]
code = "main"
warehouses = ["WH", "EAST"]

[sites.folder]
read_dir = "site/outbound"
write_dir = "site/inbound"
archive_dir = "site/archive"
error_dir = "site/error"
completion = {{ temp_suffix = ".tmp" }}

[sites.lifecycle]
chatter_notes = true
finance_follow_up = "activity"
disposition_locations = {{ restock = "WH/Stock", quarantine = "WH/Stock/Quarantine", scrap = "Virtual Locations/Scrap", return_to_vendor = "Partners/Vendors" }}
"#
    );
    let path = dir.join("wharf.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let sim = OdooSim::new(SimOptions {
        version: 18,
        database: DATABASE.to_owned(),
        api_key: API_KEY.to_owned(),
        login: "integration".to_owned(),
        password: API_KEY.to_owned(),
    })
    .unwrap();
    let seed = SeedOptions {
        orders: 8,
        seed: 5,
        lines_per_order: (1, 2),
        ..SeedOptions::default()
    };
    sim.seed_demo_with_receipts(&seed, 2).unwrap();
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

    let root = dir.path().join("site");
    let mut wms = WmsSim::new(WmsOptions {
        root: root.clone(),
        order_layout: wharf_formats::default_order_layout(),
        confirmation_layout: wharf_formats::default_confirmation_layout(),
        faults: Default::default(),
        seed: 5,
    })
    .unwrap();
    wms.set_lifecycle_options(LifecycleOptions {
        progress: true,
        progress_out_of_order_every: Some(1),
        too_late_every: Some(2),
        return_dispositions: Disposition::ALL.to_vec(),
        short_receipt_every: Some(2),
        ..LifecycleOptions::default()
    })
    .unwrap();
    for folder in ["archive", "error"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    let config = config(dir.path(), &url);
    let engine = wharf::hub::build(&config).await.unwrap();
    World {
        sim,
        wms,
        engine,
        config,
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

    /// Lets the warehouse take its inbound files, then the hub the answers.
    async fn warehouse_round(&mut self) {
        self.wms.run_once().await.unwrap();
        self.settle().await;
    }

    fn odoo(&self, model: &str, method: &str, ids: Option<Vec<i64>>, params: Value) -> Value {
        self.sim
            .admin_call(model, method, ids, params, json!({}))
            .unwrap()
    }

    fn read(&self, model: &str, domain: Value, fields: &[&str]) -> Vec<Value> {
        let found = self.odoo(
            model,
            "search_read",
            None,
            json!({"domain": domain, "fields": fields}),
        );
        found.as_array().unwrap().clone()
    }

    async fn state(&self, name: &str) -> PickingState {
        self.engine
            .store
            .picking_by_name(name)
            .await
            .unwrap()
            .unwrap()
            .state
    }

    async fn open(&self, kind: ExceptionKind) -> Vec<String> {
        let open = self.engine.store.exceptions(false).await.unwrap();
        open.into_iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.correlation_id)
            .collect()
    }

    async fn released(&self) -> Vec<(i64, String)> {
        let mut released = self
            .engine
            .store
            .pickings_in_state("main", PickingState::Released)
            .await
            .unwrap()
            .into_iter()
            .filter(|record| record.picking_name.contains("/OUT/"))
            .map(|record| (record.picking_id, record.picking_name))
            .collect::<Vec<_>>();
        released.sort();
        released
    }
}

fn decimal(value: &Value) -> Decimal {
    match value {
        Value::Number(number) => number.to_string().parse().unwrap(),
        Value::String(text) => text.parse().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancels_amendments_progress_returns_and_receipts() {
    let mut world = world().await;
    world.settle().await;
    let released = world.released().await;
    assert!(released.len() >= 5, "{released:?}");
    let (accepted_id, accepted) = released[0].clone();
    let (too_late_id, too_late) = released[1].clone();
    let (amended_id, amended) = released[2].clone();

    // Odoo cancels two released pickings and lowers a line of a third.
    for id in [accepted_id, too_late_id] {
        world.odoo("stock.picking", "action_cancel", Some(vec![id]), json!({}));
    }
    let moves = world.read(
        "stock.move",
        json!([["picking_id", "=", amended_id]]),
        &["id", "product_uom_qty"],
    );
    let first = &moves[0];
    let lowered = decimal(&first["product_uom_qty"]) - Decimal::ONE;
    let lowered = if lowered.is_zero() {
        Decimal::ONE
    } else {
        lowered
    };
    let move_id = first["id"].as_i64().unwrap();
    world.odoo(
        "stock.move",
        "write",
        Some(vec![move_id]),
        json!({"vals": {"product_uom_qty": lowered.to_string().parse::<f64>().unwrap()}}),
    );
    world.settle().await;
    assert_eq!(world.state(&accepted).await, PickingState::CancelRequested);

    // The warehouse answers the cancels (every second one too late) and
    // ships the rest, writing PICKED after SHIPPED.
    world.warehouse_round().await;
    world.warehouse_round().await;
    assert_eq!(world.state(&accepted).await, PickingState::Cancelled);
    assert_eq!(world.state(&too_late).await, PickingState::CancelRequested);
    assert_eq!(
        world.open(ExceptionKind::ChangeTooLate).await,
        vec![too_late.clone()]
    );
    assert_eq!(
        world.open(ExceptionKind::ShipmentAfterCancel).await,
        vec![too_late.clone()]
    );
    let cancelled = world.read(
        "stock.picking",
        json!([["id", "=", too_late_id]]),
        &["state"],
    );
    assert_eq!(
        cancelled[0]["state"], "cancel",
        "nothing validated for the too-late cancel"
    );

    assert_eq!(world.state(&amended).await, PickingState::Shipped);
    let shipped_move = world.read(
        "stock.move",
        json!([["id", "=", move_id]]),
        &["quantity", "state"],
    );
    assert_eq!(
        decimal(&shipped_move[0]["quantity"]),
        lowered,
        "the amended demand shipped"
    );

    let trace = world.engine.store.trace(&released[3].1).await.unwrap();
    assert!(
        trace.iter().any(|row| row.action == "progress"),
        "progress recorded"
    );
    assert!(
        trace
            .iter()
            .any(|row| row.action == "progress_ignored" && row.detail.contains("PICKED")),
        "a PICKED after SHIPPED changes nothing"
    );
    let notes = world.read(
        "mail.message",
        json!([
            ["model", "=", "stock.picking"],
            ["res_id", "=", released[3].0]
        ]),
        &["body"],
    );
    assert!(!notes.is_empty(), "a chatter note on the picking");

    // Customers return one unit of four shipped pickings.
    let client = wharf_odoo::Client::connect(&world.config.odoo)
        .await
        .unwrap();
    let mut returns = Vec::new();
    for (id, _) in &released[3..] {
        let moves = world.read("stock.move", json!([["picking_id", "=", *id]]), &["id"]);
        let first_move = moves[0]["id"].as_i64().unwrap();
        let line = ReturnLine {
            item: ReturnItem::Move(first_move),
            quantity: Decimal::ONE,
        };
        let request = ReturnRequest {
            picking_id: *id,
            lines: vec![line],
        };
        let created = create_return(&client, &request).await.unwrap();
        returns.push((created.return_picking_id, created.name));
        if returns.len() == 4 {
            break;
        }
    }
    assert_eq!(returns.len(), 4, "four shipped pickings to return");

    // The hub announces returns and purchase receipts; the warehouse
    // receives them; the hub books them.
    world.settle().await;
    world.warehouse_round().await;
    let log = read_receipt_log(world.wms.root()).unwrap();
    let mut dispositions = Vec::new();
    for (id, name) in &returns {
        assert_eq!(world.state(name).await, PickingState::Received, "{name}");
        let entry = log.iter().find(|entry| &entry.picking_ref == name).unwrap();
        let disposition = entry.records[0].disposition.unwrap();
        let location = match disposition {
            Disposition::Restock => "WH/Stock",
            Disposition::Quarantine => "WH/Stock/Quarantine",
            Disposition::Scrap => "Virtual Locations/Scrap",
            Disposition::ReturnToVendor => "Partners/Vendors",
        };
        let lines = world.read(
            "stock.move.line",
            json!([["picking_id", "=", *id]]),
            &["location_dest_id"],
        );
        assert_eq!(
            lines[0]["location_dest_id"][1], location,
            "{name} {disposition}"
        );
        dispositions.push(disposition);
    }
    dispositions.sort();
    assert_eq!(
        dispositions,
        Disposition::ALL.to_vec(),
        "each disposition once"
    );
    let activities = world.read(
        "mail.activity",
        json!([["res_model", "=", "sale.order"]]),
        &["summary"],
    );
    assert_eq!(
        activities.len(),
        4,
        "one finance follow-up per return: {activities:?}"
    );

    let receipts = world.read(
        "stock.picking",
        json!([["origin", "like", "P0"]]),
        &["name", "state", "backorder_id"],
    );
    let (backorders, originals): (Vec<&Value>, Vec<&Value>) =
        receipts.iter().partition(|r| r["backorder_id"].is_array());
    assert_eq!(originals.len(), 2, "{receipts:?}");
    assert!(
        originals.iter().all(|r| r["state"] == "done"),
        "both purchase receipts booked: {receipts:?}"
    );
    assert!(
        !backorders.is_empty(),
        "a short receipt leaves a backorder: {receipts:?}"
    );
    for backorder in &backorders {
        let name = backorder["name"].as_str().unwrap();
        assert_eq!(
            world.state(name).await,
            PickingState::Received,
            "the backorder was announced and received too"
        );
    }
    let lots = world.read(
        "stock.lot",
        json!([["name", "like", "LOT-"]]),
        &["name", "expiration_date"],
    );
    let purchased: Vec<&Value> = lots
        .iter()
        .filter(|lot| {
            originals.iter().any(|r| {
                let stem = r["name"].as_str().unwrap().replace('/', "_");
                lot["name"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("LOT-{stem}-"))
            })
        })
        .collect();
    assert!(!purchased.is_empty(), "a new lot received: {lots:?}");
    assert!(
        purchased
            .iter()
            .all(|lot| lot["expiration_date"].is_string()),
        "new lots carry their expiry: {lots:?}"
    );
}
