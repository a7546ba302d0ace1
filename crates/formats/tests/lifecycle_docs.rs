//! Progress, order change and change answer files: round trips with the
//! built-in layouts, cancels and multi-line amendments, the warehouse's own
//! codes through `map`, Windows-1252 and decimal comma layouts, and
//! malformed files.

mod common;

use rust_decimal::Decimal;
use wharf_formats::{
    decode_change_answers, decode_changes, decode_progress, default_change_answer_layout,
    default_change_layout, default_progress_layout, encode_change_answers, encode_changes,
    encode_progress, FormatError, Layout, CHANGE_ANSWER_FIELDS, CHANGE_FIELDS, PROGRESS_FIELDS,
};
use wharf_model::{ChangeAnswer, ChangeKind, ChangeOutcome, OrderChange, OrderLine, ProgressEvent};

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn progress(line: u32, picking: &str, status: &str) -> ProgressEvent {
    ProgressEvent {
        source_line: line,
        picking_ref: picking.to_owned(),
        status_code: status.to_owned(),
        occurred_at: None,
        note: None,
    }
}

fn order_line(line_no: u32, move_id: i64, sku: &str, quantity: &str) -> OrderLine {
    OrderLine {
        line_no,
        move_id,
        product_id: 0,
        sku: sku.to_owned(),
        description: format!("{sku} description"),
        quantity: decimal(quantity),
        uom: "Units".to_owned(),
        tracking: String::new(),
        reserved_lots: Vec::new(),
    }
}

fn cancel(picking_id: i64, picking: &str) -> OrderChange {
    OrderChange {
        picking_id,
        picking_name: picking.to_owned(),
        order_name: format!("S{picking_id:05}"),
        kind: ChangeKind::Cancel,
        reason: "customer cancelled".to_owned(),
        lines: Vec::new(),
    }
}

/// Builds an amendment with three lines: a description with the delimiter,
/// a fractional quantity and an integer one.
fn amendment(picking_id: i64, picking: &str) -> OrderChange {
    let mut first = order_line(1, 501, "SKU-1", "2.000");
    first.description = "Shirt, red".to_owned();
    let mut second = order_line(2, 502, "SKU-2", "0.5");
    second.uom = "kg".to_owned();
    OrderChange {
        picking_id,
        picking_name: picking.to_owned(),
        order_name: format!("S{picking_id:05}"),
        kind: ChangeKind::Amend,
        reason: "quantity reduced".to_owned(),
        lines: vec![first, second, order_line(3, 503, "SKU-3", "1")],
    }
}

