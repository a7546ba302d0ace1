//! A small stateful stand-in for Odoo's pickings after a release: returns
//! through the `stock.return.picking` wizard, receipts with move lines and
//! lots, and validation with backorders, over JSON-RPC and JSON-2.
//!
//! It loads the recorded starting state: the Odoo 18 one for 17 and 18, which
//! share ids, and the Odoo 19 one for 19. Where it matters it responds as
//! the recorded servers did. Odoo 17 pre-fills return lines with the full
//! quantity and has only `create_returns`, 18 and 19 pre-fill 0 and have only
//! `action_create_returns`, and the return picking gets the origin
//! `Return of <name>` and `return_id`. It is not the simulator: domains
//! support `=`, `!=`, `in`, `>`, `>=`, `|` and `&` on plain fields, writes do
//! not change `write_date`, and validation marks the picking done, creates
//! the lots named on its lines and a backorder when a move is short.

mod domain;
mod handlers;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

use super::{answer_connect, wire_dir, Incoming, MockServer, Outgoing};

pub type Record = Map<String, Value>;

#[derive(Debug, Default)]
pub struct LifecycleState {
    pub models: BTreeMap<String, Vec<Record>>,
    /// The recorded server: `odoo17`, `odoo18` or `odoo19`.
    pub version: &'static str,
    /// Pickings whose validation returns the backorder wizard.
    pub wizard: HashSet<i64>,
    next_id: i64,
    next_receipt: i64,
}

pub type LifecycleFake = Arc<Mutex<LifecycleState>>;

/// A scripted failure: Odoo's exception name, message and JSON-2 status.
pub struct Failure {
    pub name: &'static str,
    pub message: String,
    pub status: u16,
}

impl Failure {
    pub fn user_error(message: String) -> Self {
        Self {
            name: "odoo.exceptions.UserError",
            message,
            status: 422,
        }
    }
}

pub fn record(value: Value) -> Record {
    value.as_object().unwrap().clone()
}

/// Returns the id of a many2one value (`[id, name]`) or the value itself.
pub fn field_id(value: &Value) -> Value {
    match value {
        Value::Array(pair) if pair.len() == 2 && pair[1].is_string() => pair[0].clone(),
        other => other.clone(),
    }
}

impl LifecycleState {
    /// Loads the recorded starting state of `version`, with a distinct
    /// write date on each picking (picking 1 is the most recent).
    pub fn new(version: &'static str) -> Self {
        let file = if version == "odoo19" {
            "odoo19"
        } else {
            "odoo18"
        };
        let path = wire_dir().join(file).join("starting-state.json");
        let state: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut models: BTreeMap<String, Vec<Record>> = BTreeMap::new();
        for (model, records) in state["models"].as_object().unwrap() {
            let records = records
                .as_array()
                .unwrap()
                .iter()
                .map(|r| record(r.clone()));
            models.insert(model.clone(), records.collect());
        }
        for picking in models.get_mut("stock.picking").unwrap() {
            let id = picking["id"].as_i64().unwrap();
            picking.insert(
                "write_date".into(),
                json!(format!("2026-12-04 19:45:{:02}", 10 - id)),
            );
        }
        Self {
            models,
            version,
            next_id: 1000,
            next_receipt: 1,
            ..Self::default()
        }
    }

    pub fn record(&self, model: &str, id: i64) -> Option<&Record> {
        self.models.get(model)?.iter().find(|r| r["id"] == id)
    }

    pub fn record_mut(&mut self, model: &str, id: i64) -> Option<&mut Record> {
        self.models
            .get_mut(model)?
            .iter_mut()
            .find(|r| r["id"] == id)
    }

    /// Returns the records of `model` whose `field` refers to `id`.
    pub fn children(&self, model: &str, field: &str, id: i64) -> Vec<Record> {
        let records = self.models.get(model).cloned().unwrap_or_default();
        records
            .into_iter()
            .filter(|r| field_id(&r[field]) == id)
            .collect()
    }

    fn new_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Returns the next receipt name, `WH/IN/00001` first.
    fn next_receipt_name(&mut self) -> String {
        let name = format!("WH/IN/{:05}", self.next_receipt);
        self.next_receipt += 1;
        name
    }

    /// Returns `[id, name]` as Odoo sends a many2one.
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

    fn location_with_usage(&self, usage: &str) -> i64 {
        self.models["stock.location"]
            .iter()
            .find(|l| l["usage"] == usage)
            .and_then(|l| l["id"].as_i64())
            .unwrap()
    }

    fn stock_location(&self) -> i64 {
        let receipts = self.record("stock.picking.type", 1).unwrap();
        field_id(&receipts["default_location_dest_id"])
            .as_i64()
            .unwrap()
    }

    /// Marks a picking done with every move line picked, as after shipping.
    pub fn mark_done(&mut self, picking_id: i64) {
        self.record_mut("stock.picking", picking_id)
            .unwrap()
            .insert("state".into(), json!("done"));
        for model in ["stock.move", "stock.move.line"] {
            for item in self.models.get_mut(model).unwrap() {
                if field_id(&item["picking_id"]) == picking_id {
                    item.insert("state".into(), json!("done"));
                    item.insert("picked".into(), json!(true));
                }
            }
        }
    }

