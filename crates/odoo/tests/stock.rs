//! Ready pickings and shipment batches against a small stateful fake of
//! Odoo's stock models, loaded from the recorded Odoo 19 starting state.

mod common;

use common::fake::{self, odoo_calls, Fake};
use common::{connect, MockServer};
use rust_decimal_macros::dec;
use serde_json::json;
use wharf_odoo::stock::{
    BackorderPolicy, LotQty, MoveShipment, ReadyQuery, ShipmentOutcome, ShipmentWrite,
};
use wharf_odoo::{Client, ErrorKind, Protocol};

async fn start(key: &str) -> (Fake, MockServer, Client) {
    let state = fake::load();
    let server = fake::serve(state.clone(), "odoo19").await;
    let client = connect(&server, Protocol::Auto, key).await;
    (state, server, client)
}

fn lot(name: &str, quantity: rust_decimal::Decimal) -> LotQty {
    LotQty {
        lot_name: Some(name.to_owned()),
        expiry_date: None,
        quantity,
    }
}

fn untracked(quantity: rust_decimal::Decimal) -> LotQty {
    LotQty {
        lot_name: None,
        expiry_date: None,
        quantity,
    }
}

fn shipment(picking_id: i64, moves: Vec<MoveShipment>) -> ShipmentWrite {
    ShipmentWrite {
        picking_id,
        moves,
        carrier_name: None,
        tracking_ref: None,
        backorder: BackorderPolicy::Create,
        create_unknown_lots: false,
        ship_expired_lots: false,
    }
}

fn shipped(move_id: i64, product_id: i64, lots: Vec<LotQty>) -> MoveShipment {
    MoveShipment {
        move_id,
        product_id,
        lots,
    }
}

/// WH/OUT/00001 shipped in full, with a lot swap and two serials, one swapped.
fn full_shipment_one() -> ShipmentWrite {
    let mut write = shipment(
        1,
        vec![
            shipped(31, 2, vec![untracked(dec!(2))]),
            shipped(32, 7, vec![lot("PR-2412-B", dec!(5))]),
            shipped(
                33,
                11,
                vec![lot("DRX1-000105", dec!(1)), lot("DRX1-000102", dec!(1))],
            ),
            shipped(34, 9, vec![lot("EPX-A001", dec!(3))]),
        ],
    );
    write.carrier_name = Some("UPS Ground".to_owned());
    write.tracking_ref = Some("1Z999AA10123456784".to_owned());
    write
}

fn full(picking_id: i64) -> ShipmentWrite {
    match picking_id {
        1 => full_shipment_one(),
        2 => shipment(
            2,
            vec![
                shipped(35, 4, vec![untracked(dec!(100))]),
                shipped(36, 8, vec![lot("SK-0001", dec!(10))]),
            ],
        ),
        3 => shipment(
            3,
            vec![
                shipped(37, 5, vec![untracked(dec!(200))]),
                shipped(38, 3, vec![untracked(dec!(4))]),
            ],
        ),
        4 => shipment(4, vec![shipped(39, 3, vec![untracked(dec!(3))])]),
        other => panic!("no full shipment for {other}"),
    }
}

fn count(
    calls: &[(String, String, serde_json::Map<String, serde_json::Value>)],
    model: &str,
    method: &str,
) -> usize {
    calls
        .iter()
        .filter(|(m, f, _)| m == model && f == method)
        .count()
}

