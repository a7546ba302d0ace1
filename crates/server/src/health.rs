//! `/healthz` (the process is up), `/readyz` (the store replies and every
//! connector has replied since its last failure) and `/metrics`.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::sync::Arc;

use crate::auth::Caller;
use crate::ApiError;
use serde_json::json;

use crate::ServerState;

/// Returns 200 while the process runs.
pub async fn live() -> &'static str {
    "ok\n"
}

/// Returns 200 when the hub can work, 503 with the reasons otherwise.
pub async fn ready(State(state): State<ServerState>) -> Response {
    let store = match state.store.cursor("readiness-probe").await {
        Ok(_) => json!({ "ok": true }),
        Err(error) => json!({ "ok": false, "error": error.to_string() }),
    };
    let connectors = state.hub.connectors();
    let connectors_up = connectors.iter().all(crate::ConnectorStatus::is_up);
    let ready = store["ok"] == true && connectors_up;
    let body = json!({
        "ready": ready,
        "store": store,
        "connectors": connectors
            .iter()
            .map(|connector| json!({
                "name": connector.name,
                "up": connector.is_up(),
                "last_ok": connector.last_ok,
                "last_error": connector.last_error.as_ref().map(|(at, error)| json!({ "at": at, "error": error })),
            }))
            .collect::<Vec<_>>(),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Renders the process's metrics in Prometheus text format.
pub async fn metrics(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
) -> Result<Response, ApiError> {
    crate::api::every_site(&caller, "the metrics")?;
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.hub.metrics(),
    )
        .into_response())
}
