//! The Odoo client of Wharf.
//!
//! One [`Client`] speaks JSON-2 (Odoo 19 and later) or JSON-RPC (Odoo 17 to
//! 19), chosen by configuration or from the server's version, and hides the
//! field and signature differences between Odoo 17, 18 and 19. Every failure
//! is an [`Error`] whose [`ErrorKind`] decides whether the caller retries, to raise a
//! business exception, or to raise an IT exception.
//!
//! The client never retries and never repeats an effect on its own: the
//! engine retries with backoff, and the stock operations read Odoo's state
//! before every write, so running them again after a crash is safe.

pub mod access;
mod client;
mod config;
mod error;
mod orm;
pub mod stock;
mod transport;
pub mod values;
mod version;

pub use client::{Client, SearchOptions, CALLS_METRIC, CALL_DURATION_METRIC};
pub use config::{OdooConfig, Protocol, Secret};
pub use error::{classify, classify_status, Error, ErrorKind};
pub use version::{Dialect, ServerVersion};
