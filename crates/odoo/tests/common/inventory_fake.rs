//! A small stateful stand-in for Odoo's inventory models (`stock.quant`,
//! `stock.lot`, `stock.scrap`, `stock.move`, locations, products and units)
//! for the inventory tests, over JSON-RPC and JSON-2.
//!
//! Records use the names and shapes of the recorded Odoo 17 transcripts
//! (many2one fields as `[id, name]`). The responses that matter most are
//! sent as Odoo sent them: the JSON-RPC response without `result` for a method
//! that returns `None` (Odoo 18), the Odoo 17 rejection of
//! `action_apply_inventory` for a non-manager, and the duplicate-lot
//! `ValidationError`. It is not the simulator: `action_apply_inventory`
//! sets each quant to its count and records one done move, and scrapping
//! checks and lowers the quant of the exact location.

mod domain;
mod handlers;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

use super::{answer_connect, transcript, Incoming, MockServer, Outgoing};
use domain::Domain;

pub type Record = Map<String, Value>;

/// What a handler returns: a value, `None` (no `result` over JSON-RPC), or
/// a recorded or built error.
pub enum Reply {
    Value(Value),
    Nothing,
    Error {
        name: &'static str,
        message: String,
        status: u16,
    },
    Recorded(Outgoing),
}

#[derive(Debug, Default)]
pub struct InventoryState {
    pub models: BTreeMap<String, Vec<Record>>,
    /// The recorded server: `odoo17`, `odoo18` or `odoo19`.
    pub version: &'static str,
    /// Whether the user has `stock.group_stock_manager`.
    pub is_manager: bool,
    /// A wizard `action_apply_inventory` returns instead of applying.
    pub apply_wizard: Option<String>,
    /// Lots another process creates just before the next `stock.lot` create.
    pub created_elsewhere: Vec<(i64, String)>,
    next_id: i64,
}

pub type InventoryFake = Arc<Mutex<InventoryState>>;

fn record(value: Value) -> Record {
    value.as_object().unwrap().clone()
}

impl InventoryState {
    /// Builds the starting data: locations, units, products and lots from
    /// the Odoo 17 recordings, and a few quants in `WH/Stock`.
    pub fn new(version: &'static str) -> Self {
        let mut models: BTreeMap<String, Vec<Record>> = BTreeMap::new();
        let locations = [
            (1, "WH", "view", json!(false)),
            (8, "WH/Stock", "internal", json!([1, "WH"])),
            (23, "WH/Stock/Shelf A1", "internal", json!([8, "WH/Stock"])),
            (5, "Partners/Customers", "customer", json!(false)),
            (
                14,
                "Virtual Locations/Inventory adjustment",
                "inventory",
                json!(false),
            ),
            (30, "EWR/Stock", "internal", json!(false)),
        ];
        models.insert("stock.location".into(), locations.iter().map(|(id, name, usage, parent)| {
            record(json!({"id": id, "name": name, "complete_name": name, "usage": usage, "location_id": parent}))
        }).collect());
        models.insert(
            "uom.uom".into(),
            vec![
                record(json!({"id": 1, "name": "Units", "rounding": 1.0})),
                record(json!({"id": 12, "name": "kg", "rounding": 0.01})),
            ],
        );
        let products = [
            (2, json!("WID-100"), "Widget Standard", "none", 1),
            (5, json!("CAB-USB2"), "USB-C Cable 2 m", "none", 1),
            (8, json!("GLUE-IND"), "Industrial Glue 1 kg", "lot", 12),
            (9, json!("MILK-UHT"), "UHT Milk 1 L (case of 12)", "lot", 1),
            (12, json!(false), "Sample without reference", "none", 1),
        ];
        models.insert("product.product".into(), products.iter().map(|(id, code, name, tracking, uom)| {
            let display = match code.as_str() { Some(code) => format!("[{code}] {name}"), None => (*name).to_owned() };
            record(json!({"id": id, "default_code": code, "name": name, "display_name": display, "tracking": tracking, "uom_id": [uom, if *uom == 1 { "Units" } else { "kg" }]}))
        }).collect());
        models.insert("stock.lot".into(), vec![
            record(json!({"id": 5, "name": "MU-0912", "product_id": [9, "[MILK-UHT] UHT Milk 1 L (case of 12)"], "company_id": [1, "YourCompany"], "expiration_date": "2027-01-31 00:00:00"})),
            record(json!({"id": 6, "name": "MU-1001", "product_id": [9, "[MILK-UHT] UHT Milk 1 L (case of 12)"], "company_id": [1, "YourCompany"], "expiration_date": false})),
            record(json!({"id": 3, "name": "GL-2401", "product_id": [8, "[GLUE-IND] Industrial Glue 1 kg"], "company_id": [1, "YourCompany"], "expiration_date": "2026-06-30 00:00:00"})),
        ]);
        models.insert(
            "res.users".into(),
            vec![record(
                json!({"id": 6, "name": "WMS Integration", "company_id": [1, "YourCompany"]}),
            )],
        );
        let mut state = Self {
            models,
            version,
            next_id: 100,
            ..Self::default()
        };
        for (id, location, product, lot, quantity) in [
            (1, 8, 2, None, 102.0),
            (14, 8, 9, Some(6), 36.0),
            (13, 8, 9, Some(5), 24.0),
            (6, 8, 5, None, 480.0),
        ] {
            state.insert_quant(id, location, product, lot, quantity);
        }
        state
    }

