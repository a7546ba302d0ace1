//! Settings of the simulated warehouse's inventory files, the units it
//! reports quantities in, and the seeded random numbers that choose its
//! movements and drift.

use rust_decimal::Decimal;
use wharf_formats::{
    default_movement_layout, default_snapshot_layout, encode_movements, encode_snapshot, Layout,
};

use super::picking::splitmix64;
use super::WmsError;

/// Default number of units in one case.
pub const DEFAULT_CASE_SIZE: u32 = 12;

/// Unit code of quantities counted in single units.
pub const UNIT_EACH: &str = "EA";
/// Unit code of quantities counted in cases.
pub const UNIT_CASE: &str = "CS";

/// Decimal places of a quantity in cases that is not exact, such as one
/// unit of a case of 12.
const CASE_DECIMALS: u32 = 6;

/// Settings of the warehouse's stock, movement and snapshot files.
#[derive(Debug, Clone)]
pub struct InventoryOptions {
    /// Layout of the `MOV-<seq>.csv` files.
    pub movement_layout: Layout,
    /// Layout of the `SNAP-<seq>.csv` files. Its `time_zone` is the
    /// warehouse's zone, in which `taken_at` is written.
    pub snapshot_layout: Layout,
    /// SKUs the warehouse counts in cases of `case_size` units: their file
    /// quantities are in `CS`. Other SKUs are in `EA`.
    pub case_units: Vec<String>,
    /// Units in one case; also the size of a lost carton. At least 1.
    pub case_size: u32,
    /// Serial-tracked SKUs: each lot is a serial number of one unit.
    pub serial_skus: Vec<String>,
    /// Location that status changes move stock into; never picked from.
    pub quarantine_location: String,
    /// Location a shipment is taken from when no location has the SKU.
    pub default_location: String,
}

impl Default for InventoryOptions {
    fn default() -> Self {
        InventoryOptions {
            movement_layout: default_movement_layout(),
            snapshot_layout: default_snapshot_layout(),
            case_units: Vec::new(),
            case_size: DEFAULT_CASE_SIZE,
            serial_skus: Vec::new(),
            quarantine_location: "QUARANTINE".to_owned(),
            default_location: "STOCK".to_owned(),
        }
    }
}

impl InventoryOptions {
    pub(crate) fn check(&self) -> Result<(), WmsError> {
        if self.case_size == 0 {
            return Err(WmsError::InvalidSettings {
                problem: "`case_size` is 0; give the number of units in one case, at least 1"
                    .to_owned(),
            });
        }
        if self.quarantine_location.trim().is_empty() || self.default_location.trim().is_empty() {
            return Err(WmsError::InvalidSettings {
                problem: "the quarantine or default location is empty; give a location code"
                    .to_owned(),
            });
        }

        // Encoding nothing checks a layout's columns, so a layout that cannot
        // write these files fails here and not at the first file.
        encode_movements(&self.movement_layout, &[]).map_err(|error| {
            WmsError::InvalidSettings {
                problem: format!("the movement layout cannot be used: {error}"),
            }
        })?;
        encode_snapshot(&self.snapshot_layout, "2000-01-01T00:00:00Z", &[]).map_err(|error| {
            WmsError::InvalidSettings {
                problem: format!("the snapshot layout cannot be used: {error}"),
            }
        })?;
        Ok(())
    }

    pub(crate) fn is_serial(&self, sku: &str) -> bool {
        self.serial_skus.iter().any(|serial| serial == sku)
    }

    pub(crate) fn in_cases(&self, sku: &str) -> bool {
        self.case_units.iter().any(|case| case == sku)
    }

    pub(crate) fn case_units(&self) -> Decimal {
        Decimal::from(self.case_size)
    }

    /// Returns the smallest change, in units, that the warehouse makes to a
    /// SKU's stock by itself. It is one unit, or a quarter case for SKUs
    /// counted in cases (a whole case when the case does not split in
    /// four), so that their quantities in cases stay exact decimals.
    pub(crate) fn step(&self, sku: &str) -> Decimal {
        if !self.in_cases(sku) {
            return Decimal::ONE;
        }
        if self.case_size % 4 == 0 {
            Decimal::from(self.case_size / 4)
        } else {
            self.case_units()
        }
    }

    /// Converts a quantity in units to the unit the files use for `sku`.
    pub(crate) fn reported(&self, sku: &str, units: Decimal) -> (Decimal, &'static str) {
        if !self.in_cases(sku) {
            return (units, UNIT_EACH);
        }
        // NOTE: a balance that is not a multiple of a quarter case has no
        // exact decimal in cases (one unit of a case of 12 is 0.08333...).
        // It is rounded to 6 places, as a WMS with fixed decimals would.
        let cases = (units / self.case_units()).round_dp(CASE_DECIMALS);
        (cases, UNIT_CASE)
    }
}

/// Random numbers from a seed, built on SplitMix64 so that the same seed
/// gives the same movements whatever the version of a random number crate.
#[derive(Debug, Clone)]
pub(crate) struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.state)
    }

    /// Returns a number in `0..bound`, or 0 when `bound` is 0.
    pub fn below(&mut self, bound: usize) -> usize {
        let bound = u64::try_from(bound).unwrap_or(u64::MAX);
        if bound == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % bound).unwrap_or(0)
    }

    /// Returns a number in `1..=max`, as a decimal.
    pub fn count_up_to(&mut self, max: usize) -> Decimal {
        Decimal::from(self.below(max) + 1)
    }

    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// Picks an element of `items`, or `None` when it is empty.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}
