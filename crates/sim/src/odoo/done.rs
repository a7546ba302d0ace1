//! `_action_done`: marking a picking done, moving quants, splitting short
//! moves into a backorder or closing them, and updating the sale order.

use serde_json::{json, Value};

use super::stock::{self, lines_of_move, moves_of_picking};
use super::store::{float, m2o_id, num, Db};

/// Marks a picking done: unpicked lines are dropped, short moves are split
/// into a backorder (or closed when `backorder` is false), quants move, and
/// the sale order's delivered quantities and delivery status follow.
pub(crate) fn action_done(db: &mut Db, picking: i64, backorder: bool) {
    let now = db.now();
    // (move, quantity left, whether the whole move goes to the backorder)
    let mut remaining: Vec<(i64, f64, bool)> = Vec::new();

    for mv in moves_of_picking(db, picking) {
        let state = db.field("stock.move", mv, "state");
        if matches!(state.as_str(), Some("done" | "cancel")) {
            continue;
        }
        for line in lines_of_move(db, mv) {
            if db.field("stock.move.line", line, "picked") != Value::Bool(true) {
                super::move_line::unlink_move_line(db, line);
            }
        }
        let done = super::validate::picked_quantity(db, mv);
        let demand = num(db
            .get("stock.move", mv)
            .and_then(|r| r.get("product_uom_qty")));
        if done < demand && backorder {
            remaining.push((mv, stock::round(demand - done), done <= 0.0));
        }
        if done <= 0.0 {
            if !backorder {
                db.set("stock.move", mv, "state", json!("cancel"));
            }
            continue;
        }
        if backorder {
            db.set("stock.move", mv, "product_uom_qty", float(done));
        }
        finish_move(db, mv, &now);
    }

    let shipped: f64 = moves_of_picking(db, picking)
        .iter()
        .filter(|m| db.field("stock.move", **m, "state").as_str() == Some("done"))
        .map(|m| {
            let product =
                m2o_id(db.get("stock.move", *m).and_then(|r| r.get("product_id"))).unwrap_or(0);
            num(db
                .get("product.product", product)
                .and_then(|r| r.get("weight")))
                * num(db.get("stock.move", *m).and_then(|r| r.get("quantity")))
        })
        .sum();
    db.set(
        "stock.picking",
        picking,
        "shipping_weight",
        float(stock::round(shipped)),
    );
    let weight = demand_weight(db, picking);
    db.set("stock.picking", picking, "weight", float(weight));
    db.set("stock.picking", picking, "state", json!("done"));
    db.set("stock.picking", picking, "date_done", json!(now));
    db.count_validation(picking);

    if !remaining.is_empty() {
        create_backorder(db, picking, &remaining);
    }
    if let Some(order) = m2o_id(
        db.get("stock.picking", picking)
            .and_then(|r| r.get("sale_id")),
    ) {
        super::sale::refresh_delivery(db, order);
    }
}

/// Returns the picking weight Odoo computes: product weight times demand of its moves.
pub(crate) fn demand_weight(db: &Db, picking: i64) -> f64 {
    let total: f64 = moves_of_picking(db, picking)
        .iter()
        .filter(|m| db.field("stock.move", **m, "state").as_str() != Some("cancel"))
        .map(|m| {
            let product =
                m2o_id(db.get("stock.move", *m).and_then(|r| r.get("product_id"))).unwrap_or(0);
            num(db
                .get("product.product", product)
                .and_then(|r| r.get("weight")))
                * num(db
                    .get("stock.move", *m)
                    .and_then(|r| r.get("product_uom_qty")))
        })
        .sum();
    stock::round(total)
}

