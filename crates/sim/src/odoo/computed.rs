//! Computed and related fields of the inventory models, worked out on every
//! read from the records they depend on, because Odoo does not store them or
//! stores a related copy. Also the fields of `stock.scrap`, whose table the
//! simulator creates on first use.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::location;
use super::product_stock;
use super::quantity::{decimal, wire};
use super::store::{m2o_id, Db};

/// Fields of `stock.scrap`, known before the first scrap is created.
const SCRAP_FIELDS: &[&str] = &[
    "name",
    "origin",
    "product_id",
    "product_uom_id",
    "lot_id",
    "package_id",
    "owner_id",
    "picking_id",
    "location_id",
    "scrap_location_id",
    "scrap_qty",
    "state",
    "date_done",
    "move_ids",
    "company_id",
];

/// Returns whether the simulator computes `field` of `model` on read.
pub(crate) fn declares(model: &str, field: &str) -> bool {
    match model {
        "stock.quant" => matches!(
            field,
            "available_quantity"
                | "product_uom_id"
                | "inventory_diff_quantity"
                | "is_outdated"
                | "inventory_quantity_auto_apply"
                | "removal_date"
                | "warehouse_id"
                | "company_id"
                | "tracking"
                | "user_id"
                | "owner_id"
        ),
        "stock.lot" => field == "product_qty",
        "product.product" => product_stock::FIELDS.contains(&field),
        "stock.move.line" => field == "is_inventory",
        "stock.scrap" => SCRAP_FIELDS.contains(&field),
        "mail.message" | "mail.activity" => super::chatter::declares(model, field),
        _ => false,
    }
}

/// Returns the value of a computed field, or `None` when the stored value
/// applies (a stored `inventory_diff_quantity`, any `stock.scrap` field).
pub(crate) fn value(db: &Db, model: &str, id: i64, field: &str) -> Option<Value> {
    let record = db.get(model, id)?;
    let stored = |name: &str| record.get(name);
    match (model, field) {
        ("stock.quant", "available_quantity") => Some(wire(
            decimal(stored("quantity")) - decimal(stored("reserved_quantity")),
        )),
        // NOTE: Odoo lets only Inventory/Administrator read this field. The
        // simulator restricts writing it (see `quant`) but not reading it.
        ("stock.quant", "inventory_quantity_auto_apply") => Some(wire(decimal(stored("quantity")))),
        ("stock.quant", "inventory_diff_quantity") => match stored(field) {
            Some(_) => None,
            None => Some(wire(Decimal::ZERO)),
        },
        // Real Odoo has the field on every quant; the recorded data sets
        // leave it out because it is unset everywhere.
        ("stock.quant", "owner_id") => match stored(field) {
            Some(_) => None,
            None => Some(Value::Bool(false)),
        },
        ("stock.quant", "is_outdated") => Some(Value::Bool(is_outdated(record))),
        ("stock.quant", "product_uom_id" | "tracking") => {
            let product = m2o_id(stored("product_id"))?;
            let source = if field == "tracking" {
                "tracking"
            } else {
                "uom_id"
            };
            Some(db.field("product.product", product, source))
        }
        ("stock.quant", "removal_date") => Some(match m2o_id(stored("lot_id")) {
            Some(lot) => db.field("stock.lot", lot, "removal_date"),
            None => Value::Bool(false),
        }),
        ("stock.quant", "warehouse_id" | "company_id") => {
            let location = m2o_id(stored("location_id"))?;
            Some(db.field("stock.location", location, field))
        }
        ("stock.lot", "product_qty") => Some(wire(lot_on_hand(db, id))),
        ("product.product", _) => Some(product_stock::field_value(db, id, field, &Map::new())),
        ("stock.move.line", "is_inventory") => {
            let move_id = m2o_id(stored("move_id"))?;
            Some(Value::Bool(
                db.field("stock.move", move_id, "is_inventory") == Value::Bool(true),
            ))
        }
        _ => None,
    }
}

/// Returns whether stock moved since a quant was counted: Odoo compares the
/// on-hand quantity at count time (`inventory_quantity` minus the stored
/// difference) with today's.
pub(crate) fn is_outdated(record: &super::store::Record) -> bool {
    if record.get("inventory_quantity_set") != Some(&Value::Bool(true)) {
        return false;
    }
    let counted = decimal(record.get("inventory_quantity"));
    let difference = decimal(record.get("inventory_diff_quantity"));
    counted - difference != decimal(record.get("quantity"))
}

/// Returns the quantity of a lot in internal locations, as `stock.lot.product_qty`.
fn lot_on_hand(db: &Db, lot: i64) -> Decimal {
    let Some(product) = m2o_id(db.get("stock.lot", lot).and_then(|r| r.get("product_id"))) else {
        return Decimal::ZERO;
    };
    db.referring_ids("stock.quant", "product_id", product)
        .into_iter()
        .filter_map(|quant| db.get("stock.quant", quant))
        .filter(|quant| m2o_id(quant.get("lot_id")) == Some(lot))
        .filter(|quant| {
            m2o_id(quant.get("location_id"))
                .is_some_and(|location| location::usage(db, location) == "internal")
        })
        .map(|quant| decimal(quant.get("quantity")))
        .sum()
}
