//! Manual actions on exceptions: read one with its resolution, resolve it
//! with a note, or retry its failed message. Each action checks the
//! exception's state, changes it and appends one audit row in the same
//! write transaction, so the audit trail records every intervention that
//! took effect and nothing else.

use sqlx::{FromRow, SqliteConnection};
use tracing::info;
use wharf_model::MessageId;
use wharf_store::{
    AuditEntry, ExceptionRecord, ExceptionRow, MessageQueue, RetriedMessage, StoreError,
    StoreResult,
};

use crate::audit::{self, NewAuditRow};
use crate::convert::{json_text, now_micros, timestamp, ExceptionColumns};
use crate::error::db_error;
use crate::SqliteStore;

const RECORD_COLUMNS: &str = "id, kind, owner, site, correlation_id, message_id, detail, state, created_at, \
    resolved_at, note, (state = 'open' AND message_id IS NOT NULL AND (\
     EXISTS (SELECT 1 FROM inbox i WHERE i.id = exceptions.message_id AND i.state = 'exception') \
     OR EXISTS (SELECT 1 FROM outbox o WHERE o.id = exceptions.message_id AND o.state = 'failed'))) AS retryable";

#[derive(Debug, FromRow)]
struct RecordColumns {
    #[sqlx(flatten)]
    exception: ExceptionColumns,
    resolved_at: Option<i64>,
    note: Option<String>,
}

impl RecordColumns {
    fn into_record(self) -> StoreResult<ExceptionRecord> {
        Ok(ExceptionRecord {
            exception: self.exception.into_row()?,
            resolved_at: self.resolved_at.map(timestamp).transpose()?,
            note: self.note,
        })
    }
}

/// A message an exception points at, as a retry finds it.
#[derive(Debug)]
struct FailedMessage {
    queue: MessageQueue,
    state: String,
    payload: String,
}

impl SqliteStore {
    pub(crate) async fn exception_by_id(&self, id: i64) -> StoreResult<Option<ExceptionRecord>> {
        let query = format!("SELECT {RECORD_COLUMNS} FROM exceptions WHERE id = ?");
        let row: Option<RecordColumns> = sqlx::query_as(&query)
            .bind(id)
            .fetch_optional(self.reader())
            .await
            .map_err(db_error)?;
        row.map(RecordColumns::into_record).transpose()
    }

    /// Resolves an open exception with `resolved by <by>: <note>` and an
    /// audit row `manual_resolve` on its correlation id.
    #[tracing::instrument(skip(self, note))]
    pub(crate) async fn resolve_exception_manually(
        &self,
        id: i64,
        by: &str,
        note: &str,
    ) -> StoreResult<()> {
        check_action(id, by, note)?;
        let now = now_micros();
        let mut tx = self.begin_write().await?;

        let exception = open_exception(&mut tx, id).await?;
        mark_resolved(&mut tx, &[id], &format!("resolved by {by}: {note}"), now).await?;
        let entry = AuditEntry {
            stream: exception.correlation_id.clone(),
            action: "manual_resolve".to_owned(),
            message_id: exception.message_id,
            detail: format!(
                "exception {id} ({}) resolved by {by}: {note}",
                exception.kind
            ),
        };
        audit::append(&mut tx, vec![NewAuditRow::from_entry(entry, now)]).await?;

        tx.commit().await.map_err(db_error)?;
        info!(exception_id = id, correlation_id = %exception.correlation_id, by, "Exception resolved manually");
        Ok(())
    }

