//! Inventory movement and snapshot files: round trips, every field, legacy
//! layouts with codes, decimal commas and Windows-1252, and malformed files.
//!
//! No public inventory sample in fixtures/samples is a delimited file (the
//! X12 846 and EDIFACT INVRPT ones are other formats), so the legacy files
//! here are built in the tests.

mod common;

use rust_decimal::Decimal;
use wharf_formats::{
    decode_confirmations, decode_movements, decode_snapshot, decode_snapshot_with,
    default_movement_layout, default_snapshot_layout, encode_movements, encode_snapshot,
    FormatError, Layout,
};
use wharf_model::{InventoryMovement, MovementKind, SnapshotRow};

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn movement(line: u32, reference: &str, kind: MovementKind, quantity: &str) -> InventoryMovement {
    InventoryMovement {
        source_line: line,
        movement_ref: reference.to_owned(),
        kind,
        location: "A-01-01".to_owned(),
        to_location: None,
        sku: "SKU-RED-M".to_owned(),
        lot: None,
        expiry_date: None,
        quantity: decimal(quantity),
        unit: None,
        reason: None,
        occurred_at: None,
    }
}

/// Builds one movement of each kind, with every optional field used somewhere.
fn movements() -> Vec<InventoryMovement> {
    let mut count = movement(2, "M-1", MovementKind::CycleCount, "12");
    count.occurred_at = Some("2024-05-01T08:30:00Z".to_owned());
    let mut adjustment = movement(3, "M-2", MovementKind::Adjustment, "-0.583");
    adjustment.reason = Some("DMG".to_owned());
    adjustment.unit = Some("KG".to_owned());
    let mut scrap = movement(4, "M-3", MovementKind::Scrap, "1.5");
    scrap.lot = Some("L-100".to_owned());
    scrap.expiry_date = Some("2025-02-28".to_owned());
    scrap.reason = Some("EXPIRED".to_owned());
    let mut status = movement(5, "M-4", MovementKind::StatusChange, "0.25");
    status.to_location = Some("QUARANTINE".to_owned());
    status.unit = Some("CS".to_owned());
    status.occurred_at = Some("2024-05-01T23:59:59Z".to_owned());
    vec![count, adjustment, scrap, status]
}

fn snapshot_row(line: u32, location: &str, sku: &str, quantity: &str) -> SnapshotRow {
    SnapshotRow {
        source_line: line,
        location: location.to_owned(),
        sku: sku.to_owned(),
        lot: None,
        expiry_date: None,
        quantity: decimal(quantity),
        unit: None,
    }
}

fn snapshot_rows() -> Vec<SnapshotRow> {
    let mut lotted = snapshot_row(3, "A-01-02", "LOTTED", "0.583");
    lotted.lot = Some("L-100".to_owned());
    lotted.expiry_date = Some("2025-02-28".to_owned());
    lotted.unit = Some("CS".to_owned());
    vec![
        snapshot_row(2, "A-01-01", "PLAIN", "120"),
        lotted,
        snapshot_row(4, "QUARANTINE", "PLAIN", "-2"),
    ]
}

#[test]
fn movements_round_trip_default_layout() {
    let layout = default_movement_layout();

    let bytes = encode_movements(&layout, &movements()).unwrap();
    let decoded = decode_movements(&layout, &bytes).unwrap();

    assert_eq!(decoded, movements());
    assert_eq!(encode_movements(&layout, &decoded).unwrap(), bytes);
}

#[test]
fn movement_fields_from_default_text() {
    let text = "movement_ref,kind,location,to_location,sku,lot,expiry_date,quantity,unit,reason,occurred_at\n\
                M-9,status_change,A-01,QUARANTINE,SKU-1,L-7,2025-01-31,0.583,CS,QC,2024-05-01T10:30:00+02:00\n";

    let decoded = decode_movements(&default_movement_layout(), text.as_bytes()).unwrap();

    assert_eq!(decoded.len(), 1);
    let movement = &decoded[0];
    assert_eq!(movement.source_line, 2);
    assert_eq!(movement.movement_ref, "M-9");
    assert_eq!(movement.kind, MovementKind::StatusChange);
    assert_eq!(movement.location, "A-01");
    assert_eq!(movement.to_location.as_deref(), Some("QUARANTINE"));
    assert_eq!(movement.sku, "SKU-1");
    assert_eq!(movement.lot.as_deref(), Some("L-7"));
    assert_eq!(movement.expiry_date.as_deref(), Some("2025-01-31"));
    assert_eq!(movement.quantity, decimal("0.583"));
    assert_eq!(movement.quantity.to_string(), "0.583");
    assert_eq!(movement.unit.as_deref(), Some("CS"));
    assert_eq!(movement.reason.as_deref(), Some("QC"));
    assert_eq!(
        movement.occurred_at.as_deref(),
        Some("2024-05-01T08:30:00Z")
    );
}

