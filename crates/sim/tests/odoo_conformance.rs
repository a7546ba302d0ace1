//! Conformance of the Odoo simulator with real Odoo 17, 18 and 19: every
//! exchange of the recorded transcripts of the order release, shipment
//! confirmation, cancellation, inventory count, lot receipt and customer
//! return flows is replayed in order and the response compared with the
//! recorded one. The comparison covers HTTP status, JSON structure, states,
//! quantities, names and `error.data.name`. It ignores timestamps,
//! tracebacks, view ids and error texts that embed numbers, and maps the ids
//! of records the simulator creates.
//!
//! Transcripts not replayed, and why:
//! - `*x_*` files (`01x_`, `06x_`, `09x_`): XML-RPC, which the simulator does not serve.
//! - `odoo19/00_setup_dataset.json`, `00_setup_orders.json`: admin set-up calls already
//!   reflected in `starting-state.json`.

// The per-file counts printed to stderr are this test's report.
#![allow(clippy::print_stderr)]

mod odoo_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use wharf_sim::odoo::{OdooSim, SimOptions};

fn wire_dir(version: u8) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../fixtures/odoo-wire/odoo{version}"))
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("transcript is JSON")
}

/// Files replayed per version, in recording order.
fn files(version: u8) -> Vec<&'static str> {
    match version {
        19 => vec![
            "01_whoami_version",
            "01_whoami_version_jsonrpc",
            "02_ready_deliveries",
            "03_full_shipment",
            "03_full_shipment_jsonrpc",
            "04a_partial_with_backorder",
            "04b_partial_no_backorder",
            "04c_partial_context_no_wizard",
            "05_cancel_order",
            "06_inventory_quant_adjust",
            "07_lot_expiry_receipt",
            "08_customer_return",
            "09_errors",
            "10_validate_done_again",
        ],
        _ => vec![
            "00_json2_probe",
            "01_auth_version",
            "02_find_orders_ready_to_ship",
            "03_full_shipment",
            "03b_ship_expired_lot_expiry_wizard",
            "04_partial_shipment_backorder",
            "04b_partial_shipment_backorder_via_context",
            "05_cancel_order",
            "06_inventory_quant_and_adjustment",
            "07_lot_with_expiry_and_receipt",
            "08_customer_return",
            "09_errors",
            "10_idempotency_double_validate",
        ],
    }
}

/// The 18 dump carries dump-time timestamps; the transcripts show the
/// recording times, which decide the default order of pickings.
fn patch_18_timestamps(state: &mut Value) {
    let stamp = |first_two: bool| {
        if first_two {
            "2026-12-04 19:46:58"
        } else {
            "2026-12-04 19:46:59"
        }
    };
    let models = state["models"].as_object_mut().expect("models");
    for (model, key, fields) in [
        ("sale.order", "id", &["date_order"][..]),
        (
            "stock.picking",
            "id",
            &["scheduled_date", "date_deadline"][..],
        ),
        ("stock.move", "picking_id", &["date"][..]),
        ("stock.move.line", "picking_id", &["date"][..]),
    ] {
        for record in models[model].as_array_mut().expect("records") {
            let owner = match &record[key] {
                Value::Array(items) => items[0].as_i64(),
                other => other.as_i64(),
            };
            let Some(owner) = owner else { continue };
            for field in fields {
                record[*field] = json!(stamp(owner <= 2));
            }
        }
    }
}

fn first_execute_kw(dir: &Path) -> (String, String) {
    let exchanges = load(&dir.join("01_auth_version.json"));
    for exchange in exchanges.as_array().expect("array") {
        let args = &exchange["request"]["params"]["args"];
        if exchange["request"]["params"]["method"] == "execute_kw" {
            return (
                args[0].as_str().unwrap().to_owned(),
                args[2].as_str().unwrap().to_owned(),
            );
        }
    }
    panic!("no execute_kw in 01_auth_version");
}

