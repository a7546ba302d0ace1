//! Manual actions on exceptions in the SQLite store: each transition of
//! `resolve_exception` and `retry_exception`, each error, and the audit row
//! every action leaves. Each test runs on a fresh database file.

use std::time::Duration;

use serde_json::json;
use tempfile::TempDir;
use wharf_model::{CorrelationId, Envelope, EventKind, ExceptionKind, MessageId};
use wharf_store::{
    AuditEntry, AuditRow, Delivery, DeliveryResult, Handled, HandledOutcome, Ingest, MessageQueue,
    NewException, NewOutbox, Store, StoreError, StoredInbox,
};
use wharf_store_sqlite::SqliteStore;

const LEASE: Duration = Duration::from_secs(600);
const CONFIRMATIONS: [EventKind; 1] = [EventKind::ShipmentConfirmed];

async fn open_store() -> (TempDir, SqliteStore) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = SqliteStore::open(&folder.path().join("wharf.db"))
        .await
        .expect("store opens");
    (folder, store)
}

fn envelope(kind: EventKind, correlation: &str, key: &str) -> Envelope {
    Envelope {
        id: MessageId::new(),
        kind,
        site: "main".to_owned(),
        correlation_id: CorrelationId(correlation.to_owned()),
        idempotency_key: key.to_owned(),
        source: "confirmations/ship-1.csv".to_owned(),
        payload: json!({ "picking": correlation, "quantity": "2.000" }),
    }
}

fn exception_for(correlation: &str, message_id: Option<MessageId>) -> NewException {
    NewException {
        kind: ExceptionKind::UnknownPicking,
        owner: "warehouse".to_owned(),
        site: "main".to_owned(),
        correlation_id: correlation.to_owned(),
        message_id,
        detail: format!("{correlation} was never released"),
    }
}

fn handled(claimed: &StoredInbox, outcome: HandledOutcome) -> Handled {
    Handled {
        message_id: claimed.envelope.id,
        owner: claimed.owner.clone(),
        attempt: claimed.attempt,
        outcome,
        outbox: vec![],
        exceptions: vec![],
        pickings: vec![],
        audit: vec![],
        resolved: vec![],
    }
}

/// Ingests one confirmation and claims it for a handler.
async fn claim_confirmation(store: &SqliteStore, correlation: &str) -> StoredInbox {
    let key = format!("sha256:{correlation}");
    let message = envelope(EventKind::ShipmentConfirmed, correlation, &key);
    let ingest = Ingest {
        source: "folder:main:confirmations".to_owned(),
        cursor: None,
        messages: vec![message],
    };
    store.ingest(ingest).await.unwrap();

    let mut claimed = store
        .claim_inbox(&CONFIRMATIONS, 10, "handler", LEASE)
        .await
        .unwrap();
    claimed.remove(0)
}

/// Ingests one confirmation and handles it with `outcome`, raising
/// `exceptions` open exceptions that carry the message. Returns the message.
async fn handle_confirmation(
    store: &SqliteStore,
    correlation: &str,
    outcome: HandledOutcome,
    exceptions: usize,
) -> Envelope {
    let claimed = claim_confirmation(store, correlation).await;
    let message = claimed.envelope.clone();
    let mut result = handled(&claimed, outcome);
    for _ in 0..exceptions {
        result
            .exceptions
            .push(exception_for(correlation, Some(message.id)));
    }
    store.commit_handled(result).await.unwrap();
    message
}

/// Handles one confirmation into an outbox message whose delivery then
/// fails for good, raising an exception. Returns the outbox message.
async fn failed_delivery(store: &SqliteStore, correlation: &str) -> Envelope {
    let claimed = claim_confirmation(store, correlation).await;
    let apply = envelope(EventKind::ShipmentApply, correlation, "apply:ship-1");
    let mut result = handled(&claimed, HandledOutcome::Done);
    result.outbox.push(NewOutbox {
        envelope: apply.clone(),
        sink: "odoo".to_owned(),
    });
    store.commit_handled(result).await.unwrap();

    let claimed = store.claim_outbox("odoo", 10, "sink", LEASE).await.unwrap();
    let exception = NewException {
        kind: ExceptionKind::RetriesExhausted,
        owner: "it".to_owned(),
        ..exception_for(correlation, Some(apply.id))
    };
    let delivery = Delivery {
        message_id: apply.id,
        owner: claimed[0].owner.clone(),
        attempt: claimed[0].attempt,
        started_at: jiff::Timestamp::now(),
        result: DeliveryResult::Failed {
            error: "Odoo unreachable".to_owned(),
            exception,
        },
        pickings: vec![],
        audit: vec![],
    };
    store.record_delivery(delivery).await.unwrap();
    apply
}

