//! Inventory snapshots in a delimited file: the full balance of a warehouse,
//! one record per location, SKU and lot.
//!
//! The instant the balances were taken may repeat on every record in a
//! `taken_at` column. It must then be the same on every record. Negative
//! quantities are read as they are, because the reconciliation reports them.
//! A snapshot can have a million records, so [`decode_snapshot_with`] hands
//! each row to a callback instead of collecting them.

use wharf_model::SnapshotRow;

use crate::plan::{field_set, FieldSet, Plan, PlannedColumn};
use crate::table::TableReader;
use crate::table_writer::TableWriter;
use crate::values::ConversionCache;
use crate::{text, values, FormatError, Layout};

field_set! {
    /// Logical fields of a snapshot file.
    Field with value maps {
        Location => "location",
        Sku => "sku",
        Lot => "lot",
        ExpiryDate => "expiry_date",
        /// May be negative.
        Quantity => "quantity",
        Unit => "unit",
        /// Date and time the balances were taken, equal on every record.
        TakenAt => "taken_at",
    }
}

/// Field names a snapshot layout may use in `field`.
pub const SNAPSHOT_FIELDS: &[&str] = Field::NAMES;

/// A decoded snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedSnapshot {
    /// When the balances were taken, RFC 3339 in UTC; `None` when the layout
    /// has no `taken_at` column or the file has no records.
    pub taken_at: Option<String>,
    pub rows: Vec<SnapshotRow>,
}

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::Location, "location")?;
    plan.require_field(Field::Sku, "sku")?;
    plan.require_field(Field::Quantity, "quantity")?;
    Ok(plan)
}

/// Decodes a snapshot file with `layout`, rows in file order.
pub fn decode_snapshot(layout: &Layout, bytes: &[u8]) -> Result<DecodedSnapshot, FormatError> {
    let mut rows = Vec::new();
    let taken_at = decode_snapshot_with(layout, bytes, |row| {
        rows.push(row);
        Ok::<(), FormatError>(())
    })?;
    Ok(DecodedSnapshot { taken_at, rows })
}

/// Decodes a snapshot file with `layout` and passes each row to `on_row`
/// as it is read, without keeping the rows. Returns the file's `taken_at`.
///
/// The first error, from the file or from `on_row`, ends decoding. Rows
/// before a bad record have been passed on by then, so a caller that
/// stores rows must discard them when this returns an error.
pub fn decode_snapshot_with<E: From<FormatError>>(
    layout: &Layout,
    bytes: &[u8],
    mut on_row: impl FnMut(SnapshotRow) -> Result<(), E>,
) -> Result<Option<String>, E> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut taken_at = TakenAt::default();
    while reader.advance()? {
        let row = read_record(&plan, &reader, &mut caches, &mut taken_at)?;
        on_row(row)?;
    }
    Ok(taken_at.first.map(|first| first.instant))
}

/// The first `taken_at` of the file, which every later record must match.
#[derive(Debug, Default)]
struct TakenAt {
    first: Option<FirstTakenAt>,
}

#[derive(Debug)]
struct FirstTakenAt {
    instant: String,
    text: String,
    line: u64,
}

impl TakenAt {
    /// Keeps the first instant, or checks a later one against it.
    fn check(&mut self, instant: &str, text: &str, line: u64) -> Result<(), String> {
        match &self.first {
            None => {
                self.first = Some(FirstTakenAt {
                    instant: instant.to_owned(),
                    text: text.to_owned(),
                    line,
                });
                Ok(())
            }
            Some(first) if first.instant == instant => Ok(()),
            Some(first) => Err(format!(
                "differs from `{}` on line {}; a snapshot is taken at one instant, so every record must have the same taken_at: check that the file comes from one export",
                first.text, first.line
            )),
        }
    }
}

