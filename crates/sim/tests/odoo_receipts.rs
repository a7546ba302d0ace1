//! Purchase receipts, return dispositions, chatter notes and activities,
//! driven through Wharf's Odoo client (`wharf_odoo`) against the simulator
//! of Odoo 17 and 18 over JSON-RPC and of Odoo 19 over JSON-2.
//!
//! Covered: the seeded purchase receipts as `incoming_pickings` reads them,
//! and a short receipt with a new lot and expiry date that leaves a
//! backorder. Then customer returns received into quarantine, scrap and the
//! vendor location, notes on the models with chatter, and activities
//! scheduled once however often the request is repeated.

mod odoo_support;

use std::str::FromStr;

use odoo_support::{options, start, Running};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use wharf_odoo::stock::{
    apply_receipt, create_return, incoming_pickings, locations_by_name, post_note, sale_order_id,
    schedule_activity, ActivityOutcome, ActivityRequest, BackorderPolicy, IncomingPicking,
    IncomingQuery, ReceiptLot, ReceiptMove, ReceiptOutcome, ReceiptWrite, ReturnItem, ReturnLine,
    ReturnRequest,
};
use wharf_odoo::{Client, OdooConfig, Protocol};
use wharf_sim::odoo::{OdooSim, SeedOptions, SeedReport};

/// Every version with the protocol Wharf uses for it.
const SERVERS: [(u8, Protocol); 3] = [
    (17, Protocol::JsonRpc),
    (18, Protocol::JsonRpc),
    (19, Protocol::Json2),
];
const WH_STOCK: i64 = 8;
const QUARANTINE: i64 = 19;
const NOW: &str = "2026-12-04 10:00:00";

/// A seeded simulator, the client connected to it and what the seed made.
struct Setup {
    running: Running,
    client: Client,
    report: SeedReport,
}

async fn setup(version: u8, protocol: Protocol, receipts: usize) -> Setup {
    let sim = OdooSim::new(options(version)).expect("simulator");
    sim.freeze_clock(Some(NOW.to_owned()));
    let seed = SeedOptions {
        orders: 12,
        seed: 7,
        ..SeedOptions::default()
    };
    let report = sim.seed_demo_with_receipts(&seed, receipts).expect("seed");
    let running = start(sim).await;
    let key_dir = tempfile::tempdir().expect("temporary folder");
    let key_file = key_dir.path().join("odoo.key");
    std::fs::write(&key_file, odoo_support::KEY).expect("key file");
    let mut config = OdooConfig::new(running.base.clone(), odoo_support::DB, "integration");
    config.api_key_file = Some(key_file);
    config.protocol = protocol;
    config.timeout_secs = 10;
    let client = Client::connect(&config).await.expect("connect");
    Setup {
        running,
        client,
        report,
    }
}

fn quantity(value: &Value) -> Decimal {
    Decimal::from_str(&value.to_string()).unwrap_or_else(|_| panic!("{value} is not a quantity"))
}

async fn search_read(running: &Running, model: &str, domain: Value, fields: Value) -> Vec<Value> {
    let records = running
        .ok(
            model,
            "search_read",
            json!([domain]),
            json!({"fields": fields, "order": "id"}),
        )
        .await;
    records.as_array().expect("records").clone()
}

async fn read_one(running: &Running, model: &str, id: i64, fields: Value) -> Value {
    let records = running
        .ok(model, "read", json!([[id]]), json!({"fields": fields}))
        .await;
    records[0].clone()
}

/// Returns the on-hand quantity of a product, optionally of one lot, at a location.
async fn on_hand(running: &Running, product: &str, lot: Option<&str>, location: i64) -> Decimal {
    let mut domain = vec![
        json!(["product_id.default_code", "=", product]),
        json!(["location_id", "=", location]),
    ];
    if let Some(lot) = lot {
        domain.push(json!(["lot_id.name", "=", lot]));
    }
    search_read(running, "stock.quant", json!(domain), json!(["quantity"]))
        .await
        .iter()
        .map(|quant| quantity(&quant["quantity"]))
        .sum()
}

