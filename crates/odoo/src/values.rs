//! Reading Odoo's JSON values: `false` for empty fields, many2one pairs,
//! quantities as decimals and naive UTC datetimes.
//!
//! Odoo returns `false`, never `null`, for an empty char, date or many2one
//! field; these helpers map it to an empty string or `None`. Quantities are
//! converted through the number's text (the workspace builds serde_json with
//! `arbitrary_precision`), so no binary float ever rounds them.

use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// One record as `read` and `search_read` return it.
pub type Record = Map<String, Value>;

/// Returns the record's `id`, or 0 when it has none.
pub fn id_of(record: &Record) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or(0)
}

/// Returns a char field, with `false` and missing as an empty string.
pub fn text(record: &Record, field: &str) -> String {
    match record.get(field) {
        Some(Value::String(value)) => value.clone(),
        _ => String::new(),
    }
}

/// Returns a many2one field's id, `None` for `false`.
pub fn many2one_id(record: &Record, field: &str) -> Option<i64> {
    match record.get(field)? {
        Value::Array(pair) => pair.first().and_then(Value::as_i64),
        Value::Number(id) => id.as_i64(),
        _ => None,
    }
}

/// Returns a many2one field's display name, empty for `false`.
pub fn many2one_name(record: &Record, field: &str) -> String {
    match record.get(field) {
        Some(Value::Array(pair)) => pair.get(1).and_then(Value::as_str).unwrap_or("").to_owned(),
        _ => String::new(),
    }
}

/// Returns an x2many field's ids.
pub fn ids(record: &Record, field: &str) -> Vec<i64> {
    match record.get(field) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_i64).collect(),
        _ => Vec::new(),
    }
}

/// Returns a boolean field, `false` when missing.
pub fn flag(record: &Record, field: &str) -> bool {
    record.get(field).and_then(Value::as_bool).unwrap_or(false)
}

/// Converts an Odoo number to a decimal through its text; `false` is zero.
pub fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(number) => {
            let text = number.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .ok()
        }
        Value::Bool(false) | Value::Null => Some(Decimal::ZERO),
        _ => None,
    }
}

/// Returns a float field as a decimal, zero when missing or not a number.
pub fn decimal(record: &Record, field: &str) -> Decimal {
    record
        .get(field)
        .and_then(decimal_of)
        .unwrap_or(Decimal::ZERO)
}

/// Builds the JSON number for a decimal, written with its digits exactly.
pub fn decimal_value(quantity: Decimal) -> Value {
    let text = quantity.normalize().to_string();
    Value::from_str(&text).unwrap_or(Value::Null)
}

/// Parses Odoo's naive UTC datetime `YYYY-MM-DD HH:MM:SS`; `None` for
/// `false`, an empty string or another format.
pub fn parse_datetime(value: &str) -> Option<Timestamp> {
    let civil = DateTime::strptime("%Y-%m-%d %H:%M:%S", value).ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Formats a timestamp as Odoo's naive UTC datetime.
pub fn format_datetime(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(value: Value) -> Record {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn false_is_empty() {
        let rec = record(json!({"street2": false, "state_id": false, "lot_id": [3, "GL-2501"]}));
        assert_eq!(text(&rec, "street2"), "");
        assert_eq!(many2one_id(&rec, "state_id"), None);
        assert_eq!(many2one_id(&rec, "lot_id"), Some(3));
        assert_eq!(many2one_name(&rec, "lot_id"), "GL-2501");
    }

    #[test]
    fn decimal_keeps_digits() {
        let rec: Record =
            serde_json::from_str(r#"{"quantity": 0.1, "weight": 1.05, "tiny": 1e-05}"#).unwrap();
        assert_eq!(decimal(&rec, "quantity").to_string(), "0.1");
        assert_eq!(decimal(&rec, "weight").to_string(), "1.05");
        assert_eq!(decimal(&rec, "tiny").to_string(), "0.00001");
        assert_eq!(
            decimal_value(Decimal::from_str("5.000").unwrap()).to_string(),
            "5"
        );
    }

    #[test]
    fn datetime_round_trip() {
        let stamp = parse_datetime("2026-12-04 19:41:20").unwrap();
        assert_eq!(stamp.to_string(), "2026-12-04T19:41:20Z");
        assert_eq!(format_datetime(stamp), "2026-12-04 19:41:20");
        assert_eq!(parse_datetime(""), None);
    }
}
