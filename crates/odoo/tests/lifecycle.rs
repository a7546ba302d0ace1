//! What follows a release (changed and cancelled pickings, customer returns,
//! expected receipts and booked receipts) against a small stateful fake of
//! Odoo's pickings, over JSON-RPC (Odoo 17 and 18) and JSON-2 (Odoo 19).

mod common;

use std::sync::{Arc, Mutex};

use common::lifecycle_fake::{self, calls, field_id, LifecycleFake, LifecycleState};
use common::{transcript, MockServer};
use rust_decimal_macros::dec;
use serde_json::{json, Map, Value};
use wharf_odoo::stock::{
    apply_receipt, changed_pickings, create_return, incoming_pickings, BackorderPolicy,
    ChangedQuery, IncomingQuery, ReceiptLot, ReceiptMove, ReceiptOutcome, ReceiptWrite, ReturnItem,
    ReturnLine, ReturnRequest,
};
use wharf_odoo::{Client, Error, ErrorKind, Protocol};

/// The recorded servers and the protocol each is reached with.
const SERVERS: [(&str, Protocol); 3] = [
    ("odoo17", Protocol::JsonRpc),
    ("odoo18", Protocol::JsonRpc),
    ("odoo19", Protocol::Json2),
];

type Call = (String, String, Map<String, Value>);

async fn start(
    state: LifecycleState,
    protocol: Protocol,
    key_env: &str,
) -> (LifecycleFake, MockServer, Client) {
    let fake = Arc::new(Mutex::new(state));
    let server = lifecycle_fake::serve(fake.clone()).await;
    let config = common::config(&server.url(), protocol, key_env, "test-key-0123456789");
    let client = Client::connect(&config).await.unwrap();
    (fake, server, client)
}

fn find<'a>(calls: &'a [Call], model: &str, method: &str) -> Vec<&'a Map<String, Value>> {
    calls
        .iter()
        .filter(|(m, f, _)| m == model && f == method)
        .map(|(_, _, args)| args)
        .collect()
}

fn call_names(calls: &[Call]) -> Vec<String> {
    calls
        .iter()
        .map(|(model, method, _)| format!("{model}.{method}"))
        .collect()
}

/// Returns the first product with this tracking, and with lots that expire
/// when `expiring` is set.
fn product_with(fake: &LifecycleFake, tracking: &str, expiring: bool) -> i64 {
    let state = fake.lock().unwrap();
    state.models["product.product"]
        .iter()
        .find(|p| p["tracking"] == tracking && p["use_expiration_date"] == expiring)
        .and_then(|p| p["id"].as_i64())
        .unwrap()
}

fn moves_of(fake: &LifecycleFake, picking_id: i64) -> Vec<Map<String, Value>> {
    fake.lock()
        .unwrap()
        .children("stock.move", "picking_id", picking_id)
}

fn lines_of(fake: &LifecycleFake, picking_id: i64) -> Vec<Map<String, Value>> {
    fake.lock()
        .unwrap()
        .children("stock.move.line", "picking_id", picking_id)
}

fn id(record: &Map<String, Value>) -> i64 {
    record["id"].as_i64().unwrap()
}

/// Returns the lot name on the first line of a delivered move.
fn delivered_lot_of(fake: &LifecycleFake, move_id: i64) -> String {
    let state = fake.lock().unwrap();
    let lines = state.children("stock.move.line", "move_id", move_id);
    lines[0]["lot_id"][1].as_str().unwrap().to_owned()
}

fn one_lot(
    lot_name: Option<&str>,
    quantity: rust_decimal::Decimal,
    expiry: Option<&str>,
) -> Vec<ReceiptLot> {
    vec![ReceiptLot {
        lot_name: lot_name.map(str::to_owned),
        quantity,
        expiry_date: expiry.map(str::to_owned),
    }]
}

