//! Telling people in Odoo what the warehouse did: internal notes in a
//! record's chatter, to-do activities for someone to act on, and the
//! lookups they need (the sale order of a picking by its name).
//!
//! Plain text from Wharf is escaped and sent as HTML, so a `<` in a
//! warehouse message never becomes markup. A note is posted with
//! `body_is_html`, because Odoo 17 and later escape a plain `str` body
//! themselves and would escape Wharf's escaping a second time.
//!
//! Location lookups by complete name are [`crate::stock::locations_by_name`].

use serde_json::{json, Map, Value};

use crate::client::{Client, SearchOptions};
use crate::error::Error;
use crate::values::{id_of, text};

/// The subtype of an internal note: seen by employees, not sent to followers.
const NOTE_SUBTYPE: &str = "mail.mt_note";

/// An activity to schedule on a record, such as "check the short receipt".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRequest {
    /// The record's model, such as `stock.picking` or `sale.order`.
    pub model: String,
    /// The record's id.
    pub res_id: i64,
    /// The activity's title. It carries Wharf's reference (such as the
    /// event id), because a retry finds an existing activity by it.
    pub summary: String,
    /// Plain text with the details, shown under the summary.
    pub note: String,
    /// Due date `YYYY-MM-DD`, or `None` for Odoo's default, today.
    pub deadline: Option<String>,
}

/// The activity of a request, scheduled now or found from an earlier call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityOutcome {
    /// This call created the `mail.activity` with this id.
    Scheduled(i64),
    /// An open activity with the same summary on the record existed.
    AlreadyScheduled(i64),
}

/// Posts an internal note (message type `comment`, subtype `mail.mt_note`)
/// in a record's chatter and returns the `mail.message` id. Costs one call.
///
/// NOTE: a retry after a lost response posts the note again, because Odoo
/// keeps no caller reference on a message that could be looked up first.
pub async fn post_note(
    client: &Client,
    model: &str,
    res_id: i64,
    body: &str,
) -> Result<i64, Error> {
    let call = format!("{model}.message_post");
    check_record(&call, model, res_id)?;
    let response = client
        .call(
            model,
            "message_post",
            vec![json!([res_id])],
            note_kwargs(body),
        )
        .await?;
    let id = message_id(&response).ok_or_else(|| {
        Error::unexpected(
            &call,
            format!("expected the new message id, got {response}"),
        )
    })?;
    tracing::info!(
        model,
        res_id,
        message_id = id,
        "Posted a note in Odoo's chatter"
    );
    Ok(id)
}

/// Schedules an activity on a record unless an open one with the same
/// summary exists there. The activity type is Odoo's default (To-Do).
///
/// Costs one `mail.activity` `search_read` when the activity exists, and
/// three calls when it is created: that search, one `ir.model`
/// `search_read` and one `mail.activity` `create` with `res_model_id`,
/// `res_id`, `summary`, `note` (HTML) and `date_deadline`. Odoo picks the
/// default activity type from the context's `default_res_model_id` only,
/// not from the values, so the context names the model too. Odoo archives
/// or deletes an activity marked done, so a request repeated after that
/// schedules a new one.
///
/// NOTE: no recording shows an activity. The fields and the context default
/// come from reading Odoo's `mail.activity` source and are assumed to be
/// the same in Odoo 17, 18 and 19.
pub async fn schedule_activity(
    client: &Client,
    request: &ActivityRequest,
) -> Result<ActivityOutcome, Error> {
    check_request(request)?;
    let existing = client
        .search_read(
            "mail.activity",
            activity_domain(request),
            &["summary"],
            SearchOptions {
                order: Some("id".to_owned()),
                limit: Some(1),
                ..SearchOptions::default()
            },
        )
        .await?;
    if let Some(found) = existing.first() {
        tracing::info!(model = %request.model, res_id = request.res_id, activity = id_of(found), "Found the activity of an earlier attempt; nothing created");
        return Ok(ActivityOutcome::AlreadyScheduled(id_of(found)));
    }

    let model_id = model_id(client, &request.model).await?;
    let mut context = Map::new();
    context.insert("default_res_model_id".to_owned(), json!(model_id));
    let ids = client
        .create_with_context(
            "mail.activity",
            vec![activity_vals(request, model_id)],
            Some(context),
        )
        .await?;
    let id = ids[0];
    tracing::info!(model = %request.model, res_id = request.res_id, activity = id, "Scheduled an activity in Odoo");
    Ok(ActivityOutcome::Scheduled(id))
}

