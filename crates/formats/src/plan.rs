//! A layout checked against one codec's fields, ready to read or write.
//!
//! Checking happens once per call, before any byte of the file is touched,
//! so every layout mistake is reported as such with the key to fix.

use jiff::tz::TimeZone;

use crate::layout::{Column, Encoding, Layout, LineEnding, RecordFilter};
use crate::FormatError;

/// The logical fields one codec accepts, parsed from a column's `field` key.
pub(crate) trait FieldSet: Copy + Eq + std::fmt::Debug {
    /// Every field name the codec accepts, for error messages.
    const NAMES: &'static [&'static str];

    /// True when the codec applies the columns' `map` of codes. The other
    /// codecs reject a layout with a `map` instead of ignoring it.
    const VALUE_MAPS: bool;

    fn parse(name: &str) -> Option<Self>;
}

/// One column of the layout with its field resolved.
#[derive(Debug)]
pub(crate) struct PlannedColumn<'l, F> {
    pub spec: &'l Column,
    pub field: Option<F>,
    /// Position given by the layout; `None` means "find by header name".
    pub position: Option<usize>,
    /// Index of this column among the columns that feed the same field.
    pub occurrence: usize,
    /// Number of columns that feed the same field.
    pub occurrences: usize,
}

impl<F> PlannedColumn<'_, F> {
    /// True when reading this column needs the file's content.
    pub fn reads_file(&self) -> bool {
        self.field.is_some() && self.spec.value.is_none()
    }

    /// Translates a code read from the file through the column's `map`.
    pub fn map_read<'a>(&'a self, text: &'a str) -> &'a str {
        if self.spec.map.is_empty() {
            return text;
        }
        self.spec.map.get(text).map_or(text, String::as_str)
    }

    /// Translates a value to the file's code: the first code in sorted
    /// order that the column's `map` reads as `value`.
    pub fn map_write(&self, value: String) -> String {
        self.spec
            .map
            .iter()
            .find(|(_, mapped)| **mapped == value)
            .map_or(value, |(code, _)| code.clone())
    }
}

/// A layout whose framing, time zone and fields have been checked.
#[derive(Debug)]
pub(crate) struct Plan<'l, F> {
    pub layout: &'l Layout,
    pub delimiter: u8,
    pub quote: Option<u8>,
    pub decimal_separator: char,
    pub time_zone: TimeZone,
    pub columns: Vec<PlannedColumn<'l, F>>,
}

impl<'l, F: FieldSet> Plan<'l, F> {
    pub fn new(layout: &'l Layout) -> Result<Self, FormatError> {
        let delimiter = single_ascii("delimiter", &layout.delimiter)?;
        let quote = match layout.quote.as_str() {
            "" | "none" => None,
            other => Some(single_ascii("quote", other)?),
        };
        if quote == Some(delimiter) {
            return Err(FormatError::layout(
                "`quote` and `delimiter` are the same character",
            ));
        }

        let decimal_separator = match layout.decimal_separator.as_str() {
            "." => '.',
            "," => ',',
            other => {
                return Err(FormatError::layout(format!(
                    "`decimal_separator = \"{other}\"` is not supported: use \".\" or \",\""
                )))
            }
        };
        if quote.is_none() && decimal_separator as u32 == u32::from(delimiter) {
            return Err(FormatError::layout(
                "the decimal separator equals the delimiter and the layout has no quoting",
            ));
        }

        let zone_name = layout.time_zone.as_deref().unwrap_or("UTC");
        let time_zone = TimeZone::get(zone_name).map_err(|_| {
            FormatError::layout(format!(
                "unknown `time_zone = \"{zone_name}\"`: use an IANA name such as \"Europe/Paris\""
            ))
        })?;

        if layout.columns.is_empty() {
            return Err(FormatError::layout("`columns` is empty"));
        }
        let columns = plan_columns::<F>(layout)?;

        Ok(Plan {
            layout,
            delimiter,
            quote,
            decimal_separator,
            time_zone,
            columns,
        })
    }

    pub fn encoding(&self) -> Encoding {
        self.layout.encoding
    }

    pub fn line_ending(&self) -> LineEnding {
        self.layout.line_ending
    }

    pub fn record_filter(&self) -> Option<&RecordFilter> {
        self.layout.record_filter.as_ref()
    }

    /// True when some column feeds `field`.
    pub fn has_field(&self, field: F) -> bool {
        self.columns
            .iter()
            .any(|column| column.field == Some(field))
    }

    /// Index of `column` in the plan's columns.
    pub fn position_of(&self, column: &PlannedColumn<'l, F>) -> usize {
        self.columns
            .iter()
            .position(|candidate| std::ptr::eq(candidate, column))
            .unwrap_or(0)
    }

    /// Index of the first column that feeds `field`.
    pub fn column_index(&self, field: F) -> Option<usize> {
        self.columns
            .iter()
            .position(|column| column.field == Some(field))
    }

    /// Fails unless some column feeds `field`.
    pub fn require_field(&self, field: F, name: &str) -> Result<(), FormatError> {
        if self.has_field(field) {
            Ok(())
        } else {
            Err(FormatError::layout(format!(
                "no column has `field = \"{name}\"`, which this kind of file needs"
            )))
        }
    }

