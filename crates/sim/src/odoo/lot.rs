//! `stock.lot` creation: the unique name per product and company, the
//! use/removal/alert dates derived from the expiration date, and the lots
//! Odoo creates at validation for move lines that carry only a `lot_name`.

use serde_json::{json, Map, Value};

use super::error::OdooError;
use super::orm;
use super::store::{float, m2o_id, Db};

/// Creates a lot; the name must be unique per product and company.
pub(crate) fn create_lot(db: &mut Db, vals: &Map<String, Value>) -> Result<i64, OdooError> {
    let name = vals
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let product = vals.get("product_id").and_then(Value::as_i64).unwrap_or(0);
    let company = vals.get("company_id").and_then(Value::as_i64);
    let duplicate = db.table("stock.lot").is_some_and(|t| {
        t.records().values().any(|r| {
            r.get("name").and_then(Value::as_str) == Some(name.as_str())
                && m2o_id(r.get("product_id")) == Some(product)
                && (m2o_id(r.get("company_id")).is_none()
                    || company.is_none()
                    || m2o_id(r.get("company_id")) == company)
        })
    });

    if duplicate {
        let product_name = db.display_name("product.product", product);
        let message = if db.version <= 17 {
            format!("The combination of serial number and product must be unique across a company.\nFollowing combination contains duplicates:\n - Product: {product_name}, Serial Number: {name}")
        } else {
            format!("The combination of lot/serial number and product must be unique within a company including when no company is defined.\nThe following combinations contain duplicates:\n - Product: {product_name}, Lot/Serial Number: {name}")
        };
        return Err(OdooError::validation(message));
    }

    let mut record = orm::record_from_vals(db, "stock.lot", vals);
    record
        .entry("company_id".to_owned())
        .or_insert(Value::Bool(false));
    record.insert("product_qty".into(), float(0.0));
    for field in ["expiration_date", "use_date", "removal_date", "alert_date"] {
        record.entry(field.to_owned()).or_insert(Value::Bool(false));
    }
    let expiration = record
        .get("expiration_date")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(expiration) = expiration {
        for (field, days_field) in [
            ("use_date", "use_time"),
            ("removal_date", "removal_time"),
            ("alert_date", "alert_time"),
        ] {
            let days = db
                .get("product.product", product)
                .and_then(|r| r.get(days_field))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            record.insert(field.into(), json!(shift_days(&expiration, -days)));
        }
    }
    Ok(db.insert("stock.lot", record))
}

/// Returns the lot of a move line being done: its `lot_id`, or the lot its
/// `lot_name` names for the line's product, created with the line's
/// `expiration_date` when missing (Odoo's `_create_and_assign_production_lot`).
/// The line then points at that lot.
pub(crate) fn lot_of_done_line(db: &mut Db, line: i64) -> Option<i64> {
    let record = db.get("stock.move.line", line)?.clone();
    if let Some(lot) = m2o_id(record.get("lot_id")) {
        return Some(lot);
    }
    let name = record.get("lot_name").and_then(Value::as_str)?.to_owned();
    if name.is_empty() {
        return None;
    }
    let product = m2o_id(record.get("product_id"))?;
    let existing = db.table("stock.lot").and_then(|t| {
        t.records()
            .iter()
            .find(|(_, r)| {
                r.get("name").and_then(Value::as_str) == Some(name.as_str())
                    && m2o_id(r.get("product_id")) == Some(product)
            })
            .map(|(id, _)| *id)
    });
    let lot = match existing {
        Some(lot) => lot,
        None => {
            let mut vals = Map::new();
            vals.insert("name".into(), json!(name));
            vals.insert("product_id".into(), json!(product));
            vals.insert("company_id".into(), json!(1));
            if let Some(expiration) = record.get("expiration_date").filter(|v| v.is_string()) {
                vals.insert("expiration_date".into(), expiration.clone());
            }
            // The search above rules out the only error, a duplicate name.
            create_lot(db, &vals).ok()?
        }
    };
    db.set("stock.move.line", line, "lot_id", db.m2o("stock.lot", lot));
    Some(lot)
}

/// Returns the expiration date Odoo proposes for a new lot of a product
/// with expiration dates: now plus the product's `expiration_time` days.
pub(crate) fn default_expiration(db: &Db, product: i64) -> Value {
    if db.field("product.product", product, "use_expiration_date") != Value::Bool(true) {
        return Value::Bool(false);
    }
    let days = db
        .field("product.product", product, "expiration_time")
        .as_i64()
        .unwrap_or(0);
    json!(shift_days(&db.now(), days))
}

/// Shifts a naive `YYYY-MM-DD HH:MM:SS` datetime by whole days.
pub(crate) fn shift_days(datetime: &str, days: i64) -> String {
    let parsed = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", datetime);
    match parsed.and_then(|dt| dt.checked_add(jiff::Span::new().days(days))) {
        Ok(shifted) => shifted.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => datetime.to_owned(),
    }
}
