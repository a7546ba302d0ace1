//! Inventory operations (stock on hand, lots, counts, scrap) against a small
//! stateful fake of Odoo's inventory models, over JSON-RPC (Odoo 17 and 18)
//! and JSON-2 (Odoo 19).

mod common;

use common::inventory_fake::{self, calls, InventoryFake, InventoryState};
use common::MockServer;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Map, Value};
use wharf_odoo::stock::{
    already_applied, apply_counts, ensure_lots, locations_by_name, products_by_code, read_quants,
    scrap, CountLine, LotRequest, ScrapLine,
};
use wharf_odoo::{Client, ErrorKind, Protocol};

/// The recorded servers and the protocol each is reached with.
const SERVERS: [(&str, Protocol); 3] = [
    ("odoo17", Protocol::JsonRpc),
    ("odoo18", Protocol::JsonRpc),
    ("odoo19", Protocol::Json2),
];

type Call = (String, String, Map<String, Value>);

async fn start(
    state: InventoryState,
    protocol: Protocol,
    page_size: u32,
    key_env: &str,
) -> (InventoryFake, MockServer, Client) {
    let fake = std::sync::Arc::new(std::sync::Mutex::new(state));
    let server = inventory_fake::serve(fake.clone()).await;
    let mut config = common::config(&server.url(), protocol, key_env, "test-key-0123456789");
    config.page_size = page_size;
    let client = Client::connect(&config).await.unwrap();
    (fake, server, client)
}

fn count(calls: &[Call], model: &str, method: &str) -> usize {
    calls
        .iter()
        .filter(|(m, f, _)| m == model && f == method)
        .count()
}

fn find<'a>(calls: &'a [Call], model: &str, method: &str) -> Vec<&'a Map<String, Value>> {
    calls
        .iter()
        .filter(|(m, f, _)| m == model && f == method)
        .map(|(_, _, args)| args)
        .collect()
}

fn line(location_id: i64, product_id: i64, lot_id: Option<i64>, counted: Decimal) -> CountLine {
    CountLine {
        location_id,
        product_id,
        lot_id,
        counted,
    }
}

fn lot(product_id: i64, name: &str, expiry_date: Option<&str>) -> LotRequest {
    LotRequest {
        product_id,
        name: name.to_owned(),
        expiry_date: expiry_date.map(str::to_owned),
    }
}

fn quantity_of(fake: &InventoryFake, quant_id: i64) -> f64 {
    fake.lock()
        .unwrap()
        .record("stock.quant", quant_id)
        .unwrap()["quantity"]
        .as_f64()
        .unwrap()
}

fn set_quantity(fake: &InventoryFake, quant_id: i64, quantity: f64) {
    let mut state = fake.lock().unwrap();
    let quant = state
        .models
        .get_mut("stock.quant")
        .unwrap()
        .iter_mut()
        .find(|q| q["id"] == quant_id)
        .unwrap();
    quant.insert("quantity".into(), json!(quantity));
}

/// 996 more quants under WH/Stock (1,000 with the starting four), and stock
/// outside the scope: a customer location and another warehouse.
fn thousand_quants(version: &'static str) -> InventoryState {
    let mut state = InventoryState::new(version);
    let products: [(i64, Option<i64>); 6] = [
        (2, None),
        (5, None),
        (8, Some(3)),
        (9, Some(5)),
        (9, Some(6)),
        (12, None),
    ];
    for n in 0..996 {
        let (product, lot) = products[n % products.len()];
        let location = if n % 2 == 0 { 8 } else { 23 };
        state.insert_quant(
            2000 + i64::try_from(n).unwrap(),
            location,
            product,
            lot,
            1.5,
        );
    }
    state.insert_quant(1500, 5, 2, None, 7.0);
    state.insert_quant(3500, 30, 2, None, 9.0);
    state
}

