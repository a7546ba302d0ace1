//! Connector health: each connector's last successful call and its last error.
//!
//! The engine records a contact for `odoo` on every call through the [`Erp`]
//! port of the main Odoo account and for `odoo:<CODE>` on every call through
//! a site's own account, through the [`ObservedErp`] wrapper. It records one
//! for `site:<CODE>` on the calls its sources and sinks make to a site's
//! folders, through [`ObservedFiles`]. [`crate::Engine`] puts both wrappers
//! around its ports. A success records `last_ok`; a transient failure
//! records `last_error`. A permanent failure or a defect
//! records nothing, because it neither proves nor disproves that the
//! connector is reachable (the adapter may have rejected the request before
//! sending it). The server's `/readyz` reads [`Contacts::snapshot`].
//!
//! Each record also sets the gauges `wharf_connector_up` (1 after a success,
//! 0 after a transient failure) and `wharf_connector_last_contact_seconds`
//! (Unix time of the last success).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use jiff::Timestamp;
use wharf_model::OrderRelease;

use crate::inventory::InventoryPlan;
use crate::lifecycle::{FollowUp, IncomingReceipt, PickingNow, ReceiptPlan, ReceiptResult};
use crate::ports::{
    Erp, FailureKind, InFile, InventoryResult, OdooStock, PortError, ShipResult, WarehouseFiles,
    WriteResult,
};
use crate::shipment::ShipmentPlan;
use crate::telemetry::{CONNECTOR_LAST_CONTACT, CONNECTOR_UP};

/// Connector name of Odoo in [`Contacts`].
pub const ODOO: &str = "odoo";

/// Connector name of a site's own Odoo account in [`Contacts`], such as
/// `odoo:main`.
pub fn site_odoo_connector(code: &str) -> String {
    format!("{ODOO}:{code}")
}

/// Connector name of a site's folders in [`Contacts`], such as `site:main`.
pub fn site_connector(code: &str) -> String {
    format!("site:{code}")
}

/// The last success and the last transient failure of one connector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// Time of the last successful call.
    pub last_ok: Option<Timestamp>,
    /// Time and message of the last transient failure. A later success does
    /// not clear it: compare the two times to know which is current.
    pub last_error: Option<(Timestamp, String)>,
}

/// Contacts of every connector by name; clones share the same records.
#[derive(Debug, Clone, Default)]
pub struct Contacts {
    inner: Arc<Mutex<BTreeMap<String, Contact>>>,
}

impl Contacts {
    /// Records a successful call to `name` now.
    pub fn ok(&self, name: &str) {
        let now = Timestamp::now();
        self.update(name, |contact| contact.last_ok = Some(now));
        metrics::gauge!(CONNECTOR_UP, "connector" => name.to_owned()).set(1.0);
        // Unix seconds stay far below 2^53, so the f64 is exact.
        let seconds = now.as_second() as f64;
        metrics::gauge!(CONNECTOR_LAST_CONTACT, "connector" => name.to_owned()).set(seconds);
    }

    /// Records a failed call to `name` now with its error message, with any
    /// password in a URL (`scheme://user:password@host`) removed.
    pub fn failed(&self, name: &str, error: &str) {
        let entry = (Timestamp::now(), without_url_credentials(error));
        self.update(name, |contact| contact.last_error = Some(entry));
        metrics::gauge!(CONNECTOR_UP, "connector" => name.to_owned()).set(0.0);
    }

    /// Returns every connector's contact, sorted by name.
    pub fn snapshot(&self) -> Vec<(String, Contact)> {
        self.lock()
            .iter()
            .map(|(name, contact)| (name.clone(), contact.clone()))
            .collect()
    }

    /// Records the outcome of one port call: a success or a transient
    /// failure; other failures leave the contact as it was.
    pub fn observe<T>(&self, name: &str, result: &Result<T, PortError>) {
        match result {
            Ok(_) => self.ok(name),
            Err(error) if error.kind == FailureKind::Transient => {
                self.failed(name, &error.message);
            }
            Err(_) => {}
        }
    }

