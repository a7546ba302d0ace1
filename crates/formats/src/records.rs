//! Splitting decoded text into records and fields, with line numbers.
//!
//! Most files have no quoted values, and a record without a quote character
//! is a line cut at the first `\r` or `\n` and split at the delimiter, which
//! is how the `csv` crate reads it too. [`RecordReader`] splits such records
//! itself and lends out slices of the text, so a field costs no copy. From
//! the first record that has a quote character on, it hands the rest of the
//! text to the `csv` crate, so quoted values (delimiters, doubled quotes and
//! line breaks inside) follow that crate's rules.
//!
//! NOTE: the rest of the text stays with the `csv` crate even when later
//! records have no quotes, so a file with one early quoted value is read at
//! that crate's speed, which is lower than the splitter's here.

use csv::{ReaderBuilder, StringRecord};

use crate::FormatError;

/// Reads the records of one decoded text, one at a time.
pub(crate) struct RecordReader<'t> {
    text: &'t str,
    delimiter: u8,
    /// Quote character when the layout quotes values.
    quote: Option<u8>,
    /// True for the byte values the splitter stops at: the delimiter, `\r`,
    /// `\n` and the quote character. Looking each byte up once in this
    /// table is faster than comparing it with each of them.
    stops: [bool; 256],
    /// Byte offset in `text` where the next record is searched while the
    /// text is split here.
    next: usize,
    /// Fields of the current record while the text is split here.
    fields: Vec<&'t str>,
    /// The `csv` reader of the rest of the text, once a record has a quote
    /// character (or from the start when the delimiter or the quote is a
    /// line break).
    csv: Option<CsvRest<'t>>,
    /// Line number of the current record, from 1.
    line: u64,
}

/// The part of the text that the `csv` crate reads.
struct CsvRest<'t> {
    reader: csv::Reader<&'t [u8]>,
    text: &'t str,
    /// Number of lines of the whole text before `text` starts.
    lines_before: u64,
    record: StringRecord,
}

impl<'t> RecordReader<'t> {
    pub fn new(text: &'t str, delimiter: u8, quote: Option<u8>) -> Self {
        let mut stops = [false; 256];
        for byte in [Some(delimiter), Some(b'\r'), Some(b'\n'), quote]
            .into_iter()
            .flatten()
        {
            stops[usize::from(byte)] = true;
        }
        let mut reader = RecordReader {
            text,
            delimiter,
            quote,
            stops,
            next: 0,
            fields: Vec::new(),
            csv: None,
            line: 1,
        };
        // A record ends at a line break, so a delimiter or quote that is a
        // line break cannot be split here.
        let line_break = |byte: u8| matches!(byte, b'\r' | b'\n');
        if line_break(delimiter) || quote.is_some_and(line_break) {
            reader.start_csv(0, 0);
        }
        reader
    }

    /// Moves to the next record; false at the end of the text. Empty lines
    /// are skipped, as the `csv` crate skips them.
    pub fn read(&mut self) -> Result<bool, FormatError> {
        if self.csv.is_none() && self.read_plain() {
            return Ok(true);
        }
        self.read_csv()
    }

    /// Splits the next record here. Returns false at the end of the text and
    /// when the `csv` crate must read the record, after handing it the rest.
    fn read_plain(&mut self) -> bool {
        let rest = &self.text[self.next..];
        let record_text = rest.trim_start_matches(['\r', '\n']);
        let skipped = &rest[..rest.len() - record_text.len()];
        let breaks = skipped.bytes().filter(|&byte| byte == b'\n').count();
        let line = self
            .line
            .saturating_add(u64::try_from(breaks).unwrap_or(u64::MAX));
        let start = self.next + skipped.len();
        if record_text.is_empty() {
            self.next = start;
            return false;
        }

        // The csv crate ends a record at `\r`, `\n` or `\r\n`. All the
        // bytes looked for are ASCII, so every cut is on a char boundary.
        self.fields.clear();
        let bytes = record_text.as_bytes();
        let mut field_start = 0;
        let mut end = bytes.len();
        for (index, &byte) in bytes.iter().enumerate() {
            if !self.stops[usize::from(byte)] {
                continue;
            }
            if byte == self.delimiter {
                self.fields.push(&record_text[field_start..index]);
                field_start = index + 1;
            } else if byte == b'\r' || byte == b'\n' {
                end = index;
                break;
            } else {
                // The quote character: the csv crate reads from this record on.
                self.start_csv(start, line - 1);
                return false;
            }
        }
        self.fields.push(&record_text[field_start..end]);
        self.next = start + end;
        self.line = line;
        true
    }

