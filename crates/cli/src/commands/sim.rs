//! `wharf sim odoo` and `wharf sim wms`: the simulators as standalone servers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use crate::config::LogConfig;
use crate::logging;

#[derive(Debug, Args)]
pub struct SimOdooArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8069")]
    pub listen: SocketAddr,
    /// Odoo version to play: 17, 18 or 19.
    #[arg(long, default_value_t = 19, value_parser = clap::value_parser!(u8).range(17..=19))]
    pub version: u8,
    /// Load a recorded starting state (starting-state.json) instead of the generated data set.
    #[arg(long)]
    pub state_file: Option<PathBuf>,
    /// Generate this many confirmed sales orders with ready deliveries.
    #[arg(long, default_value_t = 10)]
    pub orders: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also generate this many confirmed purchase orders, each with a receipt
    /// ready to receive in warehouse WH.
    #[arg(long, default_value_t = 0)]
    pub purchase_receipts: usize,
    /// Database name the simulator accepts.
    #[arg(long, default_value = "wharf")]
    pub database: String,
    /// Login of the integration user.
    #[arg(long, default_value = "integration")]
    pub login: String,
    /// API key (also accepted as password) of the integration user.
    #[arg(
        long,
        env = "WHARF_SIM_API_KEY",
        default_value = "wharf-sim-key",
        hide_env_values = true
    )]
    pub api_key: String,
    /// Write the stock of `WH/Stock` as a WMS simulator's stock file (for
    /// example `sites/main/stock.json`), booked under location code
    /// `STOCK`, so the warehouse starts with what Odoo holds.
    #[arg(long, value_name = "FILE")]
    pub wms_stock_file: Option<PathBuf>,
}

pub async fn odoo(args: SimOdooArgs) -> anyhow::Result<ExitCode> {
    use wharf_sim::odoo::{OdooSim, SeedOptions, SimOptions};

    logging::init(&LogConfig::default());
    let sim = OdooSim::new(SimOptions {
        version: args.version,
        database: args.database,
        password: args.api_key.clone(),
        api_key: args.api_key,
        login: args.login,
    })?;
    match &args.state_file {
        Some(path) => sim.load_starting_state(path)?,
        None => {
            let options = SeedOptions {
                orders: args.orders,
                seed: args.seed,
                ..SeedOptions::default()
            };
            sim.seed_demo_with_receipts(&options, args.purchase_receipts)?;
        }
    }
    if let Some(path) = &args.wms_stock_file {
        let rows = super::sim_stock::write_wms_stock(&sim, "WH/Stock", "STOCK", path)?;
        tracing::info!(file = %path.display(), rows, "Wrote the WMS stock file");
    }

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %args.listen, version = args.version, "Odoo simulator listening");
    let shutdown = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "Cannot wait for Ctrl-C; the simulator stops now");
        }
    };
    sim.serve(listener, shutdown).await?;
    tracing::info!("Odoo simulator stopped");
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct SimWmsArgs {
    /// Folder with `inbound/` (order files in), `outbound/` (confirmations
    /// out), `processed/`, the state and the ledger; created when missing.
    #[arg(long)]
    pub root: PathBuf,
    /// Time between two looks at `inbound/`, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub poll_interval_ms: u64,
    /// Seed of the generated tracking numbers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// TOML layout of order files; the built-in default when absent.
    #[arg(long)]
    pub order_layout: Option<PathBuf>,
    /// TOML layout of confirmation files; the built-in default when absent.
    #[arg(long)]
    pub confirmation_layout: Option<PathBuf>,
    /// Take the files present once and exit.
    #[arg(long)]
    pub once: bool,
    /// Ship one line short on every Nth order.
    #[arg(long, value_name = "N")]
    pub short_every: Option<usize>,
    /// Ship a lot other than the reserved one on every Nth order.
    #[arg(long, value_name = "N")]
    pub wrong_lot_every: Option<usize>,
    /// Confirm every Nth order with two tracking numbers.
    #[arg(long, value_name = "N")]
    pub two_tracking_every: Option<usize>,
    /// Write every Nth confirmation twice under two names.
    #[arg(long, value_name = "N")]
    pub duplicate_every: Option<usize>,
    /// Write every Nth confirmation slowly in pieces, without a temporary name.
    #[arg(long, value_name = "N")]
    pub slow_every: Option<usize>,
    /// Pause between the pieces of a slow file, in milliseconds.
    #[arg(long, default_value_t = 150)]
    pub slow_piece_pause_ms: u64,
    /// Add a line with an unknown SKU to every Nth confirmation.
    #[arg(long, value_name = "N")]
    pub unknown_sku_every: Option<usize>,
    /// Write every Nth confirmation in Windows-1252 with a byte order mark and CRLF.
    #[arg(long, value_name = "N")]
    pub cp1252_every: Option<usize>,
    /// Write a movement file into `inventory/` every this many seconds.
    #[arg(long, value_name = "SECS")]
    pub movements_every: Option<u64>,
    /// Movements in each movement file.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub movements_per_file: usize,
    /// Write a full stock snapshot into `inventory/` every this many seconds.
    #[arg(long, value_name = "SECS")]
    pub snapshot_every: Option<u64>,
    /// Before the first snapshot, lose this many cartons without reporting a movement.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub drift_lost_cartons: u32,
    /// Before the first snapshot, miscount this many lots.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub drift_miscounted_lots: u32,
    /// Before the first snapshot, book this many serial numbers into a second location.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub drift_serials_twice: u32,
    /// TOML layout of movement files; the built-in default when absent.
    #[arg(long)]
    pub movement_layout: Option<PathBuf>,
    /// TOML layout of snapshot files; the built-in default when absent.
    #[arg(long)]
    pub snapshot_layout: Option<PathBuf>,
    /// SKUs the warehouse counts in cases (unit `CS`).
    #[arg(long, value_name = "SKU")]
    pub case_units: Vec<String>,
    /// Units in one case.
    #[arg(long, default_value_t = 12)]
    pub case_size: u32,
    /// Serial-tracked SKUs, which drift can book into a second location.
    #[arg(long, value_name = "SKU")]
    pub serial_sku: Vec<String>,
    /// Write progress files `PRG-<seq>.csv` for each shipped order.
    #[arg(long)]
    pub progress: bool,
    /// Reject every Nth cancel request as `too_late` and ship the order.
    #[arg(long, value_name = "N")]
    pub too_late_every: Option<usize>,
    /// Ship an order file only after it has waited this many milliseconds
    /// in `inbound/`. Change requests are still answered at once, so a
    /// cancel within the wait stops the order. 0 ships at the next poll.
    /// Cannot be combined with `--once`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub pick_delay_ms: u64,
    /// Write the `PICKED` progress record of every Nth order in a second, later file.
    #[arg(long, value_name = "N")]
    pub progress_out_of_order_every: Option<usize>,
    /// Dispositions given to returns in turn, one per return for all its
    /// lines, comma-separated: restock, quarantine, scrap, return_to_vendor.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "restock",
        value_parser = wharf_sim::wms::parse_disposition
    )]
    pub return_dispositions: Vec<wharf_model::Disposition>,
    /// Receive every Nth purchase line short: one unit less, 0 for a line of one unit.
    #[arg(long, value_name = "N")]
    pub short_receipt_every: Option<usize>,
    /// Receive every Nth purchase line with one unit more than expected.
    #[arg(long, value_name = "N")]
    pub over_receipt_every: Option<usize>,
}

