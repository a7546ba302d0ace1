//! The engine's view of the outside world: Odoo and a warehouse's folders.
//!
//! The engine uses no HTTP client and no file system. The binary wires an
//! adapter for each port: the Odoo client for [`Erp`], the folder transport
//! for [`WarehouseFiles`]. Errors cross the ports as [`PortError`], whose
//! [`FailureKind`] decides whether the engine retries or raises an exception.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use wharf_model::{Decimal, ExceptionKind, OrderRelease, StockKey};

use crate::inventory::InventoryPlan;
use crate::lifecycle::{FollowUp, IncomingReceipt, PickingNow, ReceiptPlan, ReceiptResult};
use crate::shipment::ShipmentPlan;

/// Handling class of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Retry with backoff: a timeout, a dropped connection, a busy database.
    Transient,
    /// Stop and raise an exception for the business owner: Odoo rejected it.
    Permanent,
    /// Stop and raise an exception for IT: the request itself is wrong.
    Defect,
}

/// A failure reported by an adapter.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct PortError {
    pub kind: FailureKind,
    pub message: String,
    /// Exception kind of a permanent failure when the adapter has a more
    /// precise one than the sink's default (for example an unknown lot).
    pub exception: Option<ExceptionKind>,
}

impl PortError {
    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            kind: FailureKind::Transient,
            message: message.into(),
            exception: None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            kind: FailureKind::Permanent,
            message: message.into(),
            exception: None,
        }
    }

    /// Marks a permanent failure with a precise exception kind.
    #[must_use]
    pub fn with_exception(mut self, kind: ExceptionKind) -> Self {
        self.exception = Some(kind);
        self
    }

    pub fn defect(message: impl Into<String>) -> Self {
        Self {
            kind: FailureKind::Defect,
            message: message.into(),
            exception: None,
        }
    }
}

/// Effect of applying a shipment in Odoo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShipResult {
    /// Validated now; the backorder name when one was created.
    Validated { backorder: Option<String> },
    /// Found already validated (a retry after a crash): nothing was written.
    AlreadyDone { backorder: Option<String> },
}

/// Odoo, as the flows use it.
#[async_trait]
pub trait Erp: std::fmt::Debug + Send + Sync + 'static {
    /// Reads one page of outgoing pickings ready to ship in these warehouses,
    /// ordered by (`write_date`, id) and strictly after `after` in that order.
    /// `write_date` is Odoo's naive UTC text `YYYY-MM-DD HH:MM:SS`. An empty
    /// page means there is nothing more.
    async fn ready_pickings(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<OrderRelease>, PortError>;

    /// Reads these pickings again, the ones still ready to ship in these
    /// warehouses; a picking cancelled or shipped since is left out.
    async fn pickings_by_id(
        &self,
        warehouses: &[String],
        picking_ids: &[i64],
    ) -> Result<Vec<OrderRelease>, PortError>;

    /// Writes quantities, lots, carrier and tracking, then validates, for a
    /// batch of pickings. Returns one result per picking id, in any order;
    /// a picking at fault must not keep the others from validating.
    async fn apply_shipments(
        &self,
        batch: &[ShipmentPlan],
    ) -> Vec<(i64, Result<ShipResult, PortError>)>;

    /// Adds tracking numbers to a picking Odoo already validated, keeping
    /// the ones it has. Writing the same value twice is harmless.
    async fn add_tracking(&self, picking_id: i64, tracking: &[String]) -> Result<(), PortError>;

    /// Applies counts, adjustments and scrap in Odoo under the plan's
    /// reference. A plan already applied under that reference (a retry after
    /// a lost response) changes nothing and returns `already_applied`.
    async fn apply_inventory(&self, plan: &InventoryPlan) -> Result<InventoryResult, PortError>;

    /// Reads the stock on hand in every internal location under these Odoo
    /// locations (complete names), one row per quant.
    async fn stock_on_hand(&self, locations: &[String]) -> Result<Vec<OdooStock>, PortError>;

    /// Lists the complete names of the internal locations under these Odoo
    /// locations, themselves included, whether they hold stock or not.
    async fn internal_locations(&self, under: &[String]) -> Result<Vec<String>, PortError>;

    /// Reads the state and move demands of these pickings as they are in
    /// Odoo now. A picking deleted in Odoo is left out.
    async fn pickings_now(&self, picking_ids: &[i64]) -> Result<Vec<PickingNow>, PortError>;

    /// Reads one page of receipts and customer returns ready to receive in
    /// these warehouses, ordered by (`write_date`, id) and strictly after
    /// `after`; an empty page means there is nothing more.
    async fn expected_receipts(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<IncomingReceipt>, PortError>;

    /// Books received quantities and lots on a receipt and validates it. A
    /// receipt already done (a retry after a lost response) changes nothing.
    async fn apply_receipt(&self, plan: &ReceiptPlan) -> Result<ReceiptResult, PortError>;

    /// Posts an internal note on a picking's chatter.
    async fn post_note(&self, picking_id: i64, body: &str) -> Result<(), PortError>;

    /// Schedules a to-do activity on a sale order, unless one with the same
    /// summary is there already. Returns true when it created one.
    async fn schedule_follow_up(&self, follow_up: &FollowUp) -> Result<bool, PortError>;
}

/// Effect of applying an inventory plan in Odoo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryResult {
    /// True when Odoo already held moves under the plan's reference.
    pub already_applied: bool,
    /// Quants counted or adjusted.
    pub quants: usize,
    /// Scrap orders validated.
    pub scraps: usize,
    /// Lots created, by name.
    pub lots_created: Vec<String>,
}

/// One quant as Odoo stores it, in the product's Odoo unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OdooStock {
    pub key: StockKey,
    pub quantity: Decimal,
    /// Lot expiry date, `YYYY-MM-DD`.
    pub expiry_date: Option<String>,
    /// `none`, `lot` or `serial`, as Odoo's `product.tracking`.
    pub tracking: String,
    /// Rounding of the product's unit of measure; zero when unknown.
    pub uom_rounding: Decimal,
}

/// A complete file read from a warehouse folder.
#[derive(Debug, Clone)]
pub struct InFile {
    pub name: String,
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Adapter's handle to archive or reject the file.
    pub handle: String,
}

/// Effect of writing a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteResult {
    Written,
    /// A file of that name with the same bytes was already there.
    AlreadyPresent,
}

/// One site's folders.
#[async_trait]
pub trait WarehouseFiles: std::fmt::Debug + Send + Sync + 'static {
    /// Lists complete incoming files, oldest first.
    async fn scan(&self) -> Result<Vec<InFile>, PortError>;
    /// Moves a processed file to the archive.
    async fn archive(&self, file: &InFile) -> Result<(), PortError>;
    /// Moves a file that failed to the error folder with a reason beside it.
    async fn reject(&self, file: &InFile, reason: &str) -> Result<(), PortError>;
    /// Writes a file atomically; never overwrites different content.
    async fn write(&self, name: &str, bytes: &[u8]) -> Result<WriteResult, PortError>;
}
