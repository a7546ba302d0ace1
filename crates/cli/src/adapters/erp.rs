//! The Odoo client as the engine's [`Erp`] port.

use async_trait::async_trait;
use wharf_engine::inventory::InventoryPlan;
use wharf_engine::lifecycle::{FollowUp, IncomingReceipt, PickingNow, ReceiptPlan, ReceiptResult};
use wharf_engine::ports::{Erp, FailureKind, InventoryResult, OdooStock, PortError, ShipResult};
use wharf_engine::shipment::ShipmentPlan;
use wharf_engine::ShortShipmentRule;
use wharf_model::{Address, OrderLine, OrderRelease};
use wharf_odoo::stock::{
    BackorderPolicy, LotQty, MoveShipment, ReadyPicking, ReadyQuery, ShipmentOutcome, ShipmentWrite,
};
use wharf_odoo::{Client, Error, ErrorKind};

/// Odoo behind the [`Erp`] port.
///
/// Reads for the release poll and writes for shipments go through two
/// clients, so each keeps its own call counts: the benchmark reports Odoo
/// calls per released order and per confirmed picking from them. The
/// lifecycle flows (changes, receipts, notes, activities) use a third.
#[derive(Debug, Clone)]
pub struct OdooErp {
    reader: Client,
    writer: Client,
    lifecycle: Client,
    page_size: u32,
    /// The `res.partner` field that flags credit hold (`odoo.credit_hold_field`).
    credit_hold_field: Option<String>,
}

impl OdooErp {
    pub fn new(
        [reader, writer, lifecycle]: [Client; 3],
        page_size: u32,
        credit_hold_field: Option<String>,
    ) -> Self {
        Self {
            reader,
            writer,
            lifecycle,
            page_size,
            credit_hold_field,
        }
    }

    /// Calls made so far by the release poll and by shipment writes.
    pub fn call_totals(&self) -> (u64, u64) {
        let total = |client: &Client| client.call_counts().values().sum();
        (total(&self.reader), total(&self.writer))
    }

    /// Calls made so far by the lifecycle flows.
    pub fn lifecycle_calls(&self) -> u64 {
        self.lifecycle.call_counts().values().sum()
    }
}

