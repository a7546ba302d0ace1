//! The Odoo client: connection, version detection, generic calls and call
//! accounting.
//!
//! The client never retries: a failed call returns an [`Error`] whose kind
//! decides whether the engine retries with backoff. Every call runs in an
//! `odoo_call` tracing span with the model and method, is logged at debug
//! level with its duration, and is counted by `model.method`. Every call,
//! including the version and login calls of [`Client::connect`], also
//! updates [`CALLS_METRIC`] and [`CALL_DURATION_METRIC`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde_json::{json, Map, Value};
use tracing::Instrument;

use crate::config::{OdooConfig, Protocol};
use crate::error::Error;
use crate::transport::json2::Json2;
use crate::transport::jsonrpc::JsonRpc;
use crate::transport::{self, endpoint, http_client, Transport};
use crate::version::{Dialect, ServerVersion};

/// Counter of Odoo calls, labelled `model`, `method` and `outcome` (`ok`, or
/// the [`crate::ErrorKind`] of the failure: `transient`, `permanent`, `defect`).
pub const CALLS_METRIC: &str = "wharf_odoo_calls_total";

/// Histogram of Odoo call durations in seconds, labelled `model` and `method`.
pub const CALL_DURATION_METRIC: &str = "wharf_odoo_call_duration_seconds";

/// Optional arguments of `search` and `search_read`.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Number of records to skip.
    pub offset: Option<u32>,
    /// Maximum number of records to return.
    pub limit: Option<u32>,
    /// Sort order, such as `write_date asc, id asc`.
    pub order: Option<String>,
    /// Context passed to the method.
    pub context: Option<Map<String, Value>>,
}

/// A connected Odoo client. Cloning it shares the connection, the caches and
/// the call counts.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    version: ServerVersion,
    page_size: u32,
    uid: Mutex<Option<i64>>,
    counts: Mutex<BTreeMap<String, u64>>,
    carriers: Mutex<HashMap<String, i64>>,
    outgoing_types: Mutex<HashMap<String, Vec<i64>>>,
}

