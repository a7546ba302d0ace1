//! Errors that axum raises before a handler runs: a body that is not JSON,
//! a path id that is not a number, a route that does not exist. This module
//! returns them in the route's format, JSON for the API and a page for the
//! dashboard.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::views;

/// Maximum length of a rejection text read back; axum's own messages are
/// far shorter.
const MAX_TEXT: usize = 16 * 1024;

/// Middleware of the API routes: turns a plain-text client error into the
/// API's JSON error body.
pub async fn as_json(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match client_error(response, &["text/plain"]).await {
        Ok((status, text)) => (status, Json(json!({ "error": text }))).into_response(),
        Err(response) => response,
    }
}

/// Middleware of the dashboard pages: turns a plain-text or JSON client
/// error (such as a role check's) into the dashboard's error page.
pub async fn as_page(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match client_error(response, &["text/plain", "application/json"]).await {
        Ok((status, text)) => (status, Html(views::problem(&text).into_string())).into_response(),
        Err(response) => response,
    }
}

/// Handles a route that does not exist: JSON under `/api`, a page elsewhere.
pub async fn not_found(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let text = format!(
        "no route {} {path}: see crates/server/openapi.json for the API",
        request.method()
    );
    if path.starts_with("/api/") {
        (StatusCode::NOT_FOUND, Json(json!({ "error": text }))).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Html(views::problem(&text).into_string()),
        )
            .into_response()
    }
}

/// Returns the status and text of a 4xx response of one of these content
/// types (the `error` field of a JSON body), or the response unchanged.
async fn client_error(
    response: Response,
    types: &[&str],
) -> Result<(StatusCode, String), Response> {
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let matches = types.iter().any(|kind| content_type.starts_with(kind));
    if !status.is_client_error() || !matches {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_TEXT).await else {
        return Err(Response::from_parts(parts, Body::empty()));
    };
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    if content_type.starts_with("application/json") {
        let error = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|value| value["error"].as_str().map(str::to_owned));
        return Ok((status, error.unwrap_or(text)));
    }
    Ok((status, text))
}