/// Raises an exception that carries no message, as a rejected file does.
async fn raise_without_message(store: &SqliteStore, correlation: &str) -> i64 {
    let audit = AuditEntry {
        stream: correlation.to_owned(),
        action: "exception".to_owned(),
        message_id: None,
        detail: "file rejected".to_owned(),
    };
    store
        .raise_exception(exception_for(correlation, None), audit)
        .await
        .unwrap();
    open_exception_id(store, correlation).await
}

async fn open_exception_id(store: &SqliteStore, correlation: &str) -> i64 {
    let open = store.exceptions(false).await.unwrap();
    let found = open.iter().find(|row| row.correlation_id == correlation);
    found.expect("an open exception of the correlation id").id
}

async fn manual_rows(store: &SqliteStore, correlation: &str) -> Vec<AuditRow> {
    let rows = store.trace(correlation).await.unwrap();
    rows.into_iter()
        .filter(|row| row.action.starts_with("manual_"))
        .collect()
}

#[tokio::test]
async fn resolve_closes_exception_with_audit_row() {
    let (_dir, store) = open_store().await;
    let id = raise_without_message(&store, "WH/OUT/00007").await;

    store
        .resolve_exception(id, "alice", "picking cancelled in Odoo")
        .await
        .unwrap();

    let record = store.exception(id).await.unwrap().unwrap();
    assert_eq!(record.exception.state, "resolved");
    assert!(record.resolved_at.is_some());
    assert_eq!(
        record.note.as_deref(),
        Some("resolved by alice: picking cancelled in Odoo")
    );
    assert!(store.exceptions(false).await.unwrap().is_empty());
    let rows = manual_rows(&store, "WH/OUT/00007").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "manual_resolve");
    assert!(rows[0].detail.contains("alice"), "{}", rows[0].detail);
    assert!(rows[0].detail.contains("picking cancelled in Odoo"));
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn resolve_twice_names_exception() {
    let (_dir, store) = open_store().await;
    let id = raise_without_message(&store, "WH/OUT/00007").await;
    store.resolve_exception(id, "alice", "done").await.unwrap();

    let error = store
        .resolve_exception(id, "bob", "again")
        .await
        .unwrap_err();

    assert!(matches!(error, StoreError::ExceptionResolved(found) if found == id));
    assert!(error.to_string().contains(&format!("exception {id}")));
    assert_eq!(manual_rows(&store, "WH/OUT/00007").await.len(), 1);
}

#[tokio::test]
async fn unknown_exception_not_found() {
    let (_dir, store) = open_store().await;

    assert!(store.exception(99).await.unwrap().is_none());
    let resolve = store.resolve_exception(99, "alice", "x").await.unwrap_err();
    assert!(matches!(resolve, StoreError::ExceptionNotFound(99)));
    let retry = store
        .retry_exception(99, "alice", "x", None)
        .await
        .unwrap_err();
    assert!(matches!(retry, StoreError::ExceptionNotFound(99)));
}

#[tokio::test]
async fn blank_who_or_note_rejected() {
    let (_dir, store) = open_store().await;
    let id = raise_without_message(&store, "WH/OUT/00007").await;

    let no_note = store
        .resolve_exception(id, "alice", "  ")
        .await
        .unwrap_err();
    let no_person = store.resolve_exception(id, "", "done").await.unwrap_err();

    assert!(matches!(
        no_note,
        StoreError::MissingActionField { field: "note", .. }
    ));
    assert!(matches!(no_person, StoreError::MissingActionField { .. }));
    assert_eq!(store.exceptions(false).await.unwrap().len(), 1);
    assert!(manual_rows(&store, "WH/OUT/00007").await.is_empty());
}

#[tokio::test]
async fn retry_makes_inbox_message_pending() {
    let (_dir, store) = open_store().await;
    let message = handle_confirmation(&store, "WH/OUT/00009", HandledOutcome::Exception, 1).await;
    let id = open_exception_id(&store, "WH/OUT/00009").await;

    let retried = store
        .retry_exception(id, "bob", "picking released now", None)
        .await
        .unwrap();

    assert_eq!(retried.message_id, message.id);
    assert_eq!(retried.queue, MessageQueue::Inbox);
    let record = store.exception(id).await.unwrap().unwrap();
    assert_eq!(record.exception.state, "resolved");
    assert_eq!(
        record.note.as_deref(),
        Some("retried by bob: picking released now")
    );
    let claimed = store
        .claim_inbox(&CONFIRMATIONS, 10, "handler", LEASE)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].envelope, message);
    assert_eq!(claimed[0].attempt, 2);
    let rows = manual_rows(&store, "WH/OUT/00009").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "manual_retry");
    assert_eq!(rows[0].message_id, Some(message.id));
    assert!(rows[0].detail.contains("bob"), "{}", rows[0].detail);
    store.verify_audit_chain().await.unwrap();
}

