//! Building the one `stock.picking` write of a receipt: the reported lots
//! converted for the planner (see `receipt_plan.rs`), the move-line
//! commands of every open move and the destination location, each left out
//! when Odoo already contains that value.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::receipt::ReceiptWrite;
use super::receipt_plan::{
    plan_receipt_move, ReceiptLineState, ReceiptMoveContext, ReceivedLot, ReceivedQuantity,
};
use crate::stock::plan::Tracking;
use crate::values::{decimal, flag, id_of, many2one_id, text, Record};

/// Builds the `stock.picking` write; empty when Odoo already contains exactly
/// this receipt. Returns the reason when the receipt cannot be booked.
pub(super) fn build_write(
    receipt: &ReceiptWrite,
    picking: &Record,
    moves: &[Record],
    lines: &[Record],
    lots: &HashMap<(i64, String), i64>,
) -> Result<Map<String, Value>, String> {
    let open: Vec<&Record> = moves
        .iter()
        .filter(|m| text(m, "state") != "cancel")
        .collect();
    if let Some(unknown) = receipt
        .moves
        .iter()
        .find(|r| !open.iter().any(|m| id_of(m) == r.move_id))
    {
        return Err(format!(
            "move {} is not an open move of this receipt",
            unknown.move_id
        ));
    }

    let mut commands = Vec::new();
    let mut total = Decimal::ZERO;
    for record in open {
        let context = move_context(record, receipt.destination_location_id);
        let received = received_of(receipt, &context, lots)?;
        let states: Vec<ReceiptLineState> = lines
            .iter()
            .filter(|l| many2one_id(l, "move_id") == Some(context.move_id))
            .map(line_state)
            .collect();
        let (move_commands, move_total) = plan_receipt_move(&context, &states, &received)
            .map_err(|reason| format!("move {}: {reason}", context.move_id))?;
        commands.extend(move_commands);
        total += move_total;
    }
    if total <= Decimal::ZERO {
        return Err("nothing is received, and Odoo would receive every expected quantity when validating a receipt with nothing picked; cancel the receipt in Odoo if nothing arrives".to_owned());
    }

    let mut vals = Map::new();
    if let Some(destination) = receipt.destination_location_id {
        if many2one_id(picking, "location_dest_id") != Some(destination) {
            vals.insert("location_dest_id".to_owned(), json!(destination));
        }
    }
    if !commands.is_empty() {
        vals.insert("move_line_ids".to_owned(), Value::Array(commands));
    }
    Ok(vals)
}

fn move_context(record: &Record, destination: Option<i64>) -> ReceiptMoveContext {
    ReceiptMoveContext {
        move_id: id_of(record),
        product_id: many2one_id(record, "product_id").unwrap_or(0),
        tracking: Tracking::from_odoo(&text(record, "has_tracking")),
        location_id: many2one_id(record, "location_id").unwrap_or(0),
        location_dest_id: destination
            .or_else(|| many2one_id(record, "location_dest_id"))
            .unwrap_or(0),
        destination_override: destination.is_some(),
    }
}

fn line_state(line: &Record) -> ReceiptLineState {
    ReceiptLineState {
        id: id_of(line),
        lot_id: many2one_id(line, "lot_id"),
        lot_name: text(line, "lot_name"),
        quantity: decimal(line, "quantity"),
        picked: flag(line, "picked"),
        location_dest_id: many2one_id(line, "location_dest_id").unwrap_or(0),
    }
}

/// Converts the reported lots of one move, resolving names to known lots
/// and expiry dates to Odoo's naive UTC datetime at midnight.
fn received_of(
    receipt: &ReceiptWrite,
    context: &ReceiptMoveContext,
    lots: &HashMap<(i64, String), i64>,
) -> Result<Vec<ReceivedQuantity>, String> {
    let mut received = Vec::new();
    for reported in receipt
        .moves
        .iter()
        .filter(|m| m.move_id == context.move_id)
    {
        for lot in &reported.lots {
            let expiration_date = match &lot.expiry_date {
                Some(date) => Some(odoo_expiry(date).ok_or_else(|| {
                    format!(
                        "the expiry date {date:?} of lot {:?} is not a date in the form YYYY-MM-DD",
                        lot.lot_name.as_deref().unwrap_or("")
                    )
                })?),
                None => None,
            };
            let lot_ref = match &lot.lot_name {
                None => ReceivedLot::Unreported,
                Some(name) if name.trim().is_empty() => {
                    return Err(format!("an empty lot name was sent for product {}; send the lot or serial number received", context.product_id));
                }
                Some(name) => match lots.get(&(context.product_id, name.clone())) {
                    Some(id) => ReceivedLot::Known(*id, name.clone()),
                    None => ReceivedLot::New(name.clone()),
                },
            };
            received.push(ReceivedQuantity {
                lot: lot_ref,
                quantity: lot.quantity,
                expiration_date,
            });
        }
    }
    Ok(received)
}

/// Converts `YYYY-MM-DD` to Odoo's naive UTC datetime at midnight.
fn odoo_expiry(date: &str) -> Option<String> {
    let date = jiff::civil::Date::strptime("%Y-%m-%d", date.trim()).ok()?;
    Some(format!("{} 00:00:00", date.strftime("%Y-%m-%d")))
}
