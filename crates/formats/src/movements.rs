//! Inventory movements in a delimited file, one record per movement.
//!
//! Each record is independent: a cycle count, a signed adjustment, a scrap or
//! a status change of one SKU (and lot) in one location. The kind column
//! usually contains the warehouse's own codes (`CC`, `ADJ`), which the column's
//! `map` translates to the model's kind names.

use rust_decimal::Decimal;
use wharf_model::{InventoryMovement, MovementKind};

use crate::plan::{field_set, FieldSet, Plan, PlannedColumn};
use crate::table::TableReader;
use crate::table_writer::TableWriter;
use crate::values::ConversionCache;
use crate::{text, values, FormatError, Layout};

field_set! {
    /// Logical fields of a movement file.
    Field with value maps {
        MovementRef => "movement_ref",
        /// `cycle_count`, `adjustment`, `scrap` or `status_change`.
        Kind => "kind",
        Location => "location",
        /// Target location of a status change.
        ToLocation => "to_location",
        Sku => "sku",
        Lot => "lot",
        ExpiryDate => "expiry_date",
        /// Signed for adjustments, zero or more for the other kinds.
        Quantity => "quantity",
        Unit => "unit",
        Reason => "reason",
        /// Date and time, local to the layout's time zone unless it has an offset.
        OccurredAt => "occurred_at",
    }
}

/// Field names a movement layout may use in `field`.
pub const MOVEMENT_FIELDS: &[&str] = Field::NAMES;

/// Fields every movement record must give.
const REQUIRED: [(Field, &str); 5] = [
    (Field::MovementRef, "movement_ref"),
    (Field::Kind, "kind"),
    (Field::Location, "location"),
    (Field::Sku, "sku"),
    (Field::Quantity, "quantity"),
];

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    for (field, name) in REQUIRED {
        plan.require_field(field, name)?;
    }
    Ok(plan)
}

/// Decodes a movement file with `layout`, one movement per record in file
/// order.
pub fn decode_movements(
    layout: &Layout,
    bytes: &[u8],
) -> Result<Vec<InventoryMovement>, FormatError> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut movements = Vec::new();
    while reader.advance()? {
        movements.push(read_record(&plan, &reader, &mut caches)?);
    }
    Ok(movements)
}

/// The values of one record before the required ones are checked.
#[derive(Debug, Default)]
struct Draft {
    movement_ref: Option<String>,
    kind: Option<MovementKind>,
    location: Option<String>,
    to_location: Option<String>,
    sku: Option<String>,
    lot: Option<String>,
    expiry_date: Option<String>,
    quantity: Option<Decimal>,
    /// The quantity as written, for error messages.
    quantity_text: String,
    unit: Option<String>,
    reason: Option<String>,
    occurred_at: Option<String>,
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    caches: &mut [ConversionCache],
) -> Result<InventoryMovement, FormatError> {
    let mut draft = Draft::default();
    for (index, column) in plan.columns.iter().enumerate() {
        let Some(field) = column.field else { continue };
        let Some(cell) = reader.value(index) else {
            continue;
        };
        let text = column.map_read(&cell.text);
        read_value(plan, column, field, text, &mut caches[index], &mut draft)
            .map_err(|problem| reader.invalid(index, &cell.text, problem))?;
    }
    finish_record(plan, reader, draft)
}

fn read_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    field: Field,
    text: &str,
    cache: &mut ConversionCache,
    draft: &mut Draft,
) -> Result<(), String> {
    match field {
        Field::MovementRef => draft.movement_ref = Some(text.to_owned()),
        Field::Kind => draft.kind = Some(parse_kind(column, text)?),
        Field::Location => draft.location = Some(text.to_owned()),
        Field::ToLocation => draft.to_location = Some(text.to_owned()),
        Field::Sku => draft.sku = Some(text.to_owned()),
        Field::Lot => draft.lot = Some(text.to_owned()),
        Field::ExpiryDate => {
            draft.expiry_date = Some(cache.date(text, plan.date_format(column))?);
        }
        Field::Quantity => {
            draft.quantity = Some(values::parse_decimal(text, plan.decimal_separator)?);
            text.clone_into(&mut draft.quantity_text);
        }
        Field::Unit => draft.unit = Some(text.to_owned()),
        Field::Reason => draft.reason = Some(text.to_owned()),
        Field::OccurredAt => {
            let format = plan.datetime_format(column);
            let instant = cache.convert(text, |text| {
                values::instant_from_file(text, format, &plan.time_zone)
                    .map(|instant| instant.to_string())
            })?;
            draft.occurred_at = Some(instant.to_owned());
        }
    }
    Ok(())
}

