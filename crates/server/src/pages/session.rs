//! Sign-in and sign-out: the session cookie, the sign-in form's own CSRF
//! cookie, and the security headers every response carries.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use tracing::info;
use wharf_store::NewSession;

use super::Result;
use crate::auth::{self, hash_secret, new_secret, same_secret, Caller, SESSION_COOKIE};
use crate::views;
use crate::{ApiError, ServerState};

/// Cookie that carries the sign-in form's CSRF value until sign-in.
const SIGN_IN_COOKIE: &str = "wharf_sign_in";

/// Middleware: adds headers that keep every response out of caches and
/// frames and let pages load nothing from elsewhere.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn cookie(
    state: &ServerState,
    name: &str,
    value: &str,
    max_age_secs: u64,
    path: &str,
) -> HeaderValue {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub async fn sign_in_page(
    State(state): State<ServerState>,
    caller: Option<Extension<Arc<Caller>>>,
) -> Response {
    if caller.is_some() {
        return Redirect::to("/business").into_response();
    }
    sign_in_form(&state, StatusCode::OK, None)
}

fn sign_in_form(state: &ServerState, status: StatusCode, error: Option<&str>) -> Response {
    let csrf = new_secret();
    let set = cookie(state, SIGN_IN_COOKIE, &csrf, 1800, "/login");
    (
        status,
        [(SET_COOKIE, set)],
        Html(views::sign_in(error, &csrf).into_string()),
    )
        .into_response()
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    token: String,
    csrf: String,
}

pub async fn sign_in(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response> {
    let expected = auth::cookie(&headers, SIGN_IN_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_secret(&form.csrf, expected) {
        return Ok(sign_in_form(
            &state,
            StatusCode::FORBIDDEN,
            Some("The sign-in form expired. Paste the token again."),
        ));
    }

    let Some(token) = state
        .store
        .token_by_hash(&hash_secret(form.token.trim()))
        .await?
    else {
        tracing::warn!("Dashboard sign-in rejected: unknown or revoked token");
        return Ok(sign_in_form(
            &state,
            StatusCode::UNAUTHORIZED,
            Some("This token is unknown or revoked. Ask an admin for one made with `wharf token create`."),
        ));
    };

    let secret = new_secret();
    let length = state.settings.session_length;
    let expires_at = Timestamp::now()
        .checked_add(SignedDuration::try_from(length).unwrap_or(SignedDuration::from_hours(8)))
        .map_err(|error| ApiError::BadRequest(error.to_string()))?;
    state
        .store
        .create_session(NewSession {
            hash: hash_secret(&secret),
            token_id: token.id,
            csrf: new_secret(),
            expires_at,
        })
        .await?;
    info!(token = %token.name, role = %token.role, "Dashboard sign-in");

    let session = cookie(&state, SESSION_COOKIE, &secret, length.as_secs(), "/");
    let cleared = cookie(&state, SIGN_IN_COOKIE, "", 0, "/login");
    let mut response = Redirect::to("/business").into_response();
    response.headers_mut().append(SET_COOKIE, session);
    response.headers_mut().append(SET_COOKIE, cleared);
    Ok(response)
}

/// A form that carries only the CSRF value.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn sign_out(
    State(state): State<ServerState>,
    caller: Option<Extension<Arc<Caller>>>,
    Form(form): Form<CsrfForm>,
) -> Result<Response> {
    if let Some(Extension(caller)) = caller {
        check_form(&caller, &form.csrf)?;
        if let Some(hash) = &caller.session_hash {
            state.store.end_session(hash).await?;
        }
    }
    let mut response = Redirect::to("/login").into_response();
    let cleared = cookie(&state, SESSION_COOKIE, "", 0, "/");
    response.headers_mut().append(SET_COOKIE, cleared);
    Ok(response)
}

/// Checks a form's CSRF value against the caller's session. A caller with a
/// bearer token has no session and needs none: a browser never sends that
/// header on its own.
pub(super) fn check_form(caller: &Caller, sent: &str) -> Result<()> {
    match &caller.csrf {
        Some(expected) if !same_secret(sent, expected) => Err(ApiError::CsrfMismatch.into()),
        _ => Ok(()),
    }
}
