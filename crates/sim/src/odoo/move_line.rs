//! Writing, creating and deleting move lines with Odoo 17+'s rules:
//! `quantity` and `picked`, reservations that follow quantity and lot
//! changes, and stock moved again by a write on a done line.

use serde_json::{Map, Value};

use super::error::OdooError;
use super::orm;
use super::stock::{
    bump_quant, create_line, lines_of_move, location_usage, moves_of_picking, quant_for,
    refresh_move, round,
};
use super::store::{float, m2o_id, num, Db};

/// Writes values on move lines with Odoo's stock rules: negative quantities
/// are rejected, reservations follow quantity and lot changes, and a quantity
/// change on a done line moves the stock again.
pub(crate) fn write_move_lines(
    db: &mut Db,
    ids: &[i64],
    vals: &Map<String, Value>,
) -> Result<(), OdooError> {
    if num(vals.get("quantity")) < 0.0 {
        return Err(OdooError::user(
            "Reserving a negative quantity is not allowed.",
        ));
    }
    for id in ids {
        let before = db.get("stock.move.line", *id).cloned().unwrap_or_default();
        let done = before.get("state").and_then(Value::as_str) == Some("done");
        let product = m2o_id(before.get("product_id")).unwrap_or(0);
        let location = m2o_id(before.get("location_id")).unwrap_or(0);
        let destination = m2o_id(before.get("location_dest_id")).unwrap_or(0);
        let old_lot = m2o_id(before.get("lot_id"));
        let old_quantity = num(before.get("quantity"));

        orm::write_plain(db, "stock.move.line", &[*id], vals)?;

        let after = db.get("stock.move.line", *id).cloned().unwrap_or_default();
        let new_lot = m2o_id(after.get("lot_id"));
        let new_quantity = num(after.get("quantity"));
        db.set(
            "stock.move.line",
            *id,
            "quantity_product_uom",
            float(new_quantity),
        );
        if vals.contains_key("lot_id") {
            let expiration = new_lot.map_or(Value::Bool(false), |l| {
                db.field("stock.lot", l, "expiration_date")
            });
            db.set("stock.move.line", *id, "expiration_date", expiration);
        }

        if done {
            if new_quantity != old_quantity || new_lot != old_lot {
                let source_quant = quant_for(db, product, location, old_lot);
                bump_quant(db, source_quant, "quantity", old_quantity);
                let dest_quant = quant_for(db, product, destination, old_lot);
                bump_quant(db, dest_quant, "quantity", -old_quantity);
                let source_quant = quant_for(db, product, location, new_lot);
                bump_quant(db, source_quant, "quantity", -new_quantity);
                let dest_quant = quant_for(db, product, destination, new_lot);
                bump_quant(db, dest_quant, "quantity", new_quantity);
                if let Some(picking) = m2o_id(after.get("picking_id")) {
                    db.count_write_after_done(picking);
                }
            }
        } else if location_usage(db, location) == "internal" {
            let old_quant = quant_for(db, product, location, old_lot);
            bump_quant(db, old_quant, "reserved_quantity", -old_quantity);
            let new_quant = quant_for(db, product, location, new_lot);
            bump_quant(db, new_quant, "reserved_quantity", new_quantity);
        }
        if let Some(move_id) = m2o_id(after.get("move_id")) {
            if done {
                let lines = lines_of_move(db, move_id);
                let quantity: f64 = lines
                    .iter()
                    .map(|l| {
                        num(db
                            .get("stock.move.line", *l)
                            .and_then(|r| r.get("quantity")))
                    })
                    .sum();
                db.set("stock.move", move_id, "quantity", float(round(quantity)));
            } else {
                refresh_move(db, move_id);
            }
        }
    }
    Ok(())
}

/// Creates a move line from `create` values, attaching it to a move of the
/// picking with the same product when no move is given.
pub(crate) fn create_move_line(db: &mut Db, vals: &Map<String, Value>) -> Result<i64, OdooError> {
    if num(vals.get("quantity")) < 0.0 {
        return Err(OdooError::user(
            "Reserving a negative quantity is not allowed.",
        ));
    }

    let mut move_id = vals.get("move_id").and_then(Value::as_i64);
    let picking = vals.get("picking_id").and_then(Value::as_i64).or_else(|| {
        move_id.and_then(|m| m2o_id(db.get("stock.move", m).and_then(|r| r.get("picking_id"))))
    });
    let product = vals.get("product_id").and_then(Value::as_i64);
    if move_id.is_none() {
        if let (Some(picking), Some(product)) = (picking, product) {
            move_id = moves_of_picking(db, picking).into_iter().find(|m| {
                m2o_id(db.get("stock.move", *m).and_then(|r| r.get("product_id"))) == Some(product)
            });
        }
    }
    // NOTE: real Odoo adds a move for a product the picking does not contain;
    // the simulator rejects such a line instead.
    let Some(move_id) = move_id else {
        return Err(OdooError::validation(
            "A move line needs a move or a picking with a move of the same product.",
        ));
    };
    let location = vals
        .get("location_id")
        .and_then(Value::as_i64)
        .or_else(|| {
            m2o_id(
                db.get("stock.move", move_id)
                    .and_then(|r| r.get("location_id")),
            )
        })
        .unwrap_or(0);

    let lot = vals.get("lot_id").and_then(Value::as_i64);
    let id = create_line(db, move_id, lot, location, 0.0);
    let mut rest = vals.clone();
    for key in ["move_id", "picking_id", "product_id", "location_id"] {
        rest.remove(key);
    }
    write_move_lines(db, &[id], &rest)?;
    Ok(id)
}

/// Deletes a move line and releases its reservation.
pub(crate) fn unlink_move_line(db: &mut Db, id: i64) {
    let Some(line) = db.get("stock.move.line", id).cloned() else {
        return;
    };
    if line.get("state").and_then(Value::as_str) != Some("done") {
        let product = m2o_id(line.get("product_id")).unwrap_or(0);
        let location = m2o_id(line.get("location_id")).unwrap_or(0);
        if location_usage(db, location) == "internal" {
            let quant = quant_for(db, product, location, m2o_id(line.get("lot_id")));
            bump_quant(db, quant, "reserved_quantity", -num(line.get("quantity")));
        }
    }
    db.remove("stock.move.line", id);
    if let Some(move_id) = m2o_id(line.get("move_id")) {
        refresh_move(db, move_id);
    }
}
