//! Wharf's own lifecycle of a picking at a warehouse.
//!
//! A warehouse's status words seldom map onto Odoo's picking states, so Wharf
//! keeps this lifecycle per picking and writes to Odoo only the transitions
//! that mean something there.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickingState {
    /// Read from Odoo, failed a release rule; an exception gives the reason.
    Held,
    /// Order file handed to the warehouse.
    Released,
    /// A confirmation was accepted and its Odoo write is queued.
    Confirmed,
    /// Validated in Odoo in full.
    Shipped,
    /// Validated in Odoo short, with a backorder for the rest.
    Backordered,
    /// Validated in Odoo short, the rest cancelled by the site's rule.
    ShortClosed,
    /// Stopped on an exception after release.
    Exception,
    /// The warehouse reported stock allocated to the picking.
    Allocated,
    /// The warehouse reported the goods picked.
    Picked,
    /// The warehouse reported the goods packed.
    Packed,
    /// The warehouse reported the goods staged at a dock.
    Staged,
    /// The warehouse reported the goods loaded on a vehicle.
    Loaded,
    /// The warehouse reported the goods gone; its confirmation is awaited.
    Departed,
    /// Cancelled in Odoo after release; the warehouse has not answered yet.
    CancelRequested,
    /// Cancelled in Odoo and at the warehouse: nothing ships.
    Cancelled,
    /// A receipt or return announced to the warehouse (expected receipt sent).
    Expected,
    /// A receipt or return booked in Odoo from the warehouse's advice.
    Received,
}

impl PickingState {
    pub const ALL: [PickingState; 17] = [
        PickingState::Held,
        PickingState::Released,
        PickingState::Confirmed,
        PickingState::Shipped,
        PickingState::Backordered,
        PickingState::ShortClosed,
        PickingState::Exception,
        PickingState::Allocated,
        PickingState::Picked,
        PickingState::Packed,
        PickingState::Staged,
        PickingState::Loaded,
        PickingState::Departed,
        PickingState::CancelRequested,
        PickingState::Cancelled,
        PickingState::Expected,
        PickingState::Received,
    ];

    /// Warehouse steps a site's status codes can map to, in process order.
    pub const STEPS: [PickingState; 7] = [
        PickingState::Released,
        PickingState::Allocated,
        PickingState::Picked,
        PickingState::Packed,
        PickingState::Staged,
        PickingState::Loaded,
        PickingState::Departed,
    ];

    /// Returns the stored name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            PickingState::Held => "held",
            PickingState::Released => "released",
            PickingState::Confirmed => "confirmed",
            PickingState::Shipped => "shipped",
            PickingState::Backordered => "backordered",
            PickingState::ShortClosed => "short_closed",
            PickingState::Exception => "exception",
            PickingState::Allocated => "allocated",
            PickingState::Picked => "picked",
            PickingState::Packed => "packed",
            PickingState::Staged => "staged",
            PickingState::Loaded => "loaded",
            PickingState::Departed => "departed",
            PickingState::CancelRequested => "cancel_requested",
            PickingState::Cancelled => "cancelled",
            PickingState::Expected => "expected",
            PickingState::Received => "received",
        }
    }

    /// Position of an outgoing picking's state in the warehouse process:
    /// a progress report moves a picking only to a later position. States
    /// outside the process (held, cancelled, receipts) have none.
    pub fn process_rank(self) -> Option<u8> {
        let rank = match self {
            PickingState::Released | PickingState::Exception => 1,
            PickingState::Allocated => 2,
            PickingState::Picked => 3,
            PickingState::Packed => 4,
            PickingState::Staged => 5,
            PickingState::Loaded => 6,
            PickingState::Departed => 7,
            PickingState::Confirmed => 8,
            PickingState::Shipped | PickingState::Backordered | PickingState::ShortClosed => 9,
            PickingState::Held
            | PickingState::CancelRequested
            | PickingState::Cancelled
            | PickingState::Expected
            | PickingState::Received => return None,
        };
        Some(rank)
    }

    /// True while the warehouse holds the picking as released and has not
    /// shipped it: a confirmation for it is matched against the release.
    pub fn awaits_shipment(self) -> bool {
        matches!(self.process_rank(), Some(1..=7))
    }

    /// True once the picking was cancelled after release, at Odoo's or
    /// both sides: no shipment may be applied to it.
    pub fn is_cancelled(self) -> bool {
        matches!(
            self,
            PickingState::CancelRequested | PickingState::Cancelled
        )
    }

    /// Parses a stored name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }

    /// True once Odoo has validated the picking: no further shipment may apply.
    pub fn is_validated(self) -> bool {
        matches!(
            self,
            PickingState::Shipped | PickingState::Backordered | PickingState::ShortClosed
        )
    }
}

impl fmt::Display for PickingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
