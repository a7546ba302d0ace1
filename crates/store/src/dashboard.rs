//! The dashboard's figures, as [`crate::Store::dashboard`] returns them: the
//! business health of each site and the state of the queues.
//!
//! Ages and lags are whole seconds. Age buckets are half-open ranges of the
//! age: under 1 h, 1 h up to 4 h, 4 h up to 24 h, and 24 h or more. A
//! negative age (a row stamped after `now`, from clock skew) counts as under
//! 1 h.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ReconciliationSummary;

mod lag;
mod queues;

pub use lag::{percentile, ConfirmationLag, LagHour};
pub use queues::{QueueHealth, SinkHealth, SiteQueues};

use queues::add_counts;

/// Upper bounds of the first three age buckets, in seconds.
pub const AGE_BUCKET_BOUNDS_SECS: [i64; 3] = [3_600, 4 * 3_600, 24 * 3_600];

/// Age after which an undelivered tracking update counts as late, in seconds.
pub const TRACKING_LATE_AFTER_SECS: i64 = 15 * 60;

/// Length of the window of the confirmation lag figures, in hours.
pub const LAG_WINDOW_HOURS: u8 = 24;

/// Everything the business and technical dashboard pages show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The `now` the ages and the lag window were computed against.
    pub generated_at: Timestamp,
    /// Business figures of each site that has unshipped pickings, messages,
    /// open exceptions or a reconciliation, sorted by site code.
    pub sites: Vec<SiteHealth>,
    /// Open exceptions by kind, the same counts as
    /// [`crate::StatusReport::open_exceptions`]: the sum of the sites'.
    pub open_exceptions: BTreeMap<String, u64>,
    pub queues: QueueHealth,
}

/// Counts of items by age bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBuckets {
    pub under_1h: u64,
    pub from_1h_to_4h: u64,
    pub from_4h_to_24h: u64,
    pub over_24h: u64,
}

impl AgeBuckets {
    /// Bucket names in age order, as the pages and their `data-count`
    /// keys use them.
    pub const NAMES: [&'static str; 4] = ["under_1h", "1h_to_4h", "4h_to_24h", "over_24h"];

    /// Adds one item of `age_secs` seconds to its bucket.
    pub fn add(&mut self, age_secs: i64) {
        let [one_hour, four_hours, one_day] = AGE_BUCKET_BOUNDS_SECS;
        let bucket = if age_secs < one_hour {
            &mut self.under_1h
        } else if age_secs < four_hours {
            &mut self.from_1h_to_4h
        } else if age_secs < one_day {
            &mut self.from_4h_to_24h
        } else {
            &mut self.over_24h
        };
        *bucket += 1;
    }

    /// Returns the counts in the order of [`AgeBuckets::NAMES`].
    pub fn counts(&self) -> [u64; 4] {
        [
            self.under_1h,
            self.from_1h_to_4h,
            self.from_4h_to_24h,
            self.over_24h,
        ]
    }

    /// Returns the number of items in every bucket.
    pub fn total(&self) -> u64 {
        self.counts().iter().sum()
    }
}

/// Business figures of one site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteHealth {
    pub site: String,
    pub unshipped: Unshipped,
    pub confirmation_lag: ConfirmationLag,
    /// Tracking updates for Odoo still undelivered (pending, in flight or
    /// failed) more than [`TRACKING_LATE_AFTER_SECS`] after they were queued.
    pub late_tracking_updates: u64,
    /// The site's latest stock reconciliation, if it has one.
    pub reconciliation: Option<ReconciliationSummary>,
    /// Open exceptions of the site by owner team, by age.
    pub exceptions_by_owner: BTreeMap<String, AgeBuckets>,
    /// Open exceptions of the site by kind.
    pub open_exceptions: BTreeMap<String, u64>,
}

/// Pickings released to the warehouse and not shipped yet: every state from
/// `released` up to `confirmed` (a confirmation whose Odoo write is still
/// queued) and `exception`, but not held, cancelled or cancel-requested ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Unshipped {
    pub count: u64,
    /// Ages since release.
    pub ages: AgeBuckets,
    /// Release time of the oldest one.
    pub oldest_released_at: Option<Timestamp>,
    /// Age of the oldest one, in seconds.
    pub oldest_age_secs: Option<i64>,
}

impl Dashboard {
    /// Keeps only the figures of `site`, for a caller limited to one site;
    /// `None` keeps everything. Totals are added up again from that site's
    /// figures.
    pub fn for_site(mut self, site: Option<&str>) -> Dashboard {
        let Some(site) = site else {
            return self;
        };
        self.sites.retain(|health| health.site == site);
        self.open_exceptions = BTreeMap::new();
        for health in &self.sites {
            add_counts(&mut self.open_exceptions, &health.open_exceptions);
        }
        let mut queues = std::mem::take(&mut self.queues.sites);
        queues.retain(|queues| queues.site == site);
        self.queues = QueueHealth::from_sites(queues);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bucket_bounds() {
        let mut buckets = AgeBuckets::default();
        for age in [-5, 0, 3_599, 3_600, 14_399, 14_400, 86_399, 86_400, 900_000] {
            buckets.add(age);
        }
        assert_eq!(buckets.counts(), [3, 2, 2, 2]);
        assert_eq!(buckets.total(), 9);
    }

    #[test]
    fn for_site_keeps_one_site() {
        let queues = |site: &str, pending: u64| SiteQueues {
            site: site.to_owned(),
            inbox: BTreeMap::from([("picking_ready/handled".to_owned(), 1)]),
            outbox: BTreeMap::from([("order_release/pending".to_owned(), pending)]),
            retries: pending,
            sinks: vec![SinkHealth {
                sink: "odoo".to_owned(),
                messages: BTreeMap::from([("pending".to_owned(), pending)]),
                attempts: 2 * pending,
                dead_letters: 1,
            }],
        };
        let health = |site: &str| SiteHealth {
            site: site.to_owned(),
            open_exceptions: BTreeMap::from([("held_order".to_owned(), 1)]),
            ..SiteHealth::default()
        };
        let all = Dashboard {
            generated_at: Timestamp::UNIX_EPOCH,
            sites: vec![health("main"), health("north")],
            open_exceptions: BTreeMap::from([("held_order".to_owned(), 2)]),
            queues: QueueHealth::from_sites(vec![queues("main", 3), queues("north", 5)]),
        };
        assert_eq!(all.queues.outbox["order_release/pending"], 8);
        assert_eq!(all.queues.attempts, 16);
        assert_eq!(all.queues.dead_letters, 2);
        assert_eq!(all.clone().for_site(None), all);

        let north = all.for_site(Some("north"));
        assert_eq!(north.sites.len(), 1);
        assert_eq!(north.open_exceptions["held_order"], 1);
        assert_eq!(north.queues.outbox["order_release/pending"], 5);
        assert_eq!(north.queues.retries, 5);
        assert_eq!(north.queues.attempts, 10);
        assert_eq!(north.queues.sinks[0].messages["pending"], 5);
        assert_eq!(north.queues.sites.len(), 1);
    }
}
