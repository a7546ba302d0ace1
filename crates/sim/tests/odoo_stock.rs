//! Stock state machine of the Odoo simulator through JSON-RPC: what
//! `button_validate` does with picked and unpicked lines, the backorder and
//! expiry wizards with and without their context, and the transaction rules.

mod odoo_support;

use odoo_support::{start_seeded, Running};
use serde_json::{json, Value};

/// Returns an assigned outgoing picking and its move lines.
async fn assigned_picking(running: &Running, skip: usize) -> (i64, Vec<Value>) {
    let pickings = running
        .ok(
            "stock.picking",
            "search",
            json!([[
                ["picking_type_code", "=", "outgoing"],
                ["state", "=", "assigned"]
            ]]),
            json!({"order": "id"}),
        )
        .await;
    let picking = pickings[skip].as_i64().expect("picking id");
    let lines = running
        .ok(
            "stock.move.line",
            "search_read",
            json!([[["picking_id", "=", picking]]]),
            json!({"fields": ["quantity", "picked", "lot_id", "product_id"], "order": "id"}),
        )
        .await;
    (picking, lines.as_array().cloned().unwrap_or_default())
}

async fn picking_state(running: &Running, picking: i64) -> String {
    let read = running
        .ok(
            "stock.picking",
            "read",
            json!([[picking]]),
            json!({"fields": ["state"]}),
        )
        .await;
    read[0]["state"].as_str().unwrap_or("").to_owned()
}

/// Picks every line fully except the first one, which gets `short` less.
async fn pick_short(running: &Running, lines: &[Value], short: f64) {
    for (index, line) in lines.iter().enumerate() {
        let quantity = line["quantity"].as_f64().unwrap();
        let picked = if index == 0 {
            quantity - short
        } else {
            quantity
        };
        running
            .ok(
                "stock.move.line",
                "write",
                json!([[line["id"]], {"quantity": picked, "picked": true}]),
                json!({}),
            )
            .await;
    }
}

async fn first_line_with_quantity_above_one(running: &Running) -> (i64, Vec<Value>) {
    for skip in 0..10 {
        let (picking, lines) = assigned_picking(running, skip).await;
        if lines
            .first()
            .and_then(|l| l["quantity"].as_f64())
            .is_some_and(|q| q > 1.0)
        {
            return (picking, lines);
        }
    }
    panic!("no picking with a first line above one unit in the seeded data");
}

#[tokio::test]
async fn unpicked_picking_ships_everything() {
    let running = start_seeded(18, 5).await;
    let (picking, lines) = assigned_picking(&running, 0).await;

    let result = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;

    assert_eq!(result, json!(true));
    assert_eq!(picking_state(&running, picking).await, "done");
    let after = running
        .ok(
            "stock.move.line",
            "read",
            json!([lines.iter().map(|l| l["id"].clone()).collect::<Vec<_>>()]),
            json!({"fields": ["quantity", "picked", "state"]}),
        )
        .await;
    for (line, before) in after.as_array().unwrap().iter().zip(&lines) {
        assert_eq!(
            line["picked"],
            json!(true),
            "every reserved line is marked picked"
        );
        assert_eq!(
            line["quantity"].as_f64(),
            before["quantity"].as_f64(),
            "the reserved quantity ships"
        );
    }
}

#[tokio::test]
async fn partial_returns_backorder_wizard() {
    let running = start_seeded(18, 8).await;
    let (picking, lines) = first_line_with_quantity_above_one(&running).await;
    pick_short(&running, &lines, 1.0).await;

    let action = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;

    assert_eq!(action["type"], json!("ir.actions.act_window"));
    assert_eq!(action["res_model"], json!("stock.backorder.confirmation"));
    assert_eq!(
        action["context"]["button_validate_picking_ids"],
        json!([picking])
    );
    assert_eq!(action["context"]["default_pick_ids"], json!([[4, picking]]));
    assert_eq!(
        picking_state(&running, picking).await,
        "assigned",
        "nothing is validated"
    );
}

#[tokio::test]
async fn wizard_without_context_does_nothing() {
    let running = start_seeded(18, 8).await;
    let (picking, lines) = first_line_with_quantity_above_one(&running).await;
    pick_short(&running, &lines, 1.0).await;
    running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;

    let wizard = running
        .ok(
            "stock.backorder.confirmation",
            "create",
            json!([{"pick_ids": [[4, picking]]}]),
            json!({}),
        )
        .await;
    let result = running
        .ok(
            "stock.backorder.confirmation",
            "process",
            json!([[wizard]]),
            json!({}),
        )
        .await;

    assert_eq!(result, json!(true));
    assert_eq!(picking_state(&running, picking).await, "assigned");
}

