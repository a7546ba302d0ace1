//! Differences between the simulated Odoo 17, 18 and 19: error envelopes,
//! JSON-2 availability and statuses, `has_group`, product types, and
//! `button_validate` on a done picking.

mod odoo_support;

use odoo_support::{start_seeded, KEY};
use serde_json::{json, Value};

#[tokio::test]
async fn done_picking_validate_per_version() {
    for version in [17, 18, 19] {
        let running = start_seeded(version, 2).await;
        let picking = running
            .ok(
                "stock.picking",
                "search",
                json!([[["state", "=", "assigned"]]]),
                json!({"limit": 1}),
            )
            .await[0]
            .clone();
        running
            .ok(
                "stock.picking",
                "button_validate",
                json!([[picking]]),
                json!({}),
            )
            .await;

        let body = running
            .execute(
                "stock.picking",
                "button_validate",
                json!([[picking]]),
                json!({}),
            )
            .await;

        if version >= 19 {
            assert_eq!(
                body["result"],
                json!(true),
                "19 returns true on a done picking"
            );
        } else {
            assert_eq!(
                body["error"]["data"]["name"],
                json!("odoo.exceptions.UserError"),
                "{version} raises"
            );
        }
        let summary = running.sim.state_summary();
        assert_eq!(
            summary["pickings"][picking.to_string()]["validate_count"],
            json!(1),
            "{version}: validated once"
        );
    }
}

#[tokio::test]
async fn rpc_error_code_per_version() {
    for (version, code) in [(17, 200), (18, 200), (19, 0)] {
        let running = start_seeded(version, 1).await;

        let body = running
            .execute(
                "sale.order",
                "write",
                json!([[999999], {"client_order_ref": "x"}]),
                json!({}),
            )
            .await;

        assert_eq!(body["error"]["code"], json!(code), "{version}");
        assert_eq!(body["error"]["message"], json!("Odoo Server Error"));
        assert_eq!(
            body["error"]["data"]["name"],
            json!("odoo.exceptions.MissingError")
        );
        assert!(body.get("result").is_none());
    }
}

#[tokio::test]
async fn rpc_common_errors() {
    let running = start_seeded(18, 1).await;
    let url = format!("{}/jsonrpc", running.base);

    let wrong = json!({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"service": "common", "method": "authenticate", "args": [odoo_support::DB, "integration", "wrong", {}]}});
    let body: Value = running
        .client
        .post(&url)
        .json(&wrong)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["result"],
        json!(false),
        "a wrong password is not an error on authenticate"
    );

    let denied = json!({"jsonrpc": "2.0", "method": "call", "id": 2, "params": {"service": "object", "method": "execute_kw", "args": [odoo_support::DB, 3, "wrong", "res.partner", "search", [[]]]}});
    let body: Value = running
        .client
        .post(&url)
        .json(&denied)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["error"]["data"]["name"],
        json!("odoo.exceptions.AccessDenied")
    );

    let response = running
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"jsonrpc\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(response.text().await.unwrap(), "Invalid JSON data");

    let private = running
        .execute("stock.picking", "_action_done", json!([[1]]), json!({}))
        .await;
    assert_eq!(
        private["error"]["data"]["name"],
        json!("odoo.exceptions.AccessError")
    );
    let unknown = running
        .execute("no.such.model", "search", json!([[]]), json!({}))
        .await;
    assert_eq!(
        unknown["error"]["data"]["name"],
        json!("odoo.exceptions.UserError")
    );
    let method = running
        .execute("sale.order", "no_such_method", json!([[1]]), json!({}))
        .await;
    assert_eq!(
        method["error"]["data"]["name"],
        json!("builtins.AttributeError")
    );
    let field = running
        .execute(
            "sale.order",
            "read",
            json!([[1]]),
            json!({"fields": ["no_such_field"]}),
        )
        .await;
    assert_eq!(field["error"]["data"]["name"], json!("builtins.ValueError"));
    let missing = running
        .execute(
            "sale.order",
            "read",
            json!([[999999]]),
            json!({"fields": ["name"]}),
        )
        .await;
    assert_eq!(
        missing["result"],
        json!([]),
        "reading a missing id returns nothing"
    );
}