async fn incoming(client: &Client) -> Vec<IncomingPicking> {
    let query = IncomingQuery {
        warehouse_codes: vec!["WH".to_owned()],
        write_date_from: None,
        after_id: None,
        page_size: 100,
    };
    incoming_pickings(client, &query)
        .await
        .expect("incoming pickings")
}

#[tokio::test]
async fn seeded_receipts_are_incoming() {
    for (version, protocol) in SERVERS {
        let setup = setup(version, protocol, 4).await;
        let receipts = incoming(&setup.client).await;
        let ids: Vec<i64> = receipts.iter().map(|r| r.id).collect();
        assert_eq!(
            ids, setup.report.receipt_ids,
            "{version}: incoming receipts"
        );

        for (index, receipt) in receipts.iter().enumerate() {
            assert_eq!(receipt.state, "assigned", "{version}");
            assert_eq!(receipt.origin, format!("P{:05}", index + 1), "{version}");
            assert_eq!(receipt.partner_name, "Summit Components Ltd.", "{version}");
            assert_eq!(receipt.warehouse_code, "WH", "{version}");
            assert!(receipt.return_of.is_none(), "{version}");
            assert!(
                (1..=3).contains(&receipt.moves.len()),
                "{version}: {receipt:?}"
            );
            let picking = read_one(
                &setup.running,
                "stock.picking",
                receipt.id,
                json!(["location_id", "location_dest_id"]),
            )
            .await;
            assert_eq!(picking["location_id"][1], "Partners/Vendors", "{version}");
            assert_eq!(picking["location_dest_id"][1], "WH/Stock", "{version}");
        }
        let moves: Vec<_> = receipts.iter().flat_map(|r| &r.moves).collect();
        let milk = moves
            .iter()
            .find(|m| m.sku == "MILK-UHT")
            .expect("a lot product move");
        assert_eq!(milk.tracking, "lot", "{version}");
        assert!(milk.use_expiration_date, "{version}");
        assert!(
            moves
                .iter()
                .any(|m| m.sku == "WID-100" && m.tracking == "none"),
            "{version}"
        );
    }
}

#[tokio::test]
async fn no_receipts_keeps_the_data_set() {
    let seed = SeedOptions {
        orders: 8,
        seed: 3,
        ..SeedOptions::default()
    };
    let plain = OdooSim::new(options(18)).expect("simulator");
    let with_none = OdooSim::new(options(18)).expect("simulator");
    let first = plain.seed_demo(&seed).expect("seed");
    let second = with_none.seed_demo_with_receipts(&seed, 0).expect("seed");
    assert_eq!(first, second);
    assert!(second.receipt_ids.is_empty());
    assert_eq!(plain.state_summary(), with_none.state_summary());
    let report = serde_json::to_value(&first).expect("report");
    assert!(report.get("receipt_ids").is_none(), "{report}");
}

