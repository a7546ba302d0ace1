//! The dashboard's HTTP side: sign-in and sign-out, the session cookie,
//! CSRF checks on forms, and one handler per page. The HTML comes from
//! [`crate::views`].

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiff::{SignedDuration, Timestamp};
use maud::Markup;
use serde::Deserialize;
use tracing::info;
use wharf_store::NewSession;

use crate::api::{self, ExceptionFilter};
use crate::auth::{self, hash_secret, new_secret, same_secret, Caller, SESSION_COOKIE};
use crate::views::{self, PageContext};
use crate::{ApiError, ServerState};

/// Cookie that carries the sign-in form's CSRF value until sign-in.
const SIGN_IN_COOKIE: &str = "wharf_sign_in";

type Result<T> = std::result::Result<T, PageError>;

/// Error of a dashboard page: an HTML page that explains what went wrong,
/// or a redirect to sign-in.
#[derive(Debug)]
pub struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> PageError {
        PageError(error)
    }
}

impl From<wharf_store::StoreError> for PageError {
    fn from(error: wharf_store::StoreError) -> PageError {
        PageError(ApiError::Store(error))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status == StatusCode::SEE_OTHER {
            return self.0.into_response();
        }
        if status.is_server_error() {
            tracing::error!(error = %self.0, "Dashboard request failed");
        }
        (
            status,
            Html(views::problem(&self.0.to_string()).into_string()),
        )
            .into_response()
    }
}

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
fn check_form(caller: &Caller, sent: &str) -> Result<()> {
    match &caller.csrf {
        Some(expected) if !same_secret(sent, expected) => Err(ApiError::CsrfMismatch.into()),
        _ => Ok(()),
    }
}

fn context(caller: &Caller, flash: Option<String>) -> PageContext {
    PageContext {
        user: caller.token.name.clone(),
        role: caller.token.role.as_str().to_owned(),
        site: caller.token.site.clone(),
        csrf: caller.csrf.clone().unwrap_or_default(),
        flash,
        now: Timestamp::now(),
    }
}

fn page(markup: Markup) -> Response {
    Html(markup.into_string()).into_response()
}

pub async fn home() -> Redirect {
    Redirect::to("/business")
}

pub async fn business(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
) -> Result<Response> {
    let dashboard = state.store.dashboard(Timestamp::now()).await?;
    let dashboard = views::for_site(dashboard, caller.token.site.as_deref());
    Ok(page(views::business(&context(&caller, None), &dashboard)))
}

pub async fn technical(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
) -> Result<Response> {
    let dashboard = state.store.dashboard(Timestamp::now()).await?;
    let dashboard = views::for_site(dashboard, caller.token.site.as_deref());
    // The status counts cover every site, so a site's token does not see them.
    let status = match caller.token.site {
        Some(_) => None,
        None => Some(state.store.status().await?),
    };
    let calls: Vec<views::OdooCallStat> = crate::metrics_text::odoo_calls(&state.hub.metrics())
        .iter()
        .map(views::OdooCallStat::from)
        .collect();
    let connectors: Vec<views::ConnectorStat> = state
        .hub
        .connectors()
        .iter()
        .map(views::ConnectorStat::from)
        .collect();
    Ok(page(views::technical(
        &context(&caller, None),
        &dashboard,
        &calls,
        &connectors,
        state.hub.account_rights().as_deref(),
        status.as_ref(),
    )))
}

/// Query of the exception list page: filters and the outcome of the last
/// action, as a code the page turns into text.
#[derive(Debug, Default, Deserialize)]
pub struct ExceptionsQuery {
    #[serde(flatten)]
    filter: ExceptionFilter,
    done: Option<String>,
    id: Option<i64>,
}

pub async fn exceptions(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Query(query): Query<ExceptionsQuery>,
) -> Result<Response> {
    let rows = api::visible_exceptions(&state, &caller, &query.filter).await?;
    let flash = flash(query.done.as_deref(), query.id);
    Ok(page(views::exceptions(
        &context(&caller, flash),
        &rows,
        &query.filter,
    )))
}

fn flash(done: Option<&str>, id: Option<i64>) -> Option<String> {
    let id = id?;
    match done? {
        "retried" => Some(format!(
            "Exception {id} retried: its message is back in the queue."
        )),
        "resolved" => Some(format!("Exception {id} resolved.")),
        _ => None,
    }
}

pub async fn exception(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<i64>,
) -> Result<Response> {
    let detail = api::exception_detail(&state, &caller, id).await?;
    let payload = detail.message.as_ref().map(|message| &message.payload);
    Ok(page(views::exception(
        &context(&caller, None),
        &detail.exception,
        &detail.history,
        payload,
    )))
}

/// The retry form: a note, the CSRF value and an optional corrected payload.
#[derive(Debug, Deserialize)]
pub struct RetryForm {
    csrf: String,
    note: String,
    #[serde(default)]
    payload: String,
}

pub async fn retry(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<i64>,
    Form(form): Form<RetryForm>,
) -> Result<Response> {
    check_form(&caller, &form.csrf)?;
    let payload = match form.payload.trim() {
        "" => None,
        text => Some(serde_json::from_str(text).map_err(|error| {
            ApiError::BadRequest(format!(
                "the corrected payload of exception {id} is not valid JSON ({error}); nothing was retried"
            ))
        })?),
    };
    api::retry_exception(&state, &caller, id, &form.note, payload).await?;
    Ok(Redirect::to(&format!("/exceptions?done=retried&id={id}")).into_response())
}

/// The resolve form.
#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    csrf: String,
    note: String,
}

pub async fn resolve(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<i64>,
    Form(form): Form<ResolveForm>,
) -> Result<Response> {
    check_form(&caller, &form.csrf)?;
    api::resolve_exception(&state, &caller, id, &form.note).await?;
    Ok(Redirect::to(&format!("/exceptions?done=resolved&id={id}")).into_response())
}

/// Query of the trace page.
#[derive(Debug, Default, Deserialize)]
pub struct TraceQuery {
    reference: Option<String>,
}

pub async fn trace(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Query(query): Query<TraceQuery>,
) -> Result<Response> {
    let reference = query.reference.unwrap_or_default();
    let trace = if reference.trim().is_empty() {
        None
    } else {
        Some(api::visible_trace(&state, &caller, &reference).await?)
    };
    Ok(page(views::trace(
        &context(&caller, None),
        &reference,
        trace.as_ref(),
    )))
}