/// Builds a legacy export: Windows-1252 (`é` is byte 0xE9), CRLF, decimal comma,
/// the WMS's kind codes and Berlin local times.
fn legacy_movement_bytes() -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"HDR;MOVEMENTS;20240501\r\n");
    bytes.extend_from_slice(b"MOV;7001;CC;a-01;-;SKU-1.OS;-;-;12;EA;-;01.05.2024 10:30:00\r\n");
    bytes.extend_from_slice(
        b"MOV;7002;ADJ;A-02;-;SKU-2.OS;L-1;28.02.2025;-1,5;KG;cass\xE9;01.05.2024 10:31:00\r\n",
    );
    bytes.extend_from_slice(b"MOV;7003;SCR;A-02;-;SKU-2.OS;L-1;28.02.2025;0,583;KG;DMG;-\r\n");
    bytes.extend_from_slice(
        b"MOV;7004;STS;A-03;QUARANTINE;SKU-3.OS;-;-;2;EA;QC;31.10.2024 23:00:00\r\n",
    );
    bytes.extend_from_slice(b"TRL;4\r\n");
    bytes
}

#[test]
fn legacy_movements_decode() {
    let layout = common::layout("legacy_movements_cp1252.toml");

    let decoded = decode_movements(&layout, &legacy_movement_bytes()).unwrap();

    let kinds: Vec<MovementKind> = decoded.iter().map(|movement| movement.kind).collect();
    assert_eq!(
        kinds,
        [
            MovementKind::CycleCount,
            MovementKind::Adjustment,
            MovementKind::Scrap,
            MovementKind::StatusChange,
        ]
    );
    let lines: Vec<u32> = decoded
        .iter()
        .map(|movement| movement.source_line)
        .collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert_eq!(decoded[0].location, "A-01");
    assert_eq!(decoded[0].sku, "SKU-1");
    assert_eq!(decoded[0].lot, None);
    assert_eq!(decoded[0].reason, None);
    // 10:30 in Berlin in May is summer time, two hours ahead of UTC.
    assert_eq!(
        decoded[0].occurred_at.as_deref(),
        Some("2024-05-01T08:30:00Z")
    );
    assert_eq!(decoded[1].quantity, decimal("-1.5"));
    assert_eq!(decoded[1].reason.as_deref(), Some("cassé"));
    assert_eq!(decoded[1].expiry_date.as_deref(), Some("2025-02-28"));
    assert_eq!(decoded[2].quantity.to_string(), "0.583");
    assert_eq!(decoded[2].occurred_at, None);
    assert_eq!(decoded[3].to_location.as_deref(), Some("QUARANTINE"));
    // 23:00 on 31 October in Berlin is winter time, one hour ahead of UTC.
    assert_eq!(
        decoded[3].occurred_at.as_deref(),
        Some("2024-10-31T22:00:00Z")
    );
}

