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
//!
//! A retention purge (see `retention.rs`) deletes only the oldest rows of a
//! stream and stores the id and hash of the last one it deleted in
//! `audit_anchors`. The stream's first kept row, or its next appended row
//! when none is kept, links to that hash instead of the genesis hash.

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

/// Looks up the hash each stream's next row links to: the hash of its latest
/// row, or, when a purge deleted every row of the stream, the hash of the
/// last purged row. Streams with neither start from [`GENESIS_HASH`].
async fn latest_hashes(
    conn: &mut SqliteConnection,
    streams: &[&str],
) -> StoreResult<HashMap<String, String>> {
    let mut latest = HashMap::new();
    for chunk in streams.chunks(LOOKUP_CHUNK) {
        let rows = select_by_stream(
            conn,
            "SELECT stream, hash FROM audit WHERE id IN \
             (SELECT MAX(id) FROM audit WHERE stream IN (",
            chunk,
            ") GROUP BY stream)",
        );
        latest.extend(rows.await?);

        let anchors = select_by_stream(
            conn,
            "SELECT stream, purged_hash FROM audit_anchors WHERE stream IN (",
            chunk,
            ")",
        );
        for (stream, hash) in anchors.await? {
            latest.entry(stream).or_insert(hash);
        }
    }
    Ok(latest)
}

/// Runs `head`, a list of the streams as bound parameters, then `tail`, and
/// returns its (stream, hash) pairs.
async fn select_by_stream(
    conn: &mut SqliteConnection,
    head: &str,
    streams: &[&str],
    tail: &str,
) -> StoreResult<Vec<(String, String)>> {
    let mut query = QueryBuilder::<Sqlite>::new(head);
    let mut list = query.separated(", ");
    for stream in streams {
        list.push_bind(*stream);
    }
    query.push(tail);
    query
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)
}

impl SqliteStore {
    /// Recomputes the hash chain of every stream and returns what it found,
    /// without failing on a broken chain.
    ///
    /// A stream that a retention purge shortened starts from its anchor: its
    /// first kept row's `prev_hash` must be the hash of the last purged row.
    /// After a break the check goes on from the stored hash of the row at
    /// fault, so that one report lists every independent break.
    ///
    /// NOTE: anchors are trusted as stored. Someone with write access can
    /// delete the start of a stream and write a matching anchor, and this
    /// check passes. Only the missing `purge` row in the `system` stream
    /// shows it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`] when the rows
    /// cannot be read.
    pub async fn check_audit_chain(&self) -> StoreResult<ChainCheck> {
        let mut tx = self.begin_read().await?;
        check_chain(&mut tx).await
    }

    /// Recomputes the hash chain of every stream and returns the counts of
    /// rows and streams checked when every chain is intact.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] naming the first row, in stream and id order,
    /// whose `prev_hash` is not the hash of the row before it in its stream
    /// (or of the stream's start) or whose `hash` does not match its fields.
    ///
    /// NOTE: deleting the latest rows of a stream leaves a shorter chain that
    /// still verifies, because nothing outside the table records its end.
    pub async fn verify_audit_chain(&self) -> StoreResult<ChainCheck> {
        let check = self.check_audit_chain().await?;
        match check.breaks.first() {
            Some(first) => Err(StoreError::Corrupt(first.to_string())),
            None => Ok(check),
        }
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

/// Checks every stream's chain as [`SqliteStore::check_audit_chain`]
/// describes, inside the caller's transaction.
pub(crate) async fn check_chain(conn: &mut SqliteConnection) -> StoreResult<ChainCheck> {
    let anchors = chain_starts(conn).await?;
    let mut rows = sqlx::query_as::<_, AuditColumns>(
        "SELECT id, stream, action, message_id, correlation_id, detail, at, prev_hash, hash \
         FROM audit ORDER BY stream, id",
    )
    .fetch(&mut *conn);

    let mut check = ChainCheck::default();
    let mut previous: Option<(String, i64, String)> = None;
    while let Some(row) = rows.try_next().await.map_err(db_error)? {
        let same_stream = matches!(&previous, Some((stream, _, _)) if *stream == row.stream);
        if !same_stream {
            check.streams += 1;
            if anchors.contains_key(&row.stream) {
                check.anchored_streams += 1;
            }
        }
        check.rows += 1;

        if let Some(problem) = link_problem(&row, previous.as_ref(), &anchors) {
            check.record(&row, problem);
        } else if row_hash_of(&row) != row.hash {
            check.record(&row, ChainProblem::HashMismatch);
        }
        previous = Some((row.stream, row.id, row.hash));
    }
    Ok(check)
}

/// The outcome of [`SqliteStore::check_audit_chain`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainCheck {
    /// Audit rows read.
    pub rows: u64,
    /// Streams with at least one row.
    pub streams: u64,
    /// Streams with rows that start from a purge anchor instead of the
    /// genesis hash.
    pub anchored_streams: u64,
    /// Rows that break their stream's chain, in stream and id order. At most
    /// [`MAX_LISTED_BREAKS`] of them.
    pub breaks: Vec<ChainBreak>,
    /// Rows that break a chain, including those past the listed ones.
    pub break_count: u64,
}

impl ChainCheck {
    /// Returns true when no row breaks a chain.
    pub fn is_intact(&self) -> bool {
        self.break_count == 0
    }

