//! Version and protocol detection from the version responses real Odoo 17,
//! 18 and 19 returned, and what each protocol puts on the wire.

mod common;

use common::{answer_connect, connect, MockServer, Outgoing};
use serde_json::{json, Map};
use wharf_odoo::{Client, ErrorKind, Protocol};

#[tokio::test]
async fn auto_detects_each_version() {
    let cases = [
        ("odoo17", 17, Protocol::JsonRpc),
        ("odoo18", 18, Protocol::JsonRpc),
        ("odoo19", 19, Protocol::Json2),
    ];
    for (version, major, protocol) in cases {
        let server =
            MockServer::start(move |request| answer_connect(version, request).unwrap()).await;
        let client = connect(
            &server,
            Protocol::Auto,
            &format!("WHARF_TEST_KEY_AUTO_{version}"),
        )
        .await;
        assert_eq!(client.version().major, major, "{version}");
        assert_eq!(client.protocol(), protocol, "{version}");

        let counts = client.call_counts();
        if protocol == Protocol::JsonRpc {
            assert_eq!(
                counts.get("common.version"),
                Some(&1),
                "{version}: {counts:?}"
            );
            assert_eq!(
                counts.get("common.authenticate"),
                Some(&1),
                "{version}: {counts:?}"
            );
        } else {
            assert_eq!(
                counts.get("common.authenticate"),
                None,
                "{version}: JSON-2 has no login"
            );
        }
    }
}

#[tokio::test]
async fn forced_jsonrpc_on_odoo19() {
    let server = MockServer::start(|request| answer_connect("odoo19", request).unwrap()).await;
    let client = connect(&server, Protocol::JsonRpc, "WHARF_TEST_KEY_FORCED_RPC19").await;
    assert_eq!(client.version().major, 19);
    assert_eq!(client.protocol(), Protocol::JsonRpc);
}

#[tokio::test]
async fn odoo16_is_rejected() {
    let server = MockServer::start(|request| {
        if request.path == "/json/version" {
            return Outgoing { status: 404, body: "<html>Not Found</html>".to_owned(), location: None };
        }
        Outgoing::rpc_result(json!({"server_version": "16.0-20231010", "server_version_info": [16, 0, 0, "final", 0, ""]}))
    })
    .await;
    let config = common::config(&server.url(), Protocol::Auto, "WHARF_TEST_KEY_ODOO16", "k");
    let error = Client::connect(&config).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permanent);
    assert!(error.to_string().contains("16.0-20231010"), "{error}");
}

#[tokio::test]
async fn json2_sends_bearer_database_and_named_arguments() {
    let server = MockServer::start(|request| {
        answer_connect("odoo19", request)
            .unwrap_or_else(|| Outgoing::json(json!([{"id": 1, "name": "S00001"}])))
    })
    .await;
    let client = connect(&server, Protocol::Auto, "WHARF_TEST_KEY_HEADERS").await;
    let records = client
        .search_read(
            "sale.order",
            json!([["id", "=", 1]]),
            &["name"],
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(records.len(), 1);

    let request = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/json/2/sale.order/search_read")
        .unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.headers["authorization"],
        "bearer test-key-0123456789"
    );
    assert_eq!(request.headers["x-odoo-database"], "wms");
    assert_eq!(
        request.json(),
        json!({"domain": [["id", "=", 1]], "fields": ["name"]})
    );
    assert_eq!(client.call_counts().get("sale.order.search_read"), Some(&1));
}

#[tokio::test]
async fn jsonrpc_sends_execute_kw() {
    let server = MockServer::start(|request| {
        answer_connect("odoo18", request).unwrap_or_else(|| Outgoing::rpc_result(json!(true)))
    })
    .await;
    let client = connect(&server, Protocol::Auto, "WHARF_TEST_KEY_EXECUTE_KW").await;
    let mut vals = Map::new();
    vals.insert("carrier_tracking_ref".to_owned(), json!("X"));
    client.write("stock.picking", &[1], vals).await.unwrap();

    let request = server.requests().into_iter().last().unwrap();
    assert_eq!(request.path, "/jsonrpc");
    let params = &request.json()["params"];
    assert_eq!(params["service"], "object");
    assert_eq!(params["method"], "execute_kw");
    assert_eq!(
        params["args"],
        json!(["wms", 6, "test-key-0123456789", "stock.picking", "write", [[1], {"carrier_tracking_ref": "X"}], {}])
    );
}

#[tokio::test]
async fn has_group_signature_per_version() {
    for (version, expected) in [
        ("odoo17", json!(["stock.group_stock_user"])),
        ("odoo18", json!([[6], "stock.group_stock_user"])),
    ] {
        let server = MockServer::start(move |request| {
            answer_connect(version, request).unwrap_or_else(|| Outgoing::rpc_result(json!(true)))
        })
        .await;
        let client = connect(
            &server,
            Protocol::Auto,
            &format!("WHARF_TEST_KEY_GROUP_{version}"),
        )
        .await;
        assert!(client.has_group("stock.group_stock_user").await.unwrap());
        let request = server.requests().into_iter().last().unwrap();
        assert_eq!(request.json()["params"]["args"][5], expected, "{version}");
    }

    let server = MockServer::start(|request| {
        answer_connect("odoo19", request).unwrap_or_else(|| match request.path.as_str() {
            "/json/2/res.users/context_get" => {
                Outgoing::json(json!({"lang": "en_US", "tz": false, "uid": 5}))
            }
            _ => Outgoing::json(json!(true)),
        })
    })
    .await;
    let client = connect(&server, Protocol::Auto, "WHARF_TEST_KEY_GROUP_19").await;
    assert!(client.has_group("stock.group_stock_manager").await.unwrap());
    let request = server.requests().into_iter().last().unwrap();
    assert_eq!(
        request.json(),
        json!({"ids": [5], "group_ext_id": "stock.group_stock_manager"})
    );
}

#[tokio::test]
async fn client_debug_hides_key() {
    let server = MockServer::start(|request| answer_connect("odoo19", request).unwrap()).await;
    let client = connect(&server, Protocol::Auto, "WHARF_TEST_KEY_DEBUG").await;
    let debug = format!("{client:?}");
    assert!(!debug.contains("test-key-0123456789"), "{debug}");
    assert!(debug.contains("***"), "{debug}");
}
