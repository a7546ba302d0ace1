//! Order release: Odoo pickings ready to ship become order files at the
//! warehouse, once each.
//!
//! * [`source`] polls Odoo and ingests one `picking_ready` message per new
//!   picking (idempotency key `release:<site>:<picking id>`), plus, for sites
//!   that take one file per poll, a `picking_batch_ready` message listing them.
//! * [`handler`] applies the release rules: a held picking becomes an
//!   exception, a released one gets its lifecycle row and, per site mode, an
//!   `order_release` outbox message carrying the rendered file.
//! * The folder sink writes the file atomically.
//!
//! Rendering happens in the handler, so the outbox contains the exact bytes:
//! a delivery repeated after a crash writes the same content under the same
//! name, which the folder transport recognises as already present.

pub mod handler;
pub mod recheck;
pub mod rules;
pub mod source;

use serde::{Deserialize, Serialize};

/// Payload of an `order_release` outbox message: one file to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFile {
    pub file_name: String,
    /// File content, base64.
    pub content_base64: String,
    /// Pickings in the file.
    pub picking_ids: Vec<i64>,
}
