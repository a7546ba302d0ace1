//! Stock moves made outside a picking, as inventory adjustments and scraps
//! make them: one `stock.move` and one `stock.move.line`, both done at once,
//! with the quantity taken from the source quant and added to the
//! destination quant.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::quantity::{decimal, wire};
use super::stock;
use super::store::{Db, Record};

/// The product, lot, quantity and locations of a direct move, and its name,
/// which also becomes its reference.
#[derive(Debug, Clone)]
pub(crate) struct DirectMove {
    pub name: String,
    pub origin: Option<String>,
    pub product: i64,
    pub lot: Option<i64>,
    pub quantity: Decimal,
    pub source: i64,
    pub destination: i64,
    pub is_inventory: bool,
    pub scrapped: bool,
}

/// Creates the done move and its done line, moves the stock and returns
/// the move id.
///
/// NOTE: Odoo also unreserves other transfers' move lines when the source
/// quant drops below its reserved quantity. The simulator leaves the
/// reservation as it is, so such a quant shows a negative available quantity.
pub(crate) fn create_done(db: &mut Db, spec: &DirectMove) -> i64 {
    let move_id = insert_move(db, spec);
    let line = stock::create_line(db, move_id, spec.lot, spec.source, 0.0);
    db.set("stock.move.line", line, "quantity", wire(spec.quantity));
    db.set(
        "stock.move.line",
        line,
        "quantity_product_uom",
        wire(spec.quantity),
    );
    db.set("stock.move.line", line, "picked", Value::Bool(true));
    db.set("stock.move.line", line, "state", json!("done"));

    let source = stock::quant_for(db, spec.product, spec.source, spec.lot);
    add_to_quant(db, source, "quantity", -spec.quantity);
    let destination = stock::quant_for(db, spec.product, spec.destination, spec.lot);
    add_to_quant(db, destination, "quantity", spec.quantity);
    move_id
}

/// Adds `delta` to a numeric field of a quant.
pub(crate) fn add_to_quant(db: &mut Db, quant: i64, field: &str, delta: Decimal) {
    let current = decimal(db.get("stock.quant", quant).and_then(|r| r.get(field)));
    db.set("stock.quant", quant, field, wire(current + delta));
}

fn insert_move(db: &mut Db, spec: &DirectMove) -> i64 {
    let now = db.now();
    let tracking = stock::tracking(db, spec.product);
    let mut record = Record::new();
    if db.version < 19 {
        // Odoo 19 removed `stock.move.name`.
        record.insert("name".into(), json!(spec.name));
    }
    let fields = [
        ("reference", json!(spec.name)),
        ("display_name", json!(display_name(db, spec))),
        (
            "origin",
            spec.origin
                .as_ref()
                .map_or(Value::Bool(false), |o| json!(o)),
        ),
        ("picking_id", Value::Bool(false)),
        ("picking_type_id", Value::Bool(false)),
        ("sale_line_id", Value::Bool(false)),
        ("product_id", db.m2o("product.product", spec.product)),
        ("product_uom_qty", wire(spec.quantity)),
        (
            "product_uom",
            db.field("product.product", spec.product, "uom_id"),
        ),
        ("quantity", wire(spec.quantity)),
        ("picked", Value::Bool(true)),
        ("state", json!("done")),
        ("has_tracking", json!(tracking)),
        ("is_inventory", Value::Bool(spec.is_inventory)),
        ("scrapped", Value::Bool(spec.scrapped)),
        ("location_id", db.m2o("stock.location", spec.source)),
        (
            "location_dest_id",
            db.m2o("stock.location", spec.destination),
        ),
        ("date", json!(now)),
    ];
    for (field, value) in fields {
        record.insert(field.to_owned(), value);
    }
    db.insert("stock.move", record)
}

/// Builds the label Odoo gives a move without a picking: the product code,
/// then the source and destination location names (`WID-100: Stock>Inventory adjustment`).
fn display_name(db: &Db, spec: &DirectMove) -> String {
    let name = |location: i64| {
        db.field("stock.location", location, "name")
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let route = format!("{}>{}", name(spec.source), name(spec.destination));
    match db
        .field("product.product", spec.product, "default_code")
        .as_str()
    {
        Some(code) => format!("{code}: {route}"),
        None => route,
    }
}
