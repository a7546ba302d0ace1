//! Receipt advice in a delimited file: the warehouse's report of the goods
//! that arrived for expected receipts, one record per received line (per lot
//! or serial for tracked products).
//!
//! Records are grouped into advices by picking reference in the order each
//! reference first appears. The receive time may repeat on every record or
//! appear on one of them, and the first one found is kept. A record without
//! any line value (SKU, quantity, move id, lot, expiry date, inspection,
//! disposition) only carries advice-level values. A quantity of zero
//! reports a line where nothing arrived, and a negative quantity is an error.
//! The disposition column usually contains the warehouse's own codes (`RS`,
//! `QC`), which the column's `map` translates to the model's names.

mod encode;

pub use encode::encode_receipt_advice;

use std::collections::HashMap;

use rust_decimal::Decimal;
use wharf_model::{Disposition, ReceiptAdvice, ReceivedLine};

use crate::plan::{field_set, FieldSet, Plan, PlannedColumn};
use crate::receipts::parse_builtin;
use crate::table::TableReader;
use crate::values::{self, ConversionCache};
use crate::{text, FormatError, Layout};

field_set! {
    /// Logical fields of a receipt advice file.
    Field with value maps {
        PickingRef => "picking_ref",
        /// Date and time, local to the layout's time zone unless it has an offset.
        ReceivedAt => "received_at",
        /// Line number within the advice, written from 1. A value read is checked
        /// as a whole number but not kept, because `ReceivedLine` has no line number.
        LineNo => "line_no",
        MoveId => "move_id",
        Sku => "sku",
        /// Received quantity, zero or more.
        Quantity => "quantity",
        Lot => "lot",
        ExpiryDate => "expiry_date",
        /// The inspection's result in the warehouse's words.
        Inspection => "inspection",
        /// `restock`, `quarantine`, `scrap` or `return_to_vendor`.
        Disposition => "disposition",
    }
}

/// Field names a receipt advice layout may use in `field`.
pub const RECEIPT_ADVICE_FIELDS: &[&str] = Field::NAMES;

/// TOML of the default receipt advice layout: comma-separated UTF-8 with a
/// header and a column for every field.
pub const DEFAULT_RECEIPT_ADVICE_LAYOUT_TOML: &str =
    include_str!("presets/receipt_advice_default.toml");

/// Parses [`DEFAULT_RECEIPT_ADVICE_LAYOUT_TOML`].
pub fn default_receipt_advice_layout() -> Layout {
    parse_builtin(DEFAULT_RECEIPT_ADVICE_LAYOUT_TOML)
}

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::PickingRef, "picking_ref")?;
    plan.require_field(Field::Sku, "sku")?;
    plan.require_field(Field::Quantity, "quantity")?;
    Ok(plan)
}

/// Decodes a receipt advice file with `layout`, one advice per picking
/// reference in the order the references first appear.
pub fn decode_receipt_advice(
    layout: &Layout,
    bytes: &[u8],
) -> Result<Vec<ReceiptAdvice>, FormatError> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let picking_column = plan.column_index(Field::PickingRef).unwrap_or(0);
    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut advices: Vec<ReceiptAdvice> = Vec::new();
    let mut index_by_ref: HashMap<String, usize> = HashMap::new();
    while reader.advance()? {
        // The picking reference decides which advice the record joins.
        let picking = reader
            .value(picking_column)
            .ok_or_else(|| reader.missing(picking_column))?;
        let picking_ref = plan.columns[picking_column].map_read(&picking.text);
        let index = match index_by_ref.get(picking_ref) {
            Some(index) => *index,
            None => {
                index_by_ref.insert(picking_ref.to_owned(), advices.len());
                advices.push(ReceiptAdvice {
                    picking_ref: picking_ref.to_owned(),
                    lines: Vec::new(),
                    received_at: None,
                });
                advices.len() - 1
            }
        };
        read_record(&plan, &reader, &mut caches, &mut advices[index])?;
    }
    Ok(advices)
}

