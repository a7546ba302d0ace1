//! Reading an expected receipt file back into receipts, as the WMS
//! simulator does with the files Wharf writes.
//!
//! Records are grouped into receipts by `picking_ref` in the order each
//! reference first appears, and the receipt's values come from its first
//! record. A record that names a lot and has the line number, move id and
//! SKU of the record just before it in the same receipt adds its lot to that
//! line instead of starting a new one. Joining needs a `line_no` or
//! `move_id` column, because without one two lines of the same SKU cannot be
//! distinguished from two lots of one line.

use std::collections::HashMap;

use rust_decimal::Decimal;
use wharf_model::{ExpectedReceipt, OrderLine, ReceiptKind};

use super::{checked_plan, parse_kind, Field, LINE_FIELDS};
use crate::confirmations::push_list;
use crate::plan::Plan;
use crate::table::TableReader;
use crate::values::{self, ConversionCache};
use crate::{text, FormatError, Layout};

/// Decodes an expected receipt file with `layout`, one receipt per picking
/// reference in the order the references first appear.
pub fn decode_expected_receipts(
    layout: &Layout,
    bytes: &[u8],
) -> Result<Vec<ExpectedReceipt>, FormatError> {
    let plan = checked_plan(layout)?;
    plan.require_field(Field::Kind, "kind")?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut grouping = Grouping {
        joins_lots: plan.has_field(Field::LineNo) || plan.has_field(Field::MoveId),
        ..Grouping::default()
    };
    while reader.advance()? {
        let record = read_record(&plan, &reader, &mut caches)?;
        grouping.add(&plan, &reader, record)?;
    }
    Ok(grouping.receipts)
}

/// The receipt values of one record.
#[derive(Debug, Default)]
struct Head {
    picking_id: i64,
    picking_ref: Option<String>,
    kind: Option<ReceiptKind>,
    origin: String,
    partner: String,
    scheduled_date: String,
}

/// The line values of one record.
#[derive(Debug)]
struct LineRead {
    line: OrderLine,
    /// The line number as the file gives it, `None` when empty.
    line_no: Option<u32>,
    /// The quantity as written, for error messages.
    quantity_text: String,
}

/// The values of one record.
#[derive(Debug)]
struct Record {
    head: Head,
    line: Option<LineRead>,
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    caches: &mut [ConversionCache],
) -> Result<Record, FormatError> {
    let mut head = Head::default();
    let mut line = LineRead {
        line: OrderLine {
            line_no: 0,
            move_id: 0,
            product_id: 0,
            sku: String::new(),
            description: String::new(),
            quantity: Decimal::ZERO,
            uom: String::new(),
            tracking: String::new(),
            reserved_lots: Vec::new(),
        },
        line_no: None,
        quantity_text: String::new(),
    };
    let mut has_line = false;
    let mut has_quantity = false;

    for (index, column) in plan.columns.iter().enumerate() {
        let Some(field) = column.field else { continue };
        let Some(cell) = reader.value(index) else {
            continue;
        };
        let text = column.map_read(&cell.text);
        let invalid = |problem: String| reader.invalid(index, &cell.text, problem);
        has_line |= LINE_FIELDS.contains(&field);

        let target = &mut line.line;
        match field {
            Field::PickingId => head.picking_id = values::parse_integer(text).map_err(invalid)?,
            Field::PickingRef => head.picking_ref = Some(text.to_owned()),
            Field::Kind => head.kind = Some(parse_kind(column, text).map_err(invalid)?),
            Field::Origin => head.origin = text.to_owned(),
            Field::Partner => head.partner = text.to_owned(),
            Field::ScheduledDate => {
                let format = plan.datetime_format(column);
                let odoo = caches[index]
                    .convert(text, |text| {
                        values::instant_from_file(text, format, &plan.time_zone)
                            .map(values::instant_to_odoo)
                    })
                    .map_err(invalid)?;
                odoo.clone_into(&mut head.scheduled_date);
            }
            Field::LineNo => line.line_no = Some(values::parse_integer(text).map_err(invalid)?),
            Field::MoveId => target.move_id = values::parse_integer(text).map_err(invalid)?,
            Field::ProductId => target.product_id = values::parse_integer(text).map_err(invalid)?,
            Field::Sku => target.sku = text.to_owned(),
            Field::Description => target.description = text.to_owned(),
            Field::Quantity => {
                target.quantity =
                    values::parse_decimal(text, plan.decimal_separator).map_err(invalid)?;
                text.clone_into(&mut line.quantity_text);
                has_quantity = true;
            }
            Field::Uom => target.uom = text.to_owned(),
            Field::Tracking => target.tracking = text.to_owned(),
            Field::Lot => push_list(column, text, &mut target.reserved_lots),
        }
    }

    if has_line && !has_quantity && plan.has_field(Field::Quantity) {
        return Err(reader.missing(plan.column_index(Field::Quantity).unwrap_or(0)));
    }
    Ok(Record {
        head,
        line: has_line.then_some(line),
    })
}

