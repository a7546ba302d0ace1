//! The Odoo side of the lifecycle: chatter notes, receipts booked and
//! finance activities, one outbox message at a time.

use wharf_model::{EventKind, PickingState};
use wharf_store::{PickingUpdate, StoredOutbox};

use super::{FollowUp, PickingNote, ReceiptPlan, ReceiptResult};
use crate::ports::{Erp, FailureKind, PortError};

/// Delivers one lifecycle message to Odoo. Returns the audit detail and the
/// lifecycle rows to write with the delivery. With `may_retry`, a transient
/// failure is tried again later and changes no row.
pub async fn deliver(
    erp: &dyn Erp,
    message: &StoredOutbox,
    may_retry: bool,
) -> (Result<String, PortError>, Vec<PickingUpdate>) {
    let payload = message.envelope.payload.clone();
    let unreadable = |error: serde_json::Error| {
        PortError::defect(format!(
            "unreadable {} payload: {error}",
            message.envelope.kind
        ))
    };
    match message.envelope.kind {
        EventKind::PickingNote => match serde_json::from_value::<PickingNote>(payload) {
            Ok(note) => {
                let result = erp.post_note(note.picking_id, &note.body).await;
                (
                    result.map(|()| format!("note posted on {}", note.picking_name)),
                    vec![],
                )
            }
            Err(error) => (Err(unreadable(error)), vec![]),
        },
        EventKind::ReturnFollowUp => match serde_json::from_value::<FollowUp>(payload) {
            Ok(follow_up) => {
                let result = erp.schedule_follow_up(&follow_up).await;
                let detail = result.map(|created| match created {
                    true => format!(
                        "activity {:?} scheduled on {}",
                        follow_up.summary, follow_up.order_name
                    ),
                    false => format!(
                        "activity {:?} was already on {}; nothing written",
                        follow_up.summary, follow_up.order_name
                    ),
                });
                (detail, vec![])
            }
            Err(error) => (Err(unreadable(error)), vec![]),
        },
        EventKind::ReceiptApply => match serde_json::from_value::<ReceiptPlan>(payload) {
            Ok(plan) => {
                let result = erp.apply_receipt(&plan).await;
                let retrying = matches!(&result, Err(error) if error.kind == FailureKind::Transient)
                    && may_retry;
                let rows = received_update(message, &plan, &result, retrying);
                (result.map(|outcome| describe(&plan, &outcome)), rows)
            }
            Err(error) => (Err(unreadable(error)), vec![]),
        },
        other => (
            Err(PortError::defect(format!(
                "outbox kind {other} does not belong to the lifecycle deliveries"
            ))),
            vec![],
        ),
    }
}

/// True for the outbox kinds [`deliver`] handles.
pub fn is_lifecycle_kind(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::PickingNote | EventKind::ReturnFollowUp | EventKind::ReceiptApply
    )
}

fn describe(plan: &ReceiptPlan, outcome: &ReceiptResult) -> String {
    let into = plan
        .destination
        .as_deref()
        .map(|location| format!(" into {location}"))
        .unwrap_or_default();
    match outcome {
        ReceiptResult::Received {
            backorder: Some(name),
        } => {
            format!("{} received{into}, backorder {name}", plan.picking_name)
        }
        ReceiptResult::Received { backorder: None } => {
            format!("{} received{into}", plan.picking_name)
        }
        ReceiptResult::AlreadyDone { .. } => {
            format!(
                "{} was already received; nothing written",
                plan.picking_name
            )
        }
    }
}

fn received_update(
    message: &StoredOutbox,
    plan: &ReceiptPlan,
    result: &Result<ReceiptResult, PortError>,
    retrying: bool,
) -> Vec<PickingUpdate> {
    if retrying {
        return vec![];
    }
    let (state, backorder) = match result {
        Ok(ReceiptResult::Received { backorder } | ReceiptResult::AlreadyDone { backorder }) => {
            (PickingState::Received, backorder.clone())
        }
        Err(_) => (PickingState::Exception, None),
    };
    vec![PickingUpdate {
        picking_id: plan.picking_id,
        picking_name: plan.picking_name.clone(),
        site: message.envelope.site.clone(),
        state,
        release: None,
        backorder,
        tracking: None,
    }]
}
