//! The technical page: queue depths, delivery attempts and dead letters
//! from the store, Odoo call latency and errors from the process's metrics,
//! and each connector's availability.
//!
//! Counts carry `data-count` keys. The inbox and outbox counts use the keys
//! of `wharf status --json` (`inbox.KIND/STATE`, `outbox.KIND/STATE` and
//! `retries`). Totals by state are `inbox_by_state.STATE` and
//! `outbox_by_state.STATE`, and sink figures start with `sink.NAME.`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use maud::{html, Markup};
use wharf_store::{Dashboard, QueueHealth};

use super::{format_time, layout, PageContext};

/// Calls of one Odoo model and method since the hub started.
#[derive(Debug, Clone, PartialEq)]
pub struct OdooCallStat {
    pub model: String,
    pub method: String,
    pub calls: u64,
    /// Calls that did not succeed.
    pub errors: u64,
    /// 95th percentile duration in milliseconds, as the upper bound of the
    /// histogram bucket that contains it. `None` without timed calls, or
    /// when it is beyond the largest finite bucket.
    pub p95_ms: Option<u64>,
}

/// Availability of one connector (a source or sink endpoint).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorStat {
    pub name: String,
    /// True when its last contact succeeded.
    pub up: bool,
    pub last_ok: Option<Timestamp>,
    /// Time and message of its last failure.
    pub last_error: Option<(Timestamp, String)>,
}

impl From<&crate::metrics_text::CallStats> for OdooCallStat {
    fn from(stats: &crate::metrics_text::CallStats) -> OdooCallStat {
        OdooCallStat {
            model: stats.model.clone(),
            method: stats.method.clone(),
            calls: stats.calls,
            errors: stats.errors,
            p95_ms: stats.p95_seconds.and_then(seconds_to_ms),
        }
    }
}

impl From<&crate::ConnectorStatus> for ConnectorStat {
    fn from(status: &crate::ConnectorStatus) -> ConnectorStat {
        ConnectorStat {
            name: status.name.clone(),
            up: status.is_up(),
            last_ok: status.last_ok,
            last_error: status.last_error.clone(),
        }
    }
}

/// Converts a histogram bound in seconds to whole milliseconds. The `+Inf`
/// bucket has no bound and gives `None`.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a finite, non-negative bound of a few seconds, rounded to whole milliseconds"
)]
fn seconds_to_ms(seconds: f64) -> Option<u64> {
    (seconds.is_finite() && seconds >= 0.0).then(|| (seconds * 1_000.0).round() as u64)
}

/// Renders the technical page.
pub fn technical(
    ctx: &PageContext,
    dashboard: &Dashboard,
    odoo: &[OdooCallStat],
    connectors: &[ConnectorStat],
    rights: Option<&[crate::AccountRights]>,
    status: Option<&wharf_store::StatusReport>,
) -> Markup {
    let queues = &dashboard.queues;
    let body = html! {
        h1 { "Technical health" }
        p { "Figures as of " (format_time(dashboard.generated_at)) "." }
        section {
            h2 { "Delivery" }
            div.figures {
                div.figure { "Delivery attempts" strong data-count="attempts" { (queues.attempts) } }
                div.figure { "Retries" strong data-count="retries" { (queues.retries) } }
                div.figure { "Dead letters" strong data-count="dead_letters" { (queues.dead_letters) } }
            }
            (sinks(queues))
        }
        section {
            h2 { "Queue depth" }
            (by_state("Inbox", "inbox_by_state", &queues.inbox))
            (by_state("Outbox", "outbox_by_state", &queues.outbox))
            (site_queues(queues))
            details {
                summary { "By kind and state" }
                (kind_table("inbox", &queues.inbox))
                (kind_table("outbox", &queues.outbox))
            }
        }
        @if let Some(status) = status { (pickings(status)) }
        (odoo_calls(odoo))
        (connector_table(connectors))
        (super::rights::account_rights(rights))
    };
    layout(ctx, "Technical", body)
}

/// Pickings by lifecycle state and the copies refused as duplicates, over
/// every site.
fn pickings(status: &wharf_store::StatusReport) -> Markup {
    html! {
        section {
            h2 { "Pickings and duplicates, all sites" }
            div.figures {
                div.figure { "Duplicates ignored" strong data-count="duplicates" { (status.duplicates) } }
            }
            @if status.pickings.is_empty() {
                p { "No picking released yet." }
            } @else {
                table {
                    tr { th { "Lifecycle state" } th.n { "Pickings" } }
                    @for (state, count) in &status.pickings {
                        tr { td { (state) } td.n data-count=(format!("pickings.{state}")) { (count) } }
                    }
                }
            }
        }
    }
}

