//! Progress reports in a delimited file, one record per step a picking
//! reached in the warehouse (picked, packed, loaded).
//!
//! Records are independent and kept in file order. The status column
//! contains the warehouse's own code, which the site's configuration maps
//! to Wharf's lifecycle, so the codec keeps it as text after the column's
//! `map`, when it has one.

use wharf_model::ProgressEvent;

use crate::lifecycle;
use crate::plan::{field_set, FieldSet, Plan, PlannedColumn};
use crate::table::TableReader;
use crate::table_writer::TableWriter;
use crate::values::ConversionCache;
use crate::{text, FormatError, Layout};

field_set! {
    /// Logical fields of a progress file.
    Field with value maps {
        PickingRef => "picking_ref",
        /// The warehouse's own status code.
        StatusCode => "status_code",
        /// Date and time, local to the layout's time zone unless it has an offset.
        OccurredAt => "occurred_at",
        Note => "note",
    }
}

/// Field names a progress layout may use in `field`.
pub const PROGRESS_FIELDS: &[&str] = Field::NAMES;

/// TOML of the default progress layout: comma-separated UTF-8 with a header
/// and the columns picking_ref, status_code, occurred_at and note.
pub const DEFAULT_PROGRESS_LAYOUT_TOML: &str = include_str!("presets/progress_default.toml");

/// Parses [`DEFAULT_PROGRESS_LAYOUT_TOML`].
pub fn default_progress_layout() -> Layout {
    lifecycle::parse_builtin(DEFAULT_PROGRESS_LAYOUT_TOML)
}

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::PickingRef, "picking_ref")?;
    plan.require_field(Field::StatusCode, "status_code")?;
    Ok(plan)
}

/// Decodes a progress file with `layout`, one event per record in file
/// order. `occurred_at` becomes an RFC 3339 instant in UTC.
pub fn decode_progress(layout: &Layout, bytes: &[u8]) -> Result<Vec<ProgressEvent>, FormatError> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut events = Vec::new();
    while reader.advance()? {
        events.push(read_record(&plan, &reader, &mut caches)?);
    }
    Ok(events)
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    caches: &mut [ConversionCache],
) -> Result<ProgressEvent, FormatError> {
    let mut picking_ref = None;
    let mut status_code = None;
    let mut occurred_at = None;
    let mut note = None;

    for (index, column) in plan.columns.iter().enumerate() {
        let Some(field) = column.field else { continue };
        let Some(cell) = reader.value(index) else {
            continue;
        };
        let text = column.map_read(&cell.text);
        match field {
            Field::PickingRef => picking_ref = Some(text.to_owned()),
            Field::StatusCode => status_code = Some(text.to_owned()),
            Field::OccurredAt => {
                let instant = lifecycle::read_instant(plan, column, &mut caches[index], text)
                    .map_err(|problem| reader.invalid(index, &cell.text, problem))?;
                occurred_at = Some(instant);
            }
            Field::Note => note = Some(text.to_owned()),
        }
    }

    let missing = |field: Field| reader.missing(plan.column_index(field).unwrap_or(0));
    Ok(ProgressEvent {
        source_line: u32::try_from(reader.line()).unwrap_or(u32::MAX),
        picking_ref: picking_ref.ok_or_else(|| missing(Field::PickingRef))?,
        status_code: status_code.ok_or_else(|| missing(Field::StatusCode))?,
        occurred_at,
        note,
    })
}

/// Encodes progress events with `layout`, one record per event in the given
/// order. `source_line` is not written.
///
/// The output depends only on the input and the layout, so encoding the
/// same events twice gives the same bytes.
pub fn encode_progress(layout: &Layout, events: &[ProgressEvent]) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut writer = TableWriter::new(&plan)?;

    for event in events {
        lifecycle::require_text("picking_ref", &event.picking_ref, "progress record")?;
        lifecycle::require_text("status_code", &event.status_code, "progress record")?;
        writer.write_row(false, |column| {
            let cache = &mut caches[plan.position_of(column)];
            let text = write_value(&plan, column, cache, event)?;
            Ok(column.map_write(text))
        })?;
    }
    writer.finish()
}

fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    cache: &mut ConversionCache,
    event: &ProgressEvent,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let text = match field {
        Field::PickingRef => event.picking_ref.clone(),
        Field::StatusCode => event.status_code.clone(),
        Field::OccurredAt => {
            lifecycle::write_instant(plan, column, cache, event.occurred_at.as_deref())?
        }
        Field::Note => event.note.clone().unwrap_or_default(),
    };
    Ok(text)
}
