//! The engine's part of the configuration: per-site business rules and the
//! timing of the flows. Transport, layout and Odoo settings belong to their
//! own crates; the binary puts them together.

use serde::{Deserialize, Serialize};

use crate::owners::Owners;

/// Grouping of order files sent to the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseMode {
    /// One order file per picking.
    #[default]
    PerPicking,
    /// One file per poll, holding every picking released by that poll.
    BatchPerPoll,
}

/// Treatment of the rest of a picking after a short shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortShipmentRule {
    /// Odoo creates a backorder for the quantities not shipped.
    #[default]
    Backorder,
    /// Odoo closes the picking and cancels the rest.
    Cancel,
}

/// Business rules of one site.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteRules {
    /// Site code used in ids, file names and logs, for example `main`.
    pub code: String,
    /// Odoo warehouse codes routed to this site, for example `["WH"]`.
    pub warehouses: Vec<String>,
    /// IANA time zone of the site, for example `Europe/Berlin`.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    #[serde(default)]
    pub release_mode: ReleaseMode,
    #[serde(default)]
    pub short_shipment: ShortShipmentRule,
    /// Customer tags (on the customer or its company) that hold an order.
    #[serde(default = "default_credit_hold_tags")]
    pub credit_hold_tags: Vec<String>,
    /// Create a lot in Odoo when the warehouse ships a lot name Odoo lacks.
    #[serde(default = "default_true")]
    pub create_unknown_lots: bool,
    /// Validate shipments of expired lots (the goods already left).
    #[serde(default)]
    pub ship_expired_lots: bool,
    /// A confirmation without lines means the whole picking shipped as released.
    #[serde(default = "default_true")]
    pub order_level_means_full: bool,
    /// Release only pickings scheduled within this many hours from now;
    /// later ones wait, without an exception, and are re-read with the
    /// held pickings. Every ready picking is released when absent.
    #[serde(default)]
    pub release_horizon_hours: Option<u64>,
    /// Interval, in minutes, at which order files go to the warehouse, all
    /// waiting ones at once, for a warehouse that plans in waves. When
    /// absent, each file goes out as soon as it is ready.
    #[serde(default)]
    pub release_every_minutes: Option<u64>,
    /// Owner teams of the exceptions the site's handlers raise. Not a site
    /// key: the binary copies the top-level `[owners]` table here.
    #[serde(skip)]
    pub owners: Owners,
}

/// Timing and limits of the flows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSettings {
    /// Interval between polls of Odoo for ready pickings, in milliseconds.
    #[serde(default = "default_poll_ms")]
    pub odoo_poll_interval_ms: u64,
    /// Interval between scans of the warehouse folders, in milliseconds.
    #[serde(default = "default_scan_ms")]
    pub folder_scan_interval_ms: u64,
    /// Pickings validated in one Odoo call.
    #[serde(default = "default_batch")]
    pub odoo_batch_size: u32,
    /// Delivery attempts before a transient failure becomes an exception.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// First retry delay, in milliseconds; doubles each attempt, with jitter.
    #[serde(default = "default_backoff_initial")]
    pub backoff_initial_ms: u64,
    /// Largest retry delay, in milliseconds.
    #[serde(default = "default_backoff_max")]
    pub backoff_max_ms: u64,
    /// Overlap re-read on every Odoo poll, in seconds, so that pickings
    /// written in the same second as the cursor are not missed.
    #[serde(default = "default_overlap")]
    pub poll_overlap_secs: u64,
    /// How long a claimed message stays with the hub that claimed it, in
    /// seconds. After a crash its messages wait this long before another
    /// pass takes them; it must exceed the longest delivery step.
    #[serde(default = "default_lease")]
    pub lease_secs: u64,
    /// Interval between re-reads of held pickings in Odoo, in milliseconds;
    /// a held picking whose cause was fixed is released at the next one.
    #[serde(default = "default_held_recheck")]
    pub held_recheck_interval_ms: u64,
    /// Interval between reads of Odoo for cancels and changed lines of
    /// released pickings, and for receipts to announce, in milliseconds. A
    /// read costs about three Odoo calls per 200 released pickings, plus
    /// three to seven per page of receipts.
    #[serde(default = "default_lifecycle_poll")]
    pub lifecycle_poll_interval_ms: u64,
    /// Owner teams of the exceptions the sinks and the worker raise. Not an
    /// `[engine]` key: the binary copies the top-level `[owners]` table here
    /// and into every site's [`SiteRules::owners`].
    #[serde(skip)]
    pub owners: Owners,
}

impl EngineSettings {
    /// Returns the claim lease as a duration.
    pub fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lease_secs.max(1))
    }
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            odoo_poll_interval_ms: default_poll_ms(),
            folder_scan_interval_ms: default_scan_ms(),
            odoo_batch_size: default_batch(),
            max_attempts: default_attempts(),
            backoff_initial_ms: default_backoff_initial(),
            backoff_max_ms: default_backoff_max(),
            poll_overlap_secs: default_overlap(),
            lease_secs: default_lease(),
            held_recheck_interval_ms: default_held_recheck(),
            lifecycle_poll_interval_ms: default_lifecycle_poll(),
            owners: Owners::default(),
        }
    }
}

fn default_time_zone() -> String {
    "UTC".to_owned()
}

fn default_credit_hold_tags() -> Vec<String> {
    vec!["Credit Hold".to_owned()]
}

fn default_true() -> bool {
    true
}

fn default_poll_ms() -> u64 {
    2_000
}

fn default_scan_ms() -> u64 {
    500
}

fn default_batch() -> u32 {
    50
}

fn default_attempts() -> u32 {
    8
}

fn default_backoff_initial() -> u64 {
    500
}

fn default_backoff_max() -> u64 {
    60_000
}

fn default_overlap() -> u64 {
    2
}

fn default_lease() -> u64 {
    60
}

fn default_held_recheck() -> u64 {
    60_000
}

fn default_lifecycle_poll() -> u64 {
    15_000
}
