//! The business page: per site, the pickings released and not shipped, the
//! shipment confirmation lag, late tracking updates, the inventory variance
//! of the last reconciliation, and open exceptions by owner and age.
//!
//! Counts carry `data-count` keys. Keys of figures that `wharf status --json`
//! also reports use its names (`open_exceptions.KIND`); per-site figures
//! start with `site.CODE.`.

use maud::{html, Markup};
use wharf_store::{AgeBuckets, ConfirmationLag, Dashboard, ReconciliationSummary, SiteHealth};

use super::charts::{duration_lines, stacked_bars, Bar, Series};
use super::{format_duration, format_time, layout, query_value, PageContext};

/// Age bucket headings, in the order of [`AgeBuckets::NAMES`].
pub(super) const AGE_HEADINGS: [&str; 4] = ["< 1 h", "1–4 h", "4–24 h", "≥ 24 h"];

/// Renders the business page.
pub fn business(ctx: &PageContext, dashboard: &Dashboard) -> Markup {
    let body = html! {
        h1 { "Business health" }
        p { "Figures as of " (format_time(dashboard.generated_at)) "." }
        (open_exceptions(dashboard))
        @if dashboard.sites.is_empty() {
            section { p { "No site has sent or received anything yet." } }
        }
        @for site in &dashboard.sites {
            (site_section(site))
        }
    };
    layout(ctx, "Business", body)
}

fn open_exceptions(dashboard: &Dashboard) -> Markup {
    let total: u64 = dashboard.open_exceptions.values().sum();
    html! {
        section {
            h2 { "Open exceptions by kind" }
            @if dashboard.open_exceptions.is_empty() {
                p { "None open." }
            } @else {
                table {
                    tr { th { "Kind" } th.n { "Open" } }
                    @for (kind, count) in &dashboard.open_exceptions {
                        tr {
                            td { a href=(format!("/exceptions?kind={}", query_value(kind))) { (kind) } }
                            td.n data-count=(format!("open_exceptions.{kind}")) { (count) }
                        }
                    }
                    tr { th { "Total" } th.n data-count="open_exceptions_total" { (total) } }
                }
            }
        }
    }
}

fn site_section(site: &SiteHealth) -> Markup {
    let key = |name: &str| format!("site.{}.{name}", site.site);
    let unshipped = &site.unshipped;
    html! {
        section {
            h2 { "Site " (site.site) }
            div.figures {
                div.figure {
                    "Released, not shipped"
                    strong data-count=(key("unshipped")) { (unshipped.count) }
                    @if let Some(age) = unshipped.oldest_age_secs {
                        "oldest " span data-secs=(age) { (format_duration(age)) }
                    }
                }
                div.figure {
                    "Confirmation lag p50 / p95 (24 h)"
                    strong { (lag_text(site.confirmation_lag.p50_secs)) " / " (lag_text(site.confirmation_lag.p95_secs)) }
                    span data-count=(key("confirmed_24h")) { (site.confirmation_lag.confirmed) } " shipments"
                }
                div.figure {
                    "Tracking updates late (> 15 min)"
                    strong data-count=(key("late_tracking_updates")) { (site.late_tracking_updates) }
                }
            }
            h3 { "Released, not shipped, by age since release" }
            (bucket_table(&[("Pickings".to_owned(), key("unshipped_by_age"), unshipped.ages)]))
            (lag_chart(&site.site, &site.confirmation_lag))
            h3 { "Inventory variance, last reconciliation" }
            (reconciliation(&key("reconciliation"), site.reconciliation.as_ref()))
            h3 { "Open exceptions by owner and age" }
            (owner_exceptions(site))
        }
    }
}

fn lag_text(secs: Option<i64>) -> String {
    secs.map_or_else(|| "–".to_owned(), format_duration)
}

