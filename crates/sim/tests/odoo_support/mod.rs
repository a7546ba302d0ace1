//! Helpers shared by the Odoo simulator tests: start a simulator on a
//! loopback port, and send JSON-RPC and JSON-2 requests to it.

#![allow(dead_code)]

use serde_json::{json, Value};
use wharf_sim::odoo::{OdooSim, SimOptions};

/// A running simulator and the URL it listens on.
pub struct Running {
    pub sim: OdooSim,
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub const KEY: &str = "test-api-key";
pub const DB: &str = "wharf";

pub fn options(version: u8) -> SimOptions {
    SimOptions {
        version,
        database: DB.into(),
        api_key: KEY.into(),
        login: "integration".into(),
        password: "integration-pw".into(),
    }
}

/// Starts serving `sim` on 127.0.0.1 with a port chosen by the system.
pub async fn start(sim: OdooSim) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = sim.clone();
    tokio::spawn(async move {
        let _ = server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await;
    });
    Running {
        sim,
        base,
        client: reqwest::Client::new(),
        stop: Some(stop),
    }
}

/// Starts a simulator of `version` with a seeded data set of `orders` orders.
pub async fn start_seeded(version: u8, orders: usize) -> Running {
    let sim = OdooSim::new(options(version)).expect("simulator");
    sim.seed_demo(&wharf_sim::odoo::SeedOptions {
        orders,
        seed: 7,
        ..Default::default()
    })
    .expect("seed");
    start(sim).await
}

impl Running {
    /// Sends one JSON-RPC `execute_kw` and returns the whole response body.
    pub async fn execute(&self, model: &str, method: &str, args: Value, kwargs: Value) -> Value {
        let uid = self.uid();
        let body = json!({"jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"service": "object", "method": "execute_kw", "args": [DB, uid, KEY, model, method, args, kwargs]}});
        let response = self
            .client
            .post(format!("{}/jsonrpc", self.base))
            .json(&body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "JSON-RPC answers HTTP 200");
        response.json().await.expect("JSON body")
    }

    /// Sends one JSON-RPC call and returns `result`, panicking on an error.
    pub async fn ok(&self, model: &str, method: &str, args: Value, kwargs: Value) -> Value {
        let body = self.execute(model, method, args, kwargs).await;
        assert!(
            body.get("error").is_none(),
            "{model}.{method} failed: {body}"
        );
        body["result"].clone()
    }

    /// Sends one JSON-2 call; returns the HTTP status and the JSON body.
    pub async fn json2(&self, model: &str, method: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/json/2/{model}/{method}", self.base))
            .bearer_auth(KEY)
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn uid(&self) -> i64 {
        self.sim.user_id("integration").expect("integration user")
    }
}