/// Adds `kind/state` counts up by state.
fn state_totals(counts: &BTreeMap<String, u64>) -> BTreeMap<&str, u64> {
    let mut totals = BTreeMap::new();
    for (key, count) in counts {
        let state = key
            .rsplit_once('/')
            .map_or(key.as_str(), |(_, state)| state);
        *totals.entry(state).or_default() += count;
    }
    totals
}

fn by_state(title: &str, prefix: &str, counts: &BTreeMap<String, u64>) -> Markup {
    let totals = state_totals(counts);
    html! {
        h3 { (title) }
        @if totals.is_empty() {
            p { "Empty." }
        } @else {
            table {
                tr { @for state in totals.keys() { th.n { (state) } } }
                tr {
                    @for (state, count) in &totals {
                        td.n data-count=(format!("{prefix}.{state}")) { (count) }
                    }
                }
            }
        }
    }
}

fn kind_table(queue: &str, counts: &BTreeMap<String, u64>) -> Markup {
    html! {
        table {
            tr { th { (queue) " kind/state" } th.n { "Messages" } }
            @for (key, count) in counts {
                tr { td { (key) } td.n data-count=(format!("{queue}.{key}")) { (count) } }
            }
        }
    }
}

fn site_queues(queues: &QueueHealth) -> Markup {
    html! {
        @if queues.sites.len() > 1 {
            table {
                tr { th { "Site" } th.n { "Inbox pending" } th.n { "Outbox pending" } th.n { "Outbox failed" } th.n { "Retries" } }
                @for site in &queues.sites {
                    @let inbox = state_totals(&site.inbox);
                    @let outbox = state_totals(&site.outbox);
                    tr {
                        td { (site.site) }
                        td.n { (inbox.get("pending").copied().unwrap_or(0)) }
                        td.n { (outbox.get("pending").copied().unwrap_or(0)) }
                        td.n { (outbox.get("failed").copied().unwrap_or(0)) }
                        td.n { (site.retries) }
                    }
                }
            }
        }
    }
}

fn sinks(queues: &QueueHealth) -> Markup {
    const STATES: [&str; 4] = ["pending", "in_flight", "delivered", "failed"];
    html! {
        @if !queues.sinks.is_empty() {
            table {
                tr {
                    th { "Sink" }
                    @for state in STATES { th.n { (state) } }
                    th.n { "Attempts" }
                }
                @for sink in &queues.sinks {
                    tr {
                        td { (sink.sink) }
                        @for state in STATES {
                            td.n data-count=(format!("sink.{}.{state}", sink.sink)) {
                                (sink.messages.get(state).copied().unwrap_or(0))
                            }
                        }
                        td.n data-count=(format!("sink.{}.attempts", sink.sink)) { (sink.attempts) }
                    }
                }
            }
        }
    }
}

fn odoo_calls(calls: &[OdooCallStat]) -> Markup {
    html! {
        section {
            h2 { "Odoo calls since the hub started" }
            @if calls.is_empty() {
                p { "No Odoo call yet." }
            } @else {
                table {
                    tr { th { "Model" } th { "Method" } th.n { "Calls" } th.n { "Errors" } th.n { "p95" } }
                    @for call in calls {
                        tr {
                            td { (call.model) }
                            td { (call.method) }
                            td.n { (call.calls) }
                            td.n { (call.errors) }
                            td.n { @if let Some(ms) = call.p95_ms { (ms) " ms" } @else { "–" } }
                        }
                    }
                }
            }
        }
    }
}

fn connector_table(connectors: &[ConnectorStat]) -> Markup {
    html! {
        section {
            h2 { "Connectors" }
            @if connectors.is_empty() {
                p { "No connector has reported yet." }
            } @else {
                table {
                    tr { th { "Connector" } th { "State" } th { "Last success" } th { "Last error" } }
                    @for connector in connectors {
                        tr {
                            td { (connector.name) }
                            td {
                                @if connector.up { span.up { "up" } } @else { span.down { "down" } }
                            }
                            td { @if let Some(at) = connector.last_ok { (format_time(at)) } @else { "never" } }
                            td {
                                @if let Some((at, error)) = &connector.last_error {
                                    (format_time(*at)) ": " (error)
                                } @else { "none" }
                            }
                        }
                    }
                }
            }
        }
    }
}