fn answer(line: u32, picking: &str, kind: ChangeKind, outcome: ChangeOutcome) -> ChangeAnswer {
    ChangeAnswer {
        source_line: line,
        picking_ref: picking.to_owned(),
        kind,
        outcome,
        detail: None,
        occurred_at: None,
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

fn progress_layout_with(extra_column: &str) -> Layout {
    Layout::from_toml(&format!(
        r#"columns = [
            {{ name = "picking_ref", field = "picking_ref" }},
            {{ name = "status_code", field = "status_code" }},
            {extra_column}
        ]"#
    ))
    .unwrap()
}

// Progress files.

#[test]
fn progress_default_round_trip() {
    let mut picked = progress(2, "WH/OUT/00042", "PICKED");
    picked.occurred_at = Some("2024-05-01T08:30:00Z".to_owned());
    picked.note = Some("wave 7, dock B".to_owned());
    let events = vec![picked, progress(3, "WH/OUT/00043", "PACKED")];

    let bytes = encode_progress(&default_progress_layout(), &events).unwrap();

    assert_eq!(
        text(&bytes),
        "picking_ref,status_code,occurred_at,note\n\
         WH/OUT/00042,PICKED,2024-05-01T08:30:00+00:00,\"wave 7, dock B\"\n\
         WH/OUT/00043,PACKED,,\n"
    );
    assert_eq!(
        decode_progress(&default_progress_layout(), &bytes).unwrap(),
        events
    );
}

#[test]
fn progress_encoding_is_deterministic() {
    let mut event = progress(2, "WH/OUT/00042", "PICKED");
    event.occurred_at = Some("2024-05-01T08:30:00Z".to_owned());
    let events = vec![event];

    let first = encode_progress(&default_progress_layout(), &events).unwrap();
    let second = encode_progress(&default_progress_layout(), &events).unwrap();

    assert_eq!(first, second);
}

#[test]
fn progress_time_with_offset_becomes_utc() {
    let file = "picking_ref,status_code,occurred_at,note\n\
                WH/OUT/00042,LOADED,2024-05-01T10:30:00+02:00,\n";

    let events = decode_progress(&default_progress_layout(), file.as_bytes()).unwrap();

    assert_eq!(
        events[0].occurred_at.as_deref(),
        Some("2024-05-01T08:30:00Z")
    );
    assert_eq!(events[0].note, None);
}

#[test]
fn progress_legacy_windows_1252_with_codes() {
    let layout = common::layout("legacy_progress_cp1252.toml");
    // `ü` is byte 0xFC in Windows-1252. The `END` trailer is not a status record.
    let file: &[u8] = b"STA;WH/OUT/00042;K;01.05.2024 10:30:00;Tor S\xfcd\r\n\
                        STA;WH/OUT/00043;X9;01.12.2024 10:30:00;-\r\n\
                        END;2;;;\r\n";

    let events = decode_progress(&layout, file).unwrap();

    assert_eq!(events.len(), 2);
    assert_eq!(events[0].status_code, "picked");
    assert_eq!(events[0].note.as_deref(), Some("Tor Süd"));
    // Berlin is two hours ahead of UTC in May and one hour in December.
    assert_eq!(
        events[0].occurred_at.as_deref(),
        Some("2024-05-01T08:30:00Z")
    );
    assert_eq!(
        events[1].occurred_at.as_deref(),
        Some("2024-12-01T09:30:00Z")
    );
    // A code without a `map` entry passes unchanged.
    assert_eq!(events[1].status_code, "X9");
    assert_eq!(events[1].note, None);

    let written = encode_progress(&layout, &events).unwrap();
    assert_eq!(
        written,
        b"STA;WH/OUT/00042;K;01.05.2024 10:30:00;Tor S\xfcd\r\n\
          STA;WH/OUT/00043;X9;01.12.2024 10:30:00;\r\n"
    );
}

#[test]
fn progress_missing_picking_reference() {
    let file = "picking_ref,status_code,occurred_at,note\n\
                WH/OUT/00042,PICKED,,\n\
                ,PACKED,,\n";

    let error = decode_progress(&default_progress_layout(), file.as_bytes()).unwrap_err();

    assert!(
        matches!(&error, FormatError::MissingValue { line: 3, field, .. } if field == "picking_ref"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "line 3, column `picking_ref` (position 0): picking_ref is empty; the file must give a value here"
    );
}

#[test]
fn progress_invalid_time_names_the_value() {
    let layout = common::layout("legacy_progress_cp1252.toml");
    let file = b"STA;WH/OUT/00042;K;2024-05-01 10:30;\r\n";

    let error = decode_progress(&layout, file).unwrap_err().to_string();

    assert!(
        error.starts_with(
            "line 1, column at position 3: invalid occurred_at value `2024-05-01 10:30`"
        ),
        "{error}"
    );
    assert!(error.contains("%d.%m.%Y %H:%M:%S"), "{error}");
}

#[test]
fn progress_encode_rejects_empty_reference() {
    let events = vec![progress(0, " ", "PICKED")];

    let error = encode_progress(&default_progress_layout(), &events).unwrap_err();

    assert!(
        matches!(&error, FormatError::Unwritable { field, .. } if field == "picking_ref"),
        "{error:?}"
    );
}

#[test]
fn progress_layout_needs_status_column() {
    let layout =
        Layout::from_toml(r#"columns = [{ name = "picking_ref", field = "picking_ref" }]"#)
            .unwrap();

    let error = decode_progress(&layout, b"picking_ref\nWH/OUT/1\n").unwrap_err();

    assert!(
        error.to_string().contains("`field = \"status_code\"`"),
        "{error}"
    );
}

#[test]
fn progress_layout_rejects_unknown_field() {
    let layout = progress_layout_with(r#"{ name = "dock", field = "dock" }"#);

    let error = encode_progress(&layout, &[]).unwrap_err().to_string();

    assert!(error.contains("unknown `field = \"dock\"`"), "{error}");
    assert!(error.contains(&PROGRESS_FIELDS.join(", ")), "{error}");
}

// Order change files.

#[test]
fn changes_cancel_and_amendment_round_trip() {
    let changes = vec![cancel(42, "WH/OUT/00042"), amendment(43, "WH/OUT/00043")];

    let bytes = encode_changes(&default_change_layout(), &changes).unwrap();

    assert_eq!(
        text(&bytes),
        "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
         42,WH/OUT/00042,S00042,cancel,customer cancelled,,,,,,\n\
         43,WH/OUT/00043,S00043,amend,quantity reduced,1,501,SKU-1,\"Shirt, red\",2.000,Units\n\
         43,WH/OUT/00043,S00043,amend,quantity reduced,2,502,SKU-2,SKU-2 description,0.5,kg\n\
         43,WH/OUT/00043,S00043,amend,quantity reduced,3,503,SKU-3,SKU-3 description,1,Units\n"
    );
    assert_eq!(
        decode_changes(&default_change_layout(), &bytes).unwrap(),
        changes
    );
}

#[test]
fn changes_group_interleaved_records() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,WH/OUT/7,S7,amend,fewer,,71,A,,1,Units\n\
                8,WH/OUT/8,S8,amend,more,,81,B,,2,Units\n\
                7,WH/OUT/7,S7,amend,ignored,,72,C,,3,Units\n\
                9,WH/OUT/9,,cancel,,,,,,,\n";

    let changes = decode_changes(&default_change_layout(), file.as_bytes()).unwrap();

    let pickings: Vec<&str> = changes.iter().map(|c| c.picking_name.as_str()).collect();
    assert_eq!(pickings, ["WH/OUT/7", "WH/OUT/8", "WH/OUT/9"]);
    let skus: Vec<&str> = changes[0].lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus, ["A", "C"]);
    // Lines without a line number are numbered by position in their change.
    let numbers: Vec<u32> = changes[0].lines.iter().map(|l| l.line_no).collect();
    assert_eq!(numbers, [1, 2]);
    // The picking's values come from its first record.
    assert_eq!(changes[0].reason, "fewer");
    assert_eq!(changes[2].kind, ChangeKind::Cancel);
    assert!(changes[2].lines.is_empty());
    assert_eq!(changes[2].order_name, "");
}

#[test]
fn changes_legacy_decimal_comma_windows_1252() {
    let layout = common::layout("legacy_change_cp1252.toml");
    let mut amended = amendment(43, "WH/OUT/00043");
    amended.reason = "Menge geändert".to_owned();
    amended.lines[1].description = "Kaffeebecher; groß".to_owned();
    let changes = vec![cancel(42, "WH/OUT/00042"), amended];

    let bytes = encode_changes(&layout, &changes).unwrap();

    let expected: &[u8] = b"Auftrag;Bestellung;\xc4nderung;Grund;Pos;Artikel;Bezeichnung;Menge;Einheit\r\n\
        WH/OUT/00042;S00042;STORNO;customer cancelled;;;;;\r\n\
        WH/OUT/00043;S00043;AENDERUNG;Menge ge\xe4ndert;1;SKU-1;Shirt, red;2,000;Units\r\n\
        WH/OUT/00043;S00043;AENDERUNG;Menge ge\xe4ndert;2;SKU-2;\"Kaffeebecher; gro\xdf\";0,5;kg\r\n\
        WH/OUT/00043;S00043;AENDERUNG;Menge ge\xe4ndert;3;SKU-3;SKU-3 description;1;Units\r\n";
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(bytes, expected);

    // The layout has no picking_id or move_id column, so those read back as 0.
    let mut read_back = changes.clone();
    for change in &mut read_back {
        change.picking_id = 0;
        for line in &mut change.lines {
            line.move_id = 0;
        }
    }
    assert_eq!(decode_changes(&layout, &bytes).unwrap(), read_back);
}

#[test]
fn changes_bad_quantity_names_value_and_fix() {
    let layout = common::layout("legacy_change_cp1252.toml");
    let file: &[u8] =
        b"Auftrag;Bestellung;\xc4nderung;Grund;Pos;Artikel;Bezeichnung;Menge;Einheit\r\n\
        WH/OUT/00043;S00043;AENDERUNG;;1;SKU-1;;2.5;Units\r\n";

    let error = decode_changes(&layout, file).unwrap_err();

    assert!(
        matches!(&error, FormatError::InvalidValue { line: 2, field, value, .. } if field == "quantity" && value == "2.5"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with("line 2, column `Menge` (position 7): invalid quantity value `2.5`"),
        "{message}"
    );
    assert!(message.contains("decimal_separator"), "{message}");
}

#[test]
fn changes_non_numeric_quantity() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,WH/OUT/7,S7,amend,,1,71,A,,two,Units\n";

    let error = decode_changes(&default_change_layout(), file.as_bytes())
        .unwrap_err()
        .to_string();

    assert!(error.starts_with("line 2, column `quantity` (position 9): invalid quantity value `two`: expected a decimal number"), "{error}");
}

#[test]
fn changes_negative_quantity_rejected() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,WH/OUT/7,S7,amend,,1,71,A,,-1,Units\n";

    let error = decode_changes(&default_change_layout(), file.as_bytes())
        .unwrap_err()
        .to_string();

    assert!(
        error.contains("invalid quantity value `-1`: a line quantity cannot be negative"),
        "{error}"
    );
}

#[test]
fn changes_missing_picking_reference() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,,S7,cancel,,,,,,,\n";

    let error = decode_changes(&default_change_layout(), file.as_bytes()).unwrap_err();

    assert_eq!(
        error.to_string(),
        "line 2, column `picking_ref` (position 1): picking_ref is empty; the file must give a value here"
    );
}

