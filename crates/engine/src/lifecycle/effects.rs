//! Building blocks the lifecycle handlers share: exceptions, outbox
//! messages for Odoo and for the site's lifecycle folder queue, and
//! lifecycle rows.

use base64::Engine as _;
use serde::Serialize;
use wharf_model::{CorrelationId, Envelope, EventKind, ExceptionKind, MessageId, PickingState};
use wharf_store::{Handled, NewException, NewOutbox, PickingRecord, PickingUpdate};

use super::lifecycle_sink;
use crate::release::handler::audit;
use crate::release::OrderFile;
use crate::site::Site;

/// Adds an exception and its audit row to `handled`.
pub(crate) fn raise(
    handled: &mut Handled,
    site: &Site,
    kind: ExceptionKind,
    correlation: &str,
    detail: String,
) {
    handled.exceptions.push(NewException {
        kind,
        owner: site.rules.owners.owner_of(kind).to_owned(),
        site: site.code().to_owned(),
        correlation_id: correlation.to_owned(),
        message_id: Some(handled.message_id),
        detail: detail.clone(),
    });
    handled
        .audit
        .push(audit(correlation, "exception", handled.message_id, detail));
}

/// Adds an audit row to `handled`.
pub(crate) fn note(handled: &mut Handled, correlation: &str, action: &str, detail: String) {
    let id = handled.message_id;
    handled.audit.push(audit(correlation, action, id, detail));
}

/// Builds an outbox message for the Odoo sink.
pub(crate) fn to_odoo(
    site: &Site,
    kind: EventKind,
    correlation: &str,
    payload: &impl Serialize,
) -> NewOutbox {
    let payload = serde_json::to_value(payload).expect("lifecycle payload serialises");
    outbox(
        site,
        kind,
        correlation,
        payload,
        crate::ODOO_SINK.to_owned(),
    )
}

/// Builds an outbox message that writes one file into the site's folder
/// through the lifecycle queue.
pub(crate) fn to_folder(
    site: &Site,
    kind: EventKind,
    correlation: &str,
    file_name: String,
    bytes: &[u8],
    picking_id: i64,
) -> NewOutbox {
    let file = OrderFile {
        file_name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        picking_ids: vec![picking_id],
    };
    let payload = serde_json::to_value(file).expect("file payload serialises");
    outbox(
        site,
        kind,
        correlation,
        payload,
        lifecycle_sink(site.code()),
    )
}

fn outbox(
    site: &Site,
    kind: EventKind,
    correlation: &str,
    payload: serde_json::Value,
    sink: String,
) -> NewOutbox {
    let id = MessageId::new();
    NewOutbox {
        envelope: Envelope {
            id,
            kind,
            site: site.code().to_owned(),
            correlation_id: CorrelationId(correlation.to_owned()),
            idempotency_key: format!("{kind}:{id}"),
            source: "engine".to_owned(),
            payload,
        },
        sink,
    }
}

/// Builds the lifecycle row of `record` moved to `state`, keeping its release.
pub(crate) fn moved(record: &PickingRecord, state: PickingState) -> PickingUpdate {
    PickingUpdate {
        picking_id: record.picking_id,
        picking_name: record.picking_name.clone(),
        site: record.site.clone(),
        state,
        release: None,
        backorder: None,
        tracking: None,
    }
}
