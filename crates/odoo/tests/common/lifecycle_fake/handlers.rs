//! The methods the lifecycle fake implements: the generic reads, `create` and
//! `write`, the return wizard and `button_validate` with its backorder
//! wizard.

use serde_json::{json, Map, Value};

use super::domain::{matches, project};
use super::{field_id, record, Failure, LifecycleState, Record};

type Reply = Result<Value, Failure>;

impl LifecycleState {
    pub(super) fn handle(&mut self, model: &str, method: &str, args: &Map<String, Value>) -> Reply {
        let create_returns = if self.version == "odoo17" {
            "create_returns"
        } else {
            "action_create_returns"
        };
        match (model, method) {
            (_, "search_read") => Ok(Value::Array(
                self.search(model, args)
                    .iter()
                    .map(|r| project(r, args.get("fields")))
                    .collect(),
            )),
            (_, "search") => Ok(Value::Array(
                self.search(model, args)
                    .iter()
                    .map(|r| r["id"].clone())
                    .collect(),
            )),
            (_, "read") => {
                let records = self.models.get(model).cloned().unwrap_or_default();
                let found = args["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|id| records.iter().find(|r| r["id"] == *id));
                Ok(Value::Array(
                    found.map(|r| project(r, args.get("fields"))).collect(),
                ))
            }
            ("product.product", "fields_get") => {
                Ok(json!({"use_expiration_date": {"type": "boolean"}}))
            }
            ("stock.return.picking", "create") => self.create_return_wizard(args),
            (_, "create") => Ok(self.create(model, args)),
            ("stock.return.picking", "write") => self.write_return_wizard(args),
            ("stock.picking", "write") => self.write_picking(args),
            ("stock.return.picking", name) if name == create_returns => {
                self.create_return_picking(args)
            }
            ("stock.picking", "button_validate") => self.button_validate(args),
            ("stock.backorder.confirmation", "process" | "process_cancel_backorder") => {
                let context = args.get("context").cloned().unwrap_or(json!({}));
                let wizard = self
                    .record(model, args["ids"][0].as_i64().unwrap())
                    .unwrap();
                assert_eq!(
                    wizard["context"], context,
                    "the wizard was created with the action's context"
                );
                let ids: Vec<i64> = context["button_validate_picking_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_i64)
                    .collect();
                let mut context = context.clone();
                if method == "process_cancel_backorder" {
                    context["picking_ids_not_to_backorder"] = json!(ids);
                }
                self.validate(&ids, &context);
                Ok(json!(true))
            }
            (model, method) => Err(Failure {
                name: "builtins.AttributeError",
                message: format!("The method '{model}.{method}' does not exist"),
                status: 404,
            }),
        }
    }

    fn count(&self, model: &str) -> i64 {
        i64::try_from(self.models.get(model).map_or(0, Vec::len)).unwrap()
    }

    fn search(&self, model: &str, args: &Map<String, Value>) -> Vec<Record> {
        let mut found: Vec<Record> = self
            .models
            .get(model)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| matches(r, &args["domain"]))
            .collect();
        found.sort_by_key(|r| r["id"].as_i64().unwrap());
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
        found
    }

    fn create(&mut self, model: &str, args: &Map<String, Value>) -> Value {
        let mut ids = Vec::new();
        for vals in args["vals_list"].as_array().unwrap() {
            let id = self.new_id();
            let mut created = record(vals.clone());
            created.insert("id".into(), json!(id));
            created.insert(
                "context".into(),
                args.get("context").cloned().unwrap_or(Value::Null),
            );
            self.models
                .entry(model.to_owned())
                .or_default()
                .push(created);
            ids.push(id);
        }
        json!(ids)
    }

    /// Creates the wizard and its lines, pre-filled as the version does.
    fn create_return_wizard(&mut self, args: &Map<String, Value>) -> Reply {
        let vals = &args["vals_list"][0];
        let picking_id = vals["picking_id"].as_i64().unwrap();
        let picking = self.record("stock.picking", picking_id).unwrap().clone();
        if picking["state"] != "done" {
            return Err(Failure::user_error(
                "You may only return Done pickings.".into(),
            ));
        }

        // Wizards and their lines are numbered from 1, as on the recorded servers.
        let wizard = self.count("stock.return.picking") + 1;
        let mut created = record(vals.clone());
        created.insert("id".into(), json!(wizard));
        created.insert(
            "context".into(),
            args.get("context").cloned().unwrap_or(Value::Null),
        );
        self.models
            .entry("stock.return.picking".into())
            .or_default()
            .push(created);
        for stock_move in self.children("stock.move", "picking_id", picking_id) {
            let delivered = stock_move["quantity"].clone();
            let mut line = json!({
                "id": self.count("stock.return.picking.line") + 1, "wizard_id": [wizard, ""], "product_id": stock_move["product_id"],
                "move_id": [stock_move["id"], ""],
                "quantity": if self.version == "odoo17" { delivered.clone() } else { json!(0.0) },
            });
            if self.version != "odoo17" {
                line["move_quantity"] = delivered;
            }
            self.models
                .entry("stock.return.picking.line".into())
                .or_default()
                .push(record(line));
        }
        Ok(json!([wizard]))
    }

    fn write_return_wizard(&mut self, args: &Map<String, Value>) -> Reply {
        for command in args["vals"]["product_return_moves"].as_array().unwrap() {
            assert_eq!(command[0], 1, "return lines are updated with command 1");
            let line = self
                .record_mut("stock.return.picking.line", command[1].as_i64().unwrap())
                .unwrap();
            line.extend(record(command[2].clone()));
        }
        Ok(json!(true))
    }

    /// Creates the return picking: Receipts type, customer to stock, one
    /// move per line above 0, with the delivered lot pre-filled.
    fn create_return_picking(&mut self, args: &Map<String, Value>) -> Reply {
        let wizard_id = args["ids"][0].as_i64().unwrap();
        let wizard = self
            .record("stock.return.picking", wizard_id)
            .unwrap()
            .clone();
        let original = self
            .record("stock.picking", wizard["picking_id"].as_i64().unwrap())
            .unwrap()
            .clone();
        let customers = field_id(&original["location_dest_id"]).as_i64().unwrap();
        let stock = self.stock_location();
        let id = self.new_id();
        let name = self.next_receipt_name();
        let picking = json!({
            "id": id, "name": name, "state": "assigned", "origin": format!("Return of {}", original["name"].as_str().unwrap()),
            "picking_type_id": self.pair("stock.picking.type", 1), "picking_type_code": "incoming",
            "location_id": self.pair("stock.location", customers), "location_dest_id": self.pair("stock.location", stock),
            "partner_id": original["partner_id"], "return_id": [original["id"], original["name"]], "backorder_id": false,
            "company_id": original["company_id"], "scheduled_date": "2026-12-05 08:00:00", "write_date": "2026-12-05 08:00:00",
        });
        self.models
            .get_mut("stock.picking")
            .unwrap()
            .push(record(picking));
        for line in self.children("stock.return.picking.line", "wizard_id", wizard_id) {
            let quantity = line["quantity"].as_f64().unwrap();
            if quantity <= 0.0 {
                continue;
            }
            let origin_move = field_id(&line["move_id"]).as_i64().unwrap();
            let product = field_id(&line["product_id"]).as_i64().unwrap();
            let lot = self
                .children("stock.move.line", "move_id", origin_move)
                .first()
                .map(|l| l["lot_id"].clone())
                .filter(Value::is_array);
            let move_id = self.add_move(id, &name, product, quantity, customers, stock, lot);
            self.record_mut("stock.move", move_id)
                .unwrap()
                .insert("origin_returned_move_id".into(), json!([origin_move, ""]));
        }
        Ok(
            json!({"name": "Returned Picking", "view_mode": "form", "res_model": "stock.picking", "res_id": id, "type": "ir.actions.act_window", "context": {}}),
        )
    }

    fn write_picking(&mut self, args: &Map<String, Value>) -> Reply {
        let picking_id = args["ids"][0].as_i64().unwrap();
        let vals = args["vals"].as_object().unwrap();
        let state = self.record("stock.picking", picking_id).unwrap()["state"].clone();
        assert_ne!(state, "done", "nothing is written on a done picking");
        for command in vals
            .get("move_line_ids")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut line_vals = record(command[2].clone());
            if let Some(lot) = line_vals.get("lot_id").filter(|v| v.is_i64()).cloned() {
                line_vals.insert(
                    "lot_id".into(),
                    self.pair("stock.lot", lot.as_i64().unwrap()),
                );
            }
            if let Some(dest) = line_vals.get("location_dest_id").cloned() {
                line_vals.insert(
                    "location_dest_id".into(),
                    self.pair("stock.location", dest.as_i64().unwrap()),
                );
            }
            match command[0].as_i64().unwrap() {
                0 => {
                    let move_id = line_vals["move_id"].clone();
                    line_vals.insert("id".into(), json!(self.new_id()));
                    line_vals.insert("move_id".into(), json!([move_id, ""]));
                    line_vals.insert("picking_id".into(), json!([picking_id, ""]));
                    let product = line_vals["product_id"].as_i64().unwrap();
                    line_vals.insert("product_id".into(), self.pair("product.product", product));
                    line_vals.entry("lot_id").or_insert(json!(false));
                    line_vals.entry("lot_name").or_insert(json!(false));
                    self.models
                        .get_mut("stock.move.line")
                        .unwrap()
                        .push(line_vals);
                }
                1 => self
                    .record_mut("stock.move.line", command[1].as_i64().unwrap())
                    .unwrap()
                    .extend(line_vals),
                other => panic!("unexpected command {other}"),
            }
        }
        if let Some(dest) = vals.get("location_dest_id").and_then(Value::as_i64) {
            let pair = self.pair("stock.location", dest);
            self.record_mut("stock.picking", picking_id)
                .unwrap()
                .insert("location_dest_id".into(), pair);
        }
        Ok(json!(true))
    }

