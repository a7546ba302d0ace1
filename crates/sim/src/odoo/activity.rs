//! `mail.activity` creation as Odoo 17 to 19 do it. The document is named by
//! `res_model_id` (an `ir.model` id) and `res_id`. The due date defaults to
//! today and the assignee to the calling user. The activity type defaults to
//! To-Do only when the context names the model (`default_res_model_id` or
//! `default_res_model`), because Odoo's default reads the context defaults
//! and not the create values. Reads and searches go through the generic ORM.

use serde_json::{json, Map, Value};

use super::chatter::TODO_TYPE;
use super::dispatch::Call;
use super::error::OdooError;
use super::store::{Db, Record};

/// Fields of `mail.activity` the simulator stores and accepts in `create`.
pub(crate) const FIELDS: &[&str] = &[
    "res_model_id",
    "res_model",
    "res_id",
    "res_name",
    "activity_type_id",
    "summary",
    "note",
    "date_deadline",
    "user_id",
    "automated",
    "active",
];

/// Runs `mail.activity.create` for one values object or a list of them.
pub(crate) fn create(db: &mut Db, call: &Call) -> Result<Value, OdooError> {
    let (list, single) = match call.params.get("vals_list") {
        Some(Value::Array(items)) => (items.clone(), false),
        Some(Value::Object(map)) => (vec![Value::Object(map.clone())], true),
        _ => (vec![json!({})], true),
    };
    let mut ids = Vec::new();
    for vals in list {
        let vals = vals.as_object().cloned().unwrap_or_default();
        ids.push(create_one(db, call, &vals)?);
    }
    Ok(if single && ids.len() == 1 {
        json!(ids[0])
    } else {
        json!(ids)
    })
}

fn create_one(db: &mut Db, call: &Call, vals: &Map<String, Value>) -> Result<i64, OdooError> {
    if let Some(unknown) = vals.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(OdooError::value(format!(
            "Invalid field '{unknown}' on model 'mail.activity'"
        )));
    }
    let model_id = vals
        .get("res_model_id")
        .and_then(Value::as_i64)
        .or_else(|| context_model_id(db, &call.context))
        .ok_or_else(|| mandatory("Document Model (res_model_id)"))?;
    let model = db
        .field("ir.model", model_id, "model")
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| OdooError::missing("ir.model", &[model_id], call.uid))?;
    let res_id = vals
        .get("res_id")
        .and_then(Value::as_i64)
        .filter(|id| *id > 0)
        .ok_or_else(|| mandatory("Related Document ID (res_id)"))?;
    // Creating an activity checks write access on its document, which
    // raises for a document that does not exist.
    if !db.exists(&model, res_id) {
        return Err(OdooError::missing(&model, &[res_id], call.uid));
    }
    let deadline = match vals.get("date_deadline") {
        Some(Value::String(date)) => checked_date(date)?,
        _ => db.now().chars().take(10).collect(),
    };
    let activity_type = match vals.get("activity_type_id") {
        Some(value) => value.as_i64(),
        None => context_model_id(db, &call.context).map(|_| TODO_TYPE),
    };
    let user = vals
        .get("user_id")
        .and_then(Value::as_i64)
        .unwrap_or(call.uid);

    let text = |field: &str| vals.get(field).cloned().unwrap_or(Value::Bool(false));
    let mut record = Record::new();
    let fields = [
        ("res_model_id", db.m2o("ir.model", model_id)),
        ("res_model", json!(model)),
        ("res_id", json!(res_id)),
        ("res_name", json!(db.display_name(&model, res_id))),
        (
            "activity_type_id",
            activity_type.map_or(Value::Bool(false), |t| db.m2o("mail.activity.type", t)),
        ),
        ("summary", text("summary")),
        ("note", text("note")),
        ("date_deadline", json!(deadline)),
        ("user_id", db.m2o("res.users", user)),
        (
            "automated",
            json!(vals.get("automated") == Some(&Value::Bool(true))),
        ),
        ("active", json!(true)),
    ];
    for (field, value) in fields {
        record.insert(field.to_owned(), value);
    }
    Ok(db.insert("mail.activity", record))
}

/// Returns the model named by the context defaults, as Odoo's
/// `mail.activity.default_get` reads them.
fn context_model_id(db: &Db, context: &Map<String, Value>) -> Option<i64> {
    if let Some(id) = context.get("default_res_model_id").and_then(Value::as_i64) {
        return Some(id);
    }
    let model = context.get("default_res_model").and_then(Value::as_str)?;
    db.table("ir.model")?
        .records()
        .iter()
        .find(|(_, record)| record.get("model").and_then(Value::as_str) == Some(model))
        .map(|(id, _)| *id)
}

/// Checks a `Date` value as Odoo parses it (`YYYY-MM-DD`).
fn checked_date(date: &str) -> Result<String, OdooError> {
    match jiff::civil::Date::strptime("%Y-%m-%d", date) {
        Ok(parsed) => Ok(parsed.strftime("%Y-%m-%d").to_string()),
        Err(_) => Err(OdooError::value(format!(
            "time data '{date}' does not match format '%Y-%m-%d'"
        ))),
    }
}

/// Builds the error Odoo raises when the database rejects a missing required value.
fn mandatory(field: &str) -> OdooError {
    OdooError::validation(format!(
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Activity (mail.activity)\nField: {field}\n"
    ))
}
