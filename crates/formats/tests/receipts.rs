//! Expected receipt (ASN) and receipt advice files: round trips, returns
//! with serials and every disposition, short purchase receipts with new
//! lots, value maps, Windows-1252 and decimal commas, the public `PAL`
//! receipt confirmation sample and malformed files.

mod common;

use rust_decimal::Decimal;
use wharf_formats::{
    decode_expected_receipts, decode_receipt_advice, default_expected_receipt_layout,
    default_receipt_advice_layout, encode_expected_receipts, encode_receipt_advice, FormatError,
    Layout, DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML, DEFAULT_RECEIPT_ADVICE_LAYOUT_TOML,
};
use wharf_model::{
    Disposition, ExpectedReceipt, OrderLine, ReceiptAdvice, ReceiptKind, ReceivedLine,
};

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn order_line(line_no: u32, move_id: i64, sku: &str, quantity: &str) -> OrderLine {
    OrderLine {
        line_no,
        move_id,
        product_id: move_id + 1000,
        sku: sku.to_owned(),
        description: format!("Product {sku}"),
        quantity: decimal(quantity),
        uom: "Units".to_owned(),
        tracking: "none".to_owned(),
        reserved_lots: Vec::new(),
    }
}

/// A purchase receipt of two lines and a customer return of two serials.
fn expected_receipts() -> Vec<ExpectedReceipt> {
    let purchase = ExpectedReceipt {
        picking_id: 7,
        picking_name: "WH/IN/00007".to_owned(),
        kind: ReceiptKind::Purchase,
        origin: "P00012".to_owned(),
        partner: "Vendor A".to_owned(),
        scheduled_date: "2024-05-02 06:00:00".to_owned(),
        lines: vec![
            order_line(1, 70, "SKU-MILK", "10"),
            order_line(2, 71, "SKU-EGGS", "2.5"),
        ],
    };
    let mut serial_line = order_line(1, 80, "SKU-PHONE", "2");
    serial_line.description = "Phone, black".to_owned();
    serial_line.tracking = "serial".to_owned();
    serial_line.reserved_lots = vec!["SN-1".to_owned(), "SN-2".to_owned()];
    let returned = ExpectedReceipt {
        picking_id: 8,
        picking_name: "WH/IN/00008".to_owned(),
        kind: ReceiptKind::Return,
        origin: "WH/OUT/00042".to_owned(),
        partner: "Customer B".to_owned(),
        scheduled_date: "2024-05-03 14:30:00".to_owned(),
        lines: vec![serial_line],
    };
    vec![purchase, returned]
}

const EXPECTED_RECEIPTS_CSV: &str = "\
picking_id,picking_ref,kind,origin,partner,scheduled_date,line_no,move_id,product_id,sku,description,quantity,uom,tracking,lot
7,WH/IN/00007,purchase,P00012,Vendor A,2024-05-02T06:00:00+00:00,1,70,1070,SKU-MILK,Product SKU-MILK,10,Units,none,
7,WH/IN/00007,purchase,P00012,Vendor A,2024-05-02T06:00:00+00:00,2,71,1071,SKU-EGGS,Product SKU-EGGS,2.5,Units,none,
8,WH/IN/00008,return,WH/OUT/00042,Customer B,2024-05-03T14:30:00+00:00,1,80,1080,SKU-PHONE,\"Phone, black\",2,Units,serial,SN-1
8,WH/IN/00008,return,WH/OUT/00042,Customer B,2024-05-03T14:30:00+00:00,1,80,1080,SKU-PHONE,\"Phone, black\",2,Units,serial,SN-2
";

#[test]
fn presets_parse() {
    assert_eq!(
        Layout::from_toml(DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML).unwrap(),
        default_expected_receipt_layout()
    );
    assert_eq!(
        Layout::from_toml(DEFAULT_RECEIPT_ADVICE_LAYOUT_TOML).unwrap(),
        default_receipt_advice_layout()
    );
}

#[test]
fn expected_receipts_default_bytes() {
    let layout = default_expected_receipt_layout();

    let bytes = encode_expected_receipts(&layout, &expected_receipts()).unwrap();

    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        EXPECTED_RECEIPTS_CSV
    );
    let again = encode_expected_receipts(&layout, &expected_receipts()).unwrap();
    assert_eq!(bytes, again, "encoding is deterministic");
}

