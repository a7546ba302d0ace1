//! Turns one movement file into `inventory_apply` messages for Odoo, one per
//! reason code, and exceptions for the lines that cannot be applied.

use std::collections::BTreeMap;

use wharf_model::{
    CorrelationId, Decimal, Envelope, EventKind, ExceptionKind, InventoryMovement, MessageId,
    MovementKind, StockKey,
};
use wharf_store::{Handled, HandledOutcome, NewException, NewOutbox, StoredInbox};

use super::plan::{InventoryPlan, PlanLine, StockOp};
use super::SiteInventory;
use crate::release::handler::audit;
use crate::site::Site;

/// Handles one `inventory_movements` message: `decoded` is the file decoded
/// with the site's movement layout, or the decoding error.
pub fn handle_movements(
    message: &StoredInbox,
    site: &Site,
    inventory: &SiteInventory,
    file_name: &str,
    decoded: Result<Vec<InventoryMovement>, String>,
) -> Handled {
    let id = message.envelope.id;
    let correlation = format!("inventory:{}:{file_name}", site.code());
    let mut handled = crate::worker::nothing_done(message);

    let movements = match decoded {
        Ok(movements) if !movements.is_empty() => movements,
        Ok(_) => {
            let detail = format!(
                "movement file {file_name} holds no movement record; check the file and the layout"
            );
            return file_exception(handled, site, &correlation, detail);
        }
        Err(error) => {
            let detail = format!("movement file {file_name} could not be decoded: {error}");
            return file_exception(handled, site, &correlation, detail);
        }
    };

    let mut groups: BTreeMap<String, (String, Vec<PlanLine>)> = BTreeMap::new();
    for movement in &movements {
        match plan_lines(movement, inventory) {
            Ok((reason_code, reason_text, lines)) => {
                groups
                    .entry(reason_code)
                    .or_insert_with(|| (reason_text, Vec::new()))
                    .1
                    .extend(lines);
            }
            Err(problem) => {
                let detail = format!(
                    "movement {} (line {} of {file_name}): {problem}",
                    movement.movement_ref, movement.source_line
                );
                handled
                    .exceptions
                    .push(exception(site, &correlation, id, detail.clone()));
                handled
                    .audit
                    .push(audit(&correlation, "exception", id, detail));
            }
        }
    }

    for (reason_code, (reason_text, lines)) in groups {
        let plan = InventoryPlan {
            reference: format!(
                "{reason_text} [wharf:{}:{file_name}:{reason_code}]",
                site.code()
            ),
            lines,
            create_unknown_lots: site.rules.create_unknown_lots,
        };
        let detail = format!(
            "{} stock change(s) with reason {reason_code} to apply in Odoo as {:?}",
            plan.lines.len(),
            plan.reference
        );
        handled.outbox.push(NewOutbox {
            envelope: Envelope {
                id: MessageId::new(),
                kind: EventKind::InventoryApply,
                site: site.code().to_owned(),
                correlation_id: CorrelationId(correlation.clone()),
                idempotency_key: format!(
                    "inventory_apply:{}:{file_name}:{reason_code}",
                    site.code()
                ),
                source: "engine".to_owned(),
                payload: serde_json::to_value(&plan).expect("inventory plan serialises"),
            },
            sink: crate::ODOO_SINK.to_owned(),
        });
        handled
            .audit
            .push(audit(&correlation, "transformed", id, detail));
    }

    if handled.outbox.is_empty() {
        handled.outcome = HandledOutcome::Exception;
    }
    handled
}

/// Maps one movement to Odoo terms: reason code, reason text and lines.
fn plan_lines(
    movement: &InventoryMovement,
    inventory: &SiteInventory,
) -> Result<(String, String, Vec<PlanLine>), String> {
    let rules = &inventory.rules;
    let quantity =
        rules.to_odoo_quantity(&movement.sku, movement.unit.as_deref(), movement.quantity)?;
    let reason_code = movement
        .reason
        .clone()
        .filter(|reason| !reason.trim().is_empty())
        .unwrap_or_else(|| movement.kind.as_str().to_owned());
    let reason_text = if movement.reason.is_some() {
        rules.reason_text(&reason_code)?
    } else {
        reason_code.clone()
    };

    let key = |location: &str| StockKey {
        location: rules.odoo_location(location).to_owned(),
        sku: movement.sku.clone(),
        lot: movement.lot.clone(),
    };
    let line = |op, location: &str, quantity| PlanLine {
        source_line: movement.source_line,
        movement_ref: movement.movement_ref.clone(),
        op,
        key: key(location),
        expiry_date: movement.expiry_date.clone(),
        quantity,
        occurred_at: movement.occurred_at.clone(),
    };

    let lines = match movement.kind {
        MovementKind::CycleCount if quantity < Decimal::ZERO => {
            return Err(format!(
                "a counted quantity cannot be negative ({quantity})"
            ));
        }
        MovementKind::CycleCount => vec![line(StockOp::Count, &movement.location, quantity)],
        MovementKind::Adjustment => vec![line(StockOp::Delta, &movement.location, quantity)],
        MovementKind::Scrap if quantity <= Decimal::ZERO => {
            return Err(format!("a scrapped quantity must be positive ({quantity})"));
        }
        MovementKind::Scrap => vec![line(StockOp::Scrap, &movement.location, quantity)],
        MovementKind::StatusChange => {
            let Some(target) = movement.to_location.as_deref().filter(|t| !t.is_empty()) else {
                return Err("a status change needs a target location (to_location)".to_owned());
            };
            if quantity <= Decimal::ZERO {
                return Err(format!(
                    "a status change must move a positive quantity ({quantity})"
                ));
            }
            vec![
                line(StockOp::Delta, &movement.location, -quantity),
                line(StockOp::Delta, target, quantity),
            ]
        }
    };
    Ok((reason_code, reason_text, lines))
}

fn exception(site: &Site, correlation: &str, id: MessageId, detail: String) -> NewException {
    let kind = ExceptionKind::ParseError;
    NewException {
        kind,
        owner: site.rules.owners.owner_of(kind).to_owned(),
        site: site.code().to_owned(),
        correlation_id: correlation.to_owned(),
        message_id: Some(id),
        detail,
    }
}

fn file_exception(mut handled: Handled, site: &Site, correlation: &str, detail: String) -> Handled {
    let id = handled.message_id;
    handled.outcome = HandledOutcome::Exception;
    handled
        .exceptions
        .push(exception(site, correlation, id, detail.clone()));
    handled
        .audit
        .push(audit(correlation, "exception", id, detail));
    handled
}
