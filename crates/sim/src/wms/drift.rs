//! Drift: changes to the simulated warehouse's stock that it never reports
//! as movements, as happens on a real floor (a carton falls behind a rack, a
//! lot is miscounted, a serial is booked into a second bin). A snapshot
//! taken after drift differs from the stock that Wharf can derive from the
//! shipments and movements, and `drift.jsonl` records by how much.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use wharf_model::StockKey;

use super::inventory_options::{InventoryOptions, SeededRng};
use super::stock::Stock;

/// Name of the drift log under the root.
pub const DRIFT_FILE: &str = "drift.jsonl";

/// How much drift to inject before one snapshot; all zero means none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DriftOptions {
    /// Number of balances that each lose one case of `case_size` units.
    pub lost_cartons: u32,
    /// Number of lots whose balance is off by one or two steps (a unit, or
    /// a quarter case for SKUs counted in cases), up or down.
    pub miscounted_lots: u32,
    /// Number of serial numbers that also appear in a second location.
    pub serials_twice: u32,
}

/// Kind of one injected drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    LostCarton,
    MiscountedLot,
    SerialTwice,
}

/// One injected drift: a line of `drift.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRecord {
    /// Name of the snapshot file that first shows the drift.
    pub snapshot_file: String,
    pub kind: DriftKind,
    /// The balance that changed; for a serial seen twice, the second
    /// location's balance.
    pub key: StockKey,
    /// Signed change of the balance in units (the product's Odoo unit).
    pub delta: Decimal,
}

/// Applies `drift` to `stock` and returns what was applied. Each drift
/// touches a balance no other drift of the same call touches, so a
/// record's delta is the whole difference on its key. When too few
/// balances fit, fewer drifts are applied and a warning is logged.
pub(crate) fn apply(
    stock: &mut Stock,
    drift: &DriftOptions,
    options: &InventoryOptions,
    snapshot_file: &str,
    rng: &mut SeededRng,
) -> Vec<DriftRecord> {
    let mut used = BTreeSet::new();
    let mut changes = Vec::new();
    let plan = [
        (DriftKind::LostCarton, drift.lost_cartons),
        (DriftKind::MiscountedLot, drift.miscounted_lots),
        (DriftKind::SerialTwice, drift.serials_twice),
    ];
    for (kind, requested) in plan {
        let mut applied = 0;
        while applied < requested {
            let change = match kind {
                DriftKind::LostCarton => lose_carton(stock, options, &mut used, rng),
                DriftKind::MiscountedLot => miscount(stock, options, &mut used, rng),
                DriftKind::SerialTwice => book_serial_twice(stock, options, &mut used, rng),
            };
            let Some((key, delta)) = change else { break };
            changes.push((kind, key, delta));
            applied += 1;
        }
        if applied < requested {
            tracing::warn!(
                ?kind,
                requested,
                applied,
                "The WMS stock has too few balances for the drift requested"
            );
        }
    }

    changes
        .into_iter()
        .map(|(kind, key, delta)| DriftRecord {
            snapshot_file: snapshot_file.to_owned(),
            kind,
            key,
            delta,
        })
        .collect()
}

/// Picks a key outside quarantine and outside `used` that `fits`, and
/// adds it to `used`.
fn pick(
    stock: &Stock,
    options: &InventoryOptions,
    used: &mut BTreeSet<StockKey>,
    rng: &mut SeededRng,
    fits: impl Fn(&StockKey, Decimal) -> bool,
) -> Option<StockKey> {
    let candidates: Vec<&StockKey> = stock
        .balances()
        .filter(|(key, balance)| {
            key.location != options.quarantine_location
                && !used.contains(*key)
                && fits(key, balance.quantity)
        })
        .map(|(key, _)| key)
        .collect();
    let key = rng.choose(&candidates).map(|key| (*key).clone())?;
    used.insert(key.clone());
    Some(key)
}

fn lose_carton(
    stock: &mut Stock,
    options: &InventoryOptions,
    used: &mut BTreeSet<StockKey>,
    rng: &mut SeededRng,
) -> Option<(StockKey, Decimal)> {
    let case = options.case_units();
    let key = pick(stock, options, used, rng, |key, quantity| {
        !options.is_serial(&key.sku) && quantity >= case
    })?;
    stock.add(key.clone(), -case, None);
    Some((key, -case))
}

fn miscount(
    stock: &mut Stock,
    options: &InventoryOptions,
    used: &mut BTreeSet<StockKey>,
    rng: &mut SeededRng,
) -> Option<(StockKey, Decimal)> {
    let key = pick(stock, options, used, rng, |key, _| {
        key.lot.is_some() && !options.is_serial(&key.sku)
    })?;
    let change = rng.count_up_to(2) * options.step(&key.sku);
    let delta = if rng.coin() { change } else { -change };
    stock.add(key.clone(), delta, None);
    Some((key, delta))
}

fn book_serial_twice(
    stock: &mut Stock,
    options: &InventoryOptions,
    used: &mut BTreeSet<StockKey>,
    rng: &mut SeededRng,
) -> Option<(StockKey, Decimal)> {
    let key = pick(stock, options, used, rng, |key, quantity| {
        key.lot.is_some() && options.is_serial(&key.sku) && quantity >= Decimal::ONE
    })?;

    // The second location is another location of the warehouse, or the
    // default location, or a made-up neighbour of the first.
    let others: BTreeSet<&str> = stock
        .balances()
        .map(|(other, _)| other.location.as_str())
        .filter(|location| *location != key.location && *location != options.quarantine_location)
        .collect();
    let others: Vec<&str> = others.into_iter().collect();
    let location = match rng.choose(&others) {
        Some(location) => (*location).to_owned(),
        None if options.default_location != key.location => options.default_location.clone(),
        None => format!("{}-B", key.location),
    };

    let second = StockKey {
        location,
        ..key.clone()
    };
    if !used.insert(second.clone()) {
        return None;
    }
    let expiry_date = stock.expiry_date(&key);
    stock.add(second.clone(), Decimal::ONE, expiry_date);
    Some((second, Decimal::ONE))
}
