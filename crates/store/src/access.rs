//! API tokens and dashboard sessions: who may read and act on the hub.
//!
//! The store never receives a token's secret: callers hash it first and
//! the store keeps and looks up the hash.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Permission level of a token. Roles are ordered: each includes the ones
/// below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads the dashboard, the status, exceptions and traces.
    Viewer,
    /// Also retries and resolves exceptions.
    Operator,
    /// Also manages tokens and replays messages.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    /// Returns the stored name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A token to store. `hash` is the hex SHA-256 of the secret the holder
/// presents; the secret itself is shown once at creation and never stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// A name people recognise in the audit trail, such as `ops-dashboard`.
    pub name: String,
    pub role: Role,
    /// Site code the token is limited to; `None` for every site.
    pub site: Option<String>,
    pub hash: String,
    /// Person or process that created it, for the audit row.
    pub created_by: String,
}

/// A stored token, without its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub site: Option<String>,
    pub created_at: Timestamp,
    pub created_by: String,
    /// Set once the token is revoked; a revoked token opens nothing.
    pub revoked_at: Option<Timestamp>,
}

/// A dashboard session to store, opened by signing in with a token.
/// `hash` is the hex SHA-256 of the session cookie's value.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub hash: String,
    pub token_id: i64,
    /// The value every form of the session must send back.
    pub csrf: String,
    pub expires_at: Timestamp,
}

/// A live session with the token that opened it.
#[derive(Clone)]
pub struct SessionRecord {
    pub token: TokenRecord,
    pub csrf: String,
    pub expires_at: Timestamp,
}

impl fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRecord")
            .field("token", &self.token)
            .field("csrf", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
