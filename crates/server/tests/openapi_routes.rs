//! The OpenAPI file and the router describe the same routes, and every
//! route refuses a caller without a token (401) or with too low a role (403).

mod common;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use wharf_server::routes::{Access, ROUTES};
use wharf_store::{Role, Store as _};

use common::TestServer;

fn openapi() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("openapi.json is readable");
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

/// (method, path, role) of every operation in the OpenAPI file; role
/// `none` for the open health routes.
fn documented() -> BTreeSet<(String, String, String)> {
    let doc = openapi();
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths object") {
        for (method, operation) in item.as_object().expect("path item object") {
            let role = operation["x-wharf-role"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no x-wharf-role"));
            operations.insert((method.to_uppercase(), path.clone(), role.to_owned()));
        }
    }
    operations
}

/// Returns the same triples from the router's table: every route but the
/// dashboard's HTML pages.
fn routed() -> BTreeSet<(String, String, String)> {
    ROUTES
        .iter()
        .filter_map(|route| {
            let role = match route.access {
                Access::Open => "none".to_owned(),
                Access::Api(role) => role.as_str().to_owned(),
                Access::Page(_) | Access::SignIn => return None,
            };
            Some((route.method.to_string(), route.path.to_owned(), role))
        })
        .collect()
}

#[test]
fn openapi_matches_router_routes() {
    let documented = documented();
    let routed = routed();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from openapi.json: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "openapi.json operations the router lacks: {unrouted:?}"
    );
}

async fn call(server: &TestServer, method: &str, path: &str, secret: Option<&str>) -> StatusCode {
    // An id no row has: a DELETE of a real token would revoke one of the
    // test's own.
    let path = path.replace("{id}", "999999");
    let path = if path == "/api/v1/trace" {
        format!("{path}?reference=WH/OUT/00001")
    } else {
        path
    };
    let method = Method::from_bytes(method.as_bytes()).expect("HTTP method");
    let mut request = server.client.request(method.clone(), server.url(&path));
    if method != Method::GET && method != Method::DELETE {
        request = request.json(&serde_json::json!({}));
    }
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    request.send().await.expect("server answers").status()
}

#[tokio::test]
async fn routes_reject_missing_or_low_tokens() {
    let server = TestServer::start().await;
    let mut checked = 0;
    for (method, path, role) in documented() {
        let Some(needed) = Role::parse(&role) else {
            let status = call(&server, &method, &path, None).await;
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{method} {path} is open");
            continue;
        };
        assert_eq!(
            call(&server, &method, &path, None).await,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        assert_eq!(
            call(&server, &method, &path, Some("wharf_not-a-token")).await,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with an unknown token"
        );
        for role in Role::ALL {
            let status = call(&server, &method, &path, Some(server.secret(role))).await;
            if role < needed {
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as {role}");
            } else {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{method} {path} as {role} returned {status}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} secured routes documented");
}

#[tokio::test]
async fn revoked_token_rejected() {
    let server = TestServer::start().await;
    let secret = common::create_token(&*server.store, Role::Admin, None).await;
    assert_eq!(
        call(&server, "GET", "/api/v1/status", Some(&secret)).await,
        StatusCode::OK
    );
    let tokens = server.store.tokens().await.expect("tokens");
    let id = tokens.last().expect("the new token").id;
    server
        .store
        .revoke_token(id, "test")
        .await
        .expect("revoked");
    assert_eq!(
        call(&server, "GET", "/api/v1/status", Some(&secret)).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pages_without_session_redirect() {
    let server = TestServer::start().await;
    for route in ROUTES
        .iter()
        .filter(|route| matches!(route.access, Access::Page(_)))
    {
        let path = route.path.replace("{id}", "1");
        let method = Method::from_bytes(route.method.as_str().as_bytes()).expect("method");
        let response = server
            .client
            .request(method, server.url(&path))
            .send()
            .await
            .expect("server answers");
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{} {path}",
            route.method
        );
        assert_eq!(
            response.headers()["location"],
            "/login",
            "{} {path} redirects to sign-in",
            route.method
        );
    }
}