#[tokio::test]
async fn ready_pickings_one_call_per_model() {
    let (_state, server, client) = start("WHARF_TEST_KEY_READY").await;
    let query = ReadyQuery {
        warehouse_codes: vec!["WH".to_owned()],
        write_date_from: None,
        after_id: None,
        page_size: 10,
        picking_ids: vec![],
        credit_hold_field: None,
    };
    let page = client.ready_pickings(&query).await.unwrap();

    let ids: Vec<i64> = page.iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        vec![4, 3, 2, 1],
        "ordered by write_date, assigned WH pickings only"
    );
    let first = page.iter().find(|p| p.id == 1).unwrap();
    assert_eq!(first.name, "WH/OUT/00001");
    assert_eq!(first.sale_order_name, "S00001");
    assert_eq!(first.customer_ref, "PO-CON-7781");
    assert_eq!(first.warehouse_code, "WH");
    assert_eq!(first.carrier_name, "DHL Express");
    assert_eq!(first.scheduled_date, "2026-12-04 19:41:20");
    assert_eq!(
        first.scheduled_at().unwrap().to_string(),
        "2026-12-04T19:41:20Z"
    );
    assert_eq!(first.partner.name, "Contoso DC Reno");
    assert_eq!(first.partner.street, "1200 Logistics Pkwy");
    assert_eq!(first.partner.street2, "", "false maps to an empty string");
    assert_eq!(first.partner.state_code, "S31");
    assert_eq!(first.partner.country_code, "US");
    assert_eq!(first.partner.commercial_partner_name, "Contoso Retail Ltd");
    assert_eq!(
        first.partner.tags,
        vec!["Dock appointment".to_owned(), "Key account".to_owned()]
    );
    let move_ids: Vec<i64> = first.moves.iter().map(|m| m.id).collect();
    assert_eq!(move_ids, vec![31, 32, 33, 34]);
    let drill = &first.moves[2];
    assert_eq!(drill.default_code, "TL-DRILL-X1");
    assert_eq!(drill.product_uom_qty, dec!(2));
    assert_eq!(drill.uom_name, "Units");
    assert_eq!(drill.tracking, "serial");
    assert_eq!(
        drill.reserved_lots,
        vec!["DRX1-000101".to_owned(), "DRX1-000102".to_owned()]
    );

    let calls = odoo_calls(&server);
    assert!(
        calls.len() <= 12,
        "a page costs a handful of calls, got {}",
        calls.len()
    );
    for (model, method, _) in &calls {
        let limit = if model == "res.partner" { 2 } else { 1 };
        assert!(
            count(&calls, model, method) <= limit,
            "{model}.{method} called more than {limit} times"
        );
    }

    // The next page reuses the warehouse lookup.
    let query = ReadyQuery {
        write_date_from: Some("2026-12-04 19:45:08".to_owned()),
        page_size: 1,
        picking_ids: vec![],
        ..query
    };
    let page = client.ready_pickings(&query).await.unwrap();
    assert_eq!(page.iter().map(|p| p.id).collect::<Vec<_>>(), vec![2]);
    assert_eq!(client.call_counts()["stock.warehouse.search_read"], 1);
}

#[tokio::test]
async fn full_shipment_then_repeat_is_already_done() {
    let (state, server, client) = start("WHARF_TEST_KEY_FULL").await;
    let results = client.apply_shipments(&[full_shipment_one()]).await;
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].1.as_ref().unwrap(),
        &ShipmentOutcome::Validated { backorder: None }
    );

    {
        let state = state.lock().unwrap();
        let picking = state.record("stock.picking", 1).unwrap();
        assert_eq!(picking["state"], "done");
        assert_eq!(picking["carrier_id"][1], "UPS Ground");
        assert_eq!(picking["carrier_tracking_ref"], "1Z999AA10123456784");
        let lines = state.lines_of(1);
        assert_eq!(lines.len(), 5, "lot swaps reuse the reserved lines");
        assert!(lines.iter().all(|l| l["picked"] == true));
        let paint = lines.iter().find(|l| l["id"] == 32).unwrap();
        assert_eq!(paint["lot_id"][1], "PR-2412-B");
        let serials: Vec<&str> = lines
            .iter()
            .filter(|l| l["move_id"][0] == 33)
            .map(|l| l["lot_id"][1].as_str().unwrap())
            .collect();
        assert!(
            serials.contains(&"DRX1-000105") && serials.contains(&"DRX1-000102"),
            "{serials:?}"
        );
    }
    let calls = odoo_calls(&server);
    assert_eq!(count(&calls, "stock.picking", "write"), 1);
    assert_eq!(count(&calls, "stock.picking", "button_validate"), 1);
    assert_eq!(
        count(&calls, "stock.move.line", "write"),
        0,
        "move lines are written through the picking"
    );
    assert!(calls.len() <= 10, "{} calls for one picking", calls.len());
    let validate = calls
        .iter()
        .find(|(_, m, _)| m == "button_validate")
        .unwrap();
    assert_eq!(validate.2["context"]["skip_backorder"], true);
    assert_eq!(validate.2["context"]["skip_sms"], true);

    // The engine retries after a lost response: nothing is written again.
    let before = odoo_calls(&server).len();
    let again = client.apply_shipments(&[full_shipment_one()]).await;
    assert_eq!(
        again[0].1.as_ref().unwrap(),
        &ShipmentOutcome::AlreadyDone { backorder: None }
    );
    let calls = odoo_calls(&server);
    assert_eq!(count(&calls[before..], "stock.picking", "write"), 0);
    assert_eq!(
        count(&calls[before..], "stock.picking", "button_validate"),
        0
    );
}

