//! The JSON-2 API of Odoo 19 (`POST /json/2/<model>/<method>` with a bearer
//! API key and named arguments, real HTTP statuses) and what Odoo 17 and 18
//! return on the same paths (a 404 page and a redirect to the login page).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::dispatch::{self, Call};
use super::error::OdooError;
use super::rpc::unexpected_keyword;
use super::sim::{OdooSim, UNAVAILABLE};

/// `GET /json/version`.
pub(crate) async fn version(State(sim): State<OdooSim>) -> Response {
    let info = super::rpc::version_info(sim.version());
    let body =
        json!({ "version_info": info["server_version_info"], "version": info["server_version"] });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn error_response(error: &OdooError) -> Response {
    if error.name == UNAVAILABLE {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    let status =
        StatusCode::from_u16(error.json2_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        error.data().to_string(),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// Builds the response of a version without JSON-2 to a JSON-2 path.
fn without_json2(version: u8, path: &str) -> Response {
    if version <= 17 {
        return html(StatusCode::NOT_FOUND, "<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset=\"utf-8\"/>\n        <title>Odoo</title>\n    </head>\n    <body><h1>404: Page not found</h1></body>\n</html>\n".into());
    }
    let target = format!("/web/login?redirect={}%3F", path.replace('/', "%2F"));
    let page = format!("<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"{target}\">{target}</a>. If not, click the link.\n");
    let mut response = html(StatusCode::SEE_OTHER, page);
    if let Ok(location) = header::HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn not_post() -> Response {
    error_response(&OdooError::werkzeug(
        "NotFound",
        404,
        "Did you mean POST /json/2/<model>/<method>?",
    ))
}

/// Any `/json/2/<model>` path without a method.
pub(crate) async fn model_only(State(sim): State<OdooSim>, Path(model): Path<String>) -> Response {
    if sim.version() < 19 {
        return without_json2(sim.version(), &format!("/json/2/{model}"));
    }
    not_post()
}

/// `/json/2/<model>/<method>`.
pub(crate) async fn call(
    State(sim): State<OdooSim>,
    method: Method,
    Path((model, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if sim.version() < 19 {
        return without_json2(sim.version(), &format!("/json/2/{model}/{name}"));
    }
    if let Some(database) = headers.get("x-odoo-database").and_then(|v| v.to_str().ok()) {
        if database != sim.options().database {
            return html(StatusCode::NOT_FOUND, "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n".into());
        }
    }
    if method != Method::POST {
        return not_post();
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return html(StatusCode::UNSUPPORTED_MEDIA_TYPE, "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try again.</p>\n".into());
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let key = authorization
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("bearer "))
        .map(|_| authorization[7..].trim());
    let uid = match key {
        None => {
            return error_response(&OdooError::werkzeug(
                "Unauthorized",
                401,
                "User not authenticated, use an API Key with a Bearer Authorization header.",
            ))
        }
        Some(key) => match sim.uid_for_key(key) {
            Some(uid) => uid,
            None => {
                return error_response(&OdooError::werkzeug("Unauthorized", 401, "Invalid apikey"))
            }
        },
    };
    let arguments: Map<String, Value> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => Map::new(),
        Err(error) => {
            return error_response(&OdooError::werkzeug(
                "BadRequest",
                400,
                format!("could not parse the body as json: {error}"),
            ))
        }
    };
    match build_call(&sim, &model, &name, uid, arguments) {
        Ok(call) => match sim.run(&call) {
            Ok(value) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                value.to_string(),
            )
                .into_response(),
            Err(error) => error_response(&error),
        },
        Err(error) => {
            sim.count(&format!("{model}.{name}"));
            error_response(&error)
        }
    }
}

fn build_call(
    sim: &OdooSim,
    model: &str,
    method: &str,
    uid: i64,
    mut arguments: Map<String, Value>,
) -> Result<Call, OdooError> {
    if !dispatch::model_exists(&sim.db(), model) {
        return Err(OdooError::werkzeug(
            "NotFound",
            404,
            format!("the model '{model}' does not exist"),
        ));
    }
    let context = match arguments.remove("context") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let ids_value = arguments.remove("ids");

    let mut call = Call {
        model: model.to_owned(),
        method: method.to_owned(),
        ids: None,
        params: Map::new(),
        context,
        uid,
    };
    if method.starts_with('_') {
        return Ok(call);
    }

    let Some((record_method, names)) = dispatch::signature(sim.version(), model, method) else {
        return Err(OdooError::werkzeug(
            "NotFound",
            404,
            format!("The method '{model}.{method}' does not exist"),
        ));
    };
    if let Some(ids) = ids_value {
        if !record_method {
            return Err(OdooError::werkzeug(
                "UnprocessableEntity",
                422,
                format!("cannot call {model}.{method} with ids"),
            ));
        }
        let list = match ids {
            Value::Array(items) => items,
            other => vec![other],
        };
        let mut parsed = Vec::new();
        for item in &list {
            match item.as_i64() {
                Some(id) => parsed.push(id),
                None => {
                    let text = item
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| item.to_string());
                    return Err(OdooError::new(
                        "psycopg2.errors.InvalidTextRepresentation",
                        format!("invalid input syntax for type integer: \"{text}\""),
                    ));
                }
            }
        }
        call.ids = Some(parsed);
    } else if record_method {
        call.ids = Some(Vec::new());
    }

    for required in ["vals", "vals_list"] {
        if names.contains(&required) && !arguments.contains_key(required) {
            return Err(OdooError::werkzeug(
                "UnprocessableEntity",
                422,
                format!("missing a required argument: '{required}'"),
            ));
        }
    }
    if method == "has_group" && !arguments.contains_key("group_ext_id") {
        return Err(OdooError::werkzeug(
            "UnprocessableEntity",
            422,
            "missing a required argument: 'group_ext_id'",
        ));
    }
    if let Some(Value::String(text)) = arguments.get("domain") {
        return Err(OdooError::type_error(format!(
            "Domain() invalid argument type for domain: {}",
            serde_json::to_string(text).unwrap_or_default()
        )));
    }
    for (key, value) in arguments {
        if !names.contains(&key.as_str()) {
            return Err(unexpected_keyword(method, &key));
        }
        call.params.insert(key, value);
    }
    Ok(call)
}
