//! Classification of one stock key by the rules listed in the
//! documentation of the `reconcile` module, where the first that applies
//! wins.

use jiff::civil::Date;
use wharf_model::{Decimal, VarianceKind};

use super::builder::Entry;
use super::Threshold;

/// Returns the kind of `entry` under its SKU's `threshold`.
///
/// `serial_duplicate` is true when the serial-number check flagged the key.
pub(super) fn classify(
    entry: &Entry,
    threshold: &Threshold,
    today: Date,
    serial_duplicate: bool,
) -> VarianceKind {
    if serial_duplicate {
        return VarianceKind::SerialDuplicate;
    }
    if entry.wms < Decimal::ZERO || entry.odoo < Decimal::ZERO {
        return VarianceKind::NegativeStock;
    }
    if entry.unsettled {
        return VarianceKind::Unsettled;
    }
    if is_expired(entry, today) {
        return VarianceKind::ExpiredLot;
    }

    let variance = entry.variance();
    if variance.is_zero() {
        VarianceKind::Match
    } else if threshold.allows(variance, entry.expected_odoo()) {
        VarianceKind::WithinThreshold
    } else {
        VarianceKind::BeyondThreshold
    }
}

/// Returns whether the key's lot expired before `today` while either side
/// still has stock on hand.
pub(super) fn is_expired(entry: &Entry, today: Date) -> bool {
    let on_hand = entry.wms > Decimal::ZERO || entry.odoo > Decimal::ZERO;
    on_hand && entry.expiry.is_some_and(|expiry| expiry < today)
}
