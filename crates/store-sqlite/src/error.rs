//! Mapping of sqlx errors onto [`StoreError`], so that callers decide to
//! retry or give up by variant, never by message text.

use wharf_store::StoreError;

/// SQLite primary result codes that mean "try again later": the database is
/// busy or locked by another connection, an I/O error, a full disk, or a
/// file that cannot be opened.
const TRANSIENT_CODES: [i64; 5] = [
    5,  // SQLITE_BUSY
    6,  // SQLITE_LOCKED
    10, // SQLITE_IOERR
    13, // SQLITE_FULL
    14, // SQLITE_CANTOPEN
];

/// Maps a sqlx error to the store's error kinds.
///
/// Connection, pool and I/O failures become [`StoreError::Unavailable`].
/// Everything else (constraint violations, undecodable columns, SQL the
/// schema does not accept) means the stored data or the request does not fit
/// the schema and becomes [`StoreError::Corrupt`].
pub(crate) fn db_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => StoreError::Unavailable(error.to_string()),
        sqlx::Error::Database(database) => {
            let primary_code = database
                .code()
                .and_then(|code| code.parse::<i64>().ok())
                .map(|code| code & 0xff);
            match primary_code {
                Some(code) if TRANSIENT_CODES.contains(&code) => {
                    StoreError::Unavailable(error.to_string())
                }
                // TODO: a constraint violation is a request that conflicts
                // with stored rows (for example a picking name already used
                // by another picking id), not corrupt data, but the store's
                // error enum has no variant for a conflict yet.
                _ => StoreError::Corrupt(error.to_string()),
            }
        }
        _ => StoreError::Corrupt(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_timeout_is_unavailable() {
        let mapped = db_error(sqlx::Error::PoolTimedOut);
        assert!(matches!(mapped, StoreError::Unavailable(_)), "{mapped:?}");
    }

    #[test]
    fn decode_error_is_corrupt() {
        let mapped = db_error(sqlx::Error::ColumnNotFound("state".to_owned()));
        assert!(matches!(mapped, StoreError::Corrupt(_)), "{mapped:?}");
    }
}