fn simulator(version: u8) -> OdooSim {
    if version == 19 {
        let sim = OdooSim::new(SimOptions {
            version,
            database: "wms19".into(),
            api_key: "<redacted>".into(),
            login: "integration".into(),
            password: "unused-password".into(),
        })
        .unwrap();
        sim.freeze_clock(Some("2026-12-04 19:45:13".into()));
        sim.load_starting_state(&wire_dir(19).join("starting-state.json"))
            .unwrap();
        sim.add_credential("noaccess", NOACCESS_KEY, true);
        return sim;
    }
    let (database, key) = first_execute_kw(&wire_dir(version));
    let sim = OdooSim::new(SimOptions {
        version,
        database,
        api_key: key,
        login: "integration".into(),
        password: "integration-pw-2025".into(),
    })
    .unwrap();
    sim.freeze_clock(Some("2026-12-04 19:47:02".into()));
    let mut state = load(&wire_dir(18).join("starting-state.json"));
    patch_18_timestamps(&mut state);
    sim.load_starting_state_value(&state).unwrap();
    sim.add_credential("sales.only", "sales-only-pw-2025", false);
    sim
}

const NOACCESS_KEY: &str = "noaccess-key";

/// Unrecorded admin fixtures of the 17/18 recordings, created before 03b.
/// The inventory adjustment that brought lot MU-0815-EXP in also left its
/// counterpart quant 43 (-4) at the inventory-loss location, as every
/// adjustment of the data set did. The quant ids of later files count it.
fn fixtures_before_03b(sim: &OdooSim) {
    sim.put_record("stock.lot", 13, json!({"name": "MU-0815-EXP", "product_id": [9, "[MILK-UHT] UHT Milk 1 L (case of 12)"], "company_id": [1, "Acme Distribution Inc."], "expiration_date": "2026-12-02 19:47:00", "use_date": false, "removal_date": false, "alert_date": false, "product_qty": 4.0}));
    sim.put_record("stock.quant", 42, json!({"product_id": [9, "[MILK-UHT] UHT Milk 1 L (case of 12)"], "location_id": [8, "WH/Stock"], "lot_id": [13, "MU-0815-EXP"], "package_id": false, "quantity": 4.0, "reserved_quantity": 0.0, "in_date": "2026-12-04 19:47:02", "inventory_quantity": 0.0, "inventory_quantity_set": false, "inventory_date": false, "removal_date": false}));
    sim.put_record("stock.quant", 43, json!({"product_id": [9, "[MILK-UHT] UHT Milk 1 L (case of 12)"], "location_id": [14, "Virtual Locations/Inventory adjustment"], "lot_id": [13, "MU-0815-EXP"], "package_id": false, "quantity": -4.0, "reserved_quantity": 0.0, "in_date": "2026-12-04 19:47:02", "inventory_quantity": 0.0, "inventory_quantity_set": false, "inventory_date": false, "removal_date": false}));
    sim.put_record("stock.move", 34, json!({"reference": "Product Quantity Updated (Administrator)", "origin": false, "picking_id": false, "product_id": [9, "[MILK-UHT] UHT Milk 1 L (case of 12)"], "product_uom_qty": 4.0, "quantity": 4.0, "picked": true, "state": "done", "is_inventory": true, "location_id": [14, "Virtual Locations/Inventory adjustment"], "location_dest_id": [8, "WH/Stock"]}));
    sim.put_record("stock.move.line", 34, json!({"reference": "Product Quantity Updated (Administrator)", "move_id": [34, "MILK-UHT: Inventory adjustment>Stock"], "picking_id": false, "product_id": [9, "[MILK-UHT] UHT Milk 1 L (case of 12)"], "lot_id": [13, "MU-0815-EXP"], "quantity": 4.0, "picked": true, "state": "done", "location_id": [14, "Virtual Locations/Inventory adjustment"], "location_dest_id": [8, "WH/Stock"]}));
    let order = sim
        .admin_call("sale.order", "create", None, json!({"vals_list": [{"partner_id": 9, "client_order_ref": "KH-2025-0050", "warehouse_id": 1, "order_line": [[0, 0, {"product_id": 9, "product_uom_qty": 3.0, "price_unit": 11.0}]]}]}), json!({}))
        .unwrap();
    assert_eq!(order, json!([7]), "fixture order id");
    sim.admin_call(
        "sale.order",
        "action_confirm",
        Some(vec![7]),
        json!({}),
        json!({}),
    )
    .unwrap();
}

