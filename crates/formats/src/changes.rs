//! Order changes in a delimited file: cancels and amendments of released
//! pickings, sent by Wharf to the warehouse.
//!
//! An amendment is written as one record per line the picking should ship,
//! with the picking's values repeated on each record. A cancel is one
//! record whose line columns are empty. On read, records are grouped into
//! changes by `picking_ref` in the order each reference first appears (see
//! `change_grouping.rs`), and the picking's values come from its first
//! record. The change column contains `cancel` or `amend`, or the
//! warehouse's own codes, which the column's `map` translates.

use rust_decimal::Decimal;
use wharf_model::{ChangeKind, OrderChange, OrderLine};

use crate::change_grouping::{ChangeRecord, Grouping};
use crate::lifecycle;
use crate::plan::{field_set, FieldSet, Plan, PlannedColumn};
use crate::table::TableReader;
use crate::table_writer::TableWriter;
use crate::{text, values, FormatError, Layout};

field_set! {
    /// Logical fields of an order change file.
    Field with value maps {
        PickingId => "picking_id",
        /// Odoo picking name, for example `WH/OUT/00042`.
        PickingRef => "picking_ref",
        /// Odoo sale order name.
        OrderRef => "order_ref",
        /// `cancel` or `amend`.
        Change => "change",
        Reason => "reason",
        LineNo => "line_no",
        MoveId => "move_id",
        Sku => "sku",
        Description => "description",
        Quantity => "quantity",
        Uom => "uom",
    }
}

/// Field names an order change layout may use in `field`.
pub const CHANGE_FIELDS: &[&str] = Field::NAMES;

/// TOML of the default order change layout: comma-separated UTF-8 with a
/// header and the columns picking_id, picking_ref, order_ref, change,
/// reason, line_no, move_id, sku, description, quantity and uom.
pub const DEFAULT_CHANGE_LAYOUT_TOML: &str = include_str!("presets/change_default.toml");

/// Parses [`DEFAULT_CHANGE_LAYOUT_TOML`].
pub fn default_change_layout() -> Layout {
    lifecycle::parse_builtin(DEFAULT_CHANGE_LAYOUT_TOML)
}

/// Fields that make a record an amended line when any of them has a value.
const LINE_FIELDS: [Field; 6] = [
    Field::LineNo,
    Field::MoveId,
    Field::Sku,
    Field::Description,
    Field::Quantity,
    Field::Uom,
];

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::PickingRef, "picking_ref")?;
    plan.require_field(Field::Change, "change")?;
    if plan.has_field(Field::Sku) {
        plan.require_field(Field::Quantity, "quantity")?;
    }
    Ok(plan)
}

/// Decodes an order change file with `layout`, one change per picking in
/// the order each picking first appears.
///
/// The product id, tracking mode and reserved lots of an amended line have
/// no field in this file, so they are 0, empty and empty.
pub fn decode_changes(layout: &Layout, bytes: &[u8]) -> Result<Vec<OrderChange>, FormatError> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let mut grouping = Grouping::default();
    while reader.advance()? {
        let record = read_record(&plan, &reader)?;
        grouping.add(&plan, &reader, record)?;
    }
    Ok(grouping.into_changes())
}

fn empty_line() -> OrderLine {
    OrderLine {
        line_no: 0,
        move_id: 0,
        product_id: 0,
        sku: String::new(),
        description: String::new(),
        quantity: Decimal::ZERO,
        uom: String::new(),
        tracking: String::new(),
        reserved_lots: Vec::new(),
    }
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
) -> Result<ChangeRecord, FormatError> {
    let mut change = OrderChange {
        picking_id: 0,
        picking_name: String::new(),
        order_name: String::new(),
        kind: ChangeKind::Cancel,
        reason: String::new(),
        lines: Vec::new(),
    };
    let mut kind_text = None;
    let mut line = empty_line();
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

        match field {
            Field::PickingId => change.picking_id = values::parse_integer(text).map_err(invalid)?,
            Field::PickingRef => change.picking_name = text.to_owned(),
            Field::OrderRef => change.order_name = text.to_owned(),
            Field::Change => {
                let names = ChangeKind::ALL.map(ChangeKind::as_str);
                change.kind = ChangeKind::parse(text)
                    .ok_or_else(|| invalid(lifecycle::unknown_name(column, &names)))?;
                kind_text = Some(cell.text.clone().into_owned());
            }
            Field::Reason => change.reason = text.to_owned(),
            Field::LineNo => line.line_no = values::parse_integer(text).map_err(invalid)?,
            Field::MoveId => line.move_id = values::parse_integer(text).map_err(invalid)?,
            Field::Sku => line.sku = text.to_owned(),
            Field::Description => line.description = text.to_owned(),
            Field::Quantity => {
                line.quantity = read_quantity(plan, text).map_err(invalid)?;
                has_quantity = true;
            }
            Field::Uom => line.uom = text.to_owned(),
        }
    }

    let missing = |field: Field| reader.missing(plan.column_index(field).unwrap_or(0));
    if change.picking_name.is_empty() {
        return Err(missing(Field::PickingRef));
    }
    let kind_text = kind_text.ok_or_else(|| missing(Field::Change))?;
    if has_line && !has_quantity && plan.has_field(Field::Quantity) {
        return Err(missing(Field::Quantity));
    }
    if has_line {
        change.lines.push(line);
    }
    Ok(ChangeRecord { change, kind_text })
}