fn receipt(picking_id: i64, moves: Vec<ReceiptMove>, backorder: BackorderPolicy) -> ReceiptWrite {
    ReceiptWrite {
        picking_id,
        moves,
        destination_location_id: None,
        backorder,
    }
}

fn permanent_naming(error: &Error, name: &str) {
    assert_eq!(error.kind(), ErrorKind::Permanent, "{error}");
    assert!(error.to_string().contains(name), "{error}");
}

#[tokio::test]
async fn changed_pickings_pages_with_cursor() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        // Pickings 2 and 3 share a write date, so the id breaks the tie.
        for picking_id in [2, 3] {
            state
                .record_mut("stock.picking", picking_id)
                .unwrap()
                .insert("write_date".into(), json!("2026-12-04 19:45:07"));
        }
        state
            .record_mut("stock.picking", 3)
            .unwrap()
            .insert("state".into(), json!("cancel"));
        let changed_move = id(&state.children("stock.move", "picking_id", 2)[0]);
        state
            .record_mut("stock.move", changed_move)
            .unwrap()
            .insert("product_uom_qty".into(), json!(7.0));
        let (_fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_CHANGED_{version}")).await;

        let mut query = ChangedQuery {
            picking_ids: vec![1, 2, 3, 4],
            write_date_from: None,
            after_id: None,
            page_size: 2,
        };
        let first = changed_pickings(&client, &query).await.unwrap();
        let ids: Vec<i64> = first.iter().map(|p| p.id).collect();
        assert_eq!(ids, vec![4, 2], "{version}");
        assert_eq!(
            calls(&server).len(),
            3,
            "{version}: one page costs three calls"
        );

        let last = first.last().unwrap();
        query.write_date_from = Some(last.write_date.clone());
        query.after_id = Some(last.id);
        let second = changed_pickings(&client, &query).await.unwrap();
        let ids: Vec<i64> = second.iter().map(|p| p.id).collect();
        assert_eq!(ids, vec![3, 1], "{version}");
        assert_eq!(second[0].state, "cancel", "{version}");
        let demand = first[1]
            .moves
            .iter()
            .find(|m| m.id == changed_move)
            .unwrap();
        assert_eq!(demand.product_uom_qty, dec!(7), "{version}");
        assert!(!demand.sku.is_empty(), "{version}");

        let last = second.last().unwrap();
        query.write_date_from = Some(last.write_date.clone());
        query.after_id = Some(last.id);
        assert!(
            changed_pickings(&client, &query).await.unwrap().is_empty(),
            "{version}"
        );
        let sent = calls(&server);
        assert_eq!(
            sent.len(),
            7,
            "{version}: two full pages and one empty page"
        );
        assert_eq!(
            find(&sent, "stock.move", "search_read").len(),
            2,
            "{version}"
        );
        assert_eq!(find(&sent, "product.product", "read").len(), 2, "{version}");
        let domain = &find(&sent, "stock.picking", "search_read")[1]["domain"];
        assert_eq!(domain[0], json!(["id", "in", [1, 2, 3, 4]]), "{version}");
    }
}

#[tokio::test]
async fn changed_pickings_without_ids_costs_nothing() {
    let (_fake, server, client) = start(
        LifecycleState::new("odoo18"),
        Protocol::JsonRpc,
        "LIFECYCLE_CHANGED_EMPTY",
    )
    .await;
    let query = ChangedQuery {
        picking_ids: Vec::new(),
        write_date_from: None,
        after_id: None,
        page_size: 50,
    };
    assert!(changed_pickings(&client, &query).await.unwrap().is_empty());
    assert!(calls(&server).is_empty());
}

