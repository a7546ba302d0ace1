//! A server on a fresh store in a temporary folder, with a fake hub, and a
//! token per role.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use wharf_server::auth::{hash_secret, new_secret};
use wharf_server::{ConnectorStatus, Hub, ReplayRequest, ServerSettings, ServerState};
use wharf_store::{NewToken, Role, Store};
use wharf_store_sqlite::SqliteStore;

/// A hub with fixed metrics and connectors, recording replay requests.
#[derive(Debug, Default)]
pub struct FakeHub {
    pub connectors: Mutex<Vec<ConnectorStatus>>,
    pub replays: Mutex<Vec<(ReplayRequest, String)>>,
}

#[async_trait]
impl Hub for FakeHub {
    fn metrics(&self) -> String {
        "# TYPE wharf_fake_total counter\nwharf_fake_total 1\n".to_owned()
    }

    fn connectors(&self) -> Vec<ConnectorStatus> {
        self.connectors
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    async fn replay(&self, request: ReplayRequest, by: &str) -> Result<serde_json::Value, String> {
        self.replays
            .lock()
            .map_err(|_| "lock poisoned".to_owned())?
            .push((request, by.to_owned()));
        Ok(serde_json::json!({ "replayed": 0, "unchanged": true }))
    }

    fn account_rights(&self) -> Option<Vec<wharf_server::AccountRights>> {
        None
    }
}

/// A running server and what a test needs to call it.
pub struct TestServer {
    pub address: SocketAddr,
    pub store: Arc<SqliteStore>,
    pub hub: Arc<FakeHub>,
    /// Secret of one token per role, unlimited in site.
    pub secrets: BTreeMap<Role, String>,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("wharf.db"))
                .await
                .expect("store opens"),
        );
        let mut secrets = BTreeMap::new();
        for role in Role::ALL {
            let secret = create_token(&*store, role, None).await;
            secrets.insert(role, secret);
        }
        let hub = Arc::new(FakeHub::default());
        let state = ServerState {
            store: Arc::clone(&store) as Arc<dyn Store>,
            hub: Arc::clone(&hub) as Arc<dyn Hub>,
            settings: ServerSettings {
                sites: vec!["north".to_owned(), "south".to_owned()],
                ..ServerSettings::default()
            },
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        let address = listener.local_addr().expect("bound address");
        tokio::spawn(wharf_server::serve(listener, state, std::future::pending()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        TestServer {
            address,
            store,
            hub,
            secrets,
            client,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn secret(&self, role: Role) -> &str {
        &self.secrets[&role]
    }
}

/// Stores a token and returns its secret.
pub async fn create_token(store: &dyn Store, role: Role, site: Option<&str>) -> String {
    let secret = new_secret();
    store
        .create_token(NewToken {
            name: format!("test-{role}-{}", site.unwrap_or("all")),
            role,
            site: site.map(str::to_owned),
            hash: hash_secret(&secret),
            created_by: "test".to_owned(),
        })
        .await
        .expect("token stored");
    secret
}
