//! JSON-2 (Odoo 19 and later): `POST /json/2/<model>/<method>` with
//! `Authorization: bearer <key>` and `X-Odoo-Database`, keyword arguments in
//! the body (`ids` and `context` among them) and the bare result as response body.
//!
//! Errors carry real HTTP statuses and a body `{name, message, arguments,
//! context, debug}`; some (unknown database, wrong content type) are HTML.

use serde_json::{Map, Value};

use super::{connection_error, endpoint, http_error, odoo_error, read_response, RawResponse};
use crate::config::Secret;
use crate::error::Error;

/// A JSON-2 session: the api key identifies the user, there is no login call.
#[derive(Debug)]
pub(crate) struct Json2 {
    http: reqwest::Client,
    base_url: String,
    database: String,
    key: Secret,
}

impl Json2 {
    pub(crate) fn new(http: reqwest::Client, base_url: &str, database: &str, key: Secret) -> Self {
        Self {
            http,
            base_url: base_url.to_owned(),
            database: database.to_owned(),
            key,
        }
    }

    pub(crate) async fn execute(
        &self,
        model: &str,
        method: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
    ) -> Result<Value, Error> {
        let call = format!("{model}.{method}");
        let body = named_arguments(model, method, args, kwargs)?;
        let url = endpoint(&self.base_url, &format!("/json/2/{model}/{method}"));
        let response = self
            .http
            .post(&url)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("bearer {}", self.key.expose()),
            )
            .header("X-Odoo-Database", &self.database)
            .json(&Value::Object(body))
            .send()
            .await
            .map_err(|source| connection_error(&call, &url, source))?;
        let raw = read_response(&call, &url, response).await?;
        parse_response(&call, &raw)
    }
}

/// Parses a JSON-2 response: the bare result on 200, an error body otherwise.
pub(crate) fn parse_response(call: &str, raw: &RawResponse) -> Result<Value, Error> {
    let parsed = serde_json::from_str::<Value>(&raw.body);
    match (raw.status, parsed) {
        (200, Ok(value)) => Ok(value),
        (_, Ok(body)) if body.get("name").and_then(Value::as_str).is_some() => {
            Err(odoo_error(call, &body, raw.status))
        }
        _ => Err(http_error(call, raw)),
    }
}

/// Parameter names of the `@api.model` methods (no `ids`) this client uses.
fn model_method_parameters(method: &str) -> Option<&'static [&'static str]> {
    Some(match method {
        "search_read" => &["domain", "fields", "offset", "limit", "order"],
        "search" => &["domain", "offset", "limit", "order"],
        "search_count" => &["domain", "limit"],
        "create" => &["vals_list"],
        "fields_get" => &["allfields", "attributes"],
        "name_search" => &["name", "domain", "operator", "limit"],
        "read_group" => &[
            "domain", "fields", "groupby", "offset", "limit", "orderby", "lazy",
        ],
        "formatted_read_group" => &[
            "domain",
            "groupby",
            "aggregates",
            "having",
            "offset",
            "limit",
            "order",
        ],
        "default_get" => &["fields_list"],
        "context_get" => &[],
        "check_access_rights" => &["operation", "raise_exception"],
        _ => return None,
    })
}

/// Parameter names after `ids` for the record methods this client uses;
/// other record methods (buttons such as `button_validate`) take only `ids`.
fn record_method_parameters(method: &str) -> &'static [&'static str] {
    match method {
        "read" => &["fields", "load"],
        "write" => &["vals"],
        "has_group" => &["group_ext_id"],
        "has_access" => &["operation"],
        "copy" => &["default"],
        _ => &[],
    }
}

/// Maps an `execute_kw` call (positional `args`, keyword `kwargs`) to the
/// JSON-2 body of named arguments.
///
/// Record methods take their first positional argument as `ids`. `create`
/// given one values object sends it as a one-element `vals_list`, so it
/// returns a list of one id where JSON-RPC returns the bare id.
pub(crate) fn named_arguments(
    model: &str,
    method: &str,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Map<String, Value>, Error> {
    let mut body = Map::new();
    let mut args = args.into_iter();
    let names = if let Some(names) = model_method_parameters(method) {
        names
    } else {
        if let Some(ids) = args.next() {
            let ids = match ids {
                Value::Number(_) => Value::Array(vec![ids]),
                other => other,
            };
            body.insert("ids".to_owned(), ids);
        }
        record_method_parameters(method)
    };

    let remaining: Vec<Value> = args.collect();
    if remaining.len() > names.len() {
        return Err(Error::Request {
            call: format!("{model}.{method}"),
            detail: format!(
                "{} positional arguments have no known JSON-2 parameter name; pass them as keyword arguments",
                remaining.len() - names.len()
            ),
        });
    }
    for (name, value) in names.iter().zip(remaining) {
        let value = match (*name, value) {
            ("vals_list", Value::Object(vals)) => Value::Array(vec![Value::Object(vals)]),
            (_, value) => value,
        };
        body.insert((*name).to_owned(), value);
    }

    for (name, value) in kwargs {
        body.insert(name, value);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(method: &str, args: Value, kwargs: Value) -> Value {
        let args = args.as_array().unwrap().clone();
        let kwargs = kwargs.as_object().unwrap().clone();
        Value::Object(named_arguments("stock.picking", method, args, kwargs).unwrap())
    }

    #[test]
    fn search_read_positional_to_named() {
        let mapped = body(
            "search_read",
            json!([[["state", "=", "assigned"]], ["name"]]),
            json!({"limit": 5}),
        );
        assert_eq!(
            mapped,
            json!({"domain": [["state", "=", "assigned"]], "fields": ["name"], "limit": 5})
        );
    }

    #[test]
    fn read_and_write_take_ids() {
        assert_eq!(
            body("read", json!([[1, 2], ["name"]]), json!({})),
            json!({"ids": [1, 2], "fields": ["name"]})
        );
        assert_eq!(
            body(
                "write",
                json!([[1], {"carrier_tracking_ref": "X"}]),
                json!({})
            ),
            json!({"ids": [1], "vals": {"carrier_tracking_ref": "X"}})
        );
    }

    #[test]
    fn create_wraps_single_values() {
        assert_eq!(
            body("create", json!([{"name": "L1"}]), json!({})),
            json!({"vals_list": [{"name": "L1"}]})
        );
    }

    #[test]
    fn button_method_takes_ids_and_context() {
        let mapped = body(
            "button_validate",
            json!([[1, 2]]),
            json!({"context": {"skip_sms": true}}),
        );
        assert_eq!(
            mapped,
            json!({"ids": [1, 2], "context": {"skip_sms": true}})
        );
    }

    #[test]
    fn extra_positional_argument_rejected() {
        let error = named_arguments(
            "stock.picking",
            "button_validate",
            vec![json!([1]), json!(2)],
            Map::new(),
        );
        assert!(error.is_err());
    }
}