    fn record(&mut self, row: &AuditColumns, problem: ChainProblem) {
        self.break_count += 1;
        if self.breaks.len() < MAX_LISTED_BREAKS {
            self.breaks.push(ChainBreak {
                stream: row.stream.clone(),
                row_id: row.id,
                problem,
            });
        }
    }
}

/// Broken rows that one check lists; the rest are only counted.
pub const MAX_LISTED_BREAKS: usize = 100;

/// One audit row that breaks its stream's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub stream: String,
    pub row_id: i64,
    pub problem: ChainProblem,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "audit row {} of stream {:?} breaks the hash chain: {}",
            self.row_id, self.stream, self.problem
        )
    }
}

/// The reason an audit row breaks its stream's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// `hash` is not the hash of the row's fields, so the row was altered.
    HashMismatch,
    /// `prev_hash` is not the hash of row `previous_id`, the row before it
    /// in its stream, so a row between them was deleted or inserted.
    NotLinkedToPrevious { previous_id: i64 },
    /// The stream's first row does not start the chain: its `prev_hash` is
    /// neither the genesis hash nor, when `purged_through_id` is set, the
    /// hash of the last row a retention purge deleted.
    NotLinkedToStart { purged_through_id: Option<i64> },
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainProblem::HashMismatch => f.write_str("its hash does not match its fields"),
            ChainProblem::NotLinkedToPrevious { previous_id } => {
                write!(f, "its prev_hash is not the hash of row {previous_id}")
            }
            ChainProblem::NotLinkedToStart {
                purged_through_id: Some(id),
            } => write!(
                f,
                "its prev_hash is not the hash of row {id}, the last row purged from the stream"
            ),
            ChainProblem::NotLinkedToStart {
                purged_through_id: None,
            } => f.write_str("its prev_hash is not the start of a stream"),
        }
    }
}

/// Purge anchors by stream: the last purged row's id and hash.
type Anchors = HashMap<String, (i64, String)>;

async fn chain_starts(conn: &mut SqliteConnection) -> StoreResult<Anchors> {
    let anchors: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT stream, purged_through_id, purged_hash FROM audit_anchors")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
    Ok(anchors
        .into_iter()
        .map(|(stream, id, hash)| (stream, (id, hash)))
        .collect())
}

/// Checks that a row's `prev_hash` links it to the row before it in its
/// stream, or to the stream's start when it is the stream's first row.
fn link_problem(
    row: &AuditColumns,
    previous: Option<&(String, i64, String)>,
    anchors: &Anchors,
) -> Option<ChainProblem> {
    match previous {
        Some((stream, previous_id, hash)) if *stream == row.stream => (row.prev_hash != *hash)
            .then_some(ChainProblem::NotLinkedToPrevious {
                previous_id: *previous_id,
            }),
        _ => {
            let anchor = anchors.get(&row.stream);
            let start = anchor.map_or(GENESIS_HASH, |(_, hash)| hash.as_str());
            (row.prev_hash != start).then(|| ChainProblem::NotLinkedToStart {
                purged_through_id: anchor.map(|(id, _)| *id),
            })
        }
    }
}

fn row_hash_of(row: &AuditColumns) -> String {
    row_hash(
        &row.prev_hash,
        &row.stream,
        &row.action,
        row.message_id.as_deref(),
        row.correlation_id.as_deref(),
        &row.detail,
        row.at,
    )
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
