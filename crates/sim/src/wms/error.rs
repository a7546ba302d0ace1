//! Errors of the WMS simulator.

use std::path::PathBuf;

use wharf_formats::FormatError;
use wharf_transports::TransportError;

/// A failure of the simulated warehouse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WmsError {
    /// A file or folder under the simulator's root cannot be used.
    #[error("cannot {action} {path}; check that the simulator's root exists and is writable")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Reading, moving or writing an exchanged file failed.
    #[error("file transfer failed")]
    Transport(#[from] TransportError),

    /// A layout file given on the command line cannot be used.
    #[error("layout {path} cannot be used")]
    Layout {
        path: PathBuf,
        #[source]
        source: Box<FormatError>,
    },

    /// A confirmation cannot be written with the confirmation layout.
    #[error("confirmation for {picking_ref} cannot be written with the confirmation layout")]
    Encode {
        picking_ref: String,
        #[source]
        source: Box<FormatError>,
    },

    /// A line of the ledger is not a ledger entry.
    #[error("ledger {path} line {line} is not a ledger entry: {message}")]
    Ledger {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// An inventory file cannot be written with its layout.
    #[error("inventory file {file} cannot be written with its layout")]
    InventoryEncode {
        file: String,
        #[source]
        source: Box<FormatError>,
    },

    /// The stock has no balance that a movement can touch.
    #[error("the WMS stock has no balance outside quarantine to move; load stock with `load_stock` or a stock.json under the root first")]
    NoStockToMove,

    /// Starting stock, inventory or lifecycle options, or a schedule that
    /// cannot be used.
    #[error("invalid WMS simulator settings: {problem}")]
    InvalidSettings { problem: String },

    /// The stock file exists but is not what this simulator reads.
    #[error(
        "stock file {path} is not valid: {message}; fix it, or delete it to start with empty stock"
    )]
    StockFile { path: PathBuf, message: String },

    /// A line of a JSON lines log cannot be read.
    #[error("{path} line {line} cannot be read: {message}")]
    JsonLine {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A lifecycle file (change answers or progress) cannot be written with
    /// its layout.
    #[error("{file} cannot be written with its layout")]
    LifecycleEncode {
        file: String,
        #[source]
        source: Box<FormatError>,
    },

    /// The ship time stored for an order is not an instant.
    #[error("stored ship time {value:?} of order {seq} is not an RFC 3339 instant; delete .wms-ship-time.json under the root to stamp a new one")]
    ShipTime { seq: u64, value: String },

    /// The change state file exists but is not what this simulator wrote.
    #[error("change state file {path} is not valid JSON with `last_answer_seq`: {message}; fix it, or delete it and empty `outbound/` of answer files (answer files are then numbered from 1 again)")]
    ChangeState { path: PathBuf, message: String },

    /// The state file exists but is not what this simulator wrote.
    #[error("state file {path} is not valid JSON with `last_seq`: {message}; fix or delete it (the order sequence then restarts at 1)")]
    State { path: PathBuf, message: String },
}

impl WmsError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        WmsError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
