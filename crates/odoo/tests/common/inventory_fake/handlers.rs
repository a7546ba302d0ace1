//! The write and action methods of the inventory fake: lot, quant and scrap
//! creation, counted quantities, `action_apply_inventory` and
//! `stock.scrap.action_validate`.

use serde_json::{json, Map, Value};

use super::domain::field_id;
use super::{record, transcript, InventoryState, Outgoing, Record, Reply};

impl InventoryState {
    pub(super) fn create_lots(&mut self, args: &Map<String, Value>) -> Reply {
        for (product, name) in std::mem::take(&mut self.created_elsewhere) {
            let id = self.new_id();
            let lot = json!({"id": id, "name": name, "product_id": self.pair("product.product", product), "company_id": [1, "YourCompany"], "expiration_date": false});
            self.models.get_mut("stock.lot").unwrap().push(record(lot));
        }
        let vals_list = args["vals_list"].as_array().unwrap().clone();
        for vals in &vals_list {
            let exists = self.records("stock.lot").iter().any(|l| {
                l["name"] == vals["name"] && field_id(&l["product_id"]) == vals["product_id"]
            });
            if exists {
                return self.duplicate_lot();
            }
        }
        let mut ids = Vec::new();
        for vals in vals_list {
            let id = self.new_id();
            let mut lot = vals.as_object().unwrap().clone();
            lot.insert("id".into(), json!(id));
            lot.insert(
                "product_id".into(),
                self.pair("product.product", vals["product_id"].as_i64().unwrap()),
            );
            lot.entry("expiration_date").or_insert(json!(false));
            self.models.get_mut("stock.lot").unwrap().push(lot);
            ids.push(id);
        }
        Reply::Value(json!(ids))
    }

    /// Returns the duplicate-lot error as the recorded server sent it.
    pub(super) fn duplicate_lot(&self) -> Reply {
        if self.version == "odoo19" {
            let exchange = transcript("odoo19", "09_errors.json")
                .into_iter()
                .find(|e| e["endpoint"] == "/json/2/stock.lot/create")
                .unwrap();
            return Reply::Recorded(Outgoing::recorded(422, &exchange["response"]));
        }
        let exchange = transcript(self.version, "09_errors.json")
            .into_iter()
            .find(|e| e["response"]["error"]["data"]["name"] == "odoo.exceptions.ValidationError")
            .unwrap();
        Reply::Recorded(Outgoing::json(exchange["response"].clone()))
    }

    pub(super) fn create_quants(&mut self, args: &Map<String, Value>, context: &Value) -> Reply {
        assert_eq!(
            context["inventory_mode"], true,
            "quants are created in inventory mode"
        );
        let mut ids = Vec::new();
        for vals in args["vals_list"].as_array().unwrap() {
            let id = self.new_id();
            self.insert_quant(
                id,
                vals["location_id"].as_i64().unwrap(),
                vals["product_id"].as_i64().unwrap(),
                vals.get("lot_id").and_then(Value::as_i64),
                0.0,
            );
            let quant = self.record_mut("stock.quant", id).unwrap();
            quant.insert(
                "inventory_quantity".into(),
                vals["inventory_quantity"].clone(),
            );
            quant.insert("inventory_quantity_set".into(), json!(true));
            // Odoo gives a quant created in inventory mode the creating user.
            quant.insert("user_id".into(), json!([6, "WMS Integration"]));
            ids.push(id);
        }
        Reply::Value(json!(ids))
    }

    pub(super) fn write_quants(&mut self, args: &Map<String, Value>, context: &Value) -> Reply {
        assert_eq!(
            context["inventory_mode"], true,
            "counts are written in inventory mode"
        );
        for id in args["ids"].as_array().unwrap() {
            let quant = self
                .record_mut("stock.quant", id.as_i64().unwrap())
                .unwrap();
            quant.insert(
                "inventory_quantity".into(),
                args["vals"]["inventory_quantity"].clone(),
            );
            quant.insert("inventory_quantity_set".into(), json!(true));
        }
        Reply::Value(json!(true))
    }

