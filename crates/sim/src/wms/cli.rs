//! `wharf sim wms`: the simulator as a command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use wharf_formats::{default_confirmation_layout, default_order_layout, Layout};
use wharf_model::Disposition;

use super::{
    DriftOptions, FaultOptions, InventoryOptions, InventorySchedule, LifecycleOptions, WmsError,
    WmsOptions, WmsSim, DEFAULT_CASE_SIZE,
};

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

/// Inventory arguments of `wharf sim wms`, filled by the binary's argument
/// parser from `--movements-every SECS`, `--movements-per-file N`,
/// `--snapshot-every SECS`, `--drift-lost-cartons N`,
/// `--drift-miscounted-lots N`, `--drift-serials-twice N`,
/// `--movement-layout FILE`, `--snapshot-layout FILE`, `--case-units SKU`,
/// `--case-size N` and `--serial-sku SKU`. The starting stock is the
/// `stock.json` under the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WmsInventoryArgs {
    /// Write a movement file into `inventory/` every this many seconds;
    /// none when absent.
    pub movements_every_secs: Option<u64>,
    /// Movements in each movement file.
    pub movements_per_file: usize,
    /// Write a full balance snapshot into `inventory/` every this many
    /// seconds; none when absent.
    pub snapshot_every_secs: Option<u64>,
    /// Drift injected into the stock, without movements, before the first
    /// snapshot only: cartons lost, lots miscounted, serials seen twice.
    pub drift: DriftOptions,
    /// TOML layout of movement files; the built-in default when absent.
    pub movement_layout: Option<PathBuf>,
    /// TOML layout of snapshot files; the built-in default when absent.
    pub snapshot_layout: Option<PathBuf>,
    /// SKUs whose movements and balances are reported in cases (`CS`).
    pub case_units: Vec<String>,
    /// Units in one case, and in one lost carton.
    pub case_size: u32,
    /// Serial-tracked SKUs, which drift can book into a second location.
    pub serial_skus: Vec<String>,
}

impl Default for WmsInventoryArgs {
    fn default() -> Self {
        WmsInventoryArgs {
            movements_every_secs: None,
            movements_per_file: InventorySchedule::default().movements_per_file,
            snapshot_every_secs: None,
            drift: DriftOptions::default(),
            movement_layout: None,
            snapshot_layout: None,
            case_units: Vec::new(),
            case_size: DEFAULT_CASE_SIZE,
            serial_skus: Vec::new(),
        }
    }
}

impl WmsInventoryArgs {
    fn schedule(&self) -> Result<InventorySchedule, WmsError> {
        let seconds = |flag: &str, value: Option<u64>| {
            match value {
            Some(0) => Err(WmsError::InvalidSettings {
                problem: format!("`{flag} 0` would write a file at every poll; give at least 1 second or leave the flag out"),
            }),
            other => Ok(other.map(Duration::from_secs)),
        }
        };
        Ok(InventorySchedule {
            movements_every: seconds("--movements-every", self.movements_every_secs)?,
            movements_per_file: self.movements_per_file,
            snapshot_every: seconds("--snapshot-every", self.snapshot_every_secs)?,
            first_snapshot_drift: self.drift.clone(),
        })
    }

    fn options(&self) -> Result<InventoryOptions, WmsError> {
        let defaults = InventoryOptions::default();
        Ok(InventoryOptions {
            movement_layout: match &self.movement_layout {
                Some(path) => read_layout(path)?,
                None => defaults.movement_layout,
            },
            snapshot_layout: match &self.snapshot_layout {
                Some(path) => read_layout(path)?,
                None => defaults.snapshot_layout,
            },
            case_units: self.case_units.clone(),
            case_size: self.case_size,
            serial_skus: self.serial_skus.clone(),
            ..defaults
        })
    }
}

/// Lifecycle arguments of `wharf sim wms`, filled by the binary's argument
/// parser from `--progress`, `--too-late-every N`, `--pick-delay-ms N`,
/// `--progress-out-of-order-every N`, `--return-dispositions LIST`,
/// `--short-receipt-every N` and `--over-receipt-every N`. The fields mean
/// what the [`LifecycleOptions`] fields of the same names mean, and the
/// layouts are the built-in defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WmsLifecycleArgs {
    pub progress: bool,
    pub too_late_every: Option<usize>,
    pub pick_delay_ms: u64,
    pub progress_out_of_order_every: Option<usize>,
    pub return_dispositions: Vec<Disposition>,
    pub short_receipt_every: Option<usize>,
    pub over_receipt_every: Option<usize>,
}