    pub fn insert_quant(
        &mut self,
        id: i64,
        location: i64,
        product: i64,
        lot: Option<i64>,
        quantity: f64,
    ) {
        let quant = json!({
            "id": id,
            "location_id": self.pair("stock.location", location),
            "product_id": self.pair("product.product", product),
            "lot_id": lot.map_or(json!(false), |lot| self.pair("stock.lot", lot)),
            "package_id": false, "owner_id": false, "user_id": false,
            "quantity": quantity, "reserved_quantity": 0.0,
            "inventory_quantity": 0.0, "inventory_quantity_set": false,
        });
        self.models
            .entry("stock.quant".into())
            .or_default()
            .push(record(quant));
    }

    /// Returns `[id, display name]` of a record, as Odoo sends a many2one.
    pub fn pair(&self, model: &str, id: i64) -> Value {
        let found = self
            .record(model, id)
            .unwrap_or_else(|| panic!("no {model} {id}"));
        let name = found
            .get("display_name")
            .or_else(|| found.get("complete_name"))
            .or_else(|| found.get("name"))
            .cloned();
        json!([id, name.unwrap_or(json!(""))])
    }

    pub fn record(&self, model: &str, id: i64) -> Option<&Record> {
        self.models.get(model)?.iter().find(|r| r["id"] == id)
    }

    fn record_mut(&mut self, model: &str, id: i64) -> Option<&mut Record> {
        self.models
            .get_mut(model)?
            .iter_mut()
            .find(|r| r["id"] == id)
    }

    pub fn records(&self, model: &str) -> Vec<Record> {
        self.models.get(model).cloned().unwrap_or_default()
    }

    fn new_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn search(&self, model: &str, args: &Map<String, Value>) -> Vec<Record> {
        let domain = Domain {
            models: &self.models,
        };
        let mut found: Vec<Record> = self
            .records(model)
            .into_iter()
            .filter(|r| domain.matches(r, &args["domain"]))
            .collect();
        found.sort_by_key(|r| r["id"].as_i64().unwrap());
        if let Some(limit) = args.get("limit").and_then(Value::as_u64) {
            found.truncate(usize::try_from(limit).unwrap());
        }
        found
    }

