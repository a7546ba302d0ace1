//! The engine's metrics: their names, and the helpers that update them.
//!
//! Metrics go through the `metrics` facade, so they cost nothing until the
//! binary installs a recorder (the hub installs a Prometheus one). Names and
//! labels:
//!
//! - `wharf_messages_total{stage,kind,outcome}`: messages by stage.
//!   `ingested` counts `new` and `duplicate` (idempotency key already
//!   stored); `handled` counts `handled`, `exception` and `duplicate`;
//!   `delivered` counts `delivered`, `retry` and `failed`.
//! - `wharf_delivery_attempts_total{sink,outcome}` and
//!   `wharf_delivery_duration_seconds{sink}`: each delivery attempt.
//! - `wharf_queue_depth{queue,state}`, `wharf_exceptions_open{owner,kind}`
//!   and `wharf_exception_oldest_age_seconds{owner}`: gauges that
//!   [`GaugeSampler`] reads from the store.
//! - `wharf_connector_up{connector}` and
//!   `wharf_connector_last_contact_seconds{connector}`: set by
//!   [`crate::health::Contacts`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use wharf_model::MessageId;
use wharf_store::{Ingest, IngestOutcome, Store, StoreError};

/// Counter of messages by `stage`, `kind` and `outcome`.
pub const MESSAGES: &str = "wharf_messages_total";
/// Counter of delivery attempts by `sink` and `outcome`.
pub const DELIVERY_ATTEMPTS: &str = "wharf_delivery_attempts_total";
/// Histogram of delivery durations in seconds by `sink`.
pub const DELIVERY_DURATION: &str = "wharf_delivery_duration_seconds";
/// Gauge of stored messages by `queue` (`inbox`, `outbox`) and `state`.
pub const QUEUE_DEPTH: &str = "wharf_queue_depth";
/// Gauge of open exceptions by `owner` and `kind`.
pub const EXCEPTIONS_OPEN: &str = "wharf_exceptions_open";
/// Gauge of the age in seconds of each owner's oldest open exception.
pub const EXCEPTION_OLDEST_AGE: &str = "wharf_exception_oldest_age_seconds";
/// Gauge of each connector's state: 1 after a success, 0 after a transient
/// failure.
pub const CONNECTOR_UP: &str = "wharf_connector_up";
/// Gauge of each connector's last successful contact, in Unix seconds.
pub const CONNECTOR_LAST_CONTACT: &str = "wharf_connector_last_contact_seconds";

/// Interval at which [`crate::Engine::run`] samples the store's gauges.
pub const SAMPLE_INTERVAL: Duration = Duration::from_secs(15);

/// Registers the help text of every engine metric with the installed
/// recorder. Call it once after installing the recorder.
pub fn describe() {
    metrics::describe_counter!(
        MESSAGES,
        "Messages by stage (ingested, handled, delivered), event kind and outcome"
    );
    metrics::describe_counter!(
        DELIVERY_ATTEMPTS,
        "Delivery attempts by sink and outcome (delivered, retry, failed)"
    );
    metrics::describe_histogram!(
        DELIVERY_DURATION,
        metrics::Unit::Seconds,
        "Time from the start of a sink pass to the recorded outcome of each delivery"
    );
    metrics::describe_gauge!(
        QUEUE_DEPTH,
        "Stored messages by queue (inbox, outbox) and state"
    );
    metrics::describe_gauge!(
        EXCEPTIONS_OPEN,
        "Open exceptions by owner team and exception kind"
    );
    metrics::describe_gauge!(
        EXCEPTION_OLDEST_AGE,
        metrics::Unit::Seconds,
        "Age of each owner's oldest open exception"
    );
    metrics::describe_gauge!(
        CONNECTOR_UP,
        "1 when the connector's last call succeeded, 0 when it failed on a transient error"
    );
    metrics::describe_gauge!(
        CONNECTOR_LAST_CONTACT,
        metrics::Unit::Seconds,
        "Unix time of the connector's last successful call"
    );
}