#[test]
fn legacy_movements_encode_codes() {
    let layout = common::layout("legacy_movements_cp1252.toml");
    let decoded = decode_movements(&layout, &legacy_movement_bytes()).unwrap();

    let bytes = encode_movements(&layout, &decoded).unwrap();

    // The header and trailer records are not movements, so they are not
    // written back; empty values are written empty, not as the placeholder.
    let mut expected = Vec::new();
    expected.extend_from_slice(b"MOV;7001;CC;A-01;;SKU-1.OS;;;12;EA;;01.05.2024 10:30:00\r\n");
    expected.extend_from_slice(
        b"MOV;7002;ADJ;A-02;;SKU-2.OS;L-1;28.02.2025;-1,5;KG;cass\xE9;01.05.2024 10:31:00\r\n",
    );
    expected.extend_from_slice(b"MOV;7003;SCR;A-02;;SKU-2.OS;L-1;28.02.2025;0,583;KG;DMG;\r\n");
    expected.extend_from_slice(
        b"MOV;7004;STS;A-03;QUARANTINE;SKU-3.OS;;;2;EA;QC;31.10.2024 23:00:00\r\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(bytes, expected);

    // Without the header record every movement moves up one line.
    let again = decode_movements(&layout, &bytes).unwrap();
    let shifted: Vec<InventoryMovement> = decoded
        .into_iter()
        .map(|movement| InventoryMovement {
            source_line: movement.source_line - 1,
            ..movement
        })
        .collect();
    assert_eq!(again, shifted);
}

#[test]
fn map_writes_first_sorted_code() {
    let layout = Layout::from_toml(
        r#"
        columns = [
            { name = "ref", field = "movement_ref" },
            { name = "type", field = "kind", map = { INV = "cycle_count", CC = "cycle_count", ADJ = "adjustment" } },
            { name = "loc", field = "location" },
            { name = "sku", field = "sku" },
            { name = "qty", field = "quantity" },
        ]
        "#,
    )
    .unwrap();
    let input = "ref,type,loc,sku,qty\nM-1,INV,A,S,1\nM-2,CC,A,S,2\nM-3,scrap,A,S,3\n";

    let decoded = decode_movements(&layout, input.as_bytes()).unwrap();
    let bytes = encode_movements(&layout, &decoded).unwrap();

    assert_eq!(decoded[0].kind, MovementKind::CycleCount);
    assert_eq!(decoded[1].kind, MovementKind::CycleCount);
    assert_eq!(decoded[2].kind, MovementKind::Scrap);
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "ref,type,loc,sku,qty\nM-1,CC,A,S,1\nM-2,CC,A,S,2\nM-3,scrap,A,S,3\n"
    );
}

#[test]
fn map_rejected_for_confirmations() {
    let layout = Layout::from_toml(
        r#"
        columns = [{ name = "ref", field = "picking_ref", map = { X = "Y" } }]
        "#,
    )
    .unwrap();

    let error = decode_confirmations(&layout, b"ref\nX\n").unwrap_err();

    assert!(matches!(error, FormatError::Layout { .. }), "{error}");
    assert!(error.to_string().contains("`map`"), "{error}");
}

fn movement_error(rows: &str) -> FormatError {
    let text = format!(
        "movement_ref,kind,location,to_location,sku,lot,expiry_date,quantity,unit,reason,occurred_at\n{rows}"
    );
    decode_movements(&default_movement_layout(), text.as_bytes()).unwrap_err()
}

#[test]
fn unknown_kind_names_line_value_and_map() {
    let error = movement_error("M-1,scrap,A,,S,,,1,,,\nM-2,CC,A,,S,,,1,,,\n");

    let message = error.to_string();
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("column `kind`"), "{message}");
    assert!(message.contains("`CC`"), "{message}");
    assert!(message.contains("cycle_count"), "{message}");
    assert!(message.contains("add a `map`"), "{message}");
}

#[test]
fn negative_scrap_is_invalid() {
    let error = movement_error("M-1,scrap,A,,S,,,-2,,,\n");

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::InvalidValue { line: 2, .. }),
        "{message}"
    );
    assert!(message.contains("`-2`"), "{message}");
    assert!(
        message.contains("only an adjustment is signed"),
        "{message}"
    );
}

#[test]
fn status_change_needs_target() {
    let error = movement_error("M-1,status_change,A,,S,,,2,,,\n");

    assert!(
        matches!(&error, FormatError::MissingValue { line: 2, field, .. } if field == "to_location"),
        "{error}"
    );
}

#[test]
fn missing_movement_ref_is_reported() {
    let error = movement_error("M-1,adjustment,A,,S,,,2,,,\n,adjustment,A,,S,,,2,,,\n");

    assert!(
        matches!(&error, FormatError::MissingValue { line: 3, field, .. } if field == "movement_ref"),
        "{error}"
    );
    assert!(error.to_string().contains("must give a value"), "{error}");
}

#[test]
fn bad_time_names_format() {
    let error = movement_error("M-1,adjustment,A,,S,,,2,,,2024-05-01 10:30\n");

    let message = error.to_string();
    assert!(message.contains("column `occurred_at`"), "{message}");
    assert!(message.contains("%Y-%m-%dT%H:%M:%S%:z"), "{message}");
}

#[test]
fn dot_in_decimal_comma_layout() {
    let layout = common::layout("legacy_movements_cp1252.toml");
    let bytes = b"MOV;1;ADJ;A;-;S;-;-;1.5;EA;-;-\r\n";

    let error = decode_movements(&layout, bytes).unwrap_err();

    let message = error.to_string();
    assert!(message.contains("position 8"), "{message}");
    assert!(message.contains("`1.5`"), "{message}");
    assert!(message.contains("decimal_separator"), "{message}");
}

