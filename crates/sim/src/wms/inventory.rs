//! The warehouse's inventory files in `inventory/`: movement files
//! `MOV-<seq>.csv` and full balance snapshots `SNAP-<seq>.csv`, and the
//! logs tests compare Wharf's results with (`movements.jsonl`,
//! `drift.jsonl`).
//!
//! Each call works on a copy of the stock and stores it only after its file
//! is written, so a failed call leaves the stock as it was.

use std::path::{Path, PathBuf};

use wharf_formats::{encode_movements, encode_snapshot, Layout};
use wharf_model::{InventoryMovement, SnapshotRow};

use super::drift::{self, DriftOptions, DriftRecord, DRIFT_FILE};
use super::inventory_options::{InventoryOptions, SeededRng};
use super::movements::{self, Batch};
use super::stock::{Stock, StockRow};
use super::{state, WmsError, WmsSim};

/// Folder under the root that inventory files are written into.
pub const INVENTORY_DIR: &str = "inventory";
/// Name of the movement log under the root.
pub const MOVEMENT_LOG_FILE: &str = "movements.jsonl";

/// A snapshot the warehouse wrote, with the drift injected before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotReport {
    /// Name of the file in `inventory/`.
    pub file_name: String,
    /// When the balances were taken, RFC 3339 in UTC to the second; the
    /// file has it as local time in the snapshot layout's zone.
    pub taken_at: String,
    /// The rows written, with the line number each has in the file.
    pub rows: Vec<SnapshotRow>,
    pub drift: Vec<DriftRecord>,
}

impl WmsSim {
    /// Replaces the inventory settings. Rejects a case size of 0, an empty
    /// location code and a layout that cannot write its kind of file.
    pub fn set_inventory_options(&mut self, options: InventoryOptions) -> Result<(), WmsError> {
        options.check()?;
        self.inventory = options;
        Ok(())
    }

    pub fn inventory_options(&self) -> &InventoryOptions {
        &self.inventory
    }

    /// Folder the warehouse writes movement and snapshot files into.
    pub fn inventory_dir(&self) -> PathBuf {
        self.options.root.join(INVENTORY_DIR)
    }

    /// Replaces the stock with `rows` (quantities in units) and stores it
    /// in `stock.json`. A location, SKU and lot listed twice is an error.
    pub fn load_stock(&mut self, rows: Vec<StockRow>) -> Result<(), WmsError> {
        self.stock.stock = Stock::from_rows(rows)?;
        self.stock.save(&self.options.root)
    }

    /// Returns every balance in key order (location, SKU, lot), in units,
    /// zero balances included.
    pub fn stock(&self) -> Vec<StockRow> {
        self.stock.stock.rows()
    }

    /// Makes `count` movements against the stock, applies them, writes them
    /// to one new `MOV-<seq>.csv` and appends them to `movements.jsonl`.
    /// Returns the movements as the file has them, with their line numbers.
    ///
    /// Fewer than `count` are made when the stock runs out of balances to
    /// move; none at all is [`WmsError::NoStockToMove`]. A `count` of 0
    /// writes nothing.
    pub async fn write_movements(
        &mut self,
        count: usize,
        seed: u64,
    ) -> Result<Vec<InventoryMovement>, WmsError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let seq = next_free_seq(&self.inventory_dir(), "MOV", self.stock.last_movement_file);
        let file_name = file_name("MOV", seq);

        let mut stock = self.stock.stock.clone();
        let occurred_at = now_to_the_second();
        let batch = Batch {
            options: &self.inventory,
            file_seq: seq,
            occurred_at: &occurred_at,
            first_line: first_line(&self.inventory.movement_layout),
        };
        let movements = movements::generate(&mut stock, &batch, count, &mut SeededRng::new(seed));
        if movements.is_empty() {
            return Err(WmsError::NoStockToMove);
        }

        let bytes = encode_movements(&self.inventory.movement_layout, &movements)
            .map_err(|source| encode_error(&file_name, source))?;
        self.inventory_sink.write_atomic(&file_name, bytes).await?;
        state::append_json_lines(&self.options.root, MOVEMENT_LOG_FILE, &movements)?;

