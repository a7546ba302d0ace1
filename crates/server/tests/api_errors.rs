//! The API's responses to bad requests: JSON errors that name the problem,
//! site limits on the routes about every site, and checks on new tokens.

mod common;

use reqwest::StatusCode;
use serde_json::{json, Value};
use wharf_store::Role;

use common::TestServer;

async fn error_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON error body");
    let text = body["error"].as_str().expect("an error field").to_owned();
    (status, text)
}

#[tokio::test]
async fn rejections_are_json_errors() {
    let server = TestServer::start().await;
    let admin = server.secret(Role::Admin).to_owned();

    let not_json = server
        .client
        .post(server.url("/api/v1/exceptions/1/resolve"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, _) = error_of(not_json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let bad_id = server
        .client
        .get(server.url("/api/v1/exceptions/abc"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let (status, text) = error_of(bad_id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("abc"), "{text}");

    let unknown = server
        .client
        .get(server.url("/api/v1/nothing-here"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let (status, text) = error_of(unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text.contains("/api/v1/nothing-here"), "{text}");
}

#[tokio::test]
async fn unknown_token_named_in_error() {
    let server = TestServer::start().await;
    let response = server
        .client
        .get(server.url("/api/v1/status"))
        .bearer_auth("wharf_0000")
        .send()
        .await
        .unwrap();
    let (status, text) = error_of(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("unknown or revoked"), "{text}");
}

#[tokio::test]
async fn site_token_denied_global_routes() {
    let server = TestServer::start().await;
    let secret = common::create_token(&*server.store, Role::Admin, Some("north")).await;
    for path in ["/api/v1/status", "/metrics"] {
        let response = server
            .client
            .get(server.url(path))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn new_token_name_and_site_checked() {
    let server = TestServer::start().await;
    let admin = server.secret(Role::Admin).to_owned();
    let create = |body: Value| {
        server
            .client
            .post(server.url("/api/v1/tokens"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };

    let line_break = create(json!({ "name": "two\nlines", "role": "viewer" }))
        .await
        .unwrap();
    let (status, text) = error_of(line_break).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("control character"), "{text}");

    let first = create(json!({ "name": "grafana", "role": "viewer" }))
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = create(json!({ "name": "grafana", "role": "viewer" }))
        .await
        .unwrap();
    let (status, text) = error_of(again).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("already named"), "{text}");

    let unknown_site = create(json!({ "name": "east-ops", "role": "viewer", "site": "east" }))
        .await
        .unwrap();
    let (status, text) = error_of(unknown_site).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("north, south"), "{text}");
}

#[tokio::test]
async fn second_revoke_is_a_conflict() {
    let server = TestServer::start().await;
    let admin = server.secret(Role::Admin).to_owned();
    let viewer_id = 1;
    let revoke = || {
        server
            .client
            .delete(server.url(&format!("/api/v1/tokens/{viewer_id}")))
            .bearer_auth(&admin)
            .send()
    };
    assert_eq!(revoke().await.unwrap().status(), StatusCode::OK);
    let (status, text) = error_of(revoke().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(text.contains("already revoked"), "{text}");
}

#[tokio::test]
async fn unknown_site_filter_rejected() {
    let server = TestServer::start().await;
    let response = server
        .client
        .get(server.url("/api/v1/exceptions?site=east"))
        .bearer_auth(server.secret(Role::Viewer))
        .send()
        .await
        .unwrap();
    let (status, text) = error_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("north, south"), "{text}");
}