    /// strftime format of a date-only column.
    pub fn date_format<'a>(&'a self, column: &'a PlannedColumn<'l, F>) -> &'a str {
        column
            .spec
            .format
            .as_deref()
            .unwrap_or(&self.layout.date_format)
    }

    /// strftime format of a date-time column.
    pub fn datetime_format<'a>(&'a self, column: &'a PlannedColumn<'l, F>) -> &'a str {
        column
            .spec
            .format
            .as_deref()
            .unwrap_or(&self.layout.datetime_format)
    }
}

fn plan_columns<F: FieldSet>(layout: &Layout) -> Result<Vec<PlannedColumn<'_, F>>, FormatError> {
    let mut columns = Vec::with_capacity(layout.columns.len());

    for (index, spec) in layout.columns.iter().enumerate() {
        let field = match &spec.field {
            None => None,
            Some(name) => Some(F::parse(name).ok_or_else(|| {
                FormatError::layout(format!(
                    "column {index} has unknown `field = \"{name}\"`; known fields: {}",
                    F::NAMES.join(", ")
                ))
            })?),
        };

        if layout.header && spec.name.is_none() {
            return Err(FormatError::layout(format!(
                "column {index} has no `name`, which a layout with `header = true` needs"
            )));
        }
        if spec.split.as_deref() == Some("") {
            return Err(FormatError::layout(format!(
                "column {index} has an empty `split`"
            )));
        }
        check_map::<F>(index, spec)?;

        let position = match (spec.position, layout.header) {
            (Some(position), _) => Some(position),
            (None, true) => None,
            (None, false) => Some(index),
        };
        columns.push(PlannedColumn {
            spec,
            field,
            position,
            occurrence: 0,
            occurrences: 0,
        });
    }

    // Count the columns per field so multi-column fields (several tracking
    // columns) know which share of the values each column holds.
    for index in 0..columns.len() {
        let Some(field) = columns[index].field else {
            continue;
        };
        let earlier = columns[..index]
            .iter()
            .filter(|column| column.field == Some(field))
            .count();
        let total = columns
            .iter()
            .filter(|column| column.field == Some(field))
            .count();
        columns[index].occurrence = earlier;
        columns[index].occurrences = total;
    }

    Ok(columns)
}

fn check_map<F: FieldSet>(index: usize, spec: &Column) -> Result<(), FormatError> {
    if spec.map.is_empty() {
        return Ok(());
    }
    if !F::VALUE_MAPS {
        return Err(FormatError::layout(format!(
            "column {index} has a `map`, which order and confirmation files do not support; remove it"
        )));
    }
    if spec.map.keys().any(|code| code.trim().is_empty()) {
        return Err(FormatError::layout(format!(
            "column {index} has an empty code in `map`; use `placeholders` for values that mean empty"
        )));
    }
    Ok(())
}

fn single_ascii(key: &str, value: &str) -> Result<u8, FormatError> {
    match value.as_bytes() {
        [byte] if byte.is_ascii() => Ok(*byte),
        _ => Err(FormatError::layout(format!(
            "`{key} = \"{value}\"` must be exactly one ASCII character"
        ))),
    }
}

/// Declares a codec's field enum and its [`FieldSet`] names in one place.
/// Write `Name with value maps { ... }` for a codec that applies the
/// columns' `map` of codes.
macro_rules! field_set {
    ($(#[$meta:meta])* $name:ident { $($body:tt)* }) => {
        crate::plan::field_set!(@define false; $(#[$meta])* $name { $($body)* });
    };
    ($(#[$meta:meta])* $name:ident with value maps { $($body:tt)* }) => {
        crate::plan::field_set!(@define true; $(#[$meta])* $name { $($body)* });
    };
    (@define $maps:literal; $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl crate::plan::FieldSet for $name {
            const NAMES: &'static [&'static str] = &[$($text),+];
            const VALUE_MAPS: bool = $maps;

            fn parse(name: &str) -> Option<Self> {
                match name {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use field_set;

/// Joins a list value for one column, or fails when the column has no
/// `split` and the list has more than one element.
pub(crate) fn join_list<F>(
    column: &PlannedColumn<'_, F>,
    field: &str,
    values: &[String],
) -> Result<String, FormatError> {
    match (&column.spec.split, values) {
        (_, []) => Ok(String::new()),
        (_, [single]) => Ok(single.clone()),
        (Some(separator), many) => match many.iter().find(|value| value.contains(separator.as_str())) {
            Some(value) => Err(FormatError::Unwritable {
                field: field.to_owned(),
                value: value.clone(),
                problem: format!("it contains the column's `split` separator `{separator}`, so it would read back as several values; choose another `split`"),
            }),
            None => Ok(many.join(separator)),
        },
        (None, many) => Err(FormatError::Unwritable {
            field: field.to_owned(),
            value: many.join(" "),
            problem: "several values but the column has no `split` separator; add `split` to the column or another column for this field".to_owned(),
        }),
    }
}

/// Selects the share of a list that `column` writes when several columns
/// feed the same field: one value each, and the last column takes the rest.
pub(crate) fn list_share<'v, F>(
    column: &PlannedColumn<'_, F>,
    values: &'v [String],
) -> &'v [String] {
    let start = column.occurrence.min(values.len());
    if column.occurrence + 1 >= column.occurrences {
        &values[start..]
    } else {
        &values[start..(start + 1).min(values.len())]
    }
}
