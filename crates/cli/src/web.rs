//! Starts the HTTP server beside the engine, and supplies what the server
//! needs from the running hub (metrics, connector contacts, replays).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use async_trait::async_trait;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::error;
use wharf_engine::health::Contacts;
use wharf_engine::replay::{replay, ReplayRequest as EngineReplay};
use wharf_engine::Engine;
use wharf_model::{EventKind, MessageId};
use wharf_server::{
    AccountRights, ConnectorStatus, Hub, ReplayRequest, ServerSettings, ServerState,
};
use wharf_store::{ReplaySelection, Store};

use crate::commands::replay::OdooTracking;

/// The running hub, as the server's [`Hub`].
pub struct RunningHub {
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    contacts: Contacts,
    /// The engine and an Odoo reader for replays; `None` where the server
    /// runs over a store alone (`wharf serve`).
    replay: Option<(Arc<Engine>, Arc<OdooTracking>)>,
    /// The last check of the Odoo accounts' rights, filled by
    /// [`RunningHub::check_rights`].
    rights: Arc<Mutex<Option<Vec<AccountRights>>>>,
}

impl std::fmt::Debug for RunningHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningHub")
            .field("replays", &self.replay.is_some())
            .finish_non_exhaustive()
    }
}

impl RunningHub {
    /// Creates the hub of a running engine, able to replay.
    pub fn engine(engine: Arc<Engine>, tracking: OdooTracking) -> anyhow::Result<RunningHub> {
        Ok(RunningHub {
            metrics: Some(crate::telemetry::prometheus()?),
            contacts: engine.contacts.clone(),
            replay: Some((engine, Arc::new(tracking))),
            rights: Arc::default(),
        })
    }

    /// Creates a hub with no engine: the dashboard and API over the store only.
    pub fn store_only() -> anyhow::Result<RunningHub> {
        Ok(RunningHub {
            metrics: Some(crate::telemetry::prometheus()?),
            contacts: Contacts::default(),
            replay: None,
            rights: Arc::default(),
        })
    }

    /// Checks the Odoo accounts' rights once in the background: one call
    /// per right and group, so it runs at start-up and never per page.
    pub fn check_rights(&self, config: &crate::config::Config) {
        let rights = Arc::clone(&self.rights);
        let config = config.clone();
        tokio::spawn(async move {
            let checked = crate::commands::check::account_rights(&config).await;
            *rights.lock().unwrap_or_else(PoisonError::into_inner) = Some(checked);
        });
    }
}

#[async_trait]
impl Hub for RunningHub {
    fn metrics(&self) -> String {
        self.metrics
            .as_ref()
            .map(metrics_exporter_prometheus::PrometheusHandle::render)
            .unwrap_or_default()
    }

    fn connectors(&self) -> Vec<ConnectorStatus> {
        self.contacts
            .snapshot()
            .into_iter()
            .map(|(name, contact)| ConnectorStatus {
                name,
                last_ok: contact.last_ok,
                last_error: contact.last_error,
            })
            .collect()
    }

    async fn replay(&self, request: ReplayRequest, by: &str) -> Result<serde_json::Value, String> {
        let Some((engine, tracking)) = &self.replay else {
            return Err(
                "this server runs without the engine (`wharf serve`): run the replay with `wharf replay`, or through the hub's own server (`wharf run` with [server])"
                    .to_owned(),
            );
        };
        let request = engine_request(request, by)?;
        let report = replay(engine, &request, Some(&**tracking))
            .await
            .map_err(|error| error.to_string())?;
        serde_json::to_value(report).map_err(|error| error.to_string())
    }

    fn account_rights(&self) -> Option<Vec<AccountRights>> {
        self.rights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn engine_request(request: ReplayRequest, by: &str) -> Result<EngineReplay, String> {
    let ids = request
        .ids
        .iter()
        .map(|id| {
            serde_json::from_value::<MessageId>(serde_json::Value::String(id.clone()))
                .map_err(|_| format!("invalid message id {id:?}: expected a UUID"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let kinds = match &request.kind {
        Some(kind) => vec![EventKind::parse(kind)
            .ok_or_else(|| format!("unknown message kind {kind:?}, such as `shipment_apply`"))?],
        None => Vec::new(),
    };
    Ok(EngineReplay {
        selection: ReplaySelection {
            ids,
            from: request.from,
            to: request.to,
            site: request.site,
            kinds,
            order: request.order,
        },
        by: by.to_owned(),
        reason: request.reason,
    })
}

/// Binds the server's address and serves until `stopped` turns true.
/// Returns the bound address (useful with port 0) and the server's task.
pub async fn start(
    listen: SocketAddr,
    settings: ServerSettings,
    store: Arc<dyn Store>,
    hub: RunningHub,
    mut stopped: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (server.listen or --listen): is another process using the port?"))?;
    let address = listener.local_addr()?;
    if !address.ip().is_loopback() {
        tracing::warn!(%address, "The dashboard and API listen beyond this machine without TLS; put a TLS proxy in front and set server.secure_cookies");
    }
    let state = ServerState {
        store,
        hub: Arc::new(hub),
        settings,
    };
    let stop = async move {
        while !*stopped.borrow() {
            if stopped.changed().await.is_err() {
                break;
            }
        }
    };
    let task = tokio::spawn(async move {
        if let Err(error) = wharf_server::serve(listener, state, stop).await {
            error!(%error, "HTTP server stopped");
        }
    });
    Ok((address, task))
}

/// Starts the server for `wharf demo --listen`: creates an operator token,
/// writes its secret to `dashboard-token` in the demo's folder (readable by
/// its owner only) and logs where to sign in, without printing the secret.
pub async fn start_for_demo(
    listen: SocketAddr,
    engine: &Arc<Engine>,
    config: &crate::config::Config,
    dir: &std::path::Path,
    stopped: watch::Receiver<bool>,
) -> anyhow::Result<JoinHandle<()>> {
    let secret = wharf_server::auth::new_secret();
    engine
        .store
        .create_token(wharf_store::NewToken {
            name: "demo-operator".to_owned(),
            role: wharf_store::Role::Operator,
            site: None,
            hash: wharf_server::auth::hash_secret(&secret),
            created_by: "wharf demo".to_owned(),
        })
        .await?;
    let token_file = dir.join("dashboard-token");
    write_private(&token_file, &secret)?;
    let tracking = OdooTracking::connect(&config.odoo).await?;
    let hub = RunningHub::engine(Arc::clone(engine), tracking)?;
    hub.check_rights(config);
    let settings = config.server_settings();
    let (address, task) = start(listen, settings, Arc::clone(&engine.store), hub, stopped).await?;
    tracing::warn!(
        url = %format!("http://{address}/"),
        token_file = %token_file.display(),
        "Dashboard serving while the demo runs; sign in with the token in the file"
    );
    Ok(task)
}

/// Writes a secret to a file only its owner may read.
pub fn write_private(path: &std::path::Path, secret: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(file, "{secret}")?;
    Ok(())
}
