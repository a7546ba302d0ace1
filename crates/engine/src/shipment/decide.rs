//! Matches one confirmation against the picking Wharf released.
//!
//! Pure: the released order and the picking's lifecycle go in, a decision
//! comes out. Lines are matched by the Odoo move id when the warehouse echoes
//! it, else by SKU (a SKU on several moves fills them in order). A
//! confirmation is applied whole or not at all: one unknown SKU or one
//! over-shipped move stops it, so Odoo never contains half a shipment.

use std::collections::BTreeSet;

use wharf_model::{Decimal, ExceptionKind, OrderRelease, PickingState, ShipmentConfirmation};
use wharf_store::PickingRecord;

use super::{PlannedLot, PlannedMove, ShipmentPlan, TrackingUpdate};
use crate::config::SiteRules;

/// Outcome of matching one confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Apply(ShipmentPlan),
    AddTracking(TrackingUpdate),
    /// Changes nothing; the reason goes into the audit trail.
    Duplicate(String),
    Exception {
        kind: ExceptionKind,
        detail: String,
    },
}

/// Decides what one confirmation means for its picking.
pub fn decide(
    confirmation: &ShipmentConfirmation,
    record: Option<&PickingRecord>,
    rules: &SiteRules,
) -> Decision {
    let reference = &confirmation.picking_ref;
    let Some(record) = record else {
        return exception(
            ExceptionKind::UnknownPicking,
            format!("confirmation for {reference}: Wharf never released a picking of that name; check the reference in the file"),
        );
    };

    match record.state {
        PickingState::Held => exception(
            ExceptionKind::UnknownPicking,
            format!("confirmation for {reference}: the picking is held and was never released to the warehouse"),
        ),
        PickingState::CancelRequested | PickingState::Cancelled => exception(
            ExceptionKind::ShipmentAfterCancel,
            format!(
                "confirmation for {reference}: the picking was cancelled in Odoo after its release ({}); \
                 nothing is written to Odoo. Decide with the customer whether to re-open the order in Odoo \
                 or to have the goods returned",
                record.state
            ),
        ),
        PickingState::Expected | PickingState::Received => exception(
            ExceptionKind::UnknownPicking,
            format!("confirmation for {reference}: the picking is a receipt, not a delivery Wharf released"),
        ),
        PickingState::Confirmed | PickingState::Shipped | PickingState::Backordered | PickingState::ShortClosed => {
            after_shipment(confirmation, record)
        }
        _ => match release_of(record) {
            Some(order) => plan(confirmation, &order, rules),
            None => exception(
                ExceptionKind::Defect,
                format!("picking {reference} has no stored release to match the confirmation against"),
            ),
        },
    }
}

/// Decides on a confirmation for a picking already confirmed. Only new
/// tracking numbers on an order-level or re-shipment confirmation change anything.
fn after_shipment(confirmation: &ShipmentConfirmation, record: &PickingRecord) -> Decision {
    let known: BTreeSet<&str> = record
        .tracking
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|number| !number.is_empty())
        .collect();
    let new: Vec<&String> = confirmation
        .tracking_numbers
        .iter()
        .filter(|number| !known.contains(number.as_str()))
        .collect();
    let adds_tracking_only = confirmation.reshipment || confirmation.lines.is_empty();

    if adds_tracking_only && !new.is_empty() {
        let mut tracking: Vec<String> = known.iter().map(|number| (*number).to_owned()).collect();
        tracking.extend(new.into_iter().cloned());
        return Decision::AddTracking(TrackingUpdate {
            picking_id: record.picking_id,
            picking_name: record.picking_name.clone(),
            tracking,
        });
    }
    Decision::Duplicate(format!(
        "confirmation for {} ignored: the picking is already {}",
        record.picking_name, record.state
    ))
}