#[tokio::test]
async fn json2_probe_before_19() {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (version, status) in [(17, 404), (18, 303)] {
        let running = start_seeded(version, 1).await;

        let response = client
            .post(format!("{}/json/2/res.partner/search_read", running.base))
            .bearer_auth(KEY)
            .json(&json!({"domain": []}))
            .send()
            .await
            .unwrap();

        assert_eq!(response.status().as_u16(), status, "{version}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
}

#[tokio::test]
async fn json2_statuses_on_19() {
    let running = start_seeded(19, 1).await;

    let (status, body) = running
        .json2(
            "sale.order",
            "write",
            json!({"ids": [999999], "vals": {"client_order_ref": "x"}}),
        )
        .await;
    assert_eq!(
        (status, body["name"].clone()),
        (404, json!("odoo.exceptions.MissingError"))
    );

    let (status, body) = running
        .json2(
            "sale.order",
            "search_read",
            json!({"domain": [["no_such_field", "=", 1]], "fields": ["name"]}),
        )
        .await;
    assert_eq!(
        (status, body["name"].clone()),
        (500, json!("builtins.ValueError"))
    );

    let (status, body) = running
        .json2("stock.picking", "_action_done", json!({"ids": [1]}))
        .await;
    assert_eq!(
        (status, body["name"].clone()),
        (403, json!("odoo.exceptions.AccessError"))
    );

    let (status, body) = running
        .json2("sale.orders", "search_read", json!({"domain": []}))
        .await;
    assert_eq!(
        (status, body["name"].clone()),
        (404, json!("werkzeug.exceptions.NotFound"))
    );

    let (status, body) = running
        .json2("stock.picking", "write", json!({"ids": [1]}))
        .await;
    assert_eq!(
        (status, body["name"].clone()),
        (422, json!("werkzeug.exceptions.UnprocessableEntity"))
    );

    let response = running
        .client
        .post(format!("{}/json/2/res.users/context_get", running.base))
        .bearer_auth("bad-key")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");

    let (status, body) = running.json2("res.users", "context_get", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["lang"], json!("en_US"));

    let version: Value = running
        .client
        .get(format!("{}/json/version", running.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(version["version_info"][0], json!(19));
}

#[tokio::test]
async fn has_group_signature_per_version() {
    let running = start_seeded(17, 1).await;
    let uid = running.sim.user_id("integration").unwrap();
    assert_eq!(
        running
            .ok(
                "res.users",
                "has_group",
                json!(["stock.group_stock_user"]),
                json!({})
            )
            .await,
        json!(true),
        "17: @api.model"
    );

    let running = start_seeded(18, 1).await;
    assert_eq!(
        running
            .ok(
                "res.users",
                "has_group",
                json!([[uid], "stock.group_stock_user"]),
                json!({})
            )
            .await,
        json!(true),
        "18: record method"
    );
}

#[tokio::test]
async fn product_type_per_version() {
    let running = start_seeded(17, 1).await;
    let products = running
        .ok(
            "product.product",
            "search_read",
            json!([[["default_code", "=", "WID-100"]]]),
            json!({"fields": ["type"]}),
        )
        .await;
    assert_eq!(products[0]["type"], json!("product"));

    let running = start_seeded(18, 1).await;
    let products = running
        .ok(
            "product.product",
            "search_read",
            json!([[["default_code", "=", "WID-100"]]]),
            json!({"fields": ["type", "is_storable"]}),
        )
        .await;
    assert_eq!(products[0]["type"], json!("consu"));
    assert_eq!(products[0]["is_storable"], json!(true));
}

#[tokio::test]
async fn sms_wizard_on_19() {
    let running = start_seeded(19, 3).await;
    let picking = running
        .ok(
            "stock.picking",
            "search_read",
            json!([[["state", "=", "assigned"]]]),
            json!({"fields": ["partner_id"], "limit": 1}),
        )
        .await;
    let id = picking[0]["id"].clone();
    running
        .ok(
            "res.partner",
            "write",
            json!([[picking[0]["partner_id"][0]], {"phone": "+1 555 0100"}]),
            json!({}),
        )
        .await;

    let action = running
        .ok("stock.picking", "button_validate", json!([[id]]), json!({}))
        .await;
    assert_eq!(action["res_model"], json!("confirm.stock.sms"));
    let result = running
        .ok(
            "confirm.stock.sms",
            "dont_send_sms",
            json!([[action["res_id"]]]),
            json!({"context": action["context"]}),
        )
        .await;

    assert_eq!(result, json!(true));
    let state = running
        .ok(
            "stock.picking",
            "read",
            json!([[id]]),
            json!({"fields": ["state"]}),
        )
        .await;
    assert_eq!(state[0]["state"], json!("done"));
}
