//! Legacy WMS simulator: a warehouse that exchanges flat files with Wharf
//! through folders, with fault injection.
//!
//! Folders under the root:
//!
//! - `inbound/`: order files Wharf writes and the warehouse reads (files
//!   ending in `.tmp` are still being written and are skipped);
//! - `outbound/`: shipment confirmations the warehouse writes and Wharf reads;
//! - `processed/`: order files the warehouse has taken;
//! - `rejected/`: order files it could not decode, each with a
//!   `<name>.reason.txt`;
//! - `inventory/`: movement files `MOV-<seq>.csv` and balance snapshots
//!   `SNAP-<seq>.csv` the warehouse writes (see [`WmsSim::write_movements`]
//!   and [`WmsSim::write_snapshot`]).
//!
//! Files named `CHG*` in `inbound/` are change requests: each round answers
//! them first, with an `ANS-<seq>.csv` in `outbound/` and a line per change
//! in `changes.jsonl`, and then ships orders with the accepted cancels and
//! amendments applied. With [`LifecycleOptions::pick_delay_ms`] set, an
//! order file waits that long in `inbound/` before it is shipped, while
//! change requests are still answered at once, so a cancel within the wait
//! stops the order. With [`LifecycleOptions::progress`] set, each
//! shipped order also gets progress files `PRG-<seq>*.csv`. Files named
//! `ASN*` are expected receipts: each receipt gets a receipt advice
//! `RCV-<seq>.csv` in `outbound/` and a line in `receipts.jsonl`.
//!
//! Each order gets the next number of a sequence kept in `.wms-state.json`,
//! and the faults of [`FaultOptions`] are chosen by that number, so the same
//! orders get the same faults across restarts. Every shipped order appends
//! one JSON line to `ledger.jsonl` that records what was shipped and which
//! faults were applied; tests compare Wharf's result with it.
//!
//! The warehouse keeps stock per location, SKU and lot in `stock.json`.
//! Shipping takes the shipped quantities out of it, movements change it and
//! are logged in `movements.jsonl`, and drift changes it without a movement
//! and is logged in `drift.jsonl`.

mod changes;
mod cli;
mod drift;
mod error;
mod faults;
mod inventory;
mod inventory_options;
mod lifecycle;
mod movements;
mod output;
mod pick_delay;
mod picking;
mod progress;
mod receipts;
mod receiving;
mod schedule;
mod state;
mod stock;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lifecycle::PendingChanges;
use tokio::time::Instant;
use wharf_formats::{decode_orders, Layout};
use wharf_model::OrderRelease;
use wharf_transports::{Completion, FolderConfig, FolderSink, FolderSource, IncomingFile};

pub use changes::{read_change_log, ChangeLogEntry, CHANGE_LOG_FILE};
pub use cli::{
    parse_disposition, run_cli, run_cli_with_inventory, run_cli_with_lifecycle, WmsInventoryArgs,
    WmsLifecycleArgs, WmsSimArgs,
};
pub use drift::{DriftKind, DriftOptions, DriftRecord, DRIFT_FILE};
pub use error::WmsError;
pub use faults::{Fault, FaultOptions};
pub use inventory::{
    read_drift, read_movement_log, SnapshotReport, INVENTORY_DIR, MOVEMENT_LOG_FILE,
};
pub use inventory_options::{InventoryOptions, DEFAULT_CASE_SIZE, UNIT_CASE, UNIT_EACH};
pub use lifecycle::LifecycleOptions;
pub use picking::{tracking_number, LedgerLine};
pub use progress::PROGRESS_STEPS;
pub use receipts::{read_receipt_log, ReceiptLogEntry, RECEIPT_LOG_FILE};
pub use receiving::{ReceiptFault, ReceivedRecord};
pub use schedule::InventorySchedule;
pub use state::{read_ledger, LedgerEntry, LEDGER_FILE, STATE_FILE};
pub use stock::{StockRow, STOCK_FILE};

/// Settings of one simulated warehouse.
#[derive(Debug, Clone)]
pub struct WmsOptions {
    /// Folder that contains the warehouse's folders, state and ledger.
    pub root: PathBuf,
    /// Layout of the order files Wharf writes.
    pub order_layout: Layout,
    /// Layout of the confirmation files the warehouse writes.
    pub confirmation_layout: Layout,
    pub faults: FaultOptions,
    /// Seed of the generated tracking numbers.
    pub seed: u64,
}

