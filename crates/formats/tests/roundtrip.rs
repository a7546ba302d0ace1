//! Encoding then decoding gives the input back, for the default layouts and
//! for a semicolon layout without quoting.

mod common;

use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;
use wharf_formats::{
    decode_confirmations, decode_orders, default_confirmation_layout, default_order_layout,
    encode_confirmations, encode_orders,
};
use wharf_model::{Address, OrderLine, OrderRelease, ShipmentConfirmation, ShippedLine};

/// Text that survives trimming: no white space at either end, and a mix of
/// quotes, commas and non-ASCII letters that the writer must quote.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9éß日本 ,\"/-]{0,12}".prop_map(|value| value.trim().to_owned())
}

fn non_empty_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9é日/-][A-Za-z0-9é日 ,\"/-]{0,10}[A-Za-z0-9é日/-]"
}

/// Generates a list element: non-empty, without the `|` separator.
fn element() -> impl Strategy<Value = String> {
    "[A-Z0-9][A-Z0-9-]{0,8}"
}

fn quantity() -> impl Strategy<Value = Decimal> {
    (0i64..10_000_000, 0u32..4).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
}

fn odoo_datetime() -> impl Strategy<Value = String> {
    (0i64..2_000_000_000).prop_map(|seconds| {
        let instant = jiff::Timestamp::from_second(seconds).unwrap();
        instant
            .to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string()
    })
}

fn address() -> impl Strategy<Value = Address> {
    (vec(text(), 9)).prop_map(|parts| Address {
        name: parts[0].clone(),
        street: parts[1].clone(),
        street2: parts[2].clone(),
        zip: parts[3].clone(),
        city: parts[4].clone(),
        state: parts[5].clone(),
        country_code: parts[6].clone(),
        phone: parts[7].clone(),
        email: parts[8].clone(),
    })
}

fn order_line() -> impl Strategy<
    Value = (
        i64,
        i64,
        String,
        String,
        Decimal,
        String,
        String,
        Vec<String>,
    ),
> {
    (
        1i64..1_000_000,
        1i64..1_000_000,
        non_empty_text(),
        text(),
        quantity(),
        text(),
        prop::sample::select(vec![
            "none".to_owned(),
            "lot".to_owned(),
            "serial".to_owned(),
        ]),
        vec(element(), 0..3),
    )
}

fn order(index: usize) -> impl Strategy<Value = OrderRelease> {
    (
        1i64..1_000_000,
        (text(), text(), text(), text()),
        vec(element(), 0..3),
        address(),
        text(),
        (odoo_datetime(), prop::option::of(odoo_datetime())),
        vec(order_line(), 0..4),
    )
        .prop_map(
            move |(picking_id, names, customer_tags, ship_to, carrier, dates, lines)| {
                let (order_name, customer_ref, warehouse, customer) = names;
                OrderRelease {
                    picking_id,
                    picking_name: format!("WH/OUT/{index:05}"),
                    order_name,
                    customer_ref,
                    warehouse,
                    customer,
                    customer_tags,
                    credit_hold: false,
                    ship_to,
                    carrier,
                    scheduled_date: dates.0,
                    write_date: dates.1.unwrap_or_default(),
                    lines: lines
                        .into_iter()
                        .enumerate()
                        .map(|(line_index, line)| OrderLine {
                            line_no: u32::try_from(line_index + 1).unwrap(),
                            move_id: line.0,
                            product_id: line.1,
                            sku: line.2,
                            description: line.3,
                            quantity: line.4,
                            uom: line.5,
                            tracking: line.6,
                            reserved_lots: line.7,
                        })
                        .collect(),
                }
            },
        )
}

fn orders() -> impl Strategy<Value = Vec<OrderRelease>> {
    (0usize..4).prop_flat_map(|count| (0..count).map(order).collect::<Vec<_>>())
}

