//! A small stateful stand-in for Odoo's stock models, loaded from the
//! recorded Odoo 19 starting state, for tests of the stock operations.
//!
//! It implements `search_read`, `read`, `search_count`, `create`, `write` (with
//! `move_line_ids` commands on pickings) and `button_validate` over JSON-2
//! and JSON-RPC. It is not the simulator: domains support `=`, `!=`, `in`,
//! `>`, `>=` and the prefix operators on plain fields only, and validation marks pickings done and
//! creates a backorder when a move is short, nothing more.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

use super::{answer_connect, wire_dir, Incoming, MockServer, Outgoing};

pub type Record = Map<String, Value>;

#[derive(Debug, Default)]
pub struct FakeState {
    pub models: BTreeMap<String, Vec<Record>>,
    /// Pickings whose validation raises a UserError, alone or in a batch.
    pub failing: HashSet<i64>,
    /// Pickings whose validation returns the backorder wizard.
    pub wizard: HashSet<i64>,
    /// Pickings whose validation returns the expiry wizard unless the
    /// context has `skip_expired`.
    pub expired: HashSet<i64>,
    /// Pickings whose next validation returns the SMS wizard once.
    pub sms_once: HashSet<i64>,
    /// Whether `button_validate` returns 503, as a proxy in front of a
    /// restarting server does.
    pub unavailable: bool,
    /// Fields, as (model, field), that the model lacks: a `read` or
    /// `search_read` asking for one fails with Odoo's `ValueError`.
    pub missing_fields: Vec<(String, String)>,
    next_id: i64,
}

pub type Fake = Arc<Mutex<FakeState>>;

/// Loads the Odoo 19 starting state, with a write date on each picking, a
/// tag on a delivery address and on its company, and state codes.
pub fn load() -> Fake {
    let text = std::fs::read_to_string(wire_dir().join("odoo19/starting-state.json")).unwrap();
    let state: Value = serde_json::from_str(&text).unwrap();
    let mut models: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for (model, records) in state["models"].as_object().unwrap() {
        models.insert(
            model.clone(),
            records
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_object().unwrap().clone())
                .collect(),
        );
    }
    for picking in models.get_mut("stock.picking").unwrap() {
        let id = picking["id"].as_i64().unwrap();
        picking.insert(
            "write_date".to_owned(),
            json!(format!("2026-12-04 19:45:{:02}", 10 - id)),
        );
    }
    let categories = vec![
        json!({"id": 1, "name": "Key account"})
            .as_object()
            .unwrap()
            .clone(),
        json!({"id": 2, "name": "Dock appointment"})
            .as_object()
            .unwrap()
            .clone(),
    ];
    models.insert("res.partner.category".to_owned(), categories);
    let mut states = Vec::new();
    for partner in models.get_mut("res.partner").unwrap() {
        let tags = match partner["id"].as_i64().unwrap() {
            6 => json!([1]),
            9 => json!([2]),
            _ => json!([]),
        };
        partner.insert("category_id".to_owned(), tags);
        if let Some(pair) = partner["state_id"].as_array() {
            states.push(
                json!({"id": pair[0], "code": format!("S{}", pair[0])})
                    .as_object()
                    .unwrap()
                    .clone(),
            );
        }
    }
    models.insert("res.country.state".to_owned(), states);
    Arc::new(Mutex::new(FakeState {
        models,
        next_id: 1000,
        ..FakeState::default()
    }))
}

