//! `POST /jsonrpc`: the JSON-RPC envelope of Odoo's external API (services
//! `common` and `object`), always HTTP 200 with `error.data.name` on failure,
//! except bodies that are not JSON (400).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::dispatch::{self, Call};
use super::error::OdooError;
use super::sim::{OdooSim, UNAVAILABLE};

/// Returns `common.version` for the simulated release.
pub(crate) fn version_info(version: u8) -> Value {
    let (text, serie) = match version {
        17 => ("17.0-20240709", "17.0"),
        18 => ("18.0-20250506", "18.0"),
        _ => ("19.0+e-20251227", "19.0"),
    };
    json!({
        "server_version": text,
        "server_version_info": [version, 0, 0, "final", 0, ""],
        "server_serie": serie,
        "protocol_version": 1,
    })
}

fn unknown_database(name: &str) -> OdooError {
    OdooError::new(
        "psycopg2.OperationalError",
        format!("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"{name}\" does not exist\n"),
    )
}

pub(crate) async fn handle(
    State(sim): State<OdooSim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        let page = "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;/jsonrpc&#39; is type=&#39;json&#39;.</p>\n";
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response();
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Invalid JSON data",
        )
            .into_response();
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let params = request
        .get("params")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    match dispatch_rpc(&sim, &params) {
        // Odoo leaves `result` out when the method returned `None`.
        Ok(Value::Null) => json_response(json!({ "jsonrpc": "2.0", "id": id })),
        Ok(result) => json_response(json!({ "jsonrpc": "2.0", "id": id, "result": result })),
        Err(error) if error.name == UNAVAILABLE => {
            (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response()
        }
        Err(error) => {
            let code = if sim.version() >= 19 { 0 } else { 200 };
            json_response(json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": { "code": code, "message": "Odoo Server Error", "data": error.data() },
            }))
        }
    }
}

fn json_response(body: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn dispatch_rpc(sim: &OdooSim, params: &Map<String, Value>) -> Result<Value, OdooError> {
    let service = params.get("service").and_then(Value::as_str).unwrap_or("");
    let method = params.get("method").and_then(Value::as_str).unwrap_or("");
    let Some(args) = params.get("args").and_then(Value::as_array) else {
        return Err(OdooError::type_error(
            "RPC.jsonrpc() missing 1 required positional argument: 'args'",
        ));
    };
    let database = &sim.options().database;
    let text = |i: usize| args.get(i).and_then(Value::as_str).unwrap_or("").to_owned();

    match (service, method) {
        ("common", "version") => {
            sim.count("common.version");
            Ok(version_info(sim.version()))
        }
        ("common", "login" | "authenticate") => {
            sim.count(&format!("common.{method}"));
            if &text(0) != database {
                return Err(unknown_database(&text(0)));
            }
            Ok(sim
                .authenticate(&text(1), &text(2))
                .map_or(Value::Bool(false), |uid| json!(uid)))
        }
        ("object", "execute_kw" | "execute") => execute_kw(sim, method, args),
        ("common" | "object" | "db", _) => Err(OdooError::new(
            "builtins.AttributeError",
            format!("'{service}' service has no method '{method}'"),
        )),
        _ => Err(OdooError::new("builtins.KeyError", service)),
    }
}

fn execute_kw(sim: &OdooSim, rpc_method: &str, args: &[Value]) -> Result<Value, OdooError> {
    if args.len() < 5 || (rpc_method == "execute_kw" && args.len() < 6) {
        let missing: Vec<&str> = ["db", "uid", "passwd", "model", "method", "args"]
            .into_iter()
            .skip(args.len())
            .collect();
        let names = match missing.as_slice() {
            [one] => format!("'{one}'"),
            [init @ .., last] => format!(
                "{} and '{last}'",
                init.iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [] => String::new(),
        };
        let plural = if missing.len() == 1 {
            "argument"
        } else {
            "arguments"
        };
        return Err(OdooError::type_error(format!(
            "{rpc_method}() missing {} required positional {plural}: {names}",
            missing.len()
        )));
    }
    let database = args[0].as_str().unwrap_or("");
    let uid = args[1].as_i64().unwrap_or(0);
    let secret = args[2].as_str().unwrap_or("");
    let model = args[3].as_str().unwrap_or("").to_owned();
    let method = args[4].as_str().unwrap_or("").to_owned();
    let (positional, mut kwargs) = if rpc_method == "execute_kw" {
        (
            args[5].as_array().cloned().unwrap_or_default(),
            args.get(6)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        )
    } else {
        (args[5..].to_vec(), Map::new())
    };

    if database != sim.options().database {
        sim.count(&format!("{model}.{method}"));
        return Err(unknown_database(database));
    }
    if !sim.check_uid(uid, secret) {
        sim.count(&format!("{model}.{method}"));
        return Err(OdooError::new(
            "odoo.exceptions.AccessDenied",
            "Access Denied",
        ));
    }
    let context = match kwargs.remove("context") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut call = Call {
        model: model.clone(),
        method: method.clone(),
        ids: None,
        params: Map::new(),
        context,
        uid,
    };

    let version = sim.version();
    let exists = dispatch::model_exists(&sim.db(), &model);
    if !exists {
        sim.count(&format!("{model}.{method}"));
        return Err(OdooError::user(format!("Object {model} doesn't exist")));
    }
    if !method.starts_with('_') {
        let Some((record_method, names)) = dispatch::signature(version, &model, &method) else {
            sim.count(&format!("{model}.{method}"));
            let message = if version <= 17 {
                format!("The method '{method}' does not exist on the model '{model}'")
            } else {
                format!("The method '{model}.{method}' does not exist")
            };
            return Err(OdooError::new("builtins.AttributeError", message));
        };
        let mut rest = positional.into_iter();
        if record_method {
            let ids = match rest.next() {
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_i64).collect(),
                Some(Value::Number(n)) => n.as_i64().into_iter().collect(),
                _ => Vec::new(),
            };
            call.ids = Some(ids);
        }
        for (name, value) in names.iter().zip(rest) {
            call.params.insert((*name).to_owned(), value);
        }
        for (key, value) in kwargs {
            if !names.contains(&key.as_str()) {
                sim.count(&format!("{model}.{method}"));
                return Err(unexpected_keyword(&method, &key));
            }
            call.params.insert(key, value);
        }
    }
    sim.run(&call)
}

/// Builds the `TypeError` Python raises for an unknown keyword argument.
pub(crate) fn unexpected_keyword(method: &str, key: &str) -> OdooError {
    let function = match method {
        "read" | "search_read" => "BaseModel._read_format()".to_owned(),
        other => format!("BaseModel.{other}()"),
    };
    OdooError::type_error(format!(
        "{function} got an unexpected keyword argument '{key}'"
    ))
}
