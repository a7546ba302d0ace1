//! Writing records in the layout's column order, with the write transforms
//! and the checks that keep a value from breaking the file's framing.

use std::borrow::Cow;

use csv::{QuoteStyle, Terminator, WriterBuilder};

use crate::layout::LineEnding;
use crate::plan::{FieldSet, Plan, PlannedColumn};
use crate::table::fold_case;
use crate::text;
use crate::FormatError;

/// Writes records in the layout's column order.
pub(crate) struct TableWriter<'p, 'l, F> {
    plan: &'p Plan<'l, F>,
    writer: csv::Writer<Vec<u8>>,
    row: Vec<String>,
}

impl<'p, 'l, F: FieldSet> TableWriter<'p, 'l, F> {
    pub fn new(plan: &'p Plan<'l, F>) -> Result<Self, FormatError> {
        let mut builder = WriterBuilder::new();
        builder
            .delimiter(plan.delimiter)
            .has_headers(false)
            .terminator(match plan.line_ending() {
                LineEnding::Lf => Terminator::Any(b'\n'),
                LineEnding::Crlf => Terminator::CRLF,
            })
            .quote_style(if plan.quote.is_some() {
                QuoteStyle::Necessary
            } else {
                QuoteStyle::Never
            });
        if let Some(quote) = plan.quote {
            builder.quote(quote);
        }

        let mut writer = TableWriter {
            plan,
            writer: builder.from_writer(Vec::new()),
            row: Vec::with_capacity(plan.columns.len()),
        };
        if plan.layout.header {
            let names: Vec<String> = plan
                .columns
                .iter()
                .map(|column| column.spec.name.clone().unwrap_or_default())
                .collect();
            writer.row = names;
            writer.flush_row()?;
        }
        Ok(writer)
    }

    /// Writes one record. `value_of` returns a column's text before the
    /// write transforms (case, suffixes); it is not called for fixed columns.
    pub fn write_row(
        &mut self,
        reshipment: bool,
        mut value_of: impl FnMut(&PlannedColumn<'l, F>) -> Result<String, FormatError>,
    ) -> Result<(), FormatError> {
        self.row.clear();
        for column in &self.plan.columns {
            let text = match (&column.spec.value, column.field) {
                (Some(fixed), _) => fixed.clone(),
                (None, None) => String::new(),
                (None, Some(_)) => decorate(column, reshipment, value_of(column)?),
            };
            self.row.push(text);
        }
        self.flush_row()
    }

    fn flush_row(&mut self) -> Result<(), FormatError> {
        for (column, value) in self.plan.columns.iter().zip(&self.row) {
            self.check_writable(column, value)?;
        }
        self.writer
            .write_record(&self.row)
            .map_err(|error| FormatError::Unwritable {
                field: "record".to_owned(),
                value: self.row.join(","),
                problem: error.to_string(),
            })
    }

    fn check_writable(
        &self,
        column: &PlannedColumn<'l, F>,
        value: &str,
    ) -> Result<(), FormatError> {
        let field = column
            .spec
            .field
            .clone()
            .or_else(|| column.spec.name.clone())
            .unwrap_or_default();
        let delimiter = char::from(self.plan.delimiter);

        if self.plan.quote.is_none() && value.contains([delimiter, '\n', '\r']) {
            return Err(FormatError::Unwritable {
                field,
                value: value.to_owned(),
                problem: format!(
                    "it contains `{}` or a line break and the layout has `quote = \"none\"`; set a quote character or change the value",
                    delimiter.escape_default()
                ),
            });
        }
        if !text::is_encodable(self.plan.encoding(), value) {
            return Err(FormatError::Unencodable {
                field,
                value: value.to_owned(),
            });
        }
        Ok(())
    }

    /// Returns the file's bytes in the layout's encoding.
    pub fn finish(self) -> Result<Vec<u8>, FormatError> {
        let text = self
            .writer
            .into_inner()
            .map_err(|error| FormatError::Unwritable {
                field: "file".to_owned(),
                value: String::new(),
                problem: error.to_string(),
            })?;
        Ok(text::encode(
            self.plan.encoding(),
            self.plan.layout.write_bom,
            text,
        ))
    }
}

/// Applies the write transforms: case folding, then the suffixes that the
/// read transforms strip.
fn decorate<F>(column: &PlannedColumn<'_, F>, reshipment: bool, value: String) -> String {
    if value.is_empty() {
        return value;
    }
    let mut value = match fold_case(column.spec.case, &value) {
        Cow::Borrowed(_) => value,
        Cow::Owned(folded) => folded,
    };
    if reshipment {
        if let Some(suffix) = &column.spec.reshipment_suffix {
            value.push_str(suffix);
        }
    }
    if let Some(suffix) = &column.spec.strip_suffix {
        value.push_str(suffix);
    }
    value
}