#[test]
fn changes_unknown_change_code_lists_map() {
    let layout = common::layout("legacy_change_cp1252.toml");
    let file: &[u8] =
        b"Auftrag;Bestellung;\xc4nderung;Grund;Pos;Artikel;Bezeichnung;Menge;Einheit\r\n\
        WH/OUT/00042;S00042;SPERRE;;;;;;\r\n";

    let error = decode_changes(&layout, file).unwrap_err().to_string();

    assert_eq!(
        error,
        "line 2, column `Änderung` (position 2): invalid change value `SPERRE`: expected one of cancel, amend or a code of the column's `map` (AENDERUNG, STORNO); add the code to `map`"
    );
}

#[test]
fn changes_cancel_with_lines_rejected() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,WH/OUT/7,S7,cancel,,1,71,A,,1,Units\n";

    let error = decode_changes(&default_change_layout(), file.as_bytes())
        .unwrap_err()
        .to_string();

    assert!(error.starts_with("line 2, column `change` (position 3): invalid change value `cancel`: a cancel carries no lines"), "{error}");
}

#[test]
fn changes_amendment_without_lines_rejected() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,WH/OUT/7,S7,amend,,,,,,,\n";

    let error = decode_changes(&default_change_layout(), file.as_bytes())
        .unwrap_err()
        .to_string();

    assert!(
        error.contains("invalid change value `amend`: an amendment lists the lines"),
        "{error}"
    );
}