    pub(super) fn apply_inventory(&mut self, args: &Map<String, Value>, context: &Value) -> Reply {
        if self.version == "odoo17" && !self.is_manager {
            let exchange = transcript("odoo17", "06_inventory_quant_and_adjustment.json")
                .into_iter()
                .find(|e| e["request"]["params"]["args"][4] == "action_apply_inventory")
                .unwrap();
            return Reply::Recorded(Outgoing::json(exchange["response"].clone()));
        }
        if let Some(wizard) = &self.apply_wizard {
            return Reply::Value(
                json!({"name": "Conflict in Inventory Adjustment", "type": "ir.actions.act_window", "res_model": wizard, "target": "new", "context": {"default_quant_ids": args["ids"]}}),
            );
        }
        let name = context["inventory_name"]
            .as_str()
            .unwrap_or("Product Quantity Updated")
            .to_owned();
        for id in args["ids"].as_array().unwrap() {
            let quant = self
                .record_mut("stock.quant", id.as_i64().unwrap())
                .unwrap();
            let counted = quant["inventory_quantity"].clone();
            let user = quant["user_id"]
                .get(1)
                .and_then(Value::as_str)
                .map(str::to_owned);
            let product = quant["product_id"].clone();
            quant.insert("quantity".into(), counted.clone());
            quant.insert("inventory_quantity".into(), json!(0.0));
            quant.insert("inventory_quantity_set".into(), json!(false));
            let reference = user.map_or_else(|| name.clone(), |user| format!("{name} ({user})"));
            let move_id = self.new_id();
            let movement = json!({"id": move_id, "reference": reference, "is_inventory": true, "state": "done", "product_id": product, "product_uom_qty": counted});
            self.models
                .entry("stock.move".into())
                .or_default()
                .push(record(movement));
        }
        Reply::Nothing
    }

    pub(super) fn create_scraps(&mut self, args: &Map<String, Value>) -> Reply {
        let mut ids = Vec::new();
        for vals in args["vals_list"].as_array().unwrap() {
            let id = self.new_id();
            let mut scrap = vals.as_object().unwrap().clone();
            scrap.insert("id".into(), json!(id));
            scrap.insert("state".into(), json!("draft"));
            scrap.insert(
                "product_id".into(),
                self.pair("product.product", vals["product_id"].as_i64().unwrap()),
            );
            scrap.insert(
                "location_id".into(),
                self.pair("stock.location", vals["location_id"].as_i64().unwrap()),
            );
            let lot = vals
                .get("lot_id")
                .and_then(Value::as_i64)
                .map_or(json!(false), |lot| self.pair("stock.lot", lot));
            scrap.insert("lot_id".into(), lot);
            self.models
                .entry("stock.scrap".into())
                .or_default()
                .push(scrap);
            ids.push(id);
        }
        Reply::Value(json!(ids))
    }

    /// Scraps one record (`ensure_one()` in Odoo) when its exact location contains enough.
    pub(super) fn validate_scrap(&mut self, args: &Map<String, Value>) -> Reply {
        let ids = args["ids"].as_array().unwrap();
        if ids.len() != 1 {
            return Reply::Error {
                name: "builtins.ValueError",
                message: format!("Expected singleton: stock.scrap{ids:?}"),
                status: 500,
            };
        }

        let scrap = self
            .record("stock.scrap", ids[0].as_i64().unwrap())
            .unwrap()
            .clone();
        let key = |r: &Record| {
            (
                field_id(&r["location_id"]),
                field_id(&r["product_id"]),
                field_id(&r["lot_id"]),
            )
        };
        let quant_id = self
            .records("stock.quant")
            .into_iter()
            .find(|q| key(q) == key(&scrap))
            .map(|q| q["id"].clone());
        let requested = scrap["scrap_qty"].as_f64().unwrap();
        let available = quant_id
            .as_ref()
            .and_then(|id| self.record("stock.quant", id.as_i64().unwrap()))
            .map_or(0.0, |q| q["quantity"].as_f64().unwrap());

        if available < requested {
            return Reply::Value(
                json!({"name": "Insufficient Quantity", "type": "ir.actions.act_window", "res_model": "stock.warn.insufficient.qty.scrap", "target": "new", "context": {"default_scrap_id": scrap["id"]}}),
            );
        }

        let quant = self
            .record_mut("stock.quant", quant_id.unwrap().as_i64().unwrap())
            .unwrap();
        quant.insert("quantity".into(), json!(available - requested));
        self.record_mut("stock.scrap", scrap["id"].as_i64().unwrap())
            .unwrap()
            .insert("state".into(), json!("done"));
        Reply::Value(json!(true))
    }
}
