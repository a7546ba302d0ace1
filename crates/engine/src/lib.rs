//! Wharf's flows: polling, release rules, routing by warehouse, matching
//! confirmations, retries and exceptions.
//!
//! # Design
//!
//! The engine follows the data path `source -> inbox -> handler -> outbox ->
//! sink`. Sources ([`release::source`], [`shipment::source`]) read Odoo and
//! warehouse folders through the [`ports`] and ingest messages with their
//! cursor in one store transaction. Handlers ([`release::handler`],
//! [`shipment::handler`]) are pure functions from one inbox message and the
//! stored state it refers to, to a [`wharf_store::Handled`] that the
//! [`worker`] commits in one transaction. Sinks ([`sink`]) deliver outbox
//! messages and record every attempt; transient failures retry with backoff
//! ([`retry`]), permanent ones and exhausted retries become exceptions.
//!
//! Handlers never make network calls, and nothing here uses HTTP, SQL or
//! file systems: the binary wires the ports and the store backend.
//!
//! Recovery after a crash: a source re-reads from its stored cursor and the
//! store drops what it already holds by idempotency key; an inbox or outbox
//! message claimed by the dead process becomes claimable again when its lease
//! expires; sinks check the target's state before every effect, so a
//! delivery repeated after a crash changes nothing the first one made.

pub mod config;
pub mod health;
pub mod inventory;
pub mod lifecycle;
pub mod owners;
pub mod ports;
pub mod reconcile;
pub mod release;
pub mod replay;
pub mod retry;
pub mod runtime;
pub mod shipment;
pub mod sink;
pub mod site;
pub mod telemetry;
pub mod worker;

pub use config::{EngineSettings, ReleaseMode, ShortShipmentRule, SiteRules};
pub use owners::Owners;
pub use runtime::Engine;
pub use site::Site;

/// Sink name of the Odoo delivery queue.
pub const ODOO_SINK: &str = "odoo";

/// Sink name of a site's folder delivery queue.
pub fn folder_sink(site: &str) -> String {
    format!("folder:{site}")
}