/// Starts a mock server for `version` backed by the fake.
pub async fn serve(fake: Fake, version: &'static str) -> MockServer {
    MockServer::start(move |request| {
        if let Some(answer) = answer_connect(version, request) {
            return answer;
        }
        let json2 = request.path.starts_with("/json/2/");
        let (model, method, args) = request.odoo_call().expect("an Odoo call");
        if method == "button_validate" && fake.lock().unwrap().unavailable {
            return Outgoing { status: 503, body: "<html>Service Unavailable</html>".to_owned(), location: None };
        }
        if let Some(field) = fake.lock().unwrap().missing_field(&model, &args) {
            return invalid_field(json2, &model, &field);
        }
        let result = fake.lock().unwrap().handle(&model, &method, &args);
        match (result, json2) {
            (Ok(value), true) => Outgoing::json(value),
            (Ok(value), false) => Outgoing::rpc_result(value),
            (Err(message), true) => Outgoing {
                status: 422,
                body: json!({"name": "odoo.exceptions.UserError", "message": message, "arguments": [message], "context": {}, "debug": "<traceback removed>"}).to_string(),
                location: None,
            },
            (Err(message), false) => Outgoing::json(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.UserError", "message": message, "arguments": [message], "context": {}, "debug": "<traceback removed>"}}})),
        }
    })
    .await
}

/// Builds Odoo's response to a read of a field the model lacks: a
/// `builtins.ValueError`, with HTTP 500 over JSON-2 and 200 over JSON-RPC.
fn invalid_field(json2: bool, model: &str, field: &str) -> Outgoing {
    let message = format!("Invalid field '{field}' on model '{model}'");
    let data = json!({"name": "builtins.ValueError", "message": message, "arguments": [message], "context": {}, "debug": "<traceback removed>"});
    if json2 {
        return Outgoing {
            status: 500,
            body: data.to_string(),
            location: None,
        };
    }
    Outgoing::json(
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error", "data": data}}),
    )
}

/// Returns the `model.method` calls the server received after connecting.
pub fn odoo_calls(server: &MockServer) -> Vec<(String, String, Map<String, Value>)> {
    server
        .requests()
        .iter()
        .filter_map(Incoming::odoo_call)
        .collect()
}

fn field_id(value: &Value) -> Value {
    match value {
        Value::Array(pair) if pair.len() == 2 && pair[1].is_string() => pair[0].clone(),
        other => other.clone(),
    }
}

/// Evaluates a domain in Odoo's prefix notation (`|`, `&`, `!` before
/// their operands, `&` between consecutive terms).
fn matches(record: &Record, domain: &Value) -> bool {
    let terms = domain.as_array().unwrap();
    let mut position = 0;
    let mut result = true;
    while position < terms.len() {
        let (value, next) = evaluate(record, terms, position);
        result &= value;
        position = next;
    }
    result
}

fn evaluate(record: &Record, terms: &[Value], position: usize) -> (bool, usize) {
    match terms[position].as_str() {
        Some("|") | Some("&") => {
            let (left, next) = evaluate(record, terms, position + 1);
            let (right, next) = evaluate(record, terms, next);
            let value = if terms[position] == "|" {
                left || right
            } else {
                left && right
            };
            (value, next)
        }
        Some("!") => {
            let (value, next) = evaluate(record, terms, position + 1);
            (!value, next)
        }
        _ => (
            leaf_matches(record, terms[position].as_array().unwrap()),
            position + 1,
        ),
    }
}

fn leaf_matches(record: &Record, leaf: &[Value]) -> bool {
    let actual = field_id(
        record
            .get(leaf[0].as_str().unwrap())
            .unwrap_or(&Value::Bool(false)),
    );
    let expected = &leaf[2];
    match leaf[1].as_str().unwrap() {
        "=" => actual == *expected,
        "!=" => actual != *expected,
        "in" => expected.as_array().unwrap().contains(&actual),
        ">=" | ">" => {
            let ordering = match (&actual, expected) {
                (Value::Number(a), Value::Number(b)) => a
                    .as_f64()
                    .unwrap()
                    .partial_cmp(&b.as_f64().unwrap())
                    .unwrap(),
                _ => actual
                    .as_str()
                    .unwrap_or("")
                    .cmp(expected.as_str().unwrap()),
            };
            ordering.is_gt() || (leaf[1] == ">=" && ordering.is_eq())
        }
        other => panic!("fake Odoo has no operator {other}"),
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

impl FakeState {
    /// Returns the first requested field that `missing_fields` lists for `model`.
    fn missing_field(&self, model: &str, args: &Map<String, Value>) -> Option<String> {
        let requested = args.get("fields").and_then(Value::as_array)?;
        requested
            .iter()
            .filter_map(Value::as_str)
            .find(|field| {
                self.missing_fields
                    .iter()
                    .any(|(m, f)| m == model && f == field)
            })
            .map(str::to_owned)
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

    pub fn lines_of(&self, picking_id: i64) -> Vec<Record> {
        self.models["stock.move.line"]
            .iter()
            .filter(|l| field_id(&l["picking_id"]) == picking_id)
            .cloned()
            .collect()
    }

    fn name_of(&self, model: &str, id: &Value) -> Value {
        let name = self
            .record(model, id.as_i64().unwrap())
            .and_then(|r| r.get("name"))
            .cloned();
        json!([id, name.unwrap_or(json!(""))])
    }

    fn handle(
        &mut self,
        model: &str,
        method: &str,
        args: &Map<String, Value>,
    ) -> Result<Value, String> {
        let empty = Vec::new();
        match method {
            "search_read" | "search_count" => {
                let mut found: Vec<&Record> = self
                    .models
                    .get(model)
                    .unwrap_or(&empty)
                    .iter()
                    .filter(|r| matches(r, &args["domain"]))
                    .collect();
                if args.get("order").and_then(Value::as_str) == Some("write_date asc, id asc") {
                    found.sort_by_key(|r| {
                        (
                            r["write_date"].as_str().unwrap().to_owned(),
                            r["id"].as_i64().unwrap(),
                        )
                    });
                }
                if let Some(limit) = args.get("limit").and_then(Value::as_u64) {
                    found.truncate(usize::try_from(limit).unwrap());
                }
                if method == "search_count" {
                    return Ok(json!(found.len()));
                }
                Ok(Value::Array(
                    found
                        .into_iter()
                        .map(|r| project(r, args.get("fields")))
                        .collect(),
                ))
            }
            "read" => {
                let ids = args["ids"].as_array().unwrap();
                let records = self.models.get(model).unwrap_or(&empty);
                Ok(Value::Array(
                    ids.iter()
                        .filter_map(|id| records.iter().find(|r| r["id"] == *id))
                        .map(|r| project(r, args.get("fields")))
                        .collect(),
                ))
            }
            "create" => {
                let mut ids = Vec::new();
                for vals in args["vals_list"].as_array().unwrap() {
                    self.next_id += 1;
                    let mut record = vals.as_object().unwrap().clone();
                    record.insert("id".to_owned(), json!(self.next_id));
                    if model == "stock.lot" {
                        let product = record["product_id"].clone();
                        record.insert(
                            "product_id".to_owned(),
                            self.name_of("product.product", &product),
                        );
                    }
                    ids.push(self.next_id);
                    record.insert(
                        "context".to_owned(),
                        args.get("context").cloned().unwrap_or(Value::Null),
                    );
                    self.models
                        .entry(model.to_owned())
                        .or_default()
                        .push(record);
                }
                Ok(json!(ids))
            }
            "write" if model == "stock.picking" => {
                for id in args["ids"].as_array().unwrap() {
                    self.write_picking(id.as_i64().unwrap(), args["vals"].as_object().unwrap());
                }
                Ok(json!(true))
            }
            "button_validate" => {
                let ids: Vec<i64> = args["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_i64().unwrap())
                    .collect();
                if let Some(bad) = ids.iter().find(|id| self.failing.contains(id)) {
                    return Err(format!("picking {bad} cannot be validated"));
                }
                if ids.iter().any(|id| self.wizard.contains(id)) {
                    return Ok(
                        json!({"type": "ir.actions.act_window", "res_model": "stock.backorder.confirmation", "context": {"button_validate_picking_ids": ids}}),
                    );
                }
                let context = args.get("context").cloned().unwrap_or(json!({}));
                if context["skip_expired"] != true && ids.iter().any(|id| self.expired.contains(id))
                {
                    return Ok(
                        json!({"type": "ir.actions.act_window", "res_model": "expiry.picking.confirmation", "context": {"button_validate_picking_ids": ids}}),
                    );
                }
                if ids.iter().any(|id| self.sms_once.remove(id)) {
                    return Ok(
                        json!({"type": "ir.actions.act_window", "res_model": "confirm.stock.sms", "context": {"button_validate_picking_ids": ids}}),
                    );
                }
                self.validate(&ids, &context);
                Ok(json!(true))
            }
            "process" | "process_cancel_backorder" => {
                let wizard = self
                    .record(model, args["ids"][0].as_i64().unwrap())
                    .unwrap()
                    .clone();
                let context = args.get("context").cloned().unwrap_or(json!({}));
                assert_eq!(
                    wizard["context"], context,
                    "the wizard was created with the action's context"
                );
                let ids: Vec<i64> = context["button_validate_picking_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_i64().unwrap())
                    .collect();
                let mut context = context.clone();
                if method == "process_cancel_backorder" {
                    context["picking_ids_not_to_backorder"] = json!(ids);
                }
                self.validate(&ids, &context);
                Ok(json!(true))
            }
            other => Err(format!("fake Odoo has no method {model}.{other}")),
        }
    }

    fn write_picking(&mut self, picking_id: i64, vals: &Map<String, Value>) {
        for command in vals
            .get("move_line_ids")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let parts = command.as_array().unwrap();
            let line_vals = parts[2].as_object().unwrap();
            let mut resolved = line_vals.clone();
            if let Some(lot) = line_vals.get("lot_id").filter(|v| v.is_i64()) {
                resolved.insert("lot_id".to_owned(), self.name_of("stock.lot", lot));
            }
            if let Some(move_id) = line_vals.get("move_id") {
                resolved.insert("move_id".to_owned(), json!([move_id, ""]));
                resolved.insert("picking_id".to_owned(), json!([picking_id, ""]));
            }
            match parts[0].as_i64().unwrap() {
                0 => {
                    self.next_id += 1;
                    resolved.insert("id".to_owned(), json!(self.next_id));
                    self.models
                        .get_mut("stock.move.line")
                        .unwrap()
                        .push(resolved);
                }
                1 => {
                    let line = self
                        .record_mut("stock.move.line", parts[1].as_i64().unwrap())
                        .unwrap();
                    line.extend(resolved);
                }
                other => panic!("unexpected command {other}"),
            }
        }
        let carrier = vals
            .get("carrier_id")
            .map(|id| self.name_of("delivery.carrier", id));
        let picking = self.record_mut("stock.picking", picking_id).unwrap();
        if let Some(carrier) = carrier {
            picking.insert("carrier_id".to_owned(), carrier);
        }
        if let Some(reference) = vals.get("carrier_tracking_ref") {
            picking.insert("carrier_tracking_ref".to_owned(), reference.clone());
        }
    }

    fn validate(&mut self, ids: &[i64], context: &Value) {
        let no_backorder: Vec<i64> = context["picking_ids_not_to_backorder"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        for &id in ids {
            let picked: f64 = self
                .lines_of(id)
                .iter()
                .filter(|l| l["picked"] == true)
                .map(|l| l["quantity"].as_f64().unwrap())
                .sum();
            let demand: f64 = self.models["stock.move"]
                .iter()
                .filter(|m| field_id(&m["picking_id"]) == id)
                .map(|m| m["product_uom_qty"].as_f64().unwrap())
                .sum();
            let picking = self.record_mut("stock.picking", id).unwrap();
            picking.insert("state".to_owned(), json!("done"));
            let name = picking["name"].clone();
            if picked < demand && !no_backorder.contains(&id) {
                self.next_id += 1;
                let backorder = json!({"id": self.next_id, "name": format!("{}-BO", name.as_str().unwrap()), "state": "assigned", "backorder_id": [id, name]});
                self.models
                    .get_mut("stock.picking")
                    .unwrap()
                    .push(backorder.as_object().unwrap().clone());
            }
        }
    }
}
