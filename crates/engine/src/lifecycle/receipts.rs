//! Expected receipts (ASN) for purchase receipts and customer returns, and
//! the warehouse's receipt advice booked in Odoo.

use std::collections::HashMap;

use wharf_model::{
    EventKind, ExceptionKind, ExpectedReceipt, OrderRelease, PickingState, ReceiptAdvice,
    ReceiptKind,
};
use wharf_store::{
    Handled, HandledOutcome, PickingRecord, PickingUpdate, ResolvedException, StoredInbox,
};

use super::effects::{moved, note, raise, to_folder, to_odoo};
use super::matching::{match_advice, Matched};
use super::{FinanceFollowUp, FollowUp, ReceiptPlan, ReceivedMove, SiteLifecycle};
use crate::release::handler::file_stem;
use crate::site::Site;
use crate::worker::HandlerError;

/// Handles one `receipt_expected` message: renders the expected receipt
/// file and records the receipt as `expected`. `order` is the sale order of
/// the delivery a return brings back, kept with the receipt so that the
/// order's trace shows its returns.
pub fn handle_expected(
    message: &StoredInbox,
    site: &Site,
    lifecycle: &SiteLifecycle,
    record: Option<PickingRecord>,
    order: Option<String>,
) -> Result<Handled, HandlerError> {
    let receipt: ExpectedReceipt = serde_json::from_value(message.envelope.payload.clone())
        .map_err(|error| HandlerError::payload(&message.envelope, &error))?;
    let reference = receipt.picking_name.as_str();
    let mut handled = crate::worker::nothing_done(message);
    if let Some(record) = record {
        note(
            &mut handled,
            reference,
            "duplicate",
            format!(
                "{reference} was already announced to the warehouse (state {})",
                record.state
            ),
        );
        handled.outcome = HandledOutcome::Duplicate;
        return Ok(handled);
    }

    let file_name = format!("ASN-{}.csv", file_stem(reference));
    let bytes = wharf_formats::encode_expected_receipts(
        &lifecycle.expected_receipt_layout,
        std::slice::from_ref(&receipt),
    )
    .map_err(|error| HandlerError::Render {
        file_name: file_name.clone(),
        message: error.to_string(),
    })?;
    handled.outbox.push(to_folder(
        site,
        EventKind::ReceiptNotice,
        reference,
        file_name.clone(),
        &bytes,
        receipt.picking_id,
    ));
    handled.pickings.push(PickingUpdate {
        picking_id: receipt.picking_id,
        picking_name: receipt.picking_name.clone(),
        site: site.code().to_owned(),
        state: PickingState::Expected,
        release: Some(stored_receipt(
            &receipt,
            order.or_else(|| purchase_order(&receipt)),
        )),
        backorder: None,
        tracking: None,
    });
    note(
        &mut handled,
        reference,
        "transformed",
        format!(
            "expected {} from {} ({}) queued as {file_name} for site {}",
            receipt.kind.as_str(),
            receipt.partner,
            receipt.origin,
            site.code()
        ),
    );
    if let Some(delivery) = returned_delivery(&receipt) {
        note(
            &mut handled,
            delivery,
            "return_expected",
            format!("return {reference} announced to the warehouse as {file_name}"),
        );
    }
    Ok(handled)
}

