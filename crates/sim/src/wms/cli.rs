//! `wharf sim wms`: the simulator as a command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use wharf_formats::{default_confirmation_layout, default_order_layout, Layout};

use super::{FaultOptions, WmsError, WmsOptions, WmsSim};

/// Arguments of `wharf sim wms`, filled by the binary's argument parser.
#[derive(Debug, Clone)]
pub struct WmsSimArgs {
    /// Folder that contains `inbound/`, `outbound/`, `processed/`, the state
    /// and the ledger; created when missing.
    pub root: PathBuf,
    /// Time between two looks at `inbound/`, in milliseconds.
    pub poll_interval_ms: u64,
    pub faults: FaultOptions,
    /// Seed of the generated tracking numbers.
    pub seed: u64,
    /// TOML layout of order files; the built-in default order layout when absent.
    pub order_layout: Option<PathBuf>,
    /// TOML layout of confirmation files; the built-in default when absent.
    pub confirmation_layout: Option<PathBuf>,
    /// Take the files present once and exit, in place of polling until Ctrl-C.
    pub once: bool,
}

/// Runs the simulator as `wharf sim wms` does: once, or until Ctrl-C.
pub async fn run_cli(args: WmsSimArgs) -> Result<(), WmsError> {
    let order_layout = match &args.order_layout {
        Some(path) => read_layout(path)?,
        None => default_order_layout(),
    };
    let confirmation_layout = match &args.confirmation_layout {
        Some(path) => read_layout(path)?,
        None => default_confirmation_layout(),
    };
    let mut sim = WmsSim::new(WmsOptions {
        root: args.root.clone(),
        order_layout,
        confirmation_layout,
        faults: args.faults,
        seed: args.seed,
    })?;
    tracing::info!(root = %args.root.display(), last_seq = sim.last_seq(), "WMS simulator started");

    if args.once {
        let entries = sim.run_once().await?;
        tracing::info!(orders = entries.len(), "WMS simulator finished one round");
        return Ok(());
    }

    let shutdown = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "Cannot listen for Ctrl-C; stop the simulator by ending the process");
            std::future::pending::<()>().await;
        }
    };
    sim.run(Duration::from_millis(args.poll_interval_ms), shutdown)
        .await;
    Ok(())
}

fn read_layout(path: &Path) -> Result<Layout, WmsError> {
    let text = std::fs::read_to_string(path).map_err(|error| WmsError::io("read", path, error))?;
    Layout::from_toml(&text).map_err(|source| WmsError::Layout {
        path: path.to_owned(),
        source: Box::new(source),
    })
}