/// Compares a recorded value with the simulator's; returns the differences.
fn compare(path: &str, recorded: &Value, actual: &Value, out: &mut Vec<String>) {
    let ignored_key =
        |key: &str| key == "debug" || key.contains("date") || key == "views" || key == "view_id";
    match (recorded, actual) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                if ignored_key(key) {
                    continue;
                }
                match b.get(key) {
                    Some(other)
                        if (key == "message" || key == "arguments") && text_has_digits(value) =>
                    {
                        let _ = other;
                    }
                    Some(other) => compare(&format!("{path}.{key}"), value, other, out),
                    None => out.push(format!("{path}.{key}: missing")),
                }
            }
            for key in b.keys() {
                if !a.contains_key(key) && !ignored_key(key) {
                    out.push(format!("{path}.{key}: unexpected"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: {} items recorded, {} returned",
                    a.len(),
                    b.len()
                ));
                return;
            }
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{path}[{index}]"), x, y, out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            if a.as_f64() != b.as_f64() {
                out.push(format!("{path}: {a} recorded, {b} returned"));
            }
        }
        (Value::String(a), Value::String(b)) if is_datetime(a) && is_datetime(b) => {}
        _ => {
            if recorded != actual {
                out.push(format!("{path}: {recorded} recorded, {actual} returned"));
            }
        }
    }
}

fn text_has_digits(value: &Value) -> bool {
    value.to_string().chars().any(|c| c.is_ascii_digit())
}

fn is_datetime(text: &str) -> bool {
    text.len() == 19 && text.as_bytes()[4] == b'-' && text.as_bytes()[13] == b':'
}

/// Ids of records the simulator created under other ids than the recording.
#[derive(Default)]
struct IdMap(BTreeMap<(String, i64), i64>);

impl IdMap {
    fn map(&self, model: &str, id: i64) -> i64 {
        self.0.get(&(model.to_owned(), id)).copied().unwrap_or(id)
    }
}

struct Outcome {
    status: u16,
    body: Value,
}

async fn send(
    client: &reqwest::Client,
    base: &str,
    version: u8,
    file: &str,
    index: usize,
    exchange: &Value,
    ids: &IdMap,
) -> Outcome {
    let endpoint = exchange["endpoint"].as_str().unwrap();
    let mut request = exchange["request"].clone();
    let headers = exchange
        .get("request_headers")
        .cloned()
        .unwrap_or(json!({}));
    let recorded_status = exchange["http_status"].as_u64().unwrap_or(200);
    let url = format!("{base}{endpoint}");

    // Requests that reference records the simulator created under other ids.
    let model = endpoint
        .strip_prefix("/json/2/")
        .and_then(|rest| rest.split('/').next())
        .map(str::to_owned);
    if let (Some(model), Some(Value::Array(list))) = (model.as_deref(), request.get_mut("ids")) {
        for id in list.iter_mut() {
            if let Some(value) = id.as_i64() {
                *id = json!(ids.map(model, value));
            }
        }
    }

    let builder =
        if endpoint == "/json/version" || (endpoint.starts_with("/json/2/") && request.is_null()) {
            client.get(&url)
        } else {
            client.post(&url)
        };
    let mut builder = builder;
    let mut content_type = headers
        .get("content-type")
        .and_then(Value::as_str)
        .unwrap_or("application/json")
        .to_owned();
    if version < 19 && endpoint == "/jsonrpc" && recorded_status == 400 && request.is_object() {
        // Recorded with Content-Type text/plain (09_errors, last exchange).
        content_type = "text/plain".into();
    }
    if !request.is_null() || endpoint.starts_with("/jsonrpc") {
        builder = builder.header("content-type", content_type);
    }
    if let Some(auth) = headers.get("authorization").and_then(Value::as_str) {
        let key = match (file, index) {
            ("09_errors", 0) => "not-a-valid-key",
            ("09_errors", 2..=4) => NOACCESS_KEY,
            _ => "<redacted>",
        };
        let _ = auth;
        builder = builder.header("authorization", format!("bearer {key}"));
    }
    if let Some(database) = headers.get("x-odoo-database").and_then(Value::as_str) {
        builder = builder.header("x-odoo-database", database);
    }
    let body = match &request {
        Value::Null => String::new(),
        Value::String(raw) => raw.clone(),
        other => other.to_string(),
    };
    let response = builder
        .body(body)
        .send()
        .await
        .expect("request to the simulator");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Outcome { status, body }
}

/// Per file: the number of exchanges and, for each one that differs, its index and differences.
type Results = BTreeMap<String, (usize, Vec<(usize, Vec<String>)>)>;