impl Client {
    /// Connects to Odoo: reads the api key, detects the version (and with
    /// `Protocol::Auto` the protocol), and logs in when the protocol is
    /// JSON-RPC. Costs two calls: the version and, over JSON-RPC, the login.
    pub async fn connect(config: &OdooConfig) -> Result<Self, Error> {
        let key = config.load_api_key()?;
        let http = http_client(config)?;
        let mut counts = BTreeMap::new();

        let mut rpc = JsonRpc::new(http.clone(), &config.url, &config.database, key.clone());
        let version = match config.protocol {
            Protocol::JsonRpc => rpc_version(&rpc, &mut counts).await?,
            Protocol::Json2 => json_version(&http, &config.url, &mut counts).await?,
            Protocol::Auto => match json_version(&http, &config.url, &mut counts).await {
                Ok(version) => version,
                Err(error) => {
                    tracing::debug!(%error, "GET /json/version failed, asking common.version over JSON-RPC");
                    rpc_version(&rpc, &mut counts).await?
                }
            },
        };
        version.check_supported()?;

        let use_json2 = match config.protocol {
            Protocol::Json2 => true,
            Protocol::JsonRpc => false,
            Protocol::Auto => version.has_json2(),
        };
        let mut uid = None;
        let transport = if use_json2 {
            Transport::Json2(Json2::new(http, &config.url, &config.database, key))
        } else {
            *counts.entry("common.authenticate".to_owned()).or_default() += 1;
            let started = Instant::now();
            let login = rpc.authenticate(&config.login).await;
            uid = Some(observe("common", "authenticate", started, login)?);
            Transport::JsonRpc(rpc)
        };
        tracing::info!(
            url = %config.url,
            database = %config.database,
            version = %version.text,
            protocol = ?transport.protocol(),
            "Connected to Odoo"
        );

        Ok(Self {
            inner: Arc::new(Inner {
                transport,
                version,
                page_size: config.page_size,
                uid: Mutex::new(uid),
                counts: Mutex::new(counts),
                carriers: Mutex::new(HashMap::new()),
                outgoing_types: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Returns the server's version.
    pub fn version(&self) -> &ServerVersion {
        &self.inner.version
    }

    /// Returns the field names and signatures of the server's version.
    pub fn dialect(&self) -> Dialect {
        self.inner.version.dialect()
    }

    /// Returns the configured page size for polling reads such as
    /// [`Client::ready_pickings`].
    pub fn page_size(&self) -> u32 {
        self.inner.page_size
    }

    /// Returns the protocol in use (never `Auto`).
    pub fn protocol(&self) -> Protocol {
        self.inner.transport.protocol()
    }

    /// Returns the number of calls made so far, by `model.method`.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        self.inner
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Calls `model.method` with positional `args` and keyword `kwargs`, in
    /// `execute_kw` form. Over JSON-2 the positional arguments are mapped to
    /// the method's parameter names. A method that returns `None` gives
    /// `Value::Null`.
    pub async fn call(
        &self,
        model: &str,
        method: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
    ) -> Result<Value, Error> {
        let call = format!("{model}.{method}");
        *self
            .inner
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(call)
            .or_default() += 1;

        let span = tracing::debug_span!("odoo_call", model, method);
        async {
            let started = Instant::now();
            let result = self.inner.transport.execute(model, method, args, kwargs).await;
            let result = observe(model, method, started, result);
            let duration_ms = started.elapsed().as_millis();
            match &result {
                Ok(_) => tracing::debug!(model, method, duration_ms, "Odoo call succeeded"),
                Err(error) => tracing::debug!(model, method, duration_ms, kind = %error.kind(), %error, "Odoo call failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    /// Returns the id of the user the client acts as (one `context_get` call
    /// over JSON-2 the first time; known from the login over JSON-RPC).
    pub async fn uid(&self) -> Result<i64, Error> {
        if let Some(uid) = *self
            .inner
            .uid
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return Ok(uid);
        }
        let answer = self
            .call("res.users", "context_get", Vec::new(), Map::new())
            .await?;
        let uid = answer
            .get("uid")
            .and_then(Value::as_i64)
            .ok_or_else(|| Error::unexpected("res.users.context_get", "no uid in the context"))?;
        *self
            .inner
            .uid
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(uid);
        Ok(uid)
    }

    /// Returns whether the client's user has the group `group_xmlid`, such as
    /// `stock.group_stock_user`. Odoo 17 takes only the group (`@api.model`),
    /// 18 and later a record method on the user.
    pub async fn has_group(&self, group_xmlid: &str) -> Result<bool, Error> {
        let args = if self.dialect().has_group_is_model_method() {
            vec![json!(group_xmlid)]
        } else {
            vec![json!([self.uid().await?]), json!(group_xmlid)]
        };
        let answer = self
            .call("res.users", "has_group", args, Map::new())
            .await?;
        answer
            .as_bool()
            .ok_or_else(|| Error::unexpected("res.users.has_group", "expected a boolean"))
    }

    pub(crate) fn carrier_cache(&self) -> &Mutex<HashMap<String, i64>> {
        &self.inner.carriers
    }

    pub(crate) fn outgoing_type_cache(&self) -> &Mutex<HashMap<String, Vec<i64>>> {
        &self.inner.outgoing_types
    }
}

async fn rpc_version(
    rpc: &JsonRpc,
    counts: &mut BTreeMap<String, u64>,
) -> Result<ServerVersion, Error> {
    *counts.entry("common.version".to_owned()).or_default() += 1;
    let started = Instant::now();
    let version = rpc
        .call_service("common", "version", Vec::new())
        .await
        .and_then(|answer| {
            ServerVersion::from_answer(&answer).ok_or_else(|| {
                Error::unexpected("common.version", "the response has no server_version_info")
            })
        });
    observe("common", "version", started, version)
}

/// Asks `GET /json/version` (Odoo 19 and later).
async fn json_version(
    http: &reqwest::Client,
    base_url: &str,
    counts: &mut BTreeMap<String, u64>,
) -> Result<ServerVersion, Error> {
    *counts.entry("json.version".to_owned()).or_default() += 1;
    let started = Instant::now();
    let version = fetch_json_version(http, base_url).await;
    observe("json", "version", started, version)
}

async fn fetch_json_version(
    http: &reqwest::Client,
    base_url: &str,
) -> Result<ServerVersion, Error> {
    const CALL: &str = "GET /json/version";
    let url = endpoint(base_url, "/json/version");
    let response = http
        .get(&url)
        .send()
        .await
        .map_err(|source| transport::connection_error(CALL, &url, source))?;
    let raw = transport::read_response(CALL, &url, response).await?;
    let answer = match serde_json::from_str::<Value>(&raw.body) {
        Ok(answer) if raw.status == 200 => answer,
        _ => return Err(transport::http_error(CALL, &raw)),
    };
    ServerVersion::from_answer(&answer)
        .ok_or_else(|| Error::unexpected(CALL, "the response has no version_info"))
}

/// Counts one finished call in [`CALLS_METRIC`] and [`CALL_DURATION_METRIC`]
/// and returns its result unchanged.
fn observe<T>(
    model: &str,
    method: &str,
    started: Instant,
    result: Result<T, Error>,
) -> Result<T, Error> {
    let outcome = match &result {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.kind().to_string(),
    };
    let (model, method) = (model.to_owned(), method.to_owned());
    metrics::histogram!(CALL_DURATION_METRIC, "model" => model.clone(), "method" => method.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(CALLS_METRIC, "model" => model, "method" => method, "outcome" => outcome)
        .increment(1);
    result
}
