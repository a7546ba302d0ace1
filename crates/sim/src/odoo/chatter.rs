//! The chatter of the simulated Odoo: `message_post` on the models that
//! inherit `mail.thread`, the `mail.message` records it stores, and the
//! reference records (`ir.model`, `mail.message.subtype`,
//! `mail.activity.type`) that messages and activities point at. Activities
//! themselves are in `activity`.
//!
//! The reference records are created on the first call that needs them, so
//! a data set that never touches the chatter stays as it was loaded.
//!
//! What `message_post` does follows Odoo's `mail.thread.message_post`: one
//! record only, `user_notification` rejected, an unknown `subtype_xmlid`
//! replaced by the note subtype, and a `str` body escaped unless
//! `body_is_html` is set. Odoo 17 and 18 return the new message's id,
//! because the method is declared with `@api.returns`. Odoo 19 turns a
//! returned record into its ids, a list of one.
//!
//! NOTE: no recording shows the chatter. The return shapes come from Odoo's
//! source (the 17 declaration, the 19 JSON-2 controller's `result.ids`), and
//! Odoo 18 is taken to return what 17 does.

use serde_json::{json, Value};

use super::dispatch::{require_ids, Call};
use super::error::OdooError;
use super::store::{m2o_id, Db, Record};

/// Models whose records exist before the simulator stores any.
pub(crate) const MODELS: &[&str] = &[
    "mail.message",
    "mail.activity",
    "mail.activity.type",
    "mail.message.subtype",
    "ir.model",
];

/// Models of the simulated modules that inherit `mail.thread`.
const THREAD_MODELS: &[&str] = &[
    "stock.picking",
    "stock.lot",
    "stock.scrap",
    "sale.order",
    "purchase.order",
    "res.partner",
    "product.product",
    "product.template",
];

/// The named parameters of `message_post` that Odoo 17 to 19 declare.
pub(crate) const MESSAGE_POST_PARAMETERS: &[&str] = &[
    "body",
    "subject",
    "message_type",
    "email_from",
    "author_id",
    "parent_id",
    "subtype_xmlid",
    "subtype_id",
    "partner_ids",
    "attachments",
    "attachment_ids",
    "body_is_html",
];

/// Fields of `mail.message` known before the first message is stored.
const MESSAGE_FIELDS: &[&str] = &[
    "model",
    "res_id",
    "record_name",
    "body",
    "subject",
    "message_type",
    "subtype_id",
    "author_id",
    "partner_ids",
    "date",
];

/// The `mail.message.message_type` values the simulator accepts.
const MESSAGE_TYPES: &[&str] = &[
    "email",
    "comment",
    "notification",
    "user_notification",
    "auto_comment",
    "email_outgoing",
];

/// Subtypes by XML id: `mail.mt_comment` (sent to followers) and
/// `mail.mt_note` (internal). The ids are the simulator's.
const SUBTYPES: &[(i64, &str, &str, bool)] = &[
    (1, "mail.mt_comment", "Discussions", false),
    (2, "mail.mt_note", "Note", true),
];
const NOTE_SUBTYPE: i64 = 2;

/// Activity types with the simulator's ids. To-Do is the type Odoo picks by default.
const ACTIVITY_TYPES: &[(i64, &str)] = &[(1, "Email"), (2, "Call"), (3, "Meeting"), (4, "To-Do")];
pub(crate) const TODO_TYPE: i64 = 4;

/// `ir.model` records: model and description. `purchase.order` is listed
/// only when the data set contains purchase orders.
const IR_MODELS: &[(&str, &str)] = &[
    ("res.partner", "Contact"),
    ("product.template", "Product"),
    ("product.product", "Product Variant"),
    ("stock.location", "Inventory Locations"),
    ("stock.picking", "Transfer"),
    ("stock.move", "Stock Move"),
    ("stock.lot", "Lot/Serial"),
    ("stock.quant", "Quants"),
    ("stock.scrap", "Scrap"),
    ("sale.order", "Sales Order"),
    ("mail.message", "Message"),
    ("mail.activity", "Activity"),
    ("purchase.order", "Purchase Order"),
];

/// Returns whether a model has a chatter (`mail.thread`).
pub(crate) fn has_chatter(model: &str) -> bool {
    THREAD_MODELS.contains(&model)
}

/// Returns whether `field` of a chatter model exists before any record of
/// the model is stored.
pub(crate) fn declares(model: &str, field: &str) -> bool {
    match model {
        "mail.message" => MESSAGE_FIELDS.contains(&field),
        "mail.activity" => super::activity::FIELDS.contains(&field),
        _ => false,
    }
}

/// Runs the calls of this module, or returns `None` for the generic
/// dispatch (after creating the reference records a read may need).
pub(crate) fn execute(db: &mut Db, call: &Call) -> Option<Result<Value, OdooError>> {
    let model = call.model.as_str();
    let posts = has_chatter(model) && call.method == "message_post";
    if !posts && !MODELS.contains(&model) {
        return None;
    }
    ensure_reference_data(db);
    if posts {
        return Some(message_post(db, call));
    }
    match (model, call.method.as_str()) {
        ("mail.activity", "create") => Some(super::activity::create(db, call)),
        _ => None,
    }
}

