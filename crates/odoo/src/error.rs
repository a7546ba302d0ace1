//! The one error type of the Odoo client and its classification.
//!
//! Whether a failure is worth retrying is decided here, from the name of the
//! exception Odoo raised (`error.data.name` over JSON-RPC, the body's `name`
//! over JSON-2) and from the HTTP status. Odoo's message text is not used,
//! because it is translated into the user's language and changes between
//! versions. Odoo's traceback (`debug`) is logged at debug level where the
//! response is parsed and is never part of an [`Error`].

use std::fmt;

/// The caller's next step after a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The same request may succeed later: retry with backoff.
    Transient,
    /// The request is valid but Odoo's data or configuration rejects it: an
    /// exception for a business owner, who corrects and retries.
    Permanent,
    /// Wharf sent a request Odoo cannot understand: an exception for IT.
    Defect,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Transient => "transient",
            Self::Permanent => "permanent",
            Self::Defect => "defect",
        })
    }
}

/// A failed Odoo call or a shipment that the client refused to write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Odoo returned a structured error (a JSON-RPC `error` member or a
    /// JSON-2 error body).
    #[error("{call} failed with {name}: {message}; {hint}")]
    Server {
        /// The `model.method` (or `service.method`) that was called.
        call: String,
        /// Odoo's exception name, such as `odoo.exceptions.UserError`.
        name: String,
        /// Odoo's message, in the language of the Odoo user.
        message: String,
        /// The HTTP status (always 200 over JSON-RPC).
        status: u16,
        /// The classification of `name` and `status`.
        kind: ErrorKind,
        /// The next step for the operator.
        hint: &'static str,
    },
    /// Odoo responded with a status or body that is not a structured Odoo
    /// error, such as an HTML page or a redirect.
    #[error("{call} failed with HTTP {status}{}: {excerpt}; {hint}", name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default())]
    Http {
        /// The `model.method` that was called.
        call: String,
        /// The HTTP status.
        status: u16,
        /// A name for the failure when the status or body identifies one, such as
        /// `werkzeug.exceptions.UnsupportedMediaType`.
        name: Option<String>,
        /// The start of the body, without markup.
        excerpt: String,
        /// The classification of the status and body.
        kind: ErrorKind,
        /// The next step for the operator.
        hint: &'static str,
    },
    /// The request did not reach Odoo, or the response did not arrive in time.
    #[error("{call} failed: could not reach Odoo at {url}: {detail}; retry later and check that the server is running")]
    Connection {
        /// The `model.method` that was called.
        call: String,
        /// The endpoint.
        url: String,
        /// The failed step: connect, timeout or reset.
        detail: String,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },
    /// `common.authenticate` returned `false`.
    #[error("login failed for user {login:?} on database {database:?}: Odoo rejected the api key or password; check `login`, `database` and the api key in the odoo configuration")]
    LoginFailed {
        /// The configured login.
        login: String,
        /// The configured database.
        database: String,
    },
    /// The server runs an Odoo version this client does not support.
    #[error("Odoo {version} is not supported: wharf needs Odoo 17 or later (move lines with `quantity` and `picked`); upgrade Odoo or use another integration")]
    UnsupportedVersion {
        /// The server's version string.
        version: String,
    },
    /// Odoo responded, but not with the shape this client expects.
    #[error("{call} returned an unexpected response: {detail}; report this with the Odoo version")]
    UnexpectedResponse {
        /// The `model.method` that was called.
        call: String,
        /// The mismatch found.
        detail: String,
    },
    /// The client could not express a call on the wire, such as positional
    /// arguments with no known JSON-2 name.
    #[error("cannot send {call}: {detail}")]
    Request {
        /// The `model.method` that was called.
        call: String,
        /// The problem with the request.
        detail: String,
    },
    /// The configuration is incomplete or contradictory.
    #[error("invalid odoo configuration: {0}")]
    Config(String),
    /// The client refused to write a shipment, or Odoo did not reach the
    /// expected state after the writes.
    #[error("picking {picking}: {detail}")]
    Shipment {
        /// The picking name, or its id when the name is unknown.
        picking: String,
        /// The problem and the next step.
        detail: String,
        /// Permanent for data problems, Defect for states Odoo should not
        /// reach.
        kind: ErrorKind,
    },
    /// The client rejected an inventory operation (count, lot or scrap), or
    /// Odoo returned a wizard where it should have applied the operation.
    #[error("{subject}: {detail}")]
    Inventory {
        /// The subject of the operation, such as `inventory adjustment
        /// CC-2026-12-04` or `lot "GL-2609-X" of product 8`.
        subject: String,
        /// The problem and the next step.
        detail: String,
        /// Permanent for data and configuration problems, Defect for
        /// responses Odoo should not send.
        kind: ErrorKind,
    },
}

