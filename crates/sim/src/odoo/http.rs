//! The HTTP server: Odoo's routes (`/jsonrpc`, `/json/2/...`,
//! `/json/version`) and the simulator's own routes under `/wharf-sim/`
//! (call counts, state summary, seeding, fault injection).

use std::future::Future;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::json;

use super::error::SimError;
use super::seed::SeedOptions;
use super::sim::{FaultPlan, OdooSim};
use super::{json2, rpc};

/// Builds the router of a simulator; useful to test without a socket.
pub fn router(sim: OdooSim) -> Router {
    Router::new()
        .route("/jsonrpc", post(rpc::handle))
        .route("/json/version", get(json2::version))
        .route("/json/2/{model}", any(json2::model_only))
        .route("/json/2/{model}/{method}", any(json2::call))
        .route("/wharf-sim/calls", get(calls))
        .route("/wharf-sim/calls/reset", post(reset_calls))
        .route("/wharf-sim/state", get(state))
        .route("/wharf-sim/seed", post(seed))
        .route("/wharf-sim/faults", post(inject))
        .with_state(sim)
}

impl OdooSim {
    /// Serves HTTP on `listener` until `shutdown` completes.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), SimError> {
        axum::serve(listener, router(self))
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}

async fn calls(State(sim): State<OdooSim>) -> Response {
    Json(json!(sim.call_counts())).into_response()
}

async fn reset_calls(State(sim): State<OdooSim>) -> Response {
    sim.reset_call_counts();
    Json(json!(true)).into_response()
}

async fn state(State(sim): State<OdooSim>) -> Response {
    Json(sim.state_summary()).into_response()
}

async fn seed(State(sim): State<OdooSim>, Json(options): Json<SeedOptions>) -> Response {
    match sim.seed_demo(&options) {
        Ok(report) => Json(json!(report)).into_response(),
        Err(error) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": error.to_string() })),
        )
            .into_response(),
    }
}

async fn inject(State(sim): State<OdooSim>, Json(plan): Json<FaultPlan>) -> Response {
    sim.inject(plan);
    Json(json!(true)).into_response()
}
