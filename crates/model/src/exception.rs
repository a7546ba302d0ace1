//! Kinds of business exceptions and the team that owns each by default.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Reason a message stopped and needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// An order failed a release rule (address, credit hold, SKU).
    HeldOrder,
    /// A confirmation names a SKU that is not on the released picking.
    UnknownSku,
    /// A confirmation ships more than the picking demands.
    OverShipment,
    /// A confirmation names a picking that Wharf never released.
    UnknownPicking,
    /// A confirmation ships zero of every line: nothing to validate.
    NothingShipped,
    /// A file could not be decoded with the site's layout.
    ParseError,
    /// Odoo rejected a write or a validation (UserError, ValidationError, ...).
    OdooRejected,
    /// A delivery kept failing on a transient error until the retry limit.
    RetriesExhausted,
    /// A file could not be written or moved.
    TransportFailure,
    /// A request Wharf built was wrong: a bug to report.
    Defect,
    /// A reconciled balance differs from Odoo beyond the threshold.
    InventoryVariance,
    /// One serial number is on hand in two places, or more than once.
    SerialDuplicate,
    /// The warehouse or Odoo shows a negative balance.
    NegativeStock,
    /// A lot past its expiry date is still on hand.
    ExpiredLot,
    /// A warehouse location that maps to no Odoo location.
    UnknownLocation,
    /// A lot Odoo does not know, and the site's rule forbids creating it.
    UnknownLot,
    /// The warehouse answered that a cancel or amendment came too late.
    ChangeTooLate,
    /// A shipment arrived for a picking cancelled after its release.
    ShipmentAfterCancel,
    /// A receipt advice reports more than the receipt expects.
    OverReceipt,
    /// A receipt advice names a receipt Wharf never sent.
    UnknownReceipt,
    /// A customer return was received: a credit note may be due.
    CreditNoteDue,
    /// One return's advice gives its lines different dispositions.
    MixedDisposition,
    /// A warehouse status code the site's configuration does not map.
    UnknownStatus,
    /// A receipt advice receives nothing on every line.
    NothingReceived,
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 24] = [
        ExceptionKind::HeldOrder,
        ExceptionKind::UnknownSku,
        ExceptionKind::OverShipment,
        ExceptionKind::UnknownPicking,
        ExceptionKind::NothingShipped,
        ExceptionKind::ParseError,
        ExceptionKind::OdooRejected,
        ExceptionKind::RetriesExhausted,
        ExceptionKind::TransportFailure,
        ExceptionKind::Defect,
        ExceptionKind::InventoryVariance,
        ExceptionKind::SerialDuplicate,
        ExceptionKind::NegativeStock,
        ExceptionKind::ExpiredLot,
        ExceptionKind::UnknownLocation,
        ExceptionKind::UnknownLot,
        ExceptionKind::ChangeTooLate,
        ExceptionKind::ShipmentAfterCancel,
        ExceptionKind::OverReceipt,
        ExceptionKind::UnknownReceipt,
        ExceptionKind::CreditNoteDue,
        ExceptionKind::MixedDisposition,
        ExceptionKind::UnknownStatus,
        ExceptionKind::NothingReceived,
    ];

    /// Returns the stored name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::HeldOrder => "held_order",
            ExceptionKind::UnknownSku => "unknown_sku",
            ExceptionKind::OverShipment => "over_shipment",
            ExceptionKind::UnknownPicking => "unknown_picking",
            ExceptionKind::NothingShipped => "nothing_shipped",
            ExceptionKind::ParseError => "parse_error",
            ExceptionKind::OdooRejected => "odoo_rejected",
            ExceptionKind::RetriesExhausted => "retries_exhausted",
            ExceptionKind::TransportFailure => "transport_failure",
            ExceptionKind::Defect => "defect",
            ExceptionKind::InventoryVariance => "inventory_variance",
            ExceptionKind::SerialDuplicate => "serial_duplicate",
            ExceptionKind::NegativeStock => "negative_stock",
            ExceptionKind::ExpiredLot => "expired_lot",
            ExceptionKind::UnknownLocation => "unknown_location",
            ExceptionKind::UnknownLot => "unknown_lot",
            ExceptionKind::ChangeTooLate => "change_too_late",
            ExceptionKind::ShipmentAfterCancel => "shipment_after_cancel",
            ExceptionKind::OverReceipt => "over_receipt",
            ExceptionKind::UnknownReceipt => "unknown_receipt",
            ExceptionKind::CreditNoteDue => "credit_note_due",
            ExceptionKind::MixedDisposition => "mixed_disposition",
            ExceptionKind::UnknownStatus => "unknown_status",
            ExceptionKind::NothingReceived => "nothing_received",
        }
    }

    /// Parses a stored name; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Returns the team that owns this kind when the `[owners]` table of the
    /// configuration names none.
    pub fn default_owner(self) -> &'static str {
        match self {
            ExceptionKind::HeldOrder
            | ExceptionKind::ChangeTooLate
            | ExceptionKind::ShipmentAfterCancel => "customer_service",
            ExceptionKind::OverReceipt
            | ExceptionKind::UnknownReceipt
            | ExceptionKind::MixedDisposition
            | ExceptionKind::UnknownStatus
            | ExceptionKind::NothingReceived => "warehouse",
            ExceptionKind::CreditNoteDue => "finance",
            ExceptionKind::UnknownSku
            | ExceptionKind::OverShipment
            | ExceptionKind::UnknownPicking
            | ExceptionKind::NothingShipped
            | ExceptionKind::ParseError => "warehouse",
            ExceptionKind::OdooRejected => "customer_service",
            ExceptionKind::RetriesExhausted
            | ExceptionKind::TransportFailure
            | ExceptionKind::Defect => "it",
            ExceptionKind::InventoryVariance
            | ExceptionKind::SerialDuplicate
            | ExceptionKind::NegativeStock
            | ExceptionKind::ExpiredLot
            | ExceptionKind::UnknownLocation
            | ExceptionKind::UnknownLot => "inventory_control",
        }
    }
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