#[tokio::test]
async fn create_return_as_recorded_in_17_and_18() {
    for (version, method, other) in [
        ("odoo17", "create_returns", "action_create_returns"),
        ("odoo18", "action_create_returns", "create_returns"),
    ] {
        let mut state = LifecycleState::new(version);
        state.mark_done(1);
        let (fake, server, client) = start(
            state,
            Protocol::JsonRpc,
            &format!("LIFECYCLE_RETURN_{version}"),
        )
        .await;

        let request = ReturnRequest {
            picking_id: 1,
            lines: vec![
                ReturnLine {
                    item: ReturnItem::Move(21),
                    quantity: dec!(2),
                },
                ReturnLine {
                    item: ReturnItem::Product(7),
                    quantity: dec!(1),
                },
            ],
        };
        let created = create_return(&client, &request).await.unwrap();
        assert!(!created.already_existed, "{version}");
        assert_eq!(created.name, "WH/IN/00001", "{version}");

        // The wizard calls carry the recorded arguments.
        let recorded = transcript(version, "08_customer_return.json");
        let recorded_args = |index: usize| recorded[index]["request"]["params"]["args"][5].clone();
        let sent = calls(&server);
        let wizard_create = find(&sent, "stock.return.picking", "create");
        assert_eq!(wizard_create[0]["vals_list"], recorded_args(0), "{version}");
        assert_eq!(
            wizard_create[0]["context"]["active_id"],
            json!(1),
            "{version}"
        );
        let write = find(&sent, "stock.return.picking", "write");
        assert_eq!(
            json!([write[0]["ids"], write[0]["vals"]]),
            recorded_args(2),
            "{version}: every line written"
        );
        assert_eq!(
            find(&sent, "stock.return.picking", method).len(),
            1,
            "{version}"
        );
        assert!(
            find(&sent, "stock.return.picking", other).is_empty(),
            "{version}"
        );

        // 17 pre-filled the third line with 20: the write set it to 0.
        let state = fake.lock().unwrap();
        let third = state.record("stock.return.picking.line", 3).unwrap();
        assert_eq!(third["quantity"], json!(0), "{version}");
        let returned = state
            .record("stock.picking", created.return_picking_id)
            .unwrap();
        assert_eq!(
            returned["origin"],
            json!("Return of WH/OUT/00001"),
            "{version}"
        );
    }
}

#[tokio::test]
async fn create_return_over_json2_in_19() {
    let mut state = LifecycleState::new("odoo19");
    state.mark_done(1);
    let (fake, server, client) = start(state, Protocol::Json2, "LIFECYCLE_RETURN_19").await;
    let drill = product_with(&fake, "serial", false);
    let request = ReturnRequest {
        picking_id: 1,
        lines: vec![
            ReturnLine {
                item: ReturnItem::Move(31),
                quantity: dec!(1),
            },
            ReturnLine {
                item: ReturnItem::Product(drill),
                quantity: dec!(1),
            },
        ],
    };
    let created = create_return(&client, &request).await.unwrap();

    let sent = calls(&server);
    assert_eq!(
        find(&sent, "stock.return.picking", "action_create_returns")[0]["ids"],
        json!([1])
    );
    let write = find(&sent, "stock.return.picking", "write");
    let commands = write[0]["vals"]["product_return_moves"].as_array().unwrap();
    assert_eq!(
        commands.len(),
        4,
        "every wizard line is written, not only those above 0"
    );
    assert_eq!(commands[0], json!([1, 1, {"quantity": 1}]));
    assert_eq!(commands[1], json!([1, 2, {"quantity": 0}]));
    assert_eq!(commands[2], json!([1, 3, {"quantity": 1}]));
    let returned = moves_of(&fake, created.return_picking_id);
    assert_eq!(returned.len(), 2);
}

