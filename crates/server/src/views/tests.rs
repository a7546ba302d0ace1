//! Page tests: snapshots of small pages, the `data-count` keys against the
//! status report's keys, role-dependent forms, and escaping of stored text.

use std::collections::BTreeMap;

use jiff::Timestamp;
use maud::Markup;
use serde_json::json;
use wharf_model::{ExceptionKind, MessageId};
use wharf_store::{
    AgeBuckets, AuditRow, ConfirmationLag, Dashboard, ExceptionRecord, ExceptionRow, OrderTrace,
    QueueHealth, SinkHealth, SiteHealth, SiteQueues, Unshipped,
};

use super::*;
use crate::api::ExceptionFilter;

fn at(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn context(role: &str) -> PageContext {
    PageContext {
        user: "ana".to_owned(),
        role: role.to_owned(),
        site: None,
        csrf: "csrf-value".to_owned(),
        flash: None,
        now: at("2026-03-01T12:00:00Z"),
    }
}

fn exception_row(id: i64, detail: &str, created_at: &str) -> ExceptionRow {
    ExceptionRow {
        id,
        kind: ExceptionKind::UnknownSku,
        owner: "warehouse".to_owned(),
        site: "main".to_owned(),
        correlation_id: "WH/OUT/00042".to_owned(),
        message_id: Some(MessageId::new()),
        detail: detail.to_owned(),
        state: "open".to_owned(),
        created_at: at(created_at),
        retryable: true,
    }
}

/// Puts each tag of a page on its own line and leaves the stylesheet out,
/// so that a snapshot diff points at the element that changed.
fn readable(page: Markup) -> String {
    page.into_string()
        .replace(super::layout::STYLE, "/* stylesheet */")
        .replace("><", ">\n<")
}

/// Returns the text of the element whose `data-count` is `key`.
fn count_of(page: &str, key: &str) -> Option<String> {
    let marker = format!("data-count=\"{key}\">");
    let start = page.find(&marker)? + marker.len();
    let end = start + page[start..].find('<')?;
    Some(page[start..end].to_owned())
}

fn small_dashboard() -> Dashboard {
    let site_queues = SiteQueues {
        site: "main".to_owned(),
        inbox: BTreeMap::from([("picking_ready/handled".to_owned(), 4)]),
        outbox: BTreeMap::from([
            ("order_release/delivered".to_owned(), 3),
            ("shipment_apply/failed".to_owned(), 1),
        ]),
        retries: 2,
        sinks: vec![SinkHealth {
            sink: "odoo".to_owned(),
            messages: BTreeMap::from([("failed".to_owned(), 1)]),
            attempts: 3,
            dead_letters: 1,
        }],
    };
    let site = SiteHealth {
        site: "main".to_owned(),
        unshipped: Unshipped {
            count: 3,
            ages: AgeBuckets {
                under_1h: 2,
                over_24h: 1,
                ..AgeBuckets::default()
            },
            oldest_released_at: Some(at("2026-02-28T10:00:00Z")),
            oldest_age_secs: Some(26 * 3_600),
        },
        late_tracking_updates: 1,
        exceptions_by_owner: BTreeMap::from([(
            "warehouse".to_owned(),
            AgeBuckets {
                from_1h_to_4h: 1,
                ..AgeBuckets::default()
            },
        )]),
        open_exceptions: BTreeMap::from([("unknown_sku".to_owned(), 1)]),
        ..SiteHealth::default()
    };
    Dashboard {
        generated_at: at("2026-03-01T12:00:00Z"),
        sites: vec![site],
        open_exceptions: BTreeMap::from([("unknown_sku".to_owned(), 1)]),
        queues: QueueHealth::from_sites(vec![site_queues]),
    }
}

#[test]
fn sign_in_page_snapshot() {
    let page = sign_in(Some("This token is unknown or revoked."), "form-csrf");
    insta::assert_snapshot!(readable(page));
}

#[test]
fn exception_list_snapshot() {
    let rows = [
        exception_row(7, "SKU X-1 has no cross-reference", "2026-03-01T09:30:00Z"),
        exception_row(9, "SKU X-2 has no cross-reference", "2026-03-01T11:55:00Z"),
    ];
    let filter = ExceptionFilter {
        owner: Some("warehouse".to_owned()),
        ..ExceptionFilter::default()
    };
    let page = exceptions(&context("operator"), &rows, &filter);
    insta::assert_snapshot!(readable(page));
}

#[test]
fn business_page_snapshot() {
    let mut ctx = context("viewer");
    ctx.flash = Some("Exception 7 resolved.".to_owned());
    insta::assert_snapshot!(readable(business(&ctx, &small_dashboard())));
}

#[test]
fn business_counts_have_keys() {
    let page = business(&context("viewer"), &small_dashboard()).into_string();
    let expected = [
        ("open_exceptions.unknown_sku", "1"),
        ("site.main.unshipped", "3"),
        ("site.main.unshipped_by_age.under_1h", "2"),
        ("site.main.unshipped_by_age.over_24h", "1"),
        ("site.main.late_tracking_updates", "1"),
        ("site.main.exceptions.warehouse.1h_to_4h", "1"),
        ("site.main.exceptions.warehouse", "1"),
    ];
    for (key, value) in expected {
        assert_eq!(count_of(&page, key).as_deref(), Some(value), "{key}");
    }
    assert!(page.contains("No reconciliation yet."));
}

#[test]
fn business_lag_chart_drawn() {
    let mut dashboard = small_dashboard();
    let now = dashboard.generated_at;
    let samples = [
        (at("2026-03-01T11:30:00Z"), 1_800),
        (at("2026-03-01T11:40:00Z"), 5_400),
        (at("2026-03-01T02:10:00Z"), 600),
    ];
    dashboard.sites[0].confirmation_lag = ConfirmationLag::from_samples(now, &samples);

    let page = business(&context("viewer"), &dashboard).into_string();

    assert_eq!(
        count_of(&page, "site.main.confirmed_24h").as_deref(),
        Some("3")
    );
    assert!(page.contains("<strong>30 min / 1 h 30 min</strong>"));
    assert!(page.contains(r#"aria-labelledby="lag-main-title""#));
    assert!(page.contains("<title>p95 11:00: 1 h 30 min</title>"));
    assert_eq!(page.matches("<polyline").count(), 4, "two runs per line");
    assert!(page.contains("<summary>Hourly figures</summary>"));
}

#[test]
fn technical_counts_use_status_keys() {
    let dashboard = small_dashboard();
    let calls = [OdooCallStat {
        model: "stock.picking".to_owned(),
        method: "button_validate".to_owned(),
        calls: 12,
        errors: 1,
        p95_ms: Some(250),
    }];
    let connectors = [ConnectorStat {
        name: "folder:main".to_owned(),
        up: false,
        last_ok: None,
        last_error: Some((at("2026-03-01T11:00:00Z"), "folder missing".to_owned())),
    }];
    let page = technical(
        &context("viewer"),
        &dashboard,
        &calls,
        &connectors,
        None,
        None,
    )
    .into_string();

    for (key, count) in &dashboard.queues.inbox {
        assert_eq!(
            count_of(&page, &format!("inbox.{key}")),
            Some(count.to_string())
        );
    }
    for (key, count) in &dashboard.queues.outbox {
        assert_eq!(
            count_of(&page, &format!("outbox.{key}")),
            Some(count.to_string())
        );
    }
    assert_eq!(count_of(&page, "retries").as_deref(), Some("2"));
    assert_eq!(count_of(&page, "attempts").as_deref(), Some("3"));
    assert_eq!(count_of(&page, "dead_letters").as_deref(), Some("1"));
    assert_eq!(
        count_of(&page, "outbox_by_state.delivered").as_deref(),
        Some("3")
    );
    assert_eq!(count_of(&page, "sink.odoo.failed").as_deref(), Some("1"));
    assert!(page.contains("250 ms"));
    assert!(page.contains(r#"<span class="down">down</span>"#));
}

#[test]
fn viewer_gets_no_action_forms() {
    let rows = [exception_row(7, "SKU X-1", "2026-03-01T09:30:00Z")];
    let filter = ExceptionFilter::default();

    let viewer = exceptions(&context("viewer"), &rows, &filter).into_string();
    assert!(!viewer.contains("/exceptions/7/retry"));
    assert!(!viewer.contains("/exceptions/7/resolve"));

    let operator = exceptions(&context("operator"), &rows, &filter).into_string();
    assert!(operator.contains(r#"action="/exceptions/7/retry""#));
    assert!(operator.contains(r#"action="/exceptions/7/resolve""#));
    assert!(operator.contains(r#"name="csrf" value="csrf-value""#));
}

#[test]
fn stored_text_is_escaped() {
    let attack = "<script>alert(1)</script>";
    let mut row = exception_row(7, attack, "2026-03-01T09:30:00Z");
    row.correlation_id = format!("\"><b>{attack}");
    let record = ExceptionRecord {
        exception: row,
        resolved_at: None,
        note: Some(attack.to_owned()),
    };
    let history = [AuditRow {
        id: 1,
        stream: "WH/OUT/00042".to_owned(),
        action: "exception".to_owned(),
        message_id: None,
        detail: attack.to_owned(),
        at: at("2026-03-01T09:30:00Z"),
        hash: "00".repeat(32),
    }];
    let payload = json!({ "note": attack });
    let mut ctx = context("admin");
    ctx.user = attack.to_owned();
    ctx.flash = Some(attack.to_owned());

    let page = exception(&ctx, &record, &history, Some(&payload)).into_string();

    assert!(!page.contains("<script>"), "raw script tag in:\n{page}");
    assert!(!page.contains("<b>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("/trace?reference=%22%3E%3Cb%3E%3Cscript%3E"));
}

#[test]
fn empty_trace_says_so() {
    let trace_found = OrderTrace {
        reference: "S00099".to_owned(),
        pickings: vec![],
        rows: vec![],
        exceptions: vec![],
    };
    let page = trace(&context("viewer"), "S00099", Some(&trace_found)).into_string();
    assert!(page.contains("Nothing recorded for <code>S00099</code>."));
    let search = trace(&context("viewer"), "", None).into_string();
    assert!(search.contains(r#"<form method="get" action="/trace">"#));
}

#[test]
fn durations_read_naturally() {
    assert_eq!(format_duration(-4), "0 s");
    assert_eq!(format_duration(45), "45 s");
    assert_eq!(format_duration(12 * 60 + 5), "12 min");
    assert_eq!(format_duration(3 * 3_600 + 5 * 60), "3 h 05 min");
    assert_eq!(format_duration(2 * 86_400 + 4 * 3_600), "2 d 4 h");
}

#[test]
fn query_values_are_encoded() {
    assert_eq!(query_value("WH/OUT/00042"), "WH%2FOUT%2F00042");
    assert_eq!(query_value("a b&c"), "a%20b%26c");
}
