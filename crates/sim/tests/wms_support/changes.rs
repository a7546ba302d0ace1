//! Helpers for the change request tests: cancels, amendments, change
//! files and the answer files the simulator writes.

use std::path::Path;

use wharf_formats::{
    decode_change_answers, default_change_answer_layout, default_change_layout, encode_changes,
};
use wharf_model::{ChangeAnswer, ChangeKind, OrderChange, OrderLine};

/// Builds a cancel of picking `WH/OUT/<number>`.
pub fn cancel(number: u32) -> OrderChange {
    OrderChange {
        picking_id: i64::from(number),
        picking_name: format!("WH/OUT/{number:05}"),
        order_name: format!("S{number:05}"),
        kind: ChangeKind::Cancel,
        reason: "Customer cancelled".to_owned(),
        lines: Vec::new(),
    }
}

/// Builds an amendment of picking `WH/OUT/<number>` to `lines`.
pub fn amend(number: u32, lines: Vec<OrderLine>) -> OrderChange {
    OrderChange {
        kind: ChangeKind::Amend,
        reason: "Customer changed quantities".to_owned(),
        lines,
        ..cancel(number)
    }
}

/// Writes a change file into `inbound/`: `.tmp`, then rename.
pub fn drop_change_file(root: &Path, name: &str, changes: &[OrderChange]) {
    let bytes = encode_changes(&default_change_layout(), changes).unwrap();
    let inbound = root.join("inbound");
    let temp = inbound.join(format!("{name}.tmp"));
    std::fs::write(&temp, bytes).unwrap();
    std::fs::rename(temp, inbound.join(name)).unwrap();
}

/// Decodes an answer file from `outbound/` with the default layout.
pub fn read_answers(root: &Path, name: &str) -> Vec<ChangeAnswer> {
    let bytes = std::fs::read(root.join("outbound").join(name)).unwrap();
    decode_change_answers(&default_change_answer_layout(), &bytes).unwrap()
}