#[test]
fn short_record_names_counts() {
    let error = movement_error("M-1,adjustment,A,,S,,,2\n");

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
}

#[test]
fn snapshot_round_trip_default_layout() {
    let layout = default_snapshot_layout();

    let bytes = encode_snapshot(&layout, "2024-05-01T22:00:00Z", &snapshot_rows()).unwrap();
    let decoded = decode_snapshot(&layout, &bytes).unwrap();

    assert_eq!(decoded.taken_at.as_deref(), Some("2024-05-01T22:00:00Z"));
    assert_eq!(decoded.rows, snapshot_rows());
    let again = encode_snapshot(&layout, "2024-05-01T22:00:00Z", &decoded.rows).unwrap();
    assert_eq!(again, bytes);
}

#[test]
fn snapshot_fields_and_zone() {
    let mut layout = default_snapshot_layout();
    layout.time_zone = Some("Asia/Tokyo".to_owned());
    layout.datetime_format = "%Y-%m-%d %H:%M:%S".to_owned();

    let bytes = encode_snapshot(&layout, "2024-05-01T15:00:00Z", &snapshot_rows()).unwrap();

    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        "location,sku,lot,expiry_date,quantity,unit,taken_at\n\
         A-01-01,PLAIN,,,120,,2024-05-02 00:00:00\n\
         A-01-02,LOTTED,L-100,2025-02-28,0.583,CS,2024-05-02 00:00:00\n\
         QUARANTINE,PLAIN,,,-2,,2024-05-02 00:00:00\n"
    );
}

/// Builds a French balance export: Windows-1252 header (`é` is 0xE9), decimal
/// comma, the WMS's unit codes and Paris local time.
fn legacy_snapshot_bytes() -> Vec<u8> {
    let mut bytes = b"Emplacement;Article;Lot;DLUO;Quantit\xE9;Unit\xE9;Date stock\r\n".to_vec();
    bytes.extend_from_slice(b"A-01;CAF\xC9-250;;;1,5;CT;01/05/2024 23:00\r\n");
    bytes.extend_from_slice(b"A-02;TH\xC9-100;L-9;28/02/2025;-0,583;UN;01/05/2024 23:00\r\n");
    bytes
}

#[test]
fn legacy_snapshot_decodes() {
    let layout = common::layout("legacy_snapshot_semicolon.toml");

    let decoded = decode_snapshot(&layout, &legacy_snapshot_bytes()).unwrap();

    assert_eq!(decoded.taken_at.as_deref(), Some("2024-05-01T21:00:00Z"));
    assert_eq!(decoded.rows.len(), 2);
    assert_eq!(decoded.rows[0].sku, "CAFÉ-250");
    assert_eq!(decoded.rows[0].quantity.to_string(), "1.5");
    assert_eq!(decoded.rows[0].unit.as_deref(), Some("CS"));
    assert_eq!(decoded.rows[1].sku, "THÉ-100");
    assert_eq!(decoded.rows[1].lot.as_deref(), Some("L-9"));
    assert_eq!(decoded.rows[1].expiry_date.as_deref(), Some("2025-02-28"));
    assert_eq!(decoded.rows[1].quantity.to_string(), "-0.583");
    assert_eq!(decoded.rows[1].unit.as_deref(), Some("EA"));
}

#[test]
fn legacy_snapshot_encodes_same_bytes() {
    let layout = common::layout("legacy_snapshot_semicolon.toml");
    let decoded = decode_snapshot(&layout, &legacy_snapshot_bytes()).unwrap();
    let taken_at = decoded.taken_at.clone().unwrap();

    let bytes = encode_snapshot(&layout, &taken_at, &decoded.rows).unwrap();

    assert_eq!(bytes, legacy_snapshot_bytes());
}

#[test]
fn taken_at_mismatch_names_both_lines() {
    let text = "location,sku,lot,expiry_date,quantity,unit,taken_at\n\
                A,S1,,,1,,2024-05-01T22:00:00+00:00\n\
                A,S2,,,1,,2024-05-02T00:00:00+02:00\n\
                A,S3,,,1,,2024-05-01T22:05:00+00:00\n";

    let error = decode_snapshot(&default_snapshot_layout(), text.as_bytes()).unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, FormatError::InvalidValue { line: 4, .. }),
        "{message}"
    );
    assert!(message.contains("column `taken_at`"), "{message}");
    assert!(message.contains("`2024-05-01T22:05:00+00:00`"), "{message}");
    assert!(
        message.contains("`2024-05-01T22:00:00+00:00` on line 2"),
        "{message}"
    );
}

