//! Settings of the order lifecycle (change requests, their answers,
//! progress reports and the pick delay) and of expected receipts and their
//! advice, and the changes accepted so far that decide how an order is
//! shipped.

use std::collections::{HashMap, HashSet};

use wharf_formats::{
    decode_expected_receipts, default_change_answer_layout, default_change_layout,
    default_expected_receipt_layout, default_progress_layout, default_receipt_advice_layout,
    encode_change_answers, encode_changes, encode_expected_receipts, encode_progress,
    encode_receipt_advice, Layout,
};
use wharf_model::{ChangeKind, ChangeOutcome, Disposition, OrderLine, OrderRelease};

use super::changes::ChangeLogEntry;
use super::{WmsError, WmsSim};

/// Layouts, pick delay and faults of the lifecycle files.
///
/// Change request files are always read with `change_layout`. Progress
/// files are written only when `progress` is set.
#[derive(Debug, Clone)]
pub struct LifecycleOptions {
    /// Layout of the change request files (`CHG*`) Wharf writes.
    pub change_layout: Layout,
    /// Layout of the answer files `ANS-<seq>.csv` the warehouse writes.
    pub change_answer_layout: Layout,
    /// Layout of the progress files `PRG-<seq>.csv` the warehouse writes.
    pub progress_layout: Layout,
    /// Write a progress file for each shipped order.
    pub progress: bool,
    /// Fault: answer `too_late` to every Nth cancel request (counted over
    /// all cancels, from 1) even when the order has not shipped, and ship
    /// the order as released, as a warehouse that had already picked it.
    pub too_late_every: Option<usize>,
    /// Time in milliseconds an order file waits in `inbound/` before it is
    /// shipped, from the first round of this process that saw its name, so
    /// a restart starts the wait again. Change requests and expected
    /// receipts are answered at once, so a cancel that arrives within the
    /// wait is accepted and the order never ships. 0 ships an order file in
    /// the first round that sees it.
    pub pick_delay_ms: u64,
    /// Fault: for every Nth shipped order, write the `PICKED` record in a
    /// second progress file after the file with `SHIPPED`.
    pub progress_out_of_order_every: Option<usize>,
    /// Layout of the expected receipt files (`ASN*`) Wharf writes.
    pub expected_receipt_layout: Layout,
    /// Layout of the receipt advice files `RCV-<seq>.csv` the warehouse writes.
    pub receipt_advice_layout: Layout,
    /// Dispositions given to returns in turn, counted over all returns
    /// from the first; every line of one return gets the same disposition.
    /// At least one.
    pub return_dispositions: Vec<Disposition>,
    /// Fault: every Nth purchase line (counted over all purchase lines,
    /// from 1) arrives short: one unit less than expected, 0 for a line of
    /// one unit, half for a line of less than one unit.
    pub short_receipt_every: Option<usize>,
    /// Fault: every Nth purchase line arrives with one unit more than
    /// expected, unless it arrives short.
    pub over_receipt_every: Option<usize>,
}

impl Default for LifecycleOptions {
    fn default() -> Self {
        LifecycleOptions {
            change_layout: default_change_layout(),
            change_answer_layout: default_change_answer_layout(),
            progress_layout: default_progress_layout(),
            progress: false,
            too_late_every: None,
            pick_delay_ms: 0,
            progress_out_of_order_every: None,
            expected_receipt_layout: default_expected_receipt_layout(),
            receipt_advice_layout: default_receipt_advice_layout(),
            return_dispositions: vec![Disposition::Restock],
            short_receipt_every: None,
            over_receipt_every: None,
        }
    }
}

impl LifecycleOptions {
    /// Rejects a layout that cannot read or write its kind of file, and an
    /// empty list of return dispositions.
    pub(crate) fn check(&self) -> Result<(), WmsError> {
        // Encoding nothing checks a layout's columns. The change codec
        // checks the same required columns for reading and writing.
        let invalid = |name: &str, error: wharf_formats::FormatError| WmsError::InvalidSettings {
            problem: format!("the {name} layout cannot be used: {error}"),
        };
        encode_changes(&self.change_layout, &[]).map_err(|error| invalid("change", error))?;
        encode_change_answers(&self.change_answer_layout, &[])
            .map_err(|error| invalid("change answer", error))?;
        encode_progress(&self.progress_layout, &[]).map_err(|error| invalid("progress", error))?;

        // The expected receipt decoder requires more columns than the
        // encoder, so the layout's own empty file is read back.
        let empty = encode_expected_receipts(&self.expected_receipt_layout, &[])
            .map_err(|error| invalid("expected receipt", error))?;
        decode_expected_receipts(&self.expected_receipt_layout, &empty)
            .map_err(|error| invalid("expected receipt", error))?;
        encode_receipt_advice(&self.receipt_advice_layout, &[])
            .map_err(|error| invalid("receipt advice", error))?;

        if self.return_dispositions.is_empty() {
            let names: Vec<&str> = Disposition::ALL.iter().map(|d| d.as_str()).collect();
            return Err(WmsError::InvalidSettings {
                problem: format!(
                    "`return_dispositions` is empty; list at least one of {}",
                    names.join(", ")
                ),
            });
        }
        Ok(())
    }
}

