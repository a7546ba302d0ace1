//! `stock.lot` creation: the unique name per product and company, and the
//! use/removal/alert dates derived from the expiration date.

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

/// Shifts a naive `YYYY-MM-DD HH:MM:SS` datetime by whole days.
pub(crate) fn shift_days(datetime: &str, days: i64) -> String {
    let parsed = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", datetime);
    match parsed.and_then(|dt| dt.checked_add(jiff::Span::new().days(days))) {
        Ok(shifted) => shifted.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => datetime.to_owned(),
    }
}
