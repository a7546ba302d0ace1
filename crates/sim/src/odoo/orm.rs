//! Generic ORM operations of the simulator: field access (stored and
//! computed), `read` projection, `search` with order/limit/offset, and the
//! plain parts of `create` and `write` (many2one and x2many conversion).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{json, Map, Value};

use super::computed;
use super::custom_fields;
use super::domain;
use super::error::OdooError;
use super::store::{comodel, inverse, m2o_id, Db, Record};

/// Returns the `_order` of a model as Odoo declares it (reduced to stored fields).
pub(crate) fn default_order(model: &str) -> &'static str {
    match model {
        "stock.picking" => "priority desc, scheduled_date asc, id desc",
        "sale.order" => "date_order desc, id desc",
        "sale.order.line" => "order_id, sequence, id",
        "stock.move" => "sequence, id",
        "stock.move.line" => {
            "result_package_id desc, location_id asc, location_dest_id asc, picking_id asc, id"
        }
        "stock.lot" => "name, id",
        "stock.location" => "complete_name, id",
        "product.product" => "default_code, name, id",
        "res.partner" => "display_name, id desc",
        "ir.module.module" => "application desc, sequence, name",
        "ir.model" => "model",
        "mail.activity" => "date_deadline, id",
        "mail.message" => "id desc",
        "purchase.order" => "priority desc, id desc",
        _ => "id",
    }
}

/// Returns whether `field` can be read or searched on `model`.
pub(crate) fn has_field(db: &Db, model: &str, field: &str) -> bool {
    if matches!(field, "id" | "display_name") || inverse(model, field).is_some() {
        return true;
    }
    if matches!(
        (model, field),
        ("stock.move", "lot_ids") | ("stock.picking", "picking_type_code")
    ) || computed::declares(model, field)
        || custom_fields::declares(model, field)
    {
        return true;
    }
    db.table(model).is_some_and(|t| t.fields().contains(field))
}

/// Returns whether a field contains a list of ids.
pub(crate) fn is_x2many(model: &str, field: &str) -> bool {
    field.ends_with("_ids")
        || field == "order_line"
        || (model == "res.partner" && field == "category_id")
}

/// Returns the wire value of a field, computing the non-stored ones.
pub(crate) fn field_value(db: &Db, model: &str, id: i64, field: &str) -> Value {
    field_value_ref(db, model, id, field).into_owned()
}

/// Like [`field_value`], but borrows a stored value instead of copying it.
pub(crate) fn field_value_ref<'a>(db: &'a Db, model: &str, id: i64, field: &str) -> Cow<'a, Value> {
    static FALSE: Value = Value::Bool(false);
    let computed = matches!(field, "id" | "display_name")
        || inverse(model, field).is_some()
        || (model, field) == ("stock.move", "lot_ids");
    if computed {
        return Cow::Owned(computed_value(db, model, id, field));
    }
    if computed::declares(model, field) {
        if let Some(value) = computed::value(db, model, id, field) {
            return Cow::Owned(value);
        }
    }
    Cow::Borrowed(
        db.get(model, id)
            .and_then(|record| record.get(field))
            .unwrap_or(&FALSE),
    )
}

/// Computes the value of `id`, `display_name`, a one2many field or `stock.move.lot_ids`.
fn computed_value(db: &Db, model: &str, id: i64, field: &str) -> Value {
    if field == "id" {
        return json!(id);
    }
    if field == "display_name" {
        return Value::String(db.display_name(model, id));
    }
    if let Some((target, inverse_field)) = inverse(model, field) {
        return json!(db.one2many(target, inverse_field, id));
    }
    if (model, field) == ("stock.move", "lot_ids") {
        let mut lots: Vec<i64> = Vec::new();
        for line in db.one2many("stock.move.line", "move_id", id) {
            if let Some(lot) = m2o_id(
                db.get("stock.move.line", line)
                    .and_then(|r| r.get("lot_id")),
            ) {
                if !lots.contains(&lot) {
                    lots.push(lot);
                }
            }
        }
        return json!(lots);
    }
    db.field(model, id, field)
}

