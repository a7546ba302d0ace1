//! Integration tests of the SQLite store, each on a fresh database file.

mod audit;
mod claims;
mod delivery;
mod durability;
mod ingest;
mod reconcile;

use std::time::Duration;

use serde_json::json;
use tempfile::TempDir;
use wharf_model::{CorrelationId, Envelope, EventKind, MessageId};
use wharf_store::{Handled, HandledOutcome, Ingest, Store, StoredInbox};
use wharf_store_sqlite::SqliteStore;

/// A lease long enough that it never expires during a test.
pub const LONG_LEASE: Duration = Duration::from_secs(600);

/// Opens a store on a new file in a new temporary folder. The folder is
/// removed when the returned guard drops.
pub async fn open_store() -> (TempDir, SqliteStore) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(&folder.path().join("wharf.db"))
        .await
        .expect("store opens");
    (folder, store)
}

pub fn envelope(kind: EventKind, correlation: &str, key: &str) -> Envelope {
    Envelope {
        id: MessageId::new(),
        kind,
        site: "main".to_owned(),
        correlation_id: CorrelationId(correlation.to_owned()),
        idempotency_key: key.to_owned(),
        source: "odoo".to_owned(),
        payload: json!({ "key": key, "quantity": "1.50" }),
    }
}

pub fn ingest_of(messages: Vec<Envelope>, cursor: Option<&str>) -> Ingest {
    Ingest {
        source: "odoo:main".to_owned(),
        cursor: cursor.map(str::to_owned),
        messages,
    }
}

/// Ingests one `picking_ready` message per key, correlated by the key.
pub async fn ingest_keys(store: &SqliteStore, keys: &[&str]) -> Vec<Envelope> {
    let messages: Vec<Envelope> = keys
        .iter()
        .map(|key| envelope(EventKind::PickingReady, key, key))
        .collect();
    let outcome = store
        .ingest(ingest_of(messages.clone(), None))
        .await
        .expect("ingest");
    assert_eq!(outcome.inserted.len(), keys.len());
    messages
}

/// A handler result for a claimed message that produced nothing.
pub fn handled(claimed: &StoredInbox, outcome: HandledOutcome) -> Handled {
    Handled {
        message_id: claimed.envelope.id,
        owner: claimed.owner.clone(),
        attempt: claimed.attempt,
        outcome,
        outbox: Vec::new(),
        exceptions: Vec::new(),
        pickings: Vec::new(),
        audit: Vec::new(),
        resolved: vec![],
    }
}

/// Runs one SQL statement on the store's file through a separate connection,
/// the way an operator (or an attacker) with file access would.
pub async fn raw_sql(store: &SqliteStore, statement: &str) {
    let url = format!("sqlite://{}", store.path().display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("raw connection");
    sqlx::query(statement)
        .execute(&pool)
        .await
        .expect("raw statement");
    pool.close().await;
}

pub const READY: [EventKind; 1] = [EventKind::PickingReady];
