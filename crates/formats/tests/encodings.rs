//! Byte order marks, code pages and line ends.

use wharf_formats::{decode_confirmations, encode_confirmations, Encoding, FormatError, Layout};
use wharf_model::ShipmentConfirmation;

fn layout(encoding: &str) -> Layout {
    Layout::from_toml(&format!(
        r#"
        encoding = "{encoding}"
        columns = [
            {{ name = "picking_ref", field = "picking_ref" }},
            {{ name = "carrier", field = "carrier" }},
        ]
        "#
    ))
    .unwrap()
}

/// Builds a Windows-1252 file with a UTF-8 byte order mark and CRLF line
/// ends, as some legacy exports write it: `é` is the single byte 0xE9.
fn windows_1252_with_bom() -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBFpicking_ref,carrier\r\n".to_vec();
    bytes.extend_from_slice(b"WH/OUT/00001,Livraison pr\xE9vue\r\n");
    bytes
}

#[test]
fn auto_reads_windows_1252_with_bom() {
    let confirmations = decode_confirmations(&layout("auto"), &windows_1252_with_bom()).unwrap();

    assert_eq!(confirmations.len(), 1);
    assert_eq!(confirmations[0].picking_ref, "WH/OUT/00001");
    assert_eq!(
        confirmations[0].carrier.as_deref(),
        Some("Livraison prévue")
    );
}

#[test]
fn utf8_rejects_windows_1252_bytes() {
    let bytes = windows_1252_with_bom();
    let e_acute = bytes.iter().position(|&byte| byte == 0xE9).unwrap();

    let error = decode_confirmations(&layout("utf-8"), &bytes).unwrap_err();

    assert!(
        matches!(error, FormatError::InvalidUtf8 { offset } if offset == e_acute),
        "{error}"
    );
    assert!(error.to_string().contains("auto"), "{error}");
}

#[test]
fn windows_1252_writes_single_bytes() {
    let mut layout = layout("utf-8");
    layout.encoding = Encoding::Windows1252;
    layout.write_bom = true;
    layout.line_ending = wharf_formats::LineEnding::Crlf;
    let confirmation = ShipmentConfirmation {
        picking_ref: "WH/OUT/00001".to_owned(),
        lines: Vec::new(),
        carrier: Some("Livraison prévue".to_owned()),
        tracking_numbers: Vec::new(),
        shipped_at: None,
        reshipment: false,
    };

    let bytes = encode_confirmations(&layout, std::slice::from_ref(&confirmation)).unwrap();

    assert_eq!(bytes, windows_1252_with_bom());
}

#[test]
fn windows_1252_rejects_kanji() {
    let mut layout = layout("utf-8");
    layout.encoding = Encoding::Windows1252;
    let confirmation = ShipmentConfirmation {
        picking_ref: "WH/OUT/00001".to_owned(),
        lines: Vec::new(),
        carrier: Some("運送".to_owned()),
        tracking_numbers: Vec::new(),
        shipped_at: None,
        reshipment: false,
    };

    let error = encode_confirmations(&layout, &[confirmation]).unwrap_err();

    assert!(matches!(error, FormatError::Unencodable { .. }), "{error}");
}

#[test]
fn utf8_bom_and_crlf_are_stripped() {
    let bytes = "\u{feff}picking_ref,carrier\r\nWH/OUT/00002,ヤマト\r\n".as_bytes();

    let confirmations = decode_confirmations(&layout("utf-8"), bytes).unwrap();

    assert_eq!(confirmations[0].picking_ref, "WH/OUT/00002");
    assert_eq!(confirmations[0].carrier.as_deref(), Some("ヤマト"));
}
