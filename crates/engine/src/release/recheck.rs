//! Re-reads held pickings and releases the ones whose cause was fixed.
//!
//! The poll does not see such a fix: removing a credit-hold tag or
//! completing an address changes the partner, not the picking's
//! `write_date`, and a picking's release key is stored already. So every
//! held picking is read again by id, and one that now passes the release
//! rules is ingested under a key of its own hold, which the handler
//! releases and whose `held_order` exception it resolves.

use std::sync::Arc;

use wharf_model::{EventKind, PickingState};
use wharf_store::{Ingest, Store};

use super::rules::{due_after_horizon, hold_reason};
use super::source::{batch_envelope, envelope};
use crate::config::ReleaseMode;
use crate::site::{Site, SiteErps};
use crate::worker::SourceError;

/// The re-check of held pickings of every site.
#[derive(Debug)]
pub struct HeldRecheck {
    pub store: Arc<dyn Store>,
    /// Each site's pickings are read through the site's own port.
    pub erp: SiteErps,
    pub sites: Vec<Site>,
}

impl HeldRecheck {
    /// Ingests every held picking that now passes the release rules;
    /// returns how many.
    pub async fn run_once(&self) -> Result<usize, SourceError> {
        let mut released = 0;
        for site in &self.sites {
            released += self.recheck_site(site).await?;
        }
        Ok(released)
    }

    async fn recheck_site(&self, site: &Site) -> Result<usize, SourceError> {
        let held = self
            .store
            .pickings_in_state(site.code(), PickingState::Held)
            .await?;
        if held.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = held.iter().map(|record| record.picking_id).collect();
        let orders = self
            .erp
            .for_site(site.code())
            .pickings_by_id(&site.rules.warehouses, &ids)
            .await?;

        let now = jiff::Timestamp::now();
        let mut messages = Vec::new();
        let mut fresh = Vec::new();
        for order in orders {
            if hold_reason(&order, &site.rules).is_some()
                || due_after_horizon(&order, &site.rules, now).is_some()
            {
                continue;
            }
            let Some(record) = held.iter().find(|r| r.picking_id == order.picking_id) else {
                continue;
            };
            // One key per hold: the time the picking was held names it, so a
            // picking held again later can be released again.
            let key = format!(
                "release:{}:{}:after-hold:{}",
                site.code(),
                order.picking_id,
                record.updated_at.as_microsecond()
            );
            if self.store.has_key(&key).await? {
                continue;
            }
            messages.push(envelope(
                EventKind::PickingReady,
                site.code(),
                &order.picking_name,
                key,
                serde_json::to_value(&order).expect("order release serialises"),
            ));
            fresh.push(order);
        }
        let released = fresh.len();
        if site.rules.release_mode == ReleaseMode::BatchPerPoll && !fresh.is_empty() {
            messages.push(batch_envelope(site.code(), fresh));
        }
        if !messages.is_empty() {
            crate::telemetry::ingest(
                &*self.store,
                Ingest {
                    source: format!("odoo:{}:held", site.code()),
                    cursor: None,
                    messages,
                },
            )
            .await?;
            tracing::info!(
                site = site.code(),
                released,
                "Held pickings released after their cause was fixed"
            );
        }
        Ok(released)
    }
}
