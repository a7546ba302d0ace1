//! Ingest: messages read by a source and its cursor, written together, with
//! copies of an already stored idempotency key set aside as duplicates.

use std::collections::{HashMap, HashSet};

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tracing::debug;
use wharf_model::{Envelope, MessageId};
use wharf_store::{Ingest, IngestOutcome, StoreError, StoreResult};

use crate::audit::{self, NewAuditRow};
use crate::convert::{json_text, message_id, now_micros};
use crate::error::db_error;
use crate::SqliteStore;

/// Messages per multi-row INSERT: 8 parameters each, well below SQLite's
/// limit of 32,766 bound parameters per statement.
const INSERT_CHUNK: usize = 1_000;

/// Keys per lookup of the messages that hold them.
const LOOKUP_CHUNK: usize = 500;

impl SqliteStore {
    /// Inserts new messages, records duplicates and moves the cursor in one
    /// transaction.
    ///
    /// A message is a duplicate when its idempotency key is already in the
    /// inbox, including a key inserted earlier in the same batch. Each
    /// inserted message gets a `received` audit row and each duplicate a
    /// `duplicate` row, in the stream of its correlation id.
    #[tracing::instrument(skip_all, fields(source = %ingest.source, messages = ingest.messages.len()))]
    pub(crate) async fn ingest_batch(&self, ingest: Ingest) -> StoreResult<IngestOutcome> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;

        // The inbox skips every row whose key or id is already stored, so
        // the ids it returns are the messages that are new.
        let mut inserted_ids = HashSet::new();
        for chunk in ingest.messages.chunks(INSERT_CHUNK) {
            inserted_ids.extend(insert_new(&mut tx, chunk, now).await?);
        }
        let is_new: Vec<bool> = ingest
            .messages
            .iter()
            .map(|message| inserted_ids.remove(&message.id.to_string()))
            .collect();

        let duplicate_keys: Vec<&str> = ingest
            .messages
            .iter()
            .zip(&is_new)
            .filter(|(_, new)| !**new)
            .map(|(message, _)| message.idempotency_key.as_str())
            .collect();
        let stored_ids = ids_by_key(&mut tx, &duplicate_keys).await?;

        let mut outcome = IngestOutcome::default();
        let mut audit_rows = Vec::with_capacity(ingest.messages.len());
        let mut duplicate_rows = Vec::new();
        for (message, new) in ingest.messages.iter().zip(is_new) {
            if new {
                outcome.inserted.push(message.id);
                audit_rows.push(received_row(message, &ingest.source, now));
                continue;
            }

            // A copy whose key is not stored was skipped for its id alone.
            let original = stored_ids.get(&message.idempotency_key).copied().ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "message {} not ingested: its id is already stored with another idempotency key",
                    message.id
                ))
            })?;
            outcome.duplicates.push((message.id, original));
            audit_rows.push(duplicate_row(message, original, now));
            duplicate_rows.push((message, original));
        }

        insert_duplicates(&mut tx, &duplicate_rows, now).await?;
        audit::append(&mut tx, audit_rows).await?;
        if let Some(cursor) = &ingest.cursor {
            save_cursor(&mut tx, &ingest.source, cursor, now).await?;
        }
        tx.commit().await.map_err(db_error)?;

        if !outcome.duplicates.is_empty() {
            debug!(
                duplicates = outcome.duplicates.len(),
                "Ingest set duplicates aside"
            );
        }
        Ok(outcome)
    }

    /// Returns a source's cursor.
    pub(crate) async fn read_cursor(&self, source: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM cursors WHERE source = ?")
            .bind(source)
            .fetch_optional(self.reader())
            .await
            .map_err(db_error)
    }

    /// Returns true when an inbox or outbox message carries the key.
    pub(crate) async fn key_exists(&self, idempotency_key: &str) -> StoreResult<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM inbox WHERE idempotency_key = ?1) \
                 OR EXISTS (SELECT 1 FROM outbox WHERE idempotency_key = ?1)",
        )
        .bind(idempotency_key)
        .fetch_one(self.reader())
        .await
        .map_err(db_error)
    }
}

/// Inserts the messages that are new and returns their ids.
async fn insert_new(
    conn: &mut SqliteConnection,
    messages: &[Envelope],
    now: i64,
) -> StoreResult<Vec<String>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO inbox \
         (id, kind, site, correlation_id, idempotency_key, source, payload, received_at) ",
    );
    insert.push_values(messages, |mut values, message| {
        values
            .push_bind(message.id.to_string())
            .push_bind(message.kind.as_str())
            .push_bind(&message.site)
            .push_bind(&message.correlation_id.0)
            .push_bind(&message.idempotency_key)
            .push_bind(&message.source)
            .push_bind(json_text(&message.payload))
            .push_bind(now);
    });
    insert.push(" ON CONFLICT DO NOTHING RETURNING id");
    insert
        .build_query_scalar()
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)
}

/// Looks up the id of the inbox message stored under each key.
async fn ids_by_key(
    conn: &mut SqliteConnection,
    keys: &[&str],
) -> StoreResult<HashMap<String, MessageId>> {
    let mut ids = HashMap::new();
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT idempotency_key, id FROM inbox WHERE idempotency_key IN (",
        );
        let mut list = query.separated(", ");
        for key in chunk {
            list.push_bind(*key);
        }
        query.push(")");

        let found: Vec<(String, String)> = query
            .build_query_as()
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
        for (key, id) in found {
            ids.insert(key, message_id(&id)?);
        }
    }
    Ok(ids)
}

async fn insert_duplicates(
    conn: &mut SqliteConnection,
    duplicates: &[(&Envelope, MessageId)],
    now: i64,
) -> StoreResult<()> {
    for chunk in duplicates.chunks(INSERT_CHUNK) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO duplicates (message_id, idempotency_key, original_id, source, at) ",
        );
        insert.push_values(chunk, |mut values, (message, original)| {
            values
                .push_bind(message.id.to_string())
                .push_bind(&message.idempotency_key)
                .push_bind(original.to_string())
                .push_bind(&message.source)
                .push_bind(now);
        });
        insert.build().execute(&mut *conn).await.map_err(db_error)?;
    }
    Ok(())
}

async fn save_cursor(
    conn: &mut SqliteConnection,
    source: &str,
    cursor: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO cursors (source, value, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(source)
    .bind(cursor)
    .bind(now)
    .execute(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

fn received_row(message: &Envelope, source_name: &str, now: i64) -> NewAuditRow {
    NewAuditRow {
        stream: message.correlation_id.0.clone(),
        action: "received".to_owned(),
        message_id: Some(message.id),
        correlation_id: Some(message.correlation_id.0.clone()),
        detail: format!(
            "{} read by {source_name} from {}",
            message.kind, message.source
        ),
        at: now,
    }
}

fn duplicate_row(message: &Envelope, original: MessageId, now: i64) -> NewAuditRow {
    NewAuditRow {
        stream: message.correlation_id.0.clone(),
        action: "duplicate".to_owned(),
        message_id: Some(message.id),
        correlation_id: Some(message.correlation_id.0.clone()),
        detail: format!(
            "duplicate of message {original}: idempotency key {} already stored",
            message.idempotency_key
        ),
        at: now,
    }
}
