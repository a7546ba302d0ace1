//! Order files: the default layout's bytes, and a site layout with local
//! times, a comma decimal separator and no quoting.

use rust_decimal::Decimal;
use wharf_formats::{decode_orders, default_order_layout, encode_orders, FormatError, Layout};
use wharf_model::{Address, OrderLine, OrderRelease};

fn order() -> OrderRelease {
    OrderRelease {
        picking_id: 42,
        picking_name: "WH/OUT/00042".to_owned(),
        order_name: "S00042".to_owned(),
        customer_ref: "PO \"7\", urgent".to_owned(),
        warehouse: "WH".to_owned(),
        customer: "Café Müller".to_owned(),
        customer_tags: vec!["VIP".to_owned(), "B2B".to_owned()],
        credit_hold: false,
        ship_to: Address {
            name: "Café Müller".to_owned(),
            street: "1 Rue de la Paix".to_owned(),
            street2: String::new(),
            zip: "75002".to_owned(),
            city: "Paris".to_owned(),
            state: String::new(),
            country_code: "FR".to_owned(),
            phone: "5550100001".to_owned(),
            email: "orders@example.com".to_owned(),
        },
        carrier: "DHL".to_owned(),
        scheduled_date: "2024-07-01 06:30:00".to_owned(),
        write_date: "2024-06-30 10:00:00".to_owned(),
        lines: vec![
            OrderLine {
                line_no: 1,
                move_id: 901,
                product_id: 77,
                sku: "SKU-RED-M".to_owned(),
                description: "Shirt, red, M".to_owned(),
                quantity: Decimal::new(25, 1),
                uom: "kg".to_owned(),
                tracking: "lot".to_owned(),
                reserved_lots: vec!["L-1".to_owned(), "L-2".to_owned()],
            },
            OrderLine {
                line_no: 2,
                move_id: 902,
                product_id: 78,
                sku: "SKU-BLU-S".to_owned(),
                description: "Shirt, blue, S".to_owned(),
                quantity: Decimal::from(3),
                uom: "Units".to_owned(),
                tracking: "serial".to_owned(),
                reserved_lots: Vec::new(),
            },
        ],
    }
}

#[test]
fn default_layout_bytes() {
    let bytes = encode_orders(&default_order_layout(), &[order()]).unwrap();

    assert_eq!(
        bytes,
        encode_orders(&default_order_layout(), &[order()]).unwrap(),
        "deterministic"
    );
    insta::assert_snapshot!(String::from_utf8(bytes.clone()).unwrap());
    assert_eq!(
        decode_orders(&default_order_layout(), &bytes).unwrap(),
        [order()]
    );
}

fn paris_layout() -> Layout {
    Layout::from_toml(
        r#"
        delimiter = ";"
        quote = "none"
        header = false
        decimal_separator = ","
        datetime_format = "%Y%m%d%H%M%S"
        time_zone = "Europe/Paris"
        line_ending = "crlf"
        encoding = "windows-1252"
        columns = [
            { value = "ODL" },
            { field = "picking_name" },
            { field = "scheduled_date" },
            { field = "customer" },
            { field = "line_no" },
            { field = "sku", strip_suffix = ".OS" },
            { field = "quantity" },
            { field = "reserved_lots", split = "," },
        ]
        "#,
    )
    .unwrap()
}

#[test]
fn site_layout_local_time() {
    let mut input = order();
    for line in &mut input.lines {
        line.reserved_lots.clear();
    }

    let bytes = encode_orders(&paris_layout(), &[input]).unwrap();

    // 06:30 UTC is 08:30 in Paris in July (UTC+2); `ü` and `é` are single
    // Windows-1252 bytes.
    let expected = b"ODL;WH/OUT/00042;20240701083000;Caf\xE9 M\xFCller;1;SKU-RED-M.OS;2,5;\r\n\
                     ODL;WH/OUT/00042;20240701083000;Caf\xE9 M\xFCller;2;SKU-BLU-S.OS;3;\r\n";
    assert_eq!(bytes, expected);

    let decoded = decode_orders(&paris_layout(), &bytes).unwrap();
    assert_eq!(decoded[0].scheduled_date, "2024-07-01 06:30:00");
    assert_eq!(decoded[0].customer, "Café Müller");
    assert_eq!(decoded[0].lines[0].quantity, Decimal::new(25, 1));
    assert_eq!(decoded[0].lines[1].sku, "SKU-BLU-S");
}

#[test]
fn list_separator_in_unquoted_file() {
    // The lots are joined with `,`, which is safe because the delimiter is `;`.
    let bytes = encode_orders(&paris_layout(), &[order()]).unwrap();

    let decoded = decode_orders(&paris_layout(), &bytes).unwrap();

    assert_eq!(decoded[0].lines[0].reserved_lots, ["L-1", "L-2"]);
}

#[test]
fn order_without_lines_round_trips() {
    let mut input = order();
    input.lines.clear();

    let bytes = encode_orders(&default_order_layout(), std::slice::from_ref(&input)).unwrap();

    assert_eq!(
        decode_orders(&default_order_layout(), &bytes).unwrap(),
        [input]
    );
}

#[test]
fn bad_picking_id_is_reported() {
    let mut bytes = encode_orders(&default_order_layout(), &[order()]).unwrap();
    let text = String::from_utf8(bytes.clone())
        .unwrap()
        .replacen("\n42,", "\nX42,", 1);
    bytes = text.into_bytes();

    let error = decode_orders(&default_order_layout(), &bytes).unwrap_err();

    assert!(
        matches!(&error, FormatError::InvalidValue { line: 2, field, value, .. } if field == "picking_id" && value == "X42"),
        "{error}"
    );
}
