//! Expected receipts (advance shipping notices) in a delimited file, one
//! record per expected line, or one record per expected lot or serial when
//! the line lists them.
//!
//! Wharf writes these files to tell a warehouse which purchase receipts and
//! customer returns to expect, and the WMS simulator reads them back. The
//! picking's values (reference, kind, origin, partner, scheduled date)
//! repeat on every record. The model has no quantity per lot, so each lot
//! record repeats its line's whole expected quantity, and reading joins
//! consecutive lot records of one line back into that line. A lot column
//! with a `split` separator, or several lot columns, hold all of a line's
//! lots in one record instead. A receipt without lines is written as one
//! record whose line columns are empty.

mod decode;

pub use decode::decode_expected_receipts;

use wharf_model::{ExpectedReceipt, OrderLine, ReceiptKind};

use crate::plan::{field_set, join_list, list_share, FieldSet, Plan, PlannedColumn};
use crate::table_writer::TableWriter;
use crate::values::{self, ConversionCache};
use crate::{FormatError, Layout};

field_set! {
    /// Logical fields of an expected receipt file.
    Field with value maps {
        PickingId => "picking_id",
        /// Odoo picking name, for example `WH/IN/00007`.
        PickingRef => "picking_ref",
        /// `purchase` or `return`.
        Kind => "kind",
        /// Purchase order or returned picking the goods come from.
        Origin => "origin",
        /// Vendor or returning customer.
        Partner => "partner",
        /// Odoo's naive UTC time, written as local time in the layout's zone.
        ScheduledDate => "scheduled_date",
        LineNo => "line_no",
        MoveId => "move_id",
        ProductId => "product_id",
        Sku => "sku",
        Description => "description",
        /// The line's expected quantity, repeated on each of its lot records.
        Quantity => "quantity",
        Uom => "uom",
        /// Product tracking mode: `none`, `lot` or `serial`.
        Tracking => "tracking",
        /// An expected lot or serial number.
        Lot => "lot",
    }
}

/// Field names an expected receipt layout may use in `field`.
pub const EXPECTED_RECEIPT_FIELDS: &[&str] = Field::NAMES;

/// TOML of the default expected receipt layout: comma-separated UTF-8 with
/// a header and a column for every field, one record per expected lot.
pub const DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML: &str =
    include_str!("presets/expected_receipt_default.toml");

/// Parses [`DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML`].
pub fn default_expected_receipt_layout() -> Layout {
    parse_builtin(DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML)
}

/// Parses a layout compiled into this crate. The `presets_parse` test in
/// tests/receipts.rs parses each one, so a failure here is a defect in this crate.
pub(crate) fn parse_builtin(text: &str) -> Layout {
    Layout::from_toml(text)
        .unwrap_or_else(|error| panic!("a built-in layout preset does not parse: {error}"))
}

/// Fields that make a record an expected line when any of them has a value.
const LINE_FIELDS: [Field; 9] = [
    Field::LineNo,
    Field::MoveId,
    Field::ProductId,
    Field::Sku,
    Field::Description,
    Field::Quantity,
    Field::Uom,
    Field::Tracking,
    Field::Lot,
];

/// The receipt kinds in the order error messages list them.
const RECEIPT_KINDS: [ReceiptKind; 2] = [ReceiptKind::Purchase, ReceiptKind::Return];

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::PickingRef, "picking_ref")?;
    if plan.has_field(Field::Sku) {
        plan.require_field(Field::Quantity, "quantity")?;
    }
    Ok(plan)
}

/// Parses a receipt kind name, after the column's `map` has translated a
/// code.
fn parse_kind(column: &PlannedColumn<'_, Field>, text: &str) -> Result<ReceiptKind, String> {
    if let Some(kind) = RECEIPT_KINDS.into_iter().find(|kind| kind.as_str() == text) {
        return Ok(kind);
    }
    let names: Vec<&str> = RECEIPT_KINDS.iter().map(|kind| kind.as_str()).collect();
    let codes: Vec<&str> = column.spec.map.keys().map(String::as_str).collect();
    if codes.is_empty() {
        Err(format!(
            "expected one of {}; add a `map` to the kind column to read the warehouse's own codes",
            names.join(", ")
        ))
    } else {
        Err(format!(
            "expected one of {} or a code of the column's `map` ({}); add the code to `map`",
            names.join(", "),
            codes.join(", ")
        ))
    }
}

