//! The return picking that the `stock.return.picking` wizard creates. It
//! is a copy of the done picking in the other direction, of the operation
//! type's return type (for a delivery, the warehouse's Receipts), named
//! "Return of <picking>". It gets one move per non-zero wizard line, is
//! confirmed, and its move lines carry the lots and serials that the
//! original move shipped.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;

use super::error::OdooError;
use super::picking::{confirm_picking, new_move, new_picking};
use super::quantity::{decimal, wire};
use super::returns::{LINE, WIZARD};
use super::stock::{self, lines_of_move};
use super::store::{m2o_id, Db};

/// Creates, confirms and pre-fills the return picking of a wizard and
/// returns its id. Raises Odoo's `UserError`s when every line is zero and,
/// on Odoo 17, when a line has no move.
pub(crate) fn create_return(db: &mut Db, wizard: i64) -> Result<i64, OdooError> {
    let original = m2o_id(db.get(WIZARD, wizard).and_then(|r| r.get("picking_id"))).ok_or_else(|| {
        OdooError::user(format!(
            "The return wizard {wizard} has no picking: create it with the done picking in picking_id."
        ))
    })?;
    let lines = db.referring_ids(LINE, "wizard_id", wizard);
    let line_move = |db: &Db, line: i64| m2o_id(db.get(LINE, line).and_then(|r| r.get("move_id")));
    if db.version <= 17 && lines.iter().any(|line| line_move(db, *line).is_none()) {
        return Err(OdooError::user(
            "You have manually created product lines, please delete them to proceed.",
        ));
    }
    let to_return: Vec<i64> = lines
        .into_iter()
        .filter(|line| !decimal(db.get(LINE, *line).and_then(|r| r.get("quantity"))).is_zero())
        .collect();
    if to_return.is_empty() {
        return Err(OdooError::user(
            "Please specify at least one non-zero quantity.",
        ));
    }

    let picking = new_return_picking(db, original);
    for line in to_return {
        let record = db.get(LINE, line).cloned().unwrap_or_default();
        let product = m2o_id(record.get("product_id")).unwrap_or(0);
        let quantity = decimal(record.get("quantity"));
        let mv = new_move(db, picking, product, 0.0);
        db.set("stock.move", mv, "product_uom_qty", wire(quantity));
        if let Some(origin_move) = line_move(db, line) {
            let sale_line = db.field("stock.move", origin_move, "sale_line_id");
            db.set("stock.move", mv, "sale_line_id", sale_line);
            db.set(
                "stock.move",
                mv,
                "origin_returned_move_id",
                db.m2o("stock.move", origin_move),
            );
            prefill_lines(db, mv, origin_move, quantity);
        }
    }
    confirm_picking(db, picking);
    Ok(picking)
}

/// Creates the draft return picking of a done picking.
fn new_return_picking(db: &mut Db, original: i64) -> i64 {
    let record = db
        .get("stock.picking", original)
        .cloned()
        .unwrap_or_default();
    let picking_type = m2o_id(record.get("picking_type_id")).unwrap_or(0);
    let return_type = m2o_id(
        db.get("stock.picking.type", picking_type)
            .and_then(|r| r.get("return_picking_type_id")),
    );
    let source = m2o_id(record.get("location_dest_id")).unwrap_or(0);
    // Odoo 18 source: an incoming return type brings the goods to its default
    // destination, any other type back to where they came from.
    let destination = match return_type {
        Some(kind) if db.field("stock.picking.type", kind, "code").as_str() == Some("incoming") => {
            m2o_id(
                db.get("stock.picking.type", kind)
                    .and_then(|r| r.get("default_location_dest_id")),
            )
        }
        _ => None,
    }
    .or_else(|| m2o_id(record.get("location_id")))
    .unwrap_or(0);
    let name = record
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let partner = m2o_id(record.get("partner_id"));

    let picking = new_picking(
        db,
        return_type.unwrap_or(picking_type),
        source,
        destination,
        partner,
        &format!("Return of {name}"),
    );
    db.set(
        "stock.picking",
        picking,
        "return_id",
        db.m2o("stock.picking", original),
    );
    let sale = record.get("sale_id").cloned().unwrap_or(Value::Bool(false));
    db.set("stock.picking", picking, "sale_id", sale);
    picking
}

