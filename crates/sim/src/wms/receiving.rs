//! The goods the simulated warehouse receives for one expected receipt:
//! the records of each line (one per lot, one per serial), the short and
//! over receipt faults of purchase lines, and the inspection and
//! disposition of returns.
//!
//! Everything here depends only on the receipt, the options, the purchase
//! lines and returns counted before it and the receive time, so a receipt
//! decided again after a crash gives the same records.

use jiff::civil::Date;
use jiff::ToSpan;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use wharf_model::{Disposition, ExpectedReceipt, OrderLine, ReceiptKind, ReceivedLine};

use super::faults::every_nth;
use super::file_stem;
use super::lifecycle::LifecycleOptions;

/// Days from the receipt of a new lot to its expiry date.
const SHELF_LIFE_DAYS: i64 = 365;

/// A fault that changed the quantity of a purchase line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptFault {
    /// The line arrived short: one unit less than expected, 0 for a line of
    /// one unit, half for a line of less than one unit.
    Short,
    /// The line arrived with one unit more than expected.
    Over,
}

/// One received record of an advice: a whole line, or one lot or serial of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedRecord {
    /// Line number of the expected line, from 1.
    pub line_no: u32,
    /// Odoo stock.move id of the expected line.
    pub move_id: i64,
    pub sku: String,
    /// Quantity the expected line announced, for the whole line.
    pub expected: Decimal,
    /// Quantity received in this record.
    pub quantity: Decimal,
    /// Lot or serial number, or `None` for untracked goods.
    pub lot: Option<String>,
    /// Expiry date of a new lot, `YYYY-MM-DD`.
    pub expiry_date: Option<String>,
    /// Inspection result of a returned line, or `None` for purchases.
    pub inspection: Option<String>,
    /// Destination of a returned line, or `None` for purchases.
    pub disposition: Option<Disposition>,
    /// The fault that decided the quantity, if one did.
    pub fault: Option<ReceiptFault>,
}

impl ReceivedRecord {
    /// Builds the advice line of this record, at position `source_line` in
    /// the advice (from 1).
    pub(crate) fn advice_line(&self, source_line: u32) -> ReceivedLine {
        ReceivedLine {
            source_line,
            sku: self.sku.clone(),
            move_id: Some(self.move_id),
            quantity: self.quantity,
            lot: self.lot.clone(),
            expiry_date: self.expiry_date.clone(),
            inspection: self.inspection.clone(),
            disposition: self.disposition,
        }
    }
}

/// Purchase lines and returns received so far over all receipts: the
/// purchase lines choose the faults, the returns choose the dispositions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LineCounts {
    pub purchase_lines: u64,
    /// Returns received, whatever their number of lines.
    pub returns: u64,
}

impl LineCounts {
    /// Counts the lines of a purchase, or one return.
    pub fn add(&mut self, receipt: &ExpectedReceipt) {
        match receipt.kind {
            ReceiptKind::Purchase => {
                let lines = u64::try_from(receipt.lines.len()).unwrap_or(u64::MAX);
                self.purchase_lines += lines;
            }
            ReceiptKind::Return => self.returns += 1,
        }
    }
}

/// Decides the records of `receipt`, received at `received_at`, after the
/// purchase lines and returns counted in `before`.
pub(crate) fn receive(
    receipt: &ExpectedReceipt,
    options: &LifecycleOptions,
    before: LineCounts,
    received_at: jiff::Timestamp,
) -> Vec<ReceivedRecord> {
    let received_on = received_at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let stem = file_stem(&receipt.picking_name);
    let mut purchase_lines = before.purchase_lines;
    // Wharf books one return into one Odoo location, so every line of a
    // return gets the same disposition.
    let disposition = return_disposition(options, before.returns + 1);

    let mut records = Vec::new();
    for line in &receipt.lines {
        let template = match receipt.kind {
            ReceiptKind::Purchase => {
                purchase_lines += 1;
                purchase_template(line, options, purchase_lines)
            }
            ReceiptKind::Return => return_template(line, disposition),
        };
        records.extend(split_by_lot(line, template, &stem, received_on));
    }
    records
}

/// Builds the record of a whole purchase line, with the fault due for the
/// `number`th purchase line. Short wins when both faults are due.
fn purchase_template(line: &OrderLine, options: &LifecycleOptions, number: u64) -> ReceivedRecord {
    let mut record = whole_line(line);
    if every_nth(options.short_receipt_every, number) && line.quantity > Decimal::ZERO {
        record.quantity = short_quantity(line.quantity);
        record.fault = Some(ReceiptFault::Short);
    } else if every_nth(options.over_receipt_every, number) {
        record.quantity = line.quantity + Decimal::ONE;
        record.fault = Some(ReceiptFault::Over);
    }
    record
}

/// Returns the disposition of the `number`th return (from 1): the options'
/// list taken in turn.
fn return_disposition(options: &LifecycleOptions, number: u64) -> Disposition {
    let dispositions = &options.return_dispositions;
    let count = u64::try_from(dispositions.len()).unwrap_or(u64::MAX);
    let index = usize::try_from((number - 1) % count.max(1)).unwrap_or(0);
    // The options check rejects an empty list, so the fallback is never used.
    dispositions
        .get(index)
        .copied()
        .unwrap_or(Disposition::Restock)
}