/// True when the layout writes a line's lots in one record: a lot column
/// has a `split` separator or several columns feed `lot`.
fn lots_in_one_record(plan: &Plan<'_, Field>) -> bool {
    plan.columns.iter().any(|column| {
        column.field == Some(Field::Lot) && (column.spec.split.is_some() || column.occurrences > 1)
    })
}

/// Encodes expected receipts with `layout`: one record per line, or one per
/// lot of a line that lists lots when the layout has a single lot column
/// without `split`. A layout without a lot column writes no lots.
///
/// The output depends only on the input and the layout, so a re-delivered
/// file has the same bytes as the first delivery.
pub fn encode_expected_receipts(
    layout: &Layout,
    receipts: &[ExpectedReceipt],
) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let record_per_lot = plan.has_field(Field::Lot) && !lots_in_one_record(&plan);
    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut writer = TableWriter::new(&plan)?;

    for receipt in receipts {
        let mut write = |line: Option<(&OrderLine, &[String])>| {
            writer.write_row(false, |column| {
                let cache = &mut caches[plan.position_of(column)];
                let text = write_value(&plan, column, cache, receipt, line)?;
                Ok(column.map_write(text))
            })
        };

        if receipt.lines.is_empty() {
            write(None)?;
        }
        for line in &receipt.lines {
            if record_per_lot && !line.reserved_lots.is_empty() {
                for lot in line.reserved_lots.chunks(1) {
                    write(Some((line, lot)))?;
                }
            } else {
                write(Some((line, &line.reserved_lots)))?;
            }
        }
    }
    writer.finish()
}

/// Returns the text of one column before the `map` and the write
/// transforms. `line` is the line and the lots this record lists.
fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    cache: &mut ConversionCache,
    receipt: &ExpectedReceipt,
    line: Option<(&OrderLine, &[String])>,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let field_name = column.spec.field.as_deref().unwrap_or_default();

    if LINE_FIELDS.contains(&field) {
        let Some((line, lots)) = line else {
            return Ok(String::new());
        };
        let text = match field {
            Field::LineNo => line.line_no.to_string(),
            Field::MoveId => line.move_id.to_string(),
            Field::ProductId => line.product_id.to_string(),
            Field::Sku => line.sku.clone(),
            Field::Description => line.description.clone(),
            Field::Quantity => values::format_decimal(line.quantity, plan.decimal_separator),
            Field::Uom => line.uom.clone(),
            Field::Tracking => line.tracking.clone(),
            _ => join_list(column, field_name, list_share(column, lots))?,
        };
        return Ok(text);
    }

    let text = match field {
        Field::PickingId => receipt.picking_id.to_string(),
        Field::PickingRef => receipt.picking_name.clone(),
        Field::Kind => receipt.kind.as_str().to_owned(),
        Field::Origin => receipt.origin.clone(),
        Field::Partner => receipt.partner.clone(),
        Field::ScheduledDate => {
            let odoo = &receipt.scheduled_date;
            if odoo.is_empty() {
                return Ok(String::new());
            }
            let format = plan.datetime_format(column);
            cache
                .convert(odoo, |odoo| {
                    values::instant_from_odoo(odoo).and_then(|instant| {
                        values::instant_to_file(instant, format, &plan.time_zone)
                    })
                })
                .map_err(|problem| FormatError::Unwritable {
                    field: field_name.to_owned(),
                    value: odoo.clone(),
                    problem,
                })?
                .to_owned()
        }
        // Line fields returned above.
        _ => String::new(),
    };
    Ok(text)
}
