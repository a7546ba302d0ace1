//! Byte-level text handling: byte order marks and code pages.

use std::borrow::Cow;

use crate::layout::Encoding;
use crate::FormatError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a file's bytes to text, stripping a UTF-8 byte order mark.
///
/// Valid UTF-8 is borrowed, not copied, so the common case costs one
/// validation pass.
pub(crate) fn decode(encoding: Encoding, bytes: &[u8]) -> Result<Cow<'_, str>, FormatError> {
    let (body, bom_len) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, UTF8_BOM.len()),
        None => (bytes, 0),
    };

    match encoding {
        Encoding::Utf8 => std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|error| FormatError::InvalidUtf8 {
                offset: bom_len + error.valid_up_to(),
            }),
        Encoding::Windows1252 => Ok(decode_windows_1252(body)),
        Encoding::Auto => match std::str::from_utf8(body) {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(_) => Ok(decode_windows_1252(body)),
        },
    }
}

fn decode_windows_1252(body: &[u8]) -> Cow<'_, str> {
    // encoding_rs maps all 256 byte values of Windows-1252 (the five
    // unassigned ones to C1 controls), so this decoding has no errors.
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(body)
        .0
}

/// True when `value` can be written in `encoding` without loss.
pub(crate) fn is_encodable(encoding: Encoding, value: &str) -> bool {
    match encoding {
        Encoding::Utf8 | Encoding::Auto => true,
        Encoding::Windows1252 => value.is_ascii() || !encoding_rs::WINDOWS_1252.encode(value).2,
    }
}

/// Encodes written text in the layout's encoding, with a UTF-8 byte order
/// mark first when `write_bom` is set. Callers check each value with
/// [`is_encodable`] first, so no character is replaced here.
pub(crate) fn encode(encoding: Encoding, write_bom: bool, text: Vec<u8>) -> Vec<u8> {
    let body = match encoding {
        Encoding::Utf8 | Encoding::Auto => text,
        Encoding::Windows1252 => {
            // The CSV writer only produced UTF-8 from `&str` values.
            let text = String::from_utf8(text)
                .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
            encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
        }
    };

    if !write_bom {
        return body;
    }
    let mut bytes = Vec::with_capacity(UTF8_BOM.len() + body.len());
    bytes.extend_from_slice(UTF8_BOM);
    bytes.extend_from_slice(&body);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_decodes_every_byte() {
        let every_byte: Vec<u8> = (0..=255).collect();

        let text = decode(Encoding::Windows1252, &every_byte).unwrap();

        assert_eq!(text.chars().count(), 256);
        assert!(!text.contains('\u{FFFD}'), "no replacement character");
    }
}
