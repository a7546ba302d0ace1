//! Stock bookkeeping as Odoo 17+ does it: quants with reserved quantities,
//! reservation of moves into move lines (lots FIFO, one line per serial), and
//! the move and picking states derived from their lines.

use serde_json::{json, Value};

use super::store::{float, m2o_id, num, Db, Record};

/// Returns the quant id for a product, location and lot, creating an empty one.
pub(crate) fn quant_for(db: &mut Db, product: i64, location: i64, lot: Option<i64>) -> i64 {
    if let Some(id) = db.find_quant(product, location, lot) {
        return id;
    }
    let now = db.now();
    let mut record = Record::new();
    record.insert("product_id".into(), db.m2o("product.product", product));
    record.insert("location_id".into(), db.m2o("stock.location", location));
    record.insert(
        "lot_id".into(),
        lot.map_or(Value::Bool(false), |l| db.m2o("stock.lot", l)),
    );
    record.insert("package_id".into(), Value::Bool(false));
    record.insert("quantity".into(), float(0.0));
    record.insert("reserved_quantity".into(), float(0.0));
    record.insert("in_date".into(), json!(now));
    record.insert("inventory_quantity".into(), float(0.0));
    record.insert("inventory_quantity_set".into(), Value::Bool(false));
    record.insert("inventory_date".into(), Value::Bool(false));
    record.insert("removal_date".into(), Value::Bool(false));
    db.insert("stock.quant", record)
}

/// Adds `delta` to a numeric field of a quant.
pub(crate) fn bump_quant(db: &mut Db, quant: i64, field: &str, delta: f64) {
    let value = num(db.get("stock.quant", quant).and_then(|r| r.get(field))) + delta;
    db.set("stock.quant", quant, field, float(round(value)));
}

/// Rounds to the unit of measure rounding of the data sets (0.01 Units),
/// with a finer step kept so that sums of floats stay exact.
pub(crate) fn round(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

pub(crate) fn location_usage(db: &Db, location: i64) -> String {
    db.field("stock.location", location, "usage")
        .as_str()
        .unwrap_or("")
        .to_owned()
}

fn is_under(db: &Db, mut location: i64, root: i64) -> bool {
    for _ in 0..64 {
        if location == root {
            return true;
        }
        match m2o_id(
            db.get("stock.location", location)
                .and_then(|r| r.get("location_id")),
        ) {
            Some(parent) => location = parent,
            None => return false,
        }
    }
    false
}

/// Returns the tracking mode of a product (`none`, `lot`, `serial`).
pub(crate) fn tracking(db: &Db, product: i64) -> String {
    db.field("product.product", product, "tracking")
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

/// Reserves what is missing on a move from quants under its source location,
/// creating move lines, and updates the move's quantity and state.
pub(crate) fn reserve_move(db: &mut Db, move_id: i64) {
    let Some(mv) = db.get("stock.move", move_id).cloned() else {
        return;
    };
    let product = m2o_id(mv.get("product_id")).unwrap_or(0);
    let source = m2o_id(mv.get("location_id")).unwrap_or(0);
    let demand = num(mv.get("product_uom_qty"));
    let reserved: f64 = lines_of_move(db, move_id)
        .iter()
        .map(|l| {
            num(db
                .get("stock.move.line", *l)
                .and_then(|r| r.get("quantity")))
        })
        .sum();
    let mut missing = round(demand - reserved);

    if location_usage(db, source) != "internal" {
        // Goods from vendors or customers are not reserved: the line carries the demand.
        if missing > 0.0 {
            create_line(db, move_id, None, source, missing);
        }
        refresh_move(db, move_id);
        return;
    }

    let serial = tracking(db, product) == "serial";
    let mut quants: Vec<(String, i64, i64, Option<i64>, f64)> = db
        .referring_ids("stock.quant", "product_id", product)
        .into_iter()
        .filter_map(|id| {
            let q = db.get("stock.quant", id)?;
            let free = num(q.get("quantity")) - num(q.get("reserved_quantity"));
            if free <= 0.0 {
                return None;
            }
            let location = m2o_id(q.get("location_id"))?;
            if !is_under(db, location, source) {
                return None;
            }
            let in_date = q
                .get("in_date")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            Some((in_date, id, location, m2o_id(q.get("lot_id")), free))
        })
        .collect();
    // FIFO removal: oldest incoming date first, then quant id.
    quants.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));

    for (_, quant, location, lot, free) in quants {
        if missing <= 0.0 {
            break;
        }
        let take = free.min(missing);
        if serial {
            let mut units = take.floor();
            while units >= 1.0 {
                create_line(db, move_id, lot, location, 1.0);
                bump_quant(db, quant, "reserved_quantity", 1.0);
                units -= 1.0;
                missing = round(missing - 1.0);
            }
        } else {
            create_line(db, move_id, lot, location, take);
            bump_quant(db, quant, "reserved_quantity", take);
            missing = round(missing - take);
        }
    }
    refresh_move(db, move_id);
}

