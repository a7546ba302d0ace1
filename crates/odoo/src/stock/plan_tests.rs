//! Tests of the move-line planning against a modelled set of lines.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::Value;

use super::*;
use crate::values::decimal_of;

fn context(tracking: Tracking) -> MoveContext {
    MoveContext {
        move_id: 31,
        product_id: 7,
        tracking,
        location_id: 5,
        location_dest_id: 2,
    }
}

fn line(id: i64, lot_id: Option<i64>, quantity: Decimal) -> ExistingLine {
    ExistingLine {
        id,
        lot_id,
        quantity,
        picked: false,
    }
}

fn lot(lot_id: Option<i64>, quantity: Decimal) -> RequestedLot {
    RequestedLot { lot_id, quantity }
}

/// Applies x2many commands the way Odoo does to the modelled lines.
fn apply(lines: &[ExistingLine], commands: &[Value]) -> Vec<ExistingLine> {
    let mut state = lines.to_vec();
    let mut next_id = state.iter().map(|l| l.id).max().unwrap_or(100) + 1000;
    for command in commands {
        let parts = command.as_array().unwrap();
        let vals = parts[2].as_object().unwrap();
        match parts[0].as_i64().unwrap() {
            0 => {
                state.push(ExistingLine {
                    id: next_id,
                    lot_id: vals.get("lot_id").and_then(Value::as_i64),
                    quantity: decimal_of(&vals["quantity"]).unwrap(),
                    picked: vals["picked"].as_bool().unwrap(),
                });
                next_id += 1;
            }
            1 => {
                let id = parts[1].as_i64().unwrap();
                let target = state.iter_mut().find(|l| l.id == id).unwrap();
                if let Some(lot) = vals.get("lot_id") {
                    target.lot_id = lot.as_i64();
                }
                if let Some(quantity) = vals.get("quantity") {
                    target.quantity = decimal_of(quantity).unwrap();
                }
                if let Some(picked) = vals.get("picked") {
                    target.picked = picked.as_bool().unwrap();
                }
            }
            other => panic!("unexpected command {other}"),
        }
    }
    state
}

/// Plans, applies, plans again and checks the second plan is empty.
fn converge(
    tracking: Tracking,
    lines: &[ExistingLine],
    requested: &[RequestedLot],
) -> Vec<ExistingLine> {
    let first = plan_move(&context(tracking), lines, requested).unwrap();
    let state = apply(lines, &first.commands);
    let second = plan_move(&context(tracking), &state, requested).unwrap();
    assert!(
        second.commands.is_empty(),
        "second plan is not empty: {:?}",
        second.commands
    );
    assert_eq!(apply(&state, &second.commands), state);
    state
}

fn picked_total(state: &[ExistingLine]) -> Decimal {
    state.iter().filter(|l| l.picked).map(|l| l.quantity).sum()
}

#[test]
fn full_untracked_marks_picked() {
    let lines = [line(31, None, dec!(2))];
    let plan = plan_move(&context(Tracking::None), &lines, &[lot(None, dec!(2))]).unwrap();
    assert_eq!(
        plan.commands,
        vec![serde_json::json!([1, 31, {"picked": true}])]
    );
    assert_eq!(plan.shipped, dec!(2));
}

#[test]
fn lot_swap_reuses_reserved_line() {
    let lines = [line(32, Some(1), dec!(5))];
    let state = converge(Tracking::Lot, &lines, &[lot(Some(2), dec!(5))]);
    assert_eq!(state.len(), 1, "no line was added beside the reserved one");
    assert_eq!(state[0].lot_id, Some(2));
    assert_eq!(state[0].quantity, dec!(5));
    assert!(state[0].picked);
}

#[test]
fn lot_split_adds_one_line() {
    let lines = [line(32, Some(1), dec!(5))];
    let state = converge(
        Tracking::Lot,
        &lines,
        &[lot(Some(1), dec!(3)), lot(Some(2), dec!(2))],
    );
    assert_eq!(state.len(), 2);
    let reserved = state.iter().find(|l| l.id == 32).unwrap();
    assert_eq!(
        (reserved.lot_id, reserved.quantity, reserved.picked),
        (Some(1), dec!(3), true)
    );
    let added = state.iter().find(|l| l.id != 32).unwrap();
    assert_eq!(
        (added.lot_id, added.quantity, added.picked),
        (Some(2), dec!(2), true)
    );
}