impl WmsSim {
    /// Replaces the lifecycle settings. Rejects a layout that cannot read or
    /// write its kind of file.
    pub fn set_lifecycle_options(&mut self, options: LifecycleOptions) -> Result<(), WmsError> {
        options.check()?;
        self.lifecycle = options;
        Ok(())
    }

    pub fn lifecycle_options(&self) -> &LifecycleOptions {
        &self.lifecycle
    }
}

/// The accepted changes of orders, replayed from `changes.jsonl`.
#[derive(Debug, Default)]
pub(crate) struct PendingChanges {
    cancelled: HashSet<String>,
    /// Lines of the last accepted amendment, per picking reference.
    amended: HashMap<String, Vec<OrderLine>>,
}

impl PendingChanges {
    pub(crate) fn from_log(log: &[ChangeLogEntry]) -> Self {
        let mut pending = PendingChanges::default();
        for entry in log {
            pending.record(entry);
        }
        pending
    }

    /// Takes one answered change into account; a rejected one changes nothing.
    pub(crate) fn record(&mut self, entry: &ChangeLogEntry) {
        if entry.outcome != ChangeOutcome::Accepted {
            return;
        }
        match entry.kind {
            ChangeKind::Cancel => {
                self.amended.remove(&entry.picking_ref);
                self.cancelled.insert(entry.picking_ref.clone());
            }
            ChangeKind::Amend => {
                self.amended
                    .insert(entry.picking_ref.clone(), entry.lines.clone());
            }
        }
    }

    pub(crate) fn is_cancelled(&self, picking_ref: &str) -> bool {
        self.cancelled.contains(picking_ref)
    }

    /// Returns the order to ship: `None` when it was cancelled, the order
    /// with the amended lines when it was amended, else the order as released.
    pub(crate) fn apply(&self, order: &OrderRelease) -> Option<OrderRelease> {
        if self.is_cancelled(&order.picking_name) {
            return None;
        }
        let mut order = order.clone();
        if let Some(lines) = self.amended.get(&order.picking_name) {
            order.lines = lines
                .iter()
                .map(|amended| merge_line(&order.lines, amended))
                .collect();
        }
        Some(order)
    }
}

/// Builds the line to ship from an amended line. A change file carries no
/// product id, tracking mode or reserved lots, so those come from the
/// released line with the same move id (or line number when the move id is
/// 0). A line the release did not have ships as the amendment gives it.
fn merge_line(released: &[OrderLine], amended: &OrderLine) -> OrderLine {
    let matching = released.iter().find(|line| {
        if amended.move_id != 0 {
            line.move_id == amended.move_id
        } else {
            line.line_no == amended.line_no
        }
    });
    let Some(original) = matching else {
        return amended.clone();
    };

    let mut line = original.clone();
    line.quantity = amended.quantity;
    if !amended.sku.is_empty() {
        line.sku.clone_from(&amended.sku);
    }
    if !amended.uom.is_empty() {
        line.uom.clone_from(&amended.uom);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without_field(mut layout: Layout, field: &str) -> Layout {
        layout
            .columns
            .retain(|column| column.field.as_deref() != Some(field));
        layout
    }

    #[test]
    fn check_accepts_defaults() {
        assert!(LifecycleOptions::default().check().is_ok());
    }

    #[test]
    fn check_rejects_empty_dispositions() {
        let options = LifecycleOptions {
            return_dispositions: Vec::new(),
            ..LifecycleOptions::default()
        };

        let error = options.check().unwrap_err().to_string();

        assert!(error.contains("return_dispositions"), "{error}");
        assert!(error.contains("return_to_vendor"), "{error}");
    }

    #[test]
    fn check_rejects_receipt_layouts() {
        let without_kind = LifecycleOptions {
            expected_receipt_layout: without_field(default_expected_receipt_layout(), "kind"),
            ..LifecycleOptions::default()
        };
        let without_sku = LifecycleOptions {
            receipt_advice_layout: without_field(default_receipt_advice_layout(), "sku"),
            ..LifecycleOptions::default()
        };

        let error = without_kind.check().unwrap_err().to_string();
        assert!(error.contains("expected receipt layout"), "{error}");
        let error = without_sku.check().unwrap_err().to_string();
        assert!(error.contains("receipt advice layout"), "{error}");
    }
}