#[tokio::test]
async fn create_return_retry_finds_earlier_return() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        state.mark_done(1);
        let (fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_RETRY_{version}")).await;
        let first_move = id(&moves_of(&fake, 1)[0]);
        let request = ReturnRequest {
            picking_id: 1,
            lines: vec![ReturnLine {
                item: ReturnItem::Move(first_move),
                quantity: dec!(1),
            }],
        };

        let created = create_return(&client, &request).await.unwrap();
        let again = create_return(&client, &request).await.unwrap();
        assert!(again.already_existed, "{version}");
        assert_eq!(
            again.return_picking_id, created.return_picking_id,
            "{version}"
        );
        assert_eq!(again.name, created.name, "{version}");
        let sent = calls(&server);
        assert_eq!(
            find(&sent, "stock.return.picking", "create").len(),
            1,
            "{version}: one wizard only"
        );

        // Other quantities are another return.
        let more = ReturnRequest {
            picking_id: 1,
            lines: vec![ReturnLine {
                item: ReturnItem::Move(first_move),
                quantity: dec!(2),
            }],
        };
        let second = create_return(&client, &more).await.unwrap();
        assert!(!second.already_existed, "{version}");
        assert_ne!(
            second.return_picking_id, created.return_picking_id,
            "{version}"
        );
    }
}

#[tokio::test]
async fn create_return_rejects_open_delivery_and_excess() {
    let mut state = LifecycleState::new("odoo18");
    state.mark_done(1);
    let (_fake, server, client) = start(state, Protocol::JsonRpc, "LIFECYCLE_RETURN_REJECT").await;

    let open = ReturnRequest {
        picking_id: 2,
        lines: vec![ReturnLine {
            item: ReturnItem::Product(2),
            quantity: dec!(1),
        }],
    };
    let error = create_return(&client, &open).await.unwrap_err();
    permanent_naming(&error, "WH/OUT/00002");
    assert!(find(&calls(&server), "stock.return.picking", "create").is_empty());

    let excess = ReturnRequest {
        picking_id: 1,
        lines: vec![ReturnLine {
            item: ReturnItem::Move(21),
            quantity: dec!(11),
        }],
    };
    let error = create_return(&client, &excess).await.unwrap_err();
    permanent_naming(&error, "WH/OUT/00001");
    assert!(error.to_string().contains("11"), "{error}");
    assert!(find(&calls(&server), "stock.return.picking", "write").is_empty());

    let unknown = ReturnRequest {
        picking_id: 1,
        lines: vec![ReturnLine {
            item: ReturnItem::Product(11),
            quantity: dec!(1),
        }],
    };
    let error = create_return(&client, &unknown).await.unwrap_err();
    permanent_naming(&error, "Product(11)");
}

#[tokio::test]
async fn apply_receipt_new_lot_with_expiry() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        let expiring = state.models["product.product"]
            .iter()
            .find(|p| p["tracking"] == "lot" && p["use_expiration_date"] == true)
            .and_then(|p| p["id"].as_i64())
            .unwrap();
        let picking = state.add_receipt("PO00012", &[(expiring, 40.0), (2, 10.0)]);
        let (fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_NEW_LOT_{version}")).await;
        let moves = moves_of(&fake, picking);
        let (expiring_move, plain_move) = (id(&moves[0]), id(&moves[1]));
        let write = receipt(
            picking,
            vec![
                ReceiptMove {
                    move_id: expiring_move,
                    lots: one_lot(Some("GL-2609-X"), dec!(40), Some("2027-09-30")),
                },
                ReceiptMove {
                    move_id: plain_move,
                    lots: one_lot(None, dec!(10), None),
                },
            ],
            BackorderPolicy::Create,
        );
        let outcome = apply_receipt(&client, &write).await.unwrap();
        assert_eq!(
            outcome,
            ReceiptOutcome::Received { backorder: None },
            "{version}"
        );

        let sent = calls(&server);
        assert_eq!(sent.len(), 8, "{version}: {:?}", call_names(&sent));
        let lines = lines_of(&fake, picking);
        let commands = &find(&sent, "stock.picking", "write")[0]["vals"]["move_line_ids"];
        assert_eq!(
            commands[0],
            json!([1, id(&lines[0]), {"lot_name": "GL-2609-X", "expiration_date": "2027-09-30 00:00:00", "picked": true}]),
            "{version}"
        );
        assert_eq!(
            commands[1],
            json!([1, id(&lines[1]), {"picked": true}]),
            "{version}"
        );
        let context = &find(&sent, "stock.picking", "button_validate")[0]["context"];
        assert_eq!(context["skip_backorder"], json!(true), "{version}");

        let state = fake.lock().unwrap();
        assert_eq!(
            state.record("stock.picking", picking).unwrap()["state"],
            json!("done"),
            "{version}"
        );
        let lot = state.models["stock.lot"]
            .iter()
            .find(|l| l["name"] == "GL-2609-X")
            .unwrap();
        assert_eq!(
            lot["expiration_date"],
            json!("2027-09-30 00:00:00"),
            "{version}"
        );
    }
}