#[tokio::test]
async fn retried_message_keeps_idempotency_key() {
    let (_dir, store) = open_store().await;
    let message = handle_confirmation(&store, "WH/OUT/00009", HandledOutcome::Exception, 1).await;
    let id = open_exception_id(&store, "WH/OUT/00009").await;
    store
        .retry_exception(id, "bob", "again", None)
        .await
        .unwrap();

    let copy = Envelope {
        id: MessageId::new(),
        ..message.clone()
    };
    let ingest = Ingest {
        source: "folder:main:confirmations".to_owned(),
        cursor: None,
        messages: vec![copy],
    };
    let outcome = store.ingest(ingest).await.unwrap();

    assert!(outcome.inserted.is_empty());
    assert_eq!(outcome.duplicates.len(), 1);
    assert_eq!(outcome.duplicates[0].1, message.id);
}

#[tokio::test]
async fn retry_with_corrected_payload() {
    let (_dir, store) = open_store().await;
    let message = handle_confirmation(&store, "WH/OUT/00009", HandledOutcome::Exception, 1).await;
    let id = open_exception_id(&store, "WH/OUT/00009").await;
    let corrected = json!({ "picking": "WH/OUT/00010", "quantity": "2.000" });

    store
        .retry_exception(id, "bob", "wrong picking name", Some(corrected.clone()))
        .await
        .unwrap();

    let stored = store.message(message.id).await.unwrap().unwrap();
    assert_eq!(stored.payload, corrected);
    assert_eq!(stored.idempotency_key, message.idempotency_key);
    let rows = manual_rows(&store, "WH/OUT/00009").await;
    let original = message.payload.to_string();
    assert!(rows[0].detail.contains(&original), "{}", rows[0].detail);
}

#[tokio::test]
async fn retry_resolves_sibling_exceptions() {
    let (_dir, store) = open_store().await;
    handle_confirmation(&store, "WH/OUT/00009", HandledOutcome::Exception, 2).await;
    let ids: Vec<i64> = store
        .exceptions(false)
        .await
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect();

    let retried = store
        .retry_exception(ids[0], "bob", "fixed", None)
        .await
        .unwrap();

    assert_eq!(retried.also_resolved, vec![ids[1]]);
    assert!(store.exceptions(false).await.unwrap().is_empty());
    assert_eq!(manual_rows(&store, "WH/OUT/00009").await.len(), 1);
}

#[tokio::test]
async fn retry_makes_failed_outbox_pending() {
    let (_dir, store) = open_store().await;
    let apply = failed_delivery(&store, "WH/OUT/00011").await;
    let id = open_exception_id(&store, "WH/OUT/00011").await;

    let retried = store
        .retry_exception(id, "carol", "Odoo is back", None)
        .await
        .unwrap();

    assert_eq!(retried.queue, MessageQueue::Outbox);
    assert_eq!(retried.message_id, apply.id);
    let due = store
        .next_due("odoo")
        .await
        .unwrap()
        .expect("a due message");
    assert!(due <= jiff::Timestamp::now());
    let claimed = store.claim_outbox("odoo", 10, "sink", LEASE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].envelope.id, apply.id);
    assert_eq!(claimed[0].attempt, 2, "the attempt count is kept");
    let rows = manual_rows(&store, "WH/OUT/00011").await;
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].detail.contains("outbox message"),
        "{}",
        rows[0].detail
    );
}

#[tokio::test]
async fn retry_without_message_rejected() {
    let (_dir, store) = open_store().await;
    let id = raise_without_message(&store, "ship-bad.csv").await;

    let error = store
        .retry_exception(id, "bob", "x", None)
        .await
        .unwrap_err();

    assert!(matches!(error, StoreError::NotRetryable { id: found, .. } if found == id));
    let text = error.to_string();
    assert!(text.contains(&format!("exception {id}")), "{text}");
    assert!(text.contains("wharf exceptions resolve"), "{text}");
    assert!(text.contains("drop the corrected file"), "{text}");
    assert_eq!(store.exceptions(false).await.unwrap().len(), 1);
    assert!(manual_rows(&store, "ship-bad.csv").await.is_empty());
}