pub async fn wms(args: SimWmsArgs) -> anyhow::Result<ExitCode> {
    logging::init(&LogConfig::default());
    let faults = wharf_sim::wms::FaultOptions {
        short_every: args.short_every,
        wrong_lot_every: args.wrong_lot_every,
        two_tracking_every: args.two_tracking_every,
        duplicate_every: args.duplicate_every,
        slow_every: args.slow_every,
        slow_piece_pause_ms: args.slow_piece_pause_ms,
        unknown_sku_every: args.unknown_sku_every,
        cp1252_every: args.cp1252_every,
    };
    let inventory = wharf_sim::wms::WmsInventoryArgs {
        movements_every_secs: args.movements_every,
        movements_per_file: args.movements_per_file,
        snapshot_every_secs: args.snapshot_every,
        drift: wharf_sim::wms::DriftOptions {
            lost_cartons: args.drift_lost_cartons,
            miscounted_lots: args.drift_miscounted_lots,
            serials_twice: args.drift_serials_twice,
        },
        movement_layout: args.movement_layout,
        snapshot_layout: args.snapshot_layout,
        case_units: args.case_units,
        case_size: args.case_size,
        serial_skus: args.serial_sku,
    };
    let lifecycle = wharf_sim::wms::WmsLifecycleArgs {
        progress: args.progress,
        too_late_every: args.too_late_every,
        pick_delay_ms: args.pick_delay_ms,
        progress_out_of_order_every: args.progress_out_of_order_every,
        return_dispositions: args.return_dispositions,
        short_receipt_every: args.short_receipt_every,
        over_receipt_every: args.over_receipt_every,
    };
    wharf_sim::wms::run_cli_with_lifecycle(
        wharf_sim::wms::WmsSimArgs {
            root: args.root,
            poll_interval_ms: args.poll_interval_ms,
            faults,
            seed: args.seed,
            order_layout: args.order_layout,
            confirmation_layout: args.confirmation_layout,
            once: args.once,
        },
        inventory,
        lifecycle,
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
