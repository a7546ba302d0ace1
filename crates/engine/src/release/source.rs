//! Polls Odoo for ready pickings and ingests the new ones.

use std::sync::Arc;

use jiff::civil::DateTime;
use sha2::{Digest, Sha256};
use wharf_model::{CorrelationId, Envelope, EventKind, MessageId, OrderRelease, ReleasedBatch};
use wharf_store::{Ingest, Store};

use crate::config::{EngineSettings, ReleaseMode};
use crate::ports::Erp;
use crate::site::Site;
use crate::worker::SourceError;

/// Cursor name of the Odoo release poll.
pub const CURSOR: &str = "odoo:release";

const ODOO_DATETIME: &str = "%Y-%m-%d %H:%M:%S";

/// The Odoo poll of the order release flow.
#[derive(Debug)]
pub struct ReleaseSource {
    pub store: Arc<dyn Store>,
    pub erp: Arc<dyn Erp>,
    pub sites: Vec<Site>,
    pub settings: EngineSettings,
}

impl ReleaseSource {
    /// Reads every page of ready pickings changed since the cursor (minus
    /// the overlap) and ingests the pickings not released before. Returns
    /// how many new pickings it ingested.
    pub async fn poll_once(&self) -> Result<usize, SourceError> {
        let warehouses: Vec<String> = self
            .sites
            .iter()
            .flat_map(|site| site.rules.warehouses.clone())
            .collect();
        let cursor = self.store.cursor(CURSOR).await?;
        let start = cursor
            .as_deref()
            .map(|value| rewind(value, self.settings.poll_overlap_secs));
        let mut after: Option<(String, i64)> = start.map(|write_date| (write_date, 0));
        let mut ingested = 0;

        loop {
            let page = self
                .erp
                .ready_pickings(
                    &warehouses,
                    after.as_ref().map(|(date, id)| (date.as_str(), *id)),
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.write_date.clone(), last.picking_id));

            let messages = self.new_messages(page).await?;
            ingested += messages
                .iter()
                .filter(|m| m.kind == EventKind::PickingReady)
                .count();
            let page_cursor = after.as_ref().map(|(date, _)| date.clone());
            let cursor = match (&cursor, page_cursor) {
                (Some(old), Some(new)) if *old > new => Some(old.clone()),
                (_, new) => new,
            };
            crate::telemetry::ingest(
                &*self.store,
                Ingest {
                    source: CURSOR.to_owned(),
                    cursor,
                    messages,
                },
            )
            .await?;
        }
        Ok(ingested)
    }

    async fn new_messages(&self, page: Vec<OrderRelease>) -> Result<Vec<Envelope>, SourceError> {
        let mut messages = Vec::new();
        for site in &self.sites {
            let mut fresh = Vec::new();
            for order in page.iter().filter(|order| site.serves(&order.warehouse)) {
                let key = release_key(site.code(), order.picking_id);
                if self.store.has_key(&key).await? {
                    continue;
                }
                messages.push(envelope(
                    EventKind::PickingReady,
                    site.code(),
                    &order.picking_name,
                    key,
                    serde_json::to_value(order).expect("order release serialises"),
                ));
                fresh.push(order.clone());
            }
            if site.rules.release_mode == ReleaseMode::BatchPerPoll && !fresh.is_empty() {
                messages.push(batch_envelope(site.code(), fresh));
            }
        }
        Ok(messages)
    }
}

/// Idempotency key that makes a picking release once per site.
pub fn release_key(site: &str, picking_id: i64) -> String {
    format!("release:{site}:{picking_id}")
}

pub(crate) fn batch_envelope(site: &str, orders: Vec<OrderRelease>) -> Envelope {
    let mut hasher = Sha256::new();
    for order in &orders {
        hasher.update(order.picking_id.to_le_bytes());
    }
    let digest = hex::encode(hasher.finalize());
    let batch_id = format!("{}-{}", orders[0].picking_id, &digest[..12]);
    let key = format!("release-batch:{site}:{digest}");
    let batch = ReleasedBatch {
        batch_id: batch_id.clone(),
        orders,
    };
    envelope(
        EventKind::PickingBatchReady,
        site,
        &format!("batch:{batch_id}"),
        key,
        serde_json::to_value(batch).expect("batch serialises"),
    )
}

pub(crate) fn envelope(
    kind: EventKind,
    site: &str,
    correlation: &str,
    key: String,
    payload: serde_json::Value,
) -> Envelope {
    Envelope {
        id: MessageId::new(),
        kind,
        site: site.to_owned(),
        correlation_id: CorrelationId(correlation.to_owned()),
        idempotency_key: key,
        source: "odoo".to_owned(),
        payload,
    }
}

/// Moves an Odoo naive UTC time back by `seconds`; a value that does not
/// parse is returned unchanged, which only costs a wider re-read.
pub(crate) fn rewind(write_date: &str, seconds: u64) -> String {
    let Ok(parsed) = DateTime::strptime(ODOO_DATETIME, write_date) else {
        return write_date.to_owned();
    };
    let span = jiff::Span::new().seconds(i64::try_from(seconds).unwrap_or(i64::MAX));
    parsed
        .checked_sub(span)
        .map(|earlier| earlier.strftime(ODOO_DATETIME).to_string())
        .unwrap_or_else(|_| write_date.to_owned())
}

#[cfg(test)]
mod tests {
    use super::rewind;

    #[test]
    fn rewind_crosses_midnight() {
        assert_eq!(rewind("2026-12-05 00:00:01", 2), "2026-12-04 23:59:59");
    }

    #[test]
    fn rewind_keeps_unparsable_value() {
        assert_eq!(rewind("yesterday", 2), "yesterday");
    }
}