#[test]
fn expected_receipts_round_trip() {
    let layout = default_expected_receipt_layout();
    let bytes = encode_expected_receipts(&layout, &expected_receipts()).unwrap();

    let decoded = decode_expected_receipts(&layout, &bytes).unwrap();

    assert_eq!(decoded, expected_receipts());
    assert_eq!(decoded[1].lines.len(), 1, "serial records join one line");
    assert_eq!(decoded[1].lines[0].reserved_lots, ["SN-1", "SN-2"]);
}

#[test]
fn expected_receipt_without_lines_round_trips() {
    let layout = default_expected_receipt_layout();
    let mut receipts = expected_receipts();
    receipts[0].lines.clear();

    let bytes = encode_expected_receipts(&layout, &receipts).unwrap();
    let decoded = decode_expected_receipts(&layout, &bytes).unwrap();

    assert_eq!(decoded, receipts);
}

#[test]
fn expected_receipt_lots_in_split_column() {
    let text = DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML.replace(
        "{ name = \"lot\", field = \"lot\" }",
        "{ name = \"lots\", field = \"lot\", split = \"|\" }",
    );
    let layout = Layout::from_toml(&text).unwrap();

    let bytes = encode_expected_receipts(&layout, &expected_receipts()).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();

    assert_eq!(text.lines().count(), 4, "header and one record per line");
    assert!(text.lines().last().unwrap().ends_with(",serial,SN-1|SN-2"));
    assert_eq!(
        decode_expected_receipts(&layout, &bytes).unwrap(),
        expected_receipts()
    );
}

#[test]
fn expected_receipts_legacy_layout() {
    let layout = common::layout("legacy_expected_receipt_cp1252.toml");
    let mut receipts = expected_receipts();
    receipts[0].partner = "Müller GmbH".to_owned();
    receipts[0].lines[1].description = "Eier, grün".to_owned();

    let bytes = encode_expected_receipts(&layout, &receipts).unwrap();

    let expected: &[u8] = b"AVI;WH/IN/00007;BE;P00012;M\xfcller GmbH;02.05.2024 08:00;1;70;SKU-MILK;Product SKU-MILK;10;Units;\r\n\
AVI;WH/IN/00007;BE;P00012;M\xfcller GmbH;02.05.2024 08:00;2;71;SKU-EGGS;Eier, gr\xfcn;2,5;Units;\r\n\
AVI;WH/IN/00008;RT;WH/OUT/00042;Customer B;03.05.2024 16:30;1;80;SKU-PHONE;Phone, black;2;Units;SN-1\r\n\
AVI;WH/IN/00008;RT;WH/OUT/00042;Customer B;03.05.2024 16:30;1;80;SKU-PHONE;Phone, black;2;Units;SN-2\r\n";
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(bytes, expected);

    // The layout has neither a product_id nor a tracking column, so those
    // read back empty.
    let decoded = decode_expected_receipts(&layout, &bytes).unwrap();
    assert_eq!(decoded[0].lines[0].product_id, 0);
    assert_eq!(decoded[1].lines[0].tracking, "");
    for (receipt, original) in decoded.iter().zip(&receipts) {
        assert_eq!(receipt.partner, original.partner);
        assert_eq!(receipt.kind, original.kind);
        assert_eq!(receipt.scheduled_date, original.scheduled_date);
        let skus: Vec<&str> = receipt.lines.iter().map(|l| l.sku.as_str()).collect();
        let original_skus: Vec<&str> = original.lines.iter().map(|l| l.sku.as_str()).collect();
        assert_eq!(skus, original_skus);
    }
    assert_eq!(decoded[0].lines[1].quantity, decimal("2.5"));
    assert_eq!(decoded[0].lines[1].description, "Eier, grün");
    assert_eq!(decoded[1].lines[0].reserved_lots, ["SN-1", "SN-2"]);
}

#[test]
fn expected_receipt_unknown_kind() {
    let layout = common::layout("legacy_expected_receipt_cp1252.toml");
    let bytes =
        b"AVI;WH/IN/00007;XX;P00012;Vendor;02.05.2024 08:00;1;70;SKU-MILK;Milk;10;Units;\r\n";

    let error = decode_expected_receipts(&layout, bytes).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::InvalidValue { line: 1, .. }),
        "{message}"
    );
    assert!(message.contains("`XX`"), "{message}");
    assert!(message.contains("purchase, return"), "{message}");
    assert!(message.contains("(BE, RT)"), "{message}");
}

