//! Reading records: header lookup, record filter, column-count checks and
//! the per-column read transforms.
//!
//! The reader lends out `&str` slices of the current record (see
//! [`RecordReader`]), so a field costs an allocation only when a transform
//! has to change its text (case folding).

use std::borrow::Cow;

use crate::error::ColumnLabel;
use crate::layout::Case;
use crate::plan::{FieldSet, Plan, PlannedColumn};
use crate::records::RecordReader;
use crate::FormatError;

/// A value read from one column after the layout's transforms.
#[derive(Debug)]
pub(crate) struct CellValue<'r> {
    pub text: Cow<'r, str>,
    /// True when the column's `reshipment_suffix` was found and removed.
    pub reshipment: bool,
}

/// Reads the records of one decoded file, one at a time.
pub(crate) struct TableReader<'p, 'l, 't, F> {
    plan: &'p Plan<'l, F>,
    records: RecordReader<'t>,
    /// How to read each planned column, in the plan's order.
    cells: Vec<CellRule<'l>>,
    header_names: Option<Vec<String>>,
    expected_count: Option<usize>,
    minimum_count: usize,
}

impl<'p, 'l, 't, F: FieldSet> TableReader<'p, 'l, 't, F> {
    /// Opens the decoded text and, for header layouts, resolves the columns.
    pub fn new(plan: &'p Plan<'l, F>, text: &'t str) -> Result<Self, FormatError> {
        let mut reader = TableReader {
            plan,
            records: RecordReader::new(text, plan.delimiter, plan.quote),
            cells: Vec::with_capacity(plan.columns.len()),
            header_names: None,
            expected_count: plan.layout.column_count,
            minimum_count: 0,
        };
        if plan.layout.header {
            reader.read_header()?;
        }
        reader.resolve_positions()?;
        Ok(reader)
    }

    fn read_header(&mut self) -> Result<(), FormatError> {
        if !self.records.read()? {
            return Err(FormatError::MissingHeader);
        }
        let names: Vec<String> = self
            .records
            .iter()
            .map(|name| name.trim().to_owned())
            .collect();
        if self.expected_count.is_none() {
            self.expected_count = Some(names.len());
        }
        self.header_names = Some(names);
        Ok(())
    }

    fn resolve_positions(&mut self) -> Result<(), FormatError> {
        for column in &self.plan.columns {
            if !column.reads_file() {
                self.cells.push(CellRule::new(column, None));
                continue;
            }

            let position = match (column.position, &self.header_names, &column.spec.name) {
                (Some(position), _, _) => position,
                (None, Some(names), Some(name)) => names
                    .iter()
                    .position(|candidate| candidate == name.trim())
                    .ok_or_else(|| FormatError::UnknownHeader {
                        name: name.clone(),
                        found: names.join(", "),
                    })?,
                // The plan gives every column a position when there is no header.
                _ => {
                    return Err(FormatError::layout(
                        "a column has neither `name` nor `position`",
                    ))
                }
            };
            self.minimum_count = self.minimum_count.max(position + 1);
            self.cells.push(CellRule::new(column, Some(position)));
        }
        Ok(())
    }

    /// Moves to the next record the filter selects; false at the end.
    pub fn advance(&mut self) -> Result<bool, FormatError> {
        loop {
            if !self.records.read()? {
                return Ok(false);
            }
            if self.records.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            if let Some(filter) = self.plan.record_filter() {
                let selected = self
                    .records
                    .get(filter.position)
                    .is_some_and(|value| value.trim() == filter.equals);
                if !selected {
                    continue;
                }
            }
            self.check_count()?;
            return Ok(true);
        }
    }

    fn check_count(&self) -> Result<(), FormatError> {
        let found = self.records.len();
        let expected = match self.expected_count {
            Some(expected) if found != expected => expected,
            None if found < self.minimum_count => self.minimum_count,
            _ => return Ok(()),
        };
        Err(FormatError::ColumnCount {
            line: self.line(),
            expected,
            found,
        })
    }