#[tokio::test]
async fn read_quants_pages_by_id() {
    for (version, protocol) in SERVERS {
        let (_fake, server, client) = start(
            thousand_quants(version),
            protocol,
            500,
            &format!("WHARF_TEST_INV_READ_{version}"),
        )
        .await;
        let rows = read_quants(&client, &["WH/Stock".to_owned()])
            .await
            .unwrap();

        assert_eq!(
            rows.len(),
            1000,
            "{version}: internal quants under WH/Stock only"
        );
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "{version}: ordered by id");
        assert!(
            !ids.contains(&1500) && !ids.contains(&3500),
            "{version}: outside the scope"
        );

        let milk = rows.iter().find(|r| r.id == 13).unwrap();
        assert_eq!(milk.location, "WH/Stock");
        assert_eq!(milk.location_id, 8);
        assert_eq!(milk.product_id, 9);
        assert_eq!(milk.sku.as_deref(), Some("MILK-UHT"));
        assert_eq!(milk.tracking, "lot");
        assert_eq!(milk.lot_id, Some(5));
        assert_eq!(milk.lot.as_deref(), Some("MU-0912"));
        assert_eq!(milk.lot_expiry.as_deref(), Some("2027-01-31 00:00:00"));
        assert_eq!(milk.quantity, dec!(24));
        assert_eq!(milk.reserved_quantity, dec!(0));
        let shelf = rows.iter().find(|r| r.id == 2001).unwrap();
        assert_eq!(shelf.location, "WH/Stock/Shelf A1");
        assert_eq!(shelf.quantity, dec!(1.5));
        assert_eq!(shelf.lot, None);
        let unnamed = rows.iter().find(|r| r.product_id == 12).unwrap();
        assert_eq!(unnamed.sku, None, "{version}: false default_code");

        let calls = calls(&server);
        assert_eq!(
            count(&calls, "stock.quant", "search_read"),
            3,
            "{version}: two full pages and an empty one"
        );
        assert_eq!(
            count(&calls, "product.product", "read"),
            1,
            "{version}: products cached across pages"
        );
        assert_eq!(
            count(&calls, "stock.lot", "read"),
            1,
            "{version}: lots cached across pages"
        );
        assert!(calls.len() <= 2 * 3 + 3, "{version}: {} calls", calls.len());
        let pages = find(&calls, "stock.quant", "search_read");
        assert!(
            pages.iter().all(|p| p.get("offset").is_none()),
            "{version}: keyset, not offset"
        );
        assert_eq!(
            pages[1]["domain"][2],
            json!(["id", ">", ids[499]]),
            "{version}"
        );
        assert_eq!(pages[0]["limit"], 500);
        assert_eq!(pages[0]["order"], "id asc");
    }
}

