//! `stock.quant` create as Odoo 17 to 19 run it. In the inventory mode a
//! count goes to the existing quant of the same product, location and lot,
//! or to a new empty one. Without it, a plain create adds another quant
//! next to the existing one and puts the pending count on the new quant.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::dispatch::Call;
use super::error::OdooError;
use super::location;
use super::orm;
use super::quant::{
    apply_directly, check_auto_apply_access, inventory_mode, refresh_difference, set_count,
    AUTO_APPLY, COUNT_FIELDS,
};
use super::quantity::{decimal, wire};
use super::store::{m2o_id, Db};

/// Creates a quant and returns its id. In the inventory mode a count
/// (`inventory_quantity` or `inventory_quantity_auto_apply`) goes to the
/// existing quant of the same product, location and lot, whose id is then
/// returned, or to a new empty one.
pub(crate) fn create(
    db: &mut Db,
    call: &Call,
    vals: &Map<String, Value>,
) -> Result<i64, OdooError> {
    if vals.contains_key(AUTO_APPLY) {
        check_auto_apply_access(db, call, "create")?;
    }
    let counts = vals.contains_key("inventory_quantity") || vals.contains_key(AUTO_APPLY);
    if !(counts && inventory_mode(db, call)) {
        return insert_quant(db, vals);
    }

    if vals.keys().any(|field| {
        field != "product_id" && field != "owner_id" && !COUNT_FIELDS.contains(&field.as_str())
    }) {
        return Err(OdooError::user(
            "Quant's creation is restricted, you can't do this operation.",
        ));
    }
    let mut rest = vals.clone();
    let auto_apply = rest.remove(AUTO_APPLY);
    let counted = rest.remove("inventory_quantity");
    let quantity = decimal(auto_apply.as_ref().or(counted.as_ref()));
    let product = required_id(&rest, "product_id")?;
    let location = required_id(&rest, "location_id")?;
    let lot = rest.get("lot_id").and_then(Value::as_i64);

    let quant = match db.find_quant(product, location, lot) {
        Some(existing) => existing,
        None => insert_quant(db, &rest)?,
    };
    if auto_apply.is_some() {
        apply_directly(db, call, &[quant], quantity)?;
        return Ok(quant);
    }
    set_count(db, quant, quantity);
    let user = rest
        .get("user_id")
        .and_then(Value::as_i64)
        .unwrap_or(call.uid);
    db.set("stock.quant", quant, "user_id", db.m2o("res.users", user));
    let today = location::today(db);
    db.set("stock.quant", quant, "inventory_date", json!(today));
    Ok(quant)
}

fn required_id(vals: &Map<String, Value>, field: &str) -> Result<i64, OdooError> {
    vals.get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| OdooError::new("builtins.KeyError", format!("'{field}'")))
}

/// Inserts a quant from create values with Odoo's defaults and constraints.
fn insert_quant(db: &mut Db, vals: &Map<String, Value>) -> Result<i64, OdooError> {
    for field in vals.keys() {
        if !orm::has_field(db, "stock.quant", field) {
            return Err(OdooError::value(format!(
                "Invalid field '{field}' on model 'stock.quant'"
            )));
        }
    }
    let product = vals
        .get("product_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| mandatory("Product (product_id)"))?;
    let location = vals
        .get("location_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| mandatory("Location (location_id)"))?;
    check_constraints(
        db,
        product,
        location,
        vals.get("lot_id").and_then(Value::as_i64),
    )?;

    let now = db.now();
    let mut record = orm::record_from_vals(db, "stock.quant", vals);
    let defaults = [
        ("lot_id", Value::Bool(false)),
        ("package_id", Value::Bool(false)),
        ("quantity", wire(Decimal::ZERO)),
        ("reserved_quantity", wire(Decimal::ZERO)),
        ("in_date", json!(now)),
        ("inventory_quantity", wire(Decimal::ZERO)),
        (
            "inventory_quantity_set",
            Value::Bool(vals.contains_key("inventory_quantity")),
        ),
        (
            "inventory_date",
            location::next_inventory_date(db, location),
        ),
        ("user_id", Value::Bool(false)),
    ];
    for (field, value) in defaults {
        record.entry(field.to_owned()).or_insert(value);
    }
    let id = db.insert("stock.quant", record);
    refresh_difference(db, id);
    Ok(id)
}

fn mandatory(field: &str) -> OdooError {
    OdooError::validation(format!("The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Quants (stock.quant)\nField: {field}"))
}

/// Applies Odoo's quant constraints: storable product, no view location,
/// and a lot of the same product.
fn check_constraints(
    db: &Db,
    product: i64,
    location: i64,
    lot: Option<i64>,
) -> Result<(), OdooError> {
    if !is_storable(db, product) {
        return Err(OdooError::validation(
            "Quants cannot be created for consumables or services.",
        ));
    }
    if location::usage(db, location) == "view" {
        let name = db.field("stock.location", location, "name");
        return Err(OdooError::validation(format!(
            "You cannot take products from or deliver products to a location of type \"view\" ({}).",
            name.as_str().unwrap_or("")
        )));
    }
    if let Some(lot) = lot {
        let owner = m2o_id(db.get("stock.lot", lot).and_then(|r| r.get("product_id")));
        if owner.is_some_and(|p| p != product) {
            let name = db.field("stock.lot", lot, "name");
            return Err(OdooError::validation(format!(
                "The Lot/Serial number ({}) is linked to another product.",
                name.as_str().unwrap_or("")
            )));
        }
    }
    Ok(())
}

/// Returns whether a product keeps stock: `type` `product` in Odoo 17,
/// `is_storable` from Odoo 18.
pub(crate) fn is_storable(db: &Db, product: i64) -> bool {
    if db.version <= 17 {
        db.field("product.product", product, "type").as_str() == Some("product")
    } else {
        db.field("product.product", product, "is_storable") == Value::Bool(true)
    }
}
