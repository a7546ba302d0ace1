//! Errors of the HTTP side and the responses they become: JSON for the API,
//! a redirect to the sign-in page for the dashboard.

use axum::http::header::{LOCATION, WWW_AUTHENTICATE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tracing::{error, warn};
use wharf_store::{Role, StoreError};

/// Error of a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("this route needs a token: send `Authorization: Bearer <token>`; create one with `wharf token create`")]
    Unauthenticated,
    #[error("the token is unknown or revoked: ask an admin for a new one (`wharf token create`)")]
    UnknownToken,
    #[error("sign in first")]
    SignInNeeded,
    #[error("this route needs the {needed} role; the token has {actual}")]
    Forbidden { needed: Role, actual: Role },
    #[error("the token is limited to site {own}, and this request is about {requested}")]
    OtherSite { own: String, requested: String },
    #[error("the form or request lacks the session's CSRF value: reload the page and try again")]
    CsrfMismatch,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApiError {
    /// Returns the HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated | ApiError::UnknownToken => StatusCode::UNAUTHORIZED,
            ApiError::SignInNeeded => StatusCode::SEE_OTHER,
            ApiError::Forbidden { .. } | ApiError::OtherSite { .. } | ApiError::CsrfMismatch => {
                StatusCode::FORBIDDEN
            }
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(store) => store_status(store),
        }
    }
}

fn store_status(error: &StoreError) -> StatusCode {
    match error {
        StoreError::ExceptionNotFound(_)
        | StoreError::TokenNotFound(_)
        | StoreError::NotFound(_) => StatusCode::NOT_FOUND,
        StoreError::ExceptionResolved(_)
        | StoreError::NotRetryable { .. }
        | StoreError::TokenAlreadyRevoked(_) => StatusCode::CONFLICT,
        StoreError::MissingActionField { .. }
        | StoreError::ActionFieldTooLong { .. }
        | StoreError::PayloadShape { .. } => StatusCode::BAD_REQUEST,
        StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            ApiError::SignInNeeded => {
                return (status, [(LOCATION, "/login")]).into_response();
            }
            ApiError::Unauthenticated | ApiError::UnknownToken => {
                let body = Json(json!({ "error": self.to_string() }));
                return (status, [(WWW_AUTHENTICATE, "Bearer")], body).into_response();
            }
            _ => {}
        }
        if status.is_server_error() {
            error!(error = %self, "Request failed");
        } else if status == StatusCode::FORBIDDEN {
            warn!(error = %self, "Request rejected");
        }
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}