    /// Puts an open exception's failed message back to `pending`, with the
    /// corrected payload if one is given, and resolves the exception and the
    /// message's other open exceptions. The audit row `manual_retry` keeps
    /// the original payload when it was replaced.
    #[tracing::instrument(skip(self, note, corrected_payload))]
    pub(crate) async fn retry_exception_message(
        &self,
        id: i64,
        by: &str,
        note: &str,
        corrected_payload: Option<serde_json::Value>,
    ) -> StoreResult<RetriedMessage> {
        check_action(id, by, note)?;
        let now = now_micros();
        let mut tx = self.begin_write().await?;

        let exception = open_exception(&mut tx, id).await?;
        let message_id = exception.message_id.ok_or_else(|| not_retryable(id, format!(
            "it carries no message, because it was raised for a rejected file or by a reconciliation: \
             resolve it with `wharf exceptions resolve {id}`, or drop the corrected file in the site's folder again"
        )))?;
        let message = failed_message(&mut tx, id, message_id).await?;
        if let Some(corrected) = &corrected_payload {
            check_shape(id, &message.payload, corrected)?;
        }

        requeue(
            &mut tx,
            &message,
            message_id,
            corrected_payload.as_ref(),
            now,
        )
        .await?;
        let also_resolved = other_open_exceptions(&mut tx, id, message_id).await?;
        let mut resolved = vec![id];
        resolved.extend(&also_resolved);
        mark_resolved(&mut tx, &resolved, &format!("retried by {by}: {note}"), now).await?;

        let mut detail = format!(
            "exception {id} ({}) retried by {by}: {note}; {} message {message_id} is pending again",
            exception.kind,
            queue_name(message.queue)
        );
        if !also_resolved.is_empty() {
            detail.push_str(&format!("; also resolved exceptions {also_resolved:?}"));
        }
        if corrected_payload.is_some() {
            detail.push_str(&format!(
                "; payload replaced, original payload: {}",
                message.payload
            ));
        }
        let entry = AuditEntry {
            stream: exception.correlation_id.clone(),
            action: "manual_retry".to_owned(),
            message_id: Some(message_id),
            detail,
        };
        audit::append(&mut tx, vec![NewAuditRow::from_entry(entry, now)]).await?;

        tx.commit().await.map_err(db_error)?;
        info!(
            exception_id = id,
            %message_id,
            correlation_id = %exception.correlation_id,
            by,
            payload_replaced = corrected_payload.is_some(),
            "Exception retried manually"
        );
        Ok(RetriedMessage {
            message_id,
            queue: message.queue,
            also_resolved,
        })
    }
}

/// Rejects a manual action whose person or reason is blank.
fn check_action(id: i64, by: &str, note: &str) -> StoreResult<()> {
    if by.trim().is_empty() {
        return Err(StoreError::MissingActionField {
            id,
            field: "who (by)",
        });
    }
    if note.trim().is_empty() {
        return Err(StoreError::MissingActionField { id, field: "note" });
    }
    for (field, value) in [("who (by)", by), ("note", note)] {
        let length = value.chars().count();
        if length > MAX_ACTION_FIELD {
            return Err(StoreError::ActionFieldTooLong {
                id,
                field,
                length,
                max: MAX_ACTION_FIELD,
            });
        }
    }
    Ok(())
}

/// Maximum length of a manual action's note or name, in characters: enough for
/// a paragraph, short enough that a trace stays readable.
const MAX_ACTION_FIELD: usize = 2_000;

