//! Error classification against the status codes and bodies real Odoo 17,
//! 18 and 19 sent, replayed by a loopback server.

mod common;

use common::{answer_connect, connect, status_of, transcript, MockServer, Outgoing};
use serde_json::{json, Map, Value};
use wharf_odoo::{Client, Error, ErrorKind, Protocol};

/// Stands in for the traceback Odoo sends in `debug`, to prove it never
/// reaches an error message.
const TRACEBACK: &str =
    "Traceback (most recent call last): File \"/opt/odoo/odoo/http.py\" SECRET-FRAME";

fn with_traceback(response: &Value) -> Value {
    match response {
        Value::String(text) if text == "<traceback removed>" => Value::String(TRACEBACK.to_owned()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), with_traceback(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(with_traceback).collect()),
        other => other.clone(),
    }
}

/// Serves the connection calls, then `answer` for every Odoo call.
async fn replay(version: &'static str, status: u16, response: Value) -> MockServer {
    MockServer::start(move |request| {
        answer_connect(version, request).unwrap_or_else(|| Outgoing::recorded(status, &response))
    })
    .await
}

fn assert_error(error: &Error, call: &str, name: Option<&str>, kind: ErrorKind, case: &str) {
    let display = error.to_string();
    assert_eq!(error.kind(), kind, "{case}: {display}");
    assert!(
        display.contains(call),
        "{case}: message does not name {call}: {display}"
    );
    if let Some(name) = name {
        assert!(
            display.contains(name),
            "{case}: message does not name {name}: {display}"
        );
        assert_eq!(error.odoo_name(), Some(name), "{case}");
    }
    assert!(
        !display.contains("SECRET-FRAME"),
        "{case}: traceback in Display: {display}"
    );
    assert!(
        !format!("{error:?}").contains("SECRET-FRAME"),
        "{case}: traceback in Debug"
    );
}

/// The model and method of a recorded `execute_kw`, or a stand-in call for
/// exchanges that are not one (service errors, malformed envelopes).
fn jsonrpc_call(request: &Value) -> (String, String) {
    let args = request.pointer("/params/args").and_then(Value::as_array);
    match args {
        Some(args)
            if args.len() >= 5
                && request.pointer("/params/method") == Some(&json!("execute_kw")) =>
        {
            (
                args[3].as_str().unwrap().to_owned(),
                args[4].as_str().unwrap().to_owned(),
            )
        }
        _ => ("res.partner".to_owned(), "search".to_owned()),
    }
}

fn expected_jsonrpc_kind(name: &str, message: &str) -> ErrorKind {
    match name {
        "odoo.exceptions.AccessDenied"
        | "odoo.exceptions.AccessError"
        | "odoo.exceptions.UserError"
        | "odoo.exceptions.ValidationError"
        | "odoo.exceptions.MissingError" => ErrorKind::Permanent,
        "psycopg2.OperationalError" => {
            assert!(message.contains("no_such_db"));
            ErrorKind::Permanent
        }
        "builtins.ValueError"
        | "builtins.AttributeError"
        | "builtins.IndexError"
        | "builtins.TypeError"
        | "builtins.KeyError" => ErrorKind::Defect,
        other => panic!("no expectation for {other}"),
    }
}

