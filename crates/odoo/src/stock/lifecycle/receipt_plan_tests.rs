use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

use super::*;

fn context(tracking: Tracking) -> ReceiptMoveContext {
    ReceiptMoveContext {
        move_id: 47,
        product_id: 9,
        tracking,
        location_id: 1,
        location_dest_id: 5,
        destination_override: false,
    }
}

fn line(id: i64, lot_id: Option<i64>, lot_name: &str, quantity: Decimal) -> ReceiptLineState {
    ReceiptLineState {
        id,
        lot_id,
        lot_name: lot_name.to_owned(),
        quantity,
        picked: false,
        location_dest_id: 5,
    }
}

fn received(lot: ReceivedLot, quantity: Decimal, expiry: Option<&str>) -> ReceivedQuantity {
    ReceivedQuantity {
        lot,
        quantity,
        expiration_date: expiry.map(str::to_owned),
    }
}

/// Applies update commands to the lines and returns the new state, so a
/// second plan can show that the commands converge.
fn apply(lines: &[ReceiptLineState], commands: &[Value]) -> Vec<ReceiptLineState> {
    let mut out = lines.to_vec();
    let mut next_id = 1000;
    for command in commands {
        let vals = command[2].as_object().unwrap();
        let target = if command[0] == 0 {
            next_id += 1;
            out.push(line(next_id, None, "", Decimal::ZERO));
            out.last_mut().unwrap()
        } else {
            out.iter_mut().find(|l| l.id == command[1]).unwrap()
        };
        if let Some(lot) = vals.get("lot_id") {
            target.lot_id = lot.as_i64();
        }
        if let Some(name) = vals.get("lot_name") {
            target.lot_name = name.as_str().unwrap().to_owned();
        }
        if let Some(quantity) = vals.get("quantity") {
            target.quantity = quantity.to_string().parse().unwrap();
        }
        if let Some(picked) = vals.get("picked") {
            target.picked = picked.as_bool().unwrap();
        }
        if let Some(dest) = vals.get("location_dest_id") {
            target.location_dest_id = dest.as_i64().unwrap();
        }
    }
    out
}

#[test]
fn new_lot_gets_name_and_expiry() {
    let lines = [line(48, None, "", dec!(24))];
    let request = [received(
        ReceivedLot::New("EB-2212".into()),
        dec!(24),
        Some("2027-05-23 00:00:00"),
    )];
    let (commands, total) = plan_receipt_move(&context(Tracking::Lot), &lines, &request).unwrap();
    assert_eq!(total, dec!(24));
    assert_eq!(
        commands,
        vec![
            json!([1, 48, {"lot_name": "EB-2212", "expiration_date": "2027-05-23 00:00:00", "picked": true}])
        ]
    );
    let again = apply(&lines, &commands);
    assert!(plan_receipt_move(&context(Tracking::Lot), &again, &request)
        .unwrap()
        .0
        .is_empty());
}

#[test]
fn known_lot_gets_id_and_name() {
    let lines = [line(39, None, "", dec!(40))];
    let request = [received(
        ReceivedLot::Known(14, "GL-2609-X".into()),
        dec!(40),
        None,
    )];
    let (commands, _) = plan_receipt_move(&context(Tracking::Lot), &lines, &request).unwrap();
    assert_eq!(
        commands,
        vec![json!([1, 39, {"lot_id": 14, "lot_name": "GL-2609-X", "picked": true}])]
    );
}

#[test]
fn split_lots_add_a_line_and_converge() {
    let lines = [line(48, None, "", dec!(40))];
    let request = [
        received(ReceivedLot::New("B".into()), dec!(15), None),
        received(ReceivedLot::New("A".into()), dec!(25), None),
    ];
    let (commands, total) = plan_receipt_move(&context(Tracking::Lot), &lines, &request).unwrap();
    assert_eq!(total, dec!(40));
    assert_eq!(commands.len(), 2);
    assert_eq!(
        commands[0],
        json!([1, 48, {"lot_name": "A", "quantity": 25, "picked": true}])
    );
    assert_eq!(commands[1][0], json!(0));
    assert_eq!(commands[1][2]["lot_name"], json!("B"));
    assert_eq!(commands[1][2]["quantity"], json!(15));
    assert_eq!(commands[1][2]["location_dest_id"], json!(5));
    let again = apply(&lines, &commands);
    assert!(plan_receipt_move(&context(Tracking::Lot), &again, &request)
        .unwrap()
        .0
        .is_empty());
}

#[test]
fn short_receipt_zeroes_left_over_lines() {
    let lines = [line(60, None, "", dec!(1)), line(61, None, "", dec!(1))];
    let mut serial = context(Tracking::Serial);
    serial.destination_override = true;
    serial.location_dest_id = 16;
    let mut picked_line = line(61, None, "", dec!(1));
    picked_line.picked = true;
    let lines = [lines[0].clone(), picked_line];
    let request = [received(ReceivedLot::New("SN-1".into()), dec!(1), None)];
    let (commands, _) = plan_receipt_move(&serial, &lines, &request).unwrap();
    assert_eq!(
        commands,
        vec![
            json!([1, 60, {"lot_name": "SN-1", "picked": true, "location_dest_id": 16}]),
            json!([1, 61, {"quantity": 0, "picked": false}]),
        ]
    );
}

#[test]
fn unreported_lot_keeps_prefilled_serial() {
    let lines = [line(50, Some(12), "DRX1-000105", dec!(1))];
    let request = [received(ReceivedLot::Unreported, dec!(1), None)];
    let (commands, _) = plan_receipt_move(&context(Tracking::Serial), &lines, &request).unwrap();
    assert_eq!(commands, vec![json!([1, 50, {"picked": true}])]);
}

#[test]
fn other_serial_replaces_prefilled_one() {
    let lines = [line(50, Some(12), "DRX1-000105", dec!(1))];
    let request = [received(
        ReceivedLot::Known(15, "DRX1-000108".into()),
        dec!(1),
        None,
    )];
    let (commands, _) = plan_receipt_move(&context(Tracking::Serial), &lines, &request).unwrap();
    assert_eq!(
        commands,
        vec![json!([1, 50, {"lot_id": 15, "lot_name": "DRX1-000108", "picked": true}])]
    );
}

#[test]
fn serial_of_two_units_is_rejected() {
    let request = [received(ReceivedLot::New("SN-1".into()), dec!(2), None)];
    let reason = plan_receipt_move(&context(Tracking::Serial), &[], &request).unwrap_err();
    assert!(reason.contains("\"SN-1\""), "{reason}");
}

#[test]
fn tracked_product_without_lot_is_rejected() {
    let lines = [line(48, None, "", dec!(24))];
    let request = [received(ReceivedLot::Unreported, dec!(24), None)];
    let reason = plan_receipt_move(&context(Tracking::Lot), &lines, &request).unwrap_err();
    assert!(reason.contains("has no lot"), "{reason}");
}

#[test]
fn lot_on_untracked_product_is_rejected() {
    let request = [received(ReceivedLot::New("X".into()), dec!(1), None)];
    let reason = plan_receipt_move(&context(Tracking::None), &[], &request).unwrap_err();
    assert!(reason.contains("not tracked"), "{reason}");
}
