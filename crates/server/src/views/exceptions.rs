//! The exception queue and one exception's page, with the retry and resolve
//! forms for roles that may act (operator and admin).
//!
//! Both actions post a `note` (who acts comes from the session) and the
//! `csrf` value; a retry may also post a corrected `payload` as JSON.

use maud::{html, Markup};
use wharf_model::ExceptionKind;
use wharf_store::{AuditRow, ExceptionRecord, ExceptionRow};

use super::{age_secs, format_duration, format_time, layout, query_value, PageContext};
use crate::api::ExceptionFilter;

/// Renders the exception list with its filter form; `rows` are already
/// filtered.
pub fn exceptions(ctx: &PageContext, rows: &[ExceptionRow], filter: &ExceptionFilter) -> Markup {
    let body = html! {
        h1 { "Exceptions" }
        (filter_form(filter))
        p { span data-count="exceptions_listed" { (rows.len()) } " listed"
            @if !filter.all { ", open only" } "." }
        @if !rows.is_empty() {
            table {
                tr {
                    th.n { "Id" } th { "Kind" } th { "Owner" } th { "Site" } th { "Reference" }
                    th { "Detail" } th.n { "Age" } th { "State" }
                    @if ctx.may_act() { th { "Actions" } }
                }
                @for row in rows {
                    tr {
                        td.n { a href=(format!("/exceptions/{}", row.id)) { (row.id) } }
                        td { (row.kind.as_str()) }
                        td { (row.owner) }
                        td { (row.site) }
                        td { (trace_link(&row.correlation_id)) }
                        td { (row.detail) }
                        @let age = age_secs(ctx.now, row.created_at);
                        td.n data-secs=(age) { (format_duration(age)) }
                        td { (row.state) }
                        @if ctx.may_act() {
                            td {
                                @if row.state == "open" {
                                    @if row.retryable { (action_form(ctx, row.id, "retry", "Retry", true)) }
                                    (action_form(ctx, row.id, "resolve", "Resolve", true))
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(ctx, "Exceptions", body)
}

fn trace_link(reference: &str) -> Markup {
    html! { a href=(format!("/trace?reference={}", query_value(reference))) { (reference) } }
}

fn filter_form(filter: &ExceptionFilter) -> Markup {
    let value = |field: &Option<String>| field.clone().unwrap_or_default();
    let kind = value(&filter.kind);
    html! {
        form method="get" action="/exceptions" {
            label { "Owner " input type="text" name="owner" value=(value(&filter.owner)) size="16"; }
            " "
            label { "Kind "
                select name="kind" {
                    option value="" { "any" }
                    @for option in ExceptionKind::ALL {
                        option value=(option.as_str()) selected[kind == option.as_str()] { (option.as_str()) }
                    }
                }
            }
            " "
            label { "Site " input type="text" name="site" value=(value(&filter.site)) size="10"; }
            " "
            label { input type="checkbox" name="all" value="true" checked[filter.all]; " resolved too" }
            " "
            button type="submit" { "Filter" }
        }
    }
}

/// Renders a one-line form that posts a note to `/exceptions/{id}/{action}`.
fn action_form(ctx: &PageContext, id: i64, action: &str, label: &str, enabled: bool) -> Markup {
    html! {
        form.inline method="post" action=(format!("/exceptions/{id}/{action}")) {
            input type="hidden" name="csrf" value=(ctx.csrf);
            input type="text" name="note" required placeholder="note (why)" size="14" aria-label=(format!("{label} note"));
            button type="submit" disabled[!enabled] { (label) }
        }
    }
}

/// Renders one exception: its fields, its message's payload, the audit
/// history of its reference, and for roles that may act, the retry form
/// with a corrected-payload field and the resolve form.
pub fn exception(
    ctx: &PageContext,
    record: &ExceptionRecord,
    history: &[AuditRow],
    payload: Option<&serde_json::Value>,
) -> Markup {
    let row = &record.exception;
    let pretty = payload
        .map(|value| serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
    let age = age_secs(ctx.now, row.created_at);
    let body = html! {
        h1 { "Exception " (row.id) ": " (row.kind.as_str()) }
        section {
            table {
                tr { th { "State" } td { (row.state) } }
                tr { th { "Owner" } td { (row.owner) } }
                tr { th { "Site" } td { (row.site) } }
                tr { th { "Reference" } td { (trace_link(&row.correlation_id)) } }
                tr { th { "Raised" } td { (format_time(row.created_at)) ", " span data-secs=(age) { (format_duration(age)) } " ago" } }
                tr { th { "Detail" } td { (row.detail) } }
                @if let Some(message_id) = row.message_id { tr { th { "Message" } td { code { (message_id) } } } }
                @if let Some(at) = record.resolved_at { tr { th { "Resolved" } td { (format_time(at)) } } }
                @if let Some(note) = &record.note { tr { th { "Note" } td { (note) } } }
            }
        }
        @if let Some(pretty) = &pretty {
            section { h2 { "Payload" } pre { (pretty) } }
        }
        @if ctx.may_act() && row.state == "open" {
            (action_section(ctx, row))
        }
        section {
            h2 { "History of " (row.correlation_id) }
            (history_table(history))
        }
    };
    layout(ctx, &format!("Exception {}", row.id), body)
}

fn action_section(ctx: &PageContext, row: &ExceptionRow) -> Markup {
    let id = row.id;
    html! {
        section {
            h2 { "Retry" }
            @if row.retryable {
                form method="post" action=(format!("/exceptions/{id}/retry")) {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    p {
                        label for="payload" { "Corrected payload, as JSON (leave empty to retry the message unchanged)" }
                        textarea #payload name="payload" spellcheck="false" {}
                    }
                    p { label { "Note " input type="text" name="note" required size="40"; } }
                    p { button type="submit" { "Retry" } }
                }
            } @else if row.message_id.is_some() {
                p { "Its message ran to the end and stopped nowhere a retry could resume: act on the cause, then resolve it." }
            } @else {
                p { "This exception carries no message, so there is nothing to retry: fix the cause and resolve it." }
            }
            h2 { "Resolve" }
            form method="post" action=(format!("/exceptions/{id}/resolve")) {
                input type="hidden" name="csrf" value=(ctx.csrf);
                p { label { "Note " input type="text" name="note" required size="40"; } }
                p { button type="submit" { "Resolve" } }
            }
        }
    }
}

/// Audit rows, oldest first, as the exception and trace pages show them.
pub(super) fn history_table(rows: &[AuditRow]) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "No audit rows." }
        } @else {
            table {
                tr { th { "Time" } th { "Stream" } th { "Action" } th { "Detail" } th { "Message" } }
                @for row in rows {
                    tr {
                        td { (format_time(row.at)) }
                        td { (row.stream) }
                        td { (row.action) }
                        td { (row.detail) }
                        td { @if let Some(id) = row.message_id { code { (id) } } }
                    }
                }
            }
        }
    }
}