    /// Hands the text from byte `start`, which is on line `lines_before + 1`,
    /// to the `csv` crate.
    fn start_csv(&mut self, start: usize, lines_before: u64) {
        let mut builder = ReaderBuilder::new();
        builder
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .quoting(self.quote.is_some());
        if let Some(quote) = self.quote {
            builder.quote(quote);
        }
        let text = &self.text[start..];
        self.csv = Some(CsvRest {
            reader: builder.from_reader(text.as_bytes()),
            text,
            lines_before,
            record: StringRecord::new(),
        });
    }

    fn read_csv(&mut self) -> Result<bool, FormatError> {
        let Some(csv) = self.csv.as_mut() else {
            return Ok(false);
        };
        let more = csv
            .reader
            .read_record(&mut csv.record)
            .map_err(|error| FormatError::Csv {
                line: self.line,
                message: error.to_string(),
            })?;
        if more {
            if let Some(position) = csv.record.position() {
                let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
                let line = record_line(csv.text, start, position.line());
                self.line = self.line.max(csv.lines_before.saturating_add(line));
            }
        }
        Ok(more)
    }

    /// Line number of the current record, from 1.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Number of fields of the current record.
    pub fn len(&self) -> usize {
        match &self.csv {
            Some(csv) => csv.record.len(),
            None => self.fields.len(),
        }
    }

    /// Field `index` of the current record.
    pub fn get(&self, index: usize) -> Option<&str> {
        match &self.csv {
            Some(csv) => csv.record.get(index),
            None => self.fields.get(index).copied(),
        }
    }

    /// Iterates over the fields of the current record in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|index| self.get(index))
    }
}

/// Returns the line of the record that starts at byte `offset` of `text`,
/// where the `csv` reader has counted `line_at_offset`.
///
/// The reader counts every `\n` it has consumed, including those inside
/// quoted values, so its count is right for values that span lines. But it
/// reports a record's start before the blank lines that precede it and, in
/// CRLF files, before the `\n` that ends the previous record, so the line
/// breaks right after `offset` are counted here.
fn record_line(text: &str, offset: usize, line_at_offset: u64) -> u64 {
    let bytes = text.as_bytes();
    let start = offset.min(bytes.len());
    let breaks = bytes[start..]
        .iter()
        .take_while(|&&byte| matches!(byte, b'\r' | b'\n'))
        .filter(|&&byte| byte == b'\n')
        .count();
    line_at_offset.saturating_add(u64::try_from(breaks).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod csv_equivalence {
    use super::*;
    use proptest::prelude::*;

    type Records = Vec<(u64, Vec<String>)>;

    // The reference: the csv crate reads every record, as the fast path must.
    fn csv_records(text: &str, delimiter: u8, quote: Option<u8>) -> Result<Records, String> {
        let mut builder = csv::ReaderBuilder::new();
        builder
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .quoting(quote.is_some());
        if let Some(quote) = quote {
            builder.quote(quote);
        }
        let mut reader = builder.from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let (mut line, mut counted_to) = (1u64, 0usize);
        let mut out = Vec::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => return Err(format!("line {line}: {error}")),
            }
            let start = record.position().map_or(counted_to, |p| p.byte() as usize);
            let bytes = text.as_bytes();
            let mut end = start.min(bytes.len());
            while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
                end += 1;
            }
            if end > counted_to {
                line += bytes[counted_to..end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                counted_to = end;
            }
            out.push((line, record.iter().map(str::to_owned).collect()));
        }
        Ok(out)
    }

    fn fast_records(text: &str, delimiter: u8, quote: Option<u8>) -> Result<Records, String> {
        let mut reader = RecordReader::new(text, delimiter, quote);
        let mut out = Vec::new();
        loop {
            match reader.read() {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => return Err(error.to_string()),
            }
            out.push((reader.line(), reader.iter().map(str::to_owned).collect()));
        }
        Ok(out)
    }

    fn check(text: &str, delimiter: u8, quote: Option<u8>) -> Result<(), TestCaseError> {
        let expected = csv_records(text, delimiter, quote);
        let actual = fast_records(text, delimiter, quote);
        prop_assert_eq!(expected.is_ok(), actual.is_ok(), "{:?}", text);
        if let (Ok(expected), Ok(actual)) = (expected, actual) {
            prop_assert_eq!(expected, actual, "{:?}", text);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn same_records_comma(text in "[ab,;\" \r\n\t'é]{0,40}", quoting: bool) {
            check(&text, b',', quoting.then_some(b'"'))?;
        }
        #[test]
        fn same_records_semicolon(text in "[ab,;\" \r\n'|]{0,40}", quoting: bool) {
            check(&text, b';', quoting.then_some(b'\''))?;
        }
        #[test]
        fn same_records_odd_delimiters(text in "[ab,\" \r\n]{0,30}", delimiter in prop::sample::select(vec![b'\n', b'\r', b'a', b' ']), quote in prop::sample::select(vec![None, Some(b'"'), Some(b'\n'), Some(b',')])) {
            if quote != Some(delimiter) {
                check(&text, delimiter, quote)?;
            }
        }
    }
}