#[tokio::test]
async fn retry_of_handled_message_rejected() {
    let (_dir, store) = open_store().await;
    let message = handle_confirmation(&store, "WH/OUT/00012", HandledOutcome::Done, 1).await;
    let id = open_exception_id(&store, "WH/OUT/00012").await;

    let error = store
        .retry_exception(id, "bob", "x", None)
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(matches!(error, StoreError::NotRetryable { .. }), "{text}");
    assert!(text.contains(&message.id.to_string()), "{text}");
    assert!(text.contains("`handled`"), "{text}");
    let stored = store.message(message.id).await.unwrap().unwrap();
    assert_eq!(stored, message);
}

#[tokio::test]
async fn retry_of_resolved_exception_rejected() {
    let (_dir, store) = open_store().await;
    handle_confirmation(&store, "WH/OUT/00009", HandledOutcome::Exception, 1).await;
    let id = open_exception_id(&store, "WH/OUT/00009").await;
    store
        .retry_exception(id, "bob", "first", None)
        .await
        .unwrap();

    let error = store
        .retry_exception(id, "bob", "second", None)
        .await
        .unwrap_err();

    assert!(matches!(error, StoreError::ExceptionResolved(found) if found == id));
    assert_eq!(manual_rows(&store, "WH/OUT/00009").await.len(), 1);
}

/// Checks that the listed flag matches whether a retry is accepted, for
/// each state an exception's message can be in.
#[tokio::test]
async fn retryable_flag_matches_what_retry_accepts() {
    let (_dir, store) = open_store().await;
    handle_confirmation(&store, "WH/OUT/00001", HandledOutcome::Exception, 1).await;
    handle_confirmation(&store, "WH/OUT/00002", HandledOutcome::Done, 1).await;
    failed_delivery(&store, "WH/OUT/00003").await;
    raise_without_message(&store, "ship-bad.csv").await;

    let flag = |rows: &[wharf_store::ExceptionRow], correlation: &str| {
        rows.iter()
            .find(|row| row.correlation_id == correlation)
            .map(|row| row.retryable)
    };
    let open = store.exceptions(false).await.unwrap();
    assert_eq!(
        flag(&open, "WH/OUT/00001"),
        Some(true),
        "inbox message on an exception"
    );
    assert_eq!(
        flag(&open, "WH/OUT/00002"),
        Some(false),
        "inbox message handled"
    );
    assert_eq!(flag(&open, "WH/OUT/00003"), Some(true), "failed delivery");
    assert_eq!(flag(&open, "ship-bad.csv"), Some(false), "no message");
    for row in &open {
        let accepted = store
            .retry_exception(row.id, "bob", "check", None)
            .await
            .is_ok();
        assert_eq!(
            accepted, row.retryable,
            "exception {} ({})",
            row.id, row.correlation_id
        );
    }
    let id = open_exception_id(&store, "WH/OUT/00002").await;
    let record = store.exception(id).await.unwrap().unwrap();
    assert!(!record.exception.retryable);
    let all = store.exceptions(true).await.unwrap();
    assert_eq!(
        flag(&all, "WH/OUT/00001"),
        Some(false),
        "resolved by its retry"
    );
}

#[tokio::test]
async fn long_note_rejected() {
    let (_dir, store) = open_store().await;
    handle_confirmation(&store, "WH/OUT/00021", HandledOutcome::Exception, 1).await;
    let id = open_exception_id(&store, "WH/OUT/00021").await;
    let note = "x".repeat(2_001);

    let error = store.resolve_exception(id, "bob", &note).await.unwrap_err();

    assert!(
        matches!(error, StoreError::ActionFieldTooLong { length: 2_001, .. }),
        "{error}"
    );
    assert!(manual_rows(&store, "WH/OUT/00021").await.is_empty());
}

#[tokio::test]
async fn corrected_payload_of_other_type_rejected() {
    let (_dir, store) = open_store().await;
    let message = handle_confirmation(&store, "WH/OUT/00022", HandledOutcome::Exception, 1).await;
    let id = open_exception_id(&store, "WH/OUT/00022").await;

    let error = store
        .retry_exception(id, "bob", "typo", Some(serde_json::json!("not an object")))
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(matches!(error, StoreError::PayloadShape { .. }), "{text}");
    assert!(
        text.contains("a string") && text.contains("an object"),
        "{text}"
    );
    let stored = store.message(message.id).await.unwrap().unwrap();
    assert_eq!(stored, message);
    assert_eq!(store.exceptions(false).await.unwrap().len(), 1);
}
