//! Retention purge: deletes records older than their kind's cutoff while
//! every audit stream stays verifiable.
//!
//! Only finished records go: handled inbox messages that no outbox message
//! refers to, delivered outbox messages with their attempts, resolved
//! exceptions, and reconciliations other than each site's latest, with their
//! variance rows. Pending, claimed, in-flight and failed messages and open
//! exceptions are never deleted.
//!
//! The audit table loses only a prefix of each stream: the rows before the
//! stream's first row at or after the cutoff, so a row with an old time that
//! follows a newer row is kept. The id and hash of the last deleted row go to
//! `audit_anchors`, where verification and the next append of the stream
//! find where the chain continues. A purge deletes nothing from a broken chain,
//! because deleting its rows would erase the evidence, and it appends one row
//! to the `system` stream that counts what it deleted.

use jiff::Timestamp;
use serde::Serialize;
use sqlx::SqliteConnection;
use wharf_store::{AuditEntry, StoreError, StoreResult};

use crate::audit::{self, NewAuditRow, SYSTEM_STREAM};
use crate::convert::{micros, now_micros};
use crate::error::db_error;
use crate::SqliteStore;

/// The times before which each kind of record is purged. `None` keeps that
/// kind forever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Audit rows with an earlier `at`, as a prefix of their stream.
    pub audit: Option<Timestamp>,
    /// Inbox messages handled and outbox messages delivered earlier.
    pub messages: Option<Timestamp>,
    /// Exceptions resolved earlier.
    pub exceptions: Option<Timestamp>,
    /// Reconciliations finished earlier.
    pub reconciliations: Option<Timestamp>,
}

/// Rows a purge deleted, or would delete in a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub audit_rows: u64,
    /// Streams that lost rows, each with a new or moved anchor.
    pub audit_streams: u64,
    pub inbox_messages: u64,
    pub outbox_messages: u64,
    pub attempts: u64,
    pub exceptions: u64,
    pub reconciliations: u64,
    pub variance_rows: u64,
    /// True when nothing was deleted because the purge was a dry run.
    pub dry_run: bool,
}

impl PurgeReport {
    fn summary(&self) -> String {
        format!(
            "purged {} audit rows of {} streams, {} inbox and {} outbox messages \
             with {} delivery attempts, {} resolved exceptions, {} reconciliations \
             with {} variance rows",
            self.audit_rows,
            self.audit_streams,
            self.inbox_messages,
            self.outbox_messages,
            self.attempts,
            self.exceptions,
            self.reconciliations,
            self.variance_rows
        )
    }
}

impl SqliteStore {
    /// Deletes the records older than their cutoff in one transaction, and
    /// appends a `purge` row to the `system` audit stream. A dry run does the
    /// same and rolls back, so its report counts exactly what a purge would
    /// delete now.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] naming the first broken row when the audit
    /// chain does not verify, and the store's errors for failed statements.
    pub async fn purge(
        &self,
        cutoffs: &RetentionCutoffs,
        dry_run: bool,
    ) -> StoreResult<PurgeReport> {
        // NOTE: the chain check reads the whole audit table while this
        // transaction holds the write lock. A hub writing to the same file
        // waits meanwhile, and reports the store as unavailable after its
        // busy timeout (5 seconds) when the table is large.
        let mut tx = self.begin_write().await?;
        let check = audit::check_chain(&mut tx).await?;
        if let Some(first) = check.breaks.first() {
            return Err(StoreError::Corrupt(format!(
                "{first}; the purge deleted nothing so that the broken rows stay as evidence; \
                 run `wharf audit verify` to list every broken row"
            )));
        }

        let mut report = PurgeReport {
            dry_run,
            ..PurgeReport::default()
        };
        if let Some(cutoff) = cutoffs.messages {
            purge_messages(&mut tx, micros(cutoff), &mut report).await?;
        }
        if let Some(cutoff) = cutoffs.exceptions {
            report.exceptions = execute(
                &mut tx,
                "DELETE FROM exceptions WHERE state = 'resolved' AND resolved_at < ?",
                micros(cutoff),
            )
            .await?;
        }
        if let Some(cutoff) = cutoffs.reconciliations {
            purge_reconciliations(&mut tx, micros(cutoff), &mut report).await?;
        }
        if let Some(cutoff) = cutoffs.audit {
            purge_audit(&mut tx, micros(cutoff), &mut report).await?;
        }

        // Written after the audit purge, so that this row is never purged by
        // the run that wrote it.
        let entry = AuditEntry {
            stream: SYSTEM_STREAM.to_owned(),
            action: "purge".to_owned(),
            message_id: None,
            detail: report.summary(),
        };
        audit::append(&mut tx, vec![NewAuditRow::from_entry(entry, now_micros())]).await?;

        if dry_run {
            tx.rollback().await.map_err(db_error)?;
        } else {
            tx.commit().await.map_err(db_error)?;
        }
        Ok(report)
    }
}