/// Checks the requested field names and returns them (all fields when empty).
pub(crate) fn check_fields(db: &Db, model: &str, fields: &Value) -> Result<Vec<String>, OdooError> {
    let names: Vec<String> = match fields {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    if names.is_empty() {
        let mut all: Vec<String> = db
            .table(model)
            .map(|t| t.fields().iter().cloned().collect())
            .unwrap_or_default();
        all.retain(|f| f != "id" && f != "display_name");
        return Ok(all);
    }
    for name in &names {
        if !has_field(db, model, name) {
            return Err(OdooError::value(format!(
                "Invalid field '{name}' on model '{model}'"
            )));
        }
    }
    Ok(names)
}

/// Projects records to the requested fields; missing ids are dropped silently.
pub(crate) fn read(db: &Db, model: &str, ids: &[i64], fields: &[String]) -> Vec<Value> {
    ids.iter()
        .filter(|id| db.exists(model, **id))
        .map(|id| {
            let mut out = Map::new();
            out.insert("id".into(), json!(id));
            for field in fields {
                out.insert(field.clone(), field_value(db, model, *id, field));
            }
            Value::Object(out)
        })
        .collect()
}

/// Returns the ids matching `domain`, ordered, with offset and limit applied.
pub(crate) fn search(
    db: &Db,
    model: &str,
    domain: &Value,
    order: Option<&str>,
    offset: usize,
    limit: Option<usize>,
) -> Result<Vec<i64>, OdooError> {
    let node = domain::parse(db, model, domain)?;
    if let Some(order) = order {
        for part in order.split(',') {
            let field = part.split_whitespace().next().unwrap_or("");
            if !field.is_empty() && !has_field(db, model, field) {
                return Err(OdooError::value(format!(
                    "Invalid field '{field}' on model '{model}'"
                )));
            }
        }
    }
    let (candidates, rest) = domain::plan(db, model, &node);
    let scope = match candidates {
        Some(candidates) => candidates.into_iter().collect(),
        None => db.ids(model),
    };
    let mut ids: Vec<i64> = scope
        .into_iter()
        .filter(|id| domain::matches(db, model, *id, &rest))
        .collect();
    sort_ids(db, model, &mut ids, order);
    let ids = ids.into_iter().skip(offset);
    Ok(match limit {
        Some(limit) => ids.take(limit).collect(),
        None => ids.collect(),
    })
}

/// Sorts ids by an order specification, or the model's default order. The
/// sort is stable, so records that compare equal keep their order in `ids`.
pub(crate) fn sort_ids(db: &Db, model: &str, ids: &mut [i64], order: Option<&str>) {
    if ids.len() < 2 {
        return;
    }
    let spec = order
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| default_order(model));
    // Each record's sort key is read once, not once per comparison.
    let mut keyed: Vec<(Vec<SortPart>, i64)> = ids
        .iter()
        .map(|id| (sort_key(db, model, *id, spec, 0), *id))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b));
    for (slot, (_, id)) in ids.iter_mut().zip(keyed) {
        *slot = id;
    }
}

/// One term of a record's sort key, with whether it sorts descending.
struct SortPart {
    value: SortValue,
    descending: bool,
}

enum SortValue {
    Plain(Value),
    /// A many2one ordered by the comodel's default order (two levels deep at
    /// most); `None` when the field is empty, which sorts last.
    Related(Option<Vec<SortPart>>),
}

fn sort_key(db: &Db, model: &str, id: i64, spec: &str, depth: usize) -> Vec<SortPart> {
    let mut parts = Vec::new();
    for part in spec.split(',') {
        let mut words = part.split_whitespace();
        let Some(field) = words.next() else { continue };
        let descending = words.next().is_some_and(|w| w.eq_ignore_ascii_case("desc"));
        let value = field_value_ref(db, model, id, field);
        let value = match comodel(model, field) {
            Some(target) if depth < 2 && !is_x2many(model, field) => SortValue::Related(
                m2o_id(Some(&value))
                    .map(|other| sort_key(db, target, other, default_order(target), depth + 1)),
            ),
            _ => SortValue::Plain(value.into_owned()),
        };
        parts.push(SortPart { value, descending });
    }
    parts
}