fn plan(confirmation: &ShipmentConfirmation, order: &OrderRelease, rules: &SiteRules) -> Decision {
    let reference = &confirmation.picking_ref;
    let mut moves: Vec<PlannedMove> = order
        .lines
        .iter()
        .map(|line| PlannedMove {
            move_id: line.move_id,
            product_id: line.product_id,
            sku: line.sku.clone(),
            demand: line.quantity,
            lots: vec![],
        })
        .collect();

    if confirmation.lines.is_empty() && rules.order_level_means_full {
        for (planned, line) in moves.iter_mut().zip(&order.lines) {
            planned.lots = full_lots(line);
        }
    }

    if let Some(line) = confirmation
        .lines
        .iter()
        .find(|line| line.quantity.is_sign_negative() && !line.quantity.is_zero())
    {
        return exception(
            ExceptionKind::ParseError,
            format!(
                "confirmation for {reference}, line {}: SKU {:?} has the negative quantity {}; the warehouse must send shipped quantities of zero or more",
                line.source_line, line.sku, line.quantity
            ),
        );
    }

    for line in &confirmation.lines {
        let slot = match line.move_id {
            Some(move_id) => moves.iter().position(|m| m.move_id == move_id),
            None => {
                let candidates: Vec<usize> = moves
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.sku == line.sku)
                    .map(|(i, _)| i)
                    .collect();
                candidates
                    .iter()
                    .copied()
                    .find(|&i| moves[i].shipped() < moves[i].demand)
                    .or_else(|| candidates.last().copied())
            }
        };
        let Some(index) = slot else {
            return exception(
                ExceptionKind::UnknownSku,
                format!(
                    "confirmation for {reference}, line {}: SKU {:?} is not on the released picking; correct the file or the SKU cross-reference",
                    line.source_line, line.sku
                ),
            );
        };
        let tracked = order.lines[index].tracking != "none";
        moves[index].lots.push(PlannedLot {
            lot: if tracked { line.lot.clone() } else { None },
            expiry_date: line.expiry_date.clone(),
            quantity: line.quantity,
        });
    }

    for planned in &moves {
        if planned.shipped() > planned.demand {
            return exception(
                ExceptionKind::OverShipment,
                format!(
                    "confirmation for {reference}: SKU {} shipped {} but the picking demands {}; check the count with the warehouse",
                    planned.sku,
                    planned.shipped().normalize(),
                    planned.demand.normalize()
                ),
            );
        }
    }
    if moves.iter().all(|planned| planned.shipped().is_zero()) {
        return exception(
            ExceptionKind::NothingShipped,
            format!("confirmation for {reference} ships zero on every line; nothing was validated in Odoo"),
        );
    }

    for (planned, line) in moves.iter_mut().zip(&order.lines) {
        fill_missing_lots(planned, &line.reserved_lots);
        planned.lots.retain(|lot| !lot.quantity.is_zero());
    }
    let short = moves
        .iter()
        .any(|planned| planned.shipped() < planned.demand);
    Decision::Apply(ShipmentPlan {
        picking_id: order.picking_id,
        picking_name: order.picking_name.clone(),
        moves,
        carrier: confirmation
            .carrier
            .clone()
            .filter(|carrier| !carrier.trim().is_empty()),
        tracking: confirmation.tracking_numbers.clone(),
        short,
        short_rule: rules.short_shipment,
        create_unknown_lots: rules.create_unknown_lots,
        ship_expired_lots: rules.ship_expired_lots,
        shipped_at: confirmation.shipped_at.clone(),
    })
}

/// Lots for an order-level confirmation: the reserved lots, one unit per
/// serial, or the whole demand without a lot.
fn full_lots(line: &wharf_model::OrderLine) -> Vec<PlannedLot> {
    if line.tracking == "serial" && !line.reserved_lots.is_empty() {
        return line
            .reserved_lots
            .iter()
            .map(|serial| PlannedLot {
                lot: Some(serial.clone()),
                expiry_date: None,
                quantity: Decimal::ONE,
            })
            .collect();
    }
    let lot = if line.tracking == "none" {
        None
    } else {
        line.reserved_lots.first().cloned()
    };
    vec![PlannedLot {
        lot,
        expiry_date: None,
        quantity: line.quantity,
    }]
}

/// Gives a tracked move shipped without a lot name the lot Odoo reserved,
/// when there is exactly one.
fn fill_missing_lots(planned: &mut PlannedMove, reserved: &[String]) {
    if reserved.len() != 1 {
        return;
    }
    for lot in &mut planned.lots {
        if lot.lot.is_none() {
            lot.lot = Some(reserved[0].clone());
        }
    }
}

fn release_of(record: &PickingRecord) -> Option<OrderRelease> {
    record
        .release
        .as_ref()
        .and_then(|value| serde_json::from_value(value.clone()).ok())
}

fn exception(kind: ExceptionKind, detail: String) -> Decision {
    Decision::Exception { kind, detail }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