#[test]
fn expected_receipt_lot_quantity_mismatch() {
    let layout = default_expected_receipt_layout();
    let text = EXPECTED_RECEIPTS_CSV.replace(
        "\"Phone, black\",2,Units,serial,SN-2",
        "\"Phone, black\",3,Units,serial,SN-2",
    );

    let error = decode_expected_receipts(&layout, text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::InvalidValue { line: 5, .. }),
        "{message}"
    );
    assert!(message.contains("`3`"), "{message}");
    assert!(
        message.contains("line 1 of WH/IN/00008 (move 80) has quantity 2 on the record before"),
        "{message}"
    );
}

#[test]
fn expected_receipt_missing_kind() {
    let layout = default_expected_receipt_layout();
    let text = EXPECTED_RECEIPTS_CSV.replace(",purchase,", ",,");

    let error = decode_expected_receipts(&layout, text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::MissingValue { line: 2, .. }),
        "{message}"
    );
    assert!(message.contains("column `kind` (position 2)"), "{message}");
}

#[test]
fn expected_receipt_layout_needs_picking_ref() {
    let text = DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML
        .replace("{ name = \"picking_ref\", field = \"picking_ref\" },", "");
    let layout = Layout::from_toml(&text).unwrap();

    let error = encode_expected_receipts(&layout, &expected_receipts()).unwrap_err();

    assert!(matches!(error, FormatError::Layout { .. }), "{error}");
    assert!(error.to_string().contains("picking_ref"), "{error}");
}

/// A return advice of four serials, one with each disposition, in the
/// default layout.
const RETURN_ADVICE_CSV: &str = "\
picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition
WH/IN/00008,2024-05-03T09:15:00+02:00,1,80,SKU-PHONE,1,SN-1,,sealed,restock
WH/IN/00008,,2,80,SKU-PHONE,1,SN-2,,scratched screen,quarantine
WH/IN/00008,,3,81,SKU-CASE,1,SN-3,,water damage,scrap
WH/IN/00008,,4,82,SKU-CABLE,1,SN-4,,wrong item,return_to_vendor
";

fn received_line(source_line: u32, sku: &str, quantity: &str) -> ReceivedLine {
    ReceivedLine {
        source_line,
        sku: sku.to_owned(),
        move_id: None,
        quantity: decimal(quantity),
        lot: None,
        expiry_date: None,
        inspection: None,
        disposition: None,
    }
}

#[test]
fn return_advice_every_disposition() {
    let layout = default_receipt_advice_layout();

    let advices = decode_receipt_advice(&layout, RETURN_ADVICE_CSV.as_bytes()).unwrap();

    assert_eq!(advices.len(), 1);
    let advice = &advices[0];
    assert_eq!(advice.picking_ref, "WH/IN/00008");
    assert_eq!(advice.received_at.as_deref(), Some("2024-05-03T07:15:00Z"));
    let dispositions: Vec<Option<Disposition>> =
        advice.lines.iter().map(|line| line.disposition).collect();
    let expected: Vec<Option<Disposition>> = Disposition::ALL.into_iter().map(Some).collect();
    assert_eq!(dispositions, expected);
    let lots: Vec<&str> = advice
        .lines
        .iter()
        .filter_map(|l| l.lot.as_deref())
        .collect();
    assert_eq!(lots, ["SN-1", "SN-2", "SN-3", "SN-4"]);
    assert_eq!(
        advice.lines[1].inspection.as_deref(),
        Some("scratched screen")
    );
    assert_eq!(advice.lines[1].move_id, Some(80));
    assert_eq!(advice.lines[3].source_line, 5);
}

#[test]
fn return_advice_round_trip() {
    let layout = default_receipt_advice_layout();
    let advices = decode_receipt_advice(&layout, RETURN_ADVICE_CSV.as_bytes()).unwrap();

    let bytes = encode_receipt_advice(&layout, &advices).unwrap();

    // The time is written back in UTC, the layout's default zone.
    let expected =
        RETURN_ADVICE_CSV.replace("2024-05-03T09:15:00+02:00", "2024-05-03T07:15:00+00:00");
    let expected = expected.replace(",,2,80,", ",2024-05-03T07:15:00+00:00,2,80,");
    let expected = expected.replace(",,3,81,", ",2024-05-03T07:15:00+00:00,3,81,");
    let expected = expected.replace(",,4,82,", ",2024-05-03T07:15:00+00:00,4,82,");
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), expected);
    assert_eq!(decode_receipt_advice(&layout, &bytes).unwrap(), advices);
}