fn parse_kind(column: &PlannedColumn<'_, Field>, text: &str) -> Result<MovementKind, String> {
    MovementKind::parse(text).ok_or_else(|| {
        let names: Vec<&str> = MovementKind::ALL.iter().map(|kind| kind.as_str()).collect();
        let codes: Vec<&str> = column.spec.map.keys().map(String::as_str).collect();
        if codes.is_empty() {
            format!(
                "expected one of {}; add a `map` to the kind column to read the warehouse's own codes",
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

/// Checks the required values and the rules between fields.
fn finish_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    draft: Draft,
) -> Result<InventoryMovement, FormatError> {
    let missing = |field: Field| reader.missing(plan.column_index(field).unwrap_or(0));
    let movement_ref = draft
        .movement_ref
        .ok_or_else(|| missing(Field::MovementRef))?;
    let kind = draft.kind.ok_or_else(|| missing(Field::Kind))?;
    let location = draft.location.ok_or_else(|| missing(Field::Location))?;
    let sku = draft.sku.ok_or_else(|| missing(Field::Sku))?;
    let quantity = draft.quantity.ok_or_else(|| missing(Field::Quantity))?;

    if quantity < Decimal::ZERO && kind != MovementKind::Adjustment {
        let index = plan.column_index(Field::Quantity).unwrap_or(0);
        return Err(reader.invalid(
            index,
            &draft.quantity_text,
            format!("a {kind} cannot have a negative quantity; only an adjustment is signed, so check the kind and the sign in the file"),
        ));
    }
    if kind == MovementKind::StatusChange && draft.to_location.is_none() {
        return Err(match plan.column_index(Field::ToLocation) {
            Some(index) => reader.missing(index),
            None => reader.invalid(
                plan.column_index(Field::Kind).unwrap_or(0),
                kind.as_str(),
                "a status_change needs a target location but the layout has no `to_location` column; add one".to_owned(),
            ),
        });
    }

    Ok(InventoryMovement {
        source_line: u32::try_from(reader.line()).unwrap_or(u32::MAX),
        movement_ref,
        kind,
        location,
        to_location: draft.to_location,
        sku,
        lot: draft.lot,
        expiry_date: draft.expiry_date,
        quantity,
        unit: draft.unit,
        reason: draft.reason,
        occurred_at: draft.occurred_at,
    })
}

/// Encodes movements with `layout`, one record per movement in the given
/// order; `source_line` is not written.
///
/// The output depends only on the input and the layout, so encoding the
/// same movements twice gives the same bytes.
pub fn encode_movements(
    layout: &Layout,
    movements: &[InventoryMovement],
) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut writer = TableWriter::new(&plan)?;
    for movement in movements {
        writer.write_row(false, |column| {
            let cache = &mut caches[plan.position_of(column)];
            let text = write_value(&plan, column, cache, movement)?;
            Ok(column.map_write(text))
        })?;
    }
    writer.finish()
}

fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    cache: &mut ConversionCache,
    movement: &InventoryMovement,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let unwritable = |value: &str, problem: String| FormatError::Unwritable {
        field: column.spec.field.clone().unwrap_or_default(),
        value: value.to_owned(),
        problem,
    };
    let optional = |value: &Option<String>| value.clone().unwrap_or_default();

    let text = match field {
        Field::MovementRef => movement.movement_ref.clone(),
        Field::Kind => movement.kind.as_str().to_owned(),
        Field::Location => movement.location.clone(),
        Field::ToLocation => optional(&movement.to_location),
        Field::Sku => movement.sku.clone(),
        Field::Lot => optional(&movement.lot),
        Field::ExpiryDate => match &movement.expiry_date {
            None => String::new(),
            Some(date) => {
                let format = plan.date_format(column);
                cache
                    .convert(date, |date| values::date_to_file(date, format))
                    .map_err(|problem| unwritable(date, problem))?
                    .to_owned()
            }
        },
        Field::Quantity => values::format_decimal(movement.quantity, plan.decimal_separator),
        Field::Unit => optional(&movement.unit),
        Field::Reason => optional(&movement.reason),
        Field::OccurredAt => match &movement.occurred_at {
            None => String::new(),
            Some(occurred_at) => {
                let format = plan.datetime_format(column);
                cache
                    .convert(occurred_at, |occurred_at| {
                        values::instant_from_model(occurred_at).and_then(|instant| {
                            values::instant_to_file(instant, format, &plan.time_zone)
                        })
                    })
                    .map_err(|problem| unwritable(occurred_at, problem))?
                    .to_owned()
            }
        },
    };
    Ok(text)
}