    fn update(&self, name: &str, change: impl FnOnce(&mut Contact)) {
        change(self.lock().entry(name.to_owned()).or_default());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Contact>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Removes the user information of every URL in `text`, so an Odoo URL
/// configured as `https://user:key@host` does not carry its key into a page.
fn without_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        if let Some(at) = authority.rfind('@') {
            out.push_str("***@");
            rest = &after[at + 1..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The [`Erp`] port with every call recorded as a contact with one Odoo
/// account's connector.
#[derive(Debug)]
pub struct ObservedErp {
    /// The port that makes the calls.
    pub inner: Arc<dyn Erp>,
    /// The connector name: [`ODOO`] or one from [`site_odoo_connector`].
    pub connector: String,
    /// Text put before every error message, such as `Odoo account
    /// "wharf-east" of site east`, so that an exception names the account
    /// that made the call. `None` leaves messages as they are.
    pub account: Option<String>,
    /// The record of outcomes.
    pub contacts: Contacts,
}

impl ObservedErp {
    fn seen<T>(&self, result: Result<T, PortError>) -> Result<T, PortError> {
        let result = self.labelled(result);
        self.contacts.observe(&self.connector, &result);
        result
    }

    fn labelled<T>(&self, result: Result<T, PortError>) -> Result<T, PortError> {
        match (&self.account, result) {
            (Some(account), Err(mut error)) => {
                error.message = format!("{account}: {}", error.message);
                Err(error)
            }
            (_, result) => result,
        }
    }
}

#[async_trait]
impl Erp for ObservedErp {
    async fn ready_pickings(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<OrderRelease>, PortError> {
        self.seen(self.inner.ready_pickings(warehouses, after).await)
    }

    async fn pickings_by_id(
        &self,
        warehouses: &[String],
        picking_ids: &[i64],
    ) -> Result<Vec<OrderRelease>, PortError> {
        self.seen(self.inner.pickings_by_id(warehouses, picking_ids).await)
    }

    /// Records a success when any picking went through, else the first
    /// transient failure.
    async fn apply_shipments(
        &self,
        batch: &[ShipmentPlan],
    ) -> Vec<(i64, Result<ShipResult, PortError>)> {
        let results: Vec<_> = self
            .inner
            .apply_shipments(batch)
            .await
            .into_iter()
            .map(|(picking, result)| (picking, self.labelled(result)))
            .collect();
        let summary = match results.iter().find(|(_, result)| result.is_ok()) {
            Some(_) => Ok(()),
            None => results
                .iter()
                .find_map(|(_, result)| result.as_ref().err().cloned())
                .map_or(Ok(()), Err),
        };
        if !results.is_empty() {
            self.contacts.observe(&self.connector, &summary);
        }
        results
    }

    async fn add_tracking(&self, picking_id: i64, tracking: &[String]) -> Result<(), PortError> {
        self.seen(self.inner.add_tracking(picking_id, tracking).await)
    }

    async fn apply_inventory(&self, plan: &InventoryPlan) -> Result<InventoryResult, PortError> {
        self.seen(self.inner.apply_inventory(plan).await)
    }

    async fn stock_on_hand(&self, locations: &[String]) -> Result<Vec<OdooStock>, PortError> {
        self.seen(self.inner.stock_on_hand(locations).await)
    }

    async fn internal_locations(&self, under: &[String]) -> Result<Vec<String>, PortError> {
        self.seen(self.inner.internal_locations(under).await)
    }

    async fn pickings_now(&self, picking_ids: &[i64]) -> Result<Vec<PickingNow>, PortError> {
        self.seen(self.inner.pickings_now(picking_ids).await)
    }

    async fn expected_receipts(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<IncomingReceipt>, PortError> {
        self.seen(self.inner.expected_receipts(warehouses, after).await)
    }

    async fn apply_receipt(&self, plan: &ReceiptPlan) -> Result<ReceiptResult, PortError> {
        self.seen(self.inner.apply_receipt(plan).await)
    }

    async fn post_note(&self, picking_id: i64, body: &str) -> Result<(), PortError> {
        self.seen(self.inner.post_note(picking_id, body).await)
    }

    async fn schedule_follow_up(&self, follow_up: &FollowUp) -> Result<bool, PortError> {
        self.seen(self.inner.schedule_follow_up(follow_up).await)
    }
}

/// A site's folders with every call recorded as a contact with
/// `site:<CODE>`.
#[derive(Debug)]
pub struct ObservedFiles {
    /// The folders that do the work.
    pub inner: Arc<dyn WarehouseFiles>,
    /// The connector name, from [`site_connector`].
    pub connector: String,
    /// The record of outcomes.
    pub contacts: Contacts,
}

impl ObservedFiles {
    fn seen<T>(&self, result: Result<T, PortError>) -> Result<T, PortError> {
        self.contacts.observe(&self.connector, &result);
        result
    }
}

#[async_trait]
impl WarehouseFiles for ObservedFiles {
    async fn scan(&self) -> Result<Vec<InFile>, PortError> {
        self.seen(self.inner.scan().await)
    }

    async fn archive(&self, file: &InFile) -> Result<(), PortError> {
        self.seen(self.inner.archive(file).await)
    }

    async fn reject(&self, file: &InFile, reason: &str) -> Result<(), PortError> {
        self.seen(self.inner.reject(file, reason).await)
    }

    async fn write(&self, name: &str, bytes: &[u8]) -> Result<WriteResult, PortError> {
        self.seen(self.inner.write(name, bytes).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_then_failure_keeps_both() {
        let contacts = Contacts::default();
        contacts.ok(ODOO);
        contacts.failed(ODOO, "common.version failed: could not reach Odoo");

        let snapshot = contacts.snapshot();
        assert_eq!(snapshot.len(), 1);
        let (name, contact) = &snapshot[0];
        assert_eq!(name, ODOO);
        let last_ok = contact.last_ok.expect("the success is recorded");
        let (failed_at, message) = contact.last_error.clone().expect("the error is recorded");
        assert!(failed_at >= last_ok);
        assert_eq!(message, "common.version failed: could not reach Odoo");
    }

    #[test]
    fn clones_share_records() {
        let contacts = Contacts::default();
        let clone = contacts.clone();
        clone.ok("site:main");
        assert_eq!(contacts.snapshot()[0].0, "site:main");
    }

    #[test]
    fn snapshot_sorted_by_name() {
        let contacts = Contacts::default();
        contacts.ok("site:north");
        contacts.ok(ODOO);
        contacts.ok("site:east");
        let names: Vec<String> = contacts.snapshot().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["odoo", "site:east", "site:north"]);
    }

    #[test]
    fn observe_ignores_permanent_failures() {
        let contacts = Contacts::default();
        contacts.observe::<()>(ODOO, &Err(PortError::permanent("picking WH/OUT/1 is done")));
        contacts.observe::<()>(ODOO, &Err(PortError::defect("bad request")));
        assert!(contacts.snapshot().is_empty());

        contacts.observe::<()>(ODOO, &Err(PortError::transient("timed out")));
        let contact = &contacts.snapshot()[0].1;
        assert_eq!(contact.last_ok, None);
        assert_eq!(contact.last_error.as_ref().unwrap().1, "timed out");
    }

    #[test]
    fn failure_message_drops_url_password() {
        let contacts = Contacts::default();
        contacts.failed(
            ODOO,
            "call failed: could not reach Odoo at https://admin:s3cret@odoo.example:8069/jsonrpc: timed out",
        );
        let message = contacts.snapshot()[0].1.last_error.clone().unwrap().1;
        assert!(!message.contains("s3cret"), "{message}");
        assert_eq!(
            message,
            "call failed: could not reach Odoo at https://***@odoo.example:8069/jsonrpc: timed out"
        );
    }

    #[test]
    fn url_without_credentials_unchanged() {
        let text =
            "could not reach http://127.0.0.1:8069/json/2/res.partner/read; user@example.com";
        assert_eq!(without_url_credentials(text), text);
    }
}