/// Posts a message on one record and returns its id in the version's form.
fn message_post(db: &mut Db, call: &Call) -> Result<Value, OdooError> {
    let ids = require_ids(db, call)?;
    let [res_id] = ids.as_slice() else {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        return Err(OdooError::value(format!(
            "Expected singleton: {}({})",
            call.model,
            list.join(", ")
        )));
    };
    let params = &call.params;
    let message_type = params
        .get("message_type")
        .and_then(Value::as_str)
        .unwrap_or("notification");
    if message_type == "user_notification" {
        return Err(OdooError::value(
            "Use message_notify to send a notification to an user.",
        ));
    }
    if !MESSAGE_TYPES.contains(&message_type) {
        return Err(OdooError::value(format!(
            "Wrong value for mail.message.message_type: '{message_type}'"
        )));
    }

    let subtype = subtype_of(params);
    let body = params.get("body").and_then(Value::as_str).unwrap_or("");
    let as_html = params.get("body_is_html") == Some(&Value::Bool(true));
    let author = m2o_id(
        db.get("res.users", call.uid)
            .and_then(|u| u.get("partner_id")),
    );
    let mut record = Record::new();
    let fields = [
        ("model", json!(call.model)),
        ("res_id", json!(res_id)),
        ("record_name", json!(db.display_name(&call.model, *res_id))),
        ("body", json!(stored_body(body, as_html))),
        (
            "subject",
            params.get("subject").cloned().unwrap_or(Value::Bool(false)),
        ),
        ("message_type", json!(message_type)),
        ("subtype_id", db.m2o("mail.message.subtype", subtype)),
        (
            "author_id",
            author.map_or(Value::Bool(false), |p| db.m2o("res.partner", p)),
        ),
        (
            "partner_ids",
            params.get("partner_ids").cloned().unwrap_or(json!([])),
        ),
        ("date", json!(db.now())),
    ];
    for (field, value) in fields {
        record.insert(field.to_owned(), value);
    }
    let message = db.insert("mail.message", record);
    Ok(if db.version >= 19 {
        json!([message])
    } else {
        json!(message)
    })
}

/// Returns the subtype of a post: `subtype_xmlid`, else `subtype_id`, else
/// the note subtype, as Odoo falls back to `mail.mt_note`.
fn subtype_of(params: &serde_json::Map<String, Value>) -> i64 {
    let by_xmlid = params
        .get("subtype_xmlid")
        .and_then(Value::as_str)
        .and_then(|xmlid| SUBTYPES.iter().find(|s| s.1 == xmlid))
        .map(|s| s.0);
    let by_id = params
        .get("subtype_id")
        .and_then(Value::as_i64)
        .filter(|id| SUBTYPES.iter().any(|s| s.0 == *id));
    by_xmlid.or(by_id).unwrap_or(NOTE_SUBTYPE)
}

/// Returns the body Odoo stores: HTML as sent, or plain text escaped the
/// way `markupsafe.escape` does and put in a paragraph.
///
/// NOTE: the paragraph is what Odoo's HTML sanitizer makes of bare text, as
/// read in its source; no recording shows a stored message body.
fn stored_body(body: &str, as_html: bool) -> String {
    if as_html || body.is_empty() {
        return body.to_owned();
    }
    let mut escaped = String::with_capacity(body.len() + 7);
    for character in body.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&#34;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    format!("<p>{escaped}</p>")
}

/// Creates the `ir.model`, subtype and activity type records once.
pub(crate) fn ensure_reference_data(db: &mut Db) {
    if db.table("ir.model").is_none() {
        let with_purchase = db.table("purchase.order").is_some();
        let listed = IR_MODELS
            .iter()
            .filter(|(model, _)| *model != "purchase.order" || with_purchase);
        for (index, (model, name)) in listed.enumerate() {
            let id = i64::try_from(index).unwrap_or(0) + 1;
            put(
                db,
                "ir.model",
                id,
                json!({"model": model, "name": name, "transient": false}),
            );
        }
    }
    if db.table("mail.message.subtype").is_none() {
        for (id, _, name, internal) in SUBTYPES {
            put(
                db,
                "mail.message.subtype",
                *id,
                json!({"name": name, "internal": internal}),
            );
        }
    }
    if db.table("mail.activity.type").is_none() {
        for (id, name) in ACTIVITY_TYPES {
            put(
                db,
                "mail.activity.type",
                *id,
                json!({"name": name, "category": "default", "res_model": false, "delay_count": 0, "active": true}),
            );
        }
    }
}

fn put(db: &mut Db, model: &str, id: i64, fields: Value) {
    let record = fields.as_object().cloned().unwrap_or_default();
    db.insert_with_id(model, id, record);
}