/// Returns the id of the sale order named `name` (such as `S00042`), `None`
/// when Odoo has none. Costs one call. When names repeat across companies,
/// the lowest id wins.
pub async fn sale_order_id(client: &Client, name: &str) -> Result<Option<i64>, Error> {
    let found = client
        .search_read(
            "sale.order",
            json!([["name", "=", name]]),
            &["name"],
            SearchOptions {
                order: Some("id".to_owned()),
                limit: Some(1),
                ..SearchOptions::default()
            },
        )
        .await?;
    Ok(found.first().map(id_of))
}

/// Returns the `ir.model` id of a model (one call).
async fn model_id(client: &Client, model: &str) -> Result<i64, Error> {
    let found = client
        .search_read(
            "ir.model",
            json!([["model", "=", model]]),
            &["model"],
            SearchOptions::default(),
        )
        .await?;
    found
        .iter()
        .find(|record| text(record, "model") == model)
        .map(id_of)
        .ok_or_else(|| {
            Error::Config(format!(
                "model {model:?} not found in Odoo's ir.model; install the Odoo module that provides it or schedule the activity on another record"
            ))
        })
}

/// Builds the keyword arguments of `message_post` for an internal note.
fn note_kwargs(body: &str) -> Map<String, Value> {
    let mut kwargs = Map::new();
    kwargs.insert("body".to_owned(), json!(paragraph_html(body)));
    kwargs.insert("body_is_html".to_owned(), json!(true));
    kwargs.insert("message_type".to_owned(), json!("comment"));
    kwargs.insert("subtype_xmlid".to_owned(), json!(NOTE_SUBTYPE));
    kwargs
}

/// Returns the domain that finds an open activity of the request.
fn activity_domain(request: &ActivityRequest) -> Value {
    json!([
        ["res_model", "=", request.model],
        ["res_id", "=", request.res_id],
        ["summary", "=", request.summary]
    ])
}

/// Builds the `mail.activity` create values. Without a deadline Odoo's
/// default applies, today in the user's time zone.
fn activity_vals(request: &ActivityRequest, model_id: i64) -> Map<String, Value> {
    let mut vals = Map::new();
    vals.insert("res_model_id".to_owned(), json!(model_id));
    vals.insert("res_id".to_owned(), json!(request.res_id));
    vals.insert("summary".to_owned(), json!(request.summary));
    vals.insert("note".to_owned(), json!(paragraph_html(&request.note)));
    if let Some(deadline) = &request.deadline {
        vals.insert("date_deadline".to_owned(), json!(deadline.trim()));
    }
    vals
}

/// Returns the id of a new message: Odoo 17 and 18 return it bare, because
/// `message_post` is declared to return one id, and Odoo 19 returns the
/// ids of the returned records, a list of one.
fn message_id(response: &Value) -> Option<i64> {
    match response {
        Value::Number(id) => id.as_i64(),
        Value::Array(ids) if ids.len() == 1 => ids[0].as_i64(),
        _ => None,
    }
}

/// Converts plain text to one HTML paragraph: markup characters escaped,
/// line breaks kept as `<br>`.
fn paragraph_html(plain: &str) -> String {
    let mut html = String::with_capacity(plain.len() + 7);
    html.push_str("<p>");
    for (index, line) in plain.lines().enumerate() {
        if index > 0 {
            html.push_str("<br>");
        }
        for character in line.chars() {
            match character {
                '&' => html.push_str("&amp;"),
                '<' => html.push_str("&lt;"),
                '>' => html.push_str("&gt;"),
                '"' => html.push_str("&#34;"),
                '\'' => html.push_str("&#39;"),
                other => html.push(other),
            }
        }
    }
    html.push_str("</p>");
    html
}

