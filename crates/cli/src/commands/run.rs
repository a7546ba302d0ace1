//! `wharf run`: the hub until Ctrl-C or SIGTERM.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use std::time::Duration;
use tokio::sync::watch;

use tracing::{info, warn};

use crate::commands::replay::OdooTracking;
use crate::config::Config;
use crate::{hub, logging, web};

pub async fn run(config_path: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    logging::init(&config.log);
    wait_for_odoo(&config).await?;
    let engine = Arc::new(hub::build(&config).await?);

    let (stop, stopped) = watch::channel(false);
    let server = match &config.server {
        Some(server) => {
            let tracking = OdooTracking::connect(&config.odoo).await?;
            let hub = web::RunningHub::engine(Arc::clone(&engine), tracking)?;
            hub.check_rights(&config);
            let store = Arc::clone(&engine.store);
            let (address, task) = web::start(
                server.listen,
                config.server_settings(),
                store,
                hub,
                stopped.clone(),
            )
            .await?;
            info!(%address, "Dashboard and admin API listening");
            Some(task)
        }
        None => None,
    };
    tokio::spawn(async move {
        wait_for_signal().await;
        info!("Shutdown requested; finishing the current steps");
        let _ = stop.send(true);
    });
    engine.run(stopped).await;
    if let Some(task) = server {
        let _ = task.await;
    }
    Ok(ExitCode::SUCCESS)
}

/// `wharf serve`: the dashboard and admin API over the store alone, with no
/// engine running: to look at a stopped hub's store, or a demo's.
pub async fn serve(
    config_path: &Path,
    listen: Option<std::net::SocketAddr>,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    logging::init(&config.log);
    let server = config.server.clone();
    let listen = listen
        .or(server.as_ref().map(|server| server.listen))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{}: no [server] table and no --listen: give an address such as --listen 127.0.0.1:8080",
                config_path.display()
            )
        })?;
    let settings = config.server_settings();
    let store = hub::open_existing_store(&config).await?;
    let (stop, stopped) = watch::channel(false);
    let hub = web::RunningHub::store_only()?;
    hub.check_rights(&config);
    sample_gauges(Arc::clone(&store), stopped.clone());
    let (address, task) = web::start(listen, settings, store, hub, stopped).await?;
    info!(%address, "Dashboard and admin API listening over the store only; Ctrl-C stops");
    wait_for_signal().await;
    let _ = stop.send(true);
    let _ = task.await;
    Ok(ExitCode::SUCCESS)
}

/// Waits while Odoo is unreachable at start-up (a server restarting, a
/// network not up yet), so the hub starts once Odoo responds instead of
/// exiting. Any other failure, such as a rejected API key, ends the wait.
async fn wait_for_odoo(config: &Config) -> anyhow::Result<()> {
    let mut delay = Duration::from_secs(1);
    loop {
        match wharf_odoo::Client::connect(&config.odoo).await {
            Ok(_) => return Ok(()),
            Err(error) if error.kind() == wharf_odoo::ErrorKind::Transient => {
                warn!(url = %config.odoo.url, %error, ?delay, "Odoo is not reachable yet; waiting before the next try");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = tokio::signal::ctrl_c() => anyhow::bail!("stopped while waiting for Odoo at {}", config.odoo.url),
                }
                delay = (delay * 2).min(Duration::from_secs(60));
            }
            // The build step reports every other failure with its context.
            Err(_) => return Ok(()),
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Samples the store's gauges (queue depth, open exceptions) for
/// `/metrics` while `wharf serve` runs, as the engine does in `wharf run`.
fn sample_gauges(store: Arc<dyn wharf_store::Store>, mut stopped: watch::Receiver<bool>) {
    let sampler = wharf_engine::telemetry::GaugeSampler::default();
    tokio::spawn(async move {
        while !*stopped.borrow() {
            if let Err(error) = sampler.sample(&*store).await {
                warn!(%error, "Sampling the store's gauges failed; the next sample retries");
            }
            tokio::select! {
                () = tokio::time::sleep(wharf_engine::telemetry::SAMPLE_INTERVAL) => {}
                _ = stopped.changed() => {}
            }
        }
    });
}