    /// Adds an incoming picking of the warehouse's Receipts type in state
    /// `assigned`, with one move and one move line without lot per
    /// (product, quantity), as Odoo creates them for a confirmed purchase.
    pub fn add_receipt(&mut self, origin: &str, lines: &[(i64, f64)]) -> i64 {
        let vendors = self.location_with_usage("supplier");
        let stock = self.stock_location();
        let id = self.new_id();
        let name = self.next_receipt_name();
        let picking = json!({
            "id": id, "name": name, "state": "assigned", "origin": origin,
            "picking_type_id": self.pair("stock.picking.type", 1), "picking_type_code": "incoming",
            "location_id": self.pair("stock.location", vendors), "location_dest_id": self.pair("stock.location", stock),
            "partner_id": false, "return_id": false, "backorder_id": false, "company_id": [1, "Company"],
            "scheduled_date": "2026-12-05 08:00:00", "write_date": format!("2026-12-04 20:00:{:02}", id % 60),
        });
        self.models
            .get_mut("stock.picking")
            .unwrap()
            .push(record(picking));
        for &(product, quantity) in lines {
            self.add_move(id, &name, product, quantity, vendors, stock, None);
        }
        id
    }

    /// Adds a move and its one move line to a picking.
    #[allow(clippy::too_many_arguments)]
    pub fn add_move(
        &mut self,
        picking_id: i64,
        picking_name: &str,
        product: i64,
        quantity: f64,
        source: i64,
        destination: i64,
        lot: Option<Value>,
    ) -> i64 {
        let tracking = self.record("product.product", product).unwrap()["tracking"].clone();
        let move_id = self.new_id();
        let line_id = self.new_id();
        let picking = json!([picking_id, picking_name]);
        let product_pair = self.pair("product.product", product);
        let source = self.pair("stock.location", source);
        let destination = self.pair("stock.location", destination);
        let stock_move = json!({
            "id": move_id, "picking_id": picking, "product_id": product_pair, "product_uom_qty": quantity,
            "product_uom": [1, "Units"], "quantity": quantity, "picked": false, "state": "assigned",
            "has_tracking": tracking, "location_id": source, "location_dest_id": destination,
        });
        let lot_name = lot.as_ref().map_or(json!(false), |l| l[1].clone());
        let line = json!({
            "id": line_id, "picking_id": picking, "move_id": [move_id, ""], "product_id": product_pair,
            "lot_id": lot.unwrap_or(json!(false)), "lot_name": lot_name, "quantity": quantity, "picked": false,
            "location_id": source, "location_dest_id": destination, "state": "assigned",
        });
        self.models
            .get_mut("stock.move")
            .unwrap()
            .push(record(stock_move));
        self.models
            .get_mut("stock.move.line")
            .unwrap()
            .push(record(line));
        move_id
    }

    /// Adds one more move line to a move, a copy of its first line with
    /// these `lot_id` and `lot_name` values, and returns its id.
    pub fn add_line(&mut self, move_id: i64, lot_id: Value, lot_name: Value) -> i64 {
        let mut line = self
            .models
            .get("stock.move.line")
            .and_then(|lines| lines.iter().find(|l| field_id(&l["move_id"]) == move_id))
            .unwrap_or_else(|| panic!("no line of move {move_id}"))
            .clone();
        let line_id = self.new_id();
        line.insert("id".into(), json!(line_id));
        line.insert("lot_id".into(), lot_id);
        line.insert("lot_name".into(), lot_name);
        self.models.get_mut("stock.move.line").unwrap().push(line);
        line_id
    }
}

/// Starts a mock server backed by the fake that responds as its version.
pub async fn serve(fake: LifecycleFake) -> MockServer {
    let version = fake.lock().unwrap().version;
    MockServer::start(move |request| {
        if let Some(answer) = answer_connect(version, request) {
            return answer;
        }
        let json2 = request.path.starts_with("/json/2/");
        let (model, method, args) = request.odoo_call().expect("an Odoo call");
        let reply = fake.lock().unwrap().handle(&model, &method, &args);
        match (reply, json2) {
            (Ok(value), true) => Outgoing::json(value),
            (Ok(value), false) => Outgoing::rpc_result(value),
            (Err(failure), true) => Outgoing {
                status: failure.status,
                body: json!({"name": failure.name, "message": failure.message, "arguments": [failure.message], "context": {}, "debug": "<traceback removed>"}).to_string(),
                location: None,
            },
            (Err(failure), false) => Outgoing::json(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": failure.name, "message": failure.message, "arguments": [failure.message], "context": {}, "debug": "<traceback removed>"}}})),
        }
    })
    .await
}

/// Returns the `model.method` calls the server received after connecting.
pub fn calls(server: &MockServer) -> Vec<(String, String, Map<String, Value>)> {
    server
        .requests()
        .iter()
        .filter_map(Incoming::odoo_call)
        .collect()
}
