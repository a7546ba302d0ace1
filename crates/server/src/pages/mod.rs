//! The dashboard's HTTP side: one handler per page, with CSRF checks on
//! forms; sign-in and sign-out are in [`session`]. The HTML comes from
//! [`crate::views`].

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use jiff::Timestamp;
use maud::Markup;
use serde::Deserialize;

use crate::api::{self, ExceptionFilter};
use crate::auth::Caller;
use crate::views::{self, PageContext};
use crate::{ApiError, ServerState};

mod session;

use session::check_form;
pub use session::{security_headers, sign_in, sign_in_page, sign_out};

pub(crate) type Result<T> = std::result::Result<T, PageError>;

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
