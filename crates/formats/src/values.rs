//! Conversions between the file's text and typed values: decimals, dates,
//! instants in the site's time zone and Odoo's naive UTC date-times.
//!
//! Each function returns the problem as a plain string; the caller adds the
//! line, column and value to make a [`crate::FormatError`].

use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime::{self, BrokenDownTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rust_decimal::Decimal;

/// Odoo's datetime format: naive UTC, second precision.
const ODOO_DATETIME: &str = "%Y-%m-%d %H:%M:%S";

/// Parses a decimal written with `separator` (`2.0`, `0,5`, `00000016`).
pub(crate) fn parse_decimal(text: &str, separator: char) -> Result<Decimal, String> {
    let parsed = if separator == '.' {
        Decimal::from_str(text)
    } else {
        if text.contains('.') {
            return Err(format!(
                "`.` found but the layout's decimal separator is `{separator}`; check `decimal_separator` in the layout"
            ));
        }
        Decimal::from_str(&text.replace(separator, "."))
    };
    parsed.map_err(|_| {
        format!("expected a decimal number such as 12{separator}5; check the file or `decimal_separator` in the layout")
    })
}

/// Writes a decimal with `separator`, keeping its scale (`2.0` stays `2.0`).
pub(crate) fn format_decimal(value: Decimal, separator: char) -> String {
    let text = value.to_string();
    if separator == '.' {
        text
    } else {
        text.replace('.', &separator.to_string())
    }
}

/// Parses an integer id or line number.
pub(crate) fn parse_integer<T: FromStr>(text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| "expected a whole number".to_owned())
}

/// Parses a date in `format` and returns it as `YYYY-MM-DD`.
pub(crate) fn date_from_file(text: &str, format: &str) -> Result<String, String> {
    let date = Date::strptime(format, text)
        .map_err(|error| {
            format!("expected a date in the format `{format}` ({error}); check the file or the date format in the layout")
        })?;
    Ok(date.to_string())
}

/// Writes a `YYYY-MM-DD` date in `format`.
pub(crate) fn date_to_file(iso_date: &str, format: &str) -> Result<String, String> {
    let date: Date = iso_date
        .parse()
        .map_err(|_| "expected a date as YYYY-MM-DD".to_owned())?;
    strtime::format(format, date).map_err(|error| error.to_string())
}

/// Parses a date or date-time in `format` to a UTC instant. A value without
/// an offset is local time in `zone`; a date alone means the start of that
/// day in `zone`.
pub(crate) fn instant_from_file(
    text: &str,
    format: &str,
    zone: &TimeZone,
) -> Result<Timestamp, String> {
    let parsed = BrokenDownTime::parse(format, text)
        .map_err(|error| {
            format!("expected a time in the format `{format}` ({error}); check the file or the date format in the layout")
        })?;
    if parsed.offset().is_some() {
        return parsed.to_timestamp().map_err(|error| error.to_string());
    }

    let local = match parsed.to_datetime() {
        Ok(datetime) => datetime,
        Err(_) => parsed
            .to_date()
            .map_err(|error| error.to_string())?
            .to_datetime(jiff::civil::Time::midnight()),
    };
    // NOTE: a local time that occurs twice at a daylight saving change is
    // read as the earlier one, and one that never occurs is moved forward.
    local
        .to_zoned(zone.clone())
        .map(|zoned| zoned.timestamp())
        .map_err(|error| error.to_string())
}

/// Writes a UTC instant as local time in `zone`, in `format`.
pub(crate) fn instant_to_file(
    instant: Timestamp,
    format: &str,
    zone: &TimeZone,
) -> Result<String, String> {
    let zoned = instant.to_zoned(zone.clone());
    strtime::format(format, &zoned).map_err(|error| error.to_string())
}

/// Parses an RFC 3339 instant from the model (`2023-04-19T15:00:00Z`).
pub(crate) fn instant_from_model(text: &str) -> Result<Timestamp, String> {
    text.parse()
        .map_err(|_| "expected an RFC 3339 instant such as 2024-05-01T08:30:00Z".to_owned())
}

/// The last text converted and its result, for one column. Files repeat the
/// same date on many records (an expiry per lot, one time per file), and
/// parsing a date is the costliest step of a record, so an identical text
/// reuses it.
#[derive(Debug, Default)]
pub(crate) struct ConversionCache {
    text: String,
    converted: Option<String>,
}

impl ConversionCache {
    /// Makes one empty cache per column of a layout, so two date columns
    /// with different formats never share a result.
    pub fn per_column(columns: usize) -> Vec<Self> {
        std::iter::repeat_with(Self::default)
            .take(columns)
            .collect()
    }

    /// Converts `text`, or returns the previous result when `text` is the
    /// text converted last.
    pub fn convert(
        &mut self,
        text: &str,
        convert: impl FnOnce(&str) -> Result<String, String>,
    ) -> Result<&str, String> {
        if self.converted.is_none() || self.text != text {
            self.converted = Some(convert(text)?);
            text.clone_into(&mut self.text);
        }
        Ok(self.converted.as_deref().unwrap_or_default())
    }
}

/// Parses Odoo's naive UTC `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn instant_from_odoo(text: &str) -> Result<Timestamp, String> {
    let datetime = DateTime::strptime(ODOO_DATETIME, text)
        .map_err(|_| "expected Odoo's `YYYY-MM-DD HH:MM:SS` in UTC".to_owned())?;
    datetime
        .to_zoned(TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .map_err(|error| error.to_string())
}

/// Writes an instant as Odoo's naive UTC `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn instant_to_odoo(instant: Timestamp) -> String {
    instant
        .to_zoned(TimeZone::UTC)
        .datetime()
        .strftime(ODOO_DATETIME)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_with_comma_and_zero_padding() {
        assert_eq!(parse_decimal("0,5", ',').unwrap().to_string(), "0.5");
        assert_eq!(parse_decimal("00000016", '.').unwrap().to_string(), "16");
        assert_eq!(parse_decimal("2.0", '.').unwrap().to_string(), "2.0");
        assert!(parse_decimal("1.5", ',').is_err());
        assert!(parse_decimal("abc", '.').is_err());
    }

    #[test]
    fn date_only_is_local_midnight() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let instant = instant_from_file("20230420", "%Y%m%d", &tokyo).unwrap();
        assert_eq!(instant.to_string(), "2023-04-19T15:00:00Z");
    }

    #[test]
    fn offset_in_text_wins_over_zone() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let instant =
            instant_from_file("2024-05-01T08:30:00+00:00", "%Y-%m-%dT%H:%M:%S%:z", &paris).unwrap();
        assert_eq!(instant.to_string(), "2024-05-01T08:30:00Z");
    }
}