fn compare_keys(left: &[SortPart], right: &[SortPart]) -> Ordering {
    for (a, b) in left.iter().zip(right) {
        let ordering = match (&a.value, &b.value) {
            (SortValue::Plain(x), SortValue::Plain(y)) => compare_values(x, y),
            (SortValue::Related(x), SortValue::Related(y)) => match (x, y) {
                (Some(x), Some(y)) => compare_keys(x, y),
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (None, None) => Ordering::Equal,
            },
            _ => Ordering::Equal,
        };
        let ordering = if a.descending {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// Orders wire values; `false` sorts last, as NULL does in PostgreSQL.
fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Bool(false), _) => Ordering::Greater,
        (_, Value::Bool(false)) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

/// Converts a written value to its stored wire form: a many2one id becomes
/// `[id, name]`, x2many commands `[6,0,ids]`/`[4,id]`/`[3,id]` update an id list.
pub(crate) fn convert_value(
    db: &Db,
    model: &str,
    field: &str,
    value: &Value,
    current: Option<&Value>,
) -> Value {
    if is_x2many(model, field) {
        let mut ids: Vec<i64> = current
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        if let Value::Array(items) = value {
            for item in items {
                match item {
                    Value::Number(n) => ids.extend(n.as_i64()),
                    Value::Array(command) => match command.first().and_then(Value::as_i64) {
                        Some(6) => {
                            ids = command
                                .get(2)
                                .and_then(Value::as_array)
                                .map(|v| v.iter().filter_map(Value::as_i64).collect())
                                .unwrap_or_default();
                        }
                        Some(4) => ids.extend(
                            command
                                .get(1)
                                .and_then(Value::as_i64)
                                .filter(|id| !ids.contains(id)),
                        ),
                        Some(3) | Some(2) => {
                            let gone = command.get(1).and_then(Value::as_i64);
                            ids.retain(|id| Some(*id) != gone);
                        }
                        Some(5) => ids.clear(),
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        return json!(ids);
    }
    if let Some(target) = comodel(model, field) {
        return match value.as_i64() {
            Some(id) => db.m2o(target, id),
            None => match value {
                Value::Array(_) => value.clone(),
                _ => Value::Bool(false),
            },
        };
    }
    match value {
        Value::Null => Value::Bool(false),
        Value::Number(n) if is_float_field(field) => json!(n.as_f64().unwrap_or(0.0)),
        other => other.clone(),
    }
}

/// Returns whether a numeric field is a float on the wire (`5.0`).
fn is_float_field(field: &str) -> bool {
    field.contains("qty")
        || field.contains("quantity")
        || field.contains("price")
        || field.contains("weight")
        || field.starts_with("amount")
}

/// Validates selection values Odoo checks on write.
pub(crate) fn check_selection(model: &str, field: &str, value: &Value) -> Result<(), OdooError> {
    let allowed: &[&str] = match (model, field) {
        ("sale.order", "state") => &["draft", "sent", "sale", "cancel"],
        ("stock.picking", "state") => &[
            "draft",
            "waiting",
            "confirmed",
            "assigned",
            "done",
            "cancel",
        ],
        ("stock.picking", "priority") => &["0", "1"],
        _ => return Ok(()),
    };
    match value.as_str() {
        Some(v) if allowed.contains(&v) => Ok(()),
        _ => Err(OdooError::value(format!(
            "Wrong value for {model}.{field}: {}",
            domain::py_repr(value)
        ))),
    }
}

/// Writes plain field values on existing records (no business rules).
pub(crate) fn write_plain(
    db: &mut Db,
    model: &str,
    ids: &[i64],
    vals: &Map<String, Value>,
) -> Result<(), OdooError> {
    for (field, value) in vals {
        if !has_field(db, model, field) {
            return Err(OdooError::value(format!(
                "Invalid field '{field}' on model '{model}'"
            )));
        }
        check_selection(model, field, value)?;
    }
    for id in ids {
        for (field, value) in vals {
            if inverse(model, field).is_some() {
                continue;
            }
            let current = db.get(model, *id).and_then(|r| r.get(field)).cloned();
            let stored = convert_value(db, model, field, value, current.as_ref());
            db.set(model, *id, field, stored);
        }
    }
    Ok(())
}

/// Builds a record from create values (plain conversion, no defaults).
pub(crate) fn record_from_vals(db: &Db, model: &str, vals: &Map<String, Value>) -> Record {
    let mut record = Record::new();
    for (field, value) in vals {
        if inverse(model, field).is_some() {
            continue;
        }
        record.insert(field.clone(), convert_value(db, model, field, value, None));
    }
    record
}

/// Implements `web_search_read`: a search plus a nested read by specification.
pub(crate) fn web_search_read(
    db: &Db,
    model: &str,
    domain: &Value,
    specification: &Map<String, Value>,
    order: Option<&str>,
    offset: usize,
    limit: Option<usize>,
) -> Result<Value, OdooError> {
    let all = search(db, model, domain, order, 0, None)?;
    let length = all.len();
    let page: Vec<i64> = match limit {
        Some(limit) => all.into_iter().skip(offset).take(limit).collect(),
        None => all.into_iter().skip(offset).collect(),
    };
    let records: Vec<Value> = page
        .iter()
        .map(|id| nested_read(db, model, *id, specification))
        .collect();
    Ok(json!({ "length": length, "records": records }))
}

fn nested_read(db: &Db, model: &str, id: i64, specification: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    for (field, spec) in specification {
        let value = field_value(db, model, id, field);
        let sub = spec.get("fields").and_then(Value::as_object);
        let rendered = match (comodel(model, field), sub) {
            (Some(target), Some(sub))
                if is_x2many(model, field) || inverse(model, field).is_some() =>
            {
                let ids: Vec<i64> = value
                    .as_array()
                    .map(|v| v.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default();
                Value::Array(
                    ids.iter()
                        .map(|other| nested_read(db, target, *other, sub))
                        .collect(),
                )
            }
            (Some(target), Some(sub)) => match m2o_id(Some(&value)) {
                Some(other) => nested_read(db, target, other, sub),
                None => Value::Bool(false),
            },
            _ => value,
        };
        out.insert(field.clone(), rendered);
    }
    Value::Object(out)
}