#[tokio::test]
async fn batch_split_isolates_failing_picking() {
    let (state, server, client) = start("WHARF_TEST_KEY_SPLIT").await;
    state.lock().unwrap().failing.insert(3);
    let batch: Vec<ShipmentWrite> = [1, 2, 3, 4].into_iter().map(full).collect();
    let results = client.apply_shipments(&batch).await;

    for (picking_id, result) in &results {
        if *picking_id == 3 {
            let error = result.as_ref().unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Permanent, "{error}");
            assert!(
                error.to_string().contains("stock.picking.button_validate"),
                "{error}"
            );
            assert!(
                error.to_string().contains("odoo.exceptions.UserError"),
                "{error}"
            );
        } else {
            assert!(
                matches!(result, Ok(ShipmentOutcome::Validated { .. })),
                "{picking_id}: {result:?}"
            );
        }
    }
    assert_eq!(
        state.lock().unwrap().record("stock.picking", 3).unwrap()["state"],
        "assigned"
    );

    let validations: Vec<serde_json::Value> = odoo_calls(&server)
        .into_iter()
        .filter(|(_, method, _)| method == "button_validate")
        .map(|(_, _, args)| args["ids"].clone())
        .collect();
    assert_eq!(validations[0], json!([1, 2, 3, 4]), "the whole batch first");
    assert!(
        validations.contains(&json!([3])),
        "the failing picking stands alone: {validations:?}"
    );
    // [1,2,3,4] fails, [1,2] passes, [3,4] fails, then [3] and [4] alone.
    assert_eq!(validations.len(), 5, "{validations:?}");
    assert_eq!(count(&odoo_calls(&server), "stock.picking", "write"), 4);
}

#[tokio::test]
async fn wizard_completed_with_action_context() {
    let (state, server, client) = start("WHARF_TEST_KEY_WIZARD").await;
    state.lock().unwrap().wizard.insert(2);
    let mut short = full(2);
    short.moves[0].lots = vec![untracked(dec!(60))];
    let results = client.apply_shipments(&[full(1), short]).await;

    assert!(
        matches!(
            results[0].1,
            Ok(ShipmentOutcome::Validated { backorder: None })
        ),
        "{:?}",
        results[0]
    );
    match &results[1].1 {
        Ok(ShipmentOutcome::Validated {
            backorder: Some((_, name)),
        }) => assert_eq!(name, "WH/OUT/00002-BO"),
        other => panic!("expected a backorder: {other:?}"),
    }
    let calls = odoo_calls(&server);
    assert_eq!(count(&calls, "stock.backorder.confirmation", "create"), 1);
    assert_eq!(count(&calls, "stock.backorder.confirmation", "process"), 1);
}

#[tokio::test]
async fn short_shipment_cancel_policy_has_no_backorder() {
    let (state, _server, client) = start("WHARF_TEST_KEY_CANCEL").await;
    let mut short = full(2);
    short.moves[0].lots = vec![untracked(dec!(60))];
    short.backorder = BackorderPolicy::Cancel;
    let results = client.apply_shipments(&[short]).await;
    assert_eq!(
        results[0].1.as_ref().unwrap(),
        &ShipmentOutcome::Validated { backorder: None }
    );
    let state = state.lock().unwrap();
    let bolt = state
        .lines_of(2)
        .into_iter()
        .find(|l| l["id"] == 36)
        .unwrap();
    assert_eq!(bolt["quantity"], json!(60));
}

#[tokio::test]
async fn nothing_shipped_is_refused_without_writing() {
    let (_state, server, client) = start("WHARF_TEST_KEY_NOTHING").await;
    let results = client.apply_shipments(&[shipment(4, vec![])]).await;
    let error = results[0].1.as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert!(error.to_string().contains("WH/OUT/00004"), "{error}");
    assert_eq!(count(&odoo_calls(&server), "stock.picking", "write"), 0);
    assert_eq!(
        count(&odoo_calls(&server), "stock.picking", "button_validate"),
        0
    );
}

