//! The two wire protocols behind one `execute` call.
//!
//! Both take a call in `execute_kw` form (model, method, positional
//! arguments, keyword arguments) and return the method's result as JSON.
//! JSON-RPC sends it as is; JSON-2 maps the positional arguments to the
//! method's parameter names (see [`json2::named_arguments`]).

pub(crate) mod json2;
pub(crate) mod jsonrpc;

use std::time::Duration;

use serde_json::{Map, Value};

use crate::config::{OdooConfig, Protocol};
use crate::error::{excerpt, server_error, Error, ErrorKind};

/// One configured protocol.
#[derive(Debug)]
pub(crate) enum Transport {
    JsonRpc(jsonrpc::JsonRpc),
    Json2(json2::Json2),
}

impl Transport {
    pub(crate) async fn execute(
        &self,
        model: &str,
        method: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
    ) -> Result<Value, Error> {
        match self {
            Self::JsonRpc(rpc) => rpc.execute_kw(model, method, args, kwargs).await,
            Self::Json2(json2) => json2.execute(model, method, args, kwargs).await,
        }
    }

    pub(crate) fn protocol(&self) -> Protocol {
        match self {
            Self::JsonRpc(_) => Protocol::JsonRpc,
            Self::Json2(_) => Protocol::Json2,
        }
    }
}

/// Builds the HTTP client with the configured time limits. Redirects are not
/// followed: a redirect to `/web/login` means the route does not exist.
pub(crate) fn http_client(config: &OdooConfig) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(config.timeout_secs))
        .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("wharf-odoo/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| Error::Config(format!("cannot build the HTTP client: {error}")))
}

/// Joins the base URL and a path without doubling the slash.
pub(crate) fn endpoint(base: &str, path: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path)
}

/// Turns a failed send (connect, timeout, reset) into an error.
pub(crate) fn connection_error(call: &str, url: &str, source: reqwest::Error) -> Error {
    let detail = if source.is_timeout() {
        "timed out"
    } else if source.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    Error::Connection {
        call: call.to_owned(),
        url: url.to_owned(),
        detail: detail.to_owned(),
        source,
    }
}

/// A response read in full.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) body: String,
}

pub(crate) async fn read_response(
    call: &str,
    url: &str,
    response: reqwest::Response,
) -> Result<RawResponse, Error> {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .text()
        .await
        .map_err(|source| connection_error(call, url, source))?;
    Ok(RawResponse {
        status,
        location,
        body,
    })
}

/// Builds the error for an Odoo error object (`{name, message, debug, ...}`),
/// logging the traceback at debug level and leaving it out of the error.
pub(crate) fn odoo_error(call: &str, data: &Value, status: u16) -> Error {
    let name = data
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let message = data.get("message").and_then(Value::as_str).unwrap_or("");
    if let Some(traceback) = data.get("debug").and_then(Value::as_str) {
        tracing::debug!(
            call,
            name,
            traceback,
            "Odoo returned an error with a traceback"
        );
    }
    server_error(call, name, message, status)
}

/// Builds the error for a response whose body is not the JSON expected.
pub(crate) fn http_error(call: &str, raw: &RawResponse) -> Error {
    let looks_html = raw.body.trim_start().starts_with('<');
    let (name, kind, hint): (Option<&str>, ErrorKind, &'static str) = match raw.status {
        300..=399 if raw.location.as_deref().unwrap_or(&raw.body).contains("/web/login") => (
            None,
            ErrorKind::Defect,
            "the server redirects to /web/login, so it has no JSON-2 API (Odoo 18 or older): set protocol = \"jsonrpc\"",
        ),
        404 if looks_html && raw.body.contains("No database is selected") => (
            Some("werkzeug.exceptions.NotFound"),
            ErrorKind::Permanent,
            "the database does not exist on this server: check `database` in the odoo configuration",
        ),
        404 if looks_html => (
            Some("werkzeug.exceptions.NotFound"),
            ErrorKind::Defect,
            "the server has no such route; an Odoo older than 19 has no JSON-2 API: set protocol = \"jsonrpc\"",
        ),
        415 => (
            Some("werkzeug.exceptions.UnsupportedMediaType"),
            ErrorKind::Defect,
            "the request's Content-Type was rejected: report this to IT",
        ),
        400 => (
            Some("werkzeug.exceptions.BadRequest"),
            ErrorKind::Defect,
            "Odoo could not parse the request body: report this to IT",
        ),
        408 | 429 | 502 | 503 | 504 => (None, ErrorKind::Transient, "retry later"),
        200 => (
            None,
            ErrorKind::Defect,
            "Odoo answered without JSON; check that `url` points at the Odoo server itself",
        ),
        status => (
            None,
            crate::error::classify_status(status),
            "check the Odoo server log for this request",
        ),
    };
    Error::Http {
        call: call.to_owned(),
        status: raw.status,
        name: name.map(str::to_owned),
        excerpt: excerpt(&raw.body),
        kind,
        hint,
    }
}
