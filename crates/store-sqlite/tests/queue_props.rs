//! Property test: random sequences of ingest, claim and commit never lose a
//! message and never let two commits handle the same message.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use wharf_model::{CorrelationId, Envelope, EventKind, MessageId};
use wharf_store::{AuditEntry, Handled, HandledOutcome, Ingest, Store, StoreError, StoredInbox};
use wharf_store_sqlite::SqliteStore;

const KINDS: [EventKind; 1] = [EventKind::PickingReady];
const WORKERS: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    /// Ingest one message per key number; numbers repeat across and inside batches.
    Ingest(Vec<u8>),
    /// Claim with a lease that expires at once, so any later claim may take
    /// the messages over, or with a lease that outlives the test.
    Claim {
        worker: usize,
        limit: u32,
        expiring: bool,
    },
    /// Commit the worker's claim at this position (modulo its claims).
    Commit { worker: usize, position: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::collection::vec(0u8..24, 0..6).prop_map(Step::Ingest),
        (0..WORKERS, 1u32..5, any::<bool>()).prop_map(|(worker, limit, expiring)| Step::Claim {
            worker,
            limit,
            expiring
        }),
        (0..WORKERS, 0usize..8).prop_map(|(worker, position)| Step::Commit { worker, position }),
    ]
}

fn envelope(key_number: u8) -> Envelope {
    let correlation = format!("WH/OUT/{}", key_number % 5);
    Envelope {
        id: MessageId::new(),
        kind: EventKind::PickingReady,
        site: "main".to_owned(),
        correlation_id: CorrelationId(correlation),
        idempotency_key: format!("picking:{key_number}"),
        source: "odoo".to_owned(),
        payload: json!({ "picking_id": key_number }),
    }
}

fn done(claim: &StoredInbox) -> Handled {
    Handled {
        message_id: claim.envelope.id,
        owner: claim.owner.clone(),
        attempt: claim.attempt,
        outcome: HandledOutcome::Done,
        outbox: Vec::new(),
        exceptions: Vec::new(),
        pickings: Vec::new(),
        audit: vec![AuditEntry {
            stream: claim.envelope.correlation_id.0.clone(),
            action: "transformed".to_owned(),
            message_id: Some(claim.envelope.id),
            detail: format!("attempt {}", claim.attempt),
        }],
        resolved: vec![],
    }
}

/// What the store must hold, tracked beside it.
#[derive(Default)]
struct Model {
    /// Message id stored for each idempotency key.
    stored: HashMap<String, MessageId>,
    submitted: usize,
    /// Latest claim of each message: owner and attempt.
    latest_claim: HashMap<MessageId, (String, u32)>,
    handled: HashSet<MessageId>,
    open_claims: Vec<Vec<StoredInbox>>,
}

async fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let folder = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&folder.path().join("wharf.db"))
        .await
        .unwrap();
    let mut model = Model {
        open_claims: vec![Vec::new(); WORKERS],
        ..Model::default()
    };

    for step in steps {
        match step {
            Step::Ingest(numbers) => {
                let messages: Vec<Envelope> = numbers.into_iter().map(envelope).collect();
                model.submitted += messages.len();
                let ingest = Ingest {
                    source: "odoo:main".to_owned(),
                    cursor: None,
                    messages: messages.clone(),
                };
                let outcome = store.ingest(ingest).await.unwrap();

                let mut expected_inserted = Vec::new();
                let mut expected_duplicates = Vec::new();
                for message in &messages {
                    match model.stored.get(&message.idempotency_key) {
                        Some(original) => expected_duplicates.push((message.id, *original)),
                        None => {
                            model
                                .stored
                                .insert(message.idempotency_key.clone(), message.id);
                            expected_inserted.push(message.id);
                        }
                    }
                }
                prop_assert_eq!(outcome.inserted, expected_inserted);
                prop_assert_eq!(outcome.duplicates, expected_duplicates);
            }
            Step::Claim {
                worker,
                limit,
                expiring,
            } => {
                let lease = if expiring {
                    Duration::ZERO
                } else {
                    Duration::from_secs(600)
                };
                let owner = format!("worker-{worker}");
                let claimed = store
                    .claim_inbox(&KINDS, limit, &owner, lease)
                    .await
                    .unwrap();
                for claim in &claimed {
                    let id = claim.envelope.id;
                    prop_assert!(
                        !model.handled.contains(&id),
                        "claimed handled message {}",
                        id
                    );
                    let previous = model
                        .latest_claim
                        .get(&id)
                        .map_or(0, |(_, attempt)| *attempt);
                    prop_assert_eq!(claim.attempt, previous + 1);
                    model
                        .latest_claim
                        .insert(id, (owner.clone(), claim.attempt));
                }
                model.open_claims[worker].extend(claimed);
            }
            Step::Commit { worker, position } => {
                if !model.open_claims[worker].is_empty() {
                    let index = position % model.open_claims[worker].len();
                    commit(&store, &mut model, worker, index).await?;
                }
            }
        }
    }

    // Every worker commits what it still holds, then a drain claims what is
    // left: every stored message ends handled exactly once.
    for worker in 0..WORKERS {
        while !model.open_claims[worker].is_empty() {
            commit(&store, &mut model, worker, 0).await?;
        }
    }
    loop {
        let claimed = store
            .claim_inbox(&KINDS, 50, "drain", Duration::from_secs(600))
            .await
            .unwrap();
        if claimed.is_empty() {
            break;
        }
        for claim in claimed {
            prop_assert!(
                model.handled.insert(claim.envelope.id),
                "{} handled twice",
                claim.envelope.id
            );
            store.commit_handled(done(&claim)).await.unwrap();
        }
    }

    let stored: HashSet<MessageId> = model.stored.values().copied().collect();
    prop_assert_eq!(&model.handled, &stored);
    let status = store.status().await.unwrap();
    let handled_count = status
        .inbox
        .get("picking_ready/handled")
        .copied()
        .unwrap_or(0);
    prop_assert_eq!(handled_count, u64::try_from(stored.len()).unwrap());
    prop_assert_eq!(status.inbox.len(), usize::from(!stored.is_empty()));
    let duplicates = u64::try_from(model.submitted - stored.len()).unwrap();
    prop_assert_eq!(status.duplicates, duplicates);
    store.verify_audit_chain().await.unwrap();
    Ok(())
}

/// Commits a worker's claim and checks that the store accepts it exactly
/// when it is the message's latest claim and the message is not handled yet.
async fn commit(
    store: &SqliteStore,
    model: &mut Model,
    worker: usize,
    index: usize,
) -> Result<(), TestCaseError> {
    let claim = model.open_claims[worker].remove(index);
    let id = claim.envelope.id;
    let current = model.latest_claim.get(&id) == Some(&(claim.owner.clone(), claim.attempt));
    let may_commit = current && !model.handled.contains(&id);

    match store.commit_handled(done(&claim)).await {
        Ok(()) => {
            prop_assert!(may_commit, "stale commit of {} accepted", id);
            model.handled.insert(id);
        }
        Err(StoreError::LeaseLost { .. }) => {
            prop_assert!(!may_commit, "current commit of {} rejected", id);
        }
        Err(error) => return Err(TestCaseError::fail(format!("commit failed: {error}"))),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_message_lost_or_handled_twice(steps in prop::collection::vec(step(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(steps))?;
    }
}