#[tokio::test]
async fn apply_receipt_splits_known_and_new_lots() {
    let mut state = LifecycleState::new("odoo18");
    let picking = state.add_receipt("PO00013", &[(7, 40.0)]);
    let (fake, server, client) = start(state, Protocol::JsonRpc, "LIFECYCLE_SPLIT").await;
    let move_id = id(&moves_of(&fake, picking)[0]);
    let line_id = id(&lines_of(&fake, picking)[0]);
    let lots = vec![
        ReceiptLot {
            lot_name: Some("PW-2410-B".into()),
            quantity: dec!(25),
            expiry_date: None,
        },
        ReceiptLot {
            lot_name: Some("PW-2501-C".into()),
            quantity: dec!(15),
            expiry_date: None,
        },
    ];
    let write = receipt(
        picking,
        vec![ReceiptMove { move_id, lots }],
        BackorderPolicy::Create,
    );
    apply_receipt(&client, &write).await.unwrap();

    let sent = calls(&server);
    let lot_search = &find(&sent, "stock.lot", "search_read")[0]["domain"];
    assert_eq!(
        lot_search[0],
        json!(["name", "in", ["PW-2410-B", "PW-2501-C"]])
    );
    let commands = find(&sent, "stock.picking", "write")[0]["vals"]["move_line_ids"].clone();
    assert_eq!(
        commands[0],
        json!([1, line_id, {"lot_id": 2, "lot_name": "PW-2410-B", "quantity": 25, "picked": true}])
    );
    assert_eq!(commands[1][0], json!(0));
    assert_eq!(commands[1][2]["lot_name"], json!("PW-2501-C"));
    assert_eq!(commands[1][2]["quantity"], json!(15));
    assert_eq!(commands[1][2]["picked"], json!(true));
}

#[tokio::test]
async fn apply_receipt_short_creates_backorder() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        let short = state.add_receipt("PO00014", &[(2, 40.0)]);
        let closed = state.add_receipt("PO00015", &[(2, 40.0)]);
        let (fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_SHORT_{version}")).await;

        let move_id = id(&moves_of(&fake, short)[0]);
        let write = receipt(
            short,
            vec![ReceiptMove {
                move_id,
                lots: one_lot(None, dec!(30), None),
            }],
            BackorderPolicy::Create,
        );
        let ReceiptOutcome::Received {
            backorder: Some((_, name)),
        } = apply_receipt(&client, &write).await.unwrap()
        else {
            panic!("{version}: expected a backorder");
        };
        assert!(name.starts_with("WH/IN/"), "{version}: {name}");

        let move_id = id(&moves_of(&fake, closed)[0]);
        let write = receipt(
            closed,
            vec![ReceiptMove {
                move_id,
                lots: one_lot(None, dec!(30), None),
            }],
            BackorderPolicy::Cancel,
        );
        assert_eq!(
            apply_receipt(&client, &write).await.unwrap(),
            ReceiptOutcome::Received { backorder: None },
            "{version}"
        );
        let validations = find(&calls(&server), "stock.picking", "button_validate")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>();
        assert_eq!(
            validations[1]["context"]["picking_ids_not_to_backorder"],
            json!([closed]),
            "{version}"
        );
    }
}

