//! Reconciliation of a warehouse stock snapshot with Odoo's `stock.quant`
//! rows, accounting for messages in flight between the two systems.
//!
//! # Design
//!
//! The warehouse takes its snapshot at an instant T. A message the warehouse
//! sent before T that Odoo has not applied yet, or a change Odoo applied
//! after T, explains a difference between the two sides, so it must not be
//! reported as a variance. Per stock key (location, SKU, lot):
//!
//! ```text
//! expected_odoo = odoo - in_flight
//! variance      = wms - expected_odoo      (positive: the warehouse has more)
//! ```
//!
//! [`Reconciler`] is a streaming builder: the caller adds warehouse rows,
//! Odoo rows and in-flight entries one at a time, and nothing is kept but
//! one compact entry per key. Locations, SKUs and lots are interned to
//! `u32` ids, so a key is three integers and each distinct name is stored
//! once. Owned strings are built only for the rows of the result that are
//! not plain matches ([`VarianceRow`]).
//!
//! [`Reconciler::finish`] classifies every key and returns a
//! [`Reconciliation`] with the counts per
//! [`VarianceKind`](wharf_model::VarianceKind) and the rows sorted by key.
//! A key present on one side only counts with zero on the other side.
//!
//! # Classification
//!
//! The first rule that applies wins:
//!
//! 1. `SerialDuplicate`: the SKU is in [`ReconcileRules::serial_skus`] and
//!    its serial number (the lot) is on hand, on the WMS side or on the
//!    Odoo side, in more than one location or with a quantity above one.
//!    Every key of that serial number gets this kind.
//! 2. `NegativeStock`: the WMS or Odoo quantity is below zero.
//! 3. `Unsettled`: an in-flight message of the key was being delivered
//!    while Odoo was read.
//! 4. `ExpiredLot`: the expiry date (the earliest that either side gave) is
//!    before today and either side has stock on hand.
//! 5. `Match`: the variance is zero.
//! 6. `WithinThreshold`: the variance is within the SKU's [`Threshold`].
//! 7. `BeyondThreshold` otherwise.
//!
//! The module is pure: no I/O, no clock (the caller passes
//! [`ReconcileRules::today`]) and no async.

mod assemble;
mod builder;
mod classify;
mod intern;
mod report;
mod serial;

#[cfg(test)]
mod kind_tests;
#[cfg(test)]
mod quantity_tests;

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use wharf_model::Decimal;

pub use builder::Reconciler;
pub use report::{Reconciliation, VarianceRow};

/// Largest difference between the two sides that is reported as
/// `WithinThreshold` rather than `BeyondThreshold`.
///
/// A variance is within the threshold when its absolute value is at most
/// the larger of `absolute` and `percent` of the quantity Odoo is expected
/// to hold. Both zero (the default) means only an exact match passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Allowed difference in the product's Odoo unit.
    #[serde(default)]
    pub absolute: Decimal,
    /// Allowed difference in percent of `|expected_odoo|`, for example `2`
    /// for 2 %.
    #[serde(default)]
    pub percent: Decimal,
}

impl Threshold {
    /// Returns whether `variance` is within this threshold for a key where
    /// Odoo is expected to hold `expected_odoo`.
    pub fn allows(&self, variance: Decimal, expected_odoo: Decimal) -> bool {
        let relative = self.percent * expected_odoo.abs() / Decimal::ONE_HUNDRED;
        variance.abs() <= self.absolute.max(relative)
    }
}

/// Rules of one reconciliation run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileRules {
    /// The site's current date: a lot whose expiry date is before it has
    /// expired.
    pub today: Date,
    /// Threshold of every SKU without an entry in `per_sku`.
    pub default: Threshold,
    /// Thresholds by SKU that replace `default`.
    pub per_sku: HashMap<String, Threshold>,
    /// SKUs tracked by serial number. Their lot is a serial number, and one
    /// on hand more than once is reported as `SerialDuplicate`.
    pub serial_skus: HashSet<String>,
    /// Rounding of each SKU's Odoo unit of measure (for example `1` for
    /// units, `0.01` for kilograms). A warehouse quantity converted from
    /// another unit is rounded to it per key, half away from zero as Odoo
    /// rounds, so a balance of 1/3 of a case written with six decimals
    /// still compares equal to the units Odoo holds. SKUs without an
    /// entry are compared unrounded.
    pub unit_rounding: HashMap<String, Decimal>,
}

impl ReconcileRules {
    /// Creates rules with one threshold for every SKU and no serial SKUs.
    pub fn new(today: Date, default: Threshold) -> Self {
        ReconcileRules {
            today,
            default,
            per_sku: HashMap::new(),
            serial_skus: HashSet::new(),
            unit_rounding: HashMap::new(),
        }
    }
}

/// Rounds `quantity` to a multiple of `rounding`, half away from zero.
pub(crate) fn round_to_unit(quantity: Decimal, rounding: Decimal) -> Decimal {
    if rounding <= Decimal::ZERO {
        return quantity;
    }
    let steps = (quantity / rounding)
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    steps * rounding
}
