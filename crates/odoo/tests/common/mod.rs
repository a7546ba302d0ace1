//! Test support: a loopback HTTP server with a scripted responder, and the
//! recorded Odoo wire transcripts.

#![allow(dead_code)]

pub mod fake;
pub mod inventory_fake;
pub mod lifecycle_fake;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use wharf_odoo::{Client, OdooConfig, Protocol};

/// One request the mock server received.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Incoming {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Returns (model, method, named arguments) for a JSON-2 or an
    /// `execute_kw` request, mapping JSON-RPC positional arguments to names.
    pub fn odoo_call(&self) -> Option<(String, String, serde_json::Map<String, Value>)> {
        if let Some(rest) = self.path.strip_prefix("/json/2/") {
            let (model, method) = rest.split_once('/')?;
            let body = self.json().as_object().cloned().unwrap_or_default();
            return Some((model.to_owned(), method.to_owned(), body));
        }
        let body = self.json();
        let params = body.get("params")?;
        if params.get("method")? != "execute_kw" {
            return None;
        }
        let args = params.get("args")?.as_array()?;
        let model = args.get(3)?.as_str()?.to_owned();
        let method = args.get(4)?.as_str()?.to_owned();
        let positional = args
            .get(5)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut named = args
            .get(6)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let names: &[&str] = match method.as_str() {
            "search_read" | "search" | "search_count" => &["domain"],
            "read" => &["ids", "fields"],
            "write" => &["ids", "vals"],
            "create" => &["vals_list"],
            _ => &["ids"],
        };
        for (name, value) in names.iter().zip(positional) {
            named.insert((*name).to_owned(), value);
        }
        Some((model, method, named))
    }

    /// Returns `service.method` for a JSON-RPC service call such as `common.version`.
    pub fn service_call(&self) -> Option<String> {
        let body = self.json();
        let params = body.get("params")?;
        Some(format!(
            "{}.{}",
            params.get("service")?.as_str()?,
            params.get("method")?.as_str()?
        ))
    }
}

/// A scripted response.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
}

impl Outgoing {
    /// Builds a response from a recorded response value: strings are sent as they
    /// are (HTML, text), anything else as JSON.
    pub fn recorded(status: u16, response: &Value) -> Self {
        let body = match response {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let location = if status == 303 {
            Some("/web/login?redirect=%2Fjson%2F2%2Fres.partner%2Fsearch_read%3F".to_owned())
        } else {
            None
        };
        Self {
            status,
            body,
            location,
        }
    }

    pub fn json(value: Value) -> Self {
        Self {
            status: 200,
            body: value.to_string(),
            location: None,
        }
    }

    /// Builds a JSON-RPC success envelope.
    pub fn rpc_result(result: Value) -> Self {
        Self::json(json!({"jsonrpc": "2.0", "id": 1, "result": result}))
    }
}

type Responder = Arc<dyn Fn(&Incoming) -> Outgoing + Send + Sync>;

/// A mock Odoo on 127.0.0.1 with a random port.
pub struct MockServer {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Incoming>>>,
}

impl MockServer {
    pub async fn start(responder: impl Fn(&Incoming) -> Outgoing + Send + Sync + 'static) -> Self {
        let responder: Responder = Arc::new(responder);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let responder = responder.clone();
                let log = log.clone();
                async move {
                    let incoming = Incoming {
                        method: method.to_string(),
                        path: uri.path().to_owned(),
                        headers: headers
                            .iter()
                            .map(|(k, v)| {
                                (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())
                            })
                            .collect(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let outgoing = responder(&incoming);
                    log.lock().unwrap().push(incoming);
                    respond(outgoing)
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, requests }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Incoming> {
        self.requests.lock().unwrap().clone()
    }
}

fn respond(outgoing: Outgoing) -> Response {
    let status = StatusCode::from_u16(outgoing.status).unwrap();
    let content_type = if outgoing.body.trim_start().starts_with('<') {
        "text/html; charset=utf-8"
    } else if serde_json::from_str::<Value>(&outgoing.body).is_ok() {
        "application/json"
    } else {
        "text/plain"
    };
    let mut response = (status, [("content-type", content_type)], outgoing.body).into_response();
    if let Some(location) = outgoing.location {
        response
            .headers_mut()
            .insert("location", location.parse().unwrap());
    }
    response
}

/// Returns the recorded HTTP status of an exchange.
pub fn status_of(exchange: &Value) -> u16 {
    u16::try_from(exchange["http_status"].as_u64().unwrap()).unwrap()
}

/// Returns the folder of recorded transcripts.
pub fn wire_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/odoo-wire")
}

/// Loads one transcript: a JSON array of exchanges.
pub fn transcript(version: &str, file: &str) -> Vec<Value> {
    let path = wire_dir().join(version).join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Builds a configuration for the mock, with the key in an environment
/// variable unique to the test.
pub fn config(url: &str, protocol: Protocol, key_env: &str, key: &str) -> OdooConfig {
    std::env::set_var(key_env, key);
    let mut config = OdooConfig::new(url, "wms", "integration");
    config.api_key_env = Some(key_env.to_owned());
    config.protocol = protocol;
    config.timeout_secs = 5;
    config.connect_timeout_secs = 2;
    config
}

/// Returns the recorded version response of a server: `common.version`'s result for
/// 17 and 18, `GET /json/version` for 19.
pub fn version_answer(version: &str) -> Value {
    match version {
        "odoo19" => transcript("odoo19", "01_whoami_version.json")[0]["response"].clone(),
        other => transcript(other, "01_auth_version.json")[0]["response"]["result"].clone(),
    }
}

/// Answers the connection calls (version and login) as the recorded
/// server did; `None` for any other request.
pub fn answer_connect(version: &str, request: &Incoming) -> Option<Outgoing> {
    if request.path == "/json/version" {
        return Some(match version {
            "odoo19" => Outgoing::json(version_answer("odoo19")),
            other => {
                let probe = &transcript(other, "00_json2_probe.json")[0];
                Outgoing::recorded(status_of(probe), &probe["response"])
            }
        });
    }
    match request.service_call().as_deref() {
        Some("common.version") => {
            let answer = match version {
                "odoo19" => transcript("odoo19", "01_whoami_version_jsonrpc.json")[0]["response"]
                    ["result"]
                    .clone(),
                other => version_answer(other),
            };
            Some(Outgoing::rpc_result(answer))
        }
        Some("common.authenticate") => Some(Outgoing::rpc_result(json!(6))),
        _ => None,
    }
}

/// Connects a client to the mock.
pub async fn connect(server: &MockServer, protocol: Protocol, key_env: &str) -> Client {
    let config = config(&server.url(), protocol, key_env, "test-key-0123456789");
    Client::connect(&config).await.unwrap()
}