/// Ingests through `store` and counts each message as `new` or `duplicate`
/// under stage `ingested`.
pub(crate) async fn ingest(store: &dyn Store, ingest: Ingest) -> Result<IngestOutcome, StoreError> {
    let kinds: HashMap<MessageId, String> = ingest
        .messages
        .iter()
        .map(|envelope| (envelope.id, envelope.kind.to_string()))
        .collect();
    let outcome = store.ingest(ingest).await?;

    let kind_of = |id: &MessageId| kinds.get(id).cloned().unwrap_or_default();
    for id in &outcome.inserted {
        message("ingested", kind_of(id), "new");
    }
    for (id, _) in &outcome.duplicates {
        message("ingested", kind_of(id), "duplicate");
    }
    Ok(outcome)
}

/// Counts one message of `kind` at `stage` with `outcome`.
pub(crate) fn message(stage: &'static str, kind: String, outcome: &'static str) {
    metrics::counter!(MESSAGES, "stage" => stage, "kind" => kind, "outcome" => outcome)
        .increment(1);
}

/// Counts one recorded delivery attempt of a message of `kind` on `sink`,
/// with `outcome` `delivered`, `retry` or `failed`, and the time it took
/// since `started_at`.
pub(crate) fn delivery(sink: &str, kind: String, outcome: &'static str, started_at: Timestamp) {
    message("delivered", kind, outcome);
    metrics::counter!(DELIVERY_ATTEMPTS, "sink" => sink.to_owned(), "outcome" => outcome)
        .increment(1);
    let seconds = Timestamp::now()
        .duration_since(started_at)
        .as_secs_f64()
        .max(0.0);
    metrics::histogram!(DELIVERY_DURATION, "sink" => sink.to_owned()).record(seconds);
}

/// A gauge's name and its label pairs.
type Series = (&'static str, Vec<(&'static str, String)>);

/// Sets the store's gauges from one read of the store. Label sets seen in an
/// earlier sample and gone from this one are set to zero, so a drained queue
/// or a cleared owner shows 0 instead of its last value.
#[derive(Debug, Default)]
pub struct GaugeSampler {
    seen: Mutex<BTreeSet<Series>>,
}

impl GaugeSampler {
    /// Reads the queue counts and the open exceptions and sets
    /// [`QUEUE_DEPTH`], [`EXCEPTIONS_OPEN`] and [`EXCEPTION_OLDEST_AGE`].
    pub async fn sample(&self, store: &dyn Store) -> Result<(), StoreError> {
        let status = store.status().await?;
        let exceptions = store.exceptions(false).await?;
        let now = Timestamp::now();

        let mut values: BTreeMap<Series, f64> = BTreeMap::new();
        for (queue, counts) in [("inbox", &status.inbox), ("outbox", &status.outbox)] {
            for (kind_state, count) in counts {
                let state = kind_state.rsplit('/').next().unwrap_or(kind_state);
                let key = (QUEUE_DEPTH, labels([("queue", queue), ("state", state)]));
                // Queue counts stay far below 2^53, so an f64 represents them exactly.
                *values.entry(key).or_default() += *count as f64;
            }
        }
        for exception in exceptions.iter().filter(|row| row.state == "open") {
            let kind = exception.kind.to_string();
            let owner = exception.owner.as_str();
            let key = (EXCEPTIONS_OPEN, labels([("owner", owner), ("kind", &kind)]));
            *values.entry(key).or_default() += 1.0;

            let age = now
                .duration_since(exception.created_at)
                .as_secs_f64()
                .max(0.0);
            let oldest = values
                .entry((EXCEPTION_OLDEST_AGE, labels([("owner", owner)])))
                .or_default();
            *oldest = oldest.max(age);
        }

        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        for gone in seen.iter().filter(|key| !values.contains_key(*key)) {
            set_gauge(gone, 0.0);
        }
        for (key, value) in &values {
            set_gauge(key, *value);
        }
        seen.extend(values.into_keys());
        Ok(())
    }
}

fn labels<const N: usize>(pairs: [(&'static str, &str); N]) -> Vec<(&'static str, String)> {
    pairs
        .into_iter()
        .map(|(key, value)| (key, value.to_owned()))
        .collect()
}

fn set_gauge((name, labels): &Series, value: f64) {
    let labels: Vec<metrics::Label> = labels
        .iter()
        .map(|(key, value)| metrics::Label::new(*key, value.clone()))
        .collect();
    metrics::gauge!(*name, labels).set(value);
}
