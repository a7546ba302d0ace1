//! Receipts of expected goods: files named `ASN*` in `inbound/` that
//! announce purchase receipts and customer returns.
//!
//! Each expected receipt gets one receipt advice file `RCV-<seq>.csv` in
//! `outbound/`, numbered by its own sequence kept in
//! `.wms-receipts-state.json` together with the purchase lines and returns
//! counted so far, which choose the faults and the dispositions (see
//! [`receiving`](super::receiving)). Every advice appends one line to
//! `receipts.jsonl`. Goods of purchases, and returned goods with the
//! disposition `restock`, are added to stock at the default location.
//!
//! A picking is received once: an expected receipt whose picking is already
//! in the log with an advice before the current sequence number is skipped.

use std::path::Path;

use serde::{Deserialize, Serialize};
use wharf_formats::{decode_expected_receipts, encode_receipt_advice};
use wharf_model::{Disposition, ExpectedReceipt, ReceiptAdvice, ReceiptKind, ReceivedLine};
use wharf_transports::IncomingFile;

use super::receiving::{self, LineCounts, ReceivedRecord};
use super::state::{append_json_lines, read_json_lines};
use super::{WmsError, WmsSim};

/// Name of the log of receipt advice under the root.
pub const RECEIPT_LOG_FILE: &str = "receipts.jsonl";

/// File that contains the number of the last advice file and the purchase
/// lines and returns counted so far.
const RECEIPT_STATE_FILE: &str = ".wms-receipts-state.json";

/// Prefix of the expected receipt files in `inbound/`.
const RECEIPT_FILE_PREFIX: &str = "ASN";

/// One receipt advice the warehouse wrote: a line of `receipts.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLogEntry {
    /// Number of the advice file, from 1.
    pub advice_seq: u64,
    /// Name of the expected receipt file in `inbound/`.
    pub request_file: String,
    /// Name of the advice file in `outbound/`.
    pub advice_file: String,
    pub picking_ref: String,
    pub kind: ReceiptKind,
    /// Time written in the advice, RFC 3339 in whole seconds.
    pub received_at: String,
    /// The records written, in file order.
    pub records: Vec<ReceivedRecord>,
}

impl ReceiptLogEntry {
    /// Builds the advice this entry was written as.
    fn advice(&self) -> ReceiptAdvice {
        ReceiptAdvice {
            picking_ref: self.picking_ref.clone(),
            lines: self
                .records
                .iter()
                .enumerate()
                .map(|(index, record)| {
                    record.advice_line(u32::try_from(index + 1).unwrap_or(u32::MAX))
                })
                .collect(),
            received_at: Some(self.received_at.clone()),
        }
    }
}

/// Reads every line of `receipts.jsonl`, for tests and reports. Returns an
/// empty list when no receipt was advised yet.
pub fn read_receipt_log(root: &Path) -> Result<Vec<ReceiptLogEntry>, WmsError> {
    read_json_lines(root, RECEIPT_LOG_FILE)
}

/// Tells an expected receipt file from an order file by its name.
pub(crate) fn is_receipt_file(name: &str) -> bool {
    name.starts_with(RECEIPT_FILE_PREFIX)
}

impl WmsSim {
    /// Receives every expected receipt of one file, then moves the file to
    /// `processed/`. A file that cannot be decoded moves to `rejected/`
    /// without an advice.
    pub(crate) async fn receive_file(&mut self, file: &IncomingFile) -> Result<(), WmsError> {
        let layout = &self.lifecycle.expected_receipt_layout;
        let receipts = match decode_expected_receipts(layout, &file.bytes) {
            Ok(receipts) => receipts,
            Err(error) => {
                tracing::warn!(file = %file.name, %error, "Rejecting an expected receipt file the WMS cannot decode");
                self.source.reject(file, &error.to_string()).await?;
                return Ok(());
            }
        };

        for receipt in &receipts {
            self.receive(file, receipt).await?;
        }
        self.source.archive(file).await?;
        tracing::info!(file = %file.name, receipts = receipts.len(), "WMS took an expected receipt file");
        Ok(())
    }