#[tokio::test]
async fn unknown_lot_refused_or_created() {
    let (state, server, client) = start("WHARF_TEST_KEY_LOTS").await;
    let mut write = full(2);
    write.moves[1].lots = vec![LotQty {
        lot_name: Some("SK-9999".to_owned()),
        expiry_date: Some("2027-03-31".to_owned()),
        quantity: dec!(10),
    }];
    let refused = client.apply_shipments(std::slice::from_ref(&write)).await;
    let error = refused[0].1.as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert!(error.to_string().contains("SK-9999"), "{error}");

    write.create_unknown_lots = true;
    let created = client.apply_shipments(&[write]).await;
    assert!(
        matches!(created[0].1, Ok(ShipmentOutcome::Validated { .. })),
        "{:?}",
        created[0]
    );
    let calls = odoo_calls(&server);
    let create = calls
        .iter()
        .find(|(m, f, _)| m == "stock.lot" && f == "create")
        .unwrap();
    assert_eq!(create.2["vals_list"][0]["name"], "SK-9999");
    assert_eq!(
        create.2["vals_list"][0]["expiration_date"],
        "2027-03-31 00:00:00"
    );
    let state = state.lock().unwrap();
    let seal = state
        .lines_of(2)
        .into_iter()
        .find(|l| l["id"] == 37)
        .unwrap();
    assert_eq!(
        seal["lot_id"][1], "SK-9999",
        "the new lot replaced the reserved one on its line"
    );
}

#[tokio::test]
async fn cancelled_and_waiting_pickings_refused() {
    let (state, _server, client) = start("WHARF_TEST_KEY_STATES").await;
    state
        .lock()
        .unwrap()
        .models
        .get_mut("stock.picking")
        .unwrap()
        .iter_mut()
        .find(|p| p["id"] == 4)
        .unwrap()
        .insert("state".to_owned(), json!("cancel"));
    let results = client
        .apply_shipments(&[
            full(4),
            shipment(5, vec![shipped(40, 3, vec![untracked(dec!(2))])]),
        ])
        .await;
    let cancelled = results[0].1.as_ref().unwrap_err();
    assert_eq!(cancelled.kind(), ErrorKind::Permanent);
    assert!(
        cancelled.to_string().contains("WH/OUT/00004")
            && cancelled.to_string().contains("cancelled"),
        "{cancelled}"
    );
    let waiting = results[1].1.as_ref().unwrap_err();
    assert!(
        waiting.to_string().contains("EWR/OUT/00001") && waiting.to_string().contains("confirmed"),
        "{waiting}"
    );
}

#[tokio::test]
async fn jsonrpc_shipment_on_odoo18_wire() {
    let state = fake::load();
    let server = fake::serve(state.clone(), "odoo18").await;
    let client = connect(&server, Protocol::Auto, "WHARF_TEST_KEY_RPC_SHIP").await;
    assert_eq!(client.protocol(), Protocol::JsonRpc);
    let results = client.apply_shipments(&[full(3)]).await;
    assert!(
        matches!(
            results[0].1,
            Ok(ShipmentOutcome::Validated { backorder: None })
        ),
        "{:?}",
        results[0]
    );
    assert_eq!(
        state.lock().unwrap().record("stock.picking", 3).unwrap()["state"],
        "done"
    );
}

#[tokio::test]
async fn retry_after_failed_validation_writes_nothing_again() {
    let (state, server, client) = start("WHARF_TEST_KEY_CONVERGE").await;
    state.lock().unwrap().failing.insert(1);
    let first = client.apply_shipments(&[full_shipment_one()]).await;
    assert!(first[0].1.is_err());
    let lines_after_first = state.lock().unwrap().lines_of(1);

    state.lock().unwrap().failing.clear();
    let before = odoo_calls(&server).len();
    let second = client.apply_shipments(&[full_shipment_one()]).await;
    assert_eq!(
        second[0].1.as_ref().unwrap(),
        &ShipmentOutcome::Validated { backorder: None }
    );
    let calls = odoo_calls(&server);
    assert_eq!(
        count(&calls[before..], "stock.picking", "write"),
        0,
        "the lines already match the shipment"
    );
    assert_eq!(count(&calls[before..], "stock.lot", "create"), 0);
    assert_eq!(
        state.lock().unwrap().lines_of(1).len(),
        lines_after_first.len()
    );
}