async fn jsonrpc_errors(version: &'static str) {
    let mut checked = 0;
    for (index, exchange) in transcript(version, "09_errors.json")
        .into_iter()
        .enumerate()
    {
        let status = status_of(&exchange);
        let response = with_traceback(&exchange["response"]);
        let data = response.pointer("/error/data").cloned();
        if status == 200 && data.is_none() {
            continue;
        }
        let (model, method) = jsonrpc_call(&exchange["request"]);
        let server = replay(version, status, response).await;
        let client = connect(
            &server,
            Protocol::JsonRpc,
            &format!("WHARF_TEST_KEY_RPC_{version}_{index}"),
        )
        .await;
        let error = client
            .call(&model, &method, vec![json!([1])], Map::new())
            .await
            .unwrap_err();
        let case = format!("{version} 09_errors #{index}");
        let call = format!("{model}.{method}");
        match data {
            Some(data) => {
                let name = data["name"].as_str().unwrap();
                let kind = expected_jsonrpc_kind(name, data["message"].as_str().unwrap());
                assert_error(&error, &call, Some(name), kind, &case);
            }
            // HTTP 400 with "Invalid JSON data" or an HTML page.
            None => assert_error(
                &error,
                &call,
                Some("werkzeug.exceptions.BadRequest"),
                ErrorKind::Defect,
                &case,
            ),
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} error exchanges checked");
}

#[tokio::test]
async fn odoo17_jsonrpc_errors() {
    jsonrpc_errors("odoo17").await;
}

#[tokio::test]
async fn odoo18_jsonrpc_errors() {
    jsonrpc_errors("odoo18").await;
}

#[tokio::test]
async fn odoo19_json2_errors() {
    use ErrorKind::{Defect, Permanent};
    let expected: &[(usize, Option<&str>, ErrorKind)] = &[
        (0, Some("werkzeug.exceptions.Unauthorized"), Permanent),
        (1, Some("werkzeug.exceptions.Unauthorized"), Permanent),
        (2, Some("odoo.exceptions.AccessError"), Permanent),
        (3, Some("odoo.exceptions.AccessError"), Permanent),
        (7, Some("odoo.exceptions.UserError"), Permanent),
        (11, Some("odoo.exceptions.UserError"), Permanent),
        (13, Some("odoo.exceptions.ValidationError"), Permanent),
        (15, Some("odoo.exceptions.MissingError"), Permanent),
        (16, Some("odoo.exceptions.MissingError"), Permanent),
        (18, Some("werkzeug.exceptions.NotFound"), Defect),
        (19, Some("werkzeug.exceptions.NotFound"), Defect),
        (20, Some("odoo.exceptions.AccessError"), Permanent),
        (21, Some("builtins.TypeError"), Defect),
        (22, Some("werkzeug.exceptions.UnprocessableEntity"), Defect),
        (23, Some("werkzeug.exceptions.UnprocessableEntity"), Defect),
        (24, Some("builtins.ValueError"), Defect),
        (
            25,
            Some("psycopg2.errors.InvalidTextRepresentation"),
            Defect,
        ),
        (26, Some("builtins.TypeError"), Defect),
        (27, Some("werkzeug.exceptions.BadRequest"), Defect),
        (28, Some("werkzeug.exceptions.NotFound"), Defect),
        (29, Some("werkzeug.exceptions.NotFound"), Defect),
        // 404 HTML page: the database named in X-Odoo-Database does not exist.
        (30, Some("werkzeug.exceptions.NotFound"), Permanent),
        // 415 HTML page: wrong Content-Type.
        (31, Some("werkzeug.exceptions.UnsupportedMediaType"), Defect),
        (32, Some("odoo.exceptions.UserError"), Permanent),
    ];
    let exchanges = transcript("odoo19", "09_errors.json");
    let failing = exchanges.iter().filter(|e| e["http_status"] != 200).count();
    assert_eq!(
        failing,
        expected.len(),
        "every failing exchange has an expectation"
    );

    for &(index, name, kind) in expected {
        let exchange = &exchanges[index];
        let status = status_of(exchange);
        let path = exchange["endpoint"]
            .as_str()
            .unwrap()
            .trim_start_matches("/json/2/");
        let (model, method) = path.split_once('/').unwrap_or((path, "search"));
        let server = replay("odoo19", status, with_traceback(&exchange["response"])).await;
        let client = connect(
            &server,
            Protocol::Json2,
            &format!("WHARF_TEST_KEY_J2_{index}"),
        )
        .await;
        let error = client
            .call(model, method, Vec::new(), Map::new())
            .await
            .unwrap_err();
        assert_error(
            &error,
            &format!("{model}.{method}"),
            name,
            kind,
            &format!("odoo19 09_errors #{index}"),
        );
    }
}

#[tokio::test]
async fn odoo19_jsonrpc_envelope_errors() {
    let exchanges = transcript("odoo19", "01_whoami_version_jsonrpc.json");
    for index in [6, 7, 8] {
        let exchange = &exchanges[index];
        let (model, method) = jsonrpc_call(&exchange["request"]);
        let server = replay("odoo19", 200, with_traceback(&exchange["response"])).await;
        let client = connect(
            &server,
            Protocol::JsonRpc,
            &format!("WHARF_TEST_KEY_19RPC_{index}"),
        )
        .await;
        let error = client
            .call(&model, &method, vec![json!([1])], Map::new())
            .await
            .unwrap_err();
        let name = exchange["response"]["error"]["data"]["name"]
            .as_str()
            .unwrap();
        assert_error(
            &error,
            &format!("{model}.{method}"),
            Some(name),
            ErrorKind::Permanent,
            &format!("#{index}"),
        );
    }
}

#[tokio::test]
async fn validate_cancelled_picking_is_permanent() {
    let exchanges = transcript("odoo19", "10_validate_done_again.json");
    let exchange = exchanges
        .iter()
        .find(|e| e["http_status"] == 422)
        .expect("a 422 exchange");
    let server = replay("odoo19", 422, with_traceback(&exchange["response"])).await;
    let client = connect(&server, Protocol::Json2, "WHARF_TEST_KEY_VALIDATE_CANCEL").await;
    let error = client
        .call(
            "stock.picking",
            "button_validate",
            vec![json!([6])],
            Map::new(),
        )
        .await
        .unwrap_err();
    assert_error(
        &error,
        "stock.picking.button_validate",
        Some("odoo.exceptions.UserError"),
        ErrorKind::Permanent,
        "422",
    );
}

#[tokio::test]
async fn json2_probe_on_odoo17_is_defect() {
    let probe = &transcript("odoo17", "00_json2_probe.json")[0];
    assert_eq!(probe["http_status"], 404);
    let server = replay("odoo19", 404, probe["response"].clone()).await;
    let client = connect(&server, Protocol::Json2, "WHARF_TEST_KEY_PROBE17").await;
    let error = client
        .call("res.partner", "search_read", vec![json!([])], Map::new())
        .await
        .unwrap_err();
    assert_error(
        &error,
        "res.partner.search_read",
        Some("werkzeug.exceptions.NotFound"),
        ErrorKind::Defect,
        "17 probe",
    );
    assert!(
        error.to_string().contains("protocol = \"jsonrpc\""),
        "{error}"
    );
}

#[tokio::test]
async fn json2_probe_on_odoo18_redirect_is_defect() {
    let probe = &transcript("odoo18", "00_json2_probe.json")[0];
    assert_eq!(probe["http_status"], 303);
    let server = replay("odoo19", 303, probe["response"].clone()).await;
    let client = connect(&server, Protocol::Json2, "WHARF_TEST_KEY_PROBE18").await;
    let error = client
        .call("res.partner", "search_read", vec![json!([])], Map::new())
        .await
        .unwrap_err();
    assert_error(
        &error,
        "res.partner.search_read",
        None,
        ErrorKind::Defect,
        "18 probe",
    );
    assert!(error.to_string().contains("HTTP 303"), "{error}");
    assert!(
        error.to_string().contains("protocol = \"jsonrpc\""),
        "{error}"
    );
}

#[tokio::test]
async fn forced_json2_on_odoo18_fails_at_connect() {
    let server = MockServer::start(|request| answer_connect("odoo18", request).unwrap()).await;
    let config = common::config(
        &server.url(),
        Protocol::Json2,
        "WHARF_TEST_KEY_FORCED18",
        "k",
    );
    let error = Client::connect(&config).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Defect, "{error}");
    assert!(error.to_string().contains("/json/version"), "{error}");
}

