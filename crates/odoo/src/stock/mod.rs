//! Stock operations built on the generic calls: reading the deliveries that
//! are ready to ship, writing and validating shipments, the inventory
//! operations (stock on hand, lots, counts and scrap), and what follows a
//! release (cancellations, changed demands, returns and receipts, notes and
//! activities in Odoo's chatter).
//!
//! Each costs a handful of calls per page or batch, not one per record.

mod inventory;
mod lifecycle;
mod partners;
mod picking_write;
pub mod plan;
mod ready;
mod resolve;
mod ship;
mod tracking;
mod validate;

pub use inventory::{
    already_applied, apply_counts, ensure_lots, locations_by_name, products_by_code, read_quants,
    scrap, CountLine, CountOutcome, CountedLine, LotRequest, ProductInfo, QuantRow, ScrapLine,
};
pub use lifecycle::{
    apply_receipt, changed_pickings, create_return, incoming_pickings, post_note, sale_order_id,
    schedule_activity, ActivityOutcome, ActivityRequest, ChangedMove, ChangedQuery, IncomingMove,
    IncomingPicking, IncomingQuery, PickingChange, ReceiptLot, ReceiptMove, ReceiptOutcome,
    ReceiptWrite, ReturnCreated, ReturnItem, ReturnLine, ReturnRequest,
};
pub use ready::{PartnerInfo, ReadyMove, ReadyPicking, ReadyQuery};
pub use ship::{BackorderPolicy, LotQty, MoveShipment, ShipmentOutcome, ShipmentWrite};
