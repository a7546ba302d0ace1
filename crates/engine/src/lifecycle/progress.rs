//! Warehouse progress: each report moves a picking forward in Wharf's
//! lifecycle, never back, so a `picked` that arrives after `shipped`
//! changes nothing.

use std::collections::HashMap;

use wharf_model::{EventKind, ExceptionKind, PickingState, ProgressEvent};
use wharf_store::{Handled, HandledOutcome, PickingRecord, StoredInbox};

use super::effects::{moved, note, raise, to_odoo};
use super::{PickingNote, SiteLifecycle};
use crate::site::Site;

/// Handles one stored progress file. `records` contains the lifecycle rows of
/// the pickings the file names, read before the call.
pub fn handle_progress(
    message: &StoredInbox,
    site: &Site,
    lifecycle: &SiteLifecycle,
    file_name: &str,
    decoded: Result<Vec<ProgressEvent>, String>,
    mut records: HashMap<String, PickingRecord>,
) -> Handled {
    let mut handled = crate::worker::nothing_done(message);
    let events = match decoded {
        Ok(events) => events,
        Err(error) => {
            handled.outcome = HandledOutcome::Exception;
            let detail = format!("progress file {file_name} could not be decoded: {error}");
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
    for event in &events {
        apply_event(
            &mut handled,
            site,
            lifecycle,
            file_name,
            event,
            &mut records,
        );
    }
    handled
}

fn apply_event(
    handled: &mut Handled,
    site: &Site,
    lifecycle: &SiteLifecycle,
    file_name: &str,
    event: &ProgressEvent,
    records: &mut HashMap<String, PickingRecord>,
) {
    let reference = event.picking_ref.as_str();
    let code = event.status_code.as_str();
    let Some(step) = lifecycle.rules.step(code) else {
        let known: Vec<&str> = lifecycle
            .rules
            .status_codes
            .keys()
            .map(String::as_str)
            .collect();
        let detail = format!(
            "progress file {file_name} line {}: status code {code:?} for {reference} is not mapped \
             (known: {}); add it to status_codes of [sites.lifecycle], restart the hub and have the \
             warehouse send the report again. The file's other lines were applied",
            event.source_line,
            known.join(", ")
        );
        raise(
            handled,
            site,
            ExceptionKind::UnknownStatus,
            reference,
            detail,
        );
        return;
    };
    let Some(record) = records.get_mut(reference) else {
        let detail = format!(
            "progress file {file_name} line {}: Wharf never released a picking named {reference}; \
             check the reference in the file",
            event.source_line
        );
        raise(
            handled,
            site,
            ExceptionKind::UnknownPicking,
            reference,
            detail,
        );
        return;
    };

    let when = event.occurred_at.as_deref().unwrap_or("an unknown time");
    let current = record.state;
    let ranks = (current.process_rank(), step.process_rank());
    if current == step {
        let detail = format!("{code} ({step}) at {when} from {file_name}: step already reached");
        note(handled, reference, "progress", detail);
        return;
    }
    let forward = current != PickingState::Exception
        && matches!(ranks, (Some(now), Some(next)) if next > now);
    if !forward {
        note(
            handled,
            reference,
            "progress_ignored",
            format!("{code} ({step}) at {when} from {file_name} changes nothing: the picking is already {current}"),
        );
        return;
    }

    record.state = step;
    handled.pickings.push(moved(record, step));
    let mut detail = format!("{code} ({step}) at {when} from {file_name}");
    if let Some(text) = &event.note {
        detail.push_str(&format!(": {text}"));
    }
    note(handled, reference, "progress", detail.clone());
    if lifecycle.rules.chatter_notes {
        let body = format!("Warehouse {}: {detail}", site.code());
        let payload = PickingNote {
            picking_id: record.picking_id,
            picking_name: record.picking_name.clone(),
            body,
        };
        handled
            .outbox
            .push(to_odoo(site, EventKind::PickingNote, reference, &payload));
    }
}
