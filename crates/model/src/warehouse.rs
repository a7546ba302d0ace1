//! Documents of the order lifecycle beyond release and shipment: progress
//! reported by the warehouse, changes Wharf asks for after release and the
//! warehouse's answers, expected receipts (ASN) and receipt advice.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::order::OrderLine;

/// A warehouse's report that a picking reached a step of its own process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressEvent {
    /// Line number in the source file, from 1, for error messages.
    pub source_line: u32,
    /// The picking reference as the warehouse echoes it (Odoo picking name).
    pub picking_ref: String,
    /// The warehouse's own status code, mapped to Wharf's lifecycle by the
    /// site's configuration.
    pub status_code: String,
    /// When the warehouse reached the step, RFC 3339 with offset.
    pub occurred_at: Option<String>,
    /// Free text the warehouse adds, such as a dock or a wave number.
    pub note: Option<String>,
}

/// Kind of change Wharf requests for an order it released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Do not ship the picking.
    Cancel,
    /// Ship the picking with the lines of the request instead.
    Amend,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 2] = [ChangeKind::Cancel, ChangeKind::Amend];

    /// Returns the name used in files and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Cancel => "cancel",
            ChangeKind::Amend => "amend",
        }
    }

    /// Parses a name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cancel or amendment of a released picking, sent to the warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderChange {
    pub picking_id: i64,
    /// Odoo picking name, for example `WH/OUT/00042`.
    pub picking_name: String,
    /// Odoo sale order name, when the picking has one.
    pub order_name: String,
    pub kind: ChangeKind,
    /// Reason Odoo's order changed, for the warehouse's staff.
    pub reason: String,
    /// Every line the picking should ship after an amendment, as in a
    /// release; empty for a cancel.
    pub lines: Vec<OrderLine>,
}

/// The warehouse's answer to a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// The change is made: the picking will not ship, or ships as amended.
    Accepted,
    /// Too late: the goods are already picked or shipped.
    TooLate,
}

impl ChangeOutcome {
    pub const ALL: [ChangeOutcome; 2] = [ChangeOutcome::Accepted, ChangeOutcome::TooLate];

    /// Returns the name used in files and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOutcome::Accepted => "accepted",
            ChangeOutcome::TooLate => "too_late",
        }
    }

    /// Parses a name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == name)
    }
}

impl fmt::Display for ChangeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One answer line of a warehouse's change answer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeAnswer {
    /// Line number in the source file, from 1, for error messages.
    pub source_line: u32,
    pub picking_ref: String,
    pub kind: ChangeKind,
    pub outcome: ChangeOutcome,
    /// The warehouse's explanation, for example the step the goods reached.
    pub detail: Option<String>,
    /// When the warehouse answered, RFC 3339 with offset.
    pub occurred_at: Option<String>,
}

/// Origin of goods the warehouse should expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// An incoming picking of a confirmed purchase order.
    Purchase,
    /// A customer return authorised in Odoo.
    Return,
}

impl ReceiptKind {
    /// Returns the name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptKind::Purchase => "purchase",
            ReceiptKind::Return => "return",
        }
    }
}

/// Goods the warehouse should expect (an advance shipping notice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedReceipt {
    pub picking_id: i64,
    /// Odoo picking name, for example `WH/IN/00007`.
    pub picking_name: String,
    pub kind: ReceiptKind,
    /// Purchase order or returned picking the goods come from.
    pub origin: String,
    /// Vendor or returning customer.
    pub partner: String,
    /// Expected arrival in Odoo's naive UTC form `YYYY-MM-DD HH:MM:SS`.
    pub scheduled_date: String,
    /// One line per incoming move; `reserved_lots` lists the lots or
    /// serials expected, when Odoo knows them (returns).
    pub lines: Vec<OrderLine>,
}

/// Destination the warehouse gives returned goods after inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Back into sellable stock.
    Restock,
    /// Held apart until someone decides.
    Quarantine,
    /// Destroyed or written off.
    Scrap,
    /// Sent back to the vendor.
    ReturnToVendor,
}

impl Disposition {
    pub const ALL: [Disposition; 4] = [
        Disposition::Restock,
        Disposition::Quarantine,
        Disposition::Scrap,
        Disposition::ReturnToVendor,
    ];

    /// Returns the name used in files and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Restock => "restock",
            Disposition::Quarantine => "quarantine",
            Disposition::Scrap => "scrap",
            Disposition::ReturnToVendor => "return_to_vendor",
        }
    }

    /// Parses a name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|disposition| disposition.as_str() == name)
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One received line of a receipt advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    /// Line number in the source file, from 1, for error messages.
    pub source_line: u32,
    pub sku: String,
    /// Odoo stock.move id when the warehouse echoes it back.
    pub move_id: Option<i64>,
    pub quantity: Decimal,
    pub lot: Option<String>,
    /// Expiry date of the lot (`YYYY-MM-DD`).
    pub expiry_date: Option<String>,
    /// The inspection's result in the warehouse's words, for returns.
    pub inspection: Option<String>,
    /// Destination of returned goods; `None` for purchase receipts.
    pub disposition: Option<Disposition>,
}

/// A warehouse's advice that goods of one expected receipt arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptAdvice {
    /// The incoming picking's reference as the warehouse echoes it.
    pub picking_ref: String,
    pub lines: Vec<ReceivedLine>,
    /// When the goods were received, RFC 3339 with offset.
    pub received_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
        for outcome in ChangeOutcome::ALL {
            assert_eq!(ChangeOutcome::parse(outcome.as_str()), Some(outcome));
        }
        for disposition in Disposition::ALL {
            assert_eq!(Disposition::parse(disposition.as_str()), Some(disposition));
        }
    }

    #[test]
    fn serde_names_match_file_names() {
        let json = serde_json::to_value(Disposition::ReturnToVendor).unwrap();
        assert_eq!(json, "return_to_vendor");
        let json = serde_json::to_value(ChangeOutcome::TooLate).unwrap();
        assert_eq!(json, "too_late");
    }
}
