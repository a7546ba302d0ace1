//! Loads what the lifecycle handlers need from the store, decodes stored
//! files with the site's layouts, and calls the pure handlers.

use std::collections::HashMap;

use wharf_model::{EventKind, ExpectedReceipt};
use wharf_store::{Handled, Store, StoreError, StoredInbox};

use super::changes::{handle_answers, handle_change};
use super::progress::handle_progress;
use super::receipts::{handle_advice, handle_expected, returned_delivery};
use super::{ChangeEvent, SiteLifecycle};
use crate::site::Site;
use crate::worker::{records_named, stored_file, HandlerError};

/// Handles one lifecycle inbox message of `site`.
pub async fn handle(
    store: &dyn Store,
    message: &StoredInbox,
    site: &Site,
) -> Result<Result<Handled, HandlerError>, StoreError> {
    let Some(lifecycle) = &site.lifecycle else {
        return Ok(Err(HandlerError::Payload {
            message_id: message.envelope.id.to_string(),
            kind: message.envelope.kind.to_string(),
            message: format!(
                "site {} has no [sites.lifecycle] section; add it to handle this message",
                site.code()
            ),
        }));
    };
    match message.envelope.kind {
        EventKind::OrderChanged => {
            let event: ChangeEvent = match serde_json::from_value(message.envelope.payload.clone())
            {
                Ok(event) => event,
                Err(error) => return Ok(Err(HandlerError::payload(&message.envelope, &error))),
            };
            let record = store.picking(event.change.picking_id).await?;
            Ok(handle_change(message, site, lifecycle, record))
        }
        EventKind::ReceiptExpected => {
            let receipt: ExpectedReceipt =
                match serde_json::from_value(message.envelope.payload.clone()) {
                    Ok(receipt) => receipt,
                    Err(error) => return Ok(Err(HandlerError::payload(&message.envelope, &error))),
                };
            let record = store.picking(receipt.picking_id).await?;
            let order = match returned_delivery(&receipt) {
                Some(delivery) => store
                    .picking_by_name(delivery)
                    .await?
                    .and_then(|delivery| delivery.release)
                    .and_then(|release| release.get("order_name")?.as_str().map(str::to_owned))
                    .filter(|name| !name.is_empty()),
                None => None,
            };
            Ok(handle_expected(message, site, lifecycle, record, order))
        }
        _ => handle_file(store, message, site, lifecycle).await,
    }
}

async fn handle_file(
    store: &dyn Store,
    message: &StoredInbox,
    site: &Site,
    lifecycle: &SiteLifecycle,
) -> Result<Result<Handled, HandlerError>, StoreError> {
    let (file_name, bytes) = match stored_file(message) {
        Ok(file) => file,
        Err(error) => return Ok(Err(error)),
    };
    let handled = match message.envelope.kind {
        EventKind::WarehouseProgress => {
            let decoded = wharf_formats::decode_progress(&lifecycle.progress_layout, &bytes)
                .map_err(|error| error.to_string());
            let names = decoded
                .iter()
                .flatten()
                .map(|event| event.picking_ref.clone())
                .collect();
            let records = records_named(store, names).await?;
            handle_progress(message, site, lifecycle, &file_name, decoded, records)
        }
        EventKind::ChangeAnswered => {
            let decoded =
                wharf_formats::decode_change_answers(&lifecycle.change_answer_layout, &bytes)
                    .map_err(|error| error.to_string());
            let names = decoded
                .iter()
                .flatten()
                .map(|answer| answer.picking_ref.clone())
                .collect();
            let records = records_named(store, names).await?;
            handle_answers(message, site, &file_name, decoded, records)
        }
        _ => {
            let decoded =
                wharf_formats::decode_receipt_advice(&lifecycle.receipt_advice_layout, &bytes)
                    .map_err(|error| error.to_string());
            let names = decoded
                .iter()
                .flatten()
                .map(|advice| advice.picking_ref.clone())
                .collect();
            let mut records = records_named(store, names).await?;
            let deliveries = returned_deliveries(&records);
            let delivered = records_named(store, deliveries).await?;
            records.extend(delivered);
            handle_advice(message, site, lifecycle, &file_name, decoded, &records)
        }
    };
    Ok(Ok(handled))
}

/// The deliveries the expected returns among `records` bring back.
fn returned_deliveries(records: &HashMap<String, wharf_store::PickingRecord>) -> Vec<String> {
    records
        .values()
        .filter_map(|record| record.release.clone())
        .filter_map(|release| serde_json::from_value::<ExpectedReceipt>(release).ok())
        .filter_map(|receipt| returned_delivery(&receipt).map(str::to_owned))
        .collect()
}
