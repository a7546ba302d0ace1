//! Answers to change requests: files named `CHG*` in `inbound/` that cancel
//! or amend released orders.
//!
//! Each request file gets one answer file `ANS-<seq>.csv` in `outbound/`,
//! numbered by its own sequence kept in `.wms-changes-state.json`. A change
//! to an order the warehouse has not shipped is accepted, and a change to a
//! shipped one is too late. Every answer appends a line to `changes.jsonl`,
//! which is also where the accepted changes are read back from when orders
//! are shipped.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use wharf_formats::{decode_changes, encode_change_answers};
use wharf_model::{ChangeAnswer, ChangeKind, ChangeOutcome, OrderChange, OrderLine};
use wharf_transports::IncomingFile;

use super::faults::every_nth;
use super::lifecycle::PendingChanges;
use super::state::{append_json_lines, read_json_lines, read_ledger};
use super::{WmsError, WmsSim};

/// Name of the log of answered changes under the root.
pub const CHANGE_LOG_FILE: &str = "changes.jsonl";

/// File that contains the number of the last answer file.
const CHANGE_STATE_FILE: &str = ".wms-changes-state.json";

/// Prefix of the change request files in `inbound/`.
const CHANGE_FILE_PREFIX: &str = "CHG";

/// Details written in the answers.
const DETAIL_SHIPPED: &str = "already shipped";
const DETAIL_PICKED: &str = "already picked";
const DETAIL_CANCELLED: &str = "already cancelled";

/// One answered change: a line of `changes.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeLogEntry {
    /// Number of the answer file, from 1.
    pub answer_seq: u64,
    /// Name of the request file in `inbound/`.
    pub request_file: String,
    /// Name of the answer file in `outbound/`.
    pub answer_file: String,
    pub picking_ref: String,
    pub kind: ChangeKind,
    pub outcome: ChangeOutcome,
    pub detail: Option<String>,
    /// Whether the `too_late_every` fault decided the outcome.
    pub fault: bool,
    /// Time written in the answer, RFC 3339 in whole seconds.
    pub answered_at: String,
    /// Lines of the amendment as requested; empty for a cancel.
    pub lines: Vec<OrderLine>,
}

/// Reads every line of `changes.jsonl`, for tests and reports; empty when
/// no change was answered yet.
pub fn read_change_log(root: &Path) -> Result<Vec<ChangeLogEntry>, WmsError> {
    read_json_lines(root, CHANGE_LOG_FILE)
}

/// Tells a change request file from an order file by its name.
pub(crate) fn is_change_file(name: &str) -> bool {
    name.starts_with(CHANGE_FILE_PREFIX)
}

impl WmsSim {
    /// Answers every change in one request file: appends the log, writes
    /// the answer file, stores the answer sequence number and moves the
    /// request to `processed/`, in that order. A file that cannot be decoded
    /// moves to `rejected/` without an answer.
    ///
    /// After a crash before the sequence number is stored, the next round
    /// reuses the logged decisions, so it writes the same answer bytes and
    /// logs nothing twice.
    pub(crate) async fn answer_change_file(&mut self, file: &IncomingFile) -> Result<(), WmsError> {
        let requests = match decode_changes(&self.lifecycle.change_layout, &file.bytes) {
            Ok(requests) => requests,
            Err(error) => {
                tracing::warn!(file = %file.name, %error, "Rejecting a change file the WMS cannot decode");
                self.source.reject(file, &error.to_string()).await?;
                return Ok(());
            }
        };

        let root = self.options.root.clone();
        let seq = load_last_answer_seq(&root)? + 1;
        let answer_file = format!("ANS-{seq:06}.csv");
        let mut entries = logged_answers(&root, seq, &file.name)?;
        if entries.is_empty() {
            let mut decider = Decider::load(&root, self.lifecycle.too_late_every)?;
            entries = decider.decide_all(&requests, seq, &file.name, &answer_file);
            append_json_lines(&root, CHANGE_LOG_FILE, &entries)?;
        }

        let bytes = encode_change_answers(&self.lifecycle.change_answer_layout, &answers(&entries))
            .map_err(|error| WmsError::LifecycleEncode {
                file: answer_file.clone(),
                source: Box::new(error),
            })?;
        self.sink.write_atomic(&answer_file, bytes).await?;
        // NOTE: a crash after the sequence number is stored and before the
        // request moves to `processed/` answers the request again under the
        // next number.
        save_last_answer_seq(&root, seq)?;
        self.source.archive(file).await?;

        tracing::info!(file = %file.name, answer = %answer_file, changes = entries.len(), "WMS answered a change file");
        Ok(())
    }
}

/// The state a change is decided against.
struct Decider {
    shipped: HashSet<String>,
    pending: PendingChanges,
    /// Cancels answered so far, for the `too_late_every` fault.
    cancel_count: u64,
    too_late_every: Option<usize>,
}