fn read_quantity(plan: &Plan<'_, Field>, text: &str) -> Result<Decimal, String> {
    let quantity = values::parse_decimal(text, plan.decimal_separator)?;
    if quantity < Decimal::ZERO {
        return Err("a line quantity cannot be negative; an amendment lists what the picking should ship, so check the sign in the file".to_owned());
    }
    Ok(quantity)
}

/// Encodes order changes with `layout`: one record per line of an
/// amendment, and one record with empty line columns for a cancel.
///
/// A cancel with lines, an amendment without lines and a negative line
/// quantity are rejected, because the file would not read back as the same
/// change. The product id, tracking mode and reserved lots of a line are
/// not written. The output depends only on the input and the layout, so
/// encoding the same changes twice gives the same bytes.
pub fn encode_changes(layout: &Layout, changes: &[OrderChange]) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let mut writer = TableWriter::new(&plan)?;

    for change in changes {
        check_writable(&plan, change)?;
        if change.lines.is_empty() {
            writer.write_row(false, |column| write_value(&plan, column, change, None))?;
        }
        for line in &change.lines {
            writer.write_row(false, |column| {
                write_value(&plan, column, change, Some(line))
            })?;
        }
    }
    writer.finish()
}

fn check_writable(plan: &Plan<'_, Field>, change: &OrderChange) -> Result<(), FormatError> {
    lifecycle::require_text("picking_ref", &change.picking_name, "change record")?;
    let unwritable = |problem: String| FormatError::Unwritable {
        field: "change".to_owned(),
        value: change.kind.as_str().to_owned(),
        problem,
    };
    let picking = &change.picking_name;
    let line_count = change.lines.len();

    match change.kind {
        ChangeKind::Cancel if line_count > 0 => Err(unwritable(format!(
            "the cancel of {picking} has {line_count} lines but a cancel carries none; clear its lines or send an amendment"
        ))),
        ChangeKind::Amend if line_count == 0 => Err(unwritable(format!(
            "the amendment of {picking} has no lines and would ship nothing; send a cancel instead"
        ))),
        ChangeKind::Amend if !plan.has_field(Field::Quantity) => Err(unwritable(format!(
            "the layout has no quantity column, so the lines of the amendment of {picking} cannot be written; add the line columns to the layout"
        ))),
        _ => match change.lines.iter().find(|line| line.quantity < Decimal::ZERO) {
            Some(line) => Err(FormatError::Unwritable {
                field: "quantity".to_owned(),
                value: line.quantity.to_string(),
                problem: format!(
                    "line {} of the amendment of {picking} is negative; an amendment lists what the picking should ship",
                    line.line_no
                ),
            }),
            None => Ok(()),
        },
    }
}

fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    change: &OrderChange,
    line: Option<&OrderLine>,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    if LINE_FIELDS.contains(&field) {
        let Some(line) = line else {
            return Ok(String::new());
        };
        let text = match field {
            Field::LineNo => line.line_no.to_string(),
            Field::MoveId => line.move_id.to_string(),
            Field::Sku => line.sku.clone(),
            Field::Description => line.description.clone(),
            Field::Quantity => values::format_decimal(line.quantity, plan.decimal_separator),
            Field::Uom => line.uom.clone(),
            // Picking fields are written below.
            _ => String::new(),
        };
        return Ok(column.map_write(text));
    }

    let text = match field {
        Field::PickingId => change.picking_id.to_string(),
        Field::PickingRef => change.picking_name.clone(),
        Field::OrderRef => change.order_name.clone(),
        Field::Change => change.kind.as_str().to_owned(),
        Field::Reason => change.reason.clone(),
        // Line fields returned above.
        _ => String::new(),
    };
    Ok(column.map_write(text))
}