#[tokio::test]
async fn short_receipt_creates_lot_and_backorder() {
    for (version, protocol) in SERVERS {
        let setup = setup(version, protocol, 8).await;
        let running = &setup.running;
        let receipts = incoming(&setup.client).await;
        let receipt = receipts
            .iter()
            .find(|r| r.moves.len() >= 2 && r.moves.iter().any(|m| m.sku == "MILK-UHT"))
            .expect("a receipt with the lot product and another product");
        let milk = receipt
            .moves
            .iter()
            .find(|m| m.sku == "MILK-UHT")
            .expect("lot move");
        let other = receipt
            .moves
            .iter()
            .find(|m| m.sku != "MILK-UHT")
            .expect("other move");
        let milk_before = on_hand(running, "MILK-UHT", None, WH_STOCK).await;
        let other_before = on_hand(running, &other.sku, None, WH_STOCK).await;
        let short = other.product_uom_qty - Decimal::ONE;

        let write = ReceiptWrite {
            picking_id: receipt.id,
            moves: vec![
                ReceiptMove {
                    move_id: milk.id,
                    lots: vec![ReceiptLot {
                        lot_name: Some("MU-NEW-1".to_owned()),
                        quantity: milk.product_uom_qty,
                        expiry_date: Some("2027-03-31".to_owned()),
                    }],
                },
                ReceiptMove {
                    move_id: other.id,
                    lots: vec![ReceiptLot {
                        lot_name: None,
                        quantity: short,
                        expiry_date: None,
                    }],
                },
            ],
            destination_location_id: None,
            backorder: BackorderPolicy::Create,
        };
        let outcome = apply_receipt(&setup.client, &write).await.expect("receipt");
        let ReceiptOutcome::Received {
            backorder: Some((backorder, name)),
        } = &outcome
        else {
            panic!("{version}: expected a backorder, got {outcome:?}");
        };
        assert!(name.starts_with("WH/IN/"), "{version}: {name}");

        let done = read_one(running, "stock.picking", receipt.id, json!(["state"])).await;
        assert_eq!(done["state"], "done", "{version}");
        let rest = read_one(
            running,
            "stock.picking",
            *backorder,
            json!(["state", "backorder_id", "origin"]),
        )
        .await;
        assert_eq!(rest["state"], "assigned", "{version}");
        assert_eq!(rest["backorder_id"][0], receipt.id, "{version}");
        let rest_moves = search_read(
            running,
            "stock.move",
            json!([["picking_id", "=", backorder]]),
            json!(["product_id", "product_uom_qty"]),
        )
        .await;
        assert_eq!(rest_moves.len(), 1, "{version}: {rest_moves:?}");
        assert_eq!(
            quantity(&rest_moves[0]["product_uom_qty"]),
            Decimal::ONE,
            "{version}"
        );

        let lots = search_read(
            running,
            "stock.lot",
            json!([["name", "=", "MU-NEW-1"]]),
            json!(["product_id", "expiration_date"]),
        )
        .await;
        assert_eq!(lots.len(), 1, "{version}: {lots:?}");
        assert_eq!(
            lots[0]["expiration_date"], "2027-03-31 00:00:00",
            "{version}"
        );
        assert_eq!(
            on_hand(running, "MILK-UHT", Some("MU-NEW-1"), WH_STOCK).await,
            milk.product_uom_qty,
            "{version}"
        );
        assert_eq!(
            on_hand(running, "MILK-UHT", None, WH_STOCK).await,
            milk_before + milk.product_uom_qty,
            "{version}"
        );
        assert_eq!(
            on_hand(running, &other.sku, None, WH_STOCK).await,
            other_before + short,
            "{version}"
        );

        // A retry after a lost response books nothing twice.
        let again = apply_receipt(&setup.client, &write).await.expect("retry");
        assert_eq!(
            again,
            ReceiptOutcome::AlreadyDone {
                backorder: Some((*backorder, name.clone()))
            },
            "{version}"
        );
        assert_eq!(
            on_hand(running, &other.sku, None, WH_STOCK).await,
            other_before + short,
            "{version}"
        );
    }
}

/// Ships a reserved delivery of WH/Stock with an untracked product and
/// returns the delivery and that move.
async fn shipped_delivery(setup: &Setup) -> (i64, i64) {
    let running = &setup.running;
    let moves = search_read(
        running,
        "stock.move",
        json!([
            ["picking_id", "in", setup.report.picking_ids],
            ["location_id", "=", WH_STOCK],
            ["product_id.tracking", "=", "none"],
            ["product_id.default_code", "!=", false]
        ]),
        json!(["picking_id"]),
    )
    .await;
    let first = moves
        .first()
        .expect("a WH delivery with an untracked product");
    let picking = first["picking_id"][0].as_i64().expect("picking id");
    let result = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;
    assert_eq!(result, json!(true), "validating the delivery");
    (picking, first["id"].as_i64().expect("move id"))
}

