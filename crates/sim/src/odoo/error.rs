//! Errors of the Odoo simulator: the Odoo exceptions it raises on the wire
//! and the errors of its Rust API.

use serde_json::{json, Value};

/// An exception as Odoo reports it: the Python class name and its message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct OdooError {
    /// Qualified Python name, such as `odoo.exceptions.UserError`.
    pub name: String,
    pub message: String,
    /// HTTP status carried as second argument by werkzeug exceptions.
    pub http_argument: Option<u16>,
}

impl OdooError {
    pub fn new(name: &str, message: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            message: message.into(),
            http_argument: None,
        }
    }

    pub fn user(message: impl Into<String>) -> Self {
        Self::new("odoo.exceptions.UserError", message)
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("odoo.exceptions.ValidationError", message)
    }

    pub fn access(message: impl Into<String>) -> Self {
        Self::new("odoo.exceptions.AccessError", message)
    }

    pub fn value(message: impl Into<String>) -> Self {
        Self::new("builtins.ValueError", message)
    }

    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new("builtins.TypeError", message)
    }

    pub fn missing(model: &str, ids: &[i64], uid: i64) -> Self {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        Self::new(
            "odoo.exceptions.MissingError",
            format!(
                "Record does not exist or has been deleted.\n(Record: {model}({},), User: {uid})",
                list.join(", ")
            ),
        )
    }

    pub fn werkzeug(kind: &str, status: u16, message: impl Into<String>) -> Self {
        Self {
            name: format!("werkzeug.exceptions.{kind}"),
            message: message.into(),
            http_argument: Some(status),
        }
    }

    /// Returns the HTTP status that JSON-2 (Odoo 19) responds with for this exception.
    pub fn json2_status(&self) -> u16 {
        if let Some(status) = self.http_argument {
            return status;
        }
        match self.name.as_str() {
            "odoo.exceptions.AccessError" => 403,
            "odoo.exceptions.AccessDenied" => 401,
            "odoo.exceptions.MissingError" => 404,
            "odoo.exceptions.UserError" | "odoo.exceptions.ValidationError" => 422,
            "psycopg2.errors.SerializationFailure" => 409,
            _ => 500,
        }
    }

    /// Builds the `{name, message, arguments, context, debug}` body shared
    /// by JSON-2 error responses and JSON-RPC `error.data`.
    pub fn data(&self) -> Value {
        let arguments = match self.http_argument {
            Some(status) => json!([self.message, status]),
            None => json!([self.message]),
        };
        json!({
            "name": self.name,
            "message": self.message,
            "arguments": arguments,
            "context": {},
            "debug": format!("Traceback (most recent call last):\n  (simulated)\n{}: {}", self.name, self.message),
        })
    }
}

/// Errors of the simulator's Rust API (loading, seeding, serving).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The starting-state file could not be read.
    #[error("failed to read starting state {path}: {source}")]
    ReadState {
        path: String,
        source: std::io::Error,
    },
    /// The starting-state file is not the expected JSON document.
    #[error("invalid starting state {path}: {reason}")]
    InvalidState { path: String, reason: String },
    /// The version is not one the simulator reproduces.
    #[error("unsupported Odoo version {0}: use 17, 18 or 19")]
    UnsupportedVersion(u8),
    /// A seeding option is out of range.
    #[error("invalid seed options: {0}")]
    InvalidSeed(String),
    /// Binding or serving the HTTP listener failed.
    #[error("odoo simulator server failed: {0}")]
    Serve(#[from] std::io::Error),
    /// A call made through the Rust API raised an Odoo exception.
    #[error("odoo call failed: {0}")]
    Call(#[from] OdooError),
}
