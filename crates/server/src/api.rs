//! The admin API: JSON in and out, under `/api/v1`. Each handler runs after
//! the route's role check, so it only narrows by the caller's site.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wharf_model::{Envelope, ExceptionKind};
use wharf_store::{
    order_trace, AuditRow, ExceptionRecord, ExceptionRow, NewToken, OrderTrace, RetriedMessage,
    Role, StatusReport, TokenRecord,
};

use crate::auth::{check_token_name, hash_secret, new_secret, Caller};
use crate::{ApiError, ReplayRequest, ServerState};

type Result<T> = std::result::Result<T, ApiError>;

pub async fn status(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
) -> Result<Json<StatusReport>> {
    every_site(&caller, "the status counts")?;
    Ok(Json(state.store.status().await?))
}

/// Filters of the exception list, shared with the dashboard.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExceptionFilter {
    pub owner: Option<String>,
    pub kind: Option<String>,
    pub site: Option<String>,
    /// Include resolved exceptions.
    #[serde(default)]
    pub all: bool,
}

impl ExceptionFilter {
    fn keeps(&self, row: &ExceptionRow) -> bool {
        let matches = |filter: &Option<String>, value: &str| {
            filter.as_deref().is_none_or(|f| f.is_empty() || f == value)
        };
        matches(&self.owner, &row.owner)
            && matches(&self.kind, row.kind.as_str())
            && matches(&self.site, &row.site)
    }
}

/// Lists the exceptions a caller may see under a filter, oldest first.
pub async fn visible_exceptions(
    state: &ServerState,
    caller: &Caller,
    filter: &ExceptionFilter,
) -> Result<Vec<ExceptionRow>> {
    if let Some(kind) = filter.kind.as_deref().filter(|kind| !kind.is_empty()) {
        if ExceptionKind::parse(kind).is_none() {
            let known: Vec<&str> = ExceptionKind::ALL.iter().map(|k| k.as_str()).collect();
            return Err(ApiError::BadRequest(format!(
                "unknown exception kind {kind:?}; known kinds: {}",
                known.join(", ")
            )));
        }
    }
    if let Some(site) = filter.site.as_deref().filter(|site| !site.is_empty()) {
        let known = &state.settings.sites;
        if !known.is_empty() && !known.iter().any(|code| code == site) {
            return Err(ApiError::BadRequest(format!(
                "site {site:?} is not configured; use one of: {}",
                known.join(", ")
            )));
        }
    }
    if let (Some(own), Some(requested)) = (&caller.token.site, &filter.site) {
        if !requested.is_empty() && own != requested {
            return Err(other_site(own, requested));
        }
    }
    let rows = state.store.exceptions(filter.all).await?;
    Ok(rows
        .into_iter()
        .filter(|row| filter.keeps(row) && caller.sees_site(&row.site))
        .collect())
}

pub async fn exceptions(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Query(filter): Query<ExceptionFilter>,
) -> Result<Json<Vec<ExceptionRow>>> {
    Ok(Json(visible_exceptions(&state, &caller, &filter).await?))
}

/// One exception with its message and the audit rows of its stream.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionDetail {
    pub exception: ExceptionRecord,
    pub message: Option<Envelope>,
    pub history: Vec<AuditRow>,
}

/// Reads one exception the caller may see.
pub async fn exception_detail(
    state: &ServerState,
    caller: &Caller,
    id: i64,
) -> Result<ExceptionDetail> {
    let exception = state
        .store
        .exception(id)
        .await?
        .ok_or(wharf_store::StoreError::ExceptionNotFound(id))?;
    check_site(caller, &exception.exception.site)?;
    let message = match exception.exception.message_id {
        Some(message_id) => state.store.message(message_id).await?,
        None => None,
    };
    let history = state
        .store
        .trace(&exception.exception.correlation_id)
        .await?;
    Ok(ExceptionDetail {
        exception,
        message,
        history,
    })
}

pub async fn exception(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<i64>,
) -> Result<Json<ExceptionDetail>> {
    Ok(Json(exception_detail(&state, &caller, id).await?))
}

/// Body of a retry: why, and optionally the corrected payload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryBody {
    pub note: String,
    pub payload: Option<Value>,
}

pub async fn retry(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<i64>,
    Json(body): Json<RetryBody>,
) -> Result<Json<RetriedMessage>> {
    Ok(Json(
        retry_exception(&state, &caller, id, &body.note, body.payload).await?,
    ))
}

/// Retries an exception the caller may see, in the caller's name.
pub async fn retry_exception(
    state: &ServerState,
    caller: &Caller,
    id: i64,
    note: &str,
    payload: Option<Value>,
) -> Result<RetriedMessage> {
    site_of_exception(state, caller, id).await?;
    let by = caller.audit_name();
    Ok(state.store.retry_exception(id, &by, note, payload).await?)
}

/// Body of a resolve: the note that explains it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    pub note: String,
}

pub async fn resolve(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<i64>,
    Json(body): Json<ResolveBody>,
) -> Result<Json<Value>> {
    resolve_exception(&state, &caller, id, &body.note).await?;
    Ok(Json(json!({ "resolved": id })))
}

