//! Inventory in the Odoo simulator, on the recorded data sets of Odoo 17,
//! 18 and 19. The tests cover counts on `stock.quant` applied as adjustment
//! moves and the version and group rules around them, scrap, lots with
//! expiry dates, and the stock quantities per warehouse.

mod odoo_support;

use std::path::PathBuf;

use odoo_support::{options, start, Running};
use serde_json::{json, Value};
use wharf_sim::odoo::OdooSim;

/// WH/Stock, its bin Shelf A1, the inventory-loss and the scrap location
/// of the Odoo 17 and 18 data set.
const STOCK: i64 = 8;
const SHELF: i64 = 23;
const LOSS: i64 = 14;
const SCRAP: i64 = 16;

/// Quants of the Odoo 17 and 18 data set: WID-100 (product 2) and
/// MILK-UHT lot MU-1001 (product 9, lot 6) at WH/Stock.
const WIDGET_QUANT: i64 = 1;
const MILK_QUANT: i64 = 14;

/// Starts a simulator of `version` on the recorded starting state (Odoo 17
/// derives its data from the Odoo 18 file). The integration user is
/// Inventory/User on 17 and 18 and Inventory/Administrator on 19.
async fn start_recorded(version: u8) -> Running {
    let sim = OdooSim::new(options(version)).expect("simulator");
    sim.freeze_clock(Some("2026-12-04 19:47:02".into()));
    let folder = if version == 19 { "odoo19" } else { "odoo18" };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/odoo-wire")
        .join(folder)
        .join("starting-state.json");
    sim.load_starting_state(&path).expect("starting state");
    start(sim).await
}

fn inventory_mode() -> Value {
    json!({"context": {"inventory_mode": true}})
}

