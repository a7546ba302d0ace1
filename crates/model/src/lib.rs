//! Wharf's business events and the values they carry.
//!
//! Every crate speaks these types: the engine turns them into outbox
//! messages, the Odoo adapter and the warehouse codecs translate them to and
//! from the wire. Nothing here performs I/O.
//!
//! Quantities are [`rust_decimal::Decimal`] everywhere, never floats, because
//! a warehouse counting `0.1 + 0.2` kilos must land on exactly `0.3` in Odoo.

mod event;
mod exception;
mod inventory;
mod lifecycle;
mod order;
mod shipment;
mod warehouse;

pub use event::{CorrelationId, Envelope, EventKind, MessageId};
pub use exception::ExceptionKind;
pub use inventory::{
    InventoryMovement, InventorySnapshot, MovementKind, SnapshotRow, StockKey, VarianceKind,
};
pub use lifecycle::PickingState;
pub use order::{Address, OrderLine, OrderRelease, ReleasedBatch};
pub use rust_decimal::Decimal;
pub use shipment::{ShipmentConfirmation, ShippedLine};
pub use warehouse::{
    ChangeAnswer, ChangeKind, ChangeOutcome, Disposition, ExpectedReceipt, OrderChange,
    ProgressEvent, ReceiptAdvice, ReceiptKind, ReceivedLine,
};
