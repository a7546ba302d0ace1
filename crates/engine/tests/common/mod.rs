//! Recorders at the engine's ports, shared by the flow tests: Odoo and a
//! warehouse folder in memory.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use wharf_engine::inventory::InventoryPlan;
use wharf_engine::lifecycle::{FollowUp, IncomingReceipt, PickingNow, ReceiptPlan, ReceiptResult};
use wharf_engine::ports::{
    Erp, InFile, InventoryResult, OdooStock, PortError, ShipResult, WarehouseFiles, WriteResult,
};
use wharf_engine::shipment::ShipmentPlan;
use wharf_engine::Engine;
use wharf_model::{Address, Decimal, OrderLine, OrderRelease};

/// Odoo as a recorder: returns the configured ready pickings and records writes.
#[derive(Debug, Default)]
pub struct RecordingErp {
    pub ready: Mutex<Vec<OrderRelease>>,
    pub applied: Mutex<Vec<ShipmentPlan>>,
    pub tracking: Mutex<Vec<(i64, Vec<String>)>>,
    pub inventory: Mutex<Vec<InventoryPlan>>,
    /// Quants `stock_on_hand` returns.
    pub stock: Mutex<Vec<OdooStock>>,
    /// Internal locations without stock that `internal_locations` lists too.
    pub locations: Mutex<Vec<String>>,
    /// Pickings as they are in Odoo now, for `pickings_now`.
    pub now: Mutex<Vec<PickingNow>>,
    /// Receipts `expected_receipts` returns.
    pub receipts: Mutex<Vec<IncomingReceipt>>,
    pub received: Mutex<Vec<ReceiptPlan>>,
    /// When set, `apply_receipt` fails with this permanent error.
    pub receipt_error: Mutex<Option<String>>,
    pub notes: Mutex<Vec<(i64, String)>>,
    pub follow_ups: Mutex<Vec<FollowUp>>,
}

