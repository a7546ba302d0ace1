//! Matches a receipt advice against the receipt Wharf announced.
//!
//! Pure. Lines are matched by the move id the warehouse echoes, else by SKU
//! (a SKU on several moves fills them in order). An advice is booked whole or
//! not at all: an unknown SKU, a quantity above the expected one, a tracked
//! line without lot, or a return whose lines go to different places stops it.

use wharf_model::{
    Decimal, ExceptionKind, ExpectedReceipt, OrderLine, ReceiptAdvice, ReceiptKind, ReceivedLine,
};

use super::rules::LifecycleRules;
use super::{ReceiptPlan, ReceivedLot, ReceivedMove};

/// Outcome of matching one advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched {
    Plan(ReceiptPlan),
    Exception { kind: ExceptionKind, detail: String },
}

/// Builds the receipt to book from one advice, or the exception that stops it.
pub fn match_advice(
    receipt: &ExpectedReceipt,
    advice: &ReceiptAdvice,
    rules: &LifecycleRules,
    file_name: &str,
) -> Matched {
    let reference = &receipt.picking_name;
    let mut moves: Vec<ReceivedMove> = receipt
        .lines
        .iter()
        .map(|line| ReceivedMove {
            move_id: line.move_id,
            sku: line.sku.clone(),
            lots: Vec::new(),
        })
        .collect();

    for line in &advice.lines {
        let at = |problem: String| {
            format!(
                "receipt advice for {reference} in {file_name} line {}: {problem}",
                line.source_line
            )
        };
        let Some(index) = target(&receipt.lines, &moves, line) else {
            return exception(
                ExceptionKind::UnknownSku,
                at(format!("SKU {} is not expected on this receipt; receive it on its own receipt in Odoo, or correct the SKU", line.sku)),
            );
        };
        let expected = &receipt.lines[index];
        if expected.tracking != "none" && line.lot.is_none() && !line.quantity.is_zero() {
            return exception(
                ExceptionKind::UnknownLot,
                at(format!(
                    "SKU {} is tracked by {} but the line names none; add the lot or serial",
                    line.sku, expected.tracking
                )),
            );
        }
        add_lot(&mut moves[index], line);
    }

    let mut short = false;
    for (planned, expected) in moves.iter().zip(&receipt.lines) {
        let received = total(planned);
        if received > expected.quantity {
            return exception(
                ExceptionKind::OverReceipt,
                format!(
                    "receipt advice for {reference} in {file_name}: {received} {} of {} received, {} expected; \
                     nothing was booked. Receive the extra on a new receipt in Odoo, or correct the advice",
                    expected.uom, expected.sku, expected.quantity
                ),
            );
        }
        short |= received < expected.quantity;
    }
    if moves.iter().all(|planned| total(planned).is_zero()) {
        return exception(
            ExceptionKind::NothingReceived,
            format!(
                "receipt advice for {reference} in {file_name} receives nothing; nothing was booked. \
                 If the goods did not arrive, leave the receipt open in Odoo or cancel it there, then resolve this exception"
            ),
        );
    }

    let destination = match destination(receipt, advice, rules, file_name) {
        Ok(destination) => destination,
        Err(detail) => return exception(ExceptionKind::MixedDisposition, detail),
    };
    Matched::Plan(ReceiptPlan {
        picking_id: receipt.picking_id,
        picking_name: reference.clone(),
        kind: receipt.kind,
        origin: receipt.origin.clone(),
        moves,
        destination,
        backorder: receipt.kind == ReceiptKind::Purchase,
        short,
    })
}

/// Finds the index of the expected line a received line belongs to.
fn target(expected: &[OrderLine], planned: &[ReceivedMove], line: &ReceivedLine) -> Option<usize> {
    if let Some(move_id) = line.move_id {
        if let Some(index) = expected.iter().position(|e| e.move_id == move_id) {
            return Some(index);
        }
    }
    let same_sku = || {
        expected
            .iter()
            .enumerate()
            .filter(|(_, e)| e.sku == line.sku)
    };
    same_sku()
        .find(|(index, e)| total(&planned[*index]) < e.quantity)
        .or_else(|| same_sku().next_back())
        .map(|(index, _)| index)
}

fn add_lot(planned: &mut ReceivedMove, line: &ReceivedLine) {
    if let Some(existing) = planned.lots.iter_mut().find(|lot| lot.lot == line.lot) {
        existing.quantity += line.quantity;
        if existing.expiry_date.is_none() {
            existing.expiry_date.clone_from(&line.expiry_date);
        }
        return;
    }
    planned.lots.push(ReceivedLot {
        lot: line.lot.clone(),
        quantity: line.quantity,
        expiry_date: line.expiry_date.clone(),
    });
}

fn total(planned: &ReceivedMove) -> Decimal {
    planned.lots.iter().map(|lot| lot.quantity).sum()
}

/// Returns the Odoo location a return's goods go to: the one the disposition
/// maps to. Purchases keep the receipt's own destination.
fn destination(
    receipt: &ExpectedReceipt,
    advice: &ReceiptAdvice,
    rules: &LifecycleRules,
    file_name: &str,
) -> Result<Option<String>, String> {
    if receipt.kind != ReceiptKind::Return {
        return Ok(None);
    }
    let mut dispositions: Vec<_> = advice
        .lines
        .iter()
        .filter(|line| !line.quantity.is_zero())
        .filter_map(|line| line.disposition)
        .collect();
    dispositions.sort_by_key(|d| d.as_str());
    dispositions.dedup();
    match dispositions.as_slice() {
        [] => Ok(None),
        [one] => Ok(rules.disposition_locations.get(one).cloned()),
        many => {
            let names: Vec<&str> = many.iter().map(|d| d.as_str()).collect();
            Err(format!(
                "receipt advice for {} in {file_name} gives its lines different dispositions ({}); \
                 one return is booked into one location, so nothing was booked. Book the return by hand in Odoo, \
                 or split it there into one return per disposition and have each received on its own, \
                 then resolve this exception",
                receipt.picking_name,
                names.join(", ")
            ))
        }
    }
}

fn exception(kind: ExceptionKind, detail: String) -> Matched {
    Matched::Exception { kind, detail }
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
