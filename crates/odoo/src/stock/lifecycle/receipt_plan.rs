//! Planning the move-line commands that make one receipt move's lines equal
//! the received (lot, quantity) pairs.
//!
//! Unlike a delivery, a receipt reserves nothing, so the rules are simple,
//! and they converge: planning again after the commands were applied
//! yields no command, so a write repeated after a lost response receives
//! nothing twice.
//!
//! 1. A lot known to Odoo takes the first line (by id) that carries its
//!    `lot_id`. A new lot takes the first line without `lot_id` whose
//!    `lot_name` is its name, because Odoo keeps only the name until
//!    validation creates the lot.
//! 2. A lot without a line of its own takes the first line left and has
//!    its lot written on it: `lot_id` and `lot_name` for a known lot,
//!    `lot_name` and `expiration_date` for a new one.
//! 3. A quantity without lot takes the first line left and keeps its lot,
//!    such as the serial Odoo pre-fills on a customer return.
//! 4. A request with no line left gets a new line.
//! 5. The line a request takes receives its whole quantity and is picked;
//!    every line left over gets quantity 0 and is not picked.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::stock::plan::Tracking;
use crate::values::decimal_value;

/// The lot a received quantity is booked on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum ReceivedLot {
    /// No lot reported: keep the line's lot, if any.
    Unreported,
    /// A lot that exists in Odoo: its id and name.
    Known(i64, String),
    /// A lot Odoo creates on validation from the line's `lot_name`.
    New(String),
}

/// The move the lines belong to.
#[derive(Debug, Clone)]
pub(super) struct ReceiptMoveContext {
    pub(super) move_id: i64,
    pub(super) product_id: i64,
    pub(super) tracking: Tracking,
    pub(super) location_id: i64,
    /// The destination of new lines, and of every received line when
    /// `destination_override` is set.
    pub(super) location_dest_id: i64,
    pub(super) destination_override: bool,
}

/// A `stock.move.line` of the receipt as stored in Odoo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReceiptLineState {
    pub(super) id: i64,
    pub(super) lot_id: Option<i64>,
    pub(super) lot_name: String,
    pub(super) quantity: Decimal,
    pub(super) picked: bool,
    pub(super) location_dest_id: i64,
}

/// One received (lot, quantity) pair with the new lot's expiry (naive UTC
/// datetime) when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReceivedQuantity {
    pub(super) lot: ReceivedLot,
    pub(super) quantity: Decimal,
    pub(super) expiration_date: Option<String>,
}

/// Plans the `move_line_ids` commands of one move and returns them with the
/// received total, or the reason the request cannot be booked.
pub(super) fn plan_receipt_move(
    context: &ReceiptMoveContext,
    lines: &[ReceiptLineState],
    received: &[ReceivedQuantity],
) -> Result<(Vec<Value>, Decimal), String> {
    let requests = merge(context, received)?;
    let mut sorted: Vec<&ReceiptLineState> = lines.iter().collect();
    sorted.sort_by_key(|line| line.id);
    let mut claimed_by: Vec<Option<usize>> = vec![None; sorted.len()];

    // Rule 1: lines that already carry the lot.
    for (index, (lot, _)) in requests.iter().enumerate() {
        let own = sorted.iter().position(|line| carries(line, lot));
        if let Some(position) = own.filter(|&p| claimed_by[p].is_none()) {
            claimed_by[position] = Some(index);
        }
    }
    // Rules 2 and 3: lots then quantities without lot take the lines left.
    let mut without_line = Vec::new();
    let lots_first = (0..requests.len())
        .filter(|&i| requests[i].0 != ReceivedLot::Unreported)
        .chain((0..requests.len()).filter(|&i| requests[i].0 == ReceivedLot::Unreported));
    for index in lots_first {
        if claimed_by.contains(&Some(index)) {
            continue;
        }
        match claimed_by.iter().position(Option::is_none) {
            Some(position) => claimed_by[position] = Some(index),
            None => without_line.push(index),
        }
    }

    let mut commands = Vec::new();
    for (position, line) in sorted.iter().enumerate() {
        let vals = match claimed_by[position] {
            Some(index) => received_line_vals(context, line, &requests[index])?,
            None => left_over_vals(line),
        };
        if !vals.is_empty() {
            commands.push(json!([1, line.id, vals]));
        }
    }
    for index in without_line {
        commands.push(create_command(context, &requests[index])?);
    }
    let total = requests.iter().map(|(_, r)| r.quantity).sum();
    Ok((commands, total))
}

