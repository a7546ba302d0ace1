//! Writes shared by handler commits, delivery records and reconciliations:
//! new outbox messages, new exceptions and picking lifecycle upserts, always
//! inside the caller's write transaction.

use sqlx::SqliteConnection;
use wharf_model::MessageId;
use wharf_store::{NewException, NewOutbox, PickingUpdate, ResolvedException, StoreResult};

use crate::convert::json_text;
use crate::error::db_error;

/// Inserts outbox messages, due now.
///
/// `inbox_id` is the inbox message that produced them, `None` for messages
/// that no inbox message produced, such as a reconciliation's adjustments.
pub(crate) async fn insert_outbox(
    conn: &mut SqliteConnection,
    inbox_id: Option<MessageId>,
    messages: &[NewOutbox],
    now: i64,
) -> StoreResult<()> {
    for message in messages {
        let envelope = &message.envelope;
        sqlx::query(
            "INSERT INTO outbox \
             (id, inbox_id, kind, site, correlation_id, idempotency_key, source, payload, sink, \
              state, attempt, next_attempt_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        )
        .bind(envelope.id.to_string())
        .bind(inbox_id.map(|id| id.to_string()))
        .bind(envelope.kind.as_str())
        .bind(&envelope.site)
        .bind(&envelope.correlation_id.0)
        .bind(&envelope.idempotency_key)
        .bind(&envelope.source)
        .bind(json_text(&envelope.payload))
        .bind(&message.sink)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

/// Inserts open exceptions.
pub(crate) async fn insert_exceptions(
    conn: &mut SqliteConnection,
    exceptions: &[NewException],
    now: i64,
) -> StoreResult<()> {
    for exception in exceptions {
        sqlx::query(
            "INSERT INTO exceptions \
             (kind, owner, site, correlation_id, message_id, detail, state, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
        )
        .bind(exception.kind.as_str())
        .bind(&exception.owner)
        .bind(&exception.site)
        .bind(&exception.correlation_id)
        .bind(exception.message_id.map(|id| id.to_string()))
        .bind(&exception.detail)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

/// Marks the open exceptions of each correlation id and kind resolved.
pub(crate) async fn resolve_exceptions(
    conn: &mut SqliteConnection,
    resolved: &[ResolvedException],
    now: i64,
) -> StoreResult<()> {
    for resolution in resolved {
        sqlx::query(
            "UPDATE exceptions SET state = 'resolved', resolved_at = ?, note = ? \
             WHERE state = 'open' AND correlation_id = ? AND kind = ?",
        )
        .bind(now)
        .bind(&resolution.note)
        .bind(&resolution.correlation_id)
        .bind(resolution.kind.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

/// Inserts or updates pickings by Odoo id.
///
/// An update with `release`, `backorder` or `tracking` set to `None` keeps
/// the stored value. A picking name already used by another picking id
/// violates the unique name and fails the whole transaction.
pub(crate) async fn upsert_pickings(
    conn: &mut SqliteConnection,
    updates: &[PickingUpdate],
    now: i64,
) -> StoreResult<()> {
    for update in updates {
        sqlx::query(
            "INSERT INTO pickings \
             (picking_id, picking_name, site, state, release, backorder, tracking, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (picking_id) DO UPDATE SET \
                 picking_name = excluded.picking_name, \
                 site = excluded.site, \
                 state = excluded.state, \
                 release = COALESCE(excluded.release, pickings.release), \
                 backorder = COALESCE(excluded.backorder, pickings.backorder), \
                 tracking = COALESCE(excluded.tracking, pickings.tracking), \
                 updated_at = excluded.updated_at",
        )
        .bind(update.picking_id)
        .bind(&update.picking_name)
        .bind(&update.site)
        .bind(update.state.as_str())
        .bind(update.release.as_ref().map(json_text))
        .bind(&update.backorder)
        .bind(&update.tracking)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}
