//! Conversions between stored columns and the store's record types: times
//! as INTEGER microseconds, ids as UUID text, kinds and states as their names.

use std::time::Duration;

use jiff::Timestamp;
use sqlx::FromRow;
use uuid::Uuid;
use wharf_model::{CorrelationId, Envelope, EventKind, ExceptionKind, MessageId, PickingState};
use wharf_store::{AuditRow, ExceptionRow, PickingRecord, StoreError, StoreResult};

/// Converts a timestamp to its stored form, microseconds since the Unix
/// epoch, truncating any nanoseconds.
pub(crate) fn micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

/// Returns the current time in its stored form.
pub(crate) fn now_micros() -> i64 {
    micros(Timestamp::now())
}

/// Computes the end of a lease of `lease` starting at `now`, in stored
/// microseconds.
pub(crate) fn lease_end(now: i64, lease: Duration) -> i64 {
    let lease_micros = i64::try_from(lease.as_micros()).unwrap_or(i64::MAX);
    now.saturating_add(lease_micros)
}

pub(crate) fn timestamp(stored: i64) -> StoreResult<Timestamp> {
    Timestamp::from_microsecond(stored)
        .map_err(|error| StoreError::Corrupt(format!("invalid time {stored}: {error}")))
}

pub(crate) fn message_id(stored: &str) -> StoreResult<MessageId> {
    Uuid::parse_str(stored)
        .map(MessageId)
        .map_err(|error| StoreError::Corrupt(format!("invalid message id {stored:?}: {error}")))
}

pub(crate) fn optional_message_id(stored: Option<&str>) -> StoreResult<Option<MessageId>> {
    stored.map(message_id).transpose()
}

pub(crate) fn attempt(stored: i64) -> StoreResult<u32> {
    u32::try_from(stored)
        .map_err(|_| StoreError::Corrupt(format!("attempt number {stored} out of range")))
}

pub(crate) fn count(stored: i64) -> StoreResult<u64> {
    u64::try_from(stored).map_err(|_| StoreError::Corrupt(format!("negative count {stored}")))
}

pub(crate) fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

pub(crate) fn json_value(stored: &str, column: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(stored)
        .map_err(|error| StoreError::Corrupt(format!("invalid JSON in {column}: {error}")))
}

/// The envelope columns shared by `inbox` and `outbox`.
#[derive(Debug, FromRow)]
pub(crate) struct EnvelopeColumns {
    pub id: String,
    pub kind: String,
    pub site: String,
    pub correlation_id: String,
    pub idempotency_key: String,
    pub source: String,
    pub payload: String,
}

impl EnvelopeColumns {
    pub(crate) fn into_envelope(self) -> StoreResult<Envelope> {
        let kind = EventKind::parse(&self.kind).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "message {} has unknown kind {:?}",
                self.id, self.kind
            ))
        })?;
        Ok(Envelope {
            id: message_id(&self.id)?,
            kind,
            site: self.site,
            correlation_id: CorrelationId(self.correlation_id),
            idempotency_key: self.idempotency_key,
            source: self.source,
            payload: json_value(&self.payload, "payload")?,
        })
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct ExceptionColumns {
    pub id: i64,
    pub kind: String,
    pub owner: String,
    pub site: String,
    pub correlation_id: String,
    pub message_id: Option<String>,
    pub detail: String,
    pub state: String,
    pub created_at: i64,
    pub retryable: bool,
}

impl ExceptionColumns {
    pub(crate) fn into_row(self) -> StoreResult<ExceptionRow> {
        let kind = ExceptionKind::parse(&self.kind).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "exception {} has unknown kind {:?}",
                self.id, self.kind
            ))
        })?;
        Ok(ExceptionRow {
            id: self.id,
            kind,
            owner: self.owner,
            site: self.site,
            correlation_id: self.correlation_id,
            message_id: optional_message_id(self.message_id.as_deref())?,
            detail: self.detail,
            state: self.state,
            created_at: timestamp(self.created_at)?,
            retryable: self.retryable,
        })
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct PickingColumns {
    pub picking_id: i64,
    pub picking_name: String,
    pub site: String,
    pub state: String,
    pub release: Option<String>,
    pub backorder: Option<String>,
    pub tracking: Option<String>,
    pub updated_at: i64,
}

impl PickingColumns {
    pub(crate) fn into_record(self) -> StoreResult<PickingRecord> {
        let state = PickingState::parse(&self.state).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "picking {} has unknown state {:?}",
                self.picking_name, self.state
            ))
        })?;
        Ok(PickingRecord {
            picking_id: self.picking_id,
            picking_name: self.picking_name,
            site: self.site,
            state,
            release: self
                .release
                .as_deref()
                .map(|text| json_value(text, "release"))
                .transpose()?,
            backorder: self.backorder,
            tracking: self.tracking,
            updated_at: timestamp(self.updated_at)?,
        })
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct AuditColumns {
    pub id: i64,
    pub stream: String,
    pub action: String,
    pub message_id: Option<String>,
    pub correlation_id: Option<String>,
    pub detail: String,
    pub at: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditColumns {
    pub(crate) fn into_row(self) -> StoreResult<AuditRow> {
        Ok(AuditRow {
            id: self.id,
            stream: self.stream,
            action: self.action,
            message_id: optional_message_id(self.message_id.as_deref())?,
            detail: self.detail,
            at: timestamp(self.at)?,
            hash: self.hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_round_trip() {
        let at: Timestamp = "2026-03-01T12:34:56.789012Z".parse().unwrap();
        assert_eq!(timestamp(micros(at)).unwrap(), at);
    }

    #[test]
    fn lease_end_saturates() {
        assert_eq!(lease_end(10, Duration::from_micros(5)), 15);
        assert_eq!(lease_end(10, Duration::MAX), i64::MAX);
    }

    #[test]
    fn negative_attempt_is_corrupt() {
        assert!(matches!(attempt(-1), Err(StoreError::Corrupt(_))));
    }
}