#[test]
fn changes_cancel_and_amend_of_one_picking_rejected() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,WH/OUT/7,S7,cancel,,,,,,,\n\
                7,WH/OUT/7,S7,amend,,1,71,A,,1,Units\n";

    let error = decode_changes(&default_change_layout(), file.as_bytes())
        .unwrap_err()
        .to_string();

    assert!(error.starts_with("line 3, column `change` (position 3): invalid change value `amend`: WH/OUT/7 has a `cancel` record on line 2"), "{error}");
}

#[test]
fn changes_repeated_cancel_rejected() {
    let file = "picking_id,picking_ref,order_ref,change,reason,line_no,move_id,sku,description,quantity,uom\n\
                7,WH/OUT/7,S7,cancel,,,,,,,\n\
                7,WH/OUT/7,S7,cancel,,,,,,,\n";

    let error = decode_changes(&default_change_layout(), file.as_bytes())
        .unwrap_err()
        .to_string();

    assert!(error.contains("line 3, column `picking_ref`"), "{error}");
    assert!(error.contains("already cancelled on line 2"), "{error}");
}

#[test]
fn changes_encode_rejects_inconsistent_changes() {
    let layout = default_change_layout();
    let mut cancel_with_lines = cancel(1, "WH/OUT/1");
    cancel_with_lines.lines.push(order_line(1, 11, "A", "1"));
    let mut empty_amendment = amendment(2, "WH/OUT/2");
    empty_amendment.lines.clear();
    let mut negative = amendment(3, "WH/OUT/3");
    negative.lines[2].quantity = decimal("-1");

    let cancel_error = encode_changes(&layout, &[cancel_with_lines]).unwrap_err();
    let amend_error = encode_changes(&layout, &[empty_amendment]).unwrap_err();
    let negative_error = encode_changes(&layout, &[negative]).unwrap_err();

    assert!(
        cancel_error
            .to_string()
            .contains("the cancel of WH/OUT/1 has 1 lines"),
        "{cancel_error}"
    );
    assert!(
        amend_error
            .to_string()
            .contains("the amendment of WH/OUT/2 has no lines"),
        "{amend_error}"
    );
    assert!(
        negative_error
            .to_string()
            .contains("cannot write quantity value `-1`: line 3"),
        "{negative_error}"
    );
}