/// Ships the first reserved WH/Stock delivery with a move of a product of
/// this tracking and returns that move's id. A delivery already done is
/// not validated again.
async fn ship_tracked_move(setup: &Setup, tracking: &str) -> (i64, i64) {
    let running = &setup.running;
    let moves = search_read(
        running,
        "stock.move",
        json!([
            ["picking_id", "in", setup.report.picking_ids],
            ["location_id", "=", WH_STOCK],
            ["product_id.tracking", "=", tracking]
        ]),
        json!(["picking_id"]),
    )
    .await;
    let first = moves
        .first()
        .unwrap_or_else(|| panic!("a WH delivery with a {tracking} product"));
    let picking = first["picking_id"][0].as_i64().expect("picking id");
    let state = read_one(running, "stock.picking", picking, json!(["state"])).await;
    if state["state"] != "done" {
        let result = running
            .ok(
                "stock.picking",
                "button_validate",
                json!([[picking]]),
                json!({}),
            )
            .await;
        assert_eq!(result, json!(true), "validating the delivery");
    }
    (picking, first["id"].as_i64().expect("move id"))
}

#[tokio::test]
async fn returns_expect_delivered_lots() {
    for (version, protocol) in SERVERS {
        let setup = setup(version, protocol, 2).await;
        let running = &setup.running;
        for tracking in ["lot", "serial"] {
            let (delivery, delivered_move) = ship_tracked_move(&setup, tracking).await;
            let delivered =
                read_one(running, "stock.move", delivered_move, json!(["quantity"])).await;
            let mut shipped_lots: Vec<String> = Vec::new();
            for line in search_read(
                running,
                "stock.move.line",
                json!([["move_id", "=", delivered_move]]),
                json!(["lot_id"]),
            )
            .await
            {
                let name = line["lot_id"][1]
                    .as_str()
                    .expect("a shipped lot")
                    .to_owned();
                if !shipped_lots.contains(&name) {
                    shipped_lots.push(name);
                }
            }
            assert!(!shipped_lots.is_empty(), "{version} {tracking}");

            let request = ReturnRequest {
                picking_id: delivery,
                lines: vec![ReturnLine {
                    item: ReturnItem::Move(delivered_move),
                    quantity: quantity(&delivered["quantity"]),
                }],
            };
            let created = create_return(&setup.client, &request)
                .await
                .expect("return");
            let expected = incoming(&setup.client).await;
            let returned = expected
                .iter()
                .find(|p| p.id == created.return_picking_id)
                .expect("the return is an expected receipt");
            assert_eq!(returned.moves.len(), 1, "{version} {tracking}");
            assert_eq!(returned.moves[0].tracking, tracking, "{version}");
            assert_eq!(
                returned.moves[0].reserved_lots, shipped_lots,
                "{version} {tracking}: the delivered lots, in shipping order"
            );
            let purchase_moves: Vec<_> = expected
                .iter()
                .filter(|p| p.return_of.is_none())
                .flat_map(|p| &p.moves)
                .collect();
            assert!(
                purchase_moves.iter().any(|m| m.tracking == "lot"),
                "{version}: a purchase receipt of a lot-tracked product"
            );
            for expected_move in purchase_moves {
                assert!(
                    expected_move.reserved_lots.is_empty(),
                    "{version}: a purchase receipt names no lot: {expected_move:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn returns_end_in_their_disposition() {
    for (version, protocol) in SERVERS {
        for destination in [
            "WH/Stock/Quarantine",
            "Virtual Locations/Scrap",
            "Partners/Vendors",
        ] {
            let setup = setup(version, protocol, 0).await;
            let running = &setup.running;
            let names = vec![destination.to_owned()];
            let found = locations_by_name(&setup.client, &names)
                .await
                .expect("location lookup");
            let location = found[destination];
            let (delivery, delivered_move) = shipped_delivery(&setup).await;
            let product =
                read_one(running, "stock.move", delivered_move, json!(["product_id"])).await;
            let sku = search_read(
                running,
                "product.product",
                json!([["id", "=", product["product_id"][0]]]),
                json!(["default_code"]),
            )
            .await[0]["default_code"]
                .as_str()
                .expect("internal reference")
                .to_owned();
            let stock_before = on_hand(running, &sku, None, WH_STOCK).await;
            let target_before = on_hand(running, &sku, None, location).await;

            let request = ReturnRequest {
                picking_id: delivery,
                lines: vec![ReturnLine {
                    item: ReturnItem::Move(delivered_move),
                    quantity: Decimal::ONE,
                }],
            };
            let created = create_return(&setup.client, &request)
                .await
                .expect("return");
            let expected = incoming(&setup.client).await;
            let returned = expected
                .iter()
                .find(|p| p.id == created.return_picking_id)
                .expect("the return is an expected receipt");
            assert_eq!(
                returned.return_of.as_ref().map(|r| r.0),
                Some(delivery),
                "{version}"
            );
            let write = ReceiptWrite {
                picking_id: returned.id,
                moves: vec![ReceiptMove {
                    move_id: returned.moves[0].id,
                    lots: vec![ReceiptLot {
                        lot_name: None,
                        quantity: Decimal::ONE,
                        expiry_date: None,
                    }],
                }],
                destination_location_id: Some(location),
                backorder: BackorderPolicy::Cancel,
            };
            let outcome = apply_receipt(&setup.client, &write)
                .await
                .expect("receive the return");
            assert_eq!(
                outcome,
                ReceiptOutcome::Received { backorder: None },
                "{version} {destination}"
            );

            let lines = search_read(
                running,
                "stock.move.line",
                json!([["picking_id", "=", returned.id]]),
                json!(["location_dest_id", "quantity"]),
            )
            .await;
            assert!(!lines.is_empty(), "{version} {destination}");
            for line in &lines {
                assert_eq!(
                    line["location_dest_id"][0], location,
                    "{version} {destination}: {line}"
                );
            }
            let moves = search_read(
                running,
                "stock.move",
                json!([["picking_id", "=", returned.id]]),
                json!(["location_dest_id", "state"]),
            )
            .await;
            for mv in &moves {
                assert_eq!(
                    mv["location_dest_id"][0], location,
                    "{version} {destination}: {mv}"
                );
                assert_eq!(mv["state"], "done", "{version} {destination}");
            }
            assert_eq!(
                on_hand(running, &sku, None, WH_STOCK).await,
                stock_before,
                "{version} {destination}: nothing back in stock"
            );
            if location == QUARANTINE {
                assert_eq!(
                    on_hand(running, &sku, None, location).await,
                    target_before + Decimal::ONE,
                    "{version}"
                );
            }
        }
    }
}

#[tokio::test]
async fn notes_land_in_the_chatter() {
    let servers = [
        (17, Protocol::JsonRpc),
        (18, Protocol::JsonRpc),
        (19, Protocol::Json2),
        (19, Protocol::JsonRpc),
    ];
    for (version, protocol) in servers {
        let setup = setup(version, protocol, 2).await;
        let running = &setup.running;
        let purchase = search_read(
            running,
            "purchase.order",
            json!([["name", "=", "P00001"]]),
            json!(["name"]),
        )
        .await;
        let records = [
            ("stock.picking", setup.report.receipt_ids[0]),
            ("sale.order", setup.report.order_ids[0]),
            (
                "purchase.order",
                purchase[0]["id"].as_i64().expect("purchase order"),
            ),
        ];
        let body = "Received 10 of 12 <MILK-UHT> & more\nLot \"MU-NEW-1\"";
        let mut posted = Vec::new();
        for (model, id) in records {
            let message = post_note(&setup.client, model, id, body)
                .await
                .expect("note");
            assert!(
                !posted.contains(&message),
                "{version}: a new message each time"
            );
            posted.push(message);
            let stored = search_read(
                running,
                "mail.message",
                json!([["model", "=", model], ["res_id", "=", id]]),
                json!(["model", "res_id", "body", "message_type", "subtype_id"]),
            )
            .await;
            assert_eq!(stored.len(), 1, "{version} {model}: {stored:?}");
            assert_eq!(stored[0]["id"], message, "{version} {model}");
            assert_eq!(
                stored[0]["body"],
                "<p>Received 10 of 12 &lt;MILK-UHT&gt; &amp; more<br>Lot &#34;MU-NEW-1&#34;</p>",
                "{version} {model}"
            );
            assert_eq!(stored[0]["message_type"], "comment", "{version} {model}");
            assert_eq!(stored[0]["subtype_id"][1], "Note", "{version} {model}");
        }

        let moves = search_read(running, "stock.move", json!([]), json!(["id"])).await;
        let without_chatter = moves[0]["id"].as_i64().expect("move id");
        assert!(
            post_note(&setup.client, "stock.move", without_chatter, body)
                .await
                .is_err(),
            "{version}: stock.move has no chatter"
        );
        assert!(
            post_note(&setup.client, "sale.order", 999_999, body)
                .await
                .is_err(),
            "{version}: missing record"
        );
    }
}

#[tokio::test]
async fn message_post_returns_the_version_shape() {
    for version in [17, 18, 19] {
        let setup = setup(version, Protocol::JsonRpc, 1).await;
        let running = &setup.running;
        let picking = setup.report.receipt_ids[0];
        let result = running
            .ok(
                "stock.picking",
                "message_post",
                json!([[picking]]),
                json!({"body": "5 < 6"}),
            )
            .await;
        let id = if version >= 19 {
            result[0].clone()
        } else {
            result.clone()
        };
        assert!(id.is_i64(), "{version}: {result}");
        let stored = read_one(
            running,
            "mail.message",
            id.as_i64().unwrap_or(0),
            json!(["body", "message_type", "subtype_id"]),
        )
        .await;
        assert_eq!(
            stored["body"], "<p>5 &lt; 6</p>",
            "{version}: a plain body is escaped"
        );
        assert_eq!(stored["message_type"], "notification", "{version}");
        assert_eq!(stored["subtype_id"][1], "Note", "{version}");
        let both = running
            .execute(
                "stock.picking",
                "message_post",
                json!([setup.report.picking_ids[..2]]),
                json!({"body": "x"}),
            )
            .await;
        assert_eq!(
            both["error"]["data"]["name"], "builtins.ValueError",
            "{version}: {both}"
        );
    }
}

#[tokio::test]
async fn activity_is_scheduled_once() {
    for (version, protocol) in SERVERS {
        let setup = setup(version, protocol, 0).await;
        let running = &setup.running;
        let order = sale_order_id(&setup.client, "S00001")
            .await
            .expect("lookup");
        assert_eq!(order, Some(setup.report.order_ids[0]), "{version}");
        assert_eq!(
            sale_order_id(&setup.client, "S99999")
                .await
                .expect("lookup"),
            None,
            "{version}"
        );

        let request = ActivityRequest {
            model: "sale.order".to_owned(),
            res_id: setup.report.order_ids[0],
            summary: "Wharf: return RMA-7 received into quarantine".to_owned(),
            note: "1 unit of WID-100 <damaged>".to_owned(),
            deadline: Some("2026-12-24".to_owned()),
        };
        let before = setup.client.call_counts();
        let first = schedule_activity(&setup.client, &request)
            .await
            .expect("schedule");
        let ActivityOutcome::Scheduled(id) = first else {
            panic!("{version}: expected a new activity, got {first:?}");
        };
        let after_first = setup.client.call_counts();
        assert_eq!(
            calls_between(&before, &after_first),
            3,
            "{version}: search, ir.model, create"
        );

        let retry = schedule_activity(&setup.client, &request)
            .await
            .expect("retry");
        assert_eq!(retry, ActivityOutcome::AlreadyScheduled(id), "{version}");
        assert_eq!(
            calls_between(&after_first, &setup.client.call_counts()),
            1,
            "{version}: one search"
        );

        let stored = read_one(
            running,
            "mail.activity",
            id,
            json!([
                "res_model",
                "res_id",
                "summary",
                "note",
                "date_deadline",
                "activity_type_id",
                "user_id"
            ]),
        )
        .await;
        assert_eq!(stored["res_model"], "sale.order", "{version}");
        assert_eq!(stored["res_id"], request.res_id, "{version}");
        assert_eq!(stored["summary"], request.summary, "{version}");
        assert_eq!(
            stored["note"], "<p>1 unit of WID-100 &lt;damaged&gt;</p>",
            "{version}"
        );
        assert_eq!(stored["date_deadline"], "2026-12-24", "{version}");
        assert_eq!(stored["activity_type_id"][1], "To-Do", "{version}");
        let uid = running
            .sim
            .user_id("integration")
            .expect("integration user");
        assert_eq!(stored["user_id"][0], uid, "{version}");

        let today = ActivityRequest {
            summary: "Wharf: short receipt".to_owned(),
            deadline: None,
            model: "stock.picking".to_owned(),
            res_id: setup.report.picking_ids[0],
            ..request.clone()
        };
        let ActivityOutcome::Scheduled(second) = schedule_activity(&setup.client, &today)
            .await
            .expect("schedule")
        else {
            panic!("{version}: expected a new activity");
        };
        assert_ne!(second, id, "{version}");
        let stored = read_one(
            running,
            "mail.activity",
            second,
            json!(["date_deadline", "res_model"]),
        )
        .await;
        assert_eq!(
            stored["date_deadline"],
            &NOW[..10],
            "{version}: Odoo's default is today"
        );
        assert_eq!(stored["res_model"], "stock.picking", "{version}");

        let unknown = ActivityRequest {
            model: "no.such.model".to_owned(),
            ..request.clone()
        };
        assert!(
            schedule_activity(&setup.client, &unknown).await.is_err(),
            "{version}: unknown model"
        );
        let missing = ActivityRequest {
            res_id: 999_999,
            ..request.clone()
        };
        assert!(
            schedule_activity(&setup.client, &missing).await.is_err(),
            "{version}: missing record"
        );
    }
}

#[tokio::test]
async fn locations_found_by_complete_name() {
    for (version, protocol) in SERVERS {
        let setup = setup(version, protocol, 0).await;
        let names: Vec<String> = [
            "WH/Stock/Quarantine",
            "Virtual Locations/Scrap",
            "Partners/Vendors",
            "WH/Nowhere",
        ]
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
        let found = locations_by_name(&setup.client, &names)
            .await
            .expect("lookup");
        assert_eq!(found.len(), 3, "{version}: {found:?}");
        assert_eq!(found["WH/Stock/Quarantine"], QUARANTINE, "{version}");
        assert_eq!(found["Virtual Locations/Scrap"], 16, "{version}");
        assert_eq!(found["Partners/Vendors"], 4, "{version}");
    }
}

fn calls_between(
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
) -> u64 {
    after.values().sum::<u64>() - before.values().sum::<u64>()
}

#[tokio::test]
async fn line_destination_decides_the_quant() {
    for version in [17, 18, 19] {
        let setup = setup(version, Protocol::JsonRpc, 4).await;
        let running = &setup.running;
        let lines = search_read(
            running,
            "stock.move.line",
            json!([
                ["picking_id", "in", setup.report.receipt_ids],
                ["product_id.default_code", "=", "WID-100"]
            ]),
            json!(["picking_id", "quantity"]),
        )
        .await;
        let line = lines.first().expect("a receipt line of WID-100");
        let picking = line["picking_id"][0].as_i64().expect("picking id");
        let received = quantity(&line["quantity"]);
        let before = on_hand(running, "WID-100", None, QUARANTINE).await;

        // A putaway or an operator sends one line elsewhere than its move.
        running
            .ok(
                "stock.move.line",
                "write",
                json!([[line["id"]], {"location_dest_id": QUARANTINE, "picked": true}]),
                json!({}),
            )
            .await;
        let result = running
            .ok(
                "stock.picking",
                "button_validate",
                json!([[picking]]),
                json!({"context": {"skip_backorder": true}}),
            )
            .await;
        assert_eq!(result, json!(true), "{version}");
        assert_eq!(
            on_hand(running, "WID-100", None, QUARANTINE).await,
            before + received,
            "{version}"
        );
        let moves = search_read(
            running,
            "stock.move",
            json!([
                ["picking_id", "=", picking],
                ["product_id.default_code", "=", "WID-100"]
            ]),
            json!(["location_dest_id"]),
        )
        .await;
        assert_eq!(
            moves[0]["location_dest_id"][0], WH_STOCK,
            "{version}: the move keeps its destination"
        );
    }
}