    fn button_validate(&mut self, args: &Map<String, Value>) -> Reply {
        let ids: Vec<i64> = args["ids"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        if ids.iter().any(|id| self.wizard.contains(id)) {
            return Ok(
                json!({"type": "ir.actions.act_window", "res_model": "stock.backorder.confirmation", "context": {"button_validate_picking_ids": ids}}),
            );
        }
        let context = args.get("context").cloned().unwrap_or(json!({}));
        self.validate(&ids, &context);
        Ok(json!(true))
    }

    /// Marks the pickings done, creates the lots named on picked lines and a
    /// backorder for a short picking unless the context closes the rest.
    fn validate(&mut self, ids: &[i64], context: &Value) {
        let no_backorder: Vec<i64> = context["picking_ids_not_to_backorder"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        for &id in ids {
            let lines = self.children("stock.move.line", "picking_id", id);
            for line in lines.iter().filter(|l| {
                l["picked"] == true && l["lot_id"] == false && l["lot_name"].is_string()
            }) {
                let lot = json!({"id": self.new_id(), "name": line["lot_name"], "product_id": line["product_id"], "expiration_date": line.get("expiration_date").cloned().unwrap_or(json!(false))});
                let lot_pair = json!([lot["id"], lot["name"]]);
                self.models.get_mut("stock.lot").unwrap().push(record(lot));
                self.record_mut("stock.move.line", line["id"].as_i64().unwrap())
                    .unwrap()
                    .insert("lot_id".into(), lot_pair);
            }
            let picked: f64 = lines
                .iter()
                .filter(|l| l["picked"] == true)
                .map(|l| l["quantity"].as_f64().unwrap())
                .sum();
            let demand: f64 = self
                .children("stock.move", "picking_id", id)
                .iter()
                .map(|m| m["product_uom_qty"].as_f64().unwrap())
                .sum();
            let picking = self.record_mut("stock.picking", id).unwrap();
            picking.insert("state".into(), json!("done"));
            let name = picking["name"].clone();
            if picked < demand && !no_backorder.contains(&id) {
                let backorder = json!({"id": self.new_id(), "name": self.next_receipt_name(), "state": "assigned", "backorder_id": [id, name]});
                self.models
                    .get_mut("stock.picking")
                    .unwrap()
                    .push(record(backorder));
            }
        }
    }
}