#[tokio::test]
async fn wizard_with_context_creates_backorder() {
    let running = start_seeded(18, 8).await;
    let (picking, lines) = first_line_with_quantity_above_one(&running).await;
    pick_short(&running, &lines, 1.0).await;
    let action = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;
    let context = action["context"].clone();

    let wizard = running
        .ok(
            "stock.backorder.confirmation",
            "create",
            json!([{}]),
            json!({"context": context}),
        )
        .await;
    let result = running
        .ok(
            "stock.backorder.confirmation",
            "process",
            json!([[wizard]]),
            json!({"context": context}),
        )
        .await;

    assert_eq!(result, json!(true));
    assert_eq!(picking_state(&running, picking).await, "done");
    let backorders = running
        .ok(
            "stock.picking",
            "search_read",
            json!([[["backorder_id", "=", picking]]]),
            json!({"fields": ["state", "move_ids", "name"]}),
        )
        .await;
    assert_eq!(backorders.as_array().unwrap().len(), 1, "one backorder");
    assert_eq!(
        backorders[0]["state"],
        json!("assigned"),
        "the backorder is reserved again"
    );
    let moves = running
        .ok(
            "stock.move",
            "read",
            json!([backorders[0]["move_ids"].clone()]),
            json!({"fields": ["product_uom_qty"]}),
        )
        .await;
    assert_eq!(
        moves[0]["product_uom_qty"].as_f64(),
        Some(1.0),
        "the missing unit moves to the backorder"
    );
}

#[tokio::test]
async fn cancel_backorder_closes_the_rest() {
    let running = start_seeded(18, 8).await;
    let (picking, lines) = first_line_with_quantity_above_one(&running).await;
    pick_short(&running, &lines, 1.0).await;
    let action = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;
    let context = action["context"].clone();

    let wizard = running
        .ok(
            "stock.backorder.confirmation",
            "create",
            json!([{}]),
            json!({"context": context}),
        )
        .await;
    running
        .ok(
            "stock.backorder.confirmation",
            "process_cancel_backorder",
            json!([[wizard]]),
            json!({"context": context}),
        )
        .await;

    assert_eq!(picking_state(&running, picking).await, "done");
    let count = running
        .ok(
            "stock.picking",
            "search_count",
            json!([[["backorder_id", "=", picking]]]),
            json!({}),
        )
        .await;
    assert_eq!(count, json!(0));
}

#[tokio::test]
async fn skip_backorder_context_validates() {
    let running = start_seeded(18, 8).await;
    let (picking, lines) = first_line_with_quantity_above_one(&running).await;
    pick_short(&running, &lines, 1.0).await;

    let result = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({"context": {"skip_backorder": true}}),
        )
        .await;

    assert_eq!(result, json!(true));
    let count = running
        .ok(
            "stock.picking",
            "search_count",
            json!([[["backorder_id", "=", picking]]]),
            json!({}),
        )
        .await;
    assert_eq!(
        count,
        json!(1),
        "skip_backorder alone creates the backorder"
    );
}

#[tokio::test]
async fn not_to_backorder_cancels_rest() {
    let running = start_seeded(18, 8).await;
    let (picking, lines) = first_line_with_quantity_above_one(&running).await;
    pick_short(&running, &lines, 1.0).await;

    let context = json!({"skip_backorder": true, "picking_ids_not_to_backorder": [picking]});
    let result = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({"context": context}),
        )
        .await;

    assert_eq!(result, json!(true));
    assert_eq!(picking_state(&running, picking).await, "done");
    let count = running
        .ok(
            "stock.picking",
            "search_count",
            json!([[["backorder_id", "=", picking]]]),
            json!({}),
        )
        .await;
    assert_eq!(count, json!(0));
}

#[tokio::test]
async fn failing_picking_rolls_back_batch() {
    let running = start_seeded(18, 5).await;
    let (good, _) = assigned_picking(&running, 0).await;
    let (bad, bad_lines) = assigned_picking(&running, 1).await;
    for line in &bad_lines {
        running
            .ok(
                "stock.move.line",
                "write",
                json!([[line["id"]], {"quantity": 0, "picked": false}]),
                json!({}),
            )
            .await;
    }

    let body = running
        .execute(
            "stock.picking",
            "button_validate",
            json!([[good, bad]]),
            json!({}),
        )
        .await;

    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.UserError")
    );
    assert_eq!(
        picking_state(&running, good).await,
        "assigned",
        "one failing picking validates none"
    );
    let summary = running.sim.state_summary();
    assert_eq!(
        summary["pickings"][good.to_string()]["validate_count"],
        json!(0)
    );
}

