//! Simulator state kept on disk between runs: the order sequence in
//! `.wms-state.json` and one JSON line per order in `ledger.jsonl`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::faults::Fault;
use super::picking::LedgerLine;
use super::WmsError;

/// Name of the state file under the root.
pub const STATE_FILE: &str = ".wms-state.json";
/// Name of the ledger under the root.
pub const LEDGER_FILE: &str = "ledger.jsonl";

/// One order the warehouse shipped: a line of `ledger.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The order's place in the persistent sequence, from 1.
    pub seq: u64,
    /// Name of the order file the order came in.
    pub order_file: String,
    pub picking_ref: String,
    /// Names of the confirmation files written in `outbound/`; two when the
    /// `duplicate` fault applied.
    pub confirmation_files: Vec<String>,
    /// Faults applied to this order.
    pub faults: Vec<Fault>,
    /// Shipped quantities per order line, plus any added unknown SKU.
    pub lines: Vec<LedgerLine>,
    pub tracking_numbers: Vec<String>,
    /// `utf-8` or `windows-1252`.
    pub encoding: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    last_seq: u64,
}

/// Reads the last order sequence number used, 0 when there is no state yet.
pub(crate) fn load_last_seq(root: &Path) -> Result<u64, WmsError> {
    let path = root.join(STATE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(WmsError::io("read", path, error)),
    };
    let state: StateFile = serde_json::from_str(&text).map_err(|error| WmsError::State {
        path: path.clone(),
        message: error.to_string(),
    })?;
    Ok(state.last_seq)
}

/// Stores the last order sequence number: written to a temporary file and
/// renamed, so a crash leaves the old or the new number, never half a file.
pub(crate) fn save_last_seq(root: &Path, last_seq: u64) -> Result<(), WmsError> {
    let path = root.join(STATE_FILE);
    let temp = root.join(format!("{STATE_FILE}.tmp"));
    let text = serde_json::to_string(&StateFile { last_seq }).unwrap_or_default();
    std::fs::write(&temp, text).map_err(|error| WmsError::io("write", &temp, error))?;
    std::fs::rename(&temp, &path).map_err(|error| WmsError::io("rename", &temp, error))
}

/// File that holds the ship time stamped for the order being shipped.
const SHIP_TIME_FILE: &str = ".wms-ship-time.json";

#[derive(Serialize, Deserialize)]
struct ShipTime {
    seq: u64,
    shipped_at: String,
}

/// Returns the ship time of order `seq`: the time stored for it when an
/// earlier attempt stamped one, else the current time (whole seconds, UTC),
/// stored before any file is written. An order shipped again after a crash
/// so writes the same confirmation bytes as the first attempt.
pub(crate) fn stamp_ship_time(root: &Path, seq: u64) -> Result<String, WmsError> {
    let path = root.join(SHIP_TIME_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Ok(stored) = serde_json::from_str::<ShipTime>(&text) {
            if stored.seq == seq {
                return Ok(stored.shipped_at);
            }
        }
    }
    let now = jiff::Timestamp::now();
    let shipped_at = jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string();
    let temp = root.join(format!("{SHIP_TIME_FILE}.tmp"));
    let text = serde_json::to_string(&ShipTime {
        seq,
        shipped_at: shipped_at.clone(),
    })
    .unwrap_or_default();
    std::fs::write(&temp, text).map_err(|error| WmsError::io("write", &temp, error))?;
    std::fs::rename(&temp, &path).map_err(|error| WmsError::io("rename", &temp, error))?;
    Ok(shipped_at)
}

/// Appends one entry to the ledger.
pub(crate) fn append_ledger(root: &Path, entry: &LedgerEntry) -> Result<(), WmsError> {
    let path: PathBuf = root.join(LEDGER_FILE);
    let mut line = serde_json::to_string(entry).unwrap_or_default();
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|error| WmsError::io("open", &path, error))?;
    file.write_all(line.as_bytes())
        .map_err(|error| WmsError::io("append to", &path, error))
}

/// Reads every entry of the ledger, for tests and reports.
pub fn read_ledger(root: &Path) -> Result<Vec<LedgerEntry>, WmsError> {
    let path = root.join(LEDGER_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(WmsError::io("read", path, error)),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|error| WmsError::Ledger {
                path: path.clone(),
                line: index + 1,
                message: error.to_string(),
            })
        })
        .collect()
}

/// Appends one JSON line per item to `file_name` under the root.
pub(crate) fn append_json_lines<T: Serialize>(
    root: &Path,
    file_name: &str,
    items: &[T],
) -> Result<(), WmsError> {
    let path = root.join(file_name);
    let mut text = String::new();
    for item in items {
        text.push_str(&serde_json::to_string(item).unwrap_or_default());
        text.push('\n');
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|error| WmsError::io("open", &path, error))?;
    file.write_all(text.as_bytes())
        .map_err(|error| WmsError::io("append to", &path, error))
}

/// Reads every line of the JSON lines file `file_name` under the root;
/// empty when the file does not exist.
pub(crate) fn read_json_lines<T: DeserializeOwned>(
    root: &Path,
    file_name: &str,
) -> Result<Vec<T>, WmsError> {
    let path = root.join(file_name);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(WmsError::io("read", path, error)),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|error| WmsError::JsonLine {
                path: path.clone(),
                line: index + 1,
                message: error.to_string(),
            })
        })
        .collect()
}