/// The line values of one record before the required ones are checked.
#[derive(Debug, Default)]
struct Draft {
    move_id: Option<i64>,
    sku: Option<String>,
    quantity: Option<Decimal>,
    /// The quantity as written, for error messages.
    quantity_text: String,
    lot: Option<String>,
    expiry_date: Option<String>,
    inspection: Option<String>,
    disposition: Option<Disposition>,
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    caches: &mut [ConversionCache],
    advice: &mut ReceiptAdvice,
) -> Result<(), FormatError> {
    let mut draft = Draft::default();
    for (index, column) in plan.columns.iter().enumerate() {
        // The picking reference was read by the caller.
        let Some(field) = column.field.filter(|field| *field != Field::PickingRef) else {
            continue;
        };
        let Some(cell) = reader.value(index) else {
            continue;
        };
        let text = column.map_read(&cell.text);
        read_value(
            plan,
            column,
            field,
            text,
            &mut caches[index],
            &mut draft,
            advice,
        )
        .map_err(|problem| reader.invalid(index, &cell.text, problem))?;
    }
    finish_line(plan, reader, draft, advice)
}

fn read_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    field: Field,
    text: &str,
    cache: &mut ConversionCache,
    draft: &mut Draft,
    advice: &mut ReceiptAdvice,
) -> Result<(), String> {
    match field {
        Field::PickingRef => {}
        Field::ReceivedAt => {
            let format = plan.datetime_format(column);
            let instant = cache.convert(text, |text| {
                values::instant_from_file(text, format, &plan.time_zone)
                    .map(|instant| instant.to_string())
            })?;
            if advice.received_at.is_none() {
                advice.received_at = Some(instant.to_owned());
            }
        }
        Field::LineNo => {
            values::parse_integer::<u32>(text)?;
        }
        Field::MoveId => draft.move_id = Some(values::parse_integer(text)?),
        Field::Sku => draft.sku = Some(text.to_owned()),
        Field::Quantity => {
            draft.quantity = Some(values::parse_decimal(text, plan.decimal_separator)?);
            text.clone_into(&mut draft.quantity_text);
        }
        Field::Lot => draft.lot = Some(text.to_owned()),
        Field::ExpiryDate => {
            draft.expiry_date = Some(cache.date(text, plan.date_format(column))?);
        }
        Field::Inspection => draft.inspection = Some(text.to_owned()),
        Field::Disposition => draft.disposition = Some(parse_disposition(column, text)?),
    }
    Ok(())
}

fn parse_disposition(column: &PlannedColumn<'_, Field>, text: &str) -> Result<Disposition, String> {
    Disposition::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Disposition::ALL.iter().map(|d| d.as_str()).collect();
        let codes: Vec<&str> = column.spec.map.keys().map(String::as_str).collect();
        if codes.is_empty() {
            format!(
                "expected one of {}; add a `map` to the disposition column to read the warehouse's own codes",
                names.join(", ")
            )
        } else {
            format!(
                "expected one of {} or a code of the column's `map` ({}); add the code to `map`",
                names.join(", "),
                codes.join(", ")
            )
        }
    })
}

/// Adds the record's line to the advice after checking the required values.
fn finish_line(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    draft: Draft,
    advice: &mut ReceiptAdvice,
) -> Result<(), FormatError> {
    let column_of = |field: Field| plan.column_index(field).unwrap_or(0);
    let has_line_values = draft.move_id.is_some()
        || draft.lot.is_some()
        || draft.expiry_date.is_some()
        || draft.inspection.is_some()
        || draft.disposition.is_some();
    let (sku, quantity) = match (draft.sku, draft.quantity) {
        (None, None) if !has_line_values => return Ok(()),
        (None, None) => return Err(reader.missing(column_of(Field::Sku))),
        (Some(sku), Some(quantity)) => (sku, quantity),
        (Some(_), None) => return Err(reader.missing(column_of(Field::Quantity))),
        (None, Some(_)) => return Err(reader.missing(column_of(Field::Sku))),
    };
    if quantity < Decimal::ZERO {
        return Err(reader.invalid(
            column_of(Field::Quantity),
            &draft.quantity_text,
            "a received quantity cannot be negative; write 0 for a line where nothing arrived and check the sign in the file".to_owned(),
        ));
    }

    advice.lines.push(ReceivedLine {
        source_line: u32::try_from(reader.line()).unwrap_or(u32::MAX),
        sku,
        move_id: draft.move_id,
        quantity,
        lot: draft.lot,
        expiry_date: draft.expiry_date,
        inspection: draft.inspection,
        disposition: draft.disposition,
    });
    Ok(())
}
