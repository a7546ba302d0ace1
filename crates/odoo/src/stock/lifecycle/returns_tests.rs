use super::*;
use crate::stock::lifecycle::return_lookup::same_quantities;
use rust_decimal_macros::dec;

fn record(value: Value) -> Record {
    value.as_object().unwrap().clone()
}

fn request(lines: &[(ReturnItem, Decimal)]) -> BTreeMap<ReturnItem, Decimal> {
    lines.iter().copied().collect()
}

#[test]
fn every_wizard_line_gets_a_quantity() {
    let lines = vec![
        record(json!({"id": 1, "product_id": [2, "WID"], "quantity": 10.0, "move_id": [21, "m"]})),
        record(json!({"id": 2, "product_id": [7, "PAINT"], "quantity": 5.0, "move_id": [22, "m"]})),
        record(json!({"id": 3, "product_id": [5, "CAB"], "quantity": 20.0, "move_id": [23, "m"]})),
    ];
    let requested = request(&[
        (ReturnItem::Move(21), dec!(2)),
        (ReturnItem::Product(7), dec!(1)),
    ]);
    let quantities = wizard_quantities("WH/OUT/00001", &lines, &requested).unwrap();
    assert_eq!(quantities, vec![(1, dec!(2)), (2, dec!(1)), (3, dec!(0))]);
}

#[test]
fn quantity_above_delivered_is_rejected() {
    let lines = vec![record(
        json!({"id": 1, "product_id": [2, "WID"], "quantity": 0.0, "move_quantity": 10.0, "move_id": [21, "m"]}),
    )];
    let error = wizard_quantities(
        "WH/OUT/00001",
        &lines,
        &request(&[(ReturnItem::Move(21), dec!(11))]),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert!(error.to_string().contains("WH/OUT/00001"), "{error}");
    assert!(error.to_string().contains("11"), "{error}");
}

#[test]
fn ambiguous_product_is_rejected() {
    let lines = vec![
        record(json!({"id": 1, "product_id": [2, "WID"], "quantity": 4.0, "move_id": [21, "m"]})),
        record(json!({"id": 2, "product_id": [2, "WID"], "quantity": 4.0, "move_id": [24, "m"]})),
    ];
    let error = wizard_quantities(
        "WH/OUT/00001",
        &lines,
        &request(&[(ReturnItem::Product(2), dec!(1))]),
    )
    .unwrap_err();
    assert!(error.to_string().contains("name the move"), "{error}");
}

#[test]
fn empty_return_is_rejected() {
    let request = ReturnRequest {
        picking_id: 1,
        lines: vec![ReturnLine {
            item: ReturnItem::Move(21),
            quantity: dec!(0),
        }],
    };
    let error = merge_lines(&request).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
}

#[test]
fn earlier_return_matches_by_origin_move() {
    let moves = [
        record(
            json!({"id": 40, "product_id": [2, "WID"], "product_uom_qty": 2.0, "origin_returned_move_id": [21, "m"]}),
        ),
        record(
            json!({"id": 41, "product_id": [7, "PAINT"], "product_uom_qty": 1.0, "origin_returned_move_id": [22, "m"]}),
        ),
    ];
    let moves: Vec<&Record> = moves.iter().collect();
    let same = request(&[
        (ReturnItem::Move(21), dec!(2)),
        (ReturnItem::Product(7), dec!(1)),
    ]);
    assert!(same_quantities(&moves, &same));
    let other = request(&[
        (ReturnItem::Move(21), dec!(1)),
        (ReturnItem::Product(7), dec!(1)),
    ]);
    assert!(!same_quantities(&moves, &other));
    let fewer = request(&[(ReturnItem::Move(21), dec!(2))]);
    assert!(!same_quantities(&moves, &fewer));
}