/// Creates the move lines of a return move. Lots and serials come from the
/// done lines of the returned move, first shipped first, less what earlier
/// returns of that move already carry. What is left gets a line without a
/// lot, one per unit for a serial-tracked product.
fn prefill_lines(db: &mut Db, mv: i64, origin_move: i64, quantity: Decimal) {
    let product = m2o_id(db.get("stock.move", mv).and_then(|r| r.get("product_id"))).unwrap_or(0);
    let source = m2o_id(db.get("stock.move", mv).and_then(|r| r.get("location_id"))).unwrap_or(0);
    let tracking = stock::tracking(db, product);
    if tracking == "none" {
        add_line(db, mv, None, source, quantity);
        return;
    }

    let mut remaining = quantity;
    for (lot, available) in shipped_lots(db, origin_move, mv) {
        if remaining <= Decimal::ZERO {
            break;
        }
        let take = available.min(remaining);
        if tracking == "serial" {
            let mut units = take.floor();
            while units >= Decimal::ONE {
                add_line(db, mv, Some(lot), source, Decimal::ONE);
                units -= Decimal::ONE;
                remaining -= Decimal::ONE;
            }
        } else {
            add_line(db, mv, Some(lot), source, take);
            remaining -= take;
        }
    }
    if tracking == "serial" {
        while remaining >= Decimal::ONE {
            add_line(db, mv, None, source, Decimal::ONE);
            remaining -= Decimal::ONE;
        }
    }
    if remaining > Decimal::ZERO {
        add_line(db, mv, None, source, remaining);
    }
}

/// Returns the lots the move shipped, in the order of its done lines, with
/// the quantity not yet on another return of it.
fn shipped_lots(db: &Db, origin_move: i64, current: i64) -> Vec<(i64, Decimal)> {
    let mut lots: Vec<(i64, Decimal)> = Vec::new();
    for line in lines_of_move(db, origin_move) {
        let record = db.get("stock.move.line", line).cloned().unwrap_or_default();
        let Some(lot) = m2o_id(record.get("lot_id")) else {
            continue;
        };
        let quantity = decimal(record.get("quantity"));
        match lots.iter_mut().find(|(known, _)| *known == lot) {
            Some((_, total)) => *total += quantity,
            None => lots.push((lot, quantity)),
        }
    }
    let earlier_returns = db
        .referring_ids("stock.move", "origin_returned_move_id", origin_move)
        .into_iter()
        .filter(|other| {
            *other != current && db.field("stock.move", *other, "state").as_str() != Some("cancel")
        });
    for other in earlier_returns {
        for line in lines_of_move(db, other) {
            let record = db.get("stock.move.line", line).cloned().unwrap_or_default();
            let lot = m2o_id(record.get("lot_id"));
            if let Some((_, total)) = lots.iter_mut().find(|(known, _)| Some(*known) == lot) {
                *total -= decimal(record.get("quantity"));
            }
        }
    }
    lots.retain(|(_, available)| *available > Decimal::ZERO);
    lots
}

/// Adds a move line and writes its lot's name into `lot_name`, as Odoo 19
/// shows on a pre-filled return line.
fn add_line(db: &mut Db, mv: i64, lot: Option<i64>, location: i64, quantity: Decimal) {
    // NOTE: `stock::create_line` stores quantities as f64 like the rest of the
    // stock code, so the exact decimal is written over it right after.
    let line = stock::create_line(db, mv, lot, location, quantity.to_f64().unwrap_or(0.0));
    db.set("stock.move.line", line, "quantity", wire(quantity));
    db.set(
        "stock.move.line",
        line,
        "quantity_product_uom",
        wire(quantity),
    );
    if let Some(lot) = lot {
        let name = db.field("stock.lot", lot, "name");
        db.set("stock.move.line", line, "lot_name", name);
    }
}
