//! `stock.quant.action_apply_inventory`: turns counted quantities into done
//! stock moves from or to the company's inventory-loss location, as Odoo 17
//! to 19 do, or returns the wizard Odoo requires first (stock moved since
//! the count, or a tracked product counted without a lot in 17 and 18).
//!
//! The method returns Python's `None`, which JSON-RPC sends as a response
//! without a `result` key and JSON-2 as `null`.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::access::has_group;
use super::computed::is_outdated;
use super::direct_move::{create_done, DirectMove};
use super::dispatch::Call;
use super::error::OdooError;
use super::location;
use super::quant::{clear_counts, refresh_difference};
use super::quantity::decimal;
use super::stock;
use super::store::{m2o_id, Db, Record};

/// Odoo's `SUPERUSER_ID`, whose name never goes into an adjustment's name.
const SUPERUSER: i64 = 1;

/// Runs `action_apply_inventory` on quants; returns `null` when applied, or
/// the action of the wizard Odoo returns instead of applying.
pub(crate) fn action_apply_inventory(
    db: &mut Db,
    call: &Call,
    ids: &[i64],
) -> Result<Value, OdooError> {
    let outdated: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| db.get("stock.quant", *id).is_some_and(is_outdated))
        .collect();
    if !outdated.is_empty() {
        let context = wizard_context(call, ids, "default_quant_to_fix_ids", &outdated);
        return Ok(wizard_action(
            "Conflict in Inventory Adjustment",
            "stock.inventory.conflict",
            context,
        ));
    }
    let untracked = tracked_without_lot(db, ids);
    if db.version <= 18 && !untracked.is_empty() {
        let context = wizard_context(call, ids, "default_product_ids", &untracked);
        return Ok(wizard_action(
            "Tracked Products in Inventory Adjustment",
            "stock.track.confirmation",
            context,
        ));
    }
    apply(db, call, ids)?;
    Ok(Value::Null)
}

/// Runs Odoo's `_apply_inventory`: one done move per quant for its
/// difference (a zero difference gives a zero move named "Product Quantity
/// Confirmed"), the next count date, and the counts cleared.
///
/// A quant whose count was never set: Odoo 18 and 19 first mark every quant
/// as counted, so its counted quantity (0 unless written) replaces the stock
/// on hand and the quant is emptied. Odoo 17 applies the stored difference
/// instead, which is 0 for such a quant of the data sets, so nothing moves.
pub(crate) fn apply(db: &mut Db, call: &Call, ids: &[i64]) -> Result<(), OdooError> {
    if db.version <= 17 && !has_group(db, call.uid, "stock.group_stock_manager") {
        return Err(OdooError::user(
            "Only a stock manager can validate an inventory adjustment.",
        ));
    }
    for id in ids {
        if db.version >= 18
            && db.field("stock.quant", *id, "inventory_quantity_set") != Value::Bool(true)
        {
            db.set(
                "stock.quant",
                *id,
                "inventory_quantity_set",
                Value::Bool(true),
            );
            refresh_difference(db, *id);
        }
    }
    for id in ids {
        let record = db.get("stock.quant", *id).cloned().unwrap_or_default();
        let spec = adjustment(db, call, &record)?;
        create_done(db, &spec);
        let place = m2o_id(record.get("location_id")).unwrap_or(0);
        let today = location::today(db);
        db.set("stock.location", place, "last_inventory_date", json!(today));
        let next = location::next_inventory_date(db, place);
        db.set("stock.quant", *id, "inventory_date", next);
    }
    clear_counts(db, ids);
    Ok(())
}

/// Builds the move that brings one quant to its counted quantity.
fn adjustment(db: &Db, call: &Call, quant: &Record) -> Result<DirectMove, OdooError> {
    let product = m2o_id(quant.get("product_id")).unwrap_or(0);
    let place = m2o_id(quant.get("location_id")).unwrap_or(0);
    let loss = location::inventory_loss(db, location::company(db, place)).ok_or_else(|| {
        OdooError::user(format!(
            "No inventory adjustment location (usage \"inventory\") exists for {}: add one before applying a count.",
            db.display_name("stock.location", place)
        ))
    })?;
    let difference = decimal(quant.get("inventory_diff_quantity"));
    let (source, destination) = if difference > Decimal::ZERO {
        (loss, place)
    } else {
        (place, loss)
    };
    Ok(DirectMove {
        name: move_name(db, call, quant, difference),
        origin: None,
        product,
        lot: m2o_id(quant.get("lot_id")),
        quantity: difference.abs(),
        source,
        destination,
        is_inventory: true,
        scrapped: false,
    })
}

/// Names an adjustment's move: the context's `inventory_name`, else
/// "Product Quantity Updated" (or "Confirmed" for no difference), followed by
/// the quant's assigned user in brackets unless that is the superuser.
fn move_name(db: &Db, call: &Call, quant: &Record, difference: Decimal) -> String {
    let mut name = match call.context.get("inventory_name").and_then(Value::as_str) {
        Some(given) if !given.is_empty() => given.to_owned(),
        _ if difference.is_zero() => "Product Quantity Confirmed".to_owned(),
        _ => "Product Quantity Updated".to_owned(),
    };
    if let Some(user) = m2o_id(quant.get("user_id")).filter(|u| *u != SUPERUSER) {
        name.push_str(&format!(" ({})", db.display_name("res.users", user)));
    }
    name
}

/// Returns the tracked products counted without a lot on an empty quant,
/// which Odoo 17 and 18 confirm through `stock.track.confirmation`.
fn tracked_without_lot(db: &Db, ids: &[i64]) -> Vec<i64> {
    let mut products = Vec::new();
    for id in ids {
        let Some(record) = db.get("stock.quant", *id) else {
            continue;
        };
        let counted = decimal(record.get("inventory_quantity"));
        let on_hand = decimal(record.get("quantity"));
        let difference = decimal(record.get("inventory_diff_quantity"));
        if counted.is_zero() && on_hand.is_zero() && difference.is_zero() {
            continue;
        }
        let product = m2o_id(record.get("product_id")).unwrap_or(0);
        let tracked = stock::tracking(db, product) != "none";
        let no_lot = m2o_id(record.get("lot_id")).is_none();
        if tracked
            && no_lot
            && counted != on_hand
            && on_hand.is_zero()
            && !products.contains(&product)
        {
            products.push(product);
        }
    }
    products
}

fn wizard_context(call: &Call, quants: &[i64], key: &str, ids: &[i64]) -> Map<String, Value> {
    let mut context = call.context.clone();
    context.insert("default_quant_ids".into(), json!(quants));
    context.insert(key.into(), json!(ids));
    context
}

fn wizard_action(name: &str, model: &str, context: Map<String, Value>) -> Value {
    json!({
        "name": name,
        "type": "ir.actions.act_window",
        "view_mode": "form",
        "views": [[false, "form"]],
        "res_model": model,
        "target": "new",
        "context": context,
    })
}