pub(crate) fn create_line(
    db: &mut Db,
    move_id: i64,
    lot: Option<i64>,
    location: i64,
    quantity: f64,
) -> i64 {
    let mv = db.get("stock.move", move_id).cloned().unwrap_or_default();
    let now = db.now();
    let mut line = Record::new();
    line.insert(
        "reference".into(),
        mv.get("reference").cloned().unwrap_or(Value::Bool(false)),
    );
    line.insert("move_id".into(), db.m2o("stock.move", move_id));
    line.insert(
        "picking_id".into(),
        mv.get("picking_id").cloned().unwrap_or(Value::Bool(false)),
    );
    line.insert(
        "product_id".into(),
        mv.get("product_id").cloned().unwrap_or(Value::Bool(false)),
    );
    line.insert(
        "lot_id".into(),
        lot.map_or(Value::Bool(false), |l| db.m2o("stock.lot", l)),
    );
    line.insert("lot_name".into(), Value::Bool(false));
    line.insert("quantity".into(), float(quantity));
    line.insert("quantity_product_uom".into(), float(quantity));
    line.insert(
        "product_uom_id".into(),
        mv.get("product_uom").cloned().unwrap_or(Value::Bool(false)),
    );
    line.insert("picked".into(), Value::Bool(false));
    line.insert("state".into(), json!("assigned"));
    line.insert("location_id".into(), db.m2o("stock.location", location));
    line.insert(
        "location_dest_id".into(),
        mv.get("location_dest_id")
            .cloned()
            .unwrap_or(Value::Bool(false)),
    );
    line.insert("package_id".into(), Value::Bool(false));
    line.insert("result_package_id".into(), Value::Bool(false));
    let product = m2o_id(mv.get("product_id")).unwrap_or(0);
    let expiration = match lot {
        Some(l) => db.field("stock.lot", l, "expiration_date"),
        None => super::lot::default_expiration(db, product),
    };
    line.insert("expiration_date".into(), expiration);
    line.insert("date".into(), json!(now));
    db.insert("stock.move.line", line)
}

/// Returns the move line ids of a move in id order.
pub(crate) fn lines_of_move(db: &Db, move_id: i64) -> Vec<i64> {
    db.referring_ids("stock.move.line", "move_id", move_id)
}

/// Returns the move ids of a picking in id order.
pub(crate) fn moves_of_picking(db: &Db, picking: i64) -> Vec<i64> {
    db.referring_ids("stock.move", "picking_id", picking)
}

/// Recomputes a move's quantity, picked flag and reservation state from its lines.
pub(crate) fn refresh_move(db: &mut Db, move_id: i64) {
    let lines = lines_of_move(db, move_id);
    let quantity: f64 = lines
        .iter()
        .map(|l| {
            num(db
                .get("stock.move.line", *l)
                .and_then(|r| r.get("quantity")))
        })
        .sum();
    let picked = !lines.is_empty()
        && lines
            .iter()
            .all(|l| db.field("stock.move.line", *l, "picked") == Value::Bool(true));
    db.set("stock.move", move_id, "quantity", float(round(quantity)));
    db.set("stock.move", move_id, "picked", Value::Bool(picked));
    let state = db.field("stock.move", move_id, "state");
    if matches!(state.as_str(), Some("done" | "cancel" | "draft")) {
        return;
    }
    let demand = num(db
        .get("stock.move", move_id)
        .and_then(|r| r.get("product_uom_qty")));
    let new_state = if quantity >= demand && quantity > 0.0 {
        "assigned"
    } else if quantity > 0.0 {
        "partially_available"
    } else {
        "confirmed"
    };
    db.set("stock.move", move_id, "state", json!(new_state));
    if let Some(picking) = m2o_id(
        db.get("stock.move", move_id)
            .and_then(|r| r.get("picking_id")),
    ) {
        refresh_picking(db, picking);
    }
}

/// Recomputes a picking's state from its moves (move type `direct`).
pub(crate) fn refresh_picking(db: &mut Db, picking: i64) {
    let current = db.field("stock.picking", picking, "state");
    if matches!(current.as_str(), Some("done" | "cancel" | "draft")) {
        return;
    }
    let states: Vec<String> = moves_of_picking(db, picking)
        .iter()
        .map(|m| {
            db.field("stock.move", *m, "state")
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let open: Vec<&String> = states
        .iter()
        .filter(|s| s.as_str() != "cancel" && s.as_str() != "done")
        .collect();
    let state = if open.is_empty() {
        if states.iter().any(|s| s == "done") {
            "done"
        } else {
            "cancel"
        }
    } else if open
        .iter()
        .any(|s| s.as_str() == "assigned" || s.as_str() == "partially_available")
    {
        "assigned"
    } else {
        "confirmed"
    };
    db.set("stock.picking", picking, "state", json!(state));
}