#[tokio::test]
async fn read_quants_unknown_scope_rejected() {
    let (_fake, _server, client) = start(
        InventoryState::new("odoo19"),
        Protocol::Json2,
        100,
        "WHARF_TEST_INV_SCOPE",
    )
    .await;
    let error = read_quants(&client, &["WH/Nowhere".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert!(error.to_string().contains("WH/Nowhere"), "{error}");
}

#[tokio::test]
async fn catalog_lookups_batched() {
    let (_fake, server, client) = start(
        InventoryState::new("odoo18"),
        Protocol::JsonRpc,
        100,
        "WHARF_TEST_INV_CATALOG",
    )
    .await;
    let names = [
        "WH/Stock".to_owned(),
        "WH/Stock/Shelf A1".to_owned(),
        "Nowhere".to_owned(),
    ];
    let locations = locations_by_name(&client, &names).await.unwrap();
    assert_eq!(locations.len(), 2);
    assert_eq!(locations["WH/Stock/Shelf A1"], 23);

    let codes = [
        "GLUE-IND".to_owned(),
        "WID-100".to_owned(),
        "NOPE".to_owned(),
    ];
    let products = products_by_code(&client, &codes).await.unwrap();
    assert_eq!(products.len(), 2);
    assert_eq!(products["GLUE-IND"].id, 8);
    assert_eq!(products["GLUE-IND"].tracking, "lot");
    assert_eq!(products["GLUE-IND"].uom_rounding, dec!(0.01));
    assert_eq!(products["WID-100"].uom_rounding, dec!(1));
    assert_eq!(
        calls(&server).len(),
        3,
        "one location search, one product search, one unit read"
    );
}

/// Returns the count of the Odoo 17 recording, plus a zero count where no quant is
/// and a weighed product whose count is rounded to its unit.
fn count_lines() -> Vec<CountLine> {
    vec![
        line(8, 2, None, dec!(97)),
        line(8, 9, Some(6), dec!(97)),
        line(8, 9, Some(5), dec!(20)),
        line(23, 5, None, dec!(12)),
        line(23, 2, None, dec!(0)),
        line(8, 8, Some(3), dec!(12.345)),
    ]
}

#[tokio::test]
async fn apply_counts_groups_writes_and_applies_once() {
    for (version, protocol) in [("odoo18", Protocol::JsonRpc), ("odoo19", Protocol::Json2)] {
        let (fake, server, client) = start(
            InventoryState::new(version),
            protocol,
            100,
            &format!("WHARF_TEST_INV_APPLY_{version}"),
        )
        .await;
        assert!(!already_applied(&client, "CC-2026-12-04").await.unwrap());
        let outcome = apply_counts(&client, &count_lines(), "CC-2026-12-04")
            .await
            .unwrap();

        let calls = calls(&server);
        let writes = find(&calls, "stock.quant", "write");
        assert_eq!(writes.len(), 2, "{version}: one write per distinct count");
        let shared = writes
            .iter()
            .find(|w| w["vals"] == json!({"inventory_quantity": 97}))
            .unwrap();
        assert_eq!(
            shared["ids"],
            json!([1, 14]),
            "{version}: equal counts share a write"
        );
        assert_eq!(shared["context"]["inventory_mode"], true);
        let single = writes
            .iter()
            .find(|w| w["vals"] == json!({"inventory_quantity": 20}))
            .unwrap();
        assert_eq!(single["ids"], json!([13]));
        let creates = find(&calls, "stock.quant", "create");
        assert_eq!(creates.len(), 1, "{version}: missing quants in one create");
        let created = creates[0]["vals_list"].as_array().unwrap();
        assert_eq!(
            created.len(),
            2,
            "{version}: no quant for a zero count where none is"
        );
        assert_eq!(
            created[1]["inventory_quantity"].to_string(),
            "12.35",
            "{version}: rounded to 0.01 kg"
        );
        let applies = find(&calls, "stock.quant", "action_apply_inventory");
        assert_eq!(applies.len(), 1, "{version}: one apply for all quants");
        assert_eq!(applies[0]["ids"].as_array().unwrap().len(), 5);
        assert_eq!(applies[0]["context"]["inventory_name"], "CC-2026-12-04");
        assert_eq!(applies[0]["context"]["inventory_mode"], true);
        assert_eq!(
            count(&calls, "stock.quant", "read"),
            1,
            "{version}: one read back"
        );
        assert!(calls.len() <= 10, "{version}: {} calls", calls.len());

        let lines = &outcome.lines;
        assert_eq!(outcome.reference, "CC-2026-12-04");
        assert_eq!(
            (lines[0].quant_id, lines[0].before, lines[0].after),
            (Some(1), dec!(102), dec!(97))
        );
        assert_eq!((lines[1].before, lines[1].after), (dec!(36), dec!(97)));
        assert_eq!((lines[2].before, lines[2].after), (dec!(24), dec!(20)));
        assert_eq!((lines[3].before, lines[3].after), (dec!(0), dec!(12)));
        assert_eq!((lines[4].quant_id, lines[4].after), (None, dec!(0)));
        assert_eq!(
            (lines[5].counted, lines[5].after),
            (dec!(12.35), dec!(12.35))
        );
        assert!((quantity_of(&fake, 1) - 97.0).abs() < 1e-9);

        assert!(
            already_applied(&client, "CC-2026-12-04").await.unwrap(),
            "{version}"
        );
        assert!(
            !already_applied(&client, "CC-2026-12-0_").await.unwrap(),
            "{version}: `_` is no wildcard"
        );
        assert!(
            !already_applied(&client, "CC-2026-12").await.unwrap(),
            "{version}"
        );
    }
}

#[tokio::test]
async fn already_applied_matches_user_suffix() {
    let mut state = InventoryState::new("odoo17");
    let moves = [
        ("CC-7 (WMS Integration)", "done"),
        ("CC-8", "cancel"),
        ("CC-9%", "done"),
    ];
    let records = moves.iter().enumerate().map(|(i, (reference, state))| {
        json!({"id": 900 + i, "reference": reference, "is_inventory": true, "state": state})
            .as_object()
            .unwrap()
            .clone()
    });
    state.models.insert("stock.move".into(), records.collect());
    let (_fake, server, client) =
        start(state, Protocol::JsonRpc, 100, "WHARF_TEST_INV_APPLIED").await;

    assert!(
        already_applied(&client, "CC-7").await.unwrap(),
        "the user suffix Odoo appends"
    );
    assert!(
        !already_applied(&client, "CC-8").await.unwrap(),
        "a cancelled move"
    );
    assert!(already_applied(&client, "CC-9%").await.unwrap());
    assert!(!already_applied(&client, "CC-").await.unwrap());
    assert!(
        !already_applied(&client, "CC-%").await.unwrap(),
        "`%` is no wildcard"
    );
    assert_eq!(
        count(&calls(&server), "stock.move", "search_count"),
        5,
        "one call each"
    );
}

#[tokio::test]
async fn apply_counts_none_result_accepted() {
    // Odoo 18 over JSON-RPC returns a response with no `result` member at all.
    let mut state = InventoryState::new("odoo17");
    state.is_manager = true;
    let (_fake, _server, client) =
        start(state, Protocol::JsonRpc, 100, "WHARF_TEST_INV_NONE").await;
    let outcome = apply_counts(&client, &[line(8, 2, None, dec!(100))], "CC-NONE")
        .await
        .unwrap();
    assert_eq!(outcome.lines[0].after, dec!(100));
}

#[tokio::test]
async fn apply_counts_wizard_rejected() {
    for (version, protocol) in [("odoo18", Protocol::JsonRpc), ("odoo19", Protocol::Json2)] {
        let mut state = InventoryState::new(version);
        state.apply_wizard = Some("stock.inventory.conflict".to_owned());
        let (fake, _server, client) = start(
            state,
            protocol,
            100,
            &format!("WHARF_TEST_INV_WIZARD_{version}"),
        )
        .await;
        let error = apply_counts(&client, &[line(8, 2, None, dec!(97))], "CC-W")
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Permanent, "{version}");
        let message = error.to_string();
        assert!(
            message.contains("stock.inventory.conflict"),
            "{version}: {message}"
        );
        assert!(message.contains("did not apply"), "{version}: {message}");
        assert!(
            (quantity_of(&fake, 1) - 102.0).abs() < 1e-9,
            "{version}: nothing applied"
        );
        assert!(!already_applied(&client, "CC-W").await.unwrap());
    }
}

#[tokio::test]
async fn odoo17_apply_needs_manager_rights() {
    let (_fake, server, client) = start(
        InventoryState::new("odoo17"),
        Protocol::JsonRpc,
        100,
        "WHARF_TEST_INV_MANAGER",
    )
    .await;
    let error = apply_counts(&client, &[line(8, 2, None, dec!(97))], "CC-17")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert_eq!(error.odoo_name(), Some("odoo.exceptions.UserError"));
    let message = error.to_string();
    assert!(message.contains("Inventory / Administrator"), "{message}");
    assert!(
        message.contains("Only a stock manager"),
        "Odoo's own message is kept: {message}"
    );
    let calls = calls(&server);
    let checks = find(&calls, "res.users", "has_group");
    assert_eq!(
        checks.len(),
        1,
        "the group is checked, the text is not parsed"
    );
}

#[tokio::test]
async fn ensure_lots_finds_and_creates() {
    for (version, protocol) in [("odoo17", Protocol::JsonRpc), ("odoo19", Protocol::Json2)] {
        let (fake, server, client) = start(
            InventoryState::new(version),
            protocol,
            100,
            &format!("WHARF_TEST_INV_LOTS_{version}"),
        )
        .await;
        let requests = [
            lot(9, "MU-1001", None),
            lot(8, "GL-2609-X", Some("2027-09-30")),
            lot(9, "MU-2201", None),
        ];
        let ids = ensure_lots(&client, &requests, true).await.unwrap();
        assert_eq!(ids.len(), 3, "{version}");
        assert_eq!(ids[&(9, "MU-1001".to_owned())], 6);

        let calls = calls(&server);
        assert_eq!(count(&calls, "stock.lot", "search_read"), 1, "{version}");
        let creates = find(&calls, "stock.lot", "create");
        assert_eq!(
            creates.len(),
            1,
            "{version}: one create for all missing lots"
        );
        let created = creates[0]["vals_list"].as_array().unwrap();
        assert_eq!(created.len(), 2);
        let glue = created.iter().find(|v| v["name"] == "GL-2609-X").unwrap();
        assert_eq!(glue["expiration_date"], "2027-09-30 00:00:00");
        assert_eq!(glue["company_id"], 1);
        let milk = created.iter().find(|v| v["name"] == "MU-2201").unwrap();
        assert!(
            milk.get("expiration_date").is_none(),
            "{version}: no expiry asked for"
        );
        let stored = fake
            .lock()
            .unwrap()
            .record("stock.lot", ids[&(8, "GL-2609-X".to_owned())])
            .unwrap()
            .clone();
        assert_eq!(stored["product_id"][0], 8);
    }
}

#[tokio::test]
async fn ensure_lots_forbidden_names_lot() {
    let (_fake, server, client) = start(
        InventoryState::new("odoo18"),
        Protocol::JsonRpc,
        100,
        "WHARF_TEST_INV_FORBID",
    )
    .await;
    let error = ensure_lots(
        &client,
        &[lot(9, "MU-1001", None), lot(8, "GL-2609-X", None)],
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    let message = error.to_string();
    assert!(message.contains("\"GL-2609-X\""), "{message}");
    assert!(message.contains("product 8"), "{message}");
    assert!(message.contains("forbids"), "{message}");
    assert!(
        !message.contains("MU-1001"),
        "an existing lot is not named: {message}"
    );
    assert_eq!(count(&calls(&server), "stock.lot", "create"), 0);
}

#[tokio::test]
async fn ensure_lots_duplicate_read_again() {
    for (version, protocol) in SERVERS {
        let mut state = InventoryState::new(version);
        state.created_elsewhere = vec![(8, "GL-2609-X".to_owned())];
        let (fake, server, client) = start(
            state,
            protocol,
            100,
            &format!("WHARF_TEST_INV_DUP_{version}"),
        )
        .await;
        let ids = ensure_lots(
            &client,
            &[lot(8, "GL-2609-X", None), lot(9, "MU-2201", None)],
            true,
        )
        .await
        .unwrap();

        let elsewhere = fake
            .lock()
            .unwrap()
            .records("stock.lot")
            .iter()
            .find(|l| l["name"] == "GL-2609-X")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            ids[&(8, "GL-2609-X".to_owned())],
            elsewhere,
            "{version}: the lot created elsewhere"
        );
        assert!(ids.contains_key(&(9, "MU-2201".to_owned())), "{version}");
        let calls = calls(&server);
        let creates = find(&calls, "stock.lot", "create");
        assert_eq!(
            creates.len(),
            2,
            "{version}: the rejected create, then the remaining lot"
        );
        assert_eq!(creates[1]["vals_list"].as_array().unwrap().len(), 1);
        assert_eq!(count(&calls, "stock.lot", "search_read"), 2, "{version}");
    }
}

#[tokio::test]
async fn scrap_validates_each_and_is_retry_safe() {
    for (version, protocol) in [("odoo18", Protocol::JsonRpc), ("odoo19", Protocol::Json2)] {
        let (fake, server, client) = start(
            InventoryState::new(version),
            protocol,
            100,
            &format!("WHARF_TEST_INV_SCRAP_{version}"),
        )
        .await;
        let lines = [
            ScrapLine {
                location_id: 8,
                product_id: 2,
                lot_id: None,
                quantity: dec!(5),
            },
            ScrapLine {
                location_id: 8,
                product_id: 9,
                lot_id: Some(6),
                quantity: dec!(2),
            },
        ];
        scrap(&client, &lines, "DMG-0042").await.unwrap();
        assert!((quantity_of(&fake, 1) - 97.0).abs() < 1e-9, "{version}");
        assert!((quantity_of(&fake, 14) - 34.0).abs() < 1e-9, "{version}");

        let first = calls(&server);
        let creates = find(&first, "stock.scrap", "create");
        assert_eq!(creates.len(), 1, "{version}: one create for all lines");
        assert_eq!(creates[0]["vals_list"][0]["origin"], "DMG-0042");
        assert_eq!(creates[0]["vals_list"][0]["product_uom_id"], 1);
        let validations = find(&first, "stock.scrap", "action_validate");
        assert_eq!(validations.len(), 2, "{version}: one scrap per call");
        assert!(validations
            .iter()
            .all(|v| v["ids"].as_array().unwrap().len() == 1));

        // A retry after a lost response finds both scraps done.
        scrap(&client, &lines, "DMG-0042").await.unwrap();
        let again = calls(&server);
        assert_eq!(
            count(&again[first.len()..], "stock.scrap", "create"),
            0,
            "{version}"
        );
        assert_eq!(
            count(&again[first.len()..], "stock.scrap", "action_validate"),
            0,
            "{version}"
        );
        assert!(
            (quantity_of(&fake, 1) - 97.0).abs() < 1e-9,
            "{version}: scrapped once"
        );
    }
}

#[tokio::test]
async fn scrap_insufficient_stock_rejected() {
    for (version, protocol) in [("odoo18", Protocol::JsonRpc), ("odoo19", Protocol::Json2)] {
        let (fake, server, client) = start(
            InventoryState::new(version),
            protocol,
            100,
            &format!("WHARF_TEST_INV_SHORT_{version}"),
        )
        .await;
        let lines = [
            ScrapLine {
                location_id: 8,
                product_id: 5,
                lot_id: None,
                quantity: dec!(1000),
            },
            ScrapLine {
                location_id: 8,
                product_id: 2,
                lot_id: None,
                quantity: dec!(2),
            },
        ];
        let error = scrap(&client, &lines, "DMG-0043").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Permanent, "{version}");
        let message = error.to_string();
        assert!(
            message.contains("[CAB-USB2] USB-C Cable 2 m"),
            "{version}: {message}"
        );
        assert!(message.contains("WH/Stock"), "{version}: {message}");
        assert!(
            message.contains("stock.warn.insufficient.qty.scrap"),
            "{version}: {message}"
        );
        assert!(
            (quantity_of(&fake, 1) - 100.0).abs() < 1e-9,
            "{version}: the other scrap is still done"
        );

        // Once the stock is there, the retry validates the draft scrap again.
        let before = calls(&server).len();
        set_quantity(&fake, 6, 2000.0);
        scrap(&client, &lines, "DMG-0043").await.unwrap();
        let retry = calls(&server);
        assert_eq!(
            count(&retry[before..], "stock.scrap", "create"),
            0,
            "{version}: no second scrap"
        );
        assert_eq!(
            count(&retry[before..], "stock.scrap", "action_validate"),
            1,
            "{version}"
        );
        assert!((quantity_of(&fake, 6) - 1000.0).abs() < 1e-9, "{version}");
    }
}

#[tokio::test]
async fn scrap_reused_reference_rejected() {
    let (_fake, _server, client) = start(
        InventoryState::new("odoo19"),
        Protocol::Json2,
        100,
        "WHARF_TEST_INV_REUSE",
    )
    .await;
    let first = [ScrapLine {
        location_id: 8,
        product_id: 2,
        lot_id: None,
        quantity: dec!(1),
    }];
    scrap(&client, &first, "DMG-0044").await.unwrap();
    let other = [ScrapLine {
        location_id: 8,
        product_id: 5,
        lot_id: None,
        quantity: dec!(1),
    }];
    let error = scrap(&client, &other, "DMG-0044").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert!(error.to_string().contains("new reference"), "{error}");
}