/// Renders a table of age buckets with one row per `(label, key, buckets)`.
/// Each count is keyed `KEY.BUCKET`, and the row total `KEY`.
fn bucket_table(rows: &[(String, String, AgeBuckets)]) -> Markup {
    html! {
        table {
            tr {
                th { "" }
                @for heading in AGE_HEADINGS { th.n { (heading) } }
                th.n { "Total" }
            }
            @for (label, key, buckets) in rows {
                tr {
                    th { (label) }
                    @for (name, count) in AgeBuckets::NAMES.iter().zip(buckets.counts()) {
                        td.n data-count=(format!("{key}.{name}")) { (count) }
                    }
                    td.n data-count=(key) { (buckets.total()) }
                }
            }
        }
    }
}

fn lag_chart(site: &str, lag: &ConfirmationLag) -> Markup {
    let labels: Vec<String> = lag
        .hourly
        .iter()
        .map(|hour| hour.starts_at.strftime("%H:%M").to_string())
        .collect();
    let series = [
        Series {
            name: "p50".to_owned(),
            values: lag.hourly.iter().map(|hour| hour.p50_secs).collect(),
        },
        Series {
            name: "p95".to_owned(),
            values: lag.hourly.iter().map(|hour| hour.p95_secs).collect(),
        },
    ];
    let title = format!("Shipment confirmation lag per hour, site {site}, last 24 h (UTC)");
    html! {
        h3 { "Shipment confirmation lag, release to validation in Odoo" }
        @if lag.confirmed == 0 {
            p { "No shipment validated in the last 24 hours." }
        } @else {
            (duration_lines(&format!("lag-{site}"), &title, &labels, &series, 4))
            details {
                summary { "Hourly figures" }
                table {
                    tr { th { "Hour (UTC)" } th.n { "Shipments" } th.n { "p50" } th.n { "p95" } }
                    @for (hour, label) in lag.hourly.iter().zip(&labels) {
                        tr {
                            td { (label) }
                            td.n { (hour.confirmed) }
                            td.n { (lag_text(hour.p50_secs)) }
                            td.n { (lag_text(hour.p95_secs)) }
                        }
                    }
                }
            }
        }
    }
}

fn reconciliation(prefix: &str, summary: Option<&ReconciliationSummary>) -> Markup {
    let Some(summary) = summary else {
        return html! { p { "No reconciliation yet." } };
    };
    html! {
        p {
            "Snapshot " code { (summary.snapshot_ref) } " taken " (format_time(summary.taken_at))
            ", compared " (format_time(summary.finished_at))
            @if !summary.apply { " (report only)" } "."
        }
        table {
            tr { th { "Keys compared" } td.n data-count=(format!("{prefix}.compared")) { (summary.compared) } }
            @for (kind, count) in &summary.counts {
                tr { th { "Rows " (kind) } td.n data-count=(format!("{prefix}.counts.{kind}")) { (count) } }
            }
            tr { th { "Adjustments queued" } td.n data-count=(format!("{prefix}.applied")) { (summary.applied) } }
            tr { th { "Exceptions raised" } td.n data-count=(format!("{prefix}.exceptions")) { (summary.exceptions) } }
            tr { th { "Inventory exceptions open now" } td.n data-count=(format!("{prefix}.open_exceptions")) { (summary.open_exceptions) } }
        }
    }
}

fn owner_exceptions(site: &SiteHealth) -> Markup {
    if site.exceptions_by_owner.is_empty() {
        return html! { p { "None open." } };
    }
    let bars: Vec<Bar> = site
        .exceptions_by_owner
        .iter()
        .map(|(owner, ages)| Bar {
            label: owner.clone(),
            values: ages.counts().to_vec(),
        })
        .collect();
    let rows: Vec<(String, String, AgeBuckets)> = site
        .exceptions_by_owner
        .iter()
        .map(|(owner, ages)| {
            let key = format!("site.{}.exceptions.{owner}", site.site);
            (owner.clone(), key, *ages)
        })
        .collect();
    let title = format!("Open exceptions of site {} by owner and age", site.site);
    html! {
        (stacked_bars(&format!("exceptions-{}", site.site), &title, &AGE_HEADINGS, &bars))
        (bucket_table(&rows))
    }
}