    /// Line number of the current record, from 1.
    pub fn line(&self) -> u64 {
        self.records.line()
    }

    /// Label of a planned column for error messages.
    pub fn label(&self, index: usize) -> ColumnLabel {
        let column = &self.plan.columns[index];
        ColumnLabel {
            position: self.cells[index]
                .position
                .or(column.position)
                .unwrap_or(index),
            name: column.spec.name.clone(),
        }
    }

    /// Builds the error for a value of column `index` that cannot be read.
    pub fn invalid(&self, index: usize, value: &str, problem: String) -> FormatError {
        FormatError::InvalidValue {
            line: self.line(),
            column: self.label(index),
            field: self.field_name(index),
            value: value.to_owned(),
            problem,
        }
    }

    /// Builds the error for a required value that is empty.
    pub fn missing(&self, index: usize) -> FormatError {
        FormatError::MissingValue {
            line: self.line(),
            column: self.label(index),
            field: self.field_name(index),
        }
    }

    fn field_name(&self, index: usize) -> String {
        self.plan.columns[index]
            .spec
            .field
            .clone()
            .unwrap_or_default()
    }

    /// Value of planned column `index` in the current record after the
    /// transforms; `None` when empty or a placeholder.
    pub fn value(&self, index: usize) -> Option<CellValue<'_>> {
        let cell = &self.cells[index];
        if let Some(fixed) = cell.fixed {
            return Some(CellValue {
                text: Cow::Borrowed(fixed),
                reshipment: false,
            });
        }

        let raw = self.records.get(cell.position?)?;
        let mut value = if cell.trim { trim(raw) } else { raw };
        if value.is_empty() || self.plan.layout.placeholders.iter().any(|p| p == value) {
            return None;
        }

        if let Some(suffix) = cell.strip_suffix {
            value = value.strip_suffix(suffix).unwrap_or(value);
        }
        let mut reshipment = false;
        if let Some(suffix) = cell.reshipment_suffix {
            if let Some(stripped) = value.strip_suffix(suffix) {
                value = stripped;
                reshipment = true;
            }
        }

        let text = match cell.case {
            None => Cow::Borrowed(value),
            case => fold_case(case, value),
        };
        Some(CellValue { text, reshipment })
    }
}

/// The read transforms of one planned column, copied out of the layout once
/// so that reading a value touches one small struct.
#[derive(Debug)]
struct CellRule<'l> {
    /// The column's fixed `value`, read in place of the file's content.
    fixed: Option<&'l str>,
    /// Resolved position in the record; `None` when the file is not read.
    position: Option<usize>,
    trim: bool,
    strip_suffix: Option<&'l str>,
    reshipment_suffix: Option<&'l str>,
    case: Option<Case>,
}

impl<'l> CellRule<'l> {
    fn new<F>(column: &PlannedColumn<'l, F>, position: Option<usize>) -> Self {
        let spec = column.spec;
        CellRule {
            fixed: spec.value.as_deref(),
            position,
            trim: spec.trim,
            strip_suffix: spec.strip_suffix.as_deref(),
            reshipment_suffix: spec.reshipment_suffix.as_deref(),
            case: spec.case,
        }
    }
}

/// Removes leading and trailing white space as [`str::trim`] does, without
/// scanning a value that starts and ends with a visible ASCII character.
fn trim(value: &str) -> &str {
    match value.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        [single] if single.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

pub(crate) fn fold_case(case: Option<Case>, value: &str) -> Cow<'_, str> {
    match case {
        Some(Case::Upper) if value.chars().any(char::is_lowercase) => {
            Cow::Owned(value.to_uppercase())
        }
        Some(Case::Lower) if value.chars().any(char::is_uppercase) => {
            Cow::Owned(value.to_lowercase())
        }
        _ => Cow::Borrowed(value),
    }
}