#[test]
fn changes_encode_amendment_needs_line_columns() {
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "picking_ref", field = "picking_ref" },
            { name = "change", field = "change" },
        ]"#,
    )
    .unwrap();

    let cancelled = encode_changes(&layout, &[cancel(1, "WH/OUT/1")]).unwrap();
    let error = encode_changes(&layout, &[amendment(2, "WH/OUT/2")]).unwrap_err();

    assert_eq!(text(&cancelled), "picking_ref,change\nWH/OUT/1,cancel\n");
    assert!(
        error
            .to_string()
            .contains("the layout has no quantity column"),
        "{error}"
    );
}

#[test]
fn changes_fields_are_listed() {
    for name in [
        "picking_id",
        "picking_ref",
        "order_ref",
        "change",
        "reason",
        "line_no",
        "move_id",
        "sku",
        "description",
        "quantity",
        "uom",
    ] {
        assert!(CHANGE_FIELDS.contains(&name), "{name}");
    }
}

// Change answer files.

#[test]
fn change_answers_default_round_trip() {
    let mut accepted = answer(
        2,
        "WH/OUT/00042",
        ChangeKind::Cancel,
        ChangeOutcome::Accepted,
    );
    accepted.occurred_at = Some("2024-05-01T08:30:00Z".to_owned());
    let mut late = answer(3, "WH/OUT/00043", ChangeKind::Amend, ChangeOutcome::TooLate);
    late.detail = Some("already packed".to_owned());
    let answers = vec![accepted, late];

    let bytes = encode_change_answers(&default_change_answer_layout(), &answers).unwrap();

    assert_eq!(
        text(&bytes),
        "picking_ref,change,outcome,detail,occurred_at\n\
         WH/OUT/00042,cancel,accepted,,2024-05-01T08:30:00+00:00\n\
         WH/OUT/00043,amend,too_late,already packed,\n"
    );
    assert_eq!(
        decode_change_answers(&default_change_answer_layout(), &bytes).unwrap(),
        answers
    );
}

