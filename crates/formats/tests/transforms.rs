//! Column transforms and multi-column fields.

use rust_decimal::Decimal;
use wharf_formats::{decode_confirmations, encode_confirmations, FormatError, Layout};
use wharf_model::ShipmentConfirmation;

fn confirmation(tracking: &[&str]) -> ShipmentConfirmation {
    ShipmentConfirmation {
        picking_ref: "WH/OUT/00001".to_owned(),
        lines: Vec::new(),
        carrier: None,
        tracking_numbers: tracking.iter().map(|number| (*number).to_owned()).collect(),
        shipped_at: None,
        reshipment: false,
    }
}

#[test]
fn tracking_from_two_columns() {
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "ref", field = "picking_ref" },
            { name = "parcel1", field = "tracking" },
            { name = "parcel2", field = "tracking", split = "/" },
        ]"#,
    )
    .unwrap();
    let bytes = b"ref,parcel1,parcel2\nWH/OUT/00001,000111,000222/000333\nWH/OUT/00002,000444,\n";

    let decoded = decode_confirmations(&layout, bytes).unwrap();

    assert_eq!(decoded[0].tracking_numbers, ["000111", "000222", "000333"]);
    assert_eq!(decoded[1].tracking_numbers, ["000444"]);
    let encoded =
        encode_confirmations(&layout, &[confirmation(&["000111", "000222", "000333"])]).unwrap();
    assert_eq!(
        encoded,
        b"ref,parcel1,parcel2\nWH/OUT/00001,000111,000222/000333\n"
    );
}

#[test]
fn several_numbers_need_split() {
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "ref", field = "picking_ref" },
            { name = "tracking", field = "tracking" },
        ]"#,
    )
    .unwrap();

    let error = encode_confirmations(&layout, &[confirmation(&["1", "2"])]).unwrap_err();

    assert!(matches!(error, FormatError::Unwritable { .. }), "{error}");
    assert!(error.to_string().contains("split"), "{error}");
}

#[test]
fn record_filter_skips_other_records() {
    let layout = Layout::from_toml(
        r#"
        delimiter = ";"
        quote = "none"
        header = false
        record_filter = { position = 0, equals = "ODC" }
        columns = [{ value = "ODC" }, { field = "picking_ref" }, { field = "sku" }, { field = "quantity" }]
        "#,
    )
    .unwrap();
    let bytes = b"HDR;file header\nODC;4711;A;00000016\nTRL;1\n";

    let decoded = decode_confirmations(&layout, bytes).unwrap();

    assert_eq!(decoded.len(), 1);
    assert_eq!(decoded[0].lines[0].quantity, Decimal::from(16));
    assert_eq!(decoded[0].lines[0].source_line, 2);
}

#[test]
fn placeholder_case_and_fixed_value() {
    let layout = Layout::from_toml(
        r#"
        placeholders = ["_", "N/A"]
        columns = [
            { name = "ref", field = "picking_ref" },
            { name = "sku", field = "sku", case = "upper" },
            { name = "qty", field = "quantity" },
            { name = "lot", field = "lot" },
            { name = "carrier", field = "carrier", value = "YAMATO" },
        ]
        "#,
    )
    .unwrap();
    let bytes = b"ref,sku,qty,lot,carrier\n 4711 ,abc-1,1,N/A,anything\n4711,def,2,_,\n";

    let decoded = decode_confirmations(&layout, bytes).unwrap();

    assert_eq!(decoded.len(), 1, "trimmed references group together");
    let lines = &decoded[0].lines;
    assert_eq!(lines[0].sku, "ABC-1");
    assert_eq!(lines[0].lot, None);
    assert_eq!(lines[1].lot, None);
    assert_eq!(decoded[0].carrier.as_deref(), Some("YAMATO"));
}

#[test]
fn reshipment_needs_suffix_in_layout() {
    let layout =
        Layout::from_toml(r#"columns = [{ name = "ref", field = "picking_ref" }]"#).unwrap();
    let mut reshipped = confirmation(&[]);
    reshipped.reshipment = true;

    let error = encode_confirmations(&layout, &[reshipped]).unwrap_err();

    assert!(error.to_string().contains("reshipment_suffix"), "{error}");
}

#[test]
fn order_level_rows_without_sku_give_no_lines() {
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "ref", field = "picking_ref" },
            { name = "sku", field = "sku" },
            { name = "qty", field = "quantity" },
            { name = "tracking", field = "tracking" },
        ]"#,
    )
    .unwrap();
    let bytes = b"ref,sku,qty,tracking\nWH/OUT/1,A,1,\nWH/OUT/1,,,123456789012\n";

    let decoded = decode_confirmations(&layout, bytes).unwrap();

    assert_eq!(decoded[0].lines.len(), 1);
    assert_eq!(decoded[0].tracking_numbers, ["123456789012"]);
}

#[test]
fn separator_inside_value_rejected() {
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "ref", field = "picking_ref" },
            { name = "tracking", field = "tracking", split = "|" },
        ]"#,
    )
    .unwrap();

    let error = encode_confirmations(&layout, &[confirmation(&["1|2", "3"])]).unwrap_err();

    assert!(matches!(error, FormatError::Unwritable { .. }), "{error}");
}
