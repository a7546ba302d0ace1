//! JSON-RPC: `POST /jsonrpc` with `common.version`, `common.authenticate` and
//! `object.execute_kw(db, uid, key, model, method, args, kwargs)`.
//!
//! Odoo returns HTTP 200 for every error here; the error's class is in
//! `error.data.name`. A method that returns `None` yields a response with no
//! `result` member at all, which this module returns as `Value::Null`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Map, Value};

use super::{connection_error, endpoint, http_error, odoo_error, read_response};
use crate::config::Secret;
use crate::error::Error;

/// A JSON-RPC session: stateless on the server, the key goes with every call.
#[derive(Debug)]
pub(crate) struct JsonRpc {
    http: reqwest::Client,
    url: String,
    database: String,
    key: Secret,
    uid: i64,
    next_id: AtomicU64,
}

impl JsonRpc {
    /// Builds a session that has not logged in yet (`uid` 0).
    pub(crate) fn new(http: reqwest::Client, base_url: &str, database: &str, key: Secret) -> Self {
        Self {
            http,
            url: endpoint(base_url, "/jsonrpc"),
            database: database.to_owned(),
            key,
            uid: 0,
            next_id: AtomicU64::new(1),
        }
    }

    /// Calls `common.authenticate` and keeps the uid. A `false` result is a
    /// [`Error::LoginFailed`] naming the login and the database.
    pub(crate) async fn authenticate(&mut self, login: &str) -> Result<i64, Error> {
        let args = vec![
            json!(self.database),
            json!(login),
            json!(self.key.expose()),
            json!({}),
        ];
        let answer = self.call_service("common", "authenticate", args).await?;
        match answer {
            Value::Number(uid) => {
                let uid = uid.as_i64().ok_or_else(|| {
                    Error::unexpected("common.authenticate", "the uid is not an integer")
                })?;
                self.uid = uid;
                Ok(uid)
            }
            Value::Bool(false) => Err(Error::LoginFailed {
                login: login.to_owned(),
                database: self.database.clone(),
            }),
            other => Err(Error::unexpected(
                "common.authenticate",
                format!("expected a uid or false, got {}", short(&other)),
            )),
        }
    }

    pub(crate) async fn execute_kw(
        &self,
        model: &str,
        method: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
    ) -> Result<Value, Error> {
        let call = format!("{model}.{method}");
        let params = vec![
            json!(self.database),
            json!(self.uid),
            json!(self.key.expose()),
            json!(model),
            json!(method),
            Value::Array(args),
            Value::Object(kwargs),
        ];
        self.post(&call, "object", "execute_kw", params).await
    }

    /// Calls a service method such as `common.version`.
    pub(crate) async fn call_service(
        &self,
        service: &str,
        method: &str,
        args: Vec<Value>,
    ) -> Result<Value, Error> {
        let call = format!("{service}.{method}");
        self.post(&call, service, method, args).await
    }

    async fn post(
        &self,
        call: &str,
        service: &str,
        method: &str,
        args: Vec<Value>,
    ) -> Result<Value, Error> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": id,
        });
        let response = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|source| connection_error(call, &self.url, source))?;
        let raw = read_response(call, &self.url, response).await?;
        parse_response(call, &raw)
    }
}

/// Parses a JSON-RPC response: `result`, `error`, or neither (a `None` result).
pub(crate) fn parse_response(call: &str, raw: &super::RawResponse) -> Result<Value, Error> {
    if raw.status != 200 {
        return Err(http_error(call, raw));
    }
    let Ok(envelope) = serde_json::from_str::<Value>(&raw.body) else {
        return Err(http_error(call, raw));
    };
    let Some(envelope) = envelope.as_object() else {
        return Err(Error::unexpected(
            call,
            "the JSON-RPC answer is not an object",
        ));
    };
    if let Some(error) = envelope.get("error") {
        let data = error.get("data").unwrap_or(error);
        return Err(odoo_error(call, data, raw.status));
    }
    Ok(envelope.get("result").cloned().unwrap_or(Value::Null))
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    text.chars().take(80).collect()
}
