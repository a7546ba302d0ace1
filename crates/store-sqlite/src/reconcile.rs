//! Reconciliations: the record of one run with its classified rows, the
//! adjustments and exceptions it produced, and the latest run of each site.
//!
//! Quantities are stored as decimal text and read back with
//! [`Decimal::from_str_exact`], so a stored value is never rounded.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::IntoDeserializer;
use serde::Deserialize;
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};
use wharf_model::VarianceKind;
use wharf_store::{
    AuditEntry, NewException, NewReconciliation, ReconciliationSummary, StoreError, StoreResult,
    VarianceRecord,
};

use crate::audit::{self, NewAuditRow};
use crate::convert::{count, micros, now_micros, timestamp};
use crate::effects::{insert_exceptions, insert_outbox};
use crate::error::db_error;
use crate::SqliteStore;

/// Variance rows per multi-row INSERT: 11 parameters each, well below
/// SQLite's limit of 32,766 bound parameters per statement.
const INSERT_CHUNK: usize = 1_000;

const SUMMARY_COLUMNS: &str = "site, snapshot_ref, snapshot_sha256, taken_at, odoo_read_at, \
     finished_at, compared, counts, applied, exceptions, apply";

/// The id of each site's latest reconciliation: greatest `finished_at`, then
/// greatest id.
const LATEST_OF_SITE: &str = "SELECT id FROM reconciliations AS latest \
     WHERE latest.site = sites.site ORDER BY finished_at DESC, id DESC LIMIT 1";

impl SqliteStore {
    /// Records a reconciliation in one transaction: its summary, its rows,
    /// the outbox messages (due now, with no inbox message), the exceptions
    /// and the audit rows. Returns the new reconciliation's id.
    #[tracing::instrument(skip_all, fields(site = %reconciliation.summary.site))]
    pub(crate) async fn insert_reconciliation(
        &self,
        reconciliation: NewReconciliation,
    ) -> StoreResult<i64> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;

        let id = insert_summary(&mut tx, &reconciliation.summary).await?;
        for rows in reconciliation.rows.chunks(INSERT_CHUNK) {
            insert_rows(&mut tx, id, rows).await?;
        }

        insert_outbox(&mut tx, None, &reconciliation.outbox, now).await?;
        insert_exceptions(&mut tx, &reconciliation.exceptions, now).await?;
        let audit_rows = reconciliation
            .audit
            .into_iter()
            .map(|entry| NewAuditRow::from_entry(entry, now))
            .collect();
        audit::append(&mut tx, audit_rows).await?;

        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }

    /// Inserts one exception and its audit row in one transaction.
    pub(crate) async fn insert_exception(
        &self,
        exception: NewException,
        audit: AuditEntry,
    ) -> StoreResult<()> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        insert_exceptions(&mut tx, std::slice::from_ref(&exception), now).await?;
        audit::append(&mut tx, vec![NewAuditRow::from_entry(audit, now)]).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(())
    }

    /// Returns the latest reconciliation of each site, sorted by site.
    pub(crate) async fn latest_reconciliations(&self) -> StoreResult<Vec<ReconciliationSummary>> {
        let mut conn = self.reader().acquire().await.map_err(db_error)?;
        latest_summaries(&mut conn).await
    }

    /// Returns the rows of the latest reconciliation of `site`, sorted by
    /// location, SKU and lot (no lot first).
    pub(crate) async fn latest_variances(&self, site: &str) -> StoreResult<Vec<VarianceRecord>> {
        let rows: Vec<VarianceColumns> = sqlx::query_as(
            "SELECT location, sku, lot, wms, odoo, in_flight, variance, kind, action, detail \
             FROM variance_rows WHERE reconciliation_id = \
                 (SELECT id FROM reconciliations WHERE site = ?1 \
                  ORDER BY finished_at DESC, id DESC LIMIT 1) \
             ORDER BY location, sku, lot, rowid",
        )
        .bind(site)
        .fetch_all(self.reader())
        .await
        .map_err(db_error)?;
        rows.into_iter().map(VarianceColumns::into_record).collect()
    }
}

/// Reads the latest reconciliation of each site, sorted by site, on the
/// caller's connection so that a report can read it in its own transaction.
pub(crate) async fn latest_summaries(
    conn: &mut SqliteConnection,
) -> StoreResult<Vec<ReconciliationSummary>> {
    let query = format!(
        "SELECT {SUMMARY_COLUMNS} FROM reconciliations WHERE id IN \
         (SELECT ({LATEST_OF_SITE}) FROM (SELECT DISTINCT site FROM reconciliations) AS sites) \
         ORDER BY site"
    );
    let rows: Vec<SummaryColumns> = sqlx::query_as(&query)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    let mut summaries = rows
        .into_iter()
        .map(SummaryColumns::into_summary)
        .collect::<StoreResult<Vec<_>>>()?;
    for summary in &mut summaries {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM exceptions WHERE state = 'open' AND site = ? AND kind IN \
             ('inventory_variance', 'serial_duplicate', 'negative_stock', 'expired_lot', \
             'unknown_location')",
        )
        .bind(&summary.site)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)?;
        summary.open_exceptions = count(open)?;
    }
    Ok(summaries)
}

