//! The figures of an acceptance report, read from the store for one period.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

/// Messages of one queue in the period, by how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Outcomes {
    /// Handled (inbox) or delivered (outbox) without a person.
    pub succeeded: u64,
    /// Stopped on an exception (inbox) or failed (outbox).
    pub failed: u64,
    /// Not finished yet: pending, claimed or in flight.
    pub in_progress: u64,
}

/// How long one flow's delivered messages took, from the moment Wharf
/// received what caused them (or created them) to their delivery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: u64,
    pub p95_ms: u64,
    pub max_ms: u64,
}

/// Everything an acceptance report compares with its targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AcceptanceFigures {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Inbox messages received in the period; duplicates refused by
    /// idempotency key are not counted.
    pub inbox: Outcomes,
    /// Outbox messages created in the period.
    pub outbox: Outcomes,
    /// Latency per outbox message kind, for messages delivered in the period.
    pub latency: BTreeMap<String, Latency>,
    /// Reconciliation runs finished in the period.
    pub reconciliations: u64,
    /// Keys those runs compared.
    pub compared: u64,
    /// Keys that did not match.
    pub variances: u64,
    /// `manual_retry` and `manual_resolve` audit rows in the period.
    pub manual_interventions: u64,
}

/// Median, 95th percentile and maximum of durations in milliseconds.
pub fn latency_of(mut durations_ms: Vec<u64>) -> Latency {
    if durations_ms.is_empty() {
        return Latency::default();
    }
    durations_ms.sort_unstable();
    let rank = |share: usize| {
        // Nearest-rank percentile: the smallest value with at least
        // `share` percent of the values at or below it.
        let n = durations_ms.len();
        let index = (n * share).div_ceil(100).max(1) - 1;
        durations_ms[index.min(n - 1)]
    };
    Latency {
        count: u64::try_from(durations_ms.len()).unwrap_or(u64::MAX),
        p50_ms: rank(50),
        p95_ms: rank(95),
        max_ms: durations_ms[durations_ms.len() - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let latency = latency_of((1..=100).rev().collect());
        assert_eq!(
            (latency.p50_ms, latency.p95_ms, latency.max_ms),
            (50, 95, 100)
        );
        assert_eq!(latency.count, 100);
        let one = latency_of(vec![7]);
        assert_eq!((one.p50_ms, one.p95_ms, one.max_ms), (7, 7, 7));
        assert_eq!(latency_of(vec![]), Latency::default());
    }
}
