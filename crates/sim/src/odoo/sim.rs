//! The simulator handle: shared state behind a cheap `Clone`, credentials,
//! call counting, fault injection and the transaction around each call.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::dispatch::{self, Call};
use super::error::{OdooError, SimError};
use super::store::{Db, Record};

/// Options fixed when the simulator starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimOptions {
    /// Odoo major version to reproduce: 17, 18 or 19.
    pub version: u8,
    /// Database name clients must send.
    pub database: String,
    /// API key of the integration user (JSON-2 bearer key, or password over JSON-RPC).
    pub api_key: String,
    /// Login of the integration user.
    pub login: String,
    /// Password of the integration user.
    pub password: String,
}

/// What an injected fault does to the matching calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The call fails with `psycopg2.errors.SerializationFailure`, a transient error.
    SerializationFailure,
    /// The HTTP response has status 503 and no Odoo body.
    ServiceUnavailable,
}

/// Makes the next `count` calls of `target` (`"model.method"`) fail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultPlan {
    pub target: String,
    pub count: u32,
    pub kind: FaultKind,
}

/// Name used internally for the 503 fault; the HTTP layer turns it into a bare 503.
pub(crate) const UNAVAILABLE: &str = "wharf_sim.ServiceUnavailable";

#[derive(Debug)]
struct Credential {
    uid: i64,
    login: String,
    secret: String,
    is_api_key: bool,
}

#[derive(Debug)]
struct Inner {
    options: SimOptions,
    db: Mutex<Db>,
    calls: Mutex<BTreeMap<String, u64>>,
    /// Calls per user id, then per `"model.method"`.
    user_calls: Mutex<BTreeMap<i64, BTreeMap<String, u64>>>,
    faults: Mutex<Vec<FaultPlan>>,
    credentials: Mutex<Vec<Credential>>,
}

