//! `stock.scrap`: create, `action_validate` and `do_scrap`, and the
//! `stock.warn.insufficient.qty.scrap` wizard, following the Odoo 17 source
//! (`stock/models/stock_scrap.py`, `stock/wizard/stock_warn_insufficient_qty.py`).
//! No recorded transcript covers scrapping: texts and fields come from that
//! source, and the view id of the wizard is not known.
//!
//! Validation compares the scrap quantity with the quantity on hand of the
//! product and lot at the scrap's location, reserved units included as in
//! Odoo. When the stock is short, the wizard action comes back and nothing
//! moves. A valid scrap gets its `SP/` name and one done move to the scrap
//! location.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::direct_move::{create_done, DirectMove};
use super::dispatch::Call;
use super::error::OdooError;
use super::location;
use super::orm;
use super::quant_create::is_storable;
use super::quantity::{decimal, wire};
use super::store::{m2o_id, Db, Record};

/// The wizard returned when the quantity on hand is short.
pub(crate) const WARN_MODEL: &str = "stock.warn.insufficient.qty.scrap";

/// Creates a draft scrap named "New". `scrap_qty` defaults to 1, the source
/// location to the first warehouse's stock and the destination to the
/// company's scrap location.
pub(crate) fn create(db: &mut Db, vals: &Map<String, Value>) -> Result<i64, OdooError> {
    for field in vals.keys() {
        if !orm::has_field(db, "stock.scrap", field) {
            return Err(OdooError::value(format!(
                "Invalid field '{field}' on model 'stock.scrap'"
            )));
        }
    }
    let product = vals
        .get("product_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| mandatory("Product (product_id)"))?;
    let source = match vals.get("location_id").and_then(Value::as_i64) {
        Some(given) => given,
        None => default_source(db).ok_or_else(|| mandatory("Source Location (location_id)"))?,
    };
    let destination = match vals.get("scrap_location_id").and_then(Value::as_i64) {
        Some(given) => given,
        None => location::scrap(db, location::company(db, source))
            .ok_or_else(|| mandatory("Scrap Location (scrap_location_id)"))?,
    };

    let mut record = orm::record_from_vals(db, "stock.scrap", vals);
    let defaults = [
        ("name", json!("New")),
        ("origin", Value::Bool(false)),
        ("lot_id", Value::Bool(false)),
        ("package_id", Value::Bool(false)),
        ("owner_id", Value::Bool(false)),
        ("picking_id", Value::Bool(false)),
        ("scrap_qty", wire(Decimal::ONE)),
        ("state", json!("draft")),
        ("date_done", Value::Bool(false)),
        ("move_ids", json!([])),
        ("company_id", db.m2o("res.company", 1)),
        (
            "product_uom_id",
            db.field("product.product", product, "uom_id"),
        ),
    ];
    for (field, value) in defaults {
        record.entry(field.to_owned()).or_insert(value);
    }
    record.insert("location_id".into(), db.m2o("stock.location", source));
    record.insert(
        "scrap_location_id".into(),
        db.m2o("stock.location", destination),
    );
    Ok(db.insert("stock.scrap", record))
}

fn mandatory(field: &str) -> OdooError {
    OdooError::validation(format!("The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Scrap (stock.scrap)\nField: {field}"))
}

fn default_source(db: &Db) -> Option<i64> {
    let warehouse = db.ids("stock.warehouse").into_iter().next()?;
    m2o_id(
        db.get("stock.warehouse", warehouse)
            .and_then(|r| r.get("lot_stock_id")),
    )
}

/// Runs `action_validate` on one scrap: scraps it, or returns the
/// insufficient-quantity wizard action.
pub(crate) fn action_validate(db: &mut Db, call: &Call, scrap: i64) -> Result<Value, OdooError> {
    let record = db.get("stock.scrap", scrap).cloned().unwrap_or_default();
    let quantity = decimal(record.get("scrap_qty"));
    if quantity <= Decimal::ZERO {
        return Err(OdooError::user("You can only enter positive quantities."));
    }
    if enough_on_hand(db, &record, quantity) {
        return do_scrap(db, &[scrap]);
    }

    let product = m2o_id(record.get("product_id")).unwrap_or(0);
    let mut context = call.context.clone();
    context.insert("default_product_id".into(), json!(product));
    context.insert(
        "default_location_id".into(),
        json!(m2o_id(record.get("location_id"))),
    );
    context.insert("default_scrap_id".into(), json!(scrap));
    context.insert("default_quantity".into(), wire(quantity));
    let unit = db.field("product.product", product, "uom_id");
    context.insert(
        "default_product_uom_name".into(),
        json!(super::store::m2o_name(Some(&unit))),
    );
    Ok(json!({
        "name": format!("{}: Insufficient Quantity To Scrap", db.display_name("product.product", product)),
        "view_mode": "form",
        "res_model": WARN_MODEL,
        "view_id": false,
        "type": "ir.actions.act_window",
        "context": context,
        "target": "new",
    }))
}

/// Returns whether the scrap's location contains at least `quantity` of its
/// product and lot. Quants without lot count too when a lot is given, as in
/// Odoo's strict gather, and products that keep no stock always pass.
fn enough_on_hand(db: &Db, record: &Record, quantity: Decimal) -> bool {
    let product = m2o_id(record.get("product_id")).unwrap_or(0);
    if !is_storable(db, product) {
        return true;
    }
    let place = m2o_id(record.get("location_id")).unwrap_or(0);
    let lot = m2o_id(record.get("lot_id"));
    let on_hand: Decimal = db
        .referring_ids("stock.quant", "product_id", product)
        .into_iter()
        .filter_map(|id| db.get("stock.quant", id))
        .filter(|q| m2o_id(q.get("location_id")) == Some(place))
        .filter(|q| {
            let quant_lot = m2o_id(q.get("lot_id"));
            quant_lot == lot || (lot.is_some() && quant_lot.is_none())
        })
        .map(|q| decimal(q.get("quantity")))
        .sum();
    on_hand >= quantity
}

/// Runs `do_scrap`: names each draft scrap from the `stock.scrap` sequence
/// and moves its quantity to the scrap location with a done move.
pub(crate) fn do_scrap(db: &mut Db, ids: &[i64]) -> Result<Value, OdooError> {
    for scrap in ids {
        let record = db.get("stock.scrap", *scrap).cloned().unwrap_or_default();
        if record.get("state").and_then(Value::as_str) == Some("done") {
            continue;
        }
        let name = next_name(db);
        let origin = record
            .get("origin")
            .and_then(Value::as_str)
            .map_or_else(|| name.clone(), str::to_owned);
        let spec = DirectMove {
            name: name.clone(),
            origin: Some(origin),
            product: m2o_id(record.get("product_id")).unwrap_or(0),
            lot: m2o_id(record.get("lot_id")),
            quantity: decimal(record.get("scrap_qty")),
            source: m2o_id(record.get("location_id")).unwrap_or(0),
            destination: m2o_id(record.get("scrap_location_id")).unwrap_or(0),
            is_inventory: false,
            scrapped: true,
        };
        let move_id = create_done(db, &spec);
        let now = db.now();
        db.set("stock.scrap", *scrap, "name", json!(name));
        db.set("stock.scrap", *scrap, "move_ids", json!([move_id]));
        db.set("stock.scrap", *scrap, "state", json!("done"));
        db.set("stock.scrap", *scrap, "date_done", json!(now));
    }
    Ok(Value::Bool(true))
}

/// Takes the next scrap reference from the `stock.scrap` sequence, which
/// Odoo installs with prefix `SP/` and 5 digits. The recorded data sets do
/// not include it, so it is created on first use.
fn next_name(db: &mut Db) -> String {
    let existing = db.table("ir.sequence").and_then(|t| {
        t.records()
            .iter()
            .find(|(_, r)| r.get("code").and_then(Value::as_str) == Some("stock.scrap"))
            .map(|(id, _)| *id)
    });
    let sequence = existing.unwrap_or_else(|| {
        let mut record = Record::new();
        record.insert("name".into(), json!("Scrap"));
        record.insert("code".into(), json!("stock.scrap"));
        record.insert("prefix".into(), json!("SP/"));
        record.insert("padding".into(), json!(5));
        record.insert("number_next_actual".into(), json!(1));
        db.insert("ir.sequence", record)
    });
    db.next_sequence(sequence).unwrap_or_else(|| "New".into())
}

/// Creates the insufficient-quantity wizard from the context's `default_*` keys.
pub(crate) fn create_warning(
    db: &mut Db,
    vals: &Map<String, Value>,
    context: &Map<String, Value>,
) -> i64 {
    let pick = |field: &str| {
        vals.get(field)
            .or_else(|| context.get(&format!("default_{field}")))
            .cloned()
            .unwrap_or(Value::Bool(false))
    };
    let mut record = Record::new();
    for field in ["scrap_id", "product_id", "location_id", "quantity"] {
        record.insert(field.into(), pick(field));
    }
    db.insert(WARN_MODEL, record)
}

/// Runs the wizard's `action_done`: scraps anyway, below zero if need be.
pub(crate) fn confirm_warning(db: &mut Db, wizard: i64) -> Result<Value, OdooError> {
    let scrap = db
        .get(WARN_MODEL, wizard)
        .and_then(|r| r.get("scrap_id"))
        .and_then(Value::as_i64);
    match scrap {
        Some(scrap) if db.exists("stock.scrap", scrap) => do_scrap(db, &[scrap]),
        _ => Err(OdooError::user(
            "The wizard has no scrap: create it with the context of the action `action_validate` returned.",
        )),
    }
}
