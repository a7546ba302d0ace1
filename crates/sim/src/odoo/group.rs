//! Grouped reads: `read_group` as Odoo 17 and 18 return it (aggregates
//! under the field name, `__count` or `<field>_count`, `__domain`) and
//! Odoo 19's `formatted_read_group` (aggregates under their spec such as
//! `quantity:sum`, `__extra_domain`). Groups are ordered by the grouped
//! fields, a many2one by its comodel's order, unless an order is given.
//!
//! NOTE: grouping by date granularity (`date:month`) and `having` are not
//! simulated; they raise `ValueError` naming the argument.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::aggregate::{aggregate_value, parse_aggregates, Aggregate};
use super::error::OdooError;
use super::group_domain::and_domains;
use super::orm;
use super::quantity::decimal;
use super::store::{comodel, m2o_id, Db};

/// The records of one group, keyed by the grouped values.
struct Group {
    values: Vec<Value>,
    ids: Vec<i64>,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Implements `read_group(domain, fields, groupby, offset, limit, orderby, lazy)`.
pub(crate) fn read_group(
    db: &Db,
    model: &str,
    params: &Map<String, Value>,
) -> Result<Value, OdooError> {
    let domain = params.get("domain").cloned().unwrap_or(json!([]));
    let mut groupby = strings(params.get("groupby"));
    let lazy = params.get("lazy").and_then(Value::as_bool).unwrap_or(true);
    let rest: Vec<String> = if lazy && groupby.len() > 1 {
        groupby.split_off(1)
    } else {
        Vec::new()
    };
    let aggregates = parse_aggregates(db, model, &strings(params.get("fields")), &groupby, true)?;
    let order = params.get("orderby").and_then(Value::as_str);
    let groups = collect(db, model, &domain, &groupby, &aggregates, order, params)?;

    let count_key = if lazy {
        format!("{}_count", groupby.first().map_or("", String::as_str))
    } else {
        "__count".to_owned()
    };
    let mut out = Vec::new();
    for group in groups {
        let mut row = group_values(db, model, &groupby, &group);
        row.insert(count_key.clone(), json!(group.ids.len()));
        for aggregate in &aggregates {
            row.insert(
                aggregate.key.clone(),
                aggregate_value(db, model, aggregate, &group.ids),
            );
        }
        let leaves = group_leaves(&groupby, &group);
        row.insert(
            "__domain".into(),
            json!(and_domains(&[domain.clone(), json!(leaves)])),
        );
        if !rest.is_empty() {
            row.insert("__context".into(), json!({ "group_by": rest }));
        }
        out.push(Value::Object(row));
    }
    Ok(Value::Array(out))
}

/// Implements Odoo 19's `formatted_read_group(domain, groupby, aggregates, ...)`.
pub(crate) fn formatted_read_group(
    db: &Db,
    model: &str,
    params: &Map<String, Value>,
) -> Result<Value, OdooError> {
    if params
        .get("having")
        .is_some_and(|h| h.as_array().is_some_and(|a| !a.is_empty()))
    {
        return Err(OdooError::value(
            "`having` of formatted_read_group is not simulated: filter the groups in the client",
        ));
    }
    let domain = params.get("domain").cloned().unwrap_or(json!([]));
    let groupby = strings(params.get("groupby"));
    let specs = strings(params.get("aggregates"));
    let wants_count = specs.iter().any(|s| s == "__count");
    let plain: Vec<String> = specs.into_iter().filter(|s| s != "__count").collect();
    let aggregates = parse_aggregates(db, model, &plain, &groupby, false)?;
    let order = params.get("order").and_then(Value::as_str);
    let groups = collect(db, model, &domain, &groupby, &aggregates, order, params)?;

    let mut out = Vec::new();
    for group in groups {
        let mut row = group_values(db, model, &groupby, &group);
        row.insert(
            "__extra_domain".into(),
            json!(and_domains(&[json!(group_leaves(&groupby, &group))])),
        );
        if wants_count {
            row.insert("__count".into(), json!(group.ids.len()));
        }
        for aggregate in &aggregates {
            row.insert(
                aggregate.key.clone(),
                aggregate_value(db, model, aggregate, &group.ids),
            );
        }
        out.push(Value::Object(row));
    }
    Ok(Value::Array(out))
}

/// Searches the domain and splits the records into ordered, paged groups.
fn collect(
    db: &Db,
    model: &str,
    domain: &Value,
    groupby: &[String],
    aggregates: &[Aggregate],
    order: Option<&str>,
    params: &Map<String, Value>,
) -> Result<Vec<Group>, OdooError> {
    for field in groupby {
        if field.contains(':') {
            return Err(OdooError::value(format!(
                "grouping by '{field}' is not simulated: group by the plain field and bucket the dates in the client"
            )));
        }
        if !orm::has_field(db, model, field) {
            return Err(OdooError::value(format!(
                "Invalid field '{field}' on model '{model}'"
            )));
        }
    }
    let ids = orm::search(db, model, domain, None, 0, None)?;
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for id in ids {
        let values: Vec<Value> = groupby
            .iter()
            .map(|f| group_key(db, model, id, f))
            .collect();
        let key = Value::Array(values.clone()).to_string();
        groups
            .entry(key)
            .or_insert_with(|| Group {
                values,
                ids: Vec::new(),
            })
            .ids
            .push(id);
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    sort_groups(db, model, groupby, aggregates, order, &mut groups);

    let offset = params.get("offset").and_then(Value::as_u64).unwrap_or(0);
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let limit = params
        .get("limit")
        .and_then(Value::as_u64)
        .and_then(|l| usize::try_from(l).ok());
    Ok(groups
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect())
}

/// Returns the value a record is grouped under: the id of a many2one, else the value.
fn group_key(db: &Db, model: &str, id: i64, field: &str) -> Value {
    let value = orm::field_value(db, model, id, field);
    match comodel(model, field) {
        Some(_) if !orm::is_x2many(model, field) => {
            m2o_id(Some(&value)).map_or(Value::Bool(false), |i| json!(i))
        }
        _ => value,
    }
}

/// Orders groups by the order terms. A term on a grouped field sorts by
/// one record of each group, so a many2one sorts by its comodel's order; a
/// term on an aggregate sorts by its value. Without an order, the grouped
/// fields decide.
fn sort_groups(
    db: &Db,
    model: &str,
    groupby: &[String],
    aggregates: &[Aggregate],
    order: Option<&str>,
    groups: &mut [Group],
) {
    let spec = order
        .filter(|o| !o.trim().is_empty())
        .map_or_else(|| groupby.join(", "), str::to_owned);
    // Sort by the terms from last to first with stable sorts, so the first term wins.
    for term in spec.split(',').rev() {
        let mut words = term.split_whitespace();
        let Some(name) = words.next() else { continue };
        let descending = words.next().is_some_and(|w| w.eq_ignore_ascii_case("desc"));
        if groupby.iter().any(|g| g == name) {
            let mut firsts: Vec<i64> = groups.iter().map(|g| g.ids[0]).collect();
            orm::sort_ids(
                db,
                model,
                &mut firsts,
                Some(&format!(
                    "{name} {}",
                    if descending { "desc" } else { "asc" }
                )),
            );
            groups.sort_by_key(|g| firsts.iter().position(|id| *id == g.ids[0]));
        } else if let Some(aggregate) = aggregates.iter().find(|a| a.field == name || a.key == name)
        {
            groups.sort_by(|a, b| {
                let left = decimal(Some(&aggregate_value(db, model, aggregate, &a.ids)));
                let right = decimal(Some(&aggregate_value(db, model, aggregate, &b.ids)));
                if descending {
                    right.cmp(&left)
                } else {
                    left.cmp(&right)
                }
            });
        } else if name == "__count" {
            groups.sort_by(|a, b| {
                if descending {
                    b.ids.len().cmp(&a.ids.len())
                } else {
                    a.ids.len().cmp(&b.ids.len())
                }
            });
        }
    }
}

fn group_values(db: &Db, model: &str, groupby: &[String], group: &Group) -> Map<String, Value> {
    let mut row = Map::new();
    for (field, value) in groupby.iter().zip(&group.values) {
        let rendered = match (comodel(model, field), value.as_i64()) {
            (Some(target), Some(id)) if !orm::is_x2many(model, field) => db.m2o(target, id),
            _ => value.clone(),
        };
        row.insert(field.clone(), rendered);
    }
    row
}

fn group_leaves(groupby: &[String], group: &Group) -> Vec<Value> {
    groupby
        .iter()
        .zip(&group.values)
        .map(|(field, value)| json!([field, "=", value]))
        .collect()
}
