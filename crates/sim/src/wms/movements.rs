//! Plausible stock movements the simulated warehouse makes by itself:
//! cycle counts, adjustments with reason codes, scrap and moves to
//! quarantine, each applied to its stock as it is made.

use rust_decimal::Decimal;
use wharf_model::{InventoryMovement, MovementKind, StockKey};

use super::inventory_options::{InventoryOptions, SeededRng};
use super::stock::Stock;

/// Reason code of an adjustment that found stock.
const REASON_FOUND: &str = "FOUND";
/// Reason codes of an adjustment that removed stock.
const REASONS_REMOVED: [&str; 2] = ["DMG", "LOST"];
/// Reason codes of scrap.
const REASONS_SCRAP: [&str; 2] = ["DMG", "EXPIRED"];
/// Reason code of a move to quarantine.
const REASON_QUARANTINE: &str = "QC";
/// Largest number of steps one movement changes a balance by.
const MAX_STEPS: usize = 3;

/// Everything a batch of movements shares.
#[derive(Debug)]
pub(crate) struct Batch<'a> {
    pub options: &'a InventoryOptions,
    /// Number of the file the movements go into, for their references.
    pub file_seq: u64,
    /// RFC 3339 instant of every movement of the batch.
    pub occurred_at: &'a str,
    /// Line of the first record in the file: 2 below a header, else 1.
    pub first_line: u32,
}

/// Makes up to `count` movements against `stock` and applies each to it.
/// Returns fewer when no balance is left that a movement can touch.
pub(crate) fn generate(
    stock: &mut Stock,
    batch: &Batch<'_>,
    count: usize,
    rng: &mut SeededRng,
) -> Vec<InventoryMovement> {
    let mut movements = Vec::with_capacity(count);
    for index in 0..count {
        let candidates = candidates(stock, batch.options);
        let Some(key) = rng.choose(&candidates).cloned() else {
            break;
        };
        let line = batch.first_line + u32::try_from(index).unwrap_or(u32::MAX);
        let reference = format!("MOV-{:06}-{:04}", batch.file_seq, index + 1);
        let mut movement = make_movement(stock, batch, key, rng);
        movement.source_line = line;
        movement.movement_ref = reference;
        movements.push(movement);
    }
    movements
}

/// Keys a movement may touch: outside quarantine, with at least one step
/// of stock.
fn candidates(stock: &Stock, options: &InventoryOptions) -> Vec<StockKey> {
    stock
        .balances()
        .filter(|(key, balance)| {
            key.location != options.quarantine_location
                && balance.quantity >= options.step(&key.sku)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// The balance a movement touches, read before the movement.
#[derive(Debug)]
struct Target {
    key: StockKey,
    serial: bool,
    /// Smallest change the warehouse makes to this SKU, in units.
    step: Decimal,
    balance: Decimal,
    expiry_date: Option<String>,
}

impl Target {
    /// Whole steps that the balance holds, so a move never takes more.
    fn held_steps(&self) -> Decimal {
        (self.balance / self.step).floor()
    }
}

/// The effect of one movement, in units.
#[derive(Debug)]
struct Change {
    kind: MovementKind,
    /// Counted quantity, signed change or quantity moved, in units.
    units: Decimal,
    reason: Option<&'static str>,
    to_location: Option<String>,
}

/// Chooses the kind and size of one movement on `key` and applies it.
fn make_movement(
    stock: &mut Stock,
    batch: &Batch<'_>,
    key: StockKey,
    rng: &mut SeededRng,
) -> InventoryMovement {
    let options = batch.options;
    let target = Target {
        serial: options.is_serial(&key.sku),
        step: options.step(&key.sku),
        balance: stock.quantity(&key),
        expiry_date: stock.expiry_date(&key),
        key,
    };

    // Counts and adjustments happen more often than scrap and quarantine.
    let change = match rng.below(10) {
        0..=2 => count(stock, &target, rng),
        3..=5 => adjust(stock, &target, rng),
        6..=7 => scrap(stock, &target, rng),
        _ => quarantine(stock, &target, &options.quarantine_location, rng),
    };

    let (quantity, unit) = options.reported(&target.key.sku, change.units);
    InventoryMovement {
        source_line: 0,
        movement_ref: String::new(),
        kind: change.kind,
        location: target.key.location,
        to_location: change.to_location,
        sku: target.key.sku,
        lot: target.key.lot,
        expiry_date: target.expiry_date,
        quantity,
        unit: Some(unit.to_owned()),
        reason: change.reason.map(str::to_owned),
        occurred_at: Some(batch.occurred_at.to_owned()),
    }
}

fn count(stock: &mut Stock, target: &Target, rng: &mut SeededRng) -> Change {
    // A serial number is either there or not: a count finds it missing.
    let counted = if target.serial {
        Decimal::ZERO
    } else {
        let change = rng.count_up_to(MAX_STEPS) * target.step;
        let signed = if rng.coin() { change } else { -change };
        (target.balance + signed).max(Decimal::ZERO)
    };
    stock.set(target.key.clone(), counted);
    Change {
        kind: MovementKind::CycleCount,
        units: counted,
        reason: None,
        to_location: None,
    }
}

fn adjust(stock: &mut Stock, target: &Target, rng: &mut SeededRng) -> Change {
    // A found serial would duplicate one, so serials only go missing.
    let found = !target.serial && rng.coin();
    let change = if target.serial {
        Decimal::ONE
    } else {
        rng.count_up_to(MAX_STEPS) * target.step
    };
    let (delta, reason) = if found {
        (change, REASON_FOUND)
    } else {
        (-change, *rng.choose(&REASONS_REMOVED).unwrap_or(&"LOST"))
    };
    stock.add(target.key.clone(), delta, None);
    Change {
        kind: MovementKind::Adjustment,
        units: delta,
        reason: Some(reason),
        to_location: None,
    }
}

fn scrap(stock: &mut Stock, target: &Target, rng: &mut SeededRng) -> Change {
    let units = rng.count_up_to(MAX_STEPS).min(target.held_steps()) * target.step;
    stock.add(target.key.clone(), -units, None);
    Change {
        kind: MovementKind::Scrap,
        units,
        reason: Some(*rng.choose(&REASONS_SCRAP).unwrap_or(&"DMG")),
        to_location: None,
    }
}

fn quarantine(
    stock: &mut Stock,
    target: &Target,
    quarantine_location: &str,
    rng: &mut SeededRng,
) -> Change {
    let units = rng.count_up_to(MAX_STEPS).min(target.held_steps()) * target.step;
    let quarantined = StockKey {
        location: quarantine_location.to_owned(),
        ..target.key.clone()
    };
    stock.add(target.key.clone(), -units, None);
    stock.add(quarantined, units, target.expiry_date.clone());
    Change {
        kind: MovementKind::StatusChange,
        units,
        reason: Some(REASON_QUARANTINE),
        to_location: Some(quarantine_location.to_owned()),
    }
}