#[tokio::test]
async fn apply_receipt_completes_backorder_wizard() {
    let mut state = LifecycleState::new("odoo18");
    let picking = state.add_receipt("PO00016", &[(2, 40.0)]);
    state.wizard.insert(picking);
    let (fake, server, client) = start(state, Protocol::JsonRpc, "LIFECYCLE_WIZARD").await;
    let move_id = id(&moves_of(&fake, picking)[0]);
    let write = receipt(
        picking,
        vec![ReceiptMove {
            move_id,
            lots: one_lot(None, dec!(12), None),
        }],
        BackorderPolicy::Create,
    );
    let outcome = apply_receipt(&client, &write).await.unwrap();
    assert!(
        matches!(outcome, ReceiptOutcome::Received { backorder: Some(_) }),
        "{outcome:?}"
    );
    let sent = calls(&server);
    assert_eq!(
        find(&sent, "stock.backorder.confirmation", "process").len(),
        1
    );
}

#[tokio::test]
async fn apply_receipt_leaves_done_picking_untouched() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        let picking = state.add_receipt("PO00017", &[(2, 5.0)]);
        state.mark_done(picking);
        let (fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_DONE_{version}")).await;
        let move_id = id(&moves_of(&fake, picking)[0]);
        let write = receipt(
            picking,
            vec![ReceiptMove {
                move_id,
                lots: one_lot(None, dec!(5), None),
            }],
            BackorderPolicy::Create,
        );
        let outcome = apply_receipt(&client, &write).await.unwrap();
        assert_eq!(
            outcome,
            ReceiptOutcome::AlreadyDone { backorder: None },
            "{version}"
        );
        let names = call_names(&calls(&server));
        assert_eq!(
            names,
            vec!["stock.picking.read", "stock.picking.search_read"],
            "{version}"
        );
    }
}

#[tokio::test]
async fn apply_receipt_rejects_before_writing() {
    let mut state = LifecycleState::new("odoo18");
    let picking = state.add_receipt("PO00018", &[(2, 5.0)]);
    let cancelled = state.add_receipt("PO00019", &[(2, 5.0)]);
    state
        .record_mut("stock.picking", cancelled)
        .unwrap()
        .insert("state".into(), json!("cancel"));
    let (fake, server, client) = start(state, Protocol::JsonRpc, "LIFECYCLE_REJECT").await;
    let move_id = id(&moves_of(&fake, picking)[0]);

    let nothing = receipt(
        picking,
        vec![ReceiptMove {
            move_id,
            lots: one_lot(None, dec!(0), None),
        }],
        BackorderPolicy::Create,
    );
    let error = apply_receipt(&client, &nothing).await.unwrap_err();
    permanent_naming(&error, "WH/IN/00001");
    assert!(error.to_string().contains("nothing is received"), "{error}");

    let outgoing = receipt(1, vec![], BackorderPolicy::Create);
    permanent_naming(
        &apply_receipt(&client, &outgoing).await.unwrap_err(),
        "WH/OUT/00001",
    );
    let error = apply_receipt(
        &client,
        &receipt(cancelled, vec![], BackorderPolicy::Create),
    )
    .await
    .unwrap_err();
    permanent_naming(&error, "WH/IN/00002");
    assert!(error.to_string().contains("cancelled"), "{error}");

    let bad_date = receipt(
        picking,
        vec![ReceiptMove {
            move_id,
            lots: one_lot(None, dec!(5), Some("30.09.2027")),
        }],
        BackorderPolicy::Create,
    );
    let error = apply_receipt(&client, &bad_date).await.unwrap_err();
    assert!(error.to_string().contains("\"30.09.2027\""), "{error}");

    let sent = calls(&server);
    assert!(find(&sent, "stock.picking", "write").is_empty());
    assert!(find(&sent, "stock.picking", "button_validate").is_empty());
}