#[tokio::test]
async fn transient_validation_error_is_not_split() {
    let (state, server, client) = start("WHARF_TEST_KEY_UNAVAILABLE").await;
    state.lock().unwrap().unavailable = true;
    let batch: Vec<ShipmentWrite> = [1, 2, 3].into_iter().map(full).collect();
    let results = client.apply_shipments(&batch).await;
    for (picking_id, result) in &results {
        let error = result.as_ref().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Transient, "{picking_id}: {error}");
    }
    assert_eq!(
        count(&odoo_calls(&server), "stock.picking", "button_validate"),
        1
    );
}

#[tokio::test]
async fn expired_lot_needs_permission() {
    let (state, server, client) = start("WHARF_TEST_KEY_EXPIRED").await;
    state.lock().unwrap().expired.insert(4);
    let refused = client.apply_shipments(&[full(4)]).await;
    let error = refused[0].1.as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert!(error.to_string().contains("expiry"), "{error}");

    let mut allowed = full(4);
    allowed.ship_expired_lots = true;
    let results = client.apply_shipments(&[allowed]).await;
    assert!(
        matches!(results[0].1, Ok(ShipmentOutcome::Validated { .. })),
        "{:?}",
        results[0]
    );
    let last = odoo_calls(&server)
        .into_iter()
        .rfind(|(_, m, _)| m == "button_validate")
        .unwrap();
    assert_eq!(last.2["context"]["skip_expired"], true);
}

#[tokio::test]
async fn sms_wizard_revalidates_with_skip_sms() {
    let (state, server, client) = start("WHARF_TEST_KEY_SMS").await;
    state.lock().unwrap().sms_once.insert(3);
    let results = client.apply_shipments(&[full(3)]).await;
    assert!(
        matches!(results[0].1, Ok(ShipmentOutcome::Validated { .. })),
        "{:?}",
        results[0]
    );
    let calls = odoo_calls(&server);
    assert_eq!(
        count(&calls, "confirm.stock.sms", "dont_send_sms"),
        0,
        "the company setting is left alone"
    );
    let validations: Vec<_> = calls
        .iter()
        .filter(|(_, m, _)| m == "button_validate")
        .collect();
    assert_eq!(validations.len(), 2);
    assert_eq!(validations[1].2["context"]["skip_sms"], true);
    assert_eq!(
        validations[1].2["context"]["button_validate_picking_ids"],
        json!([3])
    );
}

#[tokio::test]
async fn ready_pickings_page_boundary_within_one_second() {
    let (state, _server, client) = start("WHARF_TEST_KEY_BOUNDARY").await;
    for picking in state
        .lock()
        .unwrap()
        .models
        .get_mut("stock.picking")
        .unwrap()
    {
        picking.insert("write_date".to_owned(), json!("2026-12-04 19:45:00"));
    }
    let mut query = ReadyQuery {
        warehouse_codes: vec!["WH".to_owned()],
        write_date_from: None,
        after_id: None,
        page_size: 2,
        picking_ids: vec![],
        credit_hold_field: None,
    };
    let mut seen = Vec::new();
    for _ in 0..4 {
        let page = client.ready_pickings(&query).await.unwrap();
        let Some(last) = page.last() else { break };
        query.write_date_from = Some(last.write_date.clone());
        query.after_id = Some(last.id);
        seen.extend(page.iter().map(|p| p.id));
    }
    assert_eq!(
        seen,
        vec![1, 2, 3, 4],
        "each ready picking once, in id order within the second"
    );
}

#[tokio::test]
async fn add_tracking_merges_numbers_once() {
    let (state, server, client) = start("WHARF_TEST_KEY_TRACKING").await;
    let numbers = vec!["1Z1".to_owned(), "1Z2".to_owned()];
    client.add_tracking(2, &numbers).await.unwrap();
    client.add_tracking(2, &numbers[1..]).await.unwrap();
    assert_eq!(
        state.lock().unwrap().record("stock.picking", 2).unwrap()["carrier_tracking_ref"],
        "1Z1,1Z2"
    );
    assert_eq!(
        count(&odoo_calls(&server), "stock.picking", "write"),
        1,
        "the repeat writes nothing"
    );
}