async fn insert_summary(
    conn: &mut SqliteConnection,
    summary: &ReconciliationSummary,
) -> StoreResult<i64> {
    let counts = serde_json::to_string(&summary.counts).map_err(|error| {
        StoreError::Corrupt(format!(
            "failed to write the reconciliation counts of site {} as JSON: {error}",
            summary.site
        ))
    })?;

    let query = format!(
        "INSERT INTO reconciliations ({SUMMARY_COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
    );
    sqlx::query_scalar(&query)
        .bind(&summary.site)
        .bind(&summary.snapshot_ref)
        .bind(&summary.snapshot_sha256)
        .bind(micros(summary.taken_at))
        .bind(micros(summary.odoo_read_at))
        .bind(micros(summary.finished_at))
        .bind(stored_count(summary.compared, "compared")?)
        .bind(counts)
        .bind(stored_count(summary.applied, "applied")?)
        .bind(stored_count(summary.exceptions, "exceptions")?)
        .bind(summary.apply)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)
}

async fn insert_rows(
    conn: &mut SqliteConnection,
    reconciliation_id: i64,
    rows: &[VarianceRecord],
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }

    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO variance_rows (reconciliation_id, location, sku, lot, wms, odoo, \
         in_flight, variance, kind, action, detail) ",
    );
    insert.push_values(rows, |mut values, row| {
        values
            .push_bind(reconciliation_id)
            .push_bind(&row.location)
            .push_bind(&row.sku)
            .push_bind(&row.lot)
            .push_bind(row.wms.to_string())
            .push_bind(row.odoo.to_string())
            .push_bind(row.in_flight.to_string())
            .push_bind(row.variance.to_string())
            .push_bind(row.kind.as_str())
            .push_bind(&row.action)
            .push_bind(&row.detail);
    });
    insert.build().execute(&mut *conn).await.map_err(db_error)?;
    Ok(())
}

/// Converts a count to SQLite's signed INTEGER.
fn stored_count(value: u64, field: &str) -> StoreResult<i64> {
    i64::try_from(value).map_err(|_| {
        StoreError::Corrupt(format!(
            "reconciliation field {field} = {value} exceeds {}, the largest INTEGER SQLite stores",
            i64::MAX
        ))
    })
}

#[derive(Debug, FromRow)]
struct SummaryColumns {
    site: String,
    snapshot_ref: String,
    snapshot_sha256: String,
    taken_at: i64,
    odoo_read_at: i64,
    finished_at: i64,
    compared: i64,
    counts: String,
    applied: i64,
    exceptions: i64,
    apply: bool,
}

impl SummaryColumns {
    fn into_summary(self) -> StoreResult<ReconciliationSummary> {
        let counts: BTreeMap<String, u64> =
            serde_json::from_str(&self.counts).map_err(|error| {
                StoreError::Corrupt(format!(
                    "invalid counts of a reconciliation of site {}: {error}",
                    self.site
                ))
            })?;
        Ok(ReconciliationSummary {
            site: self.site,
            snapshot_ref: self.snapshot_ref,
            snapshot_sha256: self.snapshot_sha256,
            taken_at: timestamp(self.taken_at)?,
            odoo_read_at: timestamp(self.odoo_read_at)?,
            finished_at: timestamp(self.finished_at)?,
            compared: count(self.compared)?,
            counts,
            applied: count(self.applied)?,
            exceptions: count(self.exceptions)?,
            apply: self.apply,
            open_exceptions: 0,
        })
    }
}

#[derive(Debug, FromRow)]
struct VarianceColumns {
    location: String,
    sku: String,
    lot: Option<String>,
    wms: String,
    odoo: String,
    in_flight: String,
    variance: String,
    kind: String,
    action: String,
    detail: Option<String>,
}

impl VarianceColumns {
    fn into_record(self) -> StoreResult<VarianceRecord> {
        Ok(VarianceRecord {
            wms: quantity(&self.wms, "wms")?,
            odoo: quantity(&self.odoo, "odoo")?,
            in_flight: quantity(&self.in_flight, "in_flight")?,
            variance: quantity(&self.variance, "variance")?,
            kind: variance_kind(&self.kind)?,
            location: self.location,
            sku: self.sku,
            lot: self.lot,
            action: self.action,
            detail: self.detail,
        })
    }
}

/// Parses a stored quantity, rejecting text that would lose digits.
fn quantity(stored: &str, column: &str) -> StoreResult<Decimal> {
    Decimal::from_str_exact(stored).map_err(|error| {
        StoreError::Corrupt(format!(
            "invalid decimal {stored:?} in variance_rows.{column}: {error}"
        ))
    })
}

fn variance_kind(stored: &str) -> StoreResult<VarianceKind> {
    // The model has no `parse` for this kind, but its serde names are the
    // names `as_str` writes.
    let deserializer: StrDeserializer<'_, ValueError> = stored.into_deserializer();
    VarianceKind::deserialize(deserializer).map_err(|_| {
        StoreError::Corrupt(format!("unknown variance kind {stored:?} in variance_rows"))
    })
}