#[test]
fn taken_at_empty_on_a_record() {
    let text = "location,sku,lot,expiry_date,quantity,unit,taken_at\n\
                A,S1,,,1,,2024-05-01T22:00:00+00:00\n\
                A,S2,,,1,,\n";

    let error = decode_snapshot(&default_snapshot_layout(), text.as_bytes()).unwrap_err();

    assert!(
        matches!(&error, FormatError::MissingValue { line: 3, field, .. } if field == "taken_at"),
        "{error}"
    );
}

#[test]
fn snapshot_without_taken_at_column() {
    let layout = Layout::from_toml(
        r#"
        columns = [
            { name = "loc", field = "location" },
            { name = "sku", field = "sku" },
            { name = "qty", field = "quantity" },
        ]
        "#,
    )
    .unwrap();

    let decoded = decode_snapshot(&layout, b"loc,sku,qty\nA,S,-3\n").unwrap();

    assert_eq!(decoded.taken_at, None);
    assert_eq!(decoded.rows, [snapshot_row(2, "A", "S", "-3")]);
}

#[test]
fn snapshot_missing_quantity() {
    let text = "location,sku,lot,expiry_date,quantity,unit,taken_at\n\
                A,S1,,,,,2024-05-01T22:00:00+00:00\n";

    let error = decode_snapshot(&default_snapshot_layout(), text.as_bytes()).unwrap_err();

    assert!(
        matches!(&error, FormatError::MissingValue { line: 2, field, .. } if field == "quantity"),
        "{error}"
    );
}

#[test]
fn snapshot_rejects_bad_taken_at() {
    let error =
        encode_snapshot(&default_snapshot_layout(), "yesterday", &snapshot_rows()).unwrap_err();

    assert!(
        matches!(&error, FormatError::Unwritable { field, value, .. } if field == "taken_at" && value == "yesterday"),
        "{error}"
    );
}

#[test]
fn streaming_equals_vec_decode() {
    let layout = default_snapshot_layout();
    let rows: Vec<SnapshotRow> = (0..500u32)
        .map(|index| {
            let mut row = snapshot_row(
                index + 2,
                &format!("A-{:02}", index % 7),
                &format!("SKU-{index}"),
                &format!("{}.{}", index, index % 1000),
            );
            row.lot = (index % 3 == 0).then(|| format!("L-{index}"));
            row.expiry_date = (index % 3 == 0).then(|| "2025-02-28".to_owned());
            row
        })
        .collect();
    let bytes = encode_snapshot(&layout, "2024-05-01T22:00:00Z", &rows).unwrap();

    let mut streamed = Vec::new();
    let taken_at = decode_snapshot_with(&layout, &bytes, |row| {
        streamed.push(row);
        Ok::<(), FormatError>(())
    })
    .unwrap();
    let decoded = decode_snapshot(&layout, &bytes).unwrap();

    assert_eq!(taken_at, decoded.taken_at);
    assert_eq!(streamed, decoded.rows);
    assert_eq!(decoded.rows, rows);
}

#[derive(Debug)]
enum StreamError {
    Format(FormatError),
    Full,
}

impl From<FormatError> for StreamError {
    fn from(error: FormatError) -> Self {
        StreamError::Format(error)
    }
}

#[test]
fn streaming_stops_at_callback_error() {
    let layout = default_snapshot_layout();
    let bytes = encode_snapshot(&layout, "2024-05-01T22:00:00Z", &snapshot_rows()).unwrap();

    let mut seen = 0;
    let result = decode_snapshot_with(&layout, &bytes, |_| {
        seen += 1;
        if seen == 2 {
            Err(StreamError::Full)
        } else {
            Ok(())
        }
    });

    assert!(matches!(result, Err(StreamError::Full)), "{result:?}");
    assert_eq!(seen, 2);
}

#[test]
fn streaming_reports_file_error() {
    let text =
        "location,sku,lot,expiry_date,quantity,unit,taken_at\nA,S,,,x,,2024-05-01T22:00:00+00:00\n";

    let result = decode_snapshot_with(&default_snapshot_layout(), text.as_bytes(), |_| {
        Ok::<(), StreamError>(())
    });

    assert!(
        matches!(
            result,
            Err(StreamError::Format(FormatError::InvalidValue {
                line: 2,
                ..
            }))
        ),
        "{result:?}"
    );
}
