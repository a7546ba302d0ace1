//! Cancellation: `sale.order.action_cancel` with the `sale.order.cancel`
//! wizard that Odoo 17 and 18 return instead of cancelling, and
//! `stock.picking.action_cancel`, which cancels open moves and frees their
//! reservations.

use serde_json::{json, Map, Value};

use rust_decimal::Decimal;

use super::error::OdooError;
use super::quantity::wire;
use super::stock;
use super::store::{m2o_id, Db};

/// Runs `sale.order.action_cancel` on existing orders.
///
/// Odoo 17 and 18 return the `sale.order.cancel` wizard and cancel nothing
/// when an order is past draft, unless the context carries
/// `disable_cancel_warning`. Odoo 19 cancels at once (recorded on a
/// confirmed order and on a shipped one). A cancelled order's done
/// pickings stay done and its `delivery_status` follows them.
pub(crate) fn cancel_orders(
    db: &mut Db,
    ids: &[i64],
    context: &Map<String, Value>,
) -> Result<Value, OdooError> {
    let warning_disabled = context
        .get("disable_cancel_warning")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let past_draft = ids
        .iter()
        .any(|order| db.field("sale.order", *order, "state").as_str() != Some("draft"));
    if db.version <= 18 && !warning_disabled && past_draft {
        return cancel_wizard_action(db.version, ids);
    }

    for order in ids {
        let open: Vec<i64> = db
            .one2many("stock.picking", "sale_id", *order)
            .into_iter()
            .filter(|picking| db.field("stock.picking", *picking, "state").as_str() != Some("done"))
            .collect();
        cancel_open_pickings(db, &open);
        db.set("sale.order", *order, "state", json!("cancel"));
        super::sale::refresh_delivery(db, *order);
    }
    Ok(Value::Bool(true))
}

/// Builds the `sale.order.cancel` action of Odoo 17 and 18. Odoo reads
/// `self.id` there, so several orders raise as any singleton access does.
fn cancel_wizard_action(version: u8, ids: &[i64]) -> Result<Value, OdooError> {
    let [order] = ids else {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        return Err(OdooError::value(format!(
            "Expected singleton: sale.order({})",
            list.join(", ")
        )));
    };
    // The form view and cancellation mail template ids are the recorded
    // ones, because Odoo looks both up by xml id in its own database.
    let view_id = if version <= 17 { 1084 } else { 1143 };
    Ok(json!({
        "name": "Cancel Sales Order",
        "view_mode": "form",
        "res_model": "sale.order.cancel",
        "view_id": view_id,
        "type": "ir.actions.act_window",
        "context": {
            "default_template_id": 14,
            "default_order_id": order,
            "mark_so_as_canceled": true,
            "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
            "model_description": "Sales Order",
        },
        "target": "new",
    }))
}

/// Runs `stock.picking.action_cancel`. Like Odoo's `stock.move._action_cancel`
/// it raises when one of the moves is done, so a shipped picking can only be
/// reversed by a return.
pub(crate) fn cancel_pickings(db: &mut Db, ids: &[i64]) -> Result<Value, OdooError> {
    let has_done_move = ids.iter().any(|picking| {
        stock::moves_of_picking(db, *picking)
            .iter()
            .any(|mv| db.field("stock.move", *mv, "state").as_str() == Some("done"))
    });
    if has_done_move {
        return Err(OdooError::user(
            "You cannot cancel a stock move that has been set to 'Done'. Create a return in order to reverse the moves which took place.",
        ));
    }
    cancel_open_pickings(db, ids);
    Ok(Value::Bool(true))
}

/// Cancels the moves of pickings that are not done, deleting their move
/// lines so the quants' reservations are released, and cancels the pickings.
fn cancel_open_pickings(db: &mut Db, ids: &[i64]) {
    for picking in ids {
        for mv in stock::moves_of_picking(db, *picking) {
            if db.field("stock.move", mv, "state").as_str() == Some("done") {
                continue;
            }
            for line in stock::lines_of_move(db, mv) {
                super::move_line::unlink_move_line(db, line);
            }
            db.set("stock.move", mv, "state", json!("cancel"));
            db.set("stock.move", mv, "quantity", wire(Decimal::ZERO));
            db.set("stock.move", mv, "picked", Value::Bool(false));
        }
        if db.field("stock.picking", *picking, "state").as_str() != Some("done") {
            db.set("stock.picking", *picking, "state", json!("cancel"));
        }
        let order = m2o_id(
            db.get("stock.picking", *picking)
                .and_then(|r| r.get("sale_id")),
        );
        if let Some(order) = order {
            super::sale::refresh_delivery(db, order);
        }
    }
}