#[tokio::test]
async fn negative_quantity_is_user_error() {
    let running = start_seeded(18, 2).await;
    let (_, lines) = assigned_picking(&running, 0).await;

    let body = running
        .execute(
            "stock.move.line",
            "write",
            json!([[lines[0]["id"]], {"quantity": -5}]),
            json!({}),
        )
        .await;

    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.UserError")
    );
    assert_eq!(
        body["error"]["data"]["message"],
        json!("Reserving a negative quantity is not allowed.")
    );
}

#[tokio::test]
async fn expired_lot_returns_expiry_wizard() {
    let running = start_seeded(18, 12).await;
    let lines = running
        .ok(
            "stock.move.line",
            "search_read",
            json!([[
                ["product_id.default_code", "=", "MILK-UHT"],
                ["picking_id.state", "=", "assigned"]
            ]]),
            json!({"fields": ["picking_id"], "limit": 1}),
        )
        .await;
    let picking = lines[0]["picking_id"][0]
        .as_i64()
        .expect("a seeded picking ships MILK-UHT");
    // The seeded lots expire in 2036; from March 2036 on the first one is expired.
    running.sim.freeze_clock(Some("2036-03-01 00:00:00".into()));

    let action = running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;

    assert_eq!(action["res_model"], json!("expiry.picking.confirmation"));
    assert_eq!(
        picking_state(&running, picking).await,
        "assigned",
        "nothing is validated"
    );
    let context = action["context"].clone();
    let wizard = running
        .ok(
            "expiry.picking.confirmation",
            "create",
            json!([{}]),
            json!({"context": context}),
        )
        .await;
    let result = running
        .ok(
            "expiry.picking.confirmation",
            "process",
            json!([[wizard]]),
            json!({"context": context}),
        )
        .await;
    assert_eq!(result, json!(true));
    assert_eq!(picking_state(&running, picking).await, "done");
}

#[tokio::test]
async fn write_after_done_is_counted() {
    let running = start_seeded(19, 2).await;
    let (picking, lines) = assigned_picking(&running, 0).await;
    running
        .ok(
            "stock.picking",
            "button_validate",
            json!([[picking]]),
            json!({}),
        )
        .await;

    let quantity = lines[0]["quantity"].as_f64().unwrap() + 1.0;
    let result = running
        .ok(
            "stock.move.line",
            "write",
            json!([[lines[0]["id"]], {"quantity": quantity}]),
            json!({}),
        )
        .await;

    assert_eq!(result, json!(true), "Odoo accepts the write on a done line");
    let summary = running.sim.state_summary();
    assert_eq!(
        summary["pickings"][picking.to_string()]["writes_after_done"],
        json!(1)
    );
    assert_eq!(
        summary["pickings"][picking.to_string()]["validate_count"],
        json!(1)
    );
}

#[tokio::test]
async fn duplicate_lot_is_validation_error() {
    let running = start_seeded(18, 1).await;
    let lot = running
        .ok(
            "stock.lot",
            "search_read",
            json!([[["name", "=", "PW-2601-A"]]]),
            json!({"fields": ["product_id"]}),
        )
        .await;
    let product = lot[0]["product_id"][0].clone();

    let body = running
        .execute(
            "stock.lot",
            "create",
            json!([{"name": "PW-2601-A", "product_id": product}]),
            json!({}),
        )
        .await;

    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.ValidationError")
    );
}

#[tokio::test]
async fn lot_create_computes_dates() {
    let running = start_seeded(18, 1).await;
    let milk = running
        .ok(
            "product.product",
            "search",
            json!([[["default_code", "=", "MILK-UHT"]]]),
            json!({}),
        )
        .await[0]
        .clone();

    let lot = running.ok("stock.lot", "create", json!([{"name": "MU-NEW", "product_id": milk, "expiration_date": "2030-01-31 10:00:00"}]), json!({})).await;
    let read = running
        .ok(
            "stock.lot",
            "read",
            json!([[lot]]),
            json!({"fields": ["name", "expiration_date", "use_date"]}),
        )
        .await;

    assert_eq!(read[0]["expiration_date"], json!("2030-01-31 10:00:00"));
    assert_eq!(
        read[0]["use_date"],
        json!("2030-01-31 10:00:00"),
        "use_time is 0 days in the seeded product"
    );
}