/// The values of one record before the required ones are checked.
#[derive(Debug, Default)]
struct Draft {
    location: Option<String>,
    sku: Option<String>,
    lot: Option<String>,
    expiry_date: Option<String>,
    quantity: Option<rust_decimal::Decimal>,
    unit: Option<String>,
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    caches: &mut [ConversionCache],
    taken_at: &mut TakenAt,
) -> Result<SnapshotRow, FormatError> {
    let mut draft = Draft::default();
    for (index, column) in plan.columns.iter().enumerate() {
        let Some(field) = column.field else { continue };
        let Some(cell) = reader.value(index) else {
            if field == Field::TakenAt {
                return Err(reader.missing(index));
            }
            continue;
        };
        let text = column.map_read(&cell.text);
        let cache = &mut caches[index];
        let read = match field {
            Field::TakenAt => read_taken_at(plan, column, cache, text)
                .and_then(|instant| taken_at.check(instant, &cell.text, reader.line())),
            _ => read_value(plan, column, field, text, cache, &mut draft),
        };
        read.map_err(|problem| reader.invalid(index, &cell.text, problem))?;
    }

    let missing = |field: Field| reader.missing(plan.column_index(field).unwrap_or(0));
    Ok(SnapshotRow {
        source_line: u32::try_from(reader.line()).unwrap_or(u32::MAX),
        location: draft.location.ok_or_else(|| missing(Field::Location))?,
        sku: draft.sku.ok_or_else(|| missing(Field::Sku))?,
        lot: draft.lot,
        expiry_date: draft.expiry_date,
        quantity: draft.quantity.ok_or_else(|| missing(Field::Quantity))?,
        unit: draft.unit,
    })
}

fn read_taken_at<'c>(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    cache: &'c mut ConversionCache,
    text: &str,
) -> Result<&'c str, String> {
    let format = plan.datetime_format(column);
    cache.convert(text, |text| {
        values::instant_from_file(text, format, &plan.time_zone).map(|instant| instant.to_string())
    })
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
        Field::Location => draft.location = Some(text.to_owned()),
        Field::Sku => draft.sku = Some(text.to_owned()),
        Field::Lot => draft.lot = Some(text.to_owned()),
        Field::ExpiryDate => {
            draft.expiry_date = Some(cache.date(text, plan.date_format(column))?);
        }
        Field::Quantity => {
            draft.quantity = Some(values::parse_decimal(text, plan.decimal_separator)?);
        }
        Field::Unit => draft.unit = Some(text.to_owned()),
        Field::TakenAt => {}
    }
    Ok(())
}

/// Encodes a snapshot with `layout`: one record per row in the given order,
/// with `taken_at` (RFC 3339) in every `taken_at` column. `source_line` is
/// not written.
///
/// The output depends only on the input and the layout, so encoding the
/// same snapshot twice gives the same bytes.
pub fn encode_snapshot(
    layout: &Layout,
    taken_at: &str,
    rows: &[SnapshotRow],
) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let instant =
        values::instant_from_model(taken_at).map_err(|problem| FormatError::Unwritable {
            field: "taken_at".to_owned(),
            value: taken_at.to_owned(),
            problem,
        })?;

    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut writer = TableWriter::new(&plan)?;
    for row in rows {
        writer.write_row(false, |column| {
            let cache = &mut caches[plan.position_of(column)];
            let text = write_value(&plan, column, cache, row, instant)?;
            Ok(column.map_write(text))
        })?;
    }
    writer.finish()
}

fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    cache: &mut ConversionCache,
    row: &SnapshotRow,
    taken_at: jiff::Timestamp,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let unwritable = |value: &str, problem: String| FormatError::Unwritable {
        field: column.spec.field.clone().unwrap_or_default(),
        value: value.to_owned(),
        problem,
    };

    let text = match field {
        Field::Location => row.location.clone(),
        Field::Sku => row.sku.clone(),
        Field::Lot => row.lot.clone().unwrap_or_default(),
        Field::ExpiryDate => match &row.expiry_date {
            None => String::new(),
            Some(date) => {
                let format = plan.date_format(column);
                cache
                    .convert(date, |date| values::date_to_file(date, format))
                    .map_err(|problem| unwritable(date, problem))?
                    .to_owned()
            }
        },
        Field::Quantity => values::format_decimal(row.quantity, plan.decimal_separator),
        Field::Unit => row.unit.clone().unwrap_or_default(),
        // The cache's key is empty: the instant is the same on every row.
        Field::TakenAt => cache
            .convert("", |_| {
                values::instant_to_file(taken_at, plan.datetime_format(column), &plan.time_zone)
            })
            .map_err(|problem| unwritable(&taken_at.to_string(), problem))?
            .to_owned(),
    };
    Ok(text)
}