#[tokio::test]
async fn return_received_into_other_location() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        state.mark_done(1);
        let scrap = state.models["stock.location"]
            .iter()
            .find(|l| l["usage"] == "inventory")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_DISPOSITION_{version}")).await;
        let first_move = id(&moves_of(&fake, 1)[0]);
        let request = ReturnRequest {
            picking_id: 1,
            lines: vec![ReturnLine {
                item: ReturnItem::Move(first_move),
                quantity: dec!(1),
            }],
        };
        let created = create_return(&client, &request).await.unwrap();

        let returned_move = id(&moves_of(&fake, created.return_picking_id)[0]);
        let mut write = receipt(
            created.return_picking_id,
            vec![ReceiptMove {
                move_id: returned_move,
                lots: one_lot(None, dec!(1), None),
            }],
            BackorderPolicy::Cancel,
        );
        write.destination_location_id = Some(scrap);
        apply_receipt(&client, &write).await.unwrap();

        let sent = calls(&server);
        let vals = &find(&sent, "stock.picking", "write")[0]["vals"];
        assert_eq!(vals["location_dest_id"], json!(scrap), "{version}");
        assert_eq!(
            vals["move_line_ids"][0][2]["location_dest_id"],
            json!(scrap),
            "{version}"
        );
        let line = &lines_of(&fake, created.return_picking_id)[0];
        assert_eq!(
            field_id(&line["location_dest_id"]),
            json!(scrap),
            "{version}"
        );
    }
}

#[tokio::test]
async fn incoming_pickings_lists_receipts_and_returns() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        let expiring = state.models["product.product"]
            .iter()
            .find(|p| p["use_expiration_date"] == true)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let purchase = state.add_receipt("PO00020", &[(expiring, 48.0), (2, 10.0)]);
        let done = state.add_receipt("PO00021", &[(2, 1.0)]);
        state.mark_done(done);
        state.mark_done(1);
        let (fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_INCOMING_{version}")).await;
        let delivered = moves_of(&fake, 1);
        let (untracked_move, lot_move) = (id(&delivered[0]), id(&delivered[1]));
        let delivered_lot = delivered_lot_of(&fake, lot_move);
        let request = ReturnRequest {
            picking_id: 1,
            lines: vec![
                ReturnLine {
                    item: ReturnItem::Move(untracked_move),
                    quantity: dec!(1),
                },
                ReturnLine {
                    item: ReturnItem::Move(lot_move),
                    quantity: dec!(1),
                },
            ],
        };
        let returned = create_return(&client, &request).await.unwrap();
        let before = calls(&server).len();

        let query = IncomingQuery {
            warehouse_codes: vec!["WH".into()],
            write_date_from: None,
            after_id: None,
            page_size: 10,
        };
        let page = incoming_pickings(&client, &query).await.unwrap();
        let ids: Vec<i64> = page.iter().map(|p| p.id).collect();
        assert_eq!(ids, vec![purchase, returned.return_picking_id], "{version}");
        assert_eq!(
            calls(&server).len() - before,
            7,
            "{version}: one move line read for the tracked moves"
        );

        let receipt = &page[0];
        assert_eq!(receipt.origin, "PO00020", "{version}");
        assert_eq!(receipt.return_of, None, "{version}");
        assert_eq!(receipt.warehouse_code, "WH", "{version}");
        assert_eq!(receipt.moves.len(), 2, "{version}");
        assert_eq!(receipt.moves[0].tracking, "lot", "{version}");
        assert!(receipt.moves[0].use_expiration_date, "{version}");
        assert_eq!(receipt.moves[0].product_uom_qty, dec!(48), "{version}");
        assert!(!receipt.moves[1].use_expiration_date, "{version}");
        assert!(
            receipt.moves[0].reserved_lots.is_empty(),
            "{version}: a purchase receipt names no lot yet"
        );
        let customer_return = &page[1];
        assert_eq!(
            customer_return.return_of,
            Some((1, "WH/OUT/00001".to_owned())),
            "{version}"
        );
        assert_eq!(customer_return.moves.len(), 2, "{version}");
        assert!(
            customer_return.moves[0].reserved_lots.is_empty(),
            "{version}: untracked"
        );
        assert_eq!(customer_return.moves[1].tracking, "lot", "{version}");
        assert_eq!(
            customer_return.moves[1].reserved_lots,
            vec![delivered_lot.clone()],
            "{version}: the delivered lot"
        );

        let unknown = IncomingQuery {
            warehouse_codes: vec!["NOPE".into()],
            ..query
        };
        let error = incoming_pickings(&client, &unknown).await.unwrap_err();
        assert!(error.to_string().contains("\"NOPE\""), "{error}");
    }
}

