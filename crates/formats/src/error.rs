//! Errors of the flat-file codecs.

use std::fmt;

/// Location of a value in a record: its 0-based position and, for files
/// with a header, the column's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLabel {
    pub position: usize,
    pub name: Option<String>,
}

impl fmt::Display for ColumnLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "column `{name}` (position {})", self.position),
            None => write!(f, "column at position {}", self.position),
        }
    }
}

/// A failure to read or write a file with a layout.
///
/// Line numbers count from 1 and include the header line; positions count
/// from 0 as in the layout's `position` keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The layout text is not valid TOML or has an unknown key.
    #[error("invalid layout TOML: {message}")]
    LayoutToml { message: String },

    /// The layout is well-formed TOML but cannot be used.
    #[error("invalid layout: {problem}; fix the layout")]
    Layout { problem: String },

    /// The file's bytes are not valid in the layout's encoding.
    #[error("file is not valid UTF-8 at byte {offset}; set `encoding = \"auto\"` or `\"windows-1252\"` in the layout, or re-export the file as UTF-8")]
    InvalidUtf8 { offset: usize },

    /// A value cannot be written in the layout's encoding.
    #[error("{field} value `{value}` has a character that Windows-1252 cannot represent; change the value or set `encoding = \"utf-8\"` in the layout")]
    Unencodable { field: String, value: String },

    /// The header row lacks a column the layout names.
    #[error("line 1: the header has no column `{name}` (header columns: {found}); fix the column name in the layout or the file")]
    UnknownHeader { name: String, found: String },

    /// The file has a header layout but no header row.
    #[error("the file is empty but the layout expects a header row; check that the file was written completely")]
    MissingHeader,

    /// A record has another number of columns than the layout expects.
    #[error("line {line}: expected {expected} columns, found {found}; check the delimiter in the layout or the record in the file")]
    ColumnCount {
        line: u64,
        expected: usize,
        found: usize,
    },

    /// A value cannot be read as its field's type.
    #[error("line {line}, {column}: invalid {field} value `{value}`: {problem}")]
    InvalidValue {
        line: u64,
        column: ColumnLabel,
        field: String,
        value: String,
        problem: String,
    },

    /// A required value is empty.
    #[error("line {line}, {column}: {field} is empty; the file must give a value here")]
    MissingValue {
        line: u64,
        column: ColumnLabel,
        field: String,
    },

    /// A value cannot be written with this layout (for example it contains
    /// the delimiter and the layout has no quoting).
    #[error("cannot write {field} value `{value}`: {problem}")]
    Unwritable {
        field: String,
        value: String,
        problem: String,
    },

    /// The CSV reader or writer failed on the framing itself.
    #[error("line {line}: malformed record: {message}")]
    Csv { line: u64, message: String },
}

impl FormatError {
    pub(crate) fn layout(problem: impl Into<String>) -> Self {
        FormatError::Layout {
            problem: problem.into(),
        }
    }
}