fn check_record(call: &str, model: &str, res_id: i64) -> Result<(), Error> {
    let problem = if model.trim().is_empty() {
        "the model is empty; name the record's model, such as stock.picking".to_owned()
    } else if res_id <= 0 {
        format!(
            "record id {res_id} is not a valid Odoo id; pass the id of an existing {model} record"
        )
    } else {
        return Ok(());
    };
    Err(Error::Request {
        call: call.to_owned(),
        detail: problem,
    })
}

/// Checks what Wharf builds itself: a record, a summary to find the
/// activity again, and a deadline Odoo can parse.
fn check_request(request: &ActivityRequest) -> Result<(), Error> {
    let call = "mail.activity.create";
    check_record(call, &request.model, request.res_id)?;
    if request.summary.trim().is_empty() {
        return Err(Error::Request {
            call: call.to_owned(),
            detail: "the activity summary is empty; put Wharf's reference in it so that a retry finds the activity".to_owned(),
        });
    }
    if let Some(deadline) = &request.deadline {
        if jiff::civil::Date::strptime("%Y-%m-%d", deadline.trim()).is_err() {
            return Err(Error::Request {
                call: call.to_owned(),
                detail: format!("the deadline {deadline:?} is not a date in the form YYYY-MM-DD"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ActivityRequest {
        ActivityRequest {
            model: "stock.picking".to_owned(),
            res_id: 7,
            summary: "Wharf: short receipt WH/IN/00003 (event 42)".to_owned(),
            note: "Received 5 < 8 units\nLot \"L-1\" & more".to_owned(),
            deadline: Some("2026-12-24".to_owned()),
        }
    }

    #[test]
    fn note_escapes_and_marks_html() {
        let kwargs = note_kwargs("a <b> & 'c'\nnext");
        assert_eq!(
            kwargs["body"],
            json!("<p>a &lt;b&gt; &amp; &#39;c&#39;<br>next</p>")
        );
        assert_eq!(kwargs["body_is_html"], json!(true));
        assert_eq!(kwargs["message_type"], json!("comment"));
        assert_eq!(kwargs["subtype_xmlid"], json!("mail.mt_note"));
        assert_eq!(kwargs.len(), 4);
    }

    #[test]
    fn empty_note_is_empty_paragraph() {
        assert_eq!(paragraph_html(""), "<p></p>");
    }

    #[test]
    fn message_id_of_each_version() {
        assert_eq!(message_id(&json!(31)), Some(31));
        assert_eq!(message_id(&json!([31])), Some(31));
        assert_eq!(message_id(&json!([31, 32])), None);
        assert_eq!(message_id(&json!(true)), None);
    }

    #[test]
    fn activity_domain_finds_by_summary() {
        assert_eq!(
            activity_domain(&request()),
            json!([
                ["res_model", "=", "stock.picking"],
                ["res_id", "=", 7],
                [
                    "summary",
                    "=",
                    "Wharf: short receipt WH/IN/00003 (event 42)"
                ]
            ])
        );
    }

    #[test]
    fn activity_vals_shape() {
        let vals = activity_vals(&request(), 316);
        assert_eq!(
            Value::Object(vals),
            json!({
                "res_model_id": 316,
                "res_id": 7,
                "summary": "Wharf: short receipt WH/IN/00003 (event 42)",
                "note": "<p>Received 5 &lt; 8 units<br>Lot &#34;L-1&#34; &amp; more</p>",
                "date_deadline": "2026-12-24",
            })
        );
    }

    #[test]
    fn activity_without_deadline_leaves_default() {
        let mut without = request();
        without.deadline = None;
        assert!(!activity_vals(&without, 316).contains_key("date_deadline"));
    }

    #[test]
    fn check_request_rejects_bad_input() {
        assert!(check_request(&request()).is_ok());
        let mut empty_summary = request();
        empty_summary.summary = "  ".to_owned();
        let error = check_request(&empty_summary).unwrap_err();
        assert!(error.to_string().contains("summary is empty"), "{error}");
        let mut bad_deadline = request();
        bad_deadline.deadline = Some("24.12.2026".to_owned());
        let error = check_request(&bad_deadline).unwrap_err();
        assert!(error.to_string().contains("\"24.12.2026\""), "{error}");
        let mut no_record = request();
        no_record.res_id = 0;
        assert!(check_request(&no_record).is_err());
    }
}