impl Error {
    /// Returns whether the caller should retry, raise a business exception or
    /// raise an IT exception.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Server { kind, .. }
            | Self::Http { kind, .. }
            | Self::Shipment { kind, .. }
            | Self::Inventory { kind, .. } => *kind,
            Self::Connection { .. } => ErrorKind::Transient,
            Self::LoginFailed { .. } | Self::UnsupportedVersion { .. } | Self::Config(_) => {
                ErrorKind::Permanent
            }
            Self::UnexpectedResponse { .. } | Self::Request { .. } => ErrorKind::Defect,
        }
    }

    /// Returns Odoo's exception name when Odoo sent one.
    pub fn odoo_name(&self) -> Option<&str> {
        match self {
            Self::Server { name, .. } => Some(name),
            Self::Http { name, .. } => name.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn unexpected(call: &str, detail: impl Into<String>) -> Self {
        Self::UnexpectedResponse {
            call: call.to_owned(),
            detail: detail.into(),
        }
    }
}

/// Builds the error for a structured Odoo error.
pub(crate) fn server_error(call: &str, name: &str, message: &str, status: u16) -> Error {
    let kind = classify(name, message, status);
    Error::Server {
        call: call.to_owned(),
        name: name.to_owned(),
        message: message.to_owned(),
        status,
        kind,
        hint: hint_for(name, kind),
    }
}

/// Classifies an Odoo exception by its name, falling back on the HTTP status.
///
/// `message` is looked at in one case only: `psycopg2.OperationalError` is
/// raised both for a lost database connection (transient) and for a database
/// that does not exist, and PostgreSQL's own text `database "..." does not
/// exist` (not translated by Odoo) distinguishes them.
pub fn classify(name: &str, message: &str, status: u16) -> ErrorKind {
    match name {
        "psycopg2.errors.SerializationFailure"
        | "psycopg2.extensions.TransactionRollbackError"
        | "psycopg2.errors.TransactionRollbackError"
        | "psycopg2.errors.DeadlockDetected"
        | "psycopg2.errors.LockNotAvailable"
        | "psycopg2.errors.QueryCanceled"
        | "werkzeug.exceptions.TooManyRequests"
        | "werkzeug.exceptions.ServiceUnavailable"
        | "werkzeug.exceptions.GatewayTimeout"
        | "werkzeug.exceptions.BadGateway" => ErrorKind::Transient,

        "psycopg2.OperationalError" | "psycopg2.errors.OperationalError" => {
            if message.contains("database \"") && message.contains("does not exist") {
                ErrorKind::Permanent
            } else {
                ErrorKind::Transient
            }
        }

        // NOTE: over JSON-RPC, Odoo 17 and 18 report an unknown model as a
        // UserError ("Object x doesn't exist"), so it is classified as
        // permanent. Only the message text would show that it is a defect.
        "odoo.exceptions.UserError"
        | "odoo.exceptions.ValidationError"
        | "odoo.exceptions.MissingError"
        | "odoo.exceptions.AccessError"
        | "odoo.exceptions.AccessDenied"
        | "odoo.exceptions.RedirectWarning"
        | "odoo.exceptions.except_orm"
        | "werkzeug.exceptions.Unauthorized"
        | "werkzeug.exceptions.Forbidden" => ErrorKind::Permanent,

        "builtins.ValueError"
        | "builtins.TypeError"
        | "builtins.KeyError"
        | "builtins.AttributeError"
        | "builtins.IndexError"
        | "werkzeug.exceptions.NotFound"
        | "werkzeug.exceptions.BadRequest"
        | "werkzeug.exceptions.MethodNotAllowed"
        | "werkzeug.exceptions.UnsupportedMediaType"
        | "werkzeug.exceptions.UnprocessableEntity" => ErrorKind::Defect,

        // Other database errors (invalid input syntax, constraint names) come
        // from values Wharf sent.
        other if other.starts_with("psycopg2.") => ErrorKind::Defect,
        _ => classify_status(status),
    }
}

/// Classifies an HTTP status when no exception name is known.
pub fn classify_status(status: u16) -> ErrorKind {
    match status {
        408 | 429 | 502 | 503 | 504 => ErrorKind::Transient,
        401 | 403 | 404 | 409 | 422 => ErrorKind::Permanent,
        // A structured 200 error over JSON-RPC with an unknown name, and a
        // JSON-2 500, are server-side exceptions Wharf does not know: IT
        // looks at them.
        _ => ErrorKind::Defect,
    }
}

fn hint_for(name: &str, kind: ErrorKind) -> &'static str {
    match (name, kind) {
        (_, ErrorKind::Transient) => "retry later",
        ("odoo.exceptions.AccessDenied" | "werkzeug.exceptions.Unauthorized", _) => {
            "check the login, api key and database in the odoo configuration"
        }
        ("odoo.exceptions.AccessError" | "werkzeug.exceptions.Forbidden", _) => {
            "grant the Odoo integration user the access rights this operation needs"
        }
        ("odoo.exceptions.MissingError", _) => {
            "the record was deleted in Odoo: read it again before retrying"
        }
        ("psycopg2.OperationalError" | "psycopg2.errors.OperationalError", _) => {
            "check `database` in the odoo configuration"
        }
        (_, ErrorKind::Permanent) => "correct the data in Odoo or in the message, then retry",
        (_, ErrorKind::Defect) => "wharf sent a request Odoo cannot handle: report this to IT",
    }
}

