//! The order trace page: a search by picking, sale order or purchase order
//! name, and everything the hub recorded for it.

use maud::{html, Markup};
use wharf_store::OrderTrace;

use super::exceptions::history_table;
use super::{format_time, layout, PageContext};

/// Renders the trace page: the search form, and for a searched `reference`
/// its pickings, audit rows and exceptions. `trace` is `None` before a search.
pub fn trace(ctx: &PageContext, reference: &str, trace: Option<&OrderTrace>) -> Markup {
    let body = html! {
        h1 { "Order trace" }
        form method="get" action="/trace" {
            label {
                "Picking, sale order or purchase order "
                input type="search" name="reference" value=(reference) required size="24" placeholder="WH/OUT/00042 or S00042";
            }
            " "
            button type="submit" { "Trace" }
        }
        @if let Some(trace) = trace {
            @if trace.is_empty() {
                p { "Nothing recorded for " code { (trace.reference) } "." }
            } @else {
                (found(trace))
            }
        }
    };
    layout(ctx, "Trace", body)
}

fn found(trace: &OrderTrace) -> Markup {
    html! {
        @if !trace.pickings.is_empty() {
            section {
                h2 { "Pickings" }
                table {
                    tr { th { "Picking" } th { "Site" } th { "State" } th { "Tracking" } th { "Backorder" } th { "Last change" } }
                    @for picking in &trace.pickings {
                        tr {
                            td { (picking.picking_name) }
                            td { (picking.site) }
                            td { (picking.state.as_str()) }
                            td { (picking.tracking.as_deref().unwrap_or("")) }
                            td { (picking.backorder.as_deref().unwrap_or("")) }
                            td { (format_time(picking.updated_at)) }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Audit trail" }
            p { span data-count="trace_rows" { (trace.rows.len()) } " rows, oldest first." }
            (history_table(&trace.rows))
        }
        section {
            h2 { "Exceptions" }
            @if trace.exceptions.is_empty() {
                p { "None." }
            } @else {
                table {
                    tr { th.n { "Id" } th { "Kind" } th { "Owner" } th { "State" } th { "Raised" } th { "Detail" } }
                    @for row in &trace.exceptions {
                        tr {
                            td.n { a href=(format!("/exceptions/{}", row.id)) { (row.id) } }
                            td { (row.kind.as_str()) }
                            td { (row.owner) }
                            td { (row.state) }
                            td { (format_time(row.created_at)) }
                            td { (row.detail) }
                        }
                    }
                }
            }
        }
    }
}
