//! Cancels and amendments after release, and the warehouse's answers.
//!
//! A cancel moves the picking to `cancel_requested` until the warehouse
//! answers: `accepted` ends it as `cancelled`; `too_late` is an exception for
//! customer service and the picking stays `cancel_requested`, so a shipment
//! that arrives for it is stopped as an exception and never written to
//! Odoo. An amendment replaces the stored release with Odoo's new demand.

use std::collections::HashMap;

use wharf_model::{
    ChangeAnswer, ChangeKind, ChangeOutcome, EventKind, ExceptionKind, PickingState,
};
use wharf_store::{Handled, HandledOutcome, PickingRecord, StoredInbox};

use super::effects::{moved, note, raise, to_folder};
use super::{ChangeEvent, SiteLifecycle};
use crate::release::handler::file_stem;
use crate::site::Site;
use crate::worker::HandlerError;

/// Handles one `order_changed` message for the picking's lifecycle row.
pub fn handle_change(
    message: &StoredInbox,
    site: &Site,
    lifecycle: &SiteLifecycle,
    record: Option<PickingRecord>,
) -> Result<Handled, HandlerError> {
    let event: ChangeEvent = serde_json::from_value(message.envelope.payload.clone())
        .map_err(|error| HandlerError::payload(&message.envelope, &error))?;
    let change = &event.change;
    let reference = change.picking_name.as_str();
    let mut handled = crate::worker::nothing_done(message);

    let Some(record) = record else {
        let detail = format!(
            "{} of {reference} read from Odoo, but Wharf holds no lifecycle for that picking",
            change.kind
        );
        raise(&mut handled, site, ExceptionKind::Defect, reference, detail);
        handled.outcome = HandledOutcome::Exception;
        return Ok(handled);
    };
    if record.state.is_cancelled() {
        note(
            &mut handled,
            reference,
            "duplicate",
            format!(
                "{} of {reference} ignored: the picking is already {}",
                change.kind, record.state
            ),
        );
        handled.outcome = HandledOutcome::Duplicate;
        return Ok(handled);
    }
    if !record.state.awaits_shipment() {
        let detail = format!(
            "{reference} was changed in Odoo ({}: {}) after the warehouse's shipment was accepted \
             (state {}); tell the customer and correct the order in Odoo",
            change.kind, change.reason, record.state
        );
        raise(
            &mut handled,
            site,
            ExceptionKind::ChangeTooLate,
            reference,
            detail,
        );
        handled.outcome = HandledOutcome::Exception;
        return Ok(handled);
    }

    let bytes =
        wharf_formats::encode_changes(&lifecycle.change_layout, std::slice::from_ref(change))
            .map_err(|error| HandlerError::Render {
                file_name: format!("change file of {reference}"),
                message: error.to_string(),
            })?;
    let short_id: String = message.envelope.id.to_string().chars().take(8).collect();
    let file_name = format!(
        "CHG-{}-{}-{short_id}.csv",
        file_stem(reference),
        change.kind
    );
    handled.outbox.push(to_folder(
        site,
        EventKind::ChangeRequest,
        reference,
        file_name.clone(),
        &bytes,
        record.picking_id,
    ));
    match change.kind {
        ChangeKind::Cancel => {
            handled
                .pickings
                .push(moved(&record, PickingState::CancelRequested));
        }
        ChangeKind::Amend => {
            let mut update = moved(&record, record.state);
            update.release = event
                .amended
                .as_ref()
                .map(|order| serde_json::to_value(order).expect("release serialises"));
            handled.pickings.push(update);
        }
    }
    note(
        &mut handled,
        reference,
        "transformed",
        format!(
            "{} ({}) queued as {file_name} for site {}",
            change.kind,
            change.reason,
            site.code()
        ),
    );
    Ok(handled)
}

/// Handles one stored answer file. `records` contains the lifecycle rows of
/// the pickings the file names.
pub fn handle_answers(
    message: &StoredInbox,
    site: &Site,
    file_name: &str,
    decoded: Result<Vec<ChangeAnswer>, String>,
    mut records: HashMap<String, PickingRecord>,
) -> Handled {
    let mut handled = crate::worker::nothing_done(message);
    let answers = match decoded {
        Ok(answers) => answers,
        Err(error) => {
            handled.outcome = HandledOutcome::Exception;
            let detail = format!("change answer file {file_name} could not be decoded: {error}");
            raise(
                &mut handled,
                site,
                ExceptionKind::ParseError,
                &format!("file:{file_name}"),
                detail,
            );
            return handled;
        }
    };
    for answer in &answers {
        let reference = answer.picking_ref.as_str();
        let Some(record) = records.get_mut(reference) else {
            let detail = format!(
                "change answer file {file_name} line {}: Wharf never released a picking named {reference}",
                answer.source_line
            );
            raise(
                &mut handled,
                site,
                ExceptionKind::UnknownPicking,
                reference,
                detail,
            );
            continue;
        };
        apply_answer(&mut handled, site, file_name, answer, record);
    }
    handled
}

fn apply_answer(
    handled: &mut Handled,
    site: &Site,
    file_name: &str,
    answer: &ChangeAnswer,
    record: &mut PickingRecord,
) {
    let reference = answer.picking_ref.as_str();
    let detail = answer.detail.as_deref().unwrap_or("no detail given");
    match (answer.kind, answer.outcome) {
        (ChangeKind::Cancel, ChangeOutcome::Accepted) if !record.state.is_cancelled() => {
            let text = format!(
                "change answer file {file_name} line {}: the warehouse accepted a cancel of {reference} \
                 that Wharf never sent (the picking is {}); it may not ship what Odoo expects. \
                 Check with the warehouse, then resolve this exception",
                answer.source_line, record.state
            );
            raise(
                handled,
                site,
                ExceptionKind::UnknownPicking,
                reference,
                text,
            );
        }
        (ChangeKind::Cancel, ChangeOutcome::Accepted) => {
            if record.state == PickingState::CancelRequested {
                record.state = PickingState::Cancelled;
                handled
                    .pickings
                    .push(moved(record, PickingState::Cancelled));
            }
            note(
                handled,
                reference,
                "change_answered",
                format!("warehouse accepted the cancel ({detail}), from {file_name}"),
            );
        }
        (ChangeKind::Amend, ChangeOutcome::Accepted) => note(
            handled,
            reference,
            "change_answered",
            format!("warehouse accepted the amendment ({detail}), from {file_name}"),
        ),
        (kind, ChangeOutcome::TooLate) => {
            let effect = match kind {
                ChangeKind::Cancel => {
                    "a shipment it confirms for the picking is stopped and never written to Odoo"
                }
                ChangeKind::Amend => "its shipment is matched against the amended demand in Odoo",
            };
            let text = format!(
                "the warehouse answered that the {kind} of {reference} came too late ({detail}), from {file_name}; \
                 {effect}. Tell the customer, then resolve this exception"
            );
            raise(handled, site, ExceptionKind::ChangeTooLate, reference, text);
        }
    }
}