/// Resolves an exception the caller may see, in the caller's name.
pub async fn resolve_exception(
    state: &ServerState,
    caller: &Caller,
    id: i64,
    note: &str,
) -> Result<()> {
    site_of_exception(state, caller, id).await?;
    Ok(state
        .store
        .resolve_exception(id, &caller.audit_name(), note)
        .await?)
}

async fn site_of_exception(state: &ServerState, caller: &Caller, id: i64) -> Result<()> {
    if caller.token.site.is_none() {
        return Ok(());
    }
    let exception = state
        .store
        .exception(id)
        .await?
        .ok_or(wharf_store::StoreError::ExceptionNotFound(id))?;
    check_site(caller, &exception.exception.site)
}

/// Query of the trace route.
#[derive(Debug, Deserialize)]
pub struct TraceQuery {
    pub reference: String,
}

/// Gathers a trace the caller may see.
pub async fn visible_trace(
    state: &ServerState,
    caller: &Caller,
    reference: &str,
) -> Result<OrderTrace> {
    let reference = reference.trim();
    if reference.is_empty() {
        return Err(ApiError::BadRequest(
            "give a picking, sale order or purchase order name in `reference`".to_owned(),
        ));
    }
    let trace = order_trace(&*state.store, reference).await?;
    for picking in &trace.pickings {
        check_site(caller, &picking.site)?;
    }
    Ok(trace)
}

pub async fn trace(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Query(query): Query<TraceQuery>,
) -> Result<Json<OrderTrace>> {
    let trace = visible_trace(&state, &caller, &query.reference).await?;
    if trace.is_empty() {
        return Err(ApiError::NotFound(format!(
            "nothing recorded for {:?}: no picking, sale order or purchase order of that name passed through this hub",
            query.reference
        )));
    }
    Ok(Json(trace))
}

pub async fn replay(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Json(mut request): Json<ReplayRequest>,
) -> Result<Json<Value>> {
    if request.reason.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "a replay needs a `reason` for the audit trail".to_owned(),
        ));
    }
    if let Some(own) = &caller.token.site {
        match &request.site {
            Some(requested) if requested != own => return Err(other_site(own, requested)),
            _ => request.site = Some(own.clone()),
        }
    }
    let report = state
        .hub
        .replay(request, &caller.audit_name())
        .await
        .map_err(ApiError::BadRequest)?;
    Ok(Json(report))
}

pub async fn tokens(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
) -> Result<Json<Vec<TokenRecord>>> {
    every_site(&caller, "the tokens")?;
    Ok(Json(state.store.tokens().await?))
}

/// Body of a token creation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    pub name: String,
    pub role: Role,
    pub site: Option<String>,
}

pub async fn create_token(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Json(body): Json<NewTokenBody>,
) -> Result<(StatusCode, Json<Value>)> {
    every_site(&caller, "the tokens")?;
    let name = check_token_name(&body.name).map_err(ApiError::BadRequest)?;
    let site = body.site.filter(|site| !site.is_empty());
    if let Some(site) = &site {
        let known = &state.settings.sites;
        if !known.is_empty() && !known.contains(site) {
            return Err(ApiError::BadRequest(format!(
                "site {site:?} is not configured; use one of: {}",
                known.join(", ")
            )));
        }
    }
    let existing = state.store.tokens().await?;
    if existing
        .iter()
        .any(|token| token.revoked_at.is_none() && token.name == name)
    {
        return Err(ApiError::BadRequest(format!(
            "an active token is already named {name:?}: pick another name, so the audit trail tells them apart"
        )));
    }
    let secret = new_secret();
    let token = state
        .store
        .create_token(NewToken {
            name: name.to_owned(),
            role: body.role,
            site,
            hash: hash_secret(&secret),
            created_by: caller.audit_name(),
        })
        .await?;
    // The secret leaves the hub once, in this response, and is never logged.
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": token, "secret": secret })),
    ))
}

pub async fn revoke_token(
    State(state): State<ServerState>,
    Extension(caller): Extension<Arc<Caller>>,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    every_site(&caller, "the tokens")?;
    state.store.revoke_token(id, &caller.audit_name()).await?;
    Ok(Json(json!({ "revoked": id })))
}

fn check_site(caller: &Caller, site: &str) -> Result<()> {
    match &caller.token.site {
        Some(own) if own != site => Err(other_site(own, site)),
        _ => Ok(()),
    }
}

/// Rejects a caller limited to one site from a route about every site;
/// `data` names that route's data in the error.
pub(crate) fn every_site(caller: &Caller, data: &str) -> Result<()> {
    match &caller.token.site {
        Some(own) => Err(ApiError::OtherSite {
            own: own.clone(),
            requested: format!("{data} of every site, which only a token of no site may see"),
        }),
        None => Ok(()),
    }
}

fn other_site(own: &str, requested: &str) -> ApiError {
    ApiError::OtherSite {
        own: own.to_owned(),
        requested: format!("site {requested}"),
    }
}