/// Builds the record of a whole returned line with the return's disposition.
fn return_template(line: &OrderLine, disposition: Disposition) -> ReceivedRecord {
    let mut record = whole_line(line);
    record.inspection = Some(inspection(disposition).to_owned());
    record.disposition = Some(disposition);
    record
}

fn whole_line(line: &OrderLine) -> ReceivedRecord {
    ReceivedRecord {
        line_no: line.line_no,
        move_id: line.move_id,
        sku: line.sku.clone(),
        expected: line.quantity,
        quantity: line.quantity,
        lot: None,
        expiry_date: None,
        inspection: None,
        disposition: None,
        fault: None,
    }
}

/// Returns the quantity of a line that arrives short.
fn short_quantity(expected: Decimal) -> Decimal {
    if expected > Decimal::ONE {
        expected - Decimal::ONE
    } else if expected == Decimal::ONE {
        Decimal::ZERO
    } else {
        expected / Decimal::TWO
    }
}

/// Inspection result written with each disposition.
fn inspection(disposition: Disposition) -> &'static str {
    match disposition {
        Disposition::Restock => "unopened, resalable",
        Disposition::Quarantine => "damage suspected, held for review",
        Disposition::Scrap => "damaged beyond repair",
        Disposition::ReturnToVendor => "defective, covered by the vendor",
    }
}

/// Splits the whole-line record over lots or serials:
///
/// - serial-tracked: one record of one unit per whole unit, with the
///   reserved serials first and generated ones `SN-<stem>-<line>-<n>` after;
/// - reserved lots: the quantity split over them in whole units, the first
///   lots getting the remainder;
/// - lot-tracked without reserved lots: one new lot `LOT-<stem>-<line>`
///   that expires 365 days after `received_on`;
/// - untracked: the record as it is.
///
/// A line where nothing arrives is one record of 0 without a lot.
fn split_by_lot(
    line: &OrderLine,
    template: ReceivedRecord,
    stem: &str,
    received_on: Date,
) -> Vec<ReceivedRecord> {
    let quantity = template.quantity;
    let with_lot = |lot: String, quantity: Decimal, expiry_date: Option<String>| ReceivedRecord {
        lot: Some(lot),
        quantity,
        expiry_date,
        ..template.clone()
    };

    let records: Vec<ReceivedRecord> = if quantity <= Decimal::ZERO {
        Vec::new()
    } else if line.tracking == "serial" {
        serials(line, quantity, stem)
            .into_iter()
            .map(|serial| with_lot(serial, Decimal::ONE, None))
            .collect()
    } else if !line.reserved_lots.is_empty() {
        split_over(quantity, line.reserved_lots.len())
            .into_iter()
            .zip(&line.reserved_lots)
            .map(|(share, lot)| with_lot(lot.clone(), share, None))
            .collect()
    } else if line.tracking == "lot" {
        let lot = format!("LOT-{stem}-{}", line.line_no);
        vec![with_lot(lot, quantity, Some(expiry(received_on)))]
    } else {
        vec![template.clone()]
    };

    if records.is_empty() {
        return vec![ReceivedRecord {
            quantity: Decimal::ZERO,
            ..template
        }];
    }
    records
}

/// Returns one serial number per whole unit of `quantity`.
fn serials(line: &OrderLine, quantity: Decimal, stem: &str) -> Vec<String> {
    // NOTE: a fraction of a unit on a serial-tracked line is not received,
    // because a serial number stands for one whole unit.
    let units = quantity.floor().to_usize().unwrap_or(0);
    (0..units)
        .map(|index| match line.reserved_lots.get(index) {
            Some(serial) => serial.clone(),
            None => format!("SN-{stem}-{}-{:04}", line.line_no, index + 1),
        })
        .collect()
}

/// Splits `quantity` into `parts` shares of whole units, the remainder going
/// one unit at a time to the first shares: 11 over 3 gives 4, 4, 3.
fn split_over(quantity: Decimal, parts: usize) -> Vec<Decimal> {
    let base = (quantity / Decimal::from(parts.max(1))).floor();
    let mut remainder = quantity - base * Decimal::from(parts);
    (0..parts)
        .map(|_| {
            let extra = remainder.min(Decimal::ONE);
            remainder -= extra;
            base + extra
        })
        .collect()
}

/// Returns the expiry date of a lot received on `received_on`, `YYYY-MM-DD`.
fn expiry(received_on: Date) -> String {
    received_on
        .checked_add(SHELF_LIFE_DAYS.days())
        .unwrap_or(received_on)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn short_quantity_cases() {
        assert_eq!(short_quantity(dec("10")), dec("9"));
        assert_eq!(short_quantity(dec("1.5")), dec("0.5"));
        assert_eq!(short_quantity(dec("1")), dec("0"));
        assert_eq!(short_quantity(dec("0.5")), dec("0.25"));
    }

    #[test]
    fn split_over_whole_units() {
        assert_eq!(split_over(dec("11"), 3), [dec("4"), dec("4"), dec("3")]);
        assert_eq!(split_over(dec("2"), 2), [dec("1"), dec("1")]);
        assert_eq!(split_over(dec("0.5"), 2), [dec("0.5"), dec("0")]);
        assert_eq!(split_over(dec("2.5"), 2), [dec("1.5"), dec("1")]);
    }

    #[test]
    fn expiry_one_year_later() {
        let date: Date = "2024-03-01".parse().unwrap();
        assert_eq!(expiry(date), "2025-03-01");
    }
}