/// Sums the quantities per lot, keeping the first expiry given, and checks
/// signs, lots of tracked products and serial quantities.
fn merge(
    context: &ReceiptMoveContext,
    received: &[ReceivedQuantity],
) -> Result<Vec<(ReceivedLot, ReceivedQuantity)>, String> {
    let mut merged: BTreeMap<ReceivedLot, ReceivedQuantity> = BTreeMap::new();
    for item in received {
        if item.quantity < Decimal::ZERO {
            return Err(format!(
                "negative quantity {} for product {}",
                item.quantity, context.product_id
            ));
        }
        if context.tracking == Tracking::None && item.lot != ReceivedLot::Unreported {
            return Err(format!("product {} is not tracked by lot or serial, but lot {:?} was sent; send it without lot", context.product_id, item.lot));
        }
        let entry = merged
            .entry(item.lot.clone())
            .or_insert_with(|| ReceivedQuantity {
                lot: item.lot.clone(),
                quantity: Decimal::ZERO,
                expiration_date: None,
            });
        entry.quantity += item.quantity;
        if entry.expiration_date.is_none() {
            entry.expiration_date.clone_from(&item.expiration_date);
        }
    }
    merged.retain(|_, item| item.quantity > Decimal::ZERO);
    if context.tracking == Tracking::Serial {
        if let Some(item) = merged
            .values()
            .find(|i| i.lot != ReceivedLot::Unreported && i.quantity != Decimal::ONE)
        {
            return Err(format!(
                "serial-tracked product {} received {} units of serial {:?}; a serial number is 1 unit",
                context.product_id, item.quantity, item.lot
            ));
        }
    }
    Ok(merged.into_iter().collect())
}

fn carries(line: &ReceiptLineState, lot: &ReceivedLot) -> bool {
    match lot {
        ReceivedLot::Unreported => false,
        ReceivedLot::Known(id, _) => line.lot_id == Some(*id),
        ReceivedLot::New(name) => line.lot_id.is_none() && line.lot_name == *name,
    }
}

/// Returns the values that make a line receive `request`, leaving out
/// those the line already has.
fn received_line_vals(
    context: &ReceiptMoveContext,
    line: &ReceiptLineState,
    (lot, request): &(ReceivedLot, ReceivedQuantity),
) -> Result<Map<String, Value>, String> {
    let mut vals = Map::new();
    if !carries(line, lot) {
        lot_vals(&mut vals, request, line.lot_id.is_some());
    }
    if *lot == ReceivedLot::Unreported
        && context.tracking != Tracking::None
        && line.lot_id.is_none()
        && line.lot_name.is_empty()
    {
        return Err(missing_lot(context));
    }
    if request.quantity != line.quantity {
        vals.insert("quantity".to_owned(), decimal_value(request.quantity));
    }
    if !line.picked {
        vals.insert("picked".to_owned(), json!(true));
    }
    if context.destination_override && line.location_dest_id != context.location_dest_id {
        vals.insert(
            "location_dest_id".to_owned(),
            json!(context.location_dest_id),
        );
    }
    Ok(vals)
}

fn left_over_vals(line: &ReceiptLineState) -> Map<String, Value> {
    let mut vals = Map::new();
    if line.quantity != Decimal::ZERO {
        vals.insert("quantity".to_owned(), json!(0));
    }
    if line.picked {
        vals.insert("picked".to_owned(), json!(false));
    }
    vals
}

fn create_command(
    context: &ReceiptMoveContext,
    (lot, request): &(ReceivedLot, ReceivedQuantity),
) -> Result<Value, String> {
    if *lot == ReceivedLot::Unreported && context.tracking != Tracking::None {
        return Err(missing_lot(context));
    }
    let mut vals = Map::new();
    vals.insert("move_id".to_owned(), json!(context.move_id));
    vals.insert("product_id".to_owned(), json!(context.product_id));
    lot_vals(&mut vals, request, false);
    vals.insert("quantity".to_owned(), decimal_value(request.quantity));
    vals.insert("picked".to_owned(), json!(true));
    vals.insert("location_id".to_owned(), json!(context.location_id));
    vals.insert(
        "location_dest_id".to_owned(),
        json!(context.location_dest_id),
    );
    Ok(json!([0, 0, vals]))
}

/// Adds the lot fields of `request`; `clear_lot_id` removes a lot the line
/// carries when the received lot is new.
fn lot_vals(vals: &mut Map<String, Value>, request: &ReceivedQuantity, clear_lot_id: bool) {
    match &request.lot {
        ReceivedLot::Unreported => {}
        ReceivedLot::Known(id, name) => {
            vals.insert("lot_id".to_owned(), json!(id));
            vals.insert("lot_name".to_owned(), json!(name));
        }
        ReceivedLot::New(name) => {
            if clear_lot_id {
                vals.insert("lot_id".to_owned(), json!(false));
            }
            vals.insert("lot_name".to_owned(), json!(name));
            if let Some(expiry) = &request.expiration_date {
                vals.insert("expiration_date".to_owned(), json!(expiry));
            }
        }
    }
}

fn missing_lot(context: &ReceiptMoveContext) -> String {
    format!(
        "product {} is tracked by {}, but the receipt of move {} has no lot; send the lot or serial number received",
        context.product_id,
        if context.tracking == Tracking::Serial { "serial number" } else { "lot" },
        context.move_id
    )
}

#[cfg(test)]
#[path = "receipt_plan_tests.rs"]
mod tests;
