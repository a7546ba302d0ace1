//! Transfers: `stock.picking` creation from values or from a sale order,
//! confirmation with reservation, and the locations a picking write passes
//! on to its moves. Cancellation is in `cancel`.

use serde_json::{json, Map, Value};

use super::error::OdooError;
use super::orm;
use super::stock;
use super::store::{float, m2o_id, num, Db, Record};

/// Creates a draft picking of a type; its name comes from the type's sequence.
pub(crate) fn new_picking(
    db: &mut Db,
    picking_type: i64,
    source: i64,
    destination: i64,
    partner: Option<i64>,
    origin: &str,
) -> i64 {
    let sequence = m2o_id(
        db.get("stock.picking.type", picking_type)
            .and_then(|r| r.get("sequence_id")),
    );
    let name = sequence
        .and_then(|s| db.next_sequence(s))
        .unwrap_or_else(|| "/".into());
    let now = db.now();
    let code = db.field("stock.picking.type", picking_type, "code");
    let mut record = Record::new();
    let fields = [
        ("name", json!(name)),
        ("state", json!("draft")),
        (
            "origin",
            if origin.is_empty() {
                Value::Bool(false)
            } else {
                json!(origin)
            },
        ),
        ("sale_id", Value::Bool(false)),
        (
            "partner_id",
            partner.map_or(Value::Bool(false), |p| db.m2o("res.partner", p)),
        ),
        (
            "picking_type_id",
            db.m2o("stock.picking.type", picking_type),
        ),
        ("picking_type_code", code),
        ("location_id", db.m2o("stock.location", source)),
        ("location_dest_id", db.m2o("stock.location", destination)),
        ("move_type", json!("direct")),
        ("priority", json!("0")),
        ("scheduled_date", json!(now)),
        ("date_deadline", Value::Bool(false)),
        ("date_done", Value::Bool(false)),
        ("carrier_id", Value::Bool(false)),
        ("carrier_tracking_ref", Value::Bool(false)),
        ("carrier_tracking_url", Value::Bool(false)),
        ("weight", float(0.0)),
        ("shipping_weight", float(0.0)),
        ("backorder_id", Value::Bool(false)),
        ("return_id", Value::Bool(false)),
        ("company_id", db.m2o("res.company", 1)),
    ];
    for (field, value) in fields {
        record.insert(field.to_owned(), value);
    }
    db.insert("stock.picking", record)
}

/// Creates a draft move in a picking, copying the picking's locations.
pub(crate) fn new_move(db: &mut Db, picking: i64, product: i64, quantity: f64) -> i64 {
    let picking_record = db
        .get("stock.picking", picking)
        .cloned()
        .unwrap_or_default();
    let now = db.now();
    let mut record = Record::new();
    record.insert(
        "reference".into(),
        picking_record
            .get("name")
            .cloned()
            .unwrap_or(Value::Bool(false)),
    );
    if db.version < 19 {
        let product_name = db.display_name("product.product", product);
        record.insert("name".into(), json!(product_name));
    }
    let fields = [
        (
            "origin",
            picking_record
                .get("origin")
                .cloned()
                .unwrap_or(Value::Bool(false)),
        ),
        ("picking_id", db.m2o("stock.picking", picking)),
        (
            "picking_type_id",
            picking_record
                .get("picking_type_id")
                .cloned()
                .unwrap_or(Value::Bool(false)),
        ),
        ("sale_line_id", Value::Bool(false)),
        ("product_id", db.m2o("product.product", product)),
        ("product_uom_qty", float(quantity)),
        ("product_uom", db.m2o("uom.uom", 1)),
        ("quantity", float(0.0)),
        ("picked", Value::Bool(false)),
        ("state", json!("draft")),
        ("has_tracking", json!(stock::tracking(db, product))),
        ("is_inventory", Value::Bool(false)),
        (
            "location_id",
            picking_record
                .get("location_id")
                .cloned()
                .unwrap_or(Value::Bool(false)),
        ),
        (
            "location_dest_id",
            picking_record
                .get("location_dest_id")
                .cloned()
                .unwrap_or(Value::Bool(false)),
        ),
        ("date", json!(now)),
    ];
    for (field, value) in fields {
        record.insert(field.to_owned(), value);
    }
    db.insert("stock.move", record)
}

/// Confirms a picking's draft moves and reserves them.
pub(crate) fn confirm_picking(db: &mut Db, picking: i64) {
    for mv in stock::moves_of_picking(db, picking) {
        if db.field("stock.move", mv, "state").as_str() == Some("draft") {
            db.set("stock.move", mv, "state", json!("confirmed"));
        }
    }
    if db.field("stock.picking", picking, "state").as_str() == Some("draft") {
        db.set("stock.picking", picking, "state", json!("confirmed"));
    }
    for mv in stock::moves_of_picking(db, picking) {
        if matches!(
            db.field("stock.move", mv, "state").as_str(),
            Some("confirmed" | "partially_available")
        ) {
            stock::reserve_move(db, mv);
        }
    }
    stock::refresh_picking(db, picking);
    refresh_weights(db, picking);
}