/// Replays one version and returns the differences per file.
async fn replay(version: u8) -> Results {
    let sim = simulator(version);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let running = odoo_support::start(sim.clone()).await;
    let mut ids = IdMap::default();
    let mut results = BTreeMap::new();

    for file in files(version) {
        if version < 19 && file == "03b_ship_expired_lot_expiry_wizard" {
            fixtures_before_03b(&sim);
        }
        if version == 18 && file.starts_with("07_") {
            // Odoo 18 used one move line id that no recorded call shows
            // between the last adjustment line of 06 (41) and the receipt's
            // line (43). In 17, whose 06 applied nothing, the receipt's line
            // follows the last line directly.
            sim.skip_ids("stock.move.line", 1);
        }
        let exchanges = load(&wire_dir(version).join(format!("{file}.json")));
        let exchanges = exchanges.as_array().unwrap();
        let mut failures = Vec::new();
        for (index, exchange) in exchanges.iter().enumerate() {
            let outcome = send(&client, &running.base, version, file, index, exchange, &ids).await;
            let recorded_status = exchange["http_status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200);
            let mut differences = Vec::new();
            if outcome.status != recorded_status {
                differences.push(format!(
                    "HTTP {} recorded, {} returned",
                    recorded_status, outcome.status
                ));
            }
            let recorded = &exchange["response"];
            let endpoint = exchange["endpoint"].as_str().unwrap();
            if recorded.is_string() {
                if !outcome.body.is_string() {
                    differences.push("a non-JSON body was recorded, JSON returned".into());
                }
            } else {
                let mut actual = outcome.body.clone();
                // Learn ids of records created under other ids than recorded.
                if endpoint.ends_with("/create")
                    && recorded.is_array()
                    && actual.is_array()
                    && recorded != &actual
                {
                    let model = endpoint
                        .trim_start_matches("/json/2/")
                        .split('/')
                        .next()
                        .unwrap()
                        .to_owned();
                    for (a, b) in recorded
                        .as_array()
                        .unwrap()
                        .iter()
                        .zip(actual.as_array().unwrap())
                    {
                        ids.0.insert(
                            (model.clone(), a.as_i64().unwrap_or(0)),
                            b.as_i64().unwrap_or(0),
                        );
                    }
                    actual = recorded.clone();
                }
                if let (Some(id), Some(_)) = (recorded.get("id"), actual.get("id")) {
                    actual["id"] = id.clone();
                }
                compare("", recorded, &actual, &mut differences);
            }
            if !differences.is_empty() {
                failures.push((index, differences));
            }
        }
        results.insert(file.to_owned(), (exchanges.len(), failures));
    }
    results
}

fn report(version: u8, results: &Results) -> BTreeMap<String, Vec<usize>> {
    let mut failing = BTreeMap::new();
    for (file, (total, failures)) in results {
        eprintln!(
            "odoo{version}/{file}: {}/{total} exchanges match",
            total - failures.len()
        );
        for (index, differences) in failures {
            eprintln!(
                "  [{index}] {}",
                differences
                    .iter()
                    .take(4)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        failing.insert(
            file.clone(),
            failures.iter().map(|(index, _)| *index).collect(),
        );
    }
    failing
}

/// Replays a version and requires every exchange of every file to match.
async fn check(version: u8) {
    let results = replay(version).await;
    let failing = report(version, &results);
    for (file, indexes) in &failing {
        assert!(
            indexes.is_empty(),
            "odoo{version}/{file}: exchanges {indexes:?} differ from the recording (see stderr)"
        );
    }
}

#[test]
fn comparison_reports_differences() {
    let mut differences = Vec::new();
    compare(
        "",
        &json!({"state": "done", "quantity": 5.0, "date_done": "2026-12-04 19:47:02"}),
        &json!({"state": "assigned", "quantity": 5, "date_done": false}),
        &mut differences,
    );
    assert_eq!(
        differences,
        vec![".state: \"done\" recorded, \"assigned\" returned".to_owned()]
    );

    let mut differences = Vec::new();
    compare("", &json!([1, 2]), &json!([1]), &mut differences);
    assert_eq!(differences.len(), 1, "a shorter list is a difference");
}

#[tokio::test]
async fn conformance_odoo17() {
    check(17).await;
}

#[tokio::test]
async fn conformance_odoo18() {
    check(18).await;
}

#[tokio::test]
async fn conformance_odoo19() {
    check(19).await;
}
