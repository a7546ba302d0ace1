//! Cases of matching a confirmation against its released picking.

use jiff::Timestamp;
use wharf_model::{Address, Decimal, OrderLine, ShippedLine};

use super::*;

fn rules() -> SiteRules {
    serde_json::from_value(serde_json::json!({"code": "main", "warehouses": ["WH"]})).unwrap()
}

fn line(move_id: i64, sku: &str, quantity: i64, tracking: &str, reserved: &[&str]) -> OrderLine {
    OrderLine {
        line_no: u32::try_from(move_id).unwrap(),
        move_id,
        product_id: move_id + 100,
        sku: sku.into(),
        description: sku.into(),
        quantity: Decimal::from(quantity),
        uom: "Units".into(),
        tracking: tracking.into(),
        reserved_lots: reserved.iter().map(|lot| (*lot).to_owned()).collect(),
    }
}

fn record(state: PickingState, tracking: Option<&str>) -> PickingRecord {
    let order = OrderRelease {
        picking_id: 7,
        picking_name: "WH/OUT/00007".into(),
        order_name: "S00007".into(),
        customer_ref: String::new(),
        warehouse: "WH".into(),
        customer: "Northwind".into(),
        customer_tags: vec![],
        credit_hold: false,
        ship_to: Address::default(),
        carrier: String::new(),
        scheduled_date: String::new(),
        write_date: String::new(),
        lines: vec![
            line(1, "WID-100", 10, "none", &[]),
            line(2, "GLUE-IND", 4, "lot", &["GL-2501"]),
            line(3, "SCAN-X1", 2, "serial", &["SX1-01", "SX1-02"]),
        ],
    };
    PickingRecord {
        picking_id: 7,
        picking_name: "WH/OUT/00007".into(),
        site: "main".into(),
        state,
        release: Some(serde_json::to_value(order).unwrap()),
        backorder: None,
        tracking: tracking.map(str::to_owned),
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

fn shipped(sku: &str, quantity: &str, lot: Option<&str>) -> ShippedLine {
    ShippedLine {
        source_line: 1,
        sku: sku.into(),
        quantity: quantity.parse().unwrap(),
        lot: lot.map(str::to_owned),
        expiry_date: None,
        move_id: None,
    }
}

fn confirmation(lines: Vec<ShippedLine>) -> ShipmentConfirmation {
    ShipmentConfirmation {
        picking_ref: "WH/OUT/00007".into(),
        lines,
        carrier: Some("Acme Freight Ground".into()),
        tracking_numbers: vec!["361054809931".into()],
        shipped_at: None,
        reshipment: false,
    }
}

fn full_lines() -> Vec<ShippedLine> {
    vec![
        shipped("WID-100", "10", None),
        shipped("GLUE-IND", "4", Some("GL-2501")),
        shipped("SCAN-X1", "1", Some("SX1-01")),
        shipped("SCAN-X1", "1", Some("SX1-02")),
    ]
}

fn applied(decision: Decision) -> ShipmentPlan {
    match decision {
        Decision::Apply(plan) => plan,
        other => panic!("expected a shipment to apply, got {other:?}"),
    }
}

#[test]
fn full_shipment_is_not_short() {
    let plan = applied(decide(
        &confirmation(full_lines()),
        Some(&record(PickingState::Released, None)),
        &rules(),
    ));
    assert!(!plan.short);
    assert_eq!(plan.moves[2].lots.len(), 2);
    assert_eq!(plan.tracking, vec!["361054809931".to_owned()]);
}

#[test]
fn short_line_marks_plan_short() {
    let mut lines = full_lines();
    lines[0] = shipped("WID-100", "6", None);
    let plan = applied(decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    ));
    assert!(plan.short);
    assert_eq!(plan.moves[0].shipped(), Decimal::from(6));
}

#[test]
fn different_lot_is_kept() {
    let mut lines = full_lines();
    lines[1] = shipped("GLUE-IND", "4", Some("GL-2503"));
    let plan = applied(decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    ));
    assert_eq!(plan.moves[1].lots[0].lot.as_deref(), Some("GL-2503"));
}