/// Handles one stored receipt advice file. `records` contains the lifecycle
/// rows of the receipts the file names and of the deliveries they return.
pub fn handle_advice(
    message: &StoredInbox,
    site: &Site,
    lifecycle: &SiteLifecycle,
    file_name: &str,
    decoded: Result<Vec<ReceiptAdvice>, String>,
    records: &HashMap<String, PickingRecord>,
) -> Handled {
    let mut handled = crate::worker::nothing_done(message);
    let advices = match decoded {
        Ok(advices) => advices,
        Err(error) => {
            handled.outcome = HandledOutcome::Exception;
            let detail = format!("receipt advice file {file_name} could not be decoded: {error}");
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
    for advice in &advices {
        book(&mut handled, site, lifecycle, file_name, advice, records);
    }
    handled
}

fn book(
    handled: &mut Handled,
    site: &Site,
    lifecycle: &SiteLifecycle,
    file_name: &str,
    advice: &ReceiptAdvice,
    records: &HashMap<String, PickingRecord>,
) {
    let reference = advice.picking_ref.as_str();
    let expected = records.get(reference).and_then(|record| {
        let receipt = record.release.clone()?;
        serde_json::from_value::<ExpectedReceipt>(receipt)
            .ok()
            .map(|receipt| (record, receipt))
    });
    let Some((record, receipt)) = expected else {
        let detail = format!(
            "receipt advice in {file_name} names {reference}, which Wharf never announced to the warehouse; \
             check the reference, or the receipt in Odoo"
        );
        raise(
            handled,
            site,
            ExceptionKind::UnknownReceipt,
            reference,
            detail,
        );
        return;
    };
    let matched = match_advice(&receipt, advice, &lifecycle.rules, file_name);
    // A receipt stopped on an exception takes a corrected advice; a booked
    // one takes only the same advice again, as a duplicate.
    if !matches!(
        record.state,
        PickingState::Expected | PickingState::Exception
    ) {
        after_booking(handled, site, file_name, record, &matched);
        return;
    }
    let plan = match matched {
        Matched::Plan(plan) => plan,
        Matched::Exception { kind, detail } => {
            raise(handled, site, kind, reference, detail);
            handled
                .pickings
                .push(moved(record, PickingState::Exception));
            return;
        }
    };
    for kind in ADVICE_EXCEPTIONS {
        handled.resolved.push(ResolvedException {
            correlation_id: reference.to_owned(),
            kind,
            note: format!("a corrected receipt advice arrived in {file_name}"),
        });
    }
    let mut update = moved(record, record.state);
    update.release = Some(with_booked(record, &plan));
    handled.pickings.push(update);
    let mut detail = format!("receipt advice from {file_name} accepted for {reference}");
    if plan.short {
        detail.push_str(" (short)");
    }
    if let Some(destination) = &plan.destination {
        detail.push_str(&format!(", into {destination}"));
    }
    note(handled, reference, "transformed", detail);
    handled
        .outbox
        .push(to_odoo(site, EventKind::ReceiptApply, reference, &plan));
    // An advice accepted before (whose booking Odoo then rejected) already
    // notified finance, so a corrected one does not notify it twice.
    let notified = record
        .release
        .as_ref()
        .is_some_and(|release| release.get(BOOKED).is_some());
    if receipt.kind == ReceiptKind::Return && !notified {
        let order = returned_delivery(&receipt)
            .and_then(|delivery| records.get(delivery))
            .and_then(|delivery| delivery.release.clone())
            .and_then(|release| serde_json::from_value::<OrderRelease>(release).ok())
            .map(|release| release.order_name)
            .filter(|name| !name.is_empty());
        follow_up(handled, site, lifecycle, &receipt, advice, order);
    }
}

/// Notifies finance that a return arrived, by exception or activity as the
/// site's rule sets.
fn follow_up(
    handled: &mut Handled,
    site: &Site,
    lifecycle: &SiteLifecycle,
    receipt: &ExpectedReceipt,
    advice: &ReceiptAdvice,
    order: Option<String>,
) {
    let reference = receipt.picking_name.as_str();
    let dispositions: Vec<&str> = advice
        .lines
        .iter()
        .filter_map(|line| line.disposition.map(|d| d.as_str()))
        .collect();
    let disposition = dispositions.first().copied().unwrap_or("restock");
    let text = format!(
        "return {reference} ({}) from {} received by the warehouse with disposition {disposition}, \
         its booking in Odoo queued; check whether a credit note is due",
        receipt.origin, receipt.partner
    );
    match lifecycle.rules.finance_follow_up {
        FinanceFollowUp::Exception => {
            raise(handled, site, ExceptionKind::CreditNoteDue, reference, text);
        }
        FinanceFollowUp::Activity => {
            let Some(order_name) = order else {
                let detail = format!(
                    "{text}. Odoo shows no sale order for the return, so no activity was scheduled"
                );
                raise(
                    handled,
                    site,
                    ExceptionKind::CreditNoteDue,
                    reference,
                    detail,
                );
                return;
            };
            let payload = FollowUp {
                order_name,
                summary: format!("Credit note check for return {reference}"),
                note: text,
            };
            handled.outbox.push(to_odoo(
                site,
                EventKind::ReturnFollowUp,
                reference,
                &payload,
            ));
        }
    }
}

/// The delivery a customer return brings back, from its origin
/// `Return of WH/OUT/00001`.
pub(crate) fn returned_delivery(receipt: &ExpectedReceipt) -> Option<&str> {
    if receipt.kind != ReceiptKind::Return {
        return None;
    }
    receipt.origin.strip_prefix("Return of ").map(str::trim)
}

/// The receipt as the lifecycle row keeps it, with the sale order of a
/// return or the purchase order of a receipt under `order_name`, where the
/// store looks up an order's pickings.
fn stored_receipt(receipt: &ExpectedReceipt, order: Option<String>) -> serde_json::Value {
    let mut stored = serde_json::to_value(receipt).expect("receipt serialises");
    if let (Some(order), Some(fields)) = (order, stored.as_object_mut()) {
        fields.insert("order_name".to_owned(), serde_json::Value::String(order));
    }
    stored
}

/// Returns the purchase order of a purchase receipt, from its origin.
fn purchase_order(receipt: &ExpectedReceipt) -> Option<String> {
    let origin = receipt.origin.trim();
    (receipt.kind == ReceiptKind::Purchase && !origin.is_empty()).then(|| origin.to_owned())
}

/// Exception kinds a corrected advice for the same receipt ends.
const ADVICE_EXCEPTIONS: [ExceptionKind; 6] = [
    ExceptionKind::OverReceipt,
    ExceptionKind::UnknownSku,
    ExceptionKind::UnknownLot,
    ExceptionKind::MixedDisposition,
    ExceptionKind::NothingReceived,
    ExceptionKind::UnknownReceipt,
];

/// Decides on an advice for a receipt already booked or being booked: the
/// same quantities again are a duplicate, anything else an exception,
/// because the receipt is done in Odoo.
fn after_booking(
    handled: &mut Handled,
    site: &Site,
    file_name: &str,
    record: &PickingRecord,
    matched: &Matched,
) {
    let reference = record.picking_name.as_str();
    let booked = record
        .release
        .as_ref()
        .and_then(|release| release.get(BOOKED))
        .and_then(|moves| serde_json::from_value::<Vec<ReceivedMove>>(moves.clone()).ok());
    let same =
        matches!((matched, &booked), (Matched::Plan(plan), Some(moves)) if &plan.moves == moves);
    if same {
        note(
            handled,
            reference,
            "duplicate",
            format!("receipt advice in {file_name} ignored: {reference} is already {} with the same quantities", record.state),
        );
        return;
    }
    let detail = format!(
        "receipt advice in {file_name} for {reference} differs from the advice already booked ({} in Wharf); \
         nothing was booked. Book the difference by hand in Odoo, for example on a new receipt, then resolve this exception",
        record.state
    );
    raise(handled, site, ExceptionKind::OverReceipt, reference, detail);
}

/// Key of the booked quantities in a receipt's stored lifecycle row.
const BOOKED: &str = "booked";

/// Returns the receipt's stored row with the quantities the advice books.
fn with_booked(record: &PickingRecord, plan: &ReceiptPlan) -> serde_json::Value {
    let mut stored = record.release.clone().unwrap_or_default();
    if let Some(fields) = stored.as_object_mut() {
        let moves = serde_json::to_value(&plan.moves).expect("received moves serialise");
        fields.insert(BOOKED.to_owned(), moves);
    }
    stored
}
