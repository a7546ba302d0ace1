//! Dashboard sign-in by token: the session cookie's attributes, CSRF checks
//! on every form, sign-out, and site-limited tokens.

mod common;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode};
use wharf_store::{Role, Store as _};

use common::TestServer;

/// `name=value` of a Set-Cookie header of that name, with its attributes.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn value_of(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap_or_default();
    pair.split_once('=')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// Opens the sign-in page and returns its CSRF value (also the cookie's).
async fn sign_in_csrf(server: &TestServer) -> String {
    let page = server
        .client
        .get(server.url("/login"))
        .send()
        .await
        .expect("sign-in page");
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = set_cookie(&page, "wharf_sign_in").expect("sign-in cookie");
    let csrf = value_of(&cookie);
    let html = page.text().await.expect("page body");
    assert!(
        html.contains(&csrf),
        "the form carries the cookie's CSRF value"
    );
    csrf
}

/// Signs in and returns the session cookie's value.
async fn sign_in(server: &TestServer, secret: &str) -> String {
    let csrf = sign_in_csrf(server).await;
    let response = server
        .client
        .post(server.url("/login"))
        .header(COOKIE, format!("wharf_sign_in={csrf}"))
        .form(&[("token", secret), ("csrf", &csrf)])
        .send()
        .await
        .expect("sign-in answers");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/business");
    let cookie = set_cookie(&response, "wharf_session").expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    value_of(&cookie)
}

#[tokio::test]
async fn sign_in_without_csrf_rejected() {
    let server = TestServer::start().await;
    let response = server
        .client
        .post(server.url("/login"))
        .form(&[("token", server.secret(Role::Viewer)), ("csrf", "guess")])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&response, "wharf_session").is_none());
}

#[tokio::test]
async fn sign_in_wrong_token_rejected() {
    let server = TestServer::start().await;
    let csrf = sign_in_csrf(&server).await;
    let response = server
        .client
        .post(server.url("/login"))
        .header(COOKIE, format!("wharf_sign_in={csrf}"))
        .form(&[("token", "wharf_wrong"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&response, "wharf_session").is_none());
}

#[tokio::test]
async fn session_forms_need_csrf() {
    let server = TestServer::start().await;
    let session = sign_in(&server, server.secret(Role::Operator)).await;
    let cookie = format!("wharf_session={session}");

    let page = server
        .client
        .get(server.url("/exceptions"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .expect("header text")
        .contains("default-src 'none'"));

    // A resolve without the session's CSRF value is refused before the
    // exception is even looked up.
    let forged = server
        .client
        .post(server.url("/exceptions/1/resolve"))
        .header(COOKIE, &cookie)
        .form(&[("note", "forged"), ("csrf", "wrong")])
        .send()
        .await
        .expect("answer");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // The JSON API with a session cookie needs the CSRF header to change state.
    let api = server
        .client
        .post(server.url("/api/v1/exceptions/1/resolve"))
        .header(COOKIE, &cookie)
        .json(&serde_json::json!({ "note": "forged" }))
        .send()
        .await
        .expect("answer");
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_out_ends_session() {
    let server = TestServer::start().await;
    let session = sign_in(&server, server.secret(Role::Viewer)).await;
    let cookie = format!("wharf_session={session}");
    let hash = wharf_server::auth::hash_secret(&session);
    let csrf = server
        .store
        .session(&hash)
        .await
        .expect("store")
        .expect("live session")
        .csrf;
    let response = server
        .client
        .post(server.url("/logout"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(server.store.session(&hash).await.expect("store").is_none());
    let after = server
        .client
        .get(server.url("/business"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("answer");
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "back to sign-in");
}

#[tokio::test]
async fn site_token_limited_to_site() {
    let server = TestServer::start().await;
    let secret = common::create_token(&*server.store, Role::Admin, Some("north")).await;
    let other = server
        .client
        .get(server.url("/api/v1/exceptions?site=south"))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("answer");
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    let tokens = server
        .client
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("answer");
    assert_eq!(
        tokens.status(),
        StatusCode::FORBIDDEN,
        "only an all-site admin manages tokens"
    );
    let replay = server
        .client
        .post(server.url("/api/v1/replay"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({ "kind": "shipment_apply", "reason": "test" }))
        .send()
        .await
        .expect("answer");
    assert_eq!(replay.status(), StatusCode::OK);
    let replays = server.hub.replays.lock().expect("lock").clone();
    assert_eq!(
        replays[0].0.site.as_deref(),
        Some("north"),
        "the replay is limited to the token's site"
    );
}

#[tokio::test]
async fn token_secret_shown_once() {
    let server = TestServer::start().await;
    let created: serde_json::Value = server
        .client
        .post(server.url("/api/v1/tokens"))
        .bearer_auth(server.secret(Role::Admin))
        .json(&serde_json::json!({ "name": "grafana", "role": "viewer" }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    let secret = created["secret"]
        .as_str()
        .expect("secret in the answer")
        .to_owned();
    let list = server
        .client
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(server.secret(Role::Admin))
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("body");
    assert!(list.contains("grafana"));
    assert!(!list.contains(&secret));
    assert!(!list.contains(&wharf_server::auth::hash_secret(&secret)));
    let status = server
        .client
        .get(server.url("/api/v1/status"))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("answer");
    assert_eq!(status.status(), StatusCode::OK, "the new token works");
}
