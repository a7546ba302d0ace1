//! API tokens and dashboard sessions. Creating and revoking a token appends
//! an audit row to the `access` stream in the same transaction, so the audit
//! trail shows who could reach the hub and since when.

use sqlx::FromRow;
use tracing::info;
use wharf_store::{
    AuditEntry, NewSession, NewToken, Role, SessionRecord, StoreError, StoreResult, TokenRecord,
};

use crate::audit::{self, NewAuditRow};
use crate::convert::{micros, now_micros, timestamp};
use crate::error::db_error;
use crate::SqliteStore;

/// The audit stream of token and session events.
pub const ACCESS_STREAM: &str = "access";

const TOKEN_COLUMNS: &str =
    "t.id, t.name, t.role, t.site, t.created_at, t.created_by, t.revoked_at";

#[derive(Debug, FromRow)]
struct TokenColumns {
    id: i64,
    name: String,
    role: String,
    site: Option<String>,
    created_at: i64,
    created_by: String,
    revoked_at: Option<i64>,
}

impl TokenColumns {
    fn into_record(self) -> StoreResult<TokenRecord> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "token {} has unknown role {:?}",
                self.id, self.role
            ))
        })?;
        Ok(TokenRecord {
            id: self.id,
            name: self.name,
            role,
            site: self.site,
            created_at: timestamp(self.created_at)?,
            created_by: self.created_by,
            revoked_at: self.revoked_at.map(timestamp).transpose()?,
        })
    }
}

#[derive(Debug, FromRow)]
struct SessionColumns {
    #[sqlx(flatten)]
    token: TokenColumns,
    csrf: String,
    expires_at: i64,
}

impl SqliteStore {
    pub(crate) async fn insert_token(&self, token: NewToken) -> StoreResult<TokenRecord> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, role, site, hash, created_at, created_by) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&token.name)
        .bind(token.role.as_str())
        .bind(&token.site)
        .bind(&token.hash)
        .bind(now)
        .bind(&token.created_by)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;

        let scope = token.site.as_deref().unwrap_or("every site");
        let entry = AuditEntry {
            stream: ACCESS_STREAM.to_owned(),
            action: "token_created".to_owned(),
            message_id: None,
            detail: format!(
                "token {id} {:?} ({}, {scope}) created by {}",
                token.name, token.role, token.created_by
            ),
        };
        audit::append(&mut tx, vec![NewAuditRow::from_entry(entry, now)]).await?;
        tx.commit().await.map_err(db_error)?;

        info!(token_id = id, name = %token.name, role = %token.role, "API token created");
        Ok(TokenRecord {
            id,
            name: token.name,
            role: token.role,
            site: token.site,
            created_at: timestamp(now)?,
            created_by: token.created_by,
            revoked_at: None,
        })
    }

    pub(crate) async fn active_token(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        let query = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.hash = ? AND t.revoked_at IS NULL"
        );
        let row: Option<TokenColumns> = sqlx::query_as(&query)
            .bind(hash)
            .fetch_optional(self.reader())
            .await
            .map_err(db_error)?;
        row.map(TokenColumns::into_record).transpose()
    }

    pub(crate) async fn all_tokens(&self) -> StoreResult<Vec<TokenRecord>> {
        let query = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t ORDER BY t.id");
        let rows: Vec<TokenColumns> = sqlx::query_as(&query)
            .fetch_all(self.reader())
            .await
            .map_err(db_error)?;
        rows.into_iter().map(TokenColumns::into_record).collect()
    }

    /// Revokes a token and ends its sessions. Revoking a revoked token
    /// changes nothing, writes no audit row and returns an error.
    pub(crate) async fn revoke(&self, id: i64, by: &str) -> StoreResult<()> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM api_tokens WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let name = name.ok_or(StoreError::TokenNotFound(id))?;

        let changed =
            sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::TokenAlreadyRevoked(id));
        }

        sqlx::query("DELETE FROM sessions WHERE token_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let entry = AuditEntry {
            stream: ACCESS_STREAM.to_owned(),
            action: "token_revoked".to_owned(),
            message_id: None,
            detail: format!("token {id} {name:?} revoked by {by}"),
        };
        audit::append(&mut tx, vec![NewAuditRow::from_entry(entry, now)]).await?;
        tx.commit().await.map_err(db_error)?;
        info!(token_id = id, by, "API token revoked");
        Ok(())
    }

    /// Stores a new session and drops expired ones.
    pub(crate) async fn insert_session(&self, session: NewSession) -> StoreResult<()> {
        let now = now_micros();
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO sessions (hash, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&session.hash)
        .bind(session.token_id)
        .bind(&session.csrf)
        .bind(now)
        .bind(micros(session.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    pub(crate) async fn live_session(&self, hash: &str) -> StoreResult<Option<SessionRecord>> {
        let query = format!(
            "SELECT {TOKEN_COLUMNS}, s.csrf, s.expires_at FROM sessions s \
             JOIN api_tokens t ON t.id = s.token_id \
             WHERE s.hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL"
        );
        let row: Option<SessionColumns> = sqlx::query_as(&query)
            .bind(hash)
            .bind(now_micros())
            .fetch_optional(self.reader())
            .await
            .map_err(db_error)?;
        row.map(|row| {
            Ok(SessionRecord {
                token: row.token.into_record()?,
                csrf: row.csrf,
                expires_at: timestamp(row.expires_at)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn delete_session(&self, hash: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE hash = ?")
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }
}