fn shipped_line() -> impl Strategy<Value = ShippedLine> {
    (
        element(),
        quantity(),
        prop::option::of(element()),
        prop::option::of((2000i16..2100, 1i8..13, 1i8..29)),
        prop::option::of(1i64..1_000_000),
    )
        .prop_map(|(sku, quantity, lot, expiry, move_id)| ShippedLine {
            source_line: 0,
            sku,
            quantity,
            lot,
            expiry_date: expiry.map(|(year, month, day)| format!("{year:04}-{month:02}-{day:02}")),
            move_id,
        })
}

fn confirmation(index: usize) -> impl Strategy<Value = ShipmentConfirmation> {
    (
        vec(shipped_line(), 0..4),
        prop::option::of(non_empty_text()),
        vec("[0-9]{12}", 0..3),
        prop::option::of(0i64..2_000_000_000),
        any::<bool>(),
    )
        .prop_map(
            move |(lines, carrier, tracking_numbers, shipped, reshipment)| {
                let mut tracking_numbers = tracking_numbers;
                tracking_numbers.dedup();
                ShipmentConfirmation {
                    picking_ref: format!("WH/OUT/{index:05}"),
                    lines,
                    carrier,
                    tracking_numbers,
                    shipped_at: shipped
                        .map(|seconds| jiff::Timestamp::from_second(seconds).unwrap().to_string()),
                    reshipment,
                }
            },
        )
}

fn confirmations() -> impl Strategy<Value = Vec<ShipmentConfirmation>> {
    (0usize..4).prop_flat_map(|count| (0..count).map(confirmation).collect::<Vec<_>>())
}

/// Clears what decoding fills in from the file rather than the input.
fn without_source_lines(mut confirmations: Vec<ShipmentConfirmation>) -> Vec<ShipmentConfirmation> {
    for confirmation in &mut confirmations {
        for line in &mut confirmation.lines {
            line.source_line = 0;
        }
    }
    confirmations
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn orders_round_trip(input in orders()) {
        let layout = default_order_layout();

        let bytes = encode_orders(&layout, &input).unwrap();
        let decoded = decode_orders(&layout, &bytes).unwrap();

        prop_assert_eq!(&decoded, &input);
        prop_assert_eq!(encode_orders(&layout, &decoded).unwrap(), bytes);
    }

    #[test]
    fn confirmations_round_trip(input in confirmations()) {
        let layout = default_confirmation_layout();

        let bytes = encode_confirmations(&layout, &input).unwrap();
        let decoded = decode_confirmations(&layout, &bytes).unwrap();

        prop_assert_eq!(without_source_lines(decoded), input);
    }
}

#[test]
fn semicolon_layout_round_trip() {
    let layout = common::layout("odc_despatch_confirm.toml");
    let input = vec![ShipmentConfirmation {
        picking_ref: "4712".to_owned(),
        lines: vec![ShippedLine {
            source_line: 1,
            sku: "SKU-BLU-S".to_owned(),
            quantity: Decimal::new(20, 1),
            lot: None,
            expiry_date: None,
            move_id: None,
        }],
        carrier: Some("CARR1".to_owned()),
        tracking_numbers: vec!["00340434161234567890".to_owned()],
        shipped_at: None,
        reshipment: false,
    }];

    let bytes = encode_confirmations(&layout, &input).unwrap();

    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "ODC;4712;_;SKU-BLU-S.OS;;2.0;_;CARR1;_;00340434161234567890;Complete\n"
    );
    assert_eq!(decode_confirmations(&layout, &bytes).unwrap(), input);
}

#[test]
fn comma_decimal_round_trip() {
    let mut layout = common::layout("odc_despatch_confirm.toml");
    layout.decimal_separator = ",".to_owned();
    let bytes = b"ODC;1;_;A.OS;;0,5;_;C;_;;Complete\n";

    let decoded = decode_confirmations(&layout, bytes).unwrap();

    assert_eq!(decoded[0].lines[0].quantity, Decimal::new(5, 1));
    assert_eq!(encode_confirmations(&layout, &decoded).unwrap(), bytes);
}
