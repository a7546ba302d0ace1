//! The return wizard `stock.return.picking`: created for a done picking,
//! edited through its lines (see `return_lines`), and turned into a return
//! picking (see `return_picking`) by `create_returns` on Odoo 17 or
//! `action_create_returns` on Odoo 18 and 19.
//!
//! Odoo 17 pre-fills each line with the quantity still returnable. Odoo 18
//! and 19 pre-fill 0 and show the delivered quantity as `move_quantity`.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::dispatch::{require_ids, Call};
use super::error::OdooError;
use super::return_lines::{fill_returnable, insert_line, returnable, write};
use super::return_picking;
use super::store::{m2o_id, Db, Record};

pub(crate) const WIZARD: &str = "stock.return.picking";
pub(crate) const LINE: &str = "stock.return.picking.line";

/// Returns the signature of the wizard's buttons on a version, or `None`.
/// Each version has only its own name of the button.
pub(crate) fn signature(
    version: u8,
    model: &str,
    method: &str,
) -> Option<(bool, &'static [&'static str])> {
    let known = match (model, method) {
        (WIZARD, "create_returns") => version <= 17,
        (WIZARD, "action_create_returns" | "action_create_returns_all") => version >= 18,
        _ => false,
    };
    known.then_some((true, &[][..]))
}

/// Returns whether a call goes to this module.
pub(crate) fn routes(version: u8, model: &str, method: &str) -> bool {
    (model == WIZARD && method == "write") || signature(version, model, method).is_some()
}

/// Runs a wizard `write` or button. Unknown wizard ids raise `MissingError`.
pub(crate) fn execute(db: &mut Db, call: &Call) -> Result<Value, OdooError> {
    let ids = require_ids(db, call)?;
    match call.method.as_str() {
        "write" => {
            let vals = call
                .params
                .get("vals")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            write(db, &ids, &vals)?;
            Ok(Value::Bool(true))
        }
        "create_returns" => {
            // Odoo 17 loops over the wizards and opens the last return.
            let mut last = None;
            for wizard in &ids {
                last = Some((return_picking::create_return(db, *wizard)?, *wizard));
            }
            match last {
                Some((picking, wizard)) => Ok(action_17(db, picking, wizard, &call.context)),
                None => Ok(Value::Bool(true)),
            }
        }
        method => {
            let wizard = single(&ids)?;
            if method == "action_create_returns_all" {
                fill_returnable(db, wizard);
            }
            let picking = return_picking::create_return(db, wizard)?;
            Ok(json!({
                "name": "Returned Picking",
                "view_mode": "form",
                "res_model": "stock.picking",
                "res_id": picking,
                "type": "ir.actions.act_window",
                "context": Value::Object(call.context.clone()),
            }))
        }
    }
}

fn single(ids: &[i64]) -> Result<i64, OdooError> {
    match ids {
        [one] => Ok(*one),
        _ => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            Err(OdooError::value(format!(
                "Expected singleton: {WIZARD}({})",
                list.join(", ")
            )))
        }
    }
}

/// Builds the action Odoo 17's `create_returns` returns: the call context
/// with the list filters of the return's operation type switched off.
fn action_17(db: &Db, picking: i64, wizard: i64, context: &Map<String, Value>) -> Value {
    let original = m2o_id(db.get(WIZARD, wizard).and_then(|r| r.get("picking_id"))).unwrap_or(0);
    let partner = m2o_id(
        db.get("stock.picking", original)
            .and_then(|r| r.get("partner_id")),
    );
    let picking_type = m2o_id(
        db.get("stock.picking", picking)
            .and_then(|r| r.get("picking_type_id")),
    );
    let mut action_context = context.clone();
    action_context.insert(
        "default_partner_id".into(),
        partner.map_or(Value::Bool(false), |p| json!(p)),
    );
    action_context.insert("search_default_picking_type_id".into(), json!(picking_type));
    for filter in [
        "draft",
        "assigned",
        "confirmed",
        "ready",
        "planning_issues",
        "available",
    ] {
        action_context.insert(format!("search_default_{filter}"), Value::Bool(false));
    }
    json!({
        "name": "Returned Picking",
        "view_mode": "form,tree,calendar",
        "res_model": "stock.picking",
        "res_id": picking,
        "type": "ir.actions.act_window",
        "context": Value::Object(action_context),
    })
}

/// Creates a wizard for the picking in `picking_id`, or for the context's
/// `active_id` when `active_model` is `stock.picking`, with one line per
/// move that is not cancelled.
pub(crate) fn create_wizard(
    db: &mut Db,
    vals: &Map<String, Value>,
    context: &Map<String, Value>,
) -> Result<i64, OdooError> {
    let from_context = (context.get("active_model").and_then(Value::as_str)
        == Some("stock.picking"))
    .then(|| context.get("active_id").and_then(Value::as_i64))
    .flatten();
    let picking = vals
        .get("picking_id")
        .and_then(Value::as_i64)
        .or(from_context);
    let picking = picking.filter(|id| db.exists("stock.picking", *id));
    if let Some(picking) = picking {
        if db.field("stock.picking", picking, "state").as_str() != Some("done") {
            return Err(OdooError::user("You may only return Done pickings."));
        }
    }

    let mut record = Record::new();
    record.insert(
        "picking_id".into(),
        picking.map_or(Value::Bool(false), |p| db.m2o("stock.picking", p)),
    );
    record.insert("company_id".into(), db.m2o("res.company", 1));
    let wizard = db.insert(WIZARD, record);
    let Some(picking) = picking else {
        return Ok(wizard);
    };

    let moves: Vec<i64> = db
        .one2many("stock.move", "picking_id", picking)
        .into_iter()
        .filter(|mv| db.field("stock.move", *mv, "state").as_str() != Some("cancel"))
        .collect();
    if moves.is_empty() {
        return Err(OdooError::user(
            "No products to return (only lines in Done state and not fully returned yet can be returned).",
        ));
    }
    for mv in moves {
        let quantity = if db.version <= 17 {
            returnable(db, mv)
        } else {
            Decimal::ZERO
        };
        insert_line(db, wizard, Some(mv), None, quantity);
    }
    Ok(wizard)
}
