//! Reading records: the CSV framing, header lookup, record filter,
//! column-count checks and the per-column read transforms.
//!
//! The reader reuses one `StringRecord` for the whole file and lends out
//! `&str` slices of it, so a field costs an allocation only when a transform
//! has to change its text (case folding).

use std::borrow::Cow;

use csv::{ReaderBuilder, StringRecord};

use crate::error::ColumnLabel;
use crate::layout::Case;
use crate::plan::{FieldSet, Plan};
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
    reader: csv::Reader<&'t [u8]>,
    text: &'t str,
    record: StringRecord,
    /// Resolved position of each planned column; `None` when not read.
    positions: Vec<Option<usize>>,
    header_names: Option<Vec<String>>,
    expected_count: Option<usize>,
    minimum_count: usize,
    line: u64,
    /// Byte offset up to which `line` has counted line breaks.
    counted_to: usize,
}

impl<'p, 'l, 't, F: FieldSet> TableReader<'p, 'l, 't, F> {
    /// Opens the decoded text and, for header layouts, resolves the columns.
    pub fn new(plan: &'p Plan<'l, F>, text: &'t str) -> Result<Self, FormatError> {
        let mut builder = ReaderBuilder::new();
        builder
            .delimiter(plan.delimiter)
            .has_headers(false)
            .flexible(true)
            .quoting(plan.quote.is_some());
        if let Some(quote) = plan.quote {
            builder.quote(quote);
        }

        let mut reader = TableReader {
            plan,
            reader: builder.from_reader(text.as_bytes()),
            text,
            record: StringRecord::new(),
            positions: Vec::new(),
            header_names: None,
            expected_count: plan.layout.column_count,
            minimum_count: 0,
            line: 1,
            counted_to: 0,
        };
        if plan.layout.header {
            reader.read_header()?;
        }
        reader.resolve_positions()?;
        Ok(reader)
    }

    fn read_header(&mut self) -> Result<(), FormatError> {
        if !self.read_raw()? {
            return Err(FormatError::MissingHeader);
        }
        let names: Vec<String> = self
            .record
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
                self.positions.push(None);
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
            self.positions.push(Some(position));
        }
        Ok(())
    }

    fn read_raw(&mut self) -> Result<bool, FormatError> {
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|error| FormatError::Csv {
                line: self.line,
                message: error.to_string(),
            })?;
        if more {
            let start = self.record.position().map_or(self.counted_to, |position| {
                usize::try_from(position.byte()).unwrap_or(usize::MAX)
            });
            self.count_lines_to(start);
        }
        Ok(more)
    }

    /// Advances `line` to the line that starts at byte `offset`. Counting
    /// `\n` ourselves keeps the numbers right for CRLF files and for quoted
    /// values that span lines.
    fn count_lines_to(&mut self, offset: usize) {
        // The reader reports a record's start before the line break that
        // ends the previous record when that break is CRLF, so skip past it.
        let bytes = self.text.as_bytes();
        let mut end = offset.min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end <= self.counted_to {
            return;
        }
        let breaks = bytes[self.counted_to..end]
            .iter()
            .filter(|&&byte| byte == b'\n')
            .count();
        self.line += u64::try_from(breaks).unwrap_or(u64::MAX);
        self.counted_to = end;
    }

    /// Moves to the next record the filter selects; false at the end.
    pub fn advance(&mut self) -> Result<bool, FormatError> {
        loop {
            if !self.read_raw()? {
                return Ok(false);
            }
            if self.record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            if let Some(filter) = self.plan.record_filter() {
                let selected = self
                    .record
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
        let found = self.record.len();
        let expected = match self.expected_count {
            Some(expected) if found != expected => expected,
            None if found < self.minimum_count => self.minimum_count,
            _ => return Ok(()),
        };
        Err(FormatError::ColumnCount {
            line: self.line,
            expected,
            found,
        })
    }

    /// Line number of the current record, from 1.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Label of a planned column for error messages.
    pub fn label(&self, index: usize) -> ColumnLabel {
        let column = &self.plan.columns[index];
        ColumnLabel {
            position: self.positions[index].or(column.position).unwrap_or(index),
            name: column.spec.name.clone(),
        }
    }

    /// Builds the error for a value of column `index` that cannot be read.
    pub fn invalid(&self, index: usize, value: &str, problem: String) -> FormatError {
        FormatError::InvalidValue {
            line: self.line,
            column: self.label(index),
            field: self.field_name(index),
            value: value.to_owned(),
            problem,
        }
    }

    /// Builds the error for a required value that is empty.
    pub fn missing(&self, index: usize) -> FormatError {
        FormatError::MissingValue {
            line: self.line,
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
        let column = &self.plan.columns[index];
        if let Some(fixed) = &column.spec.value {
            return Some(CellValue {
                text: Cow::Borrowed(fixed.as_str()),
                reshipment: false,
            });
        }

        let raw = self.record.get(self.positions[index]?)?;
        let mut value = if column.spec.trim { raw.trim() } else { raw };
        if value.is_empty() || self.plan.layout.placeholders.iter().any(|p| p == value) {
            return None;
        }

        if let Some(suffix) = column.spec.strip_suffix.as_deref() {
            value = value.strip_suffix(suffix).unwrap_or(value);
        }
        let mut reshipment = false;
        if let Some(suffix) = column.spec.reshipment_suffix.as_deref() {
            if let Some(stripped) = value.strip_suffix(suffix) {
                value = stripped;
                reshipment = true;
            }
        }

        Some(CellValue {
            text: fold_case(column.spec.case, value),
            reshipment,
        })
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
