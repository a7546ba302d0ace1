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
    if let Some(value) = parse_plain_decimal(text, separator) {
        return Ok(value);
    }
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

/// Maximum number of digits [`parse_plain_decimal`] reads, so that the
/// mantissa (at most 10^18 - 1) cannot overflow an `i64`.
const PLAIN_DECIMAL_MAX_DIGITS: usize = 18;

/// Parses the common form of a decimal, an optional `-`, 1 to 18 digits and
/// an optional `separator` followed by at least one digit, without an
/// intermediate string. Returns `None` for any other text (`+1`, `.5`, `1_000`,
/// more digits), which [`parse_decimal`] hands to `Decimal::from_str`.
///
/// For the text it accepts, the result has the mantissa, scale and sign
/// that `Decimal::from_str` gives for that text with `.` as separator.
fn parse_plain_decimal(text: &str, separator: char) -> Option<Decimal> {
    let separator = u8::try_from(separator).ok()?;
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        bytes => (false, bytes),
    };
    if digits.is_empty() {
        return None;
    }

    let mut mantissa: i64 = 0;
    let mut digit_count = 0;
    let mut scale: Option<u32> = None;
    for &byte in digits {
        if byte.is_ascii_digit() {
            if digit_count == PLAIN_DECIMAL_MAX_DIGITS {
                return None;
            }
            mantissa = mantissa * 10 + i64::from(byte - b'0');
            digit_count += 1;
            if let Some(scale) = scale.as_mut() {
                *scale += 1;
            }
        } else if byte == separator && scale.is_none() && digit_count > 0 {
            scale = Some(0);
        } else {
            return None;
        }
    }
    // A separator without digits after it (`5.`) takes the slow path.
    if scale == Some(0) {
        return None;
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    Decimal::try_new(mantissa, scale.unwrap_or(0)).ok()
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

/// The strftime format of ISO 8601 dates, the default `date_format`.
const ISO_DATE: &str = "%Y-%m-%d";

/// True when [`date_from_file`] would return `text` unchanged: `format` is
/// [`ISO_DATE`] and `text` is exactly `YYYY-MM-DD` in ASCII digits, naming a
/// day that exists. Callers then use `text` as it is, without parsing it or
/// allocating. Other text, valid or not, is left to [`date_from_file`],
/// which also builds the error message.
pub(crate) fn is_iso_date(text: &str, format: &str) -> bool {
    if format != ISO_DATE {
        return false;
    }
    let &[y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = text.as_bytes() else {
        return false;
    };
    let (Some(century), Some(year_in_century), Some(month), Some(day)) = (
        two_digits(y1, y2),
        two_digits(y3, y4),
        two_digits(m1, m2),
        two_digits(d1, d2),
    ) else {
        return false;
    };
    let year = i16::from(century) * 100 + i16::from(year_in_century);
    Date::new(year, month, day).is_ok()
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
    if format == RFC3339_WITH_OFFSET {
        if let Some(instant) = parse_rfc3339_with_offset(text) {
            return Ok(instant);
        }
    }
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

/// The strftime format of RFC 3339 date-times with a numeric offset, the
/// default `datetime_format`.
const RFC3339_WITH_OFFSET: &str = "%Y-%m-%dT%H:%M:%S%:z";

/// Parses the common form of [`RFC3339_WITH_OFFSET`] text,
/// `YYYY-MM-DDTHH:MM:SS+HH:MM` (or `-HH:MM`) in ASCII digits, without the
/// general strftime parser. Returns `None` for any other text, and for
/// dates, times or offsets out of range, which [`instant_from_file`] hands
/// to that parser.
fn parse_rfc3339_with_offset(text: &str) -> Option<Timestamp> {
    let &[y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', ref time @ ..] = text.as_bytes()
    else {
        return None;
    };
    let &[h1, h2, b':', mi1, mi2, b':', s1, s2, sign, oh1, oh2, b':', om1, om2] = time else {
        return None;
    };
    let year = i16::from(two_digits(y1, y2)?) * 100 + i16::from(two_digits(y3, y4)?);
    let datetime = DateTime::new(
        year,
        two_digits(mo1, mo2)?,
        two_digits(d1, d2)?,
        two_digits(h1, h2)?,
        two_digits(mi1, mi2)?,
        two_digits(s1, s2)?,
        0,
    )
    .ok()?;

    let (offset_hours, offset_minutes) = (two_digits(oh1, oh2)?, two_digits(om1, om2)?);
    if offset_hours > 23 || offset_minutes > 59 {
        return None;
    }
    let offset_seconds = i32::from(offset_hours) * 3600 + i32::from(offset_minutes) * 60;
    let offset_seconds = match sign {
        b'+' => offset_seconds,
        b'-' => -offset_seconds,
        _ => return None,
    };
    jiff::tz::Offset::from_seconds(offset_seconds)
        .ok()?
        .to_timestamp(datetime)
        .ok()
}

/// Reads two ASCII digits as a number from 0 to 99.
fn two_digits(tens: u8, ones: u8) -> Option<i8> {
    if !tens.is_ascii_digit() || !ones.is_ascii_digit() {
        return None;
    }
    i8::try_from((tens - b'0') * 10 + (ones - b'0')).ok()
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

    /// Converts a date of the file in `format` to `YYYY-MM-DD`, without a
    /// conversion when it is in that form already.
    pub fn date(&mut self, text: &str, format: &str) -> Result<String, String> {
        if is_iso_date(text, format) {
            return Ok(text.to_owned());
        }
        self.convert(text, |text| date_from_file(text, format))
            .map(str::to_owned)
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

#[cfg(test)]
mod fast_path_equivalence {
    use super::*;
    use proptest::prelude::*;

    fn slow_decimal(text: &str, separator: char) -> Result<Decimal, String> {
        let parsed = if separator == '.' {
            Decimal::from_str(text)
        } else {
            if text.contains('.') {
                return Err(format!("dot {separator}"));
            }
            Decimal::from_str(&text.replace(separator, "."))
        };
        parsed.map_err(|_| format!("bad {separator}"))
    }

    fn check_decimal(text: &str, separator: char) {
        let fast = parse_decimal(text, separator);
        let slow = slow_decimal(text, separator);
        match (&fast, &slow) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.serialize(), b.serialize(), "{text:?} {separator}");
                assert_eq!(a.to_string(), b.to_string(), "{text:?}");
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{text:?} {separator}: {fast:?} vs {slow:?}"),
        }
        if let Some(value) = parse_plain_decimal(text, separator) {
            let b = slow.unwrap();
            assert_eq!(value.serialize(), b.serialize(), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn decimals_match(text in "-?[0-9]{0,21}([.,][0-9]{0,21})?", comma: bool) {
            check_decimal(&text, if comma { ',' } else { '.' });
        }
        #[test]
        fn odd_decimals_match(text in "[-+0-9.,_ e]{0,8}", comma: bool) {
            check_decimal(&text, if comma { ',' } else { '.' });
        }
    }

    #[test]
    fn decimal_edges_match() {
        for text in [
            "-0",
            "-0.0",
            "0",
            "0.0",
            "999999999999999999",
            "-999999999999999999",
            "9999999999999999999",
            "0.000000000000000001",
            "00000016",
            "5.",
            ".5",
            "-",
            "",
        ] {
            check_decimal(text, '.');
            check_decimal(&text.replace('.', ","), ',');
        }
    }

    fn slow_instant(text: &str, _zone: &TimeZone) -> Result<Timestamp, String> {
        let parsed = BrokenDownTime::parse(RFC3339_WITH_OFFSET, text).map_err(|e| e.to_string())?;
        if parsed.offset().is_some() {
            return parsed.to_timestamp().map_err(|error| error.to_string());
        }
        panic!("no offset in {text}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200000))]
        #[test]
        fn instants_match(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[-+][0-9]{2}:[0-9]{2}") {
            let zone = TimeZone::get("Europe/Paris").unwrap();
            let fast = parse_rfc3339_with_offset(&text);
            let slow = slow_instant(&text, &zone);
            if let Some(fast) = fast {
                prop_assert_eq!(Ok(fast), slow.clone());
            }
            prop_assert_eq!(instant_from_file(&text, RFC3339_WITH_OFFSET, &zone).ok(), slow.ok());
        }
        #[test]
        fn plausible_instants_match(y in 0i32..=9999, mo in 0u8..=13, d in 0u8..=32, h in 0u8..=25, mi in 0u8..=61, s in 0u8..=61, neg: bool, oh in 0u8..=26, om in 0u8..=61) {
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}{oh:02}:{om:02}", if neg {'-'} else {'+'});
            let zone = TimeZone::get("Europe/Paris").unwrap();
            let fast = parse_rfc3339_with_offset(&text);
            let slow = slow_instant(&text, &zone);
            if let Some(fast) = fast {
                prop_assert_eq!(Ok(fast), slow.clone());
            } else {
                // Count how often valid text misses the fast path.
                prop_assert!(slow.is_err() || oh > 23 || s > 59 || y == 0 || y == 9999, "{} {:?}", text, slow);
            }
            prop_assert_eq!(instant_from_file(&text, RFC3339_WITH_OFFSET, &zone).ok(), slow.ok());
        }
    }

    #[test]
    fn iso_dates_match() {
        let years = (0..=40).chain(1890..=2110).chain(9960..=9999);
        for year in years {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    let slow = Date::strptime(ISO_DATE, &text).map(|d| d.to_string()).ok();
                    let fast = is_iso_date(&text, ISO_DATE).then(|| text.clone());
                    assert_eq!(fast, slow, "{text}");
                }
            }
        }
    }
}