/// Checks that a corrected payload has the JSON type of the original, so a
/// typo such as a bare string never reaches a handler as a new defect.
fn check_shape(id: i64, original: &str, corrected: &serde_json::Value) -> StoreResult<()> {
    let original: serde_json::Value =
        serde_json::from_str(original).unwrap_or(serde_json::Value::Null);
    let (expected, found) = (json_type(&original), json_type(corrected));
    if expected == found {
        Ok(())
    } else {
        Err(StoreError::PayloadShape {
            id,
            expected,
            found,
        })
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads an exception inside the caller's transaction and checks that it is open.
async fn open_exception(conn: &mut SqliteConnection, id: i64) -> StoreResult<ExceptionRow> {
    let query = format!("SELECT {RECORD_COLUMNS} FROM exceptions WHERE id = ?");
    let row: Option<RecordColumns> = sqlx::query_as(&query)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
    let record = row
        .ok_or(StoreError::ExceptionNotFound(id))?
        .into_record()?;
    if record.exception.state != "open" {
        return Err(StoreError::ExceptionResolved(id));
    }
    Ok(record.exception)
}

/// Finds the message of exception `id` in the inbox or the outbox, and
/// checks that it ended in a failed state: `exception` in the inbox,
/// `failed` in the outbox.
async fn failed_message(
    conn: &mut SqliteConnection,
    id: i64,
    message_id: MessageId,
) -> StoreResult<FailedMessage> {
    let key = message_id.to_string();
    let mut found = None;
    for (queue, table) in [
        (MessageQueue::Inbox, "inbox"),
        (MessageQueue::Outbox, "outbox"),
    ] {
        let query = format!("SELECT state, payload FROM {table} WHERE id = ?");
        let row: Option<(String, String)> = sqlx::query_as(&query)
            .bind(&key)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error)?;
        if let Some((state, payload)) = row {
            found = Some(FailedMessage {
                queue,
                state,
                payload,
            });
            break;
        }
    }

    let message = found.ok_or_else(|| {
        not_retryable(id, format!(
            "its message {message_id} is no longer in the store: resolve it with `wharf exceptions resolve {id}`"
        ))
    })?;
    let failed_state = match message.queue {
        MessageQueue::Inbox => "exception",
        MessageQueue::Outbox => "failed",
    };
    if message.state != failed_state {
        return Err(not_retryable(id, format!(
            "its {} message {message_id} is `{}`, not `{failed_state}`, so there is nothing to run again: \
             resolve it with `wharf exceptions resolve {id}`",
            queue_name(message.queue),
            message.state
        )));
    }
    Ok(message)
}

/// Makes a failed message `pending` again, due now, with its claim cleared
/// and its attempt count kept.
///
/// NOTE: because the count is kept, an outbox message that ended in
/// `retries_exhausted` gets one delivery attempt before a transient error
/// raises a new exception.
async fn requeue(
    conn: &mut SqliteConnection,
    message: &FailedMessage,
    message_id: MessageId,
    corrected_payload: Option<&serde_json::Value>,
    now: i64,
) -> StoreResult<()> {
    let payload = corrected_payload.map_or_else(|| message.payload.clone(), json_text);
    let update = match message.queue {
        MessageQueue::Inbox => sqlx::query(
            "UPDATE inbox SET state = 'pending', payload = ?, owner = NULL, lease_until = NULL, \
             handled_at = NULL WHERE id = ?",
        )
        .bind(payload),
        MessageQueue::Outbox => sqlx::query(
            "UPDATE outbox SET state = 'pending', payload = ?, owner = NULL, lease_until = NULL, \
             next_attempt_at = ? WHERE id = ?",
        )
        .bind(payload)
        .bind(now),
    };
    update
        .bind(message_id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Lists the other open exceptions raised for the same message.
async fn other_open_exceptions(
    conn: &mut SqliteConnection,
    id: i64,
    message_id: MessageId,
) -> StoreResult<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM exceptions WHERE state = 'open' AND message_id = ? AND id <> ? ORDER BY id",
    )
    .bind(message_id.to_string())
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)
}

async fn mark_resolved(
    conn: &mut SqliteConnection,
    ids: &[i64],
    note: &str,
    now: i64,
) -> StoreResult<()> {
    for id in ids {
        sqlx::query(
            "UPDATE exceptions SET state = 'resolved', resolved_at = ?, note = ? WHERE id = ?",
        )
        .bind(now)
        .bind(note)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

fn queue_name(queue: MessageQueue) -> &'static str {
    match queue {
        MessageQueue::Inbox => "inbox",
        MessageQueue::Outbox => "outbox",
    }
}

fn not_retryable(id: i64, reason: String) -> StoreError {
    StoreError::NotRetryable { id, reason }
}
