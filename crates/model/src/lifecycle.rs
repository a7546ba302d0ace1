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
}

impl PickingState {
    pub const ALL: [PickingState; 7] = [
        PickingState::Held,
        PickingState::Released,
        PickingState::Confirmed,
        PickingState::Shipped,
        PickingState::Backordered,
        PickingState::ShortClosed,
        PickingState::Exception,
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
        }
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
