//! Tests of the retention purge and of the audit chain's purge anchors,
//! each on a fresh database file.

mod anchor;
mod gaps;
mod records;

use jiff::Timestamp;
use tempfile::TempDir;
use wharf_store_sqlite::audit::{row_hash, GENESIS_HASH};
use wharf_store_sqlite::{RetentionCutoffs, SqliteStore};

/// Opens a store on a new file in a new temporary folder. The folder is
/// removed when the returned guard drops.
pub async fn open_store() -> (TempDir, SqliteStore) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(&folder.path().join("wharf.db"))
        .await
        .expect("store opens");
    (folder, store)
}

/// Opens a second connection to the store's file, the way an operator with
/// file access would.
pub async fn raw_pool(store: &SqliteStore) -> sqlx::SqlitePool {
    let url = format!("sqlite://{}", store.path().display());
    sqlx::SqlitePool::connect(&url)
        .await
        .expect("raw connection")
}

/// Runs one SQL statement through a separate connection.
pub async fn raw_sql(store: &SqliteStore, statement: &str) {
    let pool = raw_pool(store).await;
    sqlx::query(statement)
        .execute(&pool)
        .await
        .expect("raw statement");
    pool.close().await;
}

/// Appends rows with the given `at` microseconds to a new stream, chained
/// from the genesis hash, and returns their ids in order.
pub async fn insert_chain(store: &SqliteStore, stream: &str, times: &[i64]) -> Vec<i64> {
    let pool = raw_pool(store).await;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut ids = Vec::with_capacity(times.len());
    for (index, at) in times.iter().enumerate() {
        let detail = format!("row {index}");
        let hash = row_hash(&prev_hash, stream, "note", None, None, &detail, *at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit (stream, action, message_id, correlation_id, detail, at, \
             prev_hash, hash) VALUES (?, 'note', NULL, NULL, ?, ?, ?, ?) RETURNING id",
        )
        .bind(stream)
        .bind(&detail)
        .bind(at)
        .bind(&prev_hash)
        .bind(&hash)
        .fetch_one(&pool)
        .await
        .expect("insert audit row");
        ids.push(id);
        prev_hash = hash;
    }
    pool.close().await;
    ids
}

/// Returns the ids of a stream's rows, oldest first.
pub async fn stream_ids(store: &SqliteStore, stream: &str) -> Vec<i64> {
    let pool = raw_pool(store).await;
    let ids = sqlx::query_scalar("SELECT id FROM audit WHERE stream = ? ORDER BY id")
        .bind(stream)
        .fetch_all(&pool)
        .await
        .expect("select audit ids");
    pool.close().await;
    ids
}

/// Cutoffs that purge only audit rows older than `micros`.
pub fn audit_before(micros: i64) -> RetentionCutoffs {
    RetentionCutoffs {
        audit: Some(Timestamp::from_microsecond(micros).expect("valid time")),
        ..RetentionCutoffs::default()
    }
}

/// Returns the time one hour from now, later than every row a test writes.
pub fn in_one_hour() -> Timestamp {
    Timestamp::now() + jiff::SignedDuration::from_hours(1)
}
