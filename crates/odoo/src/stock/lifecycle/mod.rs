//! What happens to a picking after Wharf released it or after it shipped:
//! reading cancellations and changed demands of released deliveries,
//! creating customer returns, reading expected receipts and booking what a
//! warehouse received, and leaving notes and activities for people in Odoo.
//!
//! Every operation costs a fixed handful of calls per page or picking. Every
//! write is safe to repeat after a lost response: [`create_return`] looks
//! for the return it may already have created, and [`apply_receipt`] reads
//! the picking's state first and writes nothing on a done picking.
//! Errors name the picking (`picking WH/IN/00002: ...`) and say whether to
//! retry, correct the data or call IT through their [`ErrorKind`].

mod changes;
mod incoming;
mod notes;
mod receipt;
mod receipt_plan;
mod receipt_write;
mod return_lookup;
mod returns;

use serde_json::{json, Value};

use crate::error::{Error, ErrorKind};

pub use changes::{changed_pickings, ChangedMove, ChangedQuery, PickingChange};
pub use incoming::{incoming_pickings, IncomingMove, IncomingPicking, IncomingQuery};
pub use notes::{post_note, sale_order_id, schedule_activity, ActivityOutcome, ActivityRequest};
pub use receipt::{apply_receipt, ReceiptLot, ReceiptMove, ReceiptOutcome, ReceiptWrite};
pub use returns::{create_return, ReturnCreated, ReturnItem, ReturnLine, ReturnRequest};

/// Builds the error for a picking the client will not write, or that Odoo
/// left in an unexpected state.
pub(crate) fn rejected(picking: impl Into<String>, kind: ErrorKind, detail: &str) -> Error {
    Error::Shipment {
        picking: picking.into(),
        detail: detail.to_owned(),
        kind,
    }
}

/// Returns the domain terms of a keyset cursor on (`write_date`, id): records
/// written after `write_date_from`, or at that time with an id above
/// `after_id`. Without `write_date_from` there is no cursor and `after_id`
/// is ignored.
pub(crate) fn cursor_terms(write_date_from: Option<&str>, after_id: Option<i64>) -> Vec<Value> {
    match (write_date_from, after_id) {
        (Some(from), Some(after_id)) => vec![
            json!("|"),
            json!(["write_date", ">", from]),
            json!("&"),
            json!(["write_date", "=", from]),
            json!(["id", ">", after_id]),
        ],
        (Some(from), None) => vec![json!(["write_date", ">=", from])],
        (None, _) => Vec::new(),
    }
}

/// The sort order that matches [`cursor_terms`].
pub(crate) const CURSOR_ORDER: &str = "write_date asc, id asc";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_without_date_is_empty() {
        assert!(cursor_terms(None, Some(4)).is_empty());
    }

    #[test]
    fn cursor_with_id_breaks_ties() {
        let terms = cursor_terms(Some("2026-12-04 19:45:10"), Some(4));
        assert_eq!(terms.len(), 5);
        assert_eq!(terms[0], json!("|"));
        assert_eq!(terms[4], json!(["id", ">", 4]));
    }

    #[test]
    fn cursor_without_id_is_inclusive() {
        let terms = cursor_terms(Some("2026-12-04 19:45:10"), None);
        assert_eq!(
            terms,
            vec![json!(["write_date", ">=", "2026-12-04 19:45:10"])]
        );
    }
}