#[test]
fn tracked_line_without_lot_takes_the_reserved_one() {
    let mut lines = full_lines();
    lines[1] = shipped("GLUE-IND", "4", None);
    let plan = applied(decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    ));
    assert_eq!(plan.moves[1].lots[0].lot.as_deref(), Some("GL-2501"));
}

#[test]
fn unknown_sku_is_an_exception() {
    let mut lines = full_lines();
    lines.push(shipped("NOPE-1", "1", None));
    let decision = decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    );
    assert!(
        matches!(decision, Decision::Exception { kind: ExceptionKind::UnknownSku, ref detail } if detail.contains("NOPE-1"))
    );
}

#[test]
fn over_shipment_is_an_exception() {
    let mut lines = full_lines();
    lines[0] = shipped("WID-100", "10.5", None);
    let decision = decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    );
    assert!(matches!(
        decision,
        Decision::Exception {
            kind: ExceptionKind::OverShipment,
            ..
        }
    ));
}

#[test]
fn all_zero_is_nothing_shipped() {
    let lines = vec![shipped("WID-100", "0.0", None)];
    let decision = decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    );
    assert!(matches!(
        decision,
        Decision::Exception {
            kind: ExceptionKind::NothingShipped,
            ..
        }
    ));
}

#[test]
fn zero_line_is_dropped_from_plan() {
    let mut lines = full_lines();
    lines[0] = shipped("WID-100", "0.0", None);
    let plan = applied(decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    ));
    assert!(plan.moves[0].lots.is_empty());
    assert!(plan.short);
}

#[test]
fn unknown_picking_is_an_exception() {
    let decision = decide(&confirmation(full_lines()), None, &rules());
    assert!(matches!(
        decision,
        Decision::Exception {
            kind: ExceptionKind::UnknownPicking,
            ..
        }
    ));
}

#[test]
fn second_confirmation_is_duplicate() {
    let decision = decide(
        &confirmation(full_lines()),
        Some(&record(PickingState::Shipped, Some("361054809931"))),
        &rules(),
    );
    assert!(matches!(decision, Decision::Duplicate(_)));
}

#[test]
fn reshipment_adds_new_tracking() {
    let mut reship = confirmation(vec![]);
    reship.reshipment = true;
    reship.tracking_numbers = vec!["361054899999".into()];
    let decision = decide(
        &reship,
        Some(&record(PickingState::Shipped, Some("361054809931"))),
        &rules(),
    );
    let Decision::AddTracking(update) = decision else {
        panic!("expected tracking update, got {decision:?}")
    };
    assert_eq!(
        update.tracking,
        vec!["361054809931".to_owned(), "361054899999".to_owned()]
    );
}

#[test]
fn order_level_confirmation_ships_everything_reserved() {
    let plan = applied(decide(
        &confirmation(vec![]),
        Some(&record(PickingState::Released, None)),
        &rules(),
    ));
    assert!(!plan.short);
    assert_eq!(plan.moves[2].lots.len(), 2);
    assert_eq!(plan.moves[1].lots[0].lot.as_deref(), Some("GL-2501"));
}

#[test]
fn sku_on_two_moves_fills_them_in_order() {
    let mut record = record(PickingState::Released, None);
    let mut order: OrderRelease = serde_json::from_value(record.release.clone().unwrap()).unwrap();
    order.lines.push(line(4, "WID-100", 5, "none", &[]));
    record.release = Some(serde_json::to_value(order).unwrap());
    let mut lines = full_lines();
    lines.push(shipped("WID-100", "5", None));
    let plan = applied(decide(&confirmation(lines), Some(&record), &rules()));
    assert_eq!(plan.moves[0].shipped(), Decimal::from(10));
    assert_eq!(plan.moves[3].shipped(), Decimal::from(5));
    assert!(!plan.short);
}

#[test]
fn negative_quantity_is_an_exception() {
    let mut lines = full_lines();
    lines[0] = shipped("WID-100", "-7", None);
    let decision = decide(
        &confirmation(lines),
        Some(&record(PickingState::Released, None)),
        &rules(),
    );
    assert!(
        matches!(decision, Decision::Exception { kind: ExceptionKind::ParseError, ref detail } if detail.contains("-7"))
    );
}