#[test]
fn purchase_advice_short_line_new_lot() {
    let layout = default_receipt_advice_layout();
    let text = "\
picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition
WH/IN/00007,2024-05-02T10:00:00+00:00,1,70,SKU-MILK,8,L-2405,2024-06-30,,
WH/IN/00007,2024-05-02T10:00:00+00:00,2,71,SKU-EGGS,0,,,,
";

    let advices = decode_receipt_advice(&layout, text.as_bytes()).unwrap();

    let mut milk = received_line(2, "SKU-MILK", "8");
    milk.move_id = Some(70);
    milk.lot = Some("L-2405".to_owned());
    milk.expiry_date = Some("2024-06-30".to_owned());
    let mut eggs = received_line(3, "SKU-EGGS", "0");
    eggs.move_id = Some(71);
    let expected = ReceiptAdvice {
        picking_ref: "WH/IN/00007".to_owned(),
        lines: vec![milk, eggs],
        received_at: Some("2024-05-02T10:00:00Z".to_owned()),
    };
    assert_eq!(advices, [expected]);
    assert!(advices[0].lines[1].quantity.is_zero());
    assert_eq!(
        encode_receipt_advice(&layout, &advices).unwrap(),
        text.as_bytes()
    );
}

#[test]
fn advice_groups_by_picking_in_file_order() {
    let layout = default_receipt_advice_layout();
    let text = "\
picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition
WH/IN/00009,,1,,SKU-A,1,,,,
WH/IN/00007,,1,,SKU-B,2,,,,
WH/IN/00009,2024-05-02T10:00:00+00:00,2,,SKU-C,3,,,,
";

    let advices = decode_receipt_advice(&layout, text.as_bytes()).unwrap();

    let refs: Vec<&str> = advices.iter().map(|a| a.picking_ref.as_str()).collect();
    assert_eq!(refs, ["WH/IN/00009", "WH/IN/00007"]);
    let skus: Vec<&str> = advices[0].lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-A", "SKU-C"]);
    assert_eq!(
        advices[0].received_at.as_deref(),
        Some("2024-05-02T10:00:00Z")
    );
    assert_eq!(advices[1].received_at, None);
}

/// A return advised by the legacy German WMS with its own disposition
/// codes, a decimal comma and an umlaut in Windows-1252.
const LEGACY_ADVICE: &[u8] =
    b"WE;WH/IN/00008;03.05.2024 09:15:00;1;80;SKU-PHONE.OS;1;SN-1;-;ungeoeffnet;RS\r\n\
WE;WH/IN/00008;03.05.2024 09:15:00;2;81;SKU-CASE.OS;1;SN-2;-;Kratzer;QC\r\n\
WE;WH/IN/00008;03.05.2024 09:15:00;3;82;SKU-JUICE.OS;1,5;L-7;31.12.2024;besch\xe4digt;SC\r\n\
WE;WH/IN/00008;03.05.2024 09:15:00;4;83;SKU-CABLE.OS;0,25;-;-;falscher Artikel;RTV\r\n";

#[test]
fn legacy_advice_value_maps() {
    let layout = common::layout("legacy_receipt_advice_cp1252.toml");

    let advices = decode_receipt_advice(&layout, LEGACY_ADVICE).unwrap();

    let advice = &advices[0];
    assert_eq!(advice.received_at.as_deref(), Some("2024-05-03T07:15:00Z"));
    let dispositions: Vec<Option<Disposition>> =
        advice.lines.iter().map(|line| line.disposition).collect();
    let expected: Vec<Option<Disposition>> = Disposition::ALL.into_iter().map(Some).collect();
    assert_eq!(dispositions, expected);
    assert_eq!(advice.lines[0].sku, "SKU-PHONE");
    assert_eq!(advice.lines[2].quantity, decimal("1.5"));
    assert_eq!(advice.lines[2].expiry_date.as_deref(), Some("2024-12-31"));
    assert_eq!(advice.lines[2].inspection.as_deref(), Some("beschädigt"));
    assert_eq!(advice.lines[3].quantity, decimal("0.25"));
    assert_eq!(advice.lines[3].lot, None);
}

#[test]
fn legacy_advice_bytes_round_trip() {
    let layout = common::layout("legacy_receipt_advice_cp1252.toml");
    let advices = decode_receipt_advice(&layout, LEGACY_ADVICE).unwrap();

    let bytes = encode_receipt_advice(&layout, &advices).unwrap();

    // Empty values are written empty, not as the `-` placeholder.
    let expected = String::from_utf8_lossy(LEGACY_ADVICE).replace(";-", ";");
    assert_eq!(String::from_utf8_lossy(&bytes), expected);
    assert!(
        bytes.windows(2).any(|pair| pair == b"\xe4d"),
        "ä is one byte"
    );
    assert_eq!(decode_receipt_advice(&layout, &bytes).unwrap(), advices);
}

