//! Stock operations built on the generic calls: reading the deliveries that
//! are ready to ship, and writing and validating shipments.
//!
//! Both cost a handful of calls per page or batch, not one per record.

mod partners;
mod picking_write;
pub mod plan;
mod ready;
mod resolve;
mod ship;
mod tracking;
mod validate;

pub use ready::{PartnerInfo, ReadyMove, ReadyPicking, ReadyQuery};
pub use ship::{BackorderPolicy, LotQty, MoveShipment, ShipmentOutcome, ShipmentWrite};
