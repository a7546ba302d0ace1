//! Helpers shared by the codecs of lifecycle documents: progress reports,
//! order changes and change answers.

use crate::plan::{FieldSet, Plan, PlannedColumn};
use crate::values::{self, ConversionCache};
use crate::{FormatError, Layout};

/// Parses a layout compiled into this crate. Each built-in layout is parsed
/// by the integration tests, so a failure here is a defect in this crate,
/// not in a site's configuration.
pub(crate) fn parse_builtin(text: &str) -> Layout {
    Layout::from_toml(text).unwrap_or_else(|error: FormatError| {
        panic!("a built-in layout preset does not parse: {error}")
    })
}

/// Builds the problem text for a value that names none of `names`, listing
/// the codes of the column's `map` when it has one.
pub(crate) fn unknown_name<F>(column: &PlannedColumn<'_, F>, names: &[&str]) -> String {
    let codes: Vec<&str> = column.spec.map.keys().map(String::as_str).collect();
    if codes.is_empty() {
        format!(
            "expected one of {}; add a `map` to the column to read the warehouse's own codes",
            names.join(", ")
        )
    } else {
        format!(
            "expected one of {} or a code of the column's `map` ({}); add the code to `map`",
            names.join(", "),
            codes.join(", ")
        )
    }
}

/// Reads a date-time column as an RFC 3339 instant in UTC. A time without
/// an offset is local time in the layout's `time_zone`.
pub(crate) fn read_instant<F: FieldSet>(
    plan: &Plan<'_, F>,
    column: &PlannedColumn<'_, F>,
    cache: &mut ConversionCache,
    text: &str,
) -> Result<String, String> {
    let format = plan.datetime_format(column);
    cache
        .convert(text, |text| {
            values::instant_from_file(text, format, &plan.time_zone)
                .map(|instant| instant.to_string())
        })
        .map(str::to_owned)
}

/// Writes an RFC 3339 instant of the model as local time in the layout's
/// `time_zone`, in the column's format. An absent instant is written as an
/// empty value.
pub(crate) fn write_instant<F: FieldSet>(
    plan: &Plan<'_, F>,
    column: &PlannedColumn<'_, F>,
    cache: &mut ConversionCache,
    instant: Option<&str>,
) -> Result<String, FormatError> {
    let Some(instant) = instant else {
        return Ok(String::new());
    };
    let format = plan.datetime_format(column);
    cache
        .convert(instant, |instant| {
            values::instant_from_model(instant)
                .and_then(|parsed| values::instant_to_file(parsed, format, &plan.time_zone))
        })
        .map(str::to_owned)
        .map_err(|problem| FormatError::Unwritable {
            field: column.spec.field.clone().unwrap_or_default(),
            value: instant.to_owned(),
            problem,
        })
}

/// Fails when a value that every record of the file needs is empty, since
/// the file would not read back.
pub(crate) fn require_text(field: &str, value: &str, record: &str) -> Result<(), FormatError> {
    if !value.trim().is_empty() {
        return Ok(());
    }
    Err(FormatError::Unwritable {
        field: field.to_owned(),
        value: value.to_owned(),
        problem: format!(
            "{field} is empty but every {record} needs one; fill it in before encoding"
        ),
    })
}
