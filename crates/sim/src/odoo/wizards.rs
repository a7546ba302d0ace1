//! Transient wizards returned by `button_validate`: backorder confirmation,
//! expired-lot confirmation and SMS confirmation. Like real Odoo, their
//! buttons act only when the call context carries `button_validate_picking_ids`.

use serde_json::{json, Map, Value};

use super::error::OdooError;
use super::store::{Db, Record};
use super::validate::{button_validate, ValidateContext};

/// The wizard models the simulator implements.
pub(crate) const WIZARD_MODELS: &[&str] = &[
    "stock.backorder.confirmation",
    "expiry.picking.confirmation",
    "confirm.stock.sms",
];

fn context_ids(context: &Map<String, Value>, key: &str) -> Vec<i64> {
    context
        .get(key)
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// Reads ids out of x2many commands (`[[4, id]]`, `[[6, 0, ids]]`) or a plain id list.
fn command_ids(value: Option<&Value>) -> Vec<i64> {
    let mut ids = Vec::new();
    for item in value.and_then(Value::as_array).into_iter().flatten() {
        match item {
            Value::Number(n) => ids.extend(n.as_i64()),
            Value::Array(command) => match command.first().and_then(Value::as_i64) {
                Some(4) => ids.extend(command.get(1).and_then(Value::as_i64)),
                Some(6) => ids.extend(
                    command
                        .get(2)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_i64),
                ),
                _ => {}
            },
            _ => {}
        }
    }
    ids
}

/// Creates a wizard record from create values and the `default_*` context keys.
pub(crate) fn create(
    db: &mut Db,
    model: &str,
    vals: &Map<String, Value>,
    context: &Map<String, Value>,
) -> i64 {
    let mut record = Record::new();
    match model {
        "stock.backorder.confirmation" => {
            let mut picks = command_ids(vals.get("pick_ids"));
            if picks.is_empty() {
                picks = command_ids(context.get("default_pick_ids"));
            }
            let show = context
                .get("default_show_transfers")
                .cloned()
                .unwrap_or(Value::Bool(false));
            let mut lines = Vec::new();
            for pick in &picks {
                let mut line = Record::new();
                line.insert("picking_id".into(), db.m2o("stock.picking", *pick));
                line.insert("to_backorder".into(), Value::Bool(true));
                lines.push(db.insert("stock.backorder.confirmation.line", line));
            }
            record.insert("pick_ids".into(), json!(picks));
            record.insert(
                "show_transfers".into(),
                vals.get("show_transfers").cloned().unwrap_or(show),
            );
            record.insert("backorder_confirmation_line_ids".into(), json!(lines));
        }
        "expiry.picking.confirmation" => {
            let mut pickings = command_ids(vals.get("picking_ids"));
            if pickings.is_empty() {
                pickings = command_ids(context.get("default_picking_ids"));
            }
            let mut lots = command_ids(vals.get("lot_ids"));
            if lots.is_empty() {
                lots = command_ids(context.get("default_lot_ids"));
            }
            record.insert("picking_ids".into(), json!(pickings));
            record.insert("lot_ids".into(), json!(lots));
        }
        _ => {
            let picks = command_ids(vals.get("pick_ids"));
            record.insert("pick_ids".into(), json!(picks));
        }
    }
    db.insert(model, record)
}

/// Runs a wizard button; `ids` were checked to exist by the caller.
pub(crate) fn button(
    db: &mut Db,
    model: &str,
    method: &str,
    context: &Map<String, Value>,
) -> Result<Value, OdooError> {
    let pickings = context_ids(context, "button_validate_picking_ids");
    let mut options = ValidateContext::from_context(context);
    match (model, method) {
        ("stock.backorder.confirmation", "process" | "process_cancel_backorder") => {
            if pickings.is_empty() {
                return Ok(Value::Bool(true));
            }
            options.skip_backorder = true;
            if method == "process_cancel_backorder" {
                options.cancel_backorder_for = pickings.clone();
            }
            button_validate(db, &pickings, &options)
        }
        ("expiry.picking.confirmation", "process") => {
            if pickings.is_empty() {
                return Ok(Value::Bool(true));
            }
            options.skip_expired = true;
            button_validate(db, &pickings, &options)
        }
        ("confirm.stock.sms", "dont_send_sms" | "send_sms") => {
            if method == "dont_send_sms" {
                db.sms_confirmation = false;
            }
            options.skip_sms = true;
            if pickings.is_empty() {
                return Ok(Value::Bool(true));
            }
            button_validate(db, &pickings, &options)
        }
        _ => Err(OdooError::new(
            "builtins.AttributeError",
            format!("The method '{model}.{method}' does not exist"),
        )),
    }
}