fn finish_move(db: &mut Db, mv: i64, now: &str) {
    let record = db.get("stock.move", mv).cloned().unwrap_or_default();
    let product = m2o_id(record.get("product_id")).unwrap_or(0);
    let destination = m2o_id(record.get("location_dest_id")).unwrap_or(0);
    let mut total = 0.0;
    for line in lines_of_move(db, mv) {
        let line_record = db.get("stock.move.line", line).cloned().unwrap_or_default();
        let quantity = num(line_record.get("quantity"));
        let location = m2o_id(line_record.get("location_id")).unwrap_or(0);
        // Odoo books each line into its own destination, which a putaway or
        // a write may have set apart from the move's.
        let line_destination = m2o_id(line_record.get("location_dest_id")).unwrap_or(destination);
        let lot = super::lot::lot_of_done_line(db, line);
        let source = stock::quant_for(db, product, location, lot);
        stock::bump_quant(db, source, "quantity", -quantity);
        if db.field("stock.location", location, "usage").as_str() == Some("internal") {
            let reserved = num(db
                .get("stock.quant", source)
                .and_then(|r| r.get("reserved_quantity")));
            stock::bump_quant(db, source, "reserved_quantity", -quantity.min(reserved));
        }
        let target = stock::quant_for(db, product, line_destination, lot);
        stock::bump_quant(db, target, "quantity", quantity);
        db.set("stock.move.line", line, "state", json!("done"));
        db.set("stock.move.line", line, "date", json!(now));
        total += quantity;
    }
    db.set("stock.move", mv, "quantity", float(stock::round(total)));
    db.set("stock.move", mv, "picked", Value::Bool(true));
    db.set("stock.move", mv, "state", json!("done"));
    db.set("stock.move", mv, "date", json!(now));

    if let Some(sale_line) = m2o_id(record.get("sale_line_id")) {
        let outgoing =
            db.field("stock.location", destination, "usage").as_str() == Some("customer");
        let sign = if outgoing { 1.0 } else { -1.0 };
        let delivered = num(db
            .get("sale.order.line", sale_line)
            .and_then(|r| r.get("qty_delivered")))
            + sign * total;
        db.set(
            "sale.order.line",
            sale_line,
            "qty_delivered",
            float(stock::round(delivered)),
        );
    }
}

fn create_backorder(db: &mut Db, original: i64, remaining: &[(i64, f64, bool)]) {
    let source = db
        .get("stock.picking", original)
        .cloned()
        .unwrap_or_default();
    let picking_type = m2o_id(source.get("picking_type_id")).unwrap_or(0);
    let sequence = m2o_id(
        db.get("stock.picking.type", picking_type)
            .and_then(|r| r.get("sequence_id")),
    );
    let name = sequence
        .and_then(|s| db.next_sequence(s))
        .unwrap_or_else(|| format!("BACKORDER/{original}"));

    let mut picking = source.clone();
    picking.remove("id");
    picking.insert("name".into(), json!(name));
    picking.insert("state".into(), json!("confirmed"));
    picking.insert("backorder_id".into(), db.m2o("stock.picking", original));
    picking.insert("date_done".into(), Value::Bool(false));
    picking.insert("carrier_tracking_ref".into(), Value::Bool(false));
    picking.remove("display_name");
    let new_picking = db.insert("stock.picking", picking);

    for (mv, quantity, whole) in remaining {
        if *whole {
            // A move with nothing picked moves to the backorder as it is.
            db.set(
                "stock.move",
                *mv,
                "picking_id",
                db.m2o("stock.picking", new_picking),
            );
            db.set("stock.move", *mv, "reference", json!(name));
            db.set("stock.move", *mv, "state", json!("confirmed"));
            stock::reserve_move(db, *mv);
            continue;
        }
        let mut record = match db.get("stock.move", *mv) {
            Some(existing) => existing.clone(),
            None => continue,
        };
        record.remove("id");
        record.remove("display_name");
        record.insert("picking_id".into(), db.m2o("stock.picking", new_picking));
        record.insert("reference".into(), json!(name));
        record.insert("product_uom_qty".into(), float(*quantity));
        record.insert("quantity".into(), float(0.0));
        record.insert("picked".into(), Value::Bool(false));
        record.insert("state".into(), json!("confirmed"));
        let new_move = db.insert("stock.move", record);
        stock::reserve_move(db, new_move);
    }
    stock::refresh_picking(db, new_picking);
    let weight = demand_weight(db, new_picking);
    db.set("stock.picking", new_picking, "weight", float(weight));
    db.set(
        "stock.picking",
        new_picking,
        "shipping_weight",
        float(weight),
    );
}
