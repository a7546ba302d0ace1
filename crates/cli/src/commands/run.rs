//! `wharf run`: the hub until Ctrl-C or SIGTERM.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use std::time::Duration;
use tokio::sync::watch;

use tracing::{info, warn};

use crate::config::Config;
use crate::{hub, logging};

pub async fn run(config_path: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    logging::init(&config.log);
    wait_for_odoo(&config).await?;
    let engine = Arc::new(hub::build(&config).await?);

    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        info!("Shutdown requested; finishing the current steps");
        let _ = stop.send(true);
    });
    engine.run(stopped).await;
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
