//! The hub's HTTP side: health and readiness, Prometheus metrics, the admin
//! API, and the dashboard, behind tokens with roles.
//!
//! # Design
//!
//! The server reads and acts through two handles: the durable
//! [`wharf_store::Store`], and a [`Hub`] for what only the running process
//! has (its metrics, the time each connector last replied) or can do (replay
//! messages through the engine's sinks). The binary supplies the hub; tests
//! supply a fake one.
//!
//! Every route but `/healthz` and `/readyz` needs a caller: an API token in
//! `Authorization: Bearer`, or a dashboard session cookie opened by signing
//! in with a token. [`routes::ROUTES`] gives each route its minimum role,
//! and `openapi.json` beside this crate documents the API routes. A test
//! checks that both list the same routes and roles.

mod api;
pub mod auth;
mod error;
mod health;
pub mod metrics_text;
mod pages;
mod rejections;
pub mod routes;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tracing::info;
use wharf_store::Store;

pub use error::ApiError;

/// The running hub's side of the server: metrics, contacts, replays, rights.
#[async_trait]
pub trait Hub: Send + Sync + 'static {
    /// Renders the process's metrics in Prometheus text format.
    fn metrics(&self) -> String;

    /// Returns each connector's (Odoo, each site's folders) last contact.
    fn connectors(&self) -> Vec<ConnectorStatus>;

    /// Re-runs the delivery of the selected messages and returns the
    /// report, or why it could not run.
    async fn replay(&self, request: ReplayRequest, by: &str) -> Result<serde_json::Value, String>;

    /// Returns the last check of each Odoo account's rights against the
    /// flows it runs, or `None` while the first check runs.
    fn account_rights(&self) -> Option<Vec<AccountRights>>;
}

/// One Odoo account's rights, as `wharf check --privileges` finds them.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRights {
    /// The configuration table of the account: `odoo` or `sites.CODE.odoo`.
    pub account: String,
    pub login: String,
    /// Rights and groups the account's flows need and it lacks.
    pub missing: Vec<String>,
    /// Rights and groups the account has that no flow needs.
    pub beyond: Vec<String>,
    /// Error that stopped the check of the account.
    pub error: Option<String>,
    pub checked_at: Timestamp,
}

/// One connector's last contact, as `/readyz` and the dashboard show it.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectorStatus {
    pub name: String,
    pub last_ok: Option<Timestamp>,
    /// The last failure and its time; it counts only when later than `last_ok`.
    pub last_error: Option<(Timestamp, String)>,
}

impl ConnectorStatus {
    /// Returns true when the connector replied and has not failed since.
    pub fn is_up(&self) -> bool {
        match (&self.last_ok, &self.last_error) {
            (Some(ok), Some((failed, _))) => ok > failed,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// Selection of delivered messages to replay. At least one selector is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Message ids.
    #[serde(default)]
    pub ids: Vec<String>,
    /// Messages created at or after this time.
    pub from: Option<Timestamp>,
    /// Messages created before this time.
    pub to: Option<Timestamp>,
    /// Messages of one site.
    pub site: Option<String>,
    /// Messages of one kind, such as `shipment_apply`.
    pub kind: Option<String>,
    /// Messages of any of these kinds; combines with `kind`.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Messages of one sale order, purchase order or picking.
    pub order: Option<String>,
    /// Reason for the replay, recorded in the audit trail.
    pub reason: String,
}

/// Server settings from the configuration's `[server]` table.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// How long a dashboard session lasts after sign-in.
    pub session_length: Duration,
    /// Marks cookies `Secure`: set when a TLS proxy fronts the hub.
    pub secure_cookies: bool,
    /// Site codes of the configuration, to check a new token's site; empty
    /// accepts any.
    pub sites: Vec<String>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            session_length: Duration::from_secs(8 * 3600),
            secure_cookies: false,
            sites: Vec::new(),
        }
    }
}

/// State shared by every handler.
#[derive(Clone)]
pub struct ServerState {
    pub store: Arc<dyn Store>,
    pub hub: Arc<dyn Hub>,
    pub settings: ServerSettings,
}

impl std::fmt::Debug for ServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerState")
            .field("store", &self.store)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Serves the router on a bound listener until `stop` resolves.
pub async fn serve(
    listener: TcpListener,
    state: ServerState,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let address = listener.local_addr()?;
    info!(%address, "HTTP server listening: dashboard at /, API at /api/v1, metrics at /metrics");
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(stop)
        .await
}
