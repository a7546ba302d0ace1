//! The declared layout of a delimited file, as written in a site's TOML.
//!
//! A layout is configuration only: it describes how the file is framed
//! (delimiter, quoting, header, encoding, line ends), how values are written
//! (decimal separator, date and time formats, time zone) and which column
//! feeds which logical field. [`crate::decode_confirmations`] and the other
//! codecs check it before they read or write a byte, so a mistake in the
//! layout is reported as such and not as a bad file.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Framing of a delimited file and the mapping of its columns to fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Field delimiter, one ASCII character such as `,`, `;` or `\t`.
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// Quote character, one ASCII character, or `none` for files without
    /// quoting (a value that contains the delimiter then cannot be written).
    #[serde(default = "default_quote")]
    pub quote: String,
    /// True when the first line names the columns. Columns are then found by
    /// `name`; without a header they are found by `position`.
    #[serde(default = "default_true")]
    pub header: bool,
    /// Text encoding of the file.
    #[serde(default)]
    pub encoding: Encoding,
    /// Write a UTF-8 byte order mark before the content. Readers strip a
    /// byte order mark whenever one is present, whatever this key is.
    #[serde(default)]
    pub write_bom: bool,
    /// Line end written after each record; either is accepted on read.
    #[serde(default)]
    pub line_ending: LineEnding,
    /// Decimal separator of quantities, `.` or `,`.
    #[serde(default = "default_decimal_separator")]
    pub decimal_separator: String,
    /// strftime format of date-only values such as expiry dates and ship
    /// dates (`%Y%m%d`, `%Y-%m-%d`, `%d/%m/%Y`).
    #[serde(default = "default_date_format")]
    pub date_format: String,
    /// strftime format of date and time values. When it has no offset
    /// (`%z`, `%:z`) the time is read as local time in `time_zone`.
    #[serde(default = "default_datetime_format")]
    pub datetime_format: String,
    /// IANA time zone (`Europe/Paris`, `Asia/Tokyo`) used to turn the file's
    /// local times into UTC instants and back. When absent, the hub fills in
    /// the site's `time_zone`; a layout used on its own falls back to UTC.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Values that mean "empty", such as `_` or `N/A`; compared after trimming.
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// Only records whose column at this position contains this value are
    /// read. Others (headers of other record kinds, trailers) are skipped.
    #[serde(default)]
    pub record_filter: Option<RecordFilter>,
    /// Number of columns every record must have. When absent, a file with a
    /// header must match the header's count and a file without one need only
    /// reach the last position the layout reads.
    #[serde(default)]
    pub column_count: Option<usize>,
    /// The file's columns in the order they are written.
    pub columns: Vec<Column>,
}

/// A rule that selects the records to read by the value of one column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFilter {
    /// 0-based position of the column to compare.
    pub position: usize,
    /// Value the column must hold, compared after trimming.
    pub equals: String,
}

/// One column of the file and the logical field it feeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Header name (`DO#`, `日付`); required when the layout has a header.
    #[serde(default)]
    pub name: Option<String>,
    /// 0-based position. Defaults to the column's index in `columns` when
    /// the layout has no header; overrides the name lookup when given.
    #[serde(default)]
    pub position: Option<usize>,
    /// Logical field this column feeds (`picking_ref`, `sku`, `quantity`,
    /// ...); absent for columns the codec writes but never reads.
    #[serde(default)]
    pub field: Option<String>,
    /// Fixed text: always written in this column, and read as the field's
    /// value whatever the file contains (for example a record type `ODC`).
    #[serde(default)]
    pub value: Option<String>,
    /// Remove leading and trailing white space on read.
    #[serde(default = "default_true")]
    pub trim: bool,
    /// Case folding applied on read and on write.
    #[serde(default)]
    pub case: Option<Case>,
    /// Suffix removed on read when present and added on write (`.OS`).
    #[serde(default)]
    pub strip_suffix: Option<String>,
    /// Suffix on a picking reference that marks a reshipment (`_R`): removed
    /// on read with `reshipment = true`, added on write for reshipments.
    #[serde(default)]
    pub reshipment_suffix: Option<String>,
    /// Separator between several values in one column (`|` between tracking
    /// numbers or reserved lots).
    #[serde(default)]
    pub split: Option<String>,
    /// strftime format for this column, in place of the layout's
    /// `date_format` or `datetime_format`.
    #[serde(default)]
    pub format: Option<String>,
    /// The warehouse's own codes and the values they stand for, such as
    /// `map = { CC = "cycle_count", ADJ = "adjustment" }`. On read a code is
    /// looked up after trimming and case folding, and a value without an
    /// entry passes unchanged. On write a value becomes the first code, in
    /// sorted order, that maps to it. Order and confirmation files do not
    /// support this key; every other document does.
    #[serde(default)]
    pub map: BTreeMap<String, String>,
}

/// Text encoding of a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Encoding {
    /// UTF-8; a byte that is not valid UTF-8 is an error.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252 (Western European single-byte code page).
    #[serde(rename = "windows-1252")]
    Windows1252,
    /// UTF-8 when the bytes are valid UTF-8, else Windows-1252; written as UTF-8.
    #[serde(rename = "auto")]
    Auto,
}

/// Line end written after each record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    #[default]
    Lf,
    Crlf,
}

/// Case folding of a column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Case {
    Upper,
    Lower,
}

impl Layout {
    /// Parses a layout from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, crate::FormatError> {
        toml::from_str(text).map_err(|error| crate::FormatError::LayoutToml {
            message: error.to_string(),
        })
    }
}

fn default_delimiter() -> String {
    ",".to_owned()
}

fn default_quote() -> String {
    "\"".to_owned()
}

fn default_true() -> bool {
    true
}

fn default_decimal_separator() -> String {
    ".".to_owned()
}

fn default_date_format() -> String {
    "%Y-%m-%d".to_owned()
}

fn default_datetime_format() -> String {
    "%Y-%m-%dT%H:%M:%S%:z".to_owned()
}