#[test]
fn serials_swap_one_per_line() {
    let lines = [line(33, Some(8), dec!(1)), line(34, Some(9), dec!(1))];
    let state = converge(
        Tracking::Serial,
        &lines,
        &[lot(Some(9), dec!(1)), lot(Some(12), dec!(1))],
    );
    assert_eq!(state.len(), 2);
    assert_eq!(state.iter().find(|l| l.id == 34).unwrap().lot_id, Some(9));
    assert_eq!(state.iter().find(|l| l.id == 33).unwrap().lot_id, Some(12));
    assert!(state.iter().all(|l| l.picked && l.quantity == dec!(1)));
}

#[test]
fn serial_with_two_units_rejected() {
    let lines = [line(33, Some(8), dec!(1))];
    let error =
        plan_move(&context(Tracking::Serial), &lines, &[lot(Some(8), dec!(2))]).unwrap_err();
    assert!(error.contains("serial"), "{error}");
}

#[test]
fn short_quantity_fills_in_order() {
    let lines = [line(36, None, dec!(60)), line(37, None, dec!(40))];
    let state = converge(Tracking::None, &lines, &[lot(None, dec!(70))]);
    assert_eq!(state[0].quantity, dec!(60));
    assert_eq!(state[1].quantity, dec!(10));
    assert_eq!(picked_total(&state), dec!(70));
}

#[test]
fn short_serial_leaves_line_unpicked() {
    let lines = [line(26, Some(7), dec!(1)), line(27, Some(8), dec!(1))];
    let state = converge(Tracking::Serial, &lines, &[lot(Some(7), dec!(1))]);
    let other = state.iter().find(|l| l.id == 27).unwrap();
    assert_eq!((other.quantity, other.picked), (Decimal::ZERO, false));
}

#[test]
fn zero_shipment_picks_nothing() {
    let lines = [line(36, None, dec!(100))];
    let plan = plan_move(&context(Tracking::None), &lines, &[lot(None, dec!(0))]).unwrap();
    assert_eq!(plan.shipped, Decimal::ZERO);
    let state = apply(&lines, &plan.commands);
    assert_eq!((state[0].quantity, state[0].picked), (Decimal::ZERO, false));
}

#[test]
fn over_shipment_on_last_line() {
    let lines = [line(36, None, dec!(5))];
    let state = converge(Tracking::None, &lines, &[lot(None, dec!(7.5))]);
    assert_eq!(state[0].quantity, dec!(7.5));
}

#[test]
fn repeated_application_converges_after_partial_state() {
    // The state a crash could leave: the first of two updates committed.
    let lines = [line(32, Some(2), dec!(5)), line(40, Some(1), dec!(3))];
    let requested = [lot(Some(2), dec!(4)), lot(Some(3), dec!(4))];
    let state = converge(Tracking::Lot, &lines, &requested);
    assert_eq!(picked_total(&state), dec!(8));
    assert_eq!(state.len(), 2, "lot 3 took over the line of lot 1");
}

#[test]
fn no_lines_creates_line() {
    let plan = plan_move(&context(Tracking::Lot), &[], &[lot(Some(4), dec!(3))]).unwrap();
    let vals = plan.commands[0][2].as_object().unwrap();
    assert_eq!(plan.commands[0][0], 0);
    assert_eq!(vals["move_id"], 31);
    assert_eq!(vals["lot_id"], 4);
    assert_eq!(vals["location_dest_id"], 2);
    assert_eq!(vals["picked"], true);
}

#[test]
fn tracked_without_lot_or_line_rejected() {
    let error = plan_move(&context(Tracking::Lot), &[], &[lot(None, dec!(3))]).unwrap_err();
    assert!(error.contains("no lot"), "{error}");
}