        self.stock.stock = stock;
        self.stock.last_movement_file = seq;
        self.stock.save(&self.options.root)?;
        tracing::info!(file = %file_name, movements = movements.len(), "WMS wrote a movement file");
        Ok(movements)
    }

    /// Applies `drift` to the stock without reporting movements, records it
    /// in `drift.jsonl`, then writes every non-zero balance to a new
    /// `SNAP-<seq>.csv` taken now.
    pub async fn write_snapshot(
        &mut self,
        drift: &DriftOptions,
        seed: u64,
    ) -> Result<SnapshotReport, WmsError> {
        let seq = next_free_seq(&self.inventory_dir(), "SNAP", self.stock.last_snapshot_file);
        let file_name = file_name("SNAP", seq);

        let mut stock = self.stock.stock.clone();
        let mut rng = SeededRng::new(seed);
        let drift = drift::apply(&mut stock, drift, &self.inventory, &file_name, &mut rng);
        let taken_at = now_to_the_second();
        let layout = &self.inventory.snapshot_layout;
        let rows = snapshot_rows(&stock, &self.inventory, first_line(layout));

        let bytes = encode_snapshot(layout, &taken_at, &rows)
            .map_err(|source| encode_error(&file_name, source))?;
        self.inventory_sink.write_atomic(&file_name, bytes).await?;
        state::append_json_lines(&self.options.root, DRIFT_FILE, &drift)?;

        self.stock.stock = stock;
        self.stock.last_snapshot_file = seq;
        self.stock.save(&self.options.root)?;
        tracing::info!(file = %file_name, rows = rows.len(), drift = drift.len(), "WMS wrote a snapshot");
        Ok(SnapshotReport {
            file_name,
            taken_at,
            rows,
            drift,
        })
    }
}

/// Reads every movement in `movements.jsonl` under `root`.
pub fn read_movement_log(root: &Path) -> Result<Vec<InventoryMovement>, WmsError> {
    state::read_json_lines(root, MOVEMENT_LOG_FILE)
}

/// Reads every drift record in `drift.jsonl` under `root`.
pub fn read_drift(root: &Path) -> Result<Vec<DriftRecord>, WmsError> {
    state::read_json_lines(root, DRIFT_FILE)
}

/// Rows of a snapshot: every non-zero balance in key order, as a WMS
/// balance file lists them, in the unit the files use for each SKU.
fn snapshot_rows(stock: &Stock, options: &InventoryOptions, first_line: u32) -> Vec<SnapshotRow> {
    stock
        .balances()
        .filter(|(_, balance)| !balance.quantity.is_zero())
        .zip(first_line..)
        .map(|((key, balance), line)| {
            let (quantity, unit) = options.reported(&key.sku, balance.quantity);
            SnapshotRow {
                source_line: line,
                location: key.location.clone(),
                sku: key.sku.clone(),
                lot: key.lot.clone(),
                expiry_date: balance.expiry_date.clone(),
                quantity,
                unit: Some(unit.to_owned()),
            }
        })
        .collect()
}

fn file_name(prefix: &str, seq: u64) -> String {
    format!("{prefix}-{seq:06}.csv")
}

/// Returns the first number after `last` whose file name is free in `dir`.
fn next_free_seq(dir: &Path, prefix: &str, last: u64) -> u64 {
    // NOTE: a crash after a file is written but before `stock.json` is
    // stored leaves a file whose number the stock does not know. Skipping
    // taken names keeps the next file from colliding with it.
    let mut seq = last + 1;
    while dir.join(file_name(prefix, seq)).exists() {
        seq += 1;
    }
    seq
}

/// Line of the first record a layout writes: 2 below a header, else 1.
fn first_line(layout: &Layout) -> u32 {
    if layout.header {
        2
    } else {
        1
    }
}

/// Returns the current time as RFC 3339 in UTC, to the second, as files
/// carry it.
fn now_to_the_second() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

fn encode_error(file_name: &str, source: wharf_formats::FormatError) -> WmsError {
    WmsError::InventoryEncode {
        file: file_name.to_owned(),
        source: Box::new(source),
    }
}
