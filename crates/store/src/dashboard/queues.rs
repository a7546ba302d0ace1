//! Queue figures: depths by kind and state, delivery attempts, retries and
//! dead letters, per site and per sink.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Queue depths, delivery attempts and dead letters, of every site
/// together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueHealth {
    /// Inbox messages by `kind/state`, the same keys and counts as
    /// [`crate::StatusReport::inbox`].
    pub inbox: BTreeMap<String, u64>,
    /// Outbox messages by `kind/state`, the same keys and counts as
    /// [`crate::StatusReport::outbox`].
    pub outbox: BTreeMap<String, u64>,
    /// The same figures for each site, sorted by site code.
    pub sites: Vec<SiteQueues>,
    /// Delivery attempts started: the sum of [`SinkHealth::attempts`].
    pub attempts: u64,
    /// Recorded attempts that ended in a retry, the same count as
    /// [`crate::StatusReport::retries`].
    pub retries: u64,
    /// Outbox messages in state `failed`: delivery stopped on an exception.
    pub dead_letters: u64,
    /// Delivery figures of each sink, sorted by sink name.
    pub sinks: Vec<SinkHealth>,
}

/// Queue figures of one site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteQueues {
    pub site: String,
    /// Inbox messages by `kind/state`.
    pub inbox: BTreeMap<String, u64>,
    /// Outbox messages by `kind/state`.
    pub outbox: BTreeMap<String, u64>,
    /// Recorded delivery attempts of the site's messages that ended in a retry.
    pub retries: u64,
    /// Delivery figures of the site's messages by sink, sorted by sink name.
    pub sinks: Vec<SinkHealth>,
}

/// Delivery figures of one sink, for example `odoo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SinkHealth {
    pub sink: String,
    /// Outbox messages of the sink by state.
    pub messages: BTreeMap<String, u64>,
    /// Claims of the sink's stored messages: every delivery attempt started,
    /// including one whose worker died before it recorded an outcome.
    pub attempts: u64,
    /// Messages in state `failed`.
    pub dead_letters: u64,
}

impl QueueHealth {
    /// Adds up the figures of `sites`, which keeps them as
    /// [`QueueHealth::sites`].
    pub fn from_sites(sites: Vec<SiteQueues>) -> QueueHealth {
        let mut health = QueueHealth::default();
        let mut sinks: BTreeMap<String, SinkHealth> = BTreeMap::new();
        for site in &sites {
            add_counts(&mut health.inbox, &site.inbox);
            add_counts(&mut health.outbox, &site.outbox);
            health.retries += site.retries;
            for sink in &site.sinks {
                let total = sinks
                    .entry(sink.sink.clone())
                    .or_insert_with(|| SinkHealth {
                        sink: sink.sink.clone(),
                        ..SinkHealth::default()
                    });
                add_counts(&mut total.messages, &sink.messages);
                total.attempts += sink.attempts;
                total.dead_letters += sink.dead_letters;
            }
        }
        health.sinks = sinks.into_values().collect();
        health.attempts = health.sinks.iter().map(|sink| sink.attempts).sum();
        health.dead_letters = health.sinks.iter().map(|sink| sink.dead_letters).sum();
        health.sites = sites;
        health
    }
}

pub(super) fn add_counts(total: &mut BTreeMap<String, u64>, counts: &BTreeMap<String, u64>) {
    for (key, count) in counts {
        *total.entry(key.clone()).or_default() += count;
    }
}