/// Cuts an HTML or text body down to a short, single-line excerpt.
pub(crate) fn excerpt(body: &str) -> String {
    let mut text = String::with_capacity(body.len().min(400));
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if in_tag => {}
            c if c.is_whitespace() => text.push(' '),
            c => text.push(c),
        }
    }
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &collapsed[..cut]),
        None => collapsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_by_name() {
        let cases = [
            (
                "psycopg2.errors.SerializationFailure",
                500,
                ErrorKind::Transient,
            ),
            (
                "psycopg2.extensions.TransactionRollbackError",
                200,
                ErrorKind::Transient,
            ),
            (
                "psycopg2.errors.LockNotAvailable",
                200,
                ErrorKind::Transient,
            ),
            ("odoo.exceptions.UserError", 422, ErrorKind::Permanent),
            ("odoo.exceptions.MissingError", 404, ErrorKind::Permanent),
            (
                "werkzeug.exceptions.Unauthorized",
                401,
                ErrorKind::Permanent,
            ),
            ("builtins.KeyError", 200, ErrorKind::Defect),
            ("werkzeug.exceptions.NotFound", 404, ErrorKind::Defect),
            (
                "psycopg2.errors.InvalidTextRepresentation",
                500,
                ErrorKind::Defect,
            ),
            ("some.unknown.Error", 503, ErrorKind::Transient),
            ("some.unknown.Error", 500, ErrorKind::Defect),
        ];
        for (name, status, expected) in cases {
            assert_eq!(classify(name, "", status), expected, "{name} with {status}");
        }
    }

    #[test]
    fn classify_operational_error() {
        let missing = "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"x\" does not exist\n";
        assert_eq!(
            classify("psycopg2.OperationalError", missing, 200),
            ErrorKind::Permanent
        );
        let lost = "server closed the connection unexpectedly";
        assert_eq!(
            classify("psycopg2.OperationalError", lost, 200),
            ErrorKind::Transient
        );
    }

    #[test]
    fn excerpt_strips_markup() {
        let html = "<!doctype html>\n<title>415 Unsupported</title>\n<h1>Unsupported   Media</h1>";
        assert_eq!(excerpt(html), "415 Unsupported Unsupported Media");
    }
}
