//! The streaming builder: rows from both sides and in-flight entries are
//! added one at a time into one compact entry per stock key.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use wharf_model::Decimal;

use super::assemble;
use super::intern::Interner;
use super::report::Reconciliation;
use super::ReconcileRules;

/// Lot id of a key without a lot (an untracked product).
pub(super) const NO_LOT: u32 = u32::MAX;

/// A stock key as interned ids: location, SKU and lot (or [`NO_LOT`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct KeyIds {
    pub(super) location: u32,
    pub(super) sku: u32,
    pub(super) lot: u32,
}

/// Everything known about one stock key.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) key: KeyIds,
    pub(super) wms: Decimal,
    pub(super) odoo: Decimal,
    /// Sum of the in-flight quantities by which Odoo should exceed the WMS.
    pub(super) in_flight: Decimal,
    /// Earliest expiry date given by either side.
    pub(super) expiry: Option<Date>,
    /// At least one in-flight entry was added for this key.
    pub(super) has_in_flight: bool,
    /// At least one in-flight entry of this key was not settled.
    pub(super) unsettled: bool,
}

impl Entry {
    fn new(key: KeyIds) -> Self {
        Entry {
            key,
            wms: Decimal::ZERO,
            odoo: Decimal::ZERO,
            in_flight: Decimal::ZERO,
            expiry: None,
            has_in_flight: false,
            unsettled: false,
        }
    }

    /// Returns the quantity Odoo would hold without the in-flight messages.
    pub(super) fn expected_odoo(&self) -> Decimal {
        self.odoo - self.in_flight
    }

    /// Returns the WMS quantity minus the quantity Odoo is expected to have.
    pub(super) fn variance(&self) -> Decimal {
        self.wms - self.expected_odoo()
    }
}

/// An in-flight message id and whether it was settled when Odoo was read.
#[derive(Debug, Clone)]
pub(super) struct InFlightMessage {
    pub(super) id: Box<str>,
    pub(super) settled: bool,
}

/// Collects both sides of a reconciliation, then classifies every key.
///
/// Rows with the same key add up, on each side. Quantities are in the
/// product's Odoo unit: the caller converts warehouse units first,
/// preferably by multiplying exact quantities so that no rounding enters.
///
/// ```
/// # use wharf_engine::reconcile::{Reconciler, ReconcileRules, Threshold};
/// # use wharf_model::{Decimal, VarianceKind};
/// let today = jiff::civil::date(2025, 3, 1);
/// let mut reconciler = Reconciler::new(ReconcileRules::new(today, Threshold::default()));
/// reconciler.add_wms("WH/Stock", "WID-100", None, Decimal::from(8), None);
/// reconciler.add_odoo("WH/Stock", "WID-100", None, Decimal::from(10), None);
/// // The warehouse shipped 2 before its snapshot, and Odoo has not applied it yet.
/// reconciler.add_in_flight("WH/Stock", "WID-100", None, Decimal::from(2), "msg-1", true);
///
/// let result = reconciler.finish();
/// assert_eq!(result.rows[0].kind, VarianceKind::Match);
/// ```
#[derive(Debug)]
pub struct Reconciler {
    pub(super) rules: ReconcileRules,
    pub(super) locations: Interner,
    pub(super) skus: Interner,
    pub(super) lots: Interner,
    /// Position in `entries` of each key.
    pub(super) index: HashMap<KeyIds, u32>,
    pub(super) entries: Vec<Entry>,
    /// In-flight messages by position in `entries`, in the order added.
    pub(super) messages: HashMap<u32, Vec<InFlightMessage>>,
}

/// The side a balance row comes from.
#[derive(Debug, Clone, Copy)]
enum Side {
    Wms,
    Odoo,
}

impl Reconciler {
    /// Creates an empty reconciliation under `rules`.
    pub fn new(rules: ReconcileRules) -> Self {
        Reconciler {
            rules,
            locations: Interner::default(),
            skus: Interner::default(),
            lots: Interner::default(),
            index: HashMap::new(),
            entries: Vec::new(),
            messages: HashMap::new(),
        }
    }

    /// Adds a balance row of the warehouse snapshot, in the Odoo unit.
    pub fn add_wms(
        &mut self,
        location: &str,
        sku: &str,
        lot: Option<&str>,
        quantity: Decimal,
        expiry: Option<Date>,
    ) {
        self.add_balance(Side::Wms, location, sku, lot, quantity, expiry);
    }

    /// Adds a `stock.quant` row read from Odoo.
    pub fn add_odoo(
        &mut self,
        location: &str,
        sku: &str,
        lot: Option<&str>,
        quantity: Decimal,
        expiry: Option<Date>,
    ) {
        self.add_balance(Side::Odoo, location, sku, lot, quantity, expiry);
    }

    /// Adds a message in flight between the systems at the snapshot's time.
    ///
    /// `quantity` is the signed amount by which Odoo is expected to exceed
    /// the WMS because of the message. It is positive when the warehouse
    /// shipped or removed stock before its snapshot and Odoo has not applied
    /// that yet. It is negative when Odoo already applied a change that the
    /// warehouse made after its snapshot. `settled` is false when the message
    /// was being delivered while Odoo was read, which makes the key
    /// `Unsettled`.
    pub fn add_in_flight(
        &mut self,
        location: &str,
        sku: &str,
        lot: Option<&str>,
        quantity: Decimal,
        message: &str,
        settled: bool,
    ) {
        let position = self.position(location, sku, lot);
        let entry = &mut self.entries[position as usize];
        entry.in_flight += quantity;
        entry.has_in_flight = true;
        entry.unsettled |= !settled;

        self.messages
            .entry(position)
            .or_default()
            .push(InFlightMessage {
                id: message.into(),
                settled,
            });
    }

    /// Replaces the rules' serial-tracked SKUs.
    ///
    /// Tracking is often known only from Odoo's products, after the
    /// warehouse rows were added. The rules are applied in
    /// [`finish`](Self::finish), so they may change until then.
    pub fn set_serial_skus(&mut self, skus: HashSet<String>) {
        self.rules.serial_skus = skus;
    }

    /// Sets the rounding of each SKU's Odoo unit, known only once Odoo is read.
    pub fn set_unit_rounding(&mut self, rounding: HashMap<String, Decimal>) {
        self.rules.unit_rounding = rounding;
    }

    /// Classifies every key and returns the result.
    pub fn finish(self) -> Reconciliation {
        assemble::assemble(self)
    }

    fn add_balance(
        &mut self,
        side: Side,
        location: &str,
        sku: &str,
        lot: Option<&str>,
        quantity: Decimal,
        expiry: Option<Date>,
    ) {
        let position = self.position(location, sku, lot);
        let entry = &mut self.entries[position as usize];
        match side {
            Side::Wms => entry.wms += quantity,
            Side::Odoo => entry.odoo += quantity,
        }
        if let Some(date) = expiry {
            entry.expiry = Some(entry.expiry.map_or(date, |known| known.min(date)));
        }
    }

    /// Returns the position of the key's entry, creating the entry if new.
    fn position(&mut self, location: &str, sku: &str, lot: Option<&str>) -> u32 {
        let key = KeyIds {
            location: self.locations.intern(location),
            sku: self.skus.intern(sku),
            lot: lot.map_or(NO_LOT, |lot| self.lots.intern(lot)),
        };

        let entries = &mut self.entries;
        *self.index.entry(key).or_insert_with(|| {
            let position = u32::try_from(entries.len()).expect("fewer than 2^32 stock keys");
            entries.push(Entry::new(key));
            position
        })
    }
}
