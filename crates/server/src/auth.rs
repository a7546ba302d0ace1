//! Caller identification: API tokens in the `Authorization` header, dashboard
//! sessions in a cookie, roles per route, and CSRF checks on forms.
//!
//! Secrets are 32 random bytes, shown once as `wharf_` and 64 hex digits.
//! The store keeps only their SHA-256; a lookup hashes what the caller
//! presents and queries that hash. Session cookies work the same way.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use tracing::warn;
use wharf_store::{Role, TokenRecord};

use crate::error::ApiError;
use crate::ServerState;

/// Name of the dashboard's session cookie.
pub const SESSION_COOKIE: &str = "wharf_session";

/// Prefix of every token secret, so a leaked one is easy to recognise.
const SECRET_PREFIX: &str = "wharf_";

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: TokenRecord,
    /// Present when the caller came with a session cookie: the value its
    /// forms and state-changing API calls must send back.
    pub csrf: Option<String>,
    /// Hash of the session cookie, to end the session on sign-out.
    pub session_hash: Option<String>,
}

impl Caller {
    /// Returns the name recorded in the audit trail for this caller's actions.
    pub fn audit_name(&self) -> String {
        format!("token:{}", self.token.name)
    }

    /// True when the caller may see data of `site`.
    pub fn sees_site(&self, site: &str) -> bool {
        self.token.site.as_deref().is_none_or(|own| own == site)
    }
}

/// Creates a new random secret.
pub fn new_secret() -> String {
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", hex::encode(bytes))
}

/// Hashes a secret for storage and lookup.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two strings in time that depends only on their lengths.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// Middleware: finds the caller by bearer token or session cookie and
/// stores it in the request's extensions. A request with neither passes
/// through without a caller; [`require`] turns that into 401.
pub async fn identify(
    State(state): State<ServerState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let route = format!("{} {}", request.method(), request.uri().path());
    match caller_of(&state, request.headers(), &route).await? {
        Some(caller) => {
            request.extensions_mut().insert(Arc::new(caller));
        }
        None if bearer(request.headers()).is_some() => {
            request.extensions_mut().insert(TokenRejected);
        }
        None => {}
    }
    Ok(next.run(request).await)
}

async fn caller_of(
    state: &ServerState,
    headers: &HeaderMap,
    route: &str,
) -> Result<Option<Caller>, ApiError> {
    if let Some(secret) = bearer(headers) {
        let token = state.store.token_by_hash(&hash_secret(secret)).await?;
        if token.is_none() {
            // The secret itself is never logged, only where it was sent.
            warn!(route, "Unknown or revoked API token rejected");
        }
        return Ok(token.map(|token| Caller {
            token,
            csrf: None,
            session_hash: None,
        }));
    }
    if let Some(cookie) = cookie(headers, SESSION_COOKIE) {
        let hash = hash_secret(cookie);
        let session = state.store.session(&hash).await?;
        return Ok(session.map(|session| Caller {
            token: session.token,
            csrf: Some(session.csrf),
            session_hash: Some(hash),
        }));
    }
    Ok(None)
}

/// Marks a request whose bearer token is unknown or revoked, so the error
/// names that instead of requesting a token.
#[derive(Debug, Clone, Copy)]
struct TokenRejected;

/// Maximum length of a token name, in characters.
const MAX_NAME: usize = 64;

/// Checks a new token's name: a short, single-line label that people
/// recognise in the audit trail. Returns the trimmed name.
pub fn check_token_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a token needs a name, such as `ops-dashboard`".to_owned());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!(
            "the token name {name:?} is longer than {MAX_NAME} characters"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("the token name {name:?} contains a control character such as a line break; use letters, digits and dashes"));
    }
    Ok(name)
}

/// Checks the caller's role for one route. For a caller signed in by
/// cookie, a request that changes state must also carry the session's CSRF
/// value in the `x-csrf-token` header (forms are checked by their handlers).
pub fn require(role: Role, request: &Request, api: bool) -> Result<Arc<Caller>, ApiError> {
    let rejected = request.extensions().get::<TokenRejected>().is_some();
    let caller =
        request
            .extensions()
            .get::<Arc<Caller>>()
            .cloned()
            .ok_or(match (api, rejected) {
                (true, true) => ApiError::UnknownToken,
                (true, false) => ApiError::Unauthenticated,
                (false, _) => ApiError::SignInNeeded,
            })?;
    if caller.token.role < role {
        return Err(ApiError::Forbidden {
            needed: role,
            actual: caller.token.role,
        });
    }
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD);
    if api && changes_state {
        if let Some(expected) = &caller.csrf {
            let sent = request
                .headers()
                .get("x-csrf-token")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("");
            if !same_secret(sent, expected) {
                return Err(ApiError::CsrfMismatch);
            }
        }
    }
    Ok(caller)
}

/// Returns the secret of an `Authorization: Bearer` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| secret.trim())
        .filter(|secret| !secret.is_empty())
}

/// Returns the value of one cookie of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn secrets_are_random_and_hash_to_hex() {
        let a = new_secret();
        let b = new_secret();
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX));
        assert_eq!(a.len(), SECRET_PREFIX.len() + 64);
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }

    #[test]
    fn bearer_and_cookie_are_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        headers.insert(COOKIE, HeaderValue::from_static("a=1; wharf_session=xyz"));
        assert_eq!(bearer(&headers), Some("abc"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn comparison_needs_every_byte() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