#[async_trait]
impl Erp for OdooErp {
    async fn ready_pickings(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<OrderRelease>, PortError> {
        let query = ReadyQuery {
            warehouse_codes: warehouses.to_vec(),
            write_date_from: after.map(|(date, _)| date.to_owned()),
            after_id: after.map(|(_, id)| id),
            page_size: self.page_size,
            picking_ids: vec![],
            credit_hold_field: self.credit_hold_field.clone(),
        };
        let page = self
            .reader
            .ready_pickings(&query)
            .await
            .map_err(port_error)?;
        Ok(page.into_iter().map(order_release).collect())
    }

    async fn apply_shipments(
        &self,
        batch: &[ShipmentPlan],
    ) -> Vec<(i64, Result<ShipResult, PortError>)> {
        let writes: Vec<ShipmentWrite> = batch.iter().map(shipment_write).collect();
        self.writer
            .apply_shipments(&writes)
            .await
            .into_iter()
            .map(|(picking_id, result)| {
                let result = result.map(ship_result).map_err(port_error);
                (picking_id, result)
            })
            .collect()
    }

    async fn add_tracking(&self, picking_id: i64, tracking: &[String]) -> Result<(), PortError> {
        self.writer
            .add_tracking(picking_id, tracking)
            .await
            .map_err(port_error)
    }

    async fn pickings_by_id(
        &self,
        warehouses: &[String],
        picking_ids: &[i64],
    ) -> Result<Vec<OrderRelease>, PortError> {
        let mut found = Vec::new();
        let page = usize::try_from(self.page_size.max(1)).unwrap_or(100);
        for ids in picking_ids.chunks(page) {
            let query = ReadyQuery {
                warehouse_codes: warehouses.to_vec(),
                write_date_from: None,
                after_id: None,
                page_size: self.page_size.max(1),
                picking_ids: ids.to_vec(),
                credit_hold_field: self.credit_hold_field.clone(),
            };
            let pickings = self
                .reader
                .ready_pickings(&query)
                .await
                .map_err(port_error)?;
            found.extend(pickings.into_iter().map(order_release));
        }
        Ok(found)
    }

    async fn apply_inventory(&self, plan: &InventoryPlan) -> Result<InventoryResult, PortError> {
        super::inventory::apply_plan(&self.writer, plan).await
    }

    async fn stock_on_hand(&self, locations: &[String]) -> Result<Vec<OdooStock>, PortError> {
        super::inventory::stock_rows(&self.reader, locations).await
    }

    async fn internal_locations(&self, under: &[String]) -> Result<Vec<String>, PortError> {
        super::inventory::internal_locations(&self.reader, under).await
    }

    async fn pickings_now(&self, picking_ids: &[i64]) -> Result<Vec<PickingNow>, PortError> {
        super::lifecycle::pickings_now(&self.lifecycle, picking_ids).await
    }

    async fn expected_receipts(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<IncomingReceipt>, PortError> {
        super::lifecycle::expected_receipts(&self.lifecycle, warehouses, after, self.page_size)
            .await
    }

    async fn apply_receipt(&self, plan: &ReceiptPlan) -> Result<ReceiptResult, PortError> {
        super::lifecycle::book_receipt(&self.lifecycle, plan).await
    }

    async fn post_note(&self, picking_id: i64, body: &str) -> Result<(), PortError> {
        super::lifecycle::note(&self.lifecycle, picking_id, body).await
    }

    async fn schedule_follow_up(&self, follow_up: &FollowUp) -> Result<bool, PortError> {
        super::lifecycle::follow_up(&self.lifecycle, follow_up).await
    }
}

fn order_release(picking: ReadyPicking) -> OrderRelease {
    let partner = picking.partner;
    let customer = if partner.commercial_partner_name.is_empty() {
        partner.name.clone()
    } else {
        partner.commercial_partner_name.clone()
    };
    let lines = picking
        .moves
        .into_iter()
        .enumerate()
        .map(|(index, line)| OrderLine {
            line_no: u32::try_from(index + 1).unwrap_or(u32::MAX),
            move_id: line.id,
            product_id: line.product_id,
            sku: line.default_code,
            description: line.product_name,
            quantity: line.product_uom_qty,
            uom: line.uom_name,
            tracking: line.tracking,
            reserved_lots: line.reserved_lots,
        })
        .collect();
    OrderRelease {
        picking_id: picking.id,
        picking_name: picking.name,
        order_name: picking.sale_order_name,
        customer_ref: picking.customer_ref,
        warehouse: picking.warehouse_code,
        customer,
        customer_tags: partner.tags,
        credit_hold: partner.credit_hold,
        ship_to: Address {
            name: partner.name,
            street: partner.street,
            street2: partner.street2,
            zip: partner.zip,
            city: partner.city,
            state: partner.state_code,
            country_code: partner.country_code,
            phone: partner.phone,
            email: partner.email,
        },
        carrier: picking.carrier_name,
        scheduled_date: picking.scheduled_date,
        write_date: picking.write_date,
        lines,
    }
}

fn shipment_write(plan: &ShipmentPlan) -> ShipmentWrite {
    ShipmentWrite {
        picking_id: plan.picking_id,
        moves: plan
            .moves
            .iter()
            .map(|planned| MoveShipment {
                move_id: planned.move_id,
                product_id: planned.product_id,
                lots: planned
                    .lots
                    .iter()
                    .map(|lot| LotQty {
                        lot_name: lot.lot.clone(),
                        expiry_date: lot.expiry_date.clone(),
                        quantity: lot.quantity,
                    })
                    .collect(),
            })
            .collect(),
        carrier_name: plan.carrier.clone(),
        tracking_ref: if plan.tracking.is_empty() {
            None
        } else {
            Some(plan.tracking.join(","))
        },
        backorder: match plan.short_rule {
            ShortShipmentRule::Backorder => BackorderPolicy::Create,
            ShortShipmentRule::Cancel => BackorderPolicy::Cancel,
        },
        create_unknown_lots: plan.create_unknown_lots,
        ship_expired_lots: plan.ship_expired_lots,
    }
}

fn ship_result(outcome: ShipmentOutcome) -> ShipResult {
    match outcome {
        ShipmentOutcome::Validated { backorder } => ShipResult::Validated {
            backorder: backorder.map(|(_, name)| name),
        },
        ShipmentOutcome::AlreadyDone { backorder } => ShipResult::AlreadyDone {
            backorder: backorder.map(|(_, name)| name),
        },
    }
}

/// Carries the client's classification across the port; the message keeps
/// the model, method and Odoo error name, never the server's traceback.
pub(crate) fn port_error(error: Error) -> PortError {
    // A rejected API key is the hub's configuration, not the message's
    // fault: retry until the key is fixed, then the message goes through.
    let authentication = matches!(
        error.odoo_name(),
        Some("odoo.exceptions.AccessDenied" | "werkzeug.exceptions.Unauthorized")
    );
    if authentication {
        return PortError::transient(format!(
            "{error}; check odoo.api_key_file or odoo.api_key_env"
        ));
    }
    let kind = match error.kind() {
        ErrorKind::Transient => FailureKind::Transient,
        ErrorKind::Permanent => FailureKind::Permanent,
        ErrorKind::Defect => FailureKind::Defect,
    };
    PortError {
        kind,
        message: error.to_string(),
        exception: None,
    }
}
