//! Malformed files and layouts: each error names the line, the column and
//! the value, and states what to fix.

mod common;

use wharf_formats::{
    decode_confirmations, decode_orders, default_order_layout, FormatError, Layout,
};

#[test]
fn short_record_names_line_and_count() {
    let layout = common::layout("odc_despatch_confirm.toml");
    let bytes = b"ODC;4711;_;SKU-RED-M.OS;990099;2.0;_;CARR1;_;;Complete\n\
                  ODC;4711;_;SKU-RED-L.OS;990099;1.0;_;CARR1\n";

    let error = decode_confirmations(&layout, bytes).unwrap_err();

    assert!(
        matches!(
            error,
            FormatError::ColumnCount {
                line: 2,
                expected: 11,
                found: 8
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("line 2"), "{error}");
}

#[test]
fn bad_decimal_names_line_column_value() {
    let layout = common::layout("odc_despatch_confirm.toml");
    let bytes = b"ODC;4711;_;SKU-RED-M.OS;990099;2.0;_;CARR1;_;;Complete\n\
                  ODC;4711;_;SKU-RED-L.OS;990099;1,5;_;CARR1;_;;Complete\n";

    let error = decode_confirmations(&layout, bytes).unwrap_err();

    let FormatError::InvalidValue {
        line,
        column,
        field,
        value,
        ..
    } = &error
    else {
        panic!("expected InvalidValue, got {error}");
    };
    assert_eq!(*line, 2);
    assert_eq!(column.position, 5);
    assert_eq!(field, "quantity");
    assert_eq!(value, "1,5");
    let message = error.to_string();
    assert!(
        message.contains("line 2, column at position 5"),
        "{message}"
    );
    assert!(message.contains("`1,5`"), "{message}");
}

#[test]
fn unknown_header_lists_found_names() {
    let layout = common::layout("jp_shipped_tracking.toml");
    let bytes = "DO#,日付,個数,追跡番号,便名\r\n1000879842,20230420,1,361054809931,X\r\n";

    let error = decode_confirmations(&layout, bytes.as_bytes()).unwrap_err();

    let FormatError::UnknownHeader { name, found } = &error else {
        panic!("expected UnknownHeader, got {error}");
    };
    assert_eq!(name, "問い合せNo");
    assert!(found.contains("追跡番号"), "{found}");
    assert!(error.to_string().contains("line 1"), "{error}");
}

#[test]
fn bad_date_names_column_by_header() {
    let layout = common::layout("jp_shipped_tracking.toml");
    let bytes = "DO#,日付,個数,問い合せNo,便名\r\n1000879842,2023-04-20,1,361054809931,X\r\n";

    let error = decode_confirmations(&layout, bytes.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        message.contains("line 2, column `日付` (position 1)"),
        "{message}"
    );
    assert!(message.contains("`2023-04-20`"), "{message}");
}

#[test]
fn header_row_count_mismatch() {
    let bytes = b"picking_ref,carrier\nWH/OUT/1,DHL,extra\n";
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "picking_ref", field = "picking_ref" },
            { name = "carrier", field = "carrier" },
        ]"#,
    )
    .unwrap();

    let error = decode_confirmations(&layout, bytes).unwrap_err();

    assert!(
        matches!(
            error,
            FormatError::ColumnCount {
                line: 2,
                expected: 2,
                found: 3
            }
        ),
        "{error}"
    );
}

#[test]
fn missing_quantity_is_reported() {
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "picking_ref", field = "picking_ref" },
            { name = "sku", field = "sku" },
            { name = "qty", field = "quantity" },
        ]"#,
    )
    .unwrap();

    let error = decode_confirmations(&layout, b"picking_ref,sku,qty\nWH/OUT/1,A,\n").unwrap_err();

    assert!(
        matches!(&error, FormatError::MissingValue { line: 2, field, .. } if field == "quantity"),
        "{error}"
    );
}

#[test]
fn unknown_field_in_layout() {
    let layout = Layout::from_toml(
        r#"columns = [{ name = "a", field = "picking_ref" }, { name = "b", field = "qty" }]"#,
    )
    .unwrap();

    let error = decode_confirmations(&layout, b"a,b\n").unwrap_err();

    let message = error.to_string();
    assert!(message.contains("unknown `field = \"qty\"`"), "{message}");
    assert!(message.contains("quantity"), "{message}");
}

#[test]
fn unknown_layout_key_rejected() {
    let error = Layout::from_toml("delimter = \";\"\ncolumns = []").unwrap_err();

    assert!(error.to_string().contains("delimter"), "{error}");
}

#[test]
fn unknown_time_zone_rejected() {
    let mut layout = default_order_layout();
    layout.time_zone = Some("Europe/Atlantis".to_owned());

    let error = decode_orders(&layout, b"").unwrap_err();

    assert!(error.to_string().contains("Europe/Atlantis"), "{error}");
}

#[test]
fn unquoted_delimiter_cannot_be_written() {
    let layout = common::layout("odc_despatch_confirm.toml");
    let confirmation = wharf_model::ShipmentConfirmation {
        picking_ref: "4711".to_owned(),
        lines: Vec::new(),
        carrier: Some("A;B".to_owned()),
        tracking_numbers: Vec::new(),
        shipped_at: None,
        reshipment: false,
    };

    let error = wharf_formats::encode_confirmations(&layout, &[confirmation]).unwrap_err();

    assert!(matches!(error, FormatError::Unwritable { .. }), "{error}");
}
