//! Stock operations built on the generic calls: reading the deliveries that
//! are ready to ship, writing and validating shipments, and the inventory
//! operations (stock on hand, lots, counts and scrap).
//!
//! Each costs a handful of calls per page or batch, not one per record.

mod inventory;
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
pub use ready::{PartnerInfo, ReadyMove, ReadyPicking, ReadyQuery};
pub use ship::{BackorderPolicy, LotQty, MoveShipment, ShipmentOutcome, ShipmentWrite};
