use std::collections::BTreeMap;

use wharf_model::{
    Disposition, ExpectedReceipt, OrderLine, ReceiptAdvice, ReceiptKind, ReceivedLine,
};

use super::*;

fn line(move_id: i64, sku: &str, quantity: i64, tracking: &str) -> OrderLine {
    OrderLine {
        line_no: 1,
        move_id,
        product_id: move_id,
        sku: sku.to_owned(),
        description: String::new(),
        quantity: Decimal::from(quantity),
        uom: "Units".to_owned(),
        tracking: tracking.to_owned(),
        reserved_lots: vec![],
    }
}

fn receipt(kind: ReceiptKind) -> ExpectedReceipt {
    ExpectedReceipt {
        picking_id: 7,
        picking_name: "WH/IN/00007".to_owned(),
        kind,
        origin: "P00007".to_owned(),
        partner: "Vendor".to_owned(),
        scheduled_date: "2026-12-05 10:00:00".to_owned(),
        lines: vec![line(70, "BOLT", 10, "none"), line(71, "MILK", 5, "lot")],
    }
}

fn received(sku: &str, quantity: i64, lot: Option<&str>) -> ReceivedLine {
    ReceivedLine {
        source_line: 2,
        sku: sku.to_owned(),
        move_id: None,
        quantity: Decimal::from(quantity),
        lot: lot.map(str::to_owned),
        expiry_date: lot.map(|_| "2027-12-31".to_owned()),
        inspection: None,
        disposition: None,
    }
}

fn advice(lines: Vec<ReceivedLine>) -> ReceiptAdvice {
    ReceiptAdvice {
        picking_ref: "WH/IN/00007".to_owned(),
        lines,
        received_at: None,
    }
}

fn plan(matched: Matched) -> ReceiptPlan {
    match matched {
        Matched::Plan(plan) => plan,
        Matched::Exception { detail, .. } => panic!("unexpected exception: {detail}"),
    }
}

fn kind_of(matched: Matched) -> ExceptionKind {
    match matched {
        Matched::Exception { kind, .. } => kind,
        Matched::Plan(plan) => panic!("unexpected plan {plan:?}"),
    }
}

#[test]
fn short_line_with_new_lot_keeps_a_backorder() {
    let rules = LifecycleRules::default();
    let lines = vec![
        received("BOLT", 8, None),
        received("MILK", 2, Some("L1")),
        received("MILK", 3, Some("L2")),
    ];
    let plan = plan(match_advice(
        &receipt(ReceiptKind::Purchase),
        &advice(lines),
        &rules,
        "RCV-1.csv",
    ));
    assert!(plan.short);
    assert!(plan.backorder);
    assert_eq!(plan.destination, None);
    assert_eq!(plan.moves[0].lots[0].quantity, Decimal::from(8));
    assert_eq!(plan.moves[1].lots.len(), 2);
    assert_eq!(
        plan.moves[1].lots[1].expiry_date.as_deref(),
        Some("2027-12-31")
    );
}

#[test]
fn bad_advice_stops_booking() {
    let rules = LifecycleRules::default();
    let purchase = receipt(ReceiptKind::Purchase);
    let over = advice(vec![received("BOLT", 11, None)]);
    assert_eq!(
        kind_of(match_advice(&purchase, &over, &rules, "f")),
        ExceptionKind::OverReceipt
    );
    let unknown = advice(vec![received("NUT", 1, None)]);
    assert_eq!(
        kind_of(match_advice(&purchase, &unknown, &rules, "f")),
        ExceptionKind::UnknownSku
    );
    let no_lot = advice(vec![received("MILK", 1, None)]);
    assert_eq!(
        kind_of(match_advice(&purchase, &no_lot, &rules, "f")),
        ExceptionKind::UnknownLot
    );
    let nothing = advice(vec![received("BOLT", 0, None)]);
    assert_eq!(
        kind_of(match_advice(&purchase, &nothing, &rules, "f")),
        ExceptionKind::NothingReceived
    );
}

#[test]
fn return_goes_to_the_disposition_location() {
    let rules = LifecycleRules {
        disposition_locations: BTreeMap::from([(
            Disposition::Quarantine,
            "WH/Stock/Quarantine".to_owned(),
        )]),
        ..LifecycleRules::default()
    };
    let mut bolt = received("BOLT", 10, None);
    bolt.disposition = Some(Disposition::Quarantine);
    let plan = plan(match_advice(
        &receipt(ReceiptKind::Return),
        &advice(vec![bolt.clone()]),
        &rules,
        "f",
    ));
    assert_eq!(plan.destination.as_deref(), Some("WH/Stock/Quarantine"));
    assert!(!plan.backorder);

    let mut milk = received("MILK", 1, Some("L1"));
    milk.disposition = Some(Disposition::Scrap);
    let mixed = advice(vec![bolt, milk]);
    assert_eq!(
        kind_of(match_advice(
            &receipt(ReceiptKind::Return),
            &mixed,
            &rules,
            "f"
        )),
        ExceptionKind::MixedDisposition
    );
}

#[test]
fn echoed_move_id_wins_over_sku() {
    let rules = LifecycleRules::default();
    let mut expected = receipt(ReceiptKind::Purchase);
    expected.lines.push(line(72, "BOLT", 4, "none"));
    let mut second = received("BOLT", 4, None);
    second.move_id = Some(72);
    let plan = plan(match_advice(&expected, &advice(vec![second]), &rules, "f"));
    assert!(plan.moves[0].lots.is_empty());
    assert_eq!(plan.moves[2].lots[0].quantity, Decimal::from(4));
}
