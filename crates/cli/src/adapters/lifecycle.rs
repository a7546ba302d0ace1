//! The lifecycle flows through the Odoo client: released pickings read
//! again, expected receipts, receipts booked, chatter notes and finance
//! activities.

use wharf_engine::lifecycle::{
    FollowUp, IncomingReceipt, MoveNow, PickingNow, ReceiptPlan, ReceiptResult,
};
use wharf_engine::ports::PortError;
use wharf_model::{ExpectedReceipt, OrderLine, ReceiptKind};
use wharf_odoo::stock::{
    apply_receipt, changed_pickings, incoming_pickings, locations_by_name, post_note,
    sale_order_id, schedule_activity, ActivityOutcome, ActivityRequest, BackorderPolicy,
    ChangedQuery, IncomingPicking, IncomingQuery, ReceiptLot, ReceiptMove, ReceiptOutcome,
    ReceiptWrite,
};
use wharf_odoo::Client;

use super::erp::port_error;

/// Reads the current state and demands of released pickings, one page of
/// three calls per call of the engine (it sends at most 200 ids).
pub async fn pickings_now(
    client: &Client,
    picking_ids: &[i64],
) -> Result<Vec<PickingNow>, PortError> {
    let query = ChangedQuery {
        picking_ids: picking_ids.to_vec(),
        write_date_from: None,
        after_id: None,
        page_size: u32::try_from(picking_ids.len()).unwrap_or(u32::MAX),
    };
    let found = changed_pickings(client, &query).await.map_err(port_error)?;
    Ok(found
        .into_iter()
        .map(|picking| PickingNow {
            picking_id: picking.id,
            picking_name: picking.name,
            state: picking.state,
            moves: picking
                .moves
                .into_iter()
                .map(|m| MoveNow {
                    move_id: m.id,
                    product_id: m.product_id,
                    sku: m.sku,
                    quantity: m.product_uom_qty,
                    state: m.state,
                })
                .collect(),
        })
        .collect())
}

/// Reads one page of receipts ready to receive.
pub async fn expected_receipts(
    client: &Client,
    warehouses: &[String],
    after: Option<(&str, i64)>,
    page_size: u32,
) -> Result<Vec<IncomingReceipt>, PortError> {
    let query = IncomingQuery {
        warehouse_codes: warehouses.to_vec(),
        write_date_from: after.map(|(date, _)| date.to_owned()),
        after_id: after.map(|(_, id)| id),
        page_size,
    };
    let page = incoming_pickings(client, &query)
        .await
        .map_err(port_error)?;
    Ok(page.into_iter().map(incoming_receipt).collect())
}

fn incoming_receipt(picking: IncomingPicking) -> IncomingReceipt {
    let kind = match picking.return_of {
        Some(_) => ReceiptKind::Return,
        None => ReceiptKind::Purchase,
    };
    let lines = picking
        .moves
        .into_iter()
        .enumerate()
        .map(|(index, m)| OrderLine {
            line_no: u32::try_from(index + 1).unwrap_or(u32::MAX),
            move_id: m.id,
            product_id: m.product_id,
            sku: m.sku,
            description: m.product_name,
            quantity: m.product_uom_qty,
            uom: m.uom_name,
            tracking: m.tracking,
            reserved_lots: m.reserved_lots,
        })
        .collect();
    IncomingReceipt {
        receipt: ExpectedReceipt {
            picking_id: picking.id,
            picking_name: picking.name,
            kind,
            origin: picking.origin,
            partner: picking.partner_name,
            scheduled_date: picking.scheduled_date,
            lines,
        },
        write_date: picking.write_date,
        warehouse: picking.warehouse_code,
    }
}

/// Books a receipt: the disposition's location is looked up first (one call).
pub async fn book_receipt(client: &Client, plan: &ReceiptPlan) -> Result<ReceiptResult, PortError> {
    let destination_location_id = match &plan.destination {
        None => None,
        Some(name) => {
            let found = locations_by_name(client, std::slice::from_ref(name))
                .await
                .map_err(port_error)?;
            let id = found.get(name).copied().ok_or_else(|| {
                PortError::permanent(format!(
                    "receipt {}: Odoo has no location named {name:?}; correct disposition_locations \
                     in [sites.lifecycle] or create the location in Odoo, then retry",
                    plan.picking_name
                ))
            })?;
            Some(id)
        }
    };
    let write = ReceiptWrite {
        picking_id: plan.picking_id,
        moves: plan
            .moves
            .iter()
            .map(|planned| ReceiptMove {
                move_id: planned.move_id,
                lots: planned
                    .lots
                    .iter()
                    .map(|lot| ReceiptLot {
                        lot_name: lot.lot.clone(),
                        quantity: lot.quantity,
                        expiry_date: lot.expiry_date.clone(),
                    })
                    .collect(),
            })
            .collect(),
        destination_location_id,
        backorder: if plan.backorder {
            BackorderPolicy::Create
        } else {
            BackorderPolicy::Cancel
        },
    };
    let outcome = apply_receipt(client, &write).await.map_err(port_error)?;
    Ok(match outcome {
        ReceiptOutcome::Received { backorder } => ReceiptResult::Received {
            backorder: backorder.map(|(_, name)| name),
        },
        ReceiptOutcome::AlreadyDone { backorder } => ReceiptResult::AlreadyDone {
            backorder: backorder.map(|(_, name)| name),
        },
    })
}

/// Posts a note on a picking's chatter (one call).
pub async fn note(client: &Client, picking_id: i64, body: &str) -> Result<(), PortError> {
    post_note(client, "stock.picking", picking_id, body)
        .await
        .map(drop)
        .map_err(port_error)
}

/// Schedules finance's activity on the sale order, once.
pub async fn follow_up(client: &Client, follow_up: &FollowUp) -> Result<bool, PortError> {
    let order = sale_order_id(client, &follow_up.order_name)
        .await
        .map_err(port_error)?
        .ok_or_else(|| {
            PortError::permanent(format!(
                "Odoo has no sale order {}; schedule the credit note check by hand",
                follow_up.order_name
            ))
        })?;
    let request = ActivityRequest {
        model: "sale.order".to_owned(),
        res_id: order,
        summary: follow_up.summary.clone(),
        note: follow_up.note.clone(),
        deadline: None,
    };
    let outcome = schedule_activity(client, &request)
        .await
        .map_err(port_error)?;
    Ok(matches!(outcome, ActivityOutcome::Scheduled(_)))
}
