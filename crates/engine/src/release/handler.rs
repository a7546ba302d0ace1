//! Turns ready pickings into lifecycle rows, exceptions and order files.

use base64::Engine as _;
use wharf_model::{
    CorrelationId, Envelope, EventKind, ExceptionKind, MessageId, OrderRelease, PickingState,
    ReleasedBatch,
};
use wharf_store::{
    AuditEntry, Handled, HandledOutcome, NewException, NewOutbox, PickingUpdate, ResolvedException,
    StoredInbox,
};

use super::rules::{due_after_horizon, hold_reason};
use super::OrderFile;
use crate::config::ReleaseMode;
use crate::site::Site;
use crate::worker::HandlerError;

/// Handles one `picking_ready` message.
pub fn handle_picking(message: &StoredInbox, site: &Site) -> Result<Handled, HandlerError> {
    let order: OrderRelease = serde_json::from_value(message.envelope.payload.clone())
        .map_err(|error| HandlerError::payload(&message.envelope, &error))?;
    let mut handled = crate::worker::nothing_done(message);
    let stream = order.picking_name.clone();

    if let Some(reason) = hold_reason(&order, &site.rules) {
        let detail = reason.describe(&order);
        handled.outcome = HandledOutcome::Exception;
        handled.exceptions.push(NewException {
            kind: ExceptionKind::HeldOrder,
            owner: site
                .rules
                .owners
                .owner_of(ExceptionKind::HeldOrder)
                .to_owned(),
            site: site.code().to_owned(),
            correlation_id: stream.clone(),
            message_id: Some(message.envelope.id),
            detail: detail.clone(),
        });
        handled
            .pickings
            .push(lifecycle(&order, site, PickingState::Held));
        handled
            .audit
            .push(audit(&stream, "held", message.envelope.id, detail));
        return Ok(handled);
    }

    if let Some(scheduled) = due_after_horizon(&order, &site.rules, jiff::Timestamp::now()) {
        // Not a problem for anyone: the picking waits for its time, and the
        // re-read of held pickings releases it then.
        handled
            .pickings
            .push(lifecycle(&order, site, PickingState::Held));
        handled.audit.push(audit(
            &stream,
            "waiting",
            message.envelope.id,
            format!(
                "picking {} is scheduled for {scheduled}, after the site's release horizon; it is released when due",
                order.picking_name
            ),
        ));
        return Ok(handled);
    }

    handled
        .pickings
        .push(lifecycle(&order, site, PickingState::Released));
    handled.resolved.push(end_of_hold(&order));
    if site.rules.release_mode == ReleaseMode::PerPicking {
        let file_name = format!("{}.csv", file_stem(&order.picking_name));
        let outbox = order_file(site, &file_name, std::slice::from_ref(&order), &stream)?;
        handled.audit.push(audit(
            &stream,
            "transformed",
            message.envelope.id,
            format!("order file {file_name} queued for site {}", site.code()),
        ));
        handled.outbox.push(outbox);
    } else {
        handled.audit.push(audit(
            &stream,
            "transformed",
            message.envelope.id,
            format!("released into the next batch file of site {}", site.code()),
        ));
    }
    Ok(handled)
}

/// Resolves the `held_order` exception of a picking that is released now;
/// a picking never held has none, and nothing changes.
fn end_of_hold(order: &OrderRelease) -> ResolvedException {
    ResolvedException {
        correlation_id: order.picking_name.clone(),
        kind: ExceptionKind::HeldOrder,
        note: "released: the cause of the hold was fixed in Odoo".to_owned(),
    }
}

/// Handles one `picking_batch_ready` message: one file with every picking
/// of the poll that passes the release rules. The rules are pure, so this
/// agrees with the per-picking messages of the same poll.
pub fn handle_batch(message: &StoredInbox, site: &Site) -> Result<Handled, HandlerError> {
    let batch: ReleasedBatch = serde_json::from_value(message.envelope.payload.clone())
        .map_err(|error| HandlerError::payload(&message.envelope, &error))?;
    let released: Vec<OrderRelease> = batch
        .orders
        .into_iter()
        .filter(|order| hold_reason(order, &site.rules).is_none())
        .filter(|order| due_after_horizon(order, &site.rules, jiff::Timestamp::now()).is_none())
        .collect();

    let mut handled = crate::worker::nothing_done(message);
    if released.is_empty() {
        return Ok(handled);
    }

    let file_name = format!(
        "BATCH_{}_{}.csv",
        file_stem(site.code()),
        file_stem(&batch.batch_id)
    );
    let stream = format!("batch:{}", batch.batch_id);
    handled
        .outbox
        .push(order_file(site, &file_name, &released, &stream)?);
    for order in &released {
        handled.audit.push(audit(
            &order.picking_name,
            "transformed",
            message.envelope.id,
            format!("order file {file_name} queued for site {}", site.code()),
        ));
    }
    Ok(handled)
}

fn order_file(
    site: &Site,
    file_name: &str,
    orders: &[OrderRelease],
    correlation: &str,
) -> Result<NewOutbox, HandlerError> {
    let bytes = wharf_formats::encode_orders(&site.order_layout, orders).map_err(|error| {
        HandlerError::Render {
            file_name: file_name.to_owned(),
            message: error.to_string(),
        }
    })?;
    let payload = OrderFile {
        file_name: file_name.to_owned(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        picking_ids: orders.iter().map(|order| order.picking_id).collect(),
    };
    Ok(NewOutbox {
        envelope: Envelope {
            id: MessageId::new(),
            kind: EventKind::OrderRelease,
            site: site.code().to_owned(),
            correlation_id: CorrelationId(correlation.to_owned()),
            idempotency_key: format!("file:{}:{file_name}", site.code()),
            source: "engine".to_owned(),
            payload: serde_json::to_value(payload).expect("order file payload serialises"),
        },
        sink: crate::folder_sink(site.code()),
    })
}

fn lifecycle(order: &OrderRelease, site: &Site, state: PickingState) -> PickingUpdate {
    PickingUpdate {
        picking_id: order.picking_id,
        picking_name: order.picking_name.clone(),
        site: site.code().to_owned(),
        state,
        release: Some(serde_json::to_value(order).expect("order release serialises")),
        backorder: None,
        tracking: None,
    }
}

pub(crate) fn audit(
    stream: &str,
    action: &str,
    message_id: MessageId,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        stream: stream.to_owned(),
        action: action.to_owned(),
        message_id: Some(message_id),
        detail,
    }
}

/// Turns a picking name such as `WH/OUT/00042` into a file name stem
/// `WH_OUT_00042`: every character outside `[A-Za-z0-9-]` becomes `_`.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stem_replaces_separators() {
        assert_eq!(file_stem("WH/OUT/00042"), "WH_OUT_00042");
        assert_eq!(file_stem("EAST/OUT/7 b"), "EAST_OUT_7_b");
    }
}
