//! The warehouse's answers to order changes in a delimited file, one record
//! per answered change.
//!
//! Records are independent and kept in file order. The change and outcome
//! columns contain Wharf's names (`cancel`, `amend`, `accepted`,
//! `too_late`) or the warehouse's own codes, such as `OK` and `LATE`, which
//! the column's `map` translates.

use wharf_model::{ChangeAnswer, ChangeKind, ChangeOutcome};

use crate::lifecycle;
use crate::plan::{field_set, FieldSet, Plan, PlannedColumn};
use crate::table::TableReader;
use crate::table_writer::TableWriter;
use crate::values::ConversionCache;
use crate::{text, FormatError, Layout};

field_set! {
    /// Logical fields of a change answer file.
    Field with value maps {
        PickingRef => "picking_ref",
        /// `cancel` or `amend`: the kind of change this record responds to.
        Change => "change",
        /// `accepted` or `too_late`.
        Outcome => "outcome",
        Detail => "detail",
        /// Date and time, local to the layout's time zone unless it has an offset.
        OccurredAt => "occurred_at",
    }
}

/// Field names a change answer layout may use in `field`.
pub const CHANGE_ANSWER_FIELDS: &[&str] = Field::NAMES;

/// TOML of the default change answer layout: comma-separated UTF-8 with a
/// header and the columns picking_ref, change, outcome, detail and
/// occurred_at.
pub const DEFAULT_CHANGE_ANSWER_LAYOUT_TOML: &str =
    include_str!("presets/change_answer_default.toml");

/// Parses [`DEFAULT_CHANGE_ANSWER_LAYOUT_TOML`].
pub fn default_change_answer_layout() -> Layout {
    lifecycle::parse_builtin(DEFAULT_CHANGE_ANSWER_LAYOUT_TOML)
}

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::PickingRef, "picking_ref")?;
    plan.require_field(Field::Change, "change")?;
    plan.require_field(Field::Outcome, "outcome")?;
    Ok(plan)
}

/// Decodes a change answer file with `layout`, one answer per record in
/// file order. `occurred_at` becomes an RFC 3339 instant in UTC.
pub fn decode_change_answers(
    layout: &Layout,
    bytes: &[u8],
) -> Result<Vec<ChangeAnswer>, FormatError> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut answers = Vec::new();
    while reader.advance()? {
        answers.push(read_record(&plan, &reader, &mut caches)?);
    }
    Ok(answers)
}

/// The values of one record before the required ones are checked.
#[derive(Debug, Default)]
struct Draft {
    picking_ref: Option<String>,
    kind: Option<ChangeKind>,
    outcome: Option<ChangeOutcome>,
    detail: Option<String>,
    occurred_at: Option<String>,
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    caches: &mut [ConversionCache],
) -> Result<ChangeAnswer, FormatError> {
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

    let missing = |field: Field| reader.missing(plan.column_index(field).unwrap_or(0));
    Ok(ChangeAnswer {
        source_line: u32::try_from(reader.line()).unwrap_or(u32::MAX),
        picking_ref: draft
            .picking_ref
            .ok_or_else(|| missing(Field::PickingRef))?,
        kind: draft.kind.ok_or_else(|| missing(Field::Change))?,
        outcome: draft.outcome.ok_or_else(|| missing(Field::Outcome))?,
        detail: draft.detail,
        occurred_at: draft.occurred_at,
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
        Field::PickingRef => draft.picking_ref = Some(text.to_owned()),
        Field::Change => {
            let names = ChangeKind::ALL.map(ChangeKind::as_str);
            let kind =
                ChangeKind::parse(text).ok_or_else(|| lifecycle::unknown_name(column, &names))?;
            draft.kind = Some(kind);
        }
        Field::Outcome => {
            let names = ChangeOutcome::ALL.map(ChangeOutcome::as_str);
            let outcome = ChangeOutcome::parse(text)
                .ok_or_else(|| lifecycle::unknown_name(column, &names))?;
            draft.outcome = Some(outcome);
        }
        Field::Detail => draft.detail = Some(text.to_owned()),
        Field::OccurredAt => {
            draft.occurred_at = Some(lifecycle::read_instant(plan, column, cache, text)?);
        }
    }
    Ok(())
}

/// Encodes change answers with `layout`, one record per answer in the given
/// order. `source_line` is not written.
///
/// The output depends only on the input and the layout, so encoding the
/// same answers twice gives the same bytes.
pub fn encode_change_answers(
    layout: &Layout,
    answers: &[ChangeAnswer],
) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let mut caches = ConversionCache::per_column(plan.columns.len());
    let mut writer = TableWriter::new(&plan)?;

    for answer in answers {
        lifecycle::require_text("picking_ref", &answer.picking_ref, "change answer")?;
        writer.write_row(false, |column| {
            let cache = &mut caches[plan.position_of(column)];
            let text = write_value(&plan, column, cache, answer)?;
            Ok(column.map_write(text))
        })?;
    }
    writer.finish()
}

fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    cache: &mut ConversionCache,
    answer: &ChangeAnswer,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let text = match field {
        Field::PickingRef => answer.picking_ref.clone(),
        Field::Change => answer.kind.as_str().to_owned(),
        Field::Outcome => answer.outcome.as_str().to_owned(),
        Field::Detail => answer.detail.clone().unwrap_or_default(),
        Field::OccurredAt => {
            lifecycle::write_instant(plan, column, cache, answer.occurred_at.as_deref())?
        }
    };
    Ok(text)
}
