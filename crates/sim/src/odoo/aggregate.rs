//! Aggregates of grouped reads: the `field:function` specs of `read_group`
//! and `formatted_read_group` and their values over a group's records.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::error::OdooError;
use super::orm;
use super::quantity::{decimal, wire};
use super::store::Db;

/// One aggregate: the field, the function and the key it is returned under.
pub(crate) struct Aggregate {
    pub field: String,
    pub function: String,
    pub key: String,
}

/// Reads `field:function` specs; a bare numeric field sums in `read_group`,
/// which returns aggregates under the field name.
pub(crate) fn parse_aggregates(
    db: &Db,
    model: &str,
    specs: &[String],
    groupby: &[String],
    keyed_by_field: bool,
) -> Result<Vec<Aggregate>, OdooError> {
    let mut aggregates = Vec::new();
    for spec in specs {
        let (field, function) = match spec.split_once(':') {
            Some((field, function)) => (field.to_owned(), function.to_owned()),
            None if groupby.contains(spec) => continue,
            None => (spec.clone(), "sum".to_owned()),
        };
        if !orm::has_field(db, model, &field) {
            return Err(OdooError::value(format!(
                "Invalid field '{field}' on model '{model}'"
            )));
        }
        if !matches!(
            function.as_str(),
            "sum" | "min" | "max" | "avg" | "count" | "count_distinct"
        ) {
            return Err(OdooError::value(format!(
                "Invalid aggregation function '{function}'"
            )));
        }
        let key = if keyed_by_field {
            field.clone()
        } else {
            spec.clone()
        };
        aggregates.push(Aggregate {
            field,
            function,
            key,
        });
    }
    Ok(aggregates)
}

/// Returns an aggregate over the records `ids`; empty groups give `false`
/// for `min`, `max` and `avg`.
pub(crate) fn aggregate_value(db: &Db, model: &str, aggregate: &Aggregate, ids: &[i64]) -> Value {
    let values: Vec<Value> = ids
        .iter()
        .map(|id| orm::field_value(db, model, *id, &aggregate.field))
        .collect();
    let numbers: Vec<Decimal> = values.iter().map(|v| decimal(Some(v))).collect();
    match aggregate.function.as_str() {
        "count" => json!(values.iter().filter(|v| **v != Value::Bool(false)).count()),
        "count_distinct" => {
            let mut seen: Vec<String> = values
                .iter()
                .filter(|v| **v != Value::Bool(false))
                .map(Value::to_string)
                .collect();
            seen.sort();
            seen.dedup();
            json!(seen.len())
        }
        "min" => numbers
            .iter()
            .min()
            .map_or(Value::Bool(false), |n| wire(*n)),
        "max" => numbers
            .iter()
            .max()
            .map_or(Value::Bool(false), |n| wire(*n)),
        "avg" if !numbers.is_empty() => {
            wire(numbers.iter().sum::<Decimal>() / Decimal::from(numbers.len()))
        }
        "avg" => Value::Bool(false),
        _ => wire(numbers.iter().sum()),
    }
}