    /// Receives one expected receipt: appends the log, writes the advice
    /// file, adds the goods to stock and stores the advice sequence number,
    /// in that order.
    ///
    /// After a crash before the sequence number is stored, the next round
    /// reuses the logged records and receive time, so it writes the same
    /// advice bytes, logs nothing twice and adds nothing to stock twice.
    async fn receive(
        &mut self,
        file: &IncomingFile,
        receipt: &ExpectedReceipt,
    ) -> Result<(), WmsError> {
        let root = self.options.root.clone();
        let mut state = ReceiptState::load(&root)?;
        let seq = state.last_advice_seq + 1;

        let entry = match logged_entry(&root, &receipt.picking_name)? {
            Some(entry) if entry.advice_seq < seq => {
                tracing::info!(file = %file.name, picking = %receipt.picking_name, advice = %entry.advice_file, "WMS skipped an expected receipt it already received");
                return Ok(());
            }
            Some(entry) => entry,
            None => {
                let entry = self.decide(file, receipt, seq, state.counts);
                append_json_lines(&root, RECEIPT_LOG_FILE, std::slice::from_ref(&entry))?;
                entry
            }
        };

        let bytes = encode_receipt_advice(&self.lifecycle.receipt_advice_layout, &[entry.advice()])
            .map_err(|error| WmsError::LifecycleEncode {
                file: entry.advice_file.clone(),
                source: Box::new(error),
            })?;
        self.sink.write_atomic(&entry.advice_file, bytes).await?;
        self.add_to_stock(&entry)?;

        state.last_advice_seq = entry.advice_seq;
        state.counts.add(receipt);
        state.save(&root)?;
        tracing::info!(picking = %entry.picking_ref, advice = %entry.advice_file, records = entry.records.len(), "WMS received an expected receipt");
        Ok(())
    }

    /// Decides the records of a receipt not yet logged, received now.
    fn decide(
        &self,
        file: &IncomingFile,
        receipt: &ExpectedReceipt,
        seq: u64,
        before: LineCounts,
    ) -> ReceiptLogEntry {
        let received_at = now_in_seconds();
        ReceiptLogEntry {
            advice_seq: seq,
            request_file: file.name.clone(),
            advice_file: format!("RCV-{seq:06}.csv"),
            picking_ref: receipt.picking_name.clone(),
            kind: receipt.kind,
            received_at: received_at.to_string(),
            records: receiving::receive(receipt, &self.lifecycle, before, received_at),
        }
    }

    /// Adds the purchased and restocked goods of an advice to stock at the
    /// default location, unless an earlier attempt at the same advice did.
    fn add_to_stock(&mut self, entry: &ReceiptLogEntry) -> Result<(), WmsError> {
        let restocked: Vec<ReceivedLine> = entry
            .advice()
            .lines
            .into_iter()
            .filter(|line| matches!(line.disposition, None | Some(Disposition::Restock)))
            .collect();
        let location = &self.inventory.default_location;
        if self
            .stock
            .add_received(entry.advice_seq, location, &restocked)
        {
            self.stock.save(&self.options.root)?;
        }
        Ok(())
    }
}

/// Returns the logged advice of `picking_ref`, if there is one.
fn logged_entry(root: &Path, picking_ref: &str) -> Result<Option<ReceiptLogEntry>, WmsError> {
    let log = read_receipt_log(root)?;
    Ok(log
        .into_iter()
        .find(|entry| entry.picking_ref == picking_ref))
}

fn now_in_seconds() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// The content of `.wms-receipts-state.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ReceiptState {
    /// Number of the last advice file written, 0 before the first.
    last_advice_seq: u64,
    /// Purchase lines and returns received up to and including that advice.
    #[serde(default)]
    counts: LineCounts,
}

impl ReceiptState {
    /// Reads the state, or returns the state before the first receipt when
    /// the file does not exist.
    fn load(root: &Path) -> Result<Self, WmsError> {
        let path = root.join(RECEIPT_STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ReceiptState::default())
            }
            Err(error) => return Err(WmsError::io("read", path, error)),
        };
        serde_json::from_str(&text).map_err(|error| WmsError::JsonLine {
            path: path.clone(),
            line: 1,
            message: format!(
                "{error}; fix it, or delete it together with `receipts.jsonl` and the RCV files in `outbound/` to number advice files from 1 again"
            ),
        })
    }

    /// Stores the state through a temporary file and a rename, so a crash
    /// leaves the old or the new state.
    fn save(&self, root: &Path) -> Result<(), WmsError> {
        let path = root.join(RECEIPT_STATE_FILE);
        let temp = root.join(format!("{RECEIPT_STATE_FILE}.tmp"));
        let text = serde_json::to_string(self).unwrap_or_default();
        std::fs::write(&temp, text).map_err(|error| WmsError::io("write", &temp, error))?;
        std::fs::rename(&temp, &path).map_err(|error| WmsError::io("rename", &temp, error))
    }
}
