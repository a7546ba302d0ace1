//! Codecs between Wharf's business types and the files warehouses exchange.
//!
//! Document kinds: order releases, shipment confirmations, inventory
//! movements and snapshots, warehouse progress, order changes (cancel or
//! amend) and their answers, expected receipts and receipt advice.
//!
//! Built so far: delimited files (CSV and its relatives) described by a
//! declared [`Layout`]. A layout describes how the file is framed (delimiter,
//! quoting, header, encoding, line ends), how values are written (decimal
//! separator, date formats, the site's time zone) and which column feeds
//! which logical field. Per-column transforms adapt the values, for example
//! by stripping a `.OS` suffix from SKUs or by reading `_R` on a picking
//! reference as a reshipment, and a `map` translates a warehouse's own codes
//! (`CC` for a cycle count) in movement and snapshot files.
//!
//! ```
//! let layout = wharf_formats::Layout::from_toml(r#"
//!     delimiter = ";"
//!     quote = "none"
//!     header = false
//!     placeholders = ["_"]
//!     columns = [
//!         { field = "picking_ref" },
//!         { field = "sku", strip_suffix = ".OS" },
//!         { field = "quantity" },
//!     ]
//! "#).unwrap();
//! let confirmations =
//!     wharf_formats::decode_confirmations(&layout, b"4711;SKU-1.OS;2.0\n").unwrap();
//! assert_eq!(confirmations[0].lines[0].sku, "SKU-1");
//! ```
//!
//! Quantities are parsed from text into `Decimal`, never through floats,
//! and identifiers such as tracking numbers stay text. Encoding is
//! deterministic: the same input and layout always give the same bytes, so
//! a re-delivered file can be recognised as a duplicate by its content.

mod change_answers;
mod change_grouping;
mod changes;
mod confirmations;
mod error;
mod layout;
mod lifecycle;
mod movements;
mod orders;
mod plan;
mod presets;
mod progress;
mod receipt_advice;
mod receipts;
mod records;
mod snapshots;
mod table;
mod table_writer;
mod text;
mod values;

pub use change_answers::{
    decode_change_answers, default_change_answer_layout, encode_change_answers,
    CHANGE_ANSWER_FIELDS, DEFAULT_CHANGE_ANSWER_LAYOUT_TOML,
};
pub use changes::{
    decode_changes, default_change_layout, encode_changes, CHANGE_FIELDS,
    DEFAULT_CHANGE_LAYOUT_TOML,
};
pub use confirmations::{decode_confirmations, encode_confirmations, CONFIRMATION_FIELDS};
pub use error::{ColumnLabel, FormatError};
pub use layout::{Case, Column, Encoding, Layout, LineEnding, RecordFilter};
pub use movements::{decode_movements, encode_movements, MOVEMENT_FIELDS};
pub use orders::{decode_orders, encode_orders, ORDER_FIELDS};
pub use presets::{
    default_confirmation_layout, default_movement_layout, default_order_layout,
    default_snapshot_layout, DEFAULT_CONFIRMATION_LAYOUT_TOML, DEFAULT_MOVEMENT_LAYOUT_TOML,
    DEFAULT_ORDER_LAYOUT_TOML, DEFAULT_SNAPSHOT_LAYOUT_TOML,
};
pub use progress::{
    decode_progress, default_progress_layout, encode_progress, DEFAULT_PROGRESS_LAYOUT_TOML,
    PROGRESS_FIELDS,
};
pub use receipt_advice::{
    decode_receipt_advice, default_receipt_advice_layout, encode_receipt_advice,
    DEFAULT_RECEIPT_ADVICE_LAYOUT_TOML, RECEIPT_ADVICE_FIELDS,
};
pub use receipts::{
    decode_expected_receipts, default_expected_receipt_layout, encode_expected_receipts,
    DEFAULT_EXPECTED_RECEIPT_LAYOUT_TOML, EXPECTED_RECEIPT_FIELDS,
};
pub use snapshots::{
    decode_snapshot, decode_snapshot_with, encode_snapshot, DecodedSnapshot, SNAPSHOT_FIELDS,
};
