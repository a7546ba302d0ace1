//! Opening the database file: connection settings, the two pools and the
//! embedded schema migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use wharf_store::{StoreError, StoreResult};

use crate::error::db_error;

/// How long a connection waits for another process's lock before it reports
/// the store as unavailable.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Read connections; WAL mode lets them read while the writer commits.
const READ_CONNECTIONS: u32 = 4;

/// A [`wharf_store::Store`] on one SQLite file.
///
/// Cloning is cheap and shares the pools.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    path: PathBuf,
    /// The only connection that writes, so write transactions queue here
    /// instead of failing on SQLite's lock.
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens the store at `path`, creating the file when it is missing, and
    /// applies every migration the file lacks.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the file cannot be opened or created,
    /// [`StoreError::Migration`] when the schema cannot be brought up to date.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);

        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(|error| open_error(path, &error))?;

        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|error| StoreError::Migration(format!("{}: {error}", path.display())))?;

        // The reader connects after the migrations so that it never reads a
        // half-built schema, and never creates the file itself.
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(options.create_if_missing(false))
            .await
            .map_err(|error| open_error(path, &error))?;

        Ok(SqliteStore {
            path: path.to_owned(),
            writer,
            reader,
        })
    }

    /// Returns the path of the database file this store was opened on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes both pools, waiting for open transactions to finish.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Starts a write transaction that holds SQLite's write lock from its
    /// first statement.
    pub(crate) async fn begin_write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_error)
    }

    /// Starts a read transaction, so that a report made of several queries
    /// reads one committed state.
    pub(crate) async fn begin_read(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.reader.begin().await.map_err(db_error)
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }
}

fn open_error(path: &Path, error: &sqlx::Error) -> StoreError {
    StoreError::Unavailable(format!("cannot open {}: {error}", path.display()))
}