/// A simulated legacy warehouse working on folders under one root.
#[derive(Debug)]
pub struct WmsSim {
    options: WmsOptions,
    source: FolderSource,
    sink: FolderSink,
    /// Writes into `inventory/`.
    inventory_sink: FolderSink,
    inventory: InventoryOptions,
    lifecycle: LifecycleOptions,
    /// When each order file in `inbound/` was first seen, for the pick delay.
    first_seen: pick_delay::FirstSeen,
    stock: stock::StockState,
    last_seq: u64,
}

impl WmsSim {
    /// Creates the folders under `options.root` when missing and reads the
    /// order sequence and the stock left by an earlier run. Inventory files
    /// use [`InventoryOptions::default`] until
    /// [`set_inventory_options`](Self::set_inventory_options).
    pub fn new(options: WmsOptions) -> Result<Self, WmsError> {
        let config = FolderConfig {
            read_dir: options.root.join("inbound"),
            write_dir: options.root.join("outbound"),
            archive_dir: options.root.join("processed"),
            error_dir: options.root.join("rejected"),
            file_suffix: String::new(),
            completion: Completion::TempSuffix(".tmp".to_owned()),
        };
        let inventory_config = FolderConfig {
            write_dir: options.root.join(inventory::INVENTORY_DIR),
            ..config.clone()
        };
        for dir in [
            &config.read_dir,
            &config.write_dir,
            &config.archive_dir,
            &config.error_dir,
            &inventory_config.write_dir,
        ] {
            std::fs::create_dir_all(dir).map_err(|error| WmsError::io("create", dir, error))?;
        }
        output::warn_without_ship_time(&options.confirmation_layout);

        let last_seq = state::load_last_seq(&options.root)?;
        let stock = stock::StockState::load(&options.root)?;
        Ok(WmsSim {
            source: FolderSource::new(config.clone()),
            sink: FolderSink::new(config),
            inventory_sink: FolderSink::new(inventory_config),
            inventory: InventoryOptions::default(),
            lifecycle: LifecycleOptions::default(),
            first_seen: pick_delay::FirstSeen::default(),
            stock,
            options,
            last_seq,
        })
    }

    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// Folder Wharf writes order files into.
    pub fn inbound_dir(&self) -> PathBuf {
        self.options.root.join("inbound")
    }

    /// Folder the warehouse writes confirmations into.
    pub fn outbound_dir(&self) -> PathBuf {
        self.options.root.join("outbound")
    }

    /// Folder taken order files move to.
    pub fn processed_dir(&self) -> PathBuf {
        self.options.root.join("processed")
    }

    /// Sequence number of the last order taken, 0 before the first.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Answers every complete change file, receives every complete
    /// expected receipt file, then takes every complete order file seen for
    /// at least the pick delay, ships each order in it that was not
    /// cancelled (with its amended lines when it was amended), and moves the
    /// file to `processed/` (or to `rejected/` when it cannot be decoded).
    /// Returns the ledger entries of the orders shipped.
    pub async fn run_once(&mut self) -> Result<Vec<LedgerEntry>, WmsError> {
        let (change_files, other_files): (Vec<IncomingFile>, Vec<IncomingFile>) = self
            .source
            .scan()
            .await?
            .into_iter()
            .partition(|file| changes::is_change_file(&file.name));
        let (receipt_files, order_files): (Vec<IncomingFile>, Vec<IncomingFile>) = other_files
            .into_iter()
            .partition(|file| receipts::is_receipt_file(&file.name));
        for file in &change_files {
            self.answer_change_file(file).await?;
        }
        for file in &receipt_files {
            self.receive_file(file).await?;
        }

        // The changes answered above are in the log before it is read here,
        // so a cancel that arrived within the pick delay stops its order.
        let pick_delay = Duration::from_millis(self.lifecycle.pick_delay_ms);
        let due_files = self
            .first_seen
            .take_due(order_files, pick_delay, Instant::now());
        let pending = PendingChanges::from_log(&read_change_log(&self.options.root)?);
        let mut entries = Vec::new();
        for file in due_files {
            entries.extend(self.take_order_file(&file, &pending).await?);
        }
        Ok(entries)
    }