#[test]
fn change_answers_warehouse_codes_through_map() {
    let layout = common::layout("wms_change_answer_codes.toml");
    let file = "ORDER,REQ,RESULT,MEMO,TIME\n\
                WH/OUT/00042,CXL,OK,,2024/05/01 17:30\n\
                WH/OUT/00043,amd,late,出荷済み,2024/05/02 09:00\n";

    let answers = decode_change_answers(&layout, file.as_bytes()).unwrap();

    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].kind, ChangeKind::Cancel);
    assert_eq!(answers[0].outcome, ChangeOutcome::Accepted);
    // Tokyo is nine hours ahead of UTC.
    assert_eq!(
        answers[0].occurred_at.as_deref(),
        Some("2024-05-01T08:30:00Z")
    );
    assert_eq!(answers[1].kind, ChangeKind::Amend);
    assert_eq!(answers[1].outcome, ChangeOutcome::TooLate);
    assert_eq!(answers[1].detail.as_deref(), Some("出荷済み"));
    assert_eq!(answers[1].source_line, 3);

    let written = encode_change_answers(&layout, &answers).unwrap();
    assert_eq!(
        text(&written),
        "ORDER,REQ,RESULT,MEMO,TIME\n\
         WH/OUT/00042,CXL,OK,,2024/05/01 17:30\n\
         WH/OUT/00043,AMD,LATE,出荷済み,2024/05/02 09:00\n"
    );
}

#[test]
fn change_answers_unknown_outcome_code() {
    let layout = common::layout("wms_change_answer_codes.toml");
    let file = "ORDER,REQ,RESULT,MEMO,TIME\n\
                WH/OUT/00042,CXL,OK,,\n\
                WH/OUT/00043,CXL,MAYBE,,\n";

    let error = decode_change_answers(&layout, file.as_bytes()).unwrap_err();

    assert!(
        matches!(&error, FormatError::InvalidValue { line: 3, field, value, .. } if field == "outcome" && value == "MAYBE"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "line 3, column `RESULT` (position 2): invalid outcome value `MAYBE`: expected one of accepted, too_late or a code of the column's `map` (LATE, OK); add the code to `map`"
    );
}

#[test]
fn change_answers_unknown_outcome_without_map() {
    let file = "picking_ref,change,outcome,detail,occurred_at\n\
                WH/OUT/00042,cancel,OK,,\n";

    let error = decode_change_answers(&default_change_answer_layout(), file.as_bytes())
        .unwrap_err()
        .to_string();

    assert_eq!(
        error,
        "line 2, column `outcome` (position 2): invalid outcome value `OK`: expected one of accepted, too_late; add a `map` to the column to read the warehouse's own codes"
    );
}

#[test]
fn change_answers_missing_values() {
    let layout = default_change_answer_layout();
    let no_reference = "picking_ref,change,outcome,detail,occurred_at\n,cancel,accepted,,\n";
    let no_outcome = "picking_ref,change,outcome,detail,occurred_at\nWH/OUT/1,cancel,,,\n";

    let reference_error = decode_change_answers(&layout, no_reference.as_bytes()).unwrap_err();
    let outcome_error = decode_change_answers(&layout, no_outcome.as_bytes()).unwrap_err();

    assert!(
        matches!(&reference_error, FormatError::MissingValue { line: 2, field, .. } if field == "picking_ref"),
        "{reference_error:?}"
    );
    assert!(
        matches!(&outcome_error, FormatError::MissingValue { line: 2, field, .. } if field == "outcome"),
        "{outcome_error:?}"
    );
}

#[test]
fn change_answers_layout_needs_outcome_column() {
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "picking_ref", field = "picking_ref" },
            { name = "change", field = "change" },
        ]"#,
    )
    .unwrap();

    let error = encode_change_answers(&layout, &[]).unwrap_err().to_string();

    assert!(error.contains("`field = \"outcome\"`"), "{error}");
    assert!(CHANGE_ANSWER_FIELDS.contains(&"outcome"));
}

#[test]
fn change_answers_fixed_change_column() {
    // A warehouse that only responds to cancels may leave the change out of the
    // file, and a fixed `value` column supplies it.
    let layout = Layout::from_toml(
        r#"columns = [
            { name = "picking_ref", field = "picking_ref" },
            { name = "outcome", field = "outcome", map = { Y = "accepted", N = "too_late" } },
            { name = "change", field = "change", value = "cancel" },
        ]"#,
    )
    .unwrap();

    let answers = decode_change_answers(&layout, b"picking_ref,outcome\nWH/OUT/1,N\n").unwrap();

    assert_eq!(answers[0].kind, ChangeKind::Cancel);
    assert_eq!(answers[0].outcome, ChangeOutcome::TooLate);
}