async fn read_quant(running: &Running, quant: i64) -> Value {
    running
        .ok(
            "stock.quant",
            "read",
            json!([[quant]]),
            json!({"fields": ["quantity", "inventory_quantity", "inventory_diff_quantity", "inventory_quantity_set", "user_id", "lot_id"]}),
        )
        .await[0]
        .clone()
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

/// Returns the newest inventory move lines of a product, newest first.
async fn inventory_lines(running: &Running, product: i64) -> Vec<Value> {
    running
        .ok(
            "stock.move.line",
            "search_read",
            json!([[["is_inventory", "=", true], ["product_id", "=", product]]]),
            json!({"fields": ["reference", "quantity", "location_id", "location_dest_id", "state", "lot_id", "move_id"], "order": "id desc"}),
        )
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn location_of(line: &Value, field: &str) -> i64 {
    line[field][0].as_i64().expect("many2one location")
}

#[tokio::test]
async fn count_applied_as_done_move() {
    let running = start_recorded(18).await;
    let before = number(&read_quant(&running, WIDGET_QUANT).await["quantity"]);

    let counted = before - 5.0;
    running
        .ok(
            "stock.quant",
            "write",
            json!([[WIDGET_QUANT], {"inventory_quantity": counted}]),
            inventory_mode(),
        )
        .await;
    let pending = read_quant(&running, WIDGET_QUANT).await;
    assert_eq!(pending["inventory_quantity_set"], json!(true));
    assert_eq!(number(&pending["inventory_diff_quantity"]), -5.0);

    let body = running
        .execute(
            "stock.quant",
            "action_apply_inventory",
            json!([[WIDGET_QUANT]]),
            inventory_mode(),
        )
        .await;
    assert!(body.get("error").is_none(), "apply failed: {body}");
    assert!(
        body.get("result").is_none(),
        "None must leave out `result`: {body}"
    );

    let after = read_quant(&running, WIDGET_QUANT).await;
    assert_eq!(number(&after["quantity"]), counted);
    assert_eq!(after["inventory_quantity_set"], json!(false));
    assert_eq!(number(&after["inventory_quantity"]), 0.0);

    let lines = inventory_lines(&running, 2).await;
    let newest = &lines[0];
    assert_eq!(newest["reference"], json!("Product Quantity Updated"));
    assert_eq!(number(&newest["quantity"]), 5.0);
    assert_eq!(newest["state"], json!("done"));
    assert_eq!(location_of(newest, "location_id"), STOCK);
    assert_eq!(location_of(newest, "location_dest_id"), LOSS);
}

#[tokio::test]
async fn count_on_new_bin_creates_quant() {
    let running = start_recorded(18).await;
    let created = running
        .ok(
            "stock.quant",
            "create",
            json!([{"product_id": 5, "location_id": SHELF, "inventory_quantity": 12}]),
            inventory_mode(),
        )
        .await;
    let quant = created.as_i64().expect("one id for one dict");

    let pending = read_quant(&running, quant).await;
    assert_eq!(number(&pending["quantity"]), 0.0);
    assert_eq!(number(&pending["inventory_diff_quantity"]), 12.0);
    assert_eq!(pending["user_id"][1], json!("WMS Integration"));

    running
        .ok(
            "stock.quant",
            "action_apply_inventory",
            json!([[quant]]),
            inventory_mode(),
        )
        .await;
    assert_eq!(number(&read_quant(&running, quant).await["quantity"]), 12.0);
    let newest = &inventory_lines(&running, 5).await[0];
    assert_eq!(
        newest["reference"],
        json!("Product Quantity Updated (WMS Integration)")
    );
    assert_eq!(location_of(newest, "location_id"), LOSS);
    assert_eq!(location_of(newest, "location_dest_id"), SHELF);

    let again = running
        .ok(
            "stock.quant",
            "create",
            json!([{"product_id": 5, "location_id": SHELF, "inventory_quantity": 10}]),
            inventory_mode(),
        )
        .await;
    assert_eq!(again, json!(quant), "a second count goes to the same quant");
}

#[tokio::test]
async fn create_without_inventory_mode_duplicates_quant() {
    let running = start_recorded(19).await;
    let (status, body) = running
        .json2(
            "stock.quant",
            "create",
            json!({"vals_list": [{"product_id": 6, "location_id": 5, "inventory_quantity": 13}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let quant = body[0].as_i64().expect("created id");

    let (_, found) = running
        .json2(
            "stock.quant",
            "search_read",
            json!({"domain": [["product_id", "=", 6], ["location_id", "=", 5]], "fields": ["quantity", "inventory_quantity", "inventory_diff_quantity", "inventory_quantity_set"]}),
        )
        .await;
    let found = found.as_array().expect("quants");
    assert_eq!(
        found.len(),
        2,
        "the existing quant and a second one: {found:?}"
    );
    let second = found
        .iter()
        .find(|q| q["id"] == json!(quant))
        .expect("new quant");
    assert_eq!(number(&second["quantity"]), 0.0);
    assert_eq!(number(&second["inventory_diff_quantity"]), 13.0);
    assert_eq!(second["inventory_quantity_set"], json!(true));

    let (status, cleared) = running
        .json2(
            "stock.quant",
            "action_clear_inventory_quantity",
            json!({"ids": [quant]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(cleared, Value::Null);
    let (status, refused) = running
        .json2("stock.quant", "unlink", json!({"ids": [quant]}))
        .await;
    assert_eq!(status, 403);
    assert_eq!(refused["name"], json!("odoo.exceptions.AccessError"));
}

#[tokio::test]
async fn apply_works_without_inventory_mode() {
    let running = start_recorded(19).await;
    let (status, _) = running
        .json2(
            "stock.quant",
            "write",
            json!({"ids": [8], "vals": {"inventory_quantity": 88}}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = running
        .json2("stock.quant", "action_apply_inventory", json!({"ids": [8]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, Value::Null);

    let (_, quant) = running
        .json2(
            "stock.quant",
            "read",
            json!({"ids": [8], "fields": ["quantity", "inventory_quantity_set"]}),
        )
        .await;
    assert_eq!(number(&quant[0]["quantity"]), 88.0);
    assert_eq!(quant[0]["inventory_quantity_set"], json!(false));
    let (_, lines) = running
        .json2(
            "stock.move.line",
            "search_read",
            json!({"domain": [["lot_id.name", "=", "SK-0001"], ["location_dest_id.usage", "=", "inventory"]], "fields": ["reference", "quantity", "move_id"]}),
        )
        .await;
    assert_eq!(
        lines[0]["reference"],
        json!("Product Quantity Updated (WMS Integration)")
    );
    assert_eq!(
        lines[0]["move_id"][1],
        json!("HW-SEAL-KIT: Stock>Inventory adjustment")
    );
}

#[tokio::test]
async fn auto_apply_needs_administrator() {
    for version in [17, 18] {
        let running = start_recorded(version).await;
        let before = number(&read_quant(&running, WIDGET_QUANT).await["quantity"]);
        let body = running
            .execute(
                "stock.quant",
                "write",
                json!([[WIDGET_QUANT], {"inventory_quantity_auto_apply": before - 1.0}]),
                inventory_mode(),
            )
            .await;
        let error = &body["error"]["data"];
        assert_eq!(
            error["name"],
            json!("odoo.exceptions.AccessError"),
            "{version}: {body}"
        );
        let message = error["message"].as_str().unwrap_or("");
        assert!(
            message.contains(
                "inventory_quantity_auto_apply (allowed for groups 'Inventory / Administrator')"
            ),
            "{version}: {message}"
        );
        assert_eq!(
            number(&read_quant(&running, WIDGET_QUANT).await["quantity"]),
            before
        );
    }
}

#[tokio::test]
async fn auto_apply_by_administrator_applies() {
    let running = start_recorded(19).await;
    let (status, _) = running
        .json2(
            "stock.quant",
            "write",
            json!({"ids": [4], "vals": {"inventory_quantity_auto_apply": 845}, "context": {"inventory_mode": true}}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, quant) = running
        .json2(
            "stock.quant",
            "read",
            json!({"ids": [4], "fields": ["quantity", "inventory_quantity_set"]}),
        )
        .await;
    assert_eq!(number(&quant[0]["quantity"]), 845.0);
    assert_eq!(quant[0]["inventory_quantity_set"], json!(false));
}

#[tokio::test]
async fn apply_needs_stock_manager_on_17() {
    let running = start_recorded(17).await;
    let before = number(&read_quant(&running, MILK_QUANT).await["quantity"]);
    running
        .ok(
            "stock.quant",
            "write",
            json!([[MILK_QUANT], {"inventory_quantity": before - 1.0}]),
            inventory_mode(),
        )
        .await;

    let body = running
        .execute(
            "stock.quant",
            "action_apply_inventory",
            json!([[MILK_QUANT]]),
            inventory_mode(),
        )
        .await;
    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.UserError")
    );
    assert_eq!(
        body["error"]["data"]["message"],
        json!("Only a stock manager can validate an inventory adjustment.")
    );
    let after = read_quant(&running, MILK_QUANT).await;
    assert_eq!(number(&after["quantity"]), before, "nothing applied");
    assert_eq!(
        after["inventory_quantity_set"],
        json!(true),
        "the count stays pending"
    );
}

#[tokio::test]
async fn apply_same_count_allowed_on_18() {
    let running = start_recorded(18).await;
    let before = number(&read_quant(&running, MILK_QUANT).await["quantity"]);
    running
        .ok(
            "stock.quant",
            "write",
            json!([[MILK_QUANT], {"inventory_quantity": before}]),
            inventory_mode(),
        )
        .await;
    running
        .ok(
            "stock.quant",
            "action_apply_inventory",
            json!([[MILK_QUANT]]),
            inventory_mode(),
        )
        .await;
    let newest = &inventory_lines(&running, 9).await[0];
    assert_eq!(
        newest["reference"],
        json!("Product Quantity Confirmed"),
        "a zero difference still books a move"
    );
    assert_eq!(number(&newest["quantity"]), 0.0);
    assert_eq!(newest["lot_id"][1], json!("MU-1001"));
}

#[tokio::test]
async fn uncounted_quant_per_version() {
    // Odoo 18 and 19 mark every applied quant as counted first, so a quant
    // without a count is set to its counted quantity, 0. Odoo 17 books the
    // stored difference, 0 for the data set's quants, as a zero move.
    for version in [17, 18] {
        let running = start_recorded(version).await;
        let before = number(&read_quant(&running, WIDGET_QUANT).await["quantity"]);
        running
            .sim
            .admin_call(
                "stock.quant",
                "action_apply_inventory",
                Some(vec![WIDGET_QUANT]),
                json!({}),
                json!({}),
            )
            .expect("the superuser may apply");

        let after = number(&read_quant(&running, WIDGET_QUANT).await["quantity"]);
        let newest = &inventory_lines(&running, 2).await[0];
        if version == 17 {
            assert_eq!(after, before, "Odoo 17 keeps the stock");
            assert_eq!(newest["reference"], json!("Product Quantity Confirmed"));
        } else {
            assert_eq!(after, 0.0, "Odoo {version} empties the quant");
            assert_eq!(number(&newest["quantity"]), before);
        }
    }
}

#[tokio::test]
async fn inventory_name_names_the_moves() {
    let running = start_recorded(18).await;
    let name = "Cycle count 2026-12 aisle A";
    let context = json!({"context": {"inventory_mode": true, "inventory_name": name}});
    running
        .ok(
            "stock.quant",
            "write",
            json!([[WIDGET_QUANT], {"inventory_quantity": 100}]),
            inventory_mode(),
        )
        .await;
    let bin_quant = running
        .ok(
            "stock.quant",
            "create",
            json!([{"product_id": 5, "location_id": SHELF, "inventory_quantity": 3}]),
            inventory_mode(),
        )
        .await;
    running
        .ok(
            "stock.quant",
            "action_apply_inventory",
            json!([[WIDGET_QUANT, bin_quant]]),
            context,
        )
        .await;

    let found = running
        .ok(
            "stock.move",
            "search_read",
            json!([["|", ["reference", "=", name], ["reference", "=like", format!("{name} (%")]]]),
            json!({"fields": ["reference", "name", "product_id", "is_inventory", "state"], "order": "id"}),
        )
        .await;
    let found = found.as_array().expect("moves");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0]["reference"],
        json!(name),
        "a written count has no assigned user in 18"
    );
    assert_eq!(found[0]["name"], json!(name));
    assert_eq!(
        found[1]["reference"],
        json!(format!("{name} (WMS Integration)"))
    );
    assert!(found.iter().all(|m| m["is_inventory"] == json!(true)));
    assert!(found.iter().all(|m| m["state"] == json!("done")));
}

#[tokio::test]
async fn outdated_count_returns_conflict_wizard() {
    let running = start_recorded(18).await;
    running
        .ok(
            "stock.quant",
            "write",
            json!([[MILK_QUANT], {"inventory_quantity": 30}]),
            inventory_mode(),
        )
        .await;
    // Stock moves after the count: 2 more units arrive.
    running
        .sim
        .admin_call(
            "stock.quant",
            "write",
            Some(vec![MILK_QUANT]),
            json!({"vals": {"quantity": 38.0}}),
            json!({}),
        )
        .expect("fixture write");

    let action = running
        .ok(
            "stock.quant",
            "action_apply_inventory",
            json!([[MILK_QUANT]]),
            inventory_mode(),
        )
        .await;
    assert_eq!(action["res_model"], json!("stock.inventory.conflict"));
    assert_eq!(
        action["context"]["default_quant_to_fix_ids"],
        json!([MILK_QUANT])
    );
    assert_eq!(
        number(&read_quant(&running, MILK_QUANT).await["quantity"]),
        38.0,
        "nothing applied yet"
    );

    let context = json!({"context": action["context"]});
    let wizard = running
        .ok(
            "stock.inventory.conflict",
            "create",
            json!([{}]),
            context.clone(),
        )
        .await;
    running
        .ok(
            "stock.inventory.conflict",
            "action_keep_counted_quantity",
            json!([[wizard]]),
            context,
        )
        .await;
    assert_eq!(
        number(&read_quant(&running, MILK_QUANT).await["quantity"]),
        30.0
    );
}

#[tokio::test]
async fn scrap_moves_stock_to_scrap_location() {
    let running = start_recorded(18).await;
    let before = number(&read_quant(&running, MILK_QUANT).await["quantity"]);
    let scrap = running
        .ok(
            "stock.scrap",
            "create",
            json!([{"product_id": 9, "scrap_qty": 2, "location_id": STOCK, "lot_id": 6, "origin": "WMS damage report 77"}]),
            json!({}),
        )
        .await;
    let result = running
        .ok(
            "stock.scrap",
            "action_validate",
            json!([[scrap]]),
            json!({}),
        )
        .await;
    assert_eq!(result, json!(true));

    let record = running
        .ok(
            "stock.scrap",
            "read",
            json!([[scrap]]),
            json!({"fields": ["name", "state", "move_ids", "scrap_location_id"]}),
        )
        .await[0]
        .clone();
    assert_eq!(record["name"], json!("SP/00001"));
    assert_eq!(record["state"], json!("done"));
    assert_eq!(record["scrap_location_id"][0], json!(SCRAP));
    assert_eq!(
        number(&read_quant(&running, MILK_QUANT).await["quantity"]),
        before - 2.0
    );

    let moves = running
        .ok(
            "stock.move",
            "read",
            json!([record["move_ids"]]),
            json!({"fields": ["state", "scrapped", "origin", "quantity", "location_dest_id", "lot_ids"]}),
        )
        .await;
    assert_eq!(moves[0]["state"], json!("done"));
    assert_eq!(moves[0]["scrapped"], json!(true));
    assert_eq!(moves[0]["origin"], json!("WMS damage report 77"));
    assert_eq!(number(&moves[0]["quantity"]), 2.0);
    assert_eq!(moves[0]["location_dest_id"][0], json!(SCRAP));
    assert_eq!(moves[0]["lot_ids"], json!([6]));
}

#[tokio::test]
async fn short_scrap_returns_wizard() {
    let running = start_recorded(18).await;
    let before = number(&read_quant(&running, MILK_QUANT).await["quantity"]);
    let scrap = running
        .ok(
            "stock.scrap",
            "create",
            json!([{"product_id": 9, "scrap_qty": before + 10.0, "location_id": STOCK, "lot_id": 6}]),
            json!({}),
        )
        .await;
    let action = running
        .ok(
            "stock.scrap",
            "action_validate",
            json!([[scrap]]),
            json!({}),
        )
        .await;
    assert_eq!(
        action["res_model"],
        json!("stock.warn.insufficient.qty.scrap")
    );
    assert_eq!(action["type"], json!("ir.actions.act_window"));
    assert_eq!(action["context"]["default_scrap_id"], json!(scrap));
    assert_eq!(
        action["name"],
        json!("[MILK-UHT] UHT Milk 1 L (case of 12): Insufficient Quantity To Scrap")
    );
    let state = running
        .ok(
            "stock.scrap",
            "read",
            json!([[scrap]]),
            json!({"fields": ["state"]}),
        )
        .await;
    assert_eq!(state[0]["state"], json!("draft"));
    assert_eq!(
        number(&read_quant(&running, MILK_QUANT).await["quantity"]),
        before
    );

    let context = json!({"context": action["context"]});
    let warning = running
        .ok(
            "stock.warn.insufficient.qty.scrap",
            "create",
            json!([{}]),
            context.clone(),
        )
        .await;
    running
        .ok(
            "stock.warn.insufficient.qty.scrap",
            "action_done",
            json!([[warning]]),
            context,
        )
        .await;
    assert_eq!(
        number(&read_quant(&running, MILK_QUANT).await["quantity"]),
        -10.0,
        "confirmed scrap goes below zero"
    );
}

#[tokio::test]
async fn scrap_needs_positive_quantity() {
    let running = start_recorded(18).await;
    let scrap = running
        .ok(
            "stock.scrap",
            "create",
            json!([{"product_id": 2, "scrap_qty": 0}]),
            json!({}),
        )
        .await;
    let body = running
        .execute(
            "stock.scrap",
            "action_validate",
            json!([[scrap]]),
            json!({}),
        )
        .await;
    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.UserError")
    );
    assert_eq!(
        body["error"]["data"]["message"],
        json!("You can only enter positive quantities.")
    );
}

#[tokio::test]
async fn scrap_without_scrap_location_on_19() {
    let running = start_recorded(19).await;
    let (status, body) = running
        .json2(
            "stock.scrap",
            "create",
            json!({"vals_list": [{"product_id": 2, "scrap_qty": 1}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["name"], json!("odoo.exceptions.ValidationError"));

    let (status, body) = running
        .json2(
            "stock.scrap",
            "create",
            json!({"vals_list": [{"product_id": 2, "scrap_qty": 1, "scrap_location_id": 11}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn lot_create_computes_expiry_dates() {
    let running = start_recorded(18).await;
    let lot = running
        .ok(
            "stock.lot",
            "create",
            json!([{"name": "GL-2609-X", "product_id": 8, "company_id": 1, "expiration_date": "2027-09-30 00:00:00"}]),
            json!({}),
        )
        .await;
    let read = running
        .ok(
            "stock.lot",
            "read",
            json!([[lot]]),
            json!({"fields": ["expiration_date", "use_date", "removal_date", "alert_date", "product_qty"]}),
        )
        .await;
    assert_eq!(read[0]["use_date"], json!("2027-08-31 00:00:00"));
    assert_eq!(read[0]["removal_date"], json!("2027-09-16 00:00:00"));
    assert_eq!(read[0]["alert_date"], json!("2027-08-16 00:00:00"));
    assert_eq!(number(&read[0]["product_qty"]), 0.0);
}

#[tokio::test]
async fn duplicate_lot_name_rejected() {
    let running = start_recorded(17).await;
    let body = running
        .execute(
            "stock.lot",
            "create",
            json!([{"name": "MU-1001", "product_id": 9, "company_id": 1}]),
            json!({}),
        )
        .await;
    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.ValidationError")
    );
    let message = body["error"]["data"]["message"].as_str().unwrap_or("");
    assert!(message.contains("Serial Number: MU-1001"), "{message}");

    let running = start_recorded(19).await;
    let (status, body) = running
        .json2(
            "stock.lot",
            "create",
            json!({"vals_list": [{"name": "EPX-A001", "product_id": 9}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["name"], json!("odoo.exceptions.ValidationError"));
}

#[tokio::test]
async fn receipt_lot_name_creates_lot() {
    let running = start_recorded(19).await;
    let (_, picking) = running
        .json2(
            "stock.picking",
            "create",
            json!({"vals_list": [{"picking_type_id": 1, "partner_id": 13, "location_id": 1, "location_dest_id": 5, "move_ids": [[0, 0, {"product_id": 10, "product_uom_qty": 24, "product_uom": 1, "location_id": 1, "location_dest_id": 5}]]}]}),
        )
        .await;
    let picking = picking[0].as_i64().expect("picking id");
    running
        .json2("stock.picking", "action_confirm", json!({"ids": [picking]}))
        .await;
    let (_, lines) = running
        .json2(
            "stock.move.line",
            "search",
            json!({"domain": [["picking_id", "=", picking]]}),
        )
        .await;
    let line = lines[0].as_i64().expect("receipt line");
    running
        .json2(
            "stock.picking",
            "write",
            json!({"ids": [picking], "vals": {"move_line_ids": [[1, line, {"lot_name": "EB-9901", "quantity": 24, "picked": true, "expiration_date": "2027-05-23 19:45:16"}]]}}),
        )
        .await;
    let (status, validated) = running
        .json2(
            "stock.picking",
            "button_validate",
            json!({"ids": [picking]}),
        )
        .await;
    assert_eq!((status, validated), (200, json!(true)));

    let (_, lots) = running
        .json2(
            "stock.lot",
            "search_read",
            json!({"domain": [["name", "=", "EB-9901"]], "fields": ["product_id", "expiration_date", "removal_date", "product_qty"]}),
        )
        .await;
    assert_eq!(lots[0]["product_id"][0], json!(10));
    assert_eq!(lots[0]["expiration_date"], json!("2027-05-23 19:45:16"));
    assert_eq!(lots[0]["removal_date"], json!("2027-05-16 19:45:16"));
    assert_eq!(number(&lots[0]["product_qty"]), 24.0);
}

#[tokio::test]
async fn locations_found_by_complete_name() {
    let running = start_recorded(18).await;
    let found = running
        .ok(
            "stock.location",
            "search_read",
            json!([[["complete_name", "=", "WH/Stock/Shelf A1"]]]),
            json!({"fields": ["name", "usage", "location_id"]}),
        )
        .await;
    assert_eq!(found[0]["id"], json!(SHELF));
    assert_eq!(found[0]["location_id"][0], json!(STOCK));

    let internal = running
        .ok(
            "stock.location",
            "search",
            json!([[["usage", "=", "internal"], ["id", "child_of", STOCK]]]),
            json!({}),
        )
        .await;
    assert_eq!(internal, json!([STOCK, SHELF]));
}

#[tokio::test]
async fn warehouse_context_limits_quantities() {
    let running = start_recorded(19).await;
    let read = |warehouse: i64| json!({"ids": [3], "fields": ["qty_available", "free_qty", "outgoing_qty", "virtual_available"], "context": {"warehouse_id": warehouse}});
    let (_, all) = running
        .json2(
            "product.product",
            "read",
            json!({"ids": [3], "fields": ["qty_available"]}),
        )
        .await;
    let (_, main) = running.json2("product.product", "read", read(1)).await;
    let (_, east) = running.json2("product.product", "read", read(2)).await;
    assert_eq!(
        number(&all[0]["qty_available"]),
        12.0,
        "the recorded total of both warehouses"
    );
    assert_eq!(
        number(&main[0]["qty_available"]) + number(&east[0]["qty_available"]),
        12.0
    );
    let east = &east[0];
    assert_eq!(
        number(&east["virtual_available"]),
        number(&east["qty_available"]) - number(&east["outgoing_qty"])
    );
}

#[tokio::test]
async fn read_group_sums_per_product() {
    let running = start_recorded(18).await;
    let groups = running
        .ok(
            "stock.quant",
            "read_group",
            json!([
                [
                    ["location_id.usage", "=", "internal"],
                    ["product_id", "=", 9]
                ],
                ["quantity:sum"],
                ["product_id"]
            ]),
            json!({"lazy": false}),
        )
        .await;
    assert_eq!(groups.as_array().map(Vec::len), Some(1));
    assert_eq!(
        number(&groups[0]["quantity"]),
        60.0,
        "MILK-UHT lots MU-0912 (24) and MU-1001 (36)"
    );
    assert_eq!(groups[0]["__count"], json!(2));
    assert_eq!(groups[0]["product_id"][0], json!(9));

    let body = running
        .execute(
            "stock.quant",
            "formatted_read_group",
            json!([[], ["product_id"], ["quantity:sum"]]),
            json!({}),
        )
        .await;
    assert_eq!(
        body["error"]["data"]["name"],
        json!("builtins.AttributeError"),
        "18 has no formatted_read_group"
    );
}