#[test]
fn advice_unknown_disposition() {
    let layout = common::layout("legacy_receipt_advice_cp1252.toml");
    let bytes = b"WE;WH/IN/00008;03.05.2024 09:15:00;1;80;SKU-PHONE.OS;1;SN-1;-;ok;XX\r\n";

    let error = decode_receipt_advice(&layout, bytes).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::InvalidValue { line: 1, .. }),
        "{message}"
    );
    assert!(message.contains("column at position 10"), "{message}");
    assert!(message.contains("`XX`"), "{message}");
    assert!(
        message.contains("restock, quarantine, scrap, return_to_vendor"),
        "{message}"
    );
    assert!(message.contains("(QC, RS, RTV, SC)"), "{message}");
}

#[test]
fn advice_unknown_disposition_without_map() {
    let layout = default_receipt_advice_layout();
    let text = RETURN_ADVICE_CSV.replace(",restock", ",RS");

    let error = decode_receipt_advice(&layout, text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        message.starts_with("line 2, column `disposition` (position 9)"),
        "{message}"
    );
    assert!(
        message.contains("add a `map` to the disposition column"),
        "{message}"
    );
}

#[test]
fn advice_negative_quantity() {
    let layout = default_receipt_advice_layout();
    let text = RETURN_ADVICE_CSV.replace("SKU-PHONE,1,SN-2", "SKU-PHONE,-1,SN-2");

    let error = decode_receipt_advice(&layout, text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::InvalidValue { line: 3, .. }),
        "{message}"
    );
    assert!(
        message.starts_with("line 3, column `quantity` (position 5)"),
        "{message}"
    );
    assert!(message.contains("`-1`"), "{message}");
    assert!(message.contains("cannot be negative"), "{message}");
}

#[test]
fn advice_negative_quantity_unwritable() {
    let layout = default_receipt_advice_layout();
    let mut advices = decode_receipt_advice(&layout, RETURN_ADVICE_CSV.as_bytes()).unwrap();
    advices[0].lines[2].quantity = decimal("-2");

    let error = encode_receipt_advice(&layout, &advices).unwrap_err();

    assert!(matches!(error, FormatError::Unwritable { .. }), "{error}");
    assert!(
        error.to_string().contains("line 3 of WH/IN/00008"),
        "{error}"
    );
}

#[test]
fn advice_missing_picking_ref() {
    let layout = default_receipt_advice_layout();
    let text = RETURN_ADVICE_CSV.replace("WH/IN/00008,,3,", ",,3,");

    let error = decode_receipt_advice(&layout, text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::MissingValue { line: 4, .. }),
        "{message}"
    );
    assert!(
        message.starts_with("line 4, column `picking_ref` (position 0): picking_ref is empty"),
        "{message}"
    );
}

#[test]
fn advice_line_values_without_sku() {
    let layout = default_receipt_advice_layout();
    let text = RETURN_ADVICE_CSV.replace("SKU-CASE,1,SN-3", ",,SN-3");

    let error = decode_receipt_advice(&layout, text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::MissingValue { line: 4, .. }),
        "{message}"
    );
    assert!(message.contains("column `sku`"), "{message}");
}

#[test]
fn advice_invalid_received_at() {
    let layout = default_receipt_advice_layout();
    let text = RETURN_ADVICE_CSV.replace("2024-05-03T09:15:00+02:00", "03.05.2024");

    let error = decode_receipt_advice(&layout, text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        message.starts_with("line 2, column `received_at` (position 1)"),
        "{message}"
    );
    assert!(message.contains("`03.05.2024`"), "{message}");
    assert!(message.contains("%Y-%m-%dT%H:%M:%S%:z"), "{message}");
}

#[test]
fn pal_receipt_confirm_decodes() {
    let layout = common::layout("pal_receipt_confirm.toml");

    let advices = decode_receipt_advice(
        &layout,
        &common::sample("wms_semicolon_pal_receipt_confirm.txt"),
    )
    .unwrap();

    let mut red_m = received_line(1, "SKU-RED-M", "10.0");
    red_m.move_id = Some(9001);
    let mut red_l = received_line(2, "SKU-RED-L", "4.0");
    red_l.move_id = Some(9002);
    let expected = ReceiptAdvice {
        picking_ref: "815".to_owned(),
        lines: vec![red_m, red_l],
        received_at: None,
    };
    assert_eq!(advices, [expected]);
    assert_eq!(advices[0].lines[1].quantity.to_string(), "4.0");
}
