//! The state summary tests and the crash test compare: per picking its
//! state, carrier data, how often it was validated and written after done,
//! and its move lines; per sale order its delivery status.

use serde_json::{json, Map, Value};

use super::sim::OdooSim;
use super::stock::{lines_of_move, moves_of_picking};
use super::store::{m2o_id, m2o_name};

impl OdooSim {
    /// Returns a JSON summary of pickings and sale orders, keyed by id.
    pub fn state_summary(&self) -> Value {
        let db = self.db();
        let mut pickings = Map::new();
        for id in db.ids("stock.picking") {
            let Some(record) = db.get("stock.picking", id) else {
                continue;
            };
            let mut lines = Vec::new();
            for mv in moves_of_picking(&db, id) {
                for line in lines_of_move(&db, mv) {
                    let Some(line_record) = db.get("stock.move.line", line) else {
                        continue;
                    };
                    let product = m2o_id(line_record.get("product_id")).unwrap_or(0);
                    lines.push(json!({
                        "id": line,
                        "default_code": db.field("product.product", product, "default_code"),
                        "lot": line_record.get("lot_id").map(|v| m2o_name(Some(v))).filter(|n| !n.is_empty()),
                        "quantity": line_record.get("quantity").cloned().unwrap_or(Value::Null),
                        "picked": line_record.get("picked").cloned().unwrap_or(Value::Bool(false)),
                    }));
                }
            }
            pickings.insert(
                id.to_string(),
                json!({
                    "name": record.get("name"),
                    "state": record.get("state"),
                    "origin": record.get("origin"),
                    "backorder_id": m2o_id(record.get("backorder_id")),
                    "carrier": record.get("carrier_id").map(|v| m2o_name(Some(v))).filter(|n| !n.is_empty()),
                    "carrier_tracking_ref": record.get("carrier_tracking_ref"),
                    "validate_count": db.validate_count(id),
                    "writes_after_done": db.writes_after_done(id),
                    "move_lines": lines,
                }),
            );
        }
        let mut orders = Map::new();
        for id in db.ids("sale.order") {
            orders.insert(
                id.to_string(),
                json!({
                    "name": db.field("sale.order", id, "name"),
                    "state": db.field("sale.order", id, "state"),
                    "delivery_status": db.field("sale.order", id, "delivery_status"),
                }),
            );
        }
        json!({ "pickings": pickings, "sale_orders": orders })
    }
}
