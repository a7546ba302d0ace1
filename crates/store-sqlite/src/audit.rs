//! The audit trail: append-only rows chained by SHA-256 per stream.
//!
//! A stream is one correlation id, or `system` for rows that belong to no
//! order. Each row stores the hash of the previous row of its stream in
//! `prev_hash` (64 zeros for the first row) and its own hash in `hash`:
//!
//! ```text
//! hash = hex(SHA-256(prev_hash, stream, action, message_id, correlation_id, detail, at))
//! ```
//!
//! where each field is fed as its byte length (8 bytes, little endian)
//! followed by its UTF-8 bytes, a missing message id or correlation id is
//! the empty string, and `at` is the decimal microseconds since the epoch.
//! Changing, inserting or deleting a row breaks the chain at that row or at
//! the next one, which [`SqliteStore::verify_audit_chain`] reports.

use std::collections::HashMap;

use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use wharf_model::MessageId;
use wharf_store::{AuditEntry, AuditRow, StoreError, StoreResult};

use crate::convert::AuditColumns;
use crate::error::db_error;
use crate::SqliteStore;

/// `prev_hash` of the first row of every stream.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Stream of audit rows that belong to no correlation id.
pub const SYSTEM_STREAM: &str = "system";

/// Rows per multi-row INSERT, well below SQLite's limit of 32,766 bound
/// parameters per statement.
const INSERT_CHUNK: usize = 1_000;

/// Streams per lookup of their latest hashes.
const LOOKUP_CHUNK: usize = 500;

/// An audit row about to be appended.
#[derive(Debug, Clone)]
pub(crate) struct NewAuditRow {
    pub stream: String,
    pub action: String,
    pub message_id: Option<MessageId>,
    pub correlation_id: Option<String>,
    pub detail: String,
    /// Stored microseconds.
    pub at: i64,
}

impl NewAuditRow {
    /// Builds an audit row from a caller's entry. Its correlation id is the
    /// stream, unless the stream is [`SYSTEM_STREAM`].
    pub(crate) fn from_entry(entry: AuditEntry, at: i64) -> NewAuditRow {
        let correlation_id = (entry.stream != SYSTEM_STREAM).then(|| entry.stream.clone());
        NewAuditRow {
            stream: entry.stream,
            action: entry.action,
            message_id: entry.message_id,
            correlation_id,
            detail: entry.detail,
            at,
        }
    }
}

/// Computes the hash of one audit row, as the module documentation defines it.
pub fn row_hash(
    prev_hash: &str,
    stream: &str,
    action: &str,
    message_id: Option<&str>,
    correlation_id: Option<&str>,
    detail: &str,
    at: i64,
) -> String {
    let at = at.to_string();
    let fields = [
        prev_hash,
        stream,
        action,
        message_id.unwrap_or(""),
        correlation_id.unwrap_or(""),
        detail,
        at.as_str(),
    ];

    let mut hasher = Sha256::new();
    for field in fields {
        let length = u64::try_from(field.len()).unwrap_or(u64::MAX);
        hasher.update(length.to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends rows to their streams' chains inside the caller's write transaction.
pub(crate) async fn append(conn: &mut SqliteConnection, rows: Vec<NewAuditRow>) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }

    let mut streams: Vec<&str> = rows.iter().map(|row| row.stream.as_str()).collect();
    streams.sort_unstable();
    streams.dedup();
    let mut last_hash = latest_hashes(conn, &streams).await?;

    let mut hashes = Vec::with_capacity(rows.len());
    for row in &rows {
        let prev_hash = last_hash
            .get(&row.stream)
            .cloned()
            .unwrap_or_else(|| GENESIS_HASH.to_owned());
        let message_id = row.message_id.map(|id| id.to_string());
        let hash = row_hash(
            &prev_hash,
            &row.stream,
            &row.action,
            message_id.as_deref(),
            row.correlation_id.as_deref(),
            &row.detail,
            row.at,
        );
        last_hash.insert(row.stream.clone(), hash.clone());
        hashes.push((message_id, prev_hash, hash));
    }

    for (rows, hashes) in rows.chunks(INSERT_CHUNK).zip(hashes.chunks(INSERT_CHUNK)) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO audit (stream, action, message_id, correlation_id, detail, at, prev_hash, hash) ",
        );
        insert.push_values(
            rows.iter().zip(hashes),
            |mut values, (row, (message_id, prev, hash))| {
                values
                    .push_bind(&row.stream)
                    .push_bind(&row.action)
                    .push_bind(message_id)
                    .push_bind(&row.correlation_id)
                    .push_bind(&row.detail)
                    .push_bind(row.at)
                    .push_bind(prev)
                    .push_bind(hash);
            },
        );
        insert.build().execute(&mut *conn).await.map_err(db_error)?;
    }
    Ok(())
}