/// A simulated Odoo server. Clones share the same state.
#[derive(Debug, Clone)]
pub struct OdooSim {
    inner: Arc<Inner>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl OdooSim {
    /// Creates an empty simulator; load a starting state or seed data next.
    pub fn new(options: SimOptions) -> Result<Self, SimError> {
        if !(17..=19).contains(&options.version) {
            return Err(SimError::UnsupportedVersion(options.version));
        }
        let db = Db::new(options.version, None);
        Ok(Self {
            inner: Arc::new(Inner {
                options,
                db: Mutex::new(db),
                calls: Mutex::new(BTreeMap::new()),
                user_calls: Mutex::new(BTreeMap::new()),
                faults: Mutex::new(Vec::new()),
                credentials: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Returns the options the simulator was started with.
    pub fn options(&self) -> &SimOptions {
        &self.inner.options
    }

    /// Returns the Odoo major version simulated.
    pub fn version(&self) -> u8 {
        self.inner.options.version
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        lock(&self.inner.db)
    }

    /// Registers the integration user's login, password and API key; creates
    /// the user record when the data set has none with that login.
    pub(crate) fn install_main_user(&self) {
        let options = self.inner.options.clone();
        let uid = self.ensure_user(
            &options.login,
            &[
                "Inventory / Administrator",
                "Sales / User: All Documents",
                "User types / Internal User",
            ],
        );
        let mut credentials = lock(&self.inner.credentials);
        credentials.retain(|c| c.uid != uid);
        credentials.push(Credential {
            uid,
            login: options.login.clone(),
            secret: options.password.clone(),
            is_api_key: false,
        });
        credentials.push(Credential {
            uid,
            login: options.login,
            secret: options.api_key,
            is_api_key: true,
        });
    }

    fn ensure_user(&self, login: &str, groups: &[&str]) -> i64 {
        let mut db = self.db();
        let found = db.table("res.users").and_then(|t| {
            t.records()
                .iter()
                .find(|(_, r)| r.get("login").and_then(Value::as_str) == Some(login))
                .map(|(id, _)| *id)
        });
        if let Some(uid) = found {
            return uid;
        }
        let mut record = Record::new();
        record.insert("login".into(), json!(login));
        record.insert("name".into(), json!(login));
        record.insert("company_id".into(), db.m2o("res.company", 1));
        record.insert("company_ids".into(), json!([1]));
        record.insert("share".into(), json!(false));
        record.insert("tz".into(), json!(false));
        record.insert("lang".into(), json!("en_US"));
        record.insert("groups".into(), json!(groups));
        db.insert("res.users", record)
    }

    /// Adds a login with a password or API key (both work over JSON-RPC;
    /// only API keys work as JSON-2 bearer keys). Returns the user id.
    pub fn add_credential(&self, login: &str, secret: &str, is_api_key: bool) -> i64 {
        let uid = self.ensure_user(login, &["User types / Internal User"]);
        lock(&self.inner.credentials).push(Credential {
            uid,
            login: login.to_owned(),
            secret: secret.to_owned(),
            is_api_key,
        });
        uid
    }

    /// Returns the user id of a login.
    pub fn user_id(&self, login: &str) -> Option<i64> {
        let db = self.db();
        let table = db.table("res.users")?;
        table
            .records()
            .iter()
            .find(|(_, r)| r.get("login").and_then(Value::as_str) == Some(login))
            .map(|(id, _)| *id)
    }

    /// Returns the uid for a login and password or key, as `common.authenticate` does.
    pub(crate) fn authenticate(&self, login: &str, secret: &str) -> Option<i64> {
        lock(&self.inner.credentials)
            .iter()
            .find(|c| c.login == login && c.secret == secret)
            .map(|c| c.uid)
    }

    /// Checks the uid and password or key sent with `execute_kw`.
    pub(crate) fn check_uid(&self, uid: i64, secret: &str) -> bool {
        lock(&self.inner.credentials)
            .iter()
            .any(|c| c.uid == uid && c.secret == secret)
    }

    /// Returns the uid of a JSON-2 bearer API key.
    pub(crate) fn uid_for_key(&self, key: &str) -> Option<i64> {
        lock(&self.inner.credentials)
            .iter()
            .find(|c| c.is_api_key && c.secret == key)
            .map(|c| c.uid)
    }

    /// Counts one call under its `"model.method"` key.
    pub(crate) fn count(&self, key: &str) {
        *lock(&self.inner.calls).entry(key.to_owned()).or_insert(0) += 1;
    }

    /// Returns the number of calls per `"model.method"` (`"common.version"` for the common service).
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.inner.calls).clone()
    }

    /// Returns the number of calls per `"model.method"` that the user
    /// `login` made and that reached dispatch, whether they succeeded or
    /// raised. Empty for an unknown login.
    pub fn user_call_counts(&self, login: &str) -> BTreeMap<String, u64> {
        let Some(uid) = self.user_id(login) else {
            return BTreeMap::new();
        };
        lock(&self.inner.user_calls)
            .get(&uid)
            .cloned()
            .unwrap_or_default()
    }

    /// Clears the call counters, the per-user ones included.
    pub fn reset_call_counts(&self) {
        lock(&self.inner.calls).clear();
        lock(&self.inner.user_calls).clear();
    }

    /// Adds a fault plan; plans for the same target are used in order.
    pub fn inject(&self, plan: FaultPlan) {
        lock(&self.inner.faults).push(plan);
    }

    fn take_fault(&self, key: &str) -> Option<FaultKind> {
        let mut faults = lock(&self.inner.faults);
        let position = faults.iter().position(|f| f.target == key && f.count > 0)?;
        let kind = faults[position].kind;
        faults[position].count -= 1;
        if faults[position].count == 0 {
            faults.remove(position);
        }
        Some(kind)
    }

    /// Runs a call as the given user in one transaction: on error nothing changes.
    pub(crate) fn run(&self, call: &Call) -> Result<Value, OdooError> {
        let key = format!("{}.{}", call.model, call.method);
        self.count(&key);
        *lock(&self.inner.user_calls)
            .entry(call.uid)
            .or_default()
            .entry(key.clone())
            .or_insert(0) += 1;
        let fault = self.take_fault(&key);
        if let Some(kind) = fault {
            tracing::debug!(call = %key, ?kind, "Injected fault fires");
        }
        match fault {
            Some(FaultKind::SerializationFailure) => {
                return Err(OdooError::new(
                    "psycopg2.errors.SerializationFailure",
                    "could not serialize access due to concurrent update",
                ));
            }
            Some(FaultKind::ServiceUnavailable) => {
                return Err(OdooError::new(UNAVAILABLE, "Service Unavailable"))
            }
            None => {}
        }
        let result = self.db().transaction(|db| dispatch::execute(db, call));
        if let Err(error) = &result {
            tracing::debug!(model = %call.model, method = %call.method, uid = call.uid, %error, "Simulated call raised, changes rolled back");
        }
        result
    }

    /// Runs a call as the administrator (uid 2) without counting it, for
    /// fixtures and tests: `args` are the named arguments, `ids` the records.
    pub fn admin_call(
        &self,
        model: &str,
        method: &str,
        ids: Option<Vec<i64>>,
        params: Value,
        context: Value,
    ) -> Result<Value, SimError> {
        let call = Call {
            model: model.to_owned(),
            method: method.to_owned(),
            ids,
            params: params.as_object().cloned().unwrap_or_default(),
            context: context.as_object().cloned().unwrap_or_default(),
            uid: 1,
        };
        let value = self.db().transaction(|db| dispatch::execute(db, &call))?;
        Ok(value)
    }

    /// Inserts or replaces a record with a fixed id, in wire form, for fixtures.
    pub fn put_record(&self, model: &str, id: i64, record: Value) {
        let mut db = self.db();
        let map: Map<String, Value> = record.as_object().cloned().unwrap_or_default();
        db.insert_with_id(model, id, map);
    }

    /// Moves the next id of a model forward by `count`, for replays of
    /// recordings in which Odoo used ids that no recorded call shows.
    pub fn skip_ids(&self, model: &str, count: i64) {
        self.db().skip_ids(model, count);
    }

    /// Freezes the clock used for dates and expiry checks (`YYYY-MM-DD HH:MM:SS`, UTC).
    pub fn freeze_clock(&self, now: Option<String>) {
        self.db().frozen_now = now;
    }
}
