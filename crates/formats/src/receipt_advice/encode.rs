//! Writing receipt advice, as the WMS simulator does to report what arrived.

use rust_decimal::Decimal;
use wharf_model::{ReceiptAdvice, ReceivedLine};

use super::{checked_plan, Field};
use crate::plan::{Plan, PlannedColumn};
use crate::table_writer::TableWriter;
use crate::values::{self, ConversionCache};
use crate::{FormatError, Layout};

/// Encodes receipt advice with `layout`, one record per received line (one
/// record without line values for an advice that has no lines). The
/// `line_no` column gets the line's position in its advice, from 1, and
/// `source_line` is not written.
///
/// The output depends only on the input and the layout, so encoding the
/// same advice twice gives the same bytes.
pub fn encode_receipt_advice(
    layout: &Layout,
    advices: &[ReceiptAdvice],
) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut writer = TableWriter::new(&plan)?;

    for advice in advices {
        let mut write = |line: Option<(usize, &ReceivedLine)>| {
            writer.write_row(false, |column| {
                let cache = &mut caches[plan.position_of(column)];
                let text = write_value(&plan, column, cache, advice, line)?;
                Ok(column.map_write(text))
            })
        };

        if advice.lines.is_empty() {
            write(None)?;
        }
        for (index, line) in advice.lines.iter().enumerate() {
            write(Some((index, line)))?;
        }
    }
    writer.finish()
}

/// Returns the text of one column before the `map` and the write
/// transforms. `line` is the line's index in the advice and the line.
fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    cache: &mut ConversionCache,
    advice: &ReceiptAdvice,
    line: Option<(usize, &ReceivedLine)>,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let unwritable = |value: &str, problem: String| FormatError::Unwritable {
        field: column.spec.field.clone().unwrap_or_default(),
        value: value.to_owned(),
        problem,
    };

    match field {
        Field::PickingRef => return Ok(advice.picking_ref.clone()),
        Field::ReceivedAt => {
            let Some(received_at) = &advice.received_at else {
                return Ok(String::new());
            };
            let format = plan.datetime_format(column);
            let text = cache
                .convert(received_at, |received_at| {
                    values::instant_from_model(received_at).and_then(|instant| {
                        values::instant_to_file(instant, format, &plan.time_zone)
                    })
                })
                .map_err(|problem| unwritable(received_at, problem))?;
            return Ok(text.to_owned());
        }
        _ => {}
    }

    let Some((index, line)) = line else {
        return Ok(String::new());
    };
    let optional = |value: &Option<String>| value.clone().unwrap_or_default();
    let text = match field {
        Field::LineNo => (index + 1).to_string(),
        Field::MoveId => line.move_id.map(|id| id.to_string()).unwrap_or_default(),
        Field::Sku => line.sku.clone(),
        Field::Quantity if line.quantity < Decimal::ZERO => {
            return Err(unwritable(
                &line.quantity.to_string(),
                format!("line {} of {} has a negative received quantity, which a receipt advice cannot carry; write 0 for a line where nothing arrived", index + 1, advice.picking_ref),
            ));
        }
        Field::Quantity => values::format_decimal(line.quantity, plan.decimal_separator),
        Field::Lot => optional(&line.lot),
        Field::ExpiryDate => match &line.expiry_date {
            None => String::new(),
            Some(date) => {
                let format = plan.date_format(column);
                cache
                    .convert(date, |date| values::date_to_file(date, format))
                    .map_err(|problem| unwritable(date, problem))?
                    .to_owned()
            }
        },
        Field::Inspection => optional(&line.inspection),
        Field::Disposition => line
            .disposition
            .map(|disposition| disposition.as_str().to_owned())
            .unwrap_or_default(),
        // Advice-level fields returned above.
        Field::PickingRef | Field::ReceivedAt => String::new(),
    };
    Ok(text)
}
