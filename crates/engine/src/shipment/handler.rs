//! Turns one confirmation file into shipments to apply, tracking updates,
//! duplicates and exceptions.

use std::collections::HashMap;

use wharf_model::{
    CorrelationId, Envelope, EventKind, ExceptionKind, MessageId, PickingState,
    ShipmentConfirmation,
};
use wharf_store::{
    Handled, HandledOutcome, NewException, NewOutbox, PickingRecord, PickingUpdate, StoredInbox,
};

use super::decide::{decide, Decision};
use crate::release::handler::audit;
use crate::site::Site;

/// Handles one `shipment_confirmed` message.
///
/// `decoded` is the file decoded with the site's layout (or the decoding
/// error); `records` contains the lifecycle rows of the pickings it names, as
/// read before the call. Confirmations of the same picking inside one file
/// are decided in file order against the state the earlier ones produced.
pub fn handle_file(
    message: &StoredInbox,
    site: &Site,
    file_name: &str,
    decoded: Result<Vec<ShipmentConfirmation>, String>,
    mut records: HashMap<String, PickingRecord>,
) -> Handled {
    let id = message.envelope.id;
    let mut handled = crate::worker::nothing_done(message);

    let confirmations = match decoded {
        Ok(confirmations) if confirmations.is_empty() => {
            let detail = format!(
                "confirmation file {file_name} holds no confirmation record; check the file and the layout's record filter"
            );
            return file_exception(handled, site, file_name, detail);
        }
        Ok(confirmations) => confirmations,
        Err(error) => {
            let detail = format!("confirmation file {file_name} could not be decoded: {error}");
            return file_exception(handled, site, file_name, detail);
        }
    };

    let (mut applied, mut duplicates, mut failed) = (0, 0, 0);
    for confirmation in &confirmations {
        let reference = confirmation.picking_ref.as_str();
        match decide(confirmation, records.get(reference), &site.rules) {
            Decision::Apply(plan) => {
                applied += 1;
                let update = PickingUpdate {
                    picking_id: plan.picking_id,
                    picking_name: plan.picking_name.clone(),
                    site: site.code().to_owned(),
                    state: PickingState::Confirmed,
                    release: None,
                    backorder: None,
                    tracking: Some(plan.tracking.join(",")),
                };
                remember(&mut records, &update);
                handled.audit.push(audit(
                    reference,
                    "transformed",
                    id,
                    format!(
                        "confirmation from {file_name} accepted{}",
                        if plan.short { " (short)" } else { "" }
                    ),
                ));
                handled.outbox.push(outbox(
                    site,
                    EventKind::ShipmentApply,
                    reference,
                    serde_json::to_value(&plan),
                ));
                handled.pickings.push(update);
            }
            Decision::AddTracking(update) => {
                applied += 1;
                let tracking = update.tracking.join(",");
                handled.audit.push(audit(
                    reference,
                    "transformed",
                    id,
                    format!("tracking {tracking} to add, from {file_name}"),
                ));
                handled.outbox.push(outbox(
                    site,
                    EventKind::TrackingUpdate,
                    reference,
                    serde_json::to_value(&update),
                ));
                if let Some(record) = records.get_mut(reference) {
                    record.tracking = Some(tracking.clone());
                    handled.pickings.push(PickingUpdate {
                        picking_id: record.picking_id,
                        picking_name: record.picking_name.clone(),
                        site: record.site.clone(),
                        state: record.state,
                        release: None,
                        backorder: None,
                        tracking: Some(tracking),
                    });
                }
            }
            Decision::Duplicate(reason) => {
                duplicates += 1;
                handled
                    .audit
                    .push(audit(reference, "duplicate", id, reason));
            }
            Decision::Exception { kind, detail } => {
                failed += 1;
                handled
                    .exceptions
                    .push(new_exception(site, kind, reference, id, detail.clone()));
                handled
                    .audit
                    .push(audit(reference, "exception", id, detail));
                if let Some(record) = records
                    .get(reference)
                    .filter(|record| !record.state.is_validated())
                {
                    if record.state != PickingState::Held && !record.state.is_cancelled() {
                        handled.pickings.push(PickingUpdate {
                            picking_id: record.picking_id,
                            picking_name: record.picking_name.clone(),
                            site: record.site.clone(),
                            state: PickingState::Exception,
                            release: None,
                            backorder: None,
                            tracking: None,
                        });
                    }
                }
            }
        }
    }

    handled.outcome = if applied == 0 && failed == 0 && duplicates > 0 {
        HandledOutcome::Duplicate
    } else if applied == 0 && failed > 0 {
        HandledOutcome::Exception
    } else {
        HandledOutcome::Done
    };
    handled
}

/// Stops a whole file on a parse error: nothing in it is applied.
fn file_exception(mut handled: Handled, site: &Site, file_name: &str, detail: String) -> Handled {
    let id = handled.message_id;
    handled.outcome = HandledOutcome::Exception;
    handled.exceptions.push(new_exception(
        site,
        ExceptionKind::ParseError,
        file_name,
        id,
        detail.clone(),
    ));
    handled
        .audit
        .push(audit(&format!("file:{file_name}"), "exception", id, detail));
    handled
}

fn remember(records: &mut HashMap<String, PickingRecord>, update: &PickingUpdate) {
    if let Some(record) = records.get_mut(&update.picking_name) {
        record.state = update.state;
        if update.tracking.is_some() {
            record.tracking.clone_from(&update.tracking);
        }
    }
}

fn outbox(
    site: &Site,
    kind: EventKind,
    reference: &str,
    payload: serde_json::Result<serde_json::Value>,
) -> NewOutbox {
    let id = MessageId::new();
    NewOutbox {
        envelope: Envelope {
            id,
            kind,
            site: site.code().to_owned(),
            correlation_id: CorrelationId(reference.to_owned()),
            idempotency_key: format!("{kind}:{id}"),
            source: "engine".to_owned(),
            payload: payload.expect("shipment payload serialises"),
        },
        sink: crate::ODOO_SINK.to_owned(),
    }
}

fn new_exception(
    site: &Site,
    kind: ExceptionKind,
    correlation: &str,
    id: MessageId,
    detail: String,
) -> NewException {
    NewException {
        kind,
        owner: site.rules.owners.owner_of(kind).to_owned(),
        site: site.code().to_owned(),
        correlation_id: correlation.to_owned(),
        message_id: Some(id),
        detail,
    }
}
