//! Reads Odoo for what changed after release and for receipts to announce.
//!
//! [`ChangeWatch`] reads every picking the warehouse holds as released,
//! whole and without a `write_date` cursor, because Odoo changes a move's
//! demand without writing its picking. It costs a few calls per 200
//! pickings, so it runs at its own interval. [`ReceiptWatch`] reads receipts
//! ready to receive with a (`write_date`, id) cursor, like the release poll.

use std::sync::Arc;

use wharf_model::{EventKind, PickingState};
use wharf_store::{Ingest, PickingRecord, Store};

use super::detect::detect_change;
use super::LifecycleRules;
use crate::release::source::{envelope, rewind};
use crate::site::{Site, SiteErps};
use crate::worker::SourceError;

/// Pickings read from Odoo in one call of the change watch.
const CHANGE_PAGE: usize = 200;

/// The Odoo read that finds cancels and amendments after release.
#[derive(Debug)]
pub struct ChangeWatch {
    pub store: Arc<dyn Store>,
    /// Each site is read through the site's own port.
    pub erp: SiteErps,
    pub sites: Vec<Site>,
}

impl ChangeWatch {
    /// Reads the released pickings of every site that sends changes and
    /// ingests one message per cancel or amendment not seen before.
    /// Returns how many it ingested.
    pub async fn run_once(&self) -> Result<usize, SourceError> {
        let mut ingested = 0;
        for site in sites_where(&self.sites, |rules| rules.send_changes) {
            ingested += self.watch_site(site).await?;
        }
        Ok(ingested)
    }

    async fn watch_site(&self, site: &Site) -> Result<usize, SourceError> {
        let mut released: Vec<PickingRecord> = Vec::new();
        for state in PickingState::STEPS
            .into_iter()
            .chain([PickingState::Exception])
        {
            released.extend(self.store.pickings_in_state(site.code(), state).await?);
        }
        let mut ingested = 0;
        for page in released.chunks(CHANGE_PAGE) {
            let ids: Vec<i64> = page.iter().map(|record| record.picking_id).collect();
            let now = self.erp.for_site(site.code()).pickings_now(&ids).await?;
            let mut messages = Vec::new();
            for picking in &now {
                let Some(record) = page.iter().find(|r| r.picking_id == picking.picking_id) else {
                    continue;
                };
                let Some((event, key)) = detect_change(site.code(), record, picking) else {
                    continue;
                };
                if self.store.has_key(&key).await? {
                    continue;
                }
                let payload = serde_json::to_value(&event).expect("change serialises");
                messages.push(envelope(
                    EventKind::OrderChanged,
                    site.code(),
                    &picking.picking_name,
                    key,
                    payload,
                ));
            }
            ingested += messages.len();
            if !messages.is_empty() {
                crate::telemetry::ingest(
                    &*self.store,
                    Ingest {
                        source: format!("odoo:changes:{}", site.code()),
                        cursor: None,
                        messages,
                    },
                )
                .await?;
            }
        }
        Ok(ingested)
    }
}

/// The Odoo poll of receipts and returns to announce to the warehouse.
#[derive(Debug)]
pub struct ReceiptWatch {
    pub store: Arc<dyn Store>,
    /// Each site is read through the site's own port.
    pub erp: SiteErps,
    pub sites: Vec<Site>,
    /// Seconds re-read before the cursor, as in the release poll.
    pub overlap_secs: u64,
}

impl ReceiptWatch {
    /// Reads every page of receipts changed since the cursor and ingests the
    /// ones not announced before. Returns how many it ingested.
    pub async fn run_once(&self) -> Result<usize, SourceError> {
        let mut ingested = 0;
        for site in sites_where(&self.sites, |rules| rules.send_receipts) {
            ingested += self.poll_site(site).await?;
        }
        Ok(ingested)
    }

    async fn poll_site(&self, site: &Site) -> Result<usize, SourceError> {
        let source = format!("odoo:receipts:{}", site.code());
        let cursor = self.store.cursor(&source).await?;
        let mut after = cursor
            .as_deref()
            .map(|value| (rewind(value, self.overlap_secs), 0));
        let mut ingested = 0;
        loop {
            let page = self
                .erp
                .for_site(site.code())
                .expected_receipts(
                    &site.rules.warehouses,
                    after.as_ref().map(|(date, id)| (date.as_str(), *id)),
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.write_date.clone(), last.receipt.picking_id));
            let mut messages = Vec::new();
            for incoming in &page {
                let receipt = &incoming.receipt;
                let key = format!("receipt:{}:{}", site.code(), receipt.picking_id);
                if self.store.has_key(&key).await? {
                    continue;
                }
                let payload = serde_json::to_value(receipt).expect("receipt serialises");
                messages.push(envelope(
                    EventKind::ReceiptExpected,
                    site.code(),
                    &receipt.picking_name,
                    key,
                    payload,
                ));
            }
            ingested += messages.len();
            let newest = match (&cursor, &after) {
                (Some(old), Some((new, _))) if old > new => Some(old.clone()),
                (_, new) => new.as_ref().map(|(date, _)| date.clone()),
            };
            crate::telemetry::ingest(
                &*self.store,
                Ingest {
                    source: source.clone(),
                    cursor: newest,
                    messages,
                },
            )
            .await?;
        }
        Ok(ingested)
    }
}

/// Returns the sites with lifecycle flows whose rules pass `test`.
fn sites_where(
    sites: &[Site],
    test: impl Fn(&LifecycleRules) -> bool,
) -> impl Iterator<Item = &Site> {
    sites.iter().filter(move |site| {
        site.lifecycle
            .as_ref()
            .is_some_and(|lifecycle| test(&lifecycle.rules))
    })
}