/// Sets a picking's computed weights: `weight` from the demand of its moves,
/// `shipping_weight` from the quantities of its move lines.
fn refresh_weights(db: &mut Db, picking: i64) {
    let weight = super::done::demand_weight(db, picking);
    let mut shipping = 0.0;
    for mv in stock::moves_of_picking(db, picking) {
        let product =
            m2o_id(db.get("stock.move", mv).and_then(|r| r.get("product_id"))).unwrap_or(0);
        let unit = num(db
            .get("product.product", product)
            .and_then(|r| r.get("weight")));
        for line in stock::lines_of_move(db, mv) {
            shipping += unit
                * num(db
                    .get("stock.move.line", line)
                    .and_then(|r| r.get("quantity")));
        }
    }
    db.set("stock.picking", picking, "weight", float(weight));
    db.set(
        "stock.picking",
        picking,
        "shipping_weight",
        float(stock::round(shipping)),
    );
}

/// Creates a picking from `create` values; `move_ids` takes `[0, 0, vals]` commands.
pub(crate) fn create_picking(db: &mut Db, vals: &Map<String, Value>) -> Result<i64, OdooError> {
    let picking_type = vals
        .get("picking_type_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| OdooError::validation("The operation type of a transfer is required."))?;
    let type_record = db
        .get("stock.picking.type", picking_type)
        .cloned()
        .ok_or_else(|| OdooError::missing("stock.picking.type", &[picking_type], 1))?;
    let source = vals
        .get("location_id")
        .and_then(Value::as_i64)
        .or_else(|| m2o_id(type_record.get("default_location_src_id")))
        .unwrap_or(0);
    let destination = vals
        .get("location_dest_id")
        .and_then(Value::as_i64)
        .or_else(|| m2o_id(type_record.get("default_location_dest_id")))
        .unwrap_or(0);
    let partner = vals.get("partner_id").and_then(Value::as_i64);
    let origin = vals
        .get("origin")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let picking = new_picking(db, picking_type, source, destination, partner, &origin);

    let mut plain = vals.clone();
    for key in [
        "move_ids",
        "move_line_ids",
        "picking_type_id",
        "location_id",
        "location_dest_id",
        "partner_id",
        "origin",
    ] {
        plain.remove(key);
    }
    orm::write_plain(db, "stock.picking", &[picking], &plain)?;
    if let Some(Value::Array(commands)) = vals.get("move_ids") {
        for command in commands {
            let Some(move_vals) = command.get(2).and_then(Value::as_object) else {
                continue;
            };
            let product = move_vals
                .get("product_id")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let mv = new_move(db, picking, product, num(move_vals.get("product_uom_qty")));
            for key in ["location_id", "location_dest_id"] {
                if let Some(location) = move_vals.get(key).and_then(Value::as_i64) {
                    db.set("stock.move", mv, key, db.m2o("stock.location", location));
                }
            }
            // Odoo 19 has no `stock.move.name`. Earlier versions keep the given one.
            if let (Some(name), true) = (
                move_vals.get("name").filter(|n| n.is_string()),
                db.version < 19,
            ) {
                db.set("stock.move", mv, "name", name.clone());
            }
        }
    }
    Ok(picking)
}

/// Passes a new `location_id` or `location_dest_id` of pickings on to their
/// moves, as `stock.picking.write` does in Odoo 17 to 19. The move lines
/// keep their own locations, because Odoo fills a line's location only
/// while it is empty. Moves into a scrap location are left alone: Odoo 17
/// and 18 skip `scrapped` moves, Odoo 19 every move whose destination has
/// usage `inventory`.
pub(crate) fn propagate_locations(db: &mut Db, pickings: &[i64], vals: &Map<String, Value>) {
    let changes: Vec<(&str, i64)> = ["location_id", "location_dest_id"]
        .into_iter()
        .filter_map(|field| Some((field, m2o_id(vals.get(field))?)))
        .collect();
    if changes.is_empty() {
        return;
    }
    for picking in pickings {
        for mv in stock::moves_of_picking(db, *picking) {
            let destination = m2o_id(
                db.get("stock.move", mv)
                    .and_then(|r| r.get("location_dest_id")),
            )
            .unwrap_or(0);
            let skipped = if db.version >= 19 {
                stock::location_usage(db, destination) == "inventory"
            } else {
                db.field("stock.location", destination, "scrap_location") == Value::Bool(true)
            };
            if skipped {
                continue;
            }
            for (field, location) in &changes {
                let value = db.m2o("stock.location", *location);
                db.set("stock.move", mv, field, value);
            }
        }
    }
}