/// Line number as written, move id and SKU: what a lot record shares with
/// the record before it when both belong to one line.
type LineKey = (Option<u32>, i64, String);

/// Receipts in the order their reference first appears.
#[derive(Debug, Default)]
struct Grouping {
    receipts: Vec<ExpectedReceipt>,
    index_by_ref: HashMap<String, usize>,
    /// The receipt and key of the line the previous record added or joined.
    last_line: Option<(usize, LineKey)>,
    /// True when the layout has a `line_no` or `move_id` column.
    joins_lots: bool,
}

impl Grouping {
    fn add(
        &mut self,
        plan: &Plan<'_, Field>,
        reader: &TableReader<'_, '_, '_, Field>,
        record: Record,
    ) -> Result<(), FormatError> {
        let index = self.receipt_index(plan, reader, record.head)?;
        let Some(read) = record.line else {
            self.last_line = None;
            return Ok(());
        };

        let key: LineKey = (read.line_no, read.line.move_id, read.line.sku.clone());
        let receipt = &mut self.receipts[index];
        let joins_last = self.joins_lots
            && !read.line.reserved_lots.is_empty()
            && self.last_line.as_ref() == Some(&(index, key.clone()));
        if let Some(last) = receipt.lines.last_mut().filter(|_| joins_last) {
            if last.quantity != read.line.quantity {
                let problem = format!(
                    "line {} of {} (move {}) has quantity {} on the record before, but each lot record of a line repeats the line's expected quantity; correct the quantity or give this lot its own line_no",
                    last.line_no, receipt.picking_name, last.move_id, last.quantity
                );
                let column = plan.column_index(Field::Quantity).unwrap_or(0);
                return Err(reader.invalid(column, &read.quantity_text, problem));
            }
            last.reserved_lots.extend(read.line.reserved_lots);
            return Ok(());
        }

        let mut line = read.line;
        line.line_no = match read.line_no {
            Some(line_no) => line_no,
            None => u32::try_from(receipt.lines.len() + 1).unwrap_or(u32::MAX),
        };
        receipt.lines.push(line);
        self.last_line = Some((index, key));
        Ok(())
    }

    /// Returns the index of the record's receipt, added at the end when its
    /// reference is new.
    fn receipt_index(
        &mut self,
        plan: &Plan<'_, Field>,
        reader: &TableReader<'_, '_, '_, Field>,
        head: Head,
    ) -> Result<usize, FormatError> {
        let column_of = |field: Field| plan.column_index(field).unwrap_or(0);
        let picking_ref = head
            .picking_ref
            .ok_or_else(|| reader.missing(column_of(Field::PickingRef)))?;
        if let Some(index) = self.index_by_ref.get(&picking_ref) {
            return Ok(*index);
        }

        // The first record of a receipt gives the receipt's values.
        let kind = head
            .kind
            .ok_or_else(|| reader.missing(column_of(Field::Kind)))?;
        let index = self.receipts.len();
        self.index_by_ref.insert(picking_ref.clone(), index);
        self.receipts.push(ExpectedReceipt {
            picking_id: head.picking_id,
            picking_name: picking_ref,
            kind,
            origin: head.origin,
            partner: head.partner,
            scheduled_date: head.scheduled_date,
            lines: Vec::new(),
        });
        Ok(index)
    }
}