#[async_trait]
impl Erp for RecordingErp {
    async fn ready_pickings(
        &self,
        _warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<OrderRelease>, PortError> {
        let ready = self.ready.lock().unwrap();
        Ok(ready
            .iter()
            .filter(|order| {
                after.is_none_or(|(date, id)| {
                    (order.write_date.as_str(), order.picking_id) > (date, id)
                })
            })
            .cloned()
            .collect())
    }

    async fn pickings_by_id(
        &self,
        _warehouses: &[String],
        picking_ids: &[i64],
    ) -> Result<Vec<OrderRelease>, PortError> {
        let ready = self.ready.lock().unwrap();
        Ok(ready
            .iter()
            .filter(|order| picking_ids.contains(&order.picking_id))
            .cloned()
            .collect())
    }

    async fn apply_shipments(
        &self,
        batch: &[ShipmentPlan],
    ) -> Vec<(i64, Result<ShipResult, PortError>)> {
        self.applied.lock().unwrap().extend(batch.iter().cloned());
        batch
            .iter()
            .map(|plan| {
                let backorder = plan.short.then(|| format!("{}-BO", plan.picking_name));
                (plan.picking_id, Ok(ShipResult::Validated { backorder }))
            })
            .collect()
    }

    async fn add_tracking(&self, picking_id: i64, tracking: &[String]) -> Result<(), PortError> {
        self.tracking
            .lock()
            .unwrap()
            .push((picking_id, tracking.to_vec()));
        Ok(())
    }

    async fn apply_inventory(&self, plan: &InventoryPlan) -> Result<InventoryResult, PortError> {
        let mut applied = self.inventory.lock().unwrap();
        let already_applied = applied.iter().any(|p| p.reference == plan.reference);
        if !already_applied {
            applied.push(plan.clone());
        }
        Ok(InventoryResult {
            already_applied,
            quants: plan.net_changes().len(),
            scraps: plan.scraps().count(),
            lots_created: vec![],
        })
    }

    async fn stock_on_hand(&self, _locations: &[String]) -> Result<Vec<OdooStock>, PortError> {
        Ok(self.stock.lock().unwrap().clone())
    }

    /// Lists the locations of the recorded stock and `locations`.
    async fn internal_locations(&self, _under: &[String]) -> Result<Vec<String>, PortError> {
        let mut names: Vec<String> = self.locations.lock().unwrap().clone();
        names.extend(
            self.stock
                .lock()
                .unwrap()
                .iter()
                .map(|row| row.key.location.clone()),
        );
        Ok(names)
    }

    async fn pickings_now(&self, picking_ids: &[i64]) -> Result<Vec<PickingNow>, PortError> {
        let now = self.now.lock().unwrap();
        Ok(now
            .iter()
            .filter(|picking| picking_ids.contains(&picking.picking_id))
            .cloned()
            .collect())
    }

    async fn expected_receipts(
        &self,
        _warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<IncomingReceipt>, PortError> {
        let receipts = self.receipts.lock().unwrap();
        Ok(receipts
            .iter()
            .filter(|incoming| {
                after.is_none_or(|(date, id)| {
                    (incoming.write_date.as_str(), incoming.receipt.picking_id) > (date, id)
                })
            })
            .cloned()
            .collect())
    }

    /// Records the plan; a second plan for the same receipt is already done.
    async fn apply_receipt(&self, plan: &ReceiptPlan) -> Result<ReceiptResult, PortError> {
        if let Some(error) = self.receipt_error.lock().unwrap().clone() {
            return Err(PortError::permanent(error));
        }
        let mut received = self.received.lock().unwrap();
        let backorder = (plan.short && plan.backorder).then(|| format!("{}-BO", plan.picking_name));
        if received.iter().any(|p| p.picking_id == plan.picking_id) {
            return Ok(ReceiptResult::AlreadyDone { backorder });
        }
        received.push(plan.clone());
        Ok(ReceiptResult::Received { backorder })
    }

    async fn post_note(&self, picking_id: i64, body: &str) -> Result<(), PortError> {
        self.notes
            .lock()
            .unwrap()
            .push((picking_id, body.to_owned()));
        Ok(())
    }

    async fn schedule_follow_up(&self, follow_up: &FollowUp) -> Result<bool, PortError> {
        let mut follow_ups = self.follow_ups.lock().unwrap();
        if follow_ups.iter().any(|f| f.summary == follow_up.summary) {
            return Ok(false);
        }
        follow_ups.push(follow_up.clone());
        Ok(true)
    }
}

/// A warehouse folder in memory.
#[derive(Debug, Default)]
pub struct MemoryFolder {
    pub incoming: Mutex<Vec<InFile>>,
    pub written: Mutex<BTreeMap<String, Vec<u8>>>,
    pub archived: Mutex<Vec<String>>,
    pub rejected: Mutex<Vec<(String, String)>>,
}

impl MemoryFolder {
    pub fn drop_file(&self, name: &str, bytes: &[u8]) {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let file = InFile {
            name: name.to_owned(),
            bytes: bytes.to_vec(),
            sha256,
            handle: name.to_owned(),
        };
        self.incoming.lock().unwrap().push(file);
    }
}

#[async_trait]
impl WarehouseFiles for MemoryFolder {
    async fn scan(&self) -> Result<Vec<InFile>, PortError> {
        Ok(self.incoming.lock().unwrap().clone())
    }

    async fn archive(&self, file: &InFile) -> Result<(), PortError> {
        self.incoming
            .lock()
            .unwrap()
            .retain(|f| f.handle != file.handle);
        self.archived.lock().unwrap().push(file.name.clone());
        Ok(())
    }

    async fn reject(&self, file: &InFile, reason: &str) -> Result<(), PortError> {
        self.incoming
            .lock()
            .unwrap()
            .retain(|f| f.handle != file.handle);
        self.rejected
            .lock()
            .unwrap()
            .push((file.name.clone(), reason.to_owned()));
        Ok(())
    }

    async fn write(&self, name: &str, bytes: &[u8]) -> Result<WriteResult, PortError> {
        let mut written = self.written.lock().unwrap();
        match written.get(name) {
            Some(existing) if existing == bytes => Ok(WriteResult::AlreadyPresent),
            Some(_) => Err(PortError::permanent(format!(
                "{name} exists with other content"
            ))),
            None => {
                written.insert(name.to_owned(), bytes.to_vec());
                Ok(WriteResult::Written)
            }
        }
    }
}

/// Runs engine passes until one finds no work; panics after 20 busy passes.
pub async fn settle(engine: &Engine) {
    for _ in 0..20 {
        if engine.step().await == 0 {
            return;
        }
    }
    panic!("the engine kept working after 20 passes");
}

/// Builds a ready picking of picking `picking_id` for a customer in Reno,
/// one line per `(sku, quantity)`.
pub fn order(picking_id: i64, name: &str, lines: &[(&str, i64)]) -> OrderRelease {
    OrderRelease {
        picking_id,
        picking_name: name.to_owned(),
        order_name: format!("S{picking_id:05}"),
        customer_ref: String::new(),
        warehouse: "WH".to_owned(),
        customer: "Contoso Retail Ltd".to_owned(),
        customer_tags: vec![],
        credit_hold: false,
        ship_to: Address {
            name: "Contoso DC Reno".to_owned(),
            street: "1 Dock Road".to_owned(),
            zip: "89501".to_owned(),
            city: "Reno".to_owned(),
            country_code: "US".to_owned(),
            ..Address::default()
        },
        carrier: String::new(),
        scheduled_date: "2026-12-04 10:00:00".to_owned(),
        write_date: format!("2026-12-04 10:00:{:02}", picking_id % 60),
        lines: lines
            .iter()
            .enumerate()
            .map(|(index, (sku, quantity))| OrderLine {
                line_no: u32::try_from(index + 1).unwrap(),
                move_id: picking_id * 10 + i64::try_from(index).unwrap(),
                product_id: 100 + i64::try_from(index).unwrap(),
                sku: (*sku).to_owned(),
                description: (*sku).to_owned(),
                quantity: Decimal::from(*quantity),
                uom: "Units".to_owned(),
                tracking: "none".to_owned(),
                reserved_lots: vec![],
            })
            .collect(),
    }
}