    fn handle(&mut self, model: &str, method: &str, args: &Map<String, Value>) -> Reply {
        let context = args.get("context").cloned().unwrap_or(json!({}));
        match (model, method) {
            (_, "search_read") => Reply::Value(Value::Array(
                self.search(model, args)
                    .iter()
                    .map(|r| project(r, args.get("fields")))
                    .collect(),
            )),
            (_, "search_count") => Reply::Value(json!(self.search(model, args).len())),
            (_, "read") => {
                let records = self.records(model);
                let found = args["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|id| records.iter().find(|r| r["id"] == *id));
                Reply::Value(Value::Array(
                    found.map(|r| project(r, args.get("fields"))).collect(),
                ))
            }
            ("stock.lot", "fields_get") => {
                Reply::Value(json!({"expiration_date": {"type": "datetime"}}))
            }
            ("res.users", "context_get") => {
                Reply::Value(json!({"lang": "en_US", "tz": "Europe/Brussels", "uid": 6}))
            }
            ("res.users", "has_group") => Reply::Value(json!(self.is_manager)),
            ("stock.lot", "create") => self.create_lots(args),
            ("stock.quant", "create") => self.create_quants(args, &context),
            ("stock.quant", "write") => self.write_quants(args, &context),
            ("stock.quant", "action_apply_inventory") => self.apply_inventory(args, &context),
            ("stock.scrap", "create") => self.create_scraps(args),
            ("stock.scrap", "action_validate") => self.validate_scrap(args),
            (model, method) => Reply::Error {
                name: "builtins.AttributeError",
                message: format!("The method '{model}.{method}' does not exist"),
                status: 404,
            },
        }
    }
}

fn project(record: &Record, fields: Option<&Value>) -> Value {
    let mut out = Map::new();
    out.insert("id".to_owned(), record["id"].clone());
    for field in fields.and_then(Value::as_array).into_iter().flatten() {
        let name = field.as_str().unwrap();
        out.insert(
            name.to_owned(),
            record.get(name).cloned().unwrap_or(Value::Bool(false)),
        );
    }
    Value::Object(out)
}

/// Starts a mock server for `version` backed by the fake.
pub async fn serve(fake: InventoryFake) -> MockServer {
    let version = fake.lock().unwrap().version;
    MockServer::start(move |request| {
        if let Some(answer) = answer_connect(version, request) {
            return answer;
        }
        let json2 = request.path.starts_with("/json/2/");
        let (model, method, args) = request.odoo_call().expect("an Odoo call");
        let reply = fake.lock().unwrap().handle(&model, &method, &args);
        respond(reply, json2)
    })
    .await
}

fn respond(reply: Reply, json2: bool) -> Outgoing {
    match (reply, json2) {
        (Reply::Value(value), true) => Outgoing::json(value),
        (Reply::Value(value), false) => Outgoing::rpc_result(value),
        (Reply::Nothing, true) => Outgoing::json(Value::Null),
        // Odoo 18 sent a response with no `result` member for `action_apply_inventory`.
        (Reply::Nothing, false) => {
            let exchange = transcript("odoo18", "06_inventory_quant_and_adjustment.json").into_iter()
                .find(|e| e["request"]["params"]["args"][4] == "action_apply_inventory").unwrap();
            assert!(exchange["response"].get("result").is_none());
            Outgoing::json(exchange["response"].clone())
        }
        (Reply::Recorded(outgoing), _) => outgoing,
        (Reply::Error { name, message, status }, true) => Outgoing {
            status,
            body: json!({"name": name, "message": message, "arguments": [message], "context": {}, "debug": "<traceback removed>"}).to_string(),
            location: None,
        },
        (Reply::Error { name, message, .. }, false) => Outgoing::json(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": name, "message": message, "arguments": [message], "context": {}, "debug": "<traceback removed>"}}})),
    }
}

/// Returns the `model.method` calls the server received after connecting.
pub fn calls(server: &MockServer) -> Vec<(String, String, Map<String, Value>)> {
    server
        .requests()
        .iter()
        .filter_map(Incoming::odoo_call)
        .collect()
}