#[tokio::test]
async fn failed_login_names_login_and_database() {
    for version in ["odoo17", "odoo18"] {
        let exchange = transcript(version, "09_errors.json")[0].clone();
        assert_eq!(exchange["response"]["result"], false);
        let server = MockServer::start(move |request| match request.service_call().as_deref() {
            Some("common.authenticate") => Outgoing::json(exchange["response"].clone()),
            _ => answer_connect(version, request).unwrap(),
        })
        .await;
        let config = common::config(
            &server.url(),
            Protocol::Auto,
            &format!("WHARF_TEST_KEY_LOGIN_{version}"),
            "wrong",
        );
        let error = Client::connect(&config).await.unwrap_err();
        assert!(matches!(error, Error::LoginFailed { .. }), "{error:?}");
        assert_eq!(error.kind(), ErrorKind::Permanent);
        let display = error.to_string();
        assert!(
            display.contains("\"integration\"") && display.contains("\"wms\""),
            "{display}"
        );
    }
}

#[tokio::test]
async fn missing_result_key_is_null() {
    let exchange = transcript("odoo18", "06_inventory_quant_and_adjustment.json")[9].clone();
    assert!(exchange["response"].get("result").is_none());
    let server = replay("odoo18", 200, exchange["response"].clone()).await;
    let client = connect(&server, Protocol::JsonRpc, "WHARF_TEST_KEY_NONE").await;
    let mut kwargs = Map::new();
    kwargs.insert("context".to_owned(), json!({"inventory_mode": true}));
    let answer = client
        .call(
            "stock.quant",
            "action_apply_inventory",
            vec![json!([1, 14, 49])],
            kwargs,
        )
        .await;
    assert_eq!(answer.unwrap(), Value::Null);
}

#[tokio::test]
async fn transient_statuses_and_refused_connection() {
    for status in [429u16, 502, 503, 504] {
        let server = replay("odoo19", status, json!("<html>busy</html>")).await;
        let client = connect(
            &server,
            Protocol::Json2,
            &format!("WHARF_TEST_KEY_BUSY_{status}"),
        )
        .await;
        let error = client
            .call("sale.order", "read", vec![json!([1])], Map::new())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Transient, "{status}: {error}");
    }

    // A port that was open a moment ago and is closed now refuses connections.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let config = common::config(&url, Protocol::JsonRpc, "WHARF_TEST_KEY_REFUSED", "k");
    let error = Client::connect(&config).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transient, "{error}");
    assert!(error.to_string().contains("common.version"), "{error}");
}