impl Default for WmsLifecycleArgs {
    fn default() -> Self {
        let defaults = LifecycleOptions::default();
        WmsLifecycleArgs {
            progress: defaults.progress,
            too_late_every: defaults.too_late_every,
            pick_delay_ms: defaults.pick_delay_ms,
            progress_out_of_order_every: defaults.progress_out_of_order_every,
            return_dispositions: defaults.return_dispositions,
            short_receipt_every: defaults.short_receipt_every,
            over_receipt_every: defaults.over_receipt_every,
        }
    }
}

impl WmsLifecycleArgs {
    fn options(&self) -> LifecycleOptions {
        LifecycleOptions {
            progress: self.progress,
            too_late_every: self.too_late_every,
            pick_delay_ms: self.pick_delay_ms,
            progress_out_of_order_every: self.progress_out_of_order_every,
            return_dispositions: self.return_dispositions.clone(),
            short_receipt_every: self.short_receipt_every,
            over_receipt_every: self.over_receipt_every,
            ..LifecycleOptions::default()
        }
    }
}

/// Parses one disposition name of `--return-dispositions`, for the
/// binary's argument parser.
pub fn parse_disposition(name: &str) -> Result<Disposition, String> {
    Disposition::parse(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = Disposition::ALL.iter().map(|d| d.as_str()).collect();
        format!(
            "unknown disposition {name:?}; use one of {}",
            names.join(", ")
        )
    })
}

/// Runs the simulator as `wharf sim wms` does: once, or until Ctrl-C,
/// without inventory files.
pub async fn run_cli(args: WmsSimArgs) -> Result<(), WmsError> {
    run_cli_with_inventory(args, WmsInventoryArgs::default()).await
}

/// Runs the simulator as `wharf sim wms` does, with inventory files on the
/// intervals of `inventory`. With `--once` it takes the order files present
/// and then writes one movement file and one snapshot, each only when its
/// interval is set, before it exits.
pub async fn run_cli_with_inventory(
    args: WmsSimArgs,
    inventory: WmsInventoryArgs,
) -> Result<(), WmsError> {
    run_cli_with_lifecycle(args, inventory, WmsLifecycleArgs::default()).await
}

/// Runs the simulator as [`run_cli_with_inventory`] does, with the
/// lifecycle settings of `lifecycle`. Rejects a pick delay with `--once`,
/// because the pick delay starts in the only round, so that round would
/// ship no order.
pub async fn run_cli_with_lifecycle(
    args: WmsSimArgs,
    inventory: WmsInventoryArgs,
    lifecycle: WmsLifecycleArgs,
) -> Result<(), WmsError> {
    if args.once && lifecycle.pick_delay_ms > 0 {
        return Err(WmsError::InvalidSettings {
            problem: format!(
                "`--pick-delay-ms {}` with `--once` would ship no order, because the delay of each order file starts in the only round; leave out one of the two",
                lifecycle.pick_delay_ms
            ),
        });
    }
    let schedule = inventory.schedule()?;
    let inventory_options = inventory.options()?;
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
    sim.set_inventory_options(inventory_options)?;
    sim.set_lifecycle_options(lifecycle.options())?;
    tracing::info!(root = %args.root.display(), last_seq = sim.last_seq(), "WMS simulator started");

    if args.once {
        let entries = sim.run_once().await?;
        if schedule.movements_every.is_some() {
            sim.write_movements(schedule.movements_per_file, args.seed)
                .await?;
        }
        if schedule.snapshot_every.is_some() {
            sim.write_snapshot(&schedule.first_snapshot_drift, args.seed)
                .await?;
        }
        tracing::info!(orders = entries.len(), "WMS simulator finished one round");
        return Ok(());
    }

    let shutdown = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "Cannot listen for Ctrl-C; stop the simulator by ending the process");
            std::future::pending::<()>().await;
        }
    };
    sim.run_with_inventory(
        Duration::from_millis(args.poll_interval_ms),
        &schedule,
        shutdown,
    )
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