/// Looks up the hash of the latest row of each stream that has rows.
async fn latest_hashes(
    conn: &mut SqliteConnection,
    streams: &[&str],
) -> StoreResult<HashMap<String, String>> {
    let mut latest = HashMap::new();
    for chunk in streams.chunks(LOOKUP_CHUNK) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT stream, hash FROM audit WHERE id IN \
             (SELECT MAX(id) FROM audit WHERE stream IN (",
        );
        let mut list = query.separated(", ");
        for stream in chunk {
            list.push_bind(*stream);
        }
        query.push(") GROUP BY stream)");

        let found: Vec<(String, String)> = query
            .build_query_as()
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
        latest.extend(found);
    }
    Ok(latest)
}

impl SqliteStore {
    /// Recomputes the hash chain of every stream.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] naming the first row, in stream and id order,
    /// whose `prev_hash` is not the hash of the row before it in its stream
    /// or whose `hash` does not match its fields.
    ///
    /// NOTE: deleting the latest rows of a stream leaves a shorter chain that
    /// still verifies, because nothing outside the table records its end.
    pub async fn verify_audit_chain(&self) -> StoreResult<()> {
        let mut rows = sqlx::query_as::<_, AuditColumns>(
            "SELECT id, stream, action, message_id, correlation_id, detail, at, prev_hash, hash \
             FROM audit ORDER BY stream, id",
        )
        .fetch(self.reader());

        let mut previous: Option<(String, i64, String)> = None;
        while let Some(row) = rows.try_next().await.map_err(db_error)? {
            let expected_prev = match &previous {
                Some((stream, _, hash)) if *stream == row.stream => hash.as_str(),
                _ => GENESIS_HASH,
            };
            if row.prev_hash != expected_prev {
                let reason = match &previous {
                    Some((stream, id, _)) if *stream == row.stream => {
                        format!("its prev_hash is not the hash of row {id}")
                    }
                    _ => "its prev_hash is not the start of a stream".to_owned(),
                };
                return Err(chain_broken(&row, &reason));
            }

            let recomputed = row_hash(
                &row.prev_hash,
                &row.stream,
                &row.action,
                row.message_id.as_deref(),
                row.correlation_id.as_deref(),
                &row.detail,
                row.at,
            );
            if recomputed != row.hash {
                return Err(chain_broken(&row, "its hash does not match its fields"));
            }
            previous = Some((row.stream, row.id, row.hash));
        }
        Ok(())
    }

    /// Returns the rows of one stream, oldest first.
    pub(crate) async fn audit_stream(&self, stream: &str) -> StoreResult<Vec<AuditRow>> {
        let rows = sqlx::query_as::<_, AuditColumns>(
            "SELECT id, stream, action, message_id, correlation_id, detail, at, prev_hash, hash \
             FROM audit WHERE stream = ? ORDER BY id",
        )
        .bind(stream)
        .fetch_all(self.reader())
        .await
        .map_err(db_error)?;
        rows.into_iter().map(AuditColumns::into_row).collect()
    }
}

fn chain_broken(row: &AuditColumns, reason: &str) -> StoreError {
    StoreError::Corrupt(format!(
        "audit row {} of stream {:?} breaks the hash chain: {reason}",
        row.id, row.stream
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_field_boundaries() {
        let split_one = row_hash(GENESIS_HASH, "ab", "c", None, None, "", 1);
        let split_two = row_hash(GENESIS_HASH, "a", "bc", None, None, "", 1);
        assert_ne!(split_one, split_two);
    }

    #[test]
    fn hash_is_hex_sha256() {
        let hash = row_hash(GENESIS_HASH, "WH/OUT/1", "received", None, None, "", 0);
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|byte| byte.is_ascii_hexdigit()));
    }
}