    /// Ships the orders of one order file that were not cancelled and moves
    /// the file to `processed/`, or moves it to `rejected/` when it cannot be
    /// decoded. Returns the ledger entries of the orders shipped.
    async fn take_order_file(
        &mut self,
        file: &IncomingFile,
        pending: &PendingChanges,
    ) -> Result<Vec<LedgerEntry>, WmsError> {
        let orders = match decode_orders(&self.options.order_layout, &file.bytes) {
            Ok(orders) => orders,
            Err(error) => {
                tracing::warn!(file = %file.name, %error, "Rejecting an order file the WMS cannot decode");
                self.source.reject(file, &error.to_string()).await?;
                self.first_seen.forget(&file.name);
                return Ok(Vec::new());
            }
        };

        // NOTE: a round that fails part way through a file with several
        // orders ships the earlier orders again at the next round, under
        // new sequence numbers. The sequence advances per order, but the
        // file moves to `processed/` only after its last order.
        let mut entries = Vec::new();
        for order in &orders {
            let Some(order) = pending.apply(order) else {
                tracing::info!(picking = %order.picking_name, "WMS skipped a cancelled order");
                continue;
            };
            entries.push(self.ship(file, &order).await?);
        }
        self.source.archive(file).await?;
        self.first_seen.forget(&file.name);
        tracing::info!(file = %file.name, orders = orders.len(), "WMS took an order file");
        Ok(entries)
    }

    /// Ships one order: picks it, writes its confirmation files and, when
    /// enabled, its progress files, appends the ledger, takes the shipped quantities out of stock and stores the
    /// new sequence number, in that order. A crash before the last step
    /// ships the order again under the same number and file name, which
    /// finds the earlier file already present.
    async fn ship(
        &mut self,
        file: &IncomingFile,
        order: &OrderRelease,
    ) -> Result<LedgerEntry, WmsError> {
        let seq = self.last_seq + 1;
        let planned = self.options.faults.planned(seq);
        let shipped_at = state::stamp_ship_time(&self.options.root, seq)?;
        let picked = picking::pick(order, seq, self.options.seed, &planned, shipped_at.clone());

        let encoded = output::encode(
            &self.options.confirmation_layout,
            &picked.confirmation,
            &picked.faults,
        )?;
        let base_name = format!("SHP-{seq:06}-{}", file_stem(&order.picking_name));
        let confirmation_files = output::write_files(
            &self.sink,
            &self.outbound_dir(),
            &base_name,
            encoded.bytes,
            &picked.faults,
            Duration::from_millis(self.options.faults.slow_piece_pause_ms),
        )
        .await?;
        if self.lifecycle.progress {
            let picking_ref = &order.picking_name;
            progress::write_progress(&self.sink, &self.lifecycle, seq, picking_ref, &shipped_at)
                .await?;
        }

        let entry = LedgerEntry {
            seq,
            order_file: file.name.clone(),
            picking_ref: order.picking_name.clone(),
            confirmation_files,
            faults: picked.faults,
            lines: picked.lines,
            tracking_numbers: picked.confirmation.tracking_numbers.clone(),
            encoding: encoded.encoding.to_owned(),
        };
        state::append_ledger(&self.options.root, &entry)?;
        // NOTE: a crash between storing the stock and the sequence number
        // takes the order's quantities out of stock twice.
        self.stock.stock.take_shipped(
            &picked.confirmation.lines,
            &self.inventory.default_location,
            &self.inventory.quarantine_location,
        );
        self.stock.save(&self.options.root)?;
        state::save_last_seq(&self.options.root, seq)?;
        self.last_seq = seq;
        tracing::info!(seq, picking = %order.picking_name, faults = ?entry.faults, "WMS shipped an order");
        Ok(entry)
    }

    /// Runs [`run_once`](Self::run_once) every `poll_interval` until
    /// `shutdown` completes, without writing inventory files. A failed
    /// round is logged and retried at the next interval; shutdown waits for
    /// a round in progress to finish.
    pub async fn run(&mut self, poll_interval: Duration, shutdown: impl Future<Output = ()>) {
        self.run_with_inventory(poll_interval, &InventorySchedule::default(), shutdown)
            .await;
    }
}

/// Makes a picking name safe for a file name: `WH/OUT/00042` gives `WH_OUT_00042`.
fn file_stem(picking_name: &str) -> String {
    picking_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