#[tokio::test]
async fn incoming_lots_follow_line_order() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        let serial = state.models["product.product"]
            .iter()
            .find(|p| p["tracking"] == "serial")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let picking = state.add_receipt("PO00022", &[(serial, 3.0), (2, 4.0)]);
        let moves = state.children("stock.move", "picking_id", picking);
        let (serial_move, untracked_move) = (id(&moves[0]), id(&moves[1]));
        let known = state.pair("stock.lot", 1);
        let known_name = known[1].as_str().unwrap().to_owned();

        // Lines in id order: a typed name, a known lot twice, an empty line.
        let first_line = id(&state.children("stock.move.line", "move_id", serial_move)[0]);
        state
            .record_mut("stock.move.line", first_line)
            .unwrap()
            .insert("lot_name".into(), json!("SN-NEW-1"));
        state.add_line(serial_move, known.clone(), json!(false));
        state.add_line(serial_move, known, json!(known_name));
        state.add_line(serial_move, json!(false), json!(false));
        let untracked_line = id(&state.children("stock.move.line", "move_id", untracked_move)[0]);
        state
            .record_mut("stock.move.line", untracked_line)
            .unwrap()
            .insert("lot_name".into(), json!("IGNORED"));
        let (_fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_LOT_ORDER_{version}")).await;

        let query = IncomingQuery {
            warehouse_codes: vec!["WH".into()],
            write_date_from: None,
            after_id: None,
            page_size: 10,
        };
        let page = incoming_pickings(&client, &query).await.unwrap();
        assert_eq!(page.len(), 1, "{version}");
        let receipt = &page[0];
        assert_eq!(
            receipt.moves[0].reserved_lots,
            vec!["SN-NEW-1".to_owned(), known_name.clone()],
            "{version}: line order, each name once, lot_name without lot_id"
        );
        assert!(
            receipt.moves[1].reserved_lots.is_empty(),
            "{version}: an untracked move lists no lot"
        );

        let sent = calls(&server);
        let line_reads = find(&sent, "stock.move.line", "search_read");
        assert_eq!(line_reads.len(), 1, "{version}");
        assert_eq!(
            line_reads[0]["domain"],
            json!([["move_id", "in", [serial_move]]]),
            "{version}: only the tracked moves' lines"
        );
    }
}

#[tokio::test]
async fn incoming_untracked_page_reads_no_lines() {
    for (version, protocol) in SERVERS {
        let mut state = LifecycleState::new(version);
        state.add_receipt("PO00023", &[(2, 4.0)]);
        let (_fake, server, client) =
            start(state, protocol, &format!("LIFECYCLE_UNTRACKED_{version}")).await;

        let query = IncomingQuery {
            warehouse_codes: vec!["WH".into()],
            write_date_from: None,
            after_id: None,
            page_size: 10,
        };
        let page = incoming_pickings(&client, &query).await.unwrap();
        assert_eq!(page.len(), 1, "{version}");
        assert!(page[0].moves[0].reserved_lots.is_empty(), "{version}");
        let sent = calls(&server);
        assert!(
            find(&sent, "stock.move.line", "search_read").is_empty(),
            "{version}: {:?}",
            call_names(&sent)
        );
        assert_eq!(sent.len(), 6, "{version}: {:?}", call_names(&sent));
    }
}
