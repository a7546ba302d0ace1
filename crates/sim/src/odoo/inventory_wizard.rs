//! The wizards `action_apply_inventory` returns instead of applying:
//! `stock.inventory.conflict` (stock moved since the count) and
//! `stock.track.confirmation` (a tracked product counted without a lot,
//! Odoo 17 and 18). Like Odoo, they take their quants from the
//! `default_*` keys of the returned context.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::dispatch::Call;
use super::error::OdooError;
use super::inventory;
use super::quant::set_count;
use super::quantity::{decimal, wire};
use super::store::{Db, Record};

/// The wizard models of this module.
pub(crate) const MODELS: &[&str] = &["stock.inventory.conflict", "stock.track.confirmation"];

/// Returns whether `method` is a button of one of the wizards.
pub(crate) fn is_button(model: &str, method: &str) -> bool {
    matches!(
        (model, method),
        (
            "stock.inventory.conflict",
            "action_keep_counted_quantity" | "action_keep_difference"
        ) | ("stock.track.confirmation", "action_confirm")
    )
}

fn ids_of(value: Option<&Value>) -> Vec<i64> {
    value
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// Creates a wizard from create values and the context's `default_*` keys.
pub(crate) fn create(
    db: &mut Db,
    model: &str,
    vals: &Map<String, Value>,
    context: &Map<String, Value>,
) -> i64 {
    let pick = |field: &str, default_key: &str| {
        let from_vals = ids_of(vals.get(field));
        if from_vals.is_empty() {
            ids_of(context.get(default_key))
        } else {
            from_vals
        }
    };
    let mut record = Record::new();
    record.insert(
        "quant_ids".into(),
        json!(pick("quant_ids", "default_quant_ids")),
    );
    if model == "stock.inventory.conflict" {
        let to_fix = pick("quant_to_fix_ids", "default_quant_to_fix_ids");
        record.insert("quant_to_fix_ids".into(), json!(to_fix));
    } else {
        let products = pick("product_ids", "default_product_ids");
        record.insert("product_ids".into(), json!(products));
    }
    db.insert(model, record)
}

/// Runs a wizard button on the first wizard id.
pub(crate) fn button(db: &mut Db, call: &Call, wizard: i64) -> Result<Value, OdooError> {
    let quants: Vec<i64> = ids_of(db.get(&call.model, wizard).and_then(|r| r.get("quant_ids")))
        .into_iter()
        .filter(|id| db.exists("stock.quant", *id))
        .collect();
    match call.method.as_str() {
        "action_keep_counted_quantity" => {
            // Keep the count: the difference is taken again against today's stock.
            for quant in &quants {
                let record = db.get("stock.quant", *quant).cloned().unwrap_or_default();
                let difference =
                    decimal(record.get("inventory_quantity")) - decimal(record.get("quantity"));
                db.set(
                    "stock.quant",
                    *quant,
                    "inventory_diff_quantity",
                    wire(difference),
                );
            }
            inventory::action_apply_inventory(db, call, &quants)
        }
        "action_keep_difference" => {
            // Keep the difference: the count moves with the stock moved since.
            for quant in &quants {
                let record = db.get("stock.quant", *quant).cloned().unwrap_or_default();
                let difference = decimal(record.get("inventory_diff_quantity"));
                let counted: Decimal = decimal(record.get("quantity")) + difference;
                set_count(db, *quant, counted);
            }
            inventory::action_apply_inventory(db, call, &quants)
        }
        _ => {
            inventory::apply(db, call, &quants)?;
            Ok(Value::Null)
        }
    }
}