#[tokio::test]
async fn waiting_picking_validates_when_written() {
    let running = start_seeded(18, 1).await;
    let sim = &running.sim;
    let product = sim
        .admin_call("product.product", "create", None, json!({"vals_list": [{"name": "Out Of Stock Item", "default_code": "OOS-1", "type": "consu", "is_storable": true, "tracking": "none", "weight": 1.0}]}), json!({}))
        .unwrap()[0]
        .clone();
    let order = sim
        .admin_call("sale.order", "create", None, json!({"vals_list": [{"partner_id": 10, "warehouse_id": 1, "order_line": [[0, 0, {"product_id": product, "product_uom_qty": 2.0}]]}]}), json!({}))
        .unwrap()[0]
        .as_i64()
        .unwrap();
    sim.admin_call(
        "sale.order",
        "action_confirm",
        Some(vec![order]),
        json!({}),
        json!({}),
    )
    .unwrap();
    let picking = running
        .ok(
            "stock.picking",
            "search_read",
            json!([[["sale_id", "=", order]]]),
            json!({"fields": ["state"]}),
        )
        .await;
    assert_eq!(
        picking[0]["state"],
        json!("confirmed"),
        "nothing to reserve"
    );
    let id = picking[0]["id"].clone();

    running.ok("stock.picking", "write", json!([[id], {"move_line_ids": [[0, 0, {"product_id": product, "quantity": 2, "picked": true}]]}]), json!({})).await;
    let result = running
        .ok("stock.picking", "button_validate", json!([[id]]), json!({}))
        .await;

    assert_eq!(result, json!(true), "Odoo validates into negative stock");
    let quants = running
        .ok(
            "stock.quant",
            "search_read",
            json!([[["product_id", "=", product], ["location_id", "=", 8]]]),
            json!({"fields": ["quantity"]}),
        )
        .await;
    assert_eq!(quants[0]["quantity"].as_f64(), Some(-2.0));
}

#[tokio::test]
async fn failed_batch_restores_every_record() {
    let running = start_seeded(18, 5).await;
    let (good, good_lines) = assigned_picking(&running, 0).await;
    let (bad, bad_lines) = assigned_picking(&running, 1).await;
    for line in &bad_lines {
        running
            .ok(
                "stock.move.line",
                "write",
                json!([[line["id"]], {"quantity": 0, "picked": false}]),
                json!({}),
            )
            .await;
    }
    let line_fields =
        json!({"fields": ["quantity", "picked", "state", "write_date"], "order": "id"});
    let lines_before = running
        .ok(
            "stock.move.line",
            "search_read",
            json!([[["picking_id", "in", [good, bad]]]]),
            line_fields.clone(),
        )
        .await;
    let quants_before = running
        .ok(
            "stock.quant",
            "search_read",
            json!([[]]),
            json!({"fields": ["quantity", "reserved_quantity"], "order": "id"}),
        )
        .await;
    let summary_before = running.sim.state_summary();

    // The good picking is processed first: its lines are marked picked
    // before the bad one raises, and that change must be undone.
    let body = running
        .execute(
            "stock.picking",
            "button_validate",
            json!([[good, bad]]),
            json!({}),
        )
        .await;

    assert!(body.get("error").is_some(), "the batch fails: {body}");
    assert!(!good_lines.is_empty());
    let lines_after = running
        .ok(
            "stock.move.line",
            "search_read",
            json!([[["picking_id", "in", [good, bad]]]]),
            line_fields,
        )
        .await;
    assert_eq!(lines_after, lines_before, "move lines are unchanged");
    let quants_after = running
        .ok(
            "stock.quant",
            "search_read",
            json!([[]]),
            json!({"fields": ["quantity", "reserved_quantity"], "order": "id"}),
        )
        .await;
    assert_eq!(quants_after, quants_before, "quants are unchanged");
    assert_eq!(running.sim.state_summary(), summary_before);
}

#[tokio::test]
async fn failed_write_removes_created_line() {
    let running = start_seeded(18, 3).await;
    let (picking, lines) = assigned_picking(&running, 0).await;
    let product = lines[0]["product_id"][0].clone();
    let count_lines = || async {
        running
            .ok(
                "stock.move.line",
                "search_count",
                json!([[["picking_id", "=", picking]]]),
                json!({}),
            )
            .await
    };
    let before = count_lines().await;

    // The first command creates a line; the second raises, so the call fails.
    let body = running
        .execute(
            "stock.picking",
            "write",
            json!([[picking], {"move_line_ids": [
                [0, 0, {"product_id": product, "quantity": 1}],
                [1, lines[0]["id"], {"quantity": -1}],
            ]}]),
            json!({}),
        )
        .await;

    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.UserError"),
        "{body}"
    );
    assert_eq!(count_lines().await, before, "the created line is gone");
    let moves = running
        .ok(
            "stock.move",
            "search_read",
            json!([[["picking_id", "=", picking]]]),
            json!({"fields": ["move_line_ids"]}),
        )
        .await;
    let listed: usize = moves
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["move_line_ids"].as_array().unwrap().len())
        .sum();
    assert_eq!(json!(listed), before, "one2many reads agree with the count");
}