impl Decider {
    fn load(root: &Path, too_late_every: Option<usize>) -> Result<Self, WmsError> {
        let shipped = read_ledger(root)?
            .into_iter()
            .map(|entry| entry.picking_ref)
            .collect();
        let log = read_change_log(root)?;
        let cancel_count = log
            .iter()
            .filter(|entry| entry.kind == ChangeKind::Cancel)
            .count();
        Ok(Decider {
            shipped,
            pending: PendingChanges::from_log(&log),
            cancel_count: u64::try_from(cancel_count).unwrap_or(u64::MAX),
            too_late_every,
        })
    }

    /// Decides the changes of one request file in file order, each against
    /// the shipped orders and the changes before it, including earlier ones
    /// of the same file.
    fn decide_all(
        &mut self,
        requests: &[OrderChange],
        seq: u64,
        request_file: &str,
        answer_file: &str,
    ) -> Vec<ChangeLogEntry> {
        let answered_at = now_in_seconds();
        requests
            .iter()
            .map(|request| {
                let mut entry = self.decide(request);
                entry.answer_seq = seq;
                entry.request_file = request_file.to_owned();
                entry.answer_file = answer_file.to_owned();
                entry.answered_at.clone_from(&answered_at);
                entry
            })
            .collect()
    }

    /// Decides one change and takes it into account for the next ones. The
    /// file names, sequence number and time are left empty for the caller.
    fn decide(&mut self, request: &OrderChange) -> ChangeLogEntry {
        let picking = request.picking_name.as_str();
        let shipped = self.shipped.contains(picking);
        let too_late = |detail: &str| (ChangeOutcome::TooLate, Some(detail.to_owned()));

        let mut fault = false;
        let (outcome, detail) = match request.kind {
            ChangeKind::Cancel => {
                self.cancel_count += 1;
                if shipped {
                    too_late(DETAIL_SHIPPED)
                } else if every_nth(self.too_late_every, self.cancel_count) {
                    fault = true;
                    too_late(DETAIL_PICKED)
                } else {
                    (ChangeOutcome::Accepted, None)
                }
            }
            ChangeKind::Amend if shipped => too_late(DETAIL_SHIPPED),
            ChangeKind::Amend if self.pending.is_cancelled(picking) => too_late(DETAIL_CANCELLED),
            ChangeKind::Amend => (ChangeOutcome::Accepted, None),
        };

        let entry = ChangeLogEntry {
            answer_seq: 0,
            request_file: String::new(),
            answer_file: String::new(),
            picking_ref: request.picking_name.clone(),
            kind: request.kind,
            outcome,
            detail,
            fault,
            answered_at: String::new(),
            lines: request.lines.clone(),
        };
        self.pending.record(&entry);
        tracing::info!(picking = %entry.picking_ref, kind = %entry.kind, outcome = %entry.outcome, fault, "WMS answered a change");
        entry
    }
}

/// Returns the entries a crashed earlier attempt logged for answer `seq`
/// of `request_file`, empty when there are none.
fn logged_answers(
    root: &Path,
    seq: u64,
    request_file: &str,
) -> Result<Vec<ChangeLogEntry>, WmsError> {
    let log = read_change_log(root)?;
    Ok(log
        .into_iter()
        .filter(|entry| entry.answer_seq == seq && entry.request_file == request_file)
        .collect())
}

fn now_in_seconds() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// Builds the answer records of one file from its logged entries.
fn answers(entries: &[ChangeLogEntry]) -> Vec<ChangeAnswer> {
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| ChangeAnswer {
            source_line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            picking_ref: entry.picking_ref.clone(),
            kind: entry.kind,
            outcome: entry.outcome,
            detail: entry.detail.clone(),
            occurred_at: Some(entry.answered_at.clone()),
        })
        .collect()
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ChangeState {
    last_answer_seq: u64,
}

/// Reads the number of the last answer file, 0 before the first.
fn load_last_answer_seq(root: &Path) -> Result<u64, WmsError> {
    let path = root.join(CHANGE_STATE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(WmsError::io("read", path, error)),
    };
    let state: ChangeState =
        serde_json::from_str(&text).map_err(|error| WmsError::ChangeState {
            path: path.clone(),
            message: error.to_string(),
        })?;
    Ok(state.last_answer_seq)
}

/// Stores the number of the last answer file through a temporary file and
/// a rename, so a crash leaves the old or the new number.
fn save_last_answer_seq(root: &Path, last_answer_seq: u64) -> Result<(), WmsError> {
    let path = root.join(CHANGE_STATE_FILE);
    let temp = root.join(format!("{CHANGE_STATE_FILE}.tmp"));
    let text = serde_json::to_string(&ChangeState { last_answer_seq }).unwrap_or_default();
    std::fs::write(&temp, text).map_err(|error| WmsError::io("write", &temp, error))?;
    std::fs::rename(&temp, &path).map_err(|error| WmsError::io("rename", &temp, error))
}