/// Runs a statement with one bound time and returns the rows it changed.
async fn execute(conn: &mut SqliteConnection, statement: &str, cutoff: i64) -> StoreResult<u64> {
    let result = sqlx::query(statement)
        .bind(cutoff)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(result.rows_affected())
}

/// Deletes delivered outbox messages with their attempts, then the handled
/// inbox messages that no remaining outbox message refers to.
async fn purge_messages(
    conn: &mut SqliteConnection,
    cutoff: i64,
    report: &mut PurgeReport,
) -> StoreResult<()> {
    report.attempts = execute(
        conn,
        "DELETE FROM attempts WHERE outbox_id IN \
         (SELECT id FROM outbox WHERE state = 'delivered' AND delivered_at < ?)",
        cutoff,
    )
    .await?;
    report.outbox_messages = execute(
        conn,
        "DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?",
        cutoff,
    )
    .await?;

    // NOTE: a purged message's idempotency key is gone with it, so a source
    // that read the same message again would store it as new. Sources
    // resume from their cursors, so this needs a retention shorter than the
    // oldest message a source can still re-read.
    report.inbox_messages = execute(
        conn,
        "DELETE FROM inbox WHERE state = 'handled' AND handled_at < ? \
         AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.inbox_id = inbox.id)",
        cutoff,
    )
    .await?;
    Ok(())
}

/// Deletes reconciliations finished before the cutoff, except each site's
/// latest, which status reports still show, with their variance rows.
async fn purge_reconciliations(
    conn: &mut SqliteConnection,
    cutoff: i64,
    report: &mut PurgeReport,
) -> StoreResult<()> {
    const PURGED: &str = "SELECT id FROM reconciliations AS old WHERE finished_at < ? \
        AND EXISTS (SELECT 1 FROM reconciliations AS later WHERE later.site = old.site \
        AND (later.finished_at, later.id) > (old.finished_at, old.id))";

    report.variance_rows = execute(
        conn,
        &format!("DELETE FROM variance_rows WHERE reconciliation_id IN ({PURGED})"),
        cutoff,
    )
    .await?;
    report.reconciliations = execute(
        conn,
        &format!("DELETE FROM reconciliations WHERE id IN ({PURGED})"),
        cutoff,
    )
    .await?;
    Ok(())
}

/// Deletes each stream's rows before its first row at or after the cutoff,
/// and moves the stream's anchor to the last deleted row.
async fn purge_audit(
    conn: &mut SqliteConnection,
    cutoff: i64,
    report: &mut PurgeReport,
) -> StoreResult<()> {
    let prefixes: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "WITH first_kept AS ( \
             SELECT stream, MIN(id) AS id FROM audit WHERE at >= ?1 GROUP BY stream \
         ), purged AS ( \
             SELECT audit.stream, MAX(audit.id) AS through_id, COUNT(*) AS rows \
             FROM audit LEFT JOIN first_kept ON first_kept.stream = audit.stream \
             WHERE first_kept.id IS NULL OR audit.id < first_kept.id \
             GROUP BY audit.stream \
         ) \
         SELECT purged.stream, purged.through_id, audit.hash, purged.rows \
         FROM purged JOIN audit ON audit.id = purged.through_id",
    )
    .bind(cutoff)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;

    let now = now_micros();
    for (stream, through_id, hash, rows) in prefixes {
        sqlx::query("DELETE FROM audit WHERE stream = ? AND id <= ?")
            .bind(&stream)
            .bind(through_id)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO audit_anchors \
                 (stream, purged_through_id, purged_hash, rows_purged, purged_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (stream) DO UPDATE SET purged_through_id = ?2, purged_hash = ?3, \
                 rows_purged = rows_purged + ?4, purged_at = ?5",
        )
        .bind(&stream)
        .bind(through_id)
        .bind(&hash)
        .bind(rows)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;

        report.audit_streams += 1;
        report.audit_rows += u64::try_from(rows).unwrap_or(0);
    }
    Ok(())
}
