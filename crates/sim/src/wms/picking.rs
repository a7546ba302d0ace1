//! Picking one order: what the simulated warehouse ships, with the faults
//! planned for it applied.
//!
//! Without faults the warehouse ships every line in full: the reserved lot
//! on a lot-tracked line, and one serial per unit on a serial-tracked line
//! (the reserved serials first, then generated ones).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use wharf_model::{OrderLine, OrderRelease, ShipmentConfirmation, ShippedLine};

use super::faults::Fault;

/// Ledger record of one shipped order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    pub sku: String,
    /// Odoo stock.move id of the order line; `None` for an added unknown SKU.
    pub move_id: Option<i64>,
    pub demanded: Decimal,
    pub shipped: Decimal,
    /// Lots or serials shipped, in file order.
    pub lots: Vec<String>,
}

/// The outcome of picking one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Picked {
    pub confirmation: ShipmentConfirmation,
    pub lines: Vec<LedgerLine>,
    /// The planned faults that fit the order and were applied.
    pub faults: Vec<Fault>,
}

/// Picks `order`, the `seq`-th order the warehouse has taken.
pub(crate) fn pick(
    order: &OrderRelease,
    seq: u64,
    seed: u64,
    planned: &[Fault],
    shipped_at: String,
) -> Picked {
    let mut faults: Vec<Fault> = Vec::new();
    let short_index = planned
        .contains(&Fault::Short)
        .then(|| {
            order
                .lines
                .iter()
                .position(|line| line.quantity > Decimal::ZERO)
        })
        .flatten();
    let wrong_lot_index = planned
        .contains(&Fault::WrongLot)
        .then(|| order.lines.iter().position(|line| line.tracking == "lot"))
        .flatten();
    if short_index.is_some() {
        faults.push(Fault::Short);
    }
    if wrong_lot_index.is_some() {
        faults.push(Fault::WrongLot);
    }

    let mut shipped_lines = Vec::new();
    let mut ledger = Vec::new();
    for (index, line) in order.lines.iter().enumerate() {
        let mut quantity = if short_index == Some(index) {
            short_quantity(line.quantity)
        } else {
            line.quantity
        };
        if line.tracking == "serial" {
            // A fraction of a unit of a serial product cannot ship.
            quantity = quantity.floor();
        }
        let (lines, lots) = ship_line(line, quantity, seq, wrong_lot_index == Some(index));
        shipped_lines.extend(lines);
        ledger.push(LedgerLine {
            sku: line.sku.clone(),
            move_id: Some(line.move_id),
            demanded: line.quantity,
            shipped: quantity,
            lots,
        });
    }

    if planned.contains(&Fault::UnknownSku) {
        faults.push(Fault::UnknownSku);
        let sku = format!("UNKNOWN-{seq}");
        shipped_lines.push(ShippedLine {
            source_line: 0,
            sku: sku.clone(),
            quantity: Decimal::ONE,
            lot: None,
            expiry_date: None,
            move_id: None,
        });
        ledger.push(LedgerLine {
            sku,
            move_id: None,
            demanded: Decimal::ZERO,
            shipped: Decimal::ONE,
            lots: Vec::new(),
        });
    }

    let mut tracking_numbers = vec![tracking_number(seed, seq, 0)];
    if planned.contains(&Fault::TwoTracking) {
        faults.push(Fault::TwoTracking);
        tracking_numbers.push(tracking_number(seed, seq, 1));
    }
    // The remaining faults change how the file is written, not its content.
    for fault in [Fault::Duplicate, Fault::Slow, Fault::Cp1252] {
        if planned.contains(&fault) {
            faults.push(fault);
        }
    }

    let confirmation = ShipmentConfirmation {
        picking_ref: order.picking_name.clone(),
        lines: shipped_lines,
        carrier: (!order.carrier.is_empty()).then(|| order.carrier.clone()),
        tracking_numbers,
        shipped_at: Some(shipped_at),
        reshipment: false,
    };
    Picked {
        confirmation,
        lines: ledger,
        faults,
    }
}

/// Half the demand rounded down, and at least one unit less than demanded.
fn short_quantity(demanded: Decimal) -> Decimal {
    let half = (demanded / Decimal::TWO).floor();
    half.min(demanded - Decimal::ONE).max(Decimal::ZERO)
}

/// Builds the confirmation lines for one order line and lists the lots or
/// serials used.
fn ship_line(
    line: &OrderLine,
    quantity: Decimal,
    seq: u64,
    wrong_lot: bool,
) -> (Vec<ShippedLine>, Vec<String>) {
    let shipped = |quantity: Decimal, lot: Option<String>| ShippedLine {
        source_line: 0,
        sku: line.sku.clone(),
        quantity,
        lot,
        expiry_date: None,
        move_id: Some(line.move_id),
    };

    match line.tracking.as_str() {
        "serial" if quantity >= Decimal::ONE => {
            // One confirmation line per unit.
            let units = quantity.floor().to_u64().unwrap_or(0);
            let serials: Vec<String> = (0..units)
                .map(|unit| {
                    usize::try_from(unit)
                        .ok()
                        .and_then(|unit| line.reserved_lots.get(unit).cloned())
                        .unwrap_or_else(|| format!("SN-{seq:06}-{}-{unit:04}", line.line_no))
                })
                .collect();
            let lines = serials
                .iter()
                .map(|serial| shipped(Decimal::ONE, Some(serial.clone())))
                .collect();
            (lines, serials)
        }
        "lot" => {
            let reserved = line
                .reserved_lots
                .first()
                .cloned()
                .unwrap_or_else(|| format!("LOT-{seq:06}-{}", line.line_no));
            let lot = if wrong_lot {
                format!("{reserved}-B")
            } else {
                reserved
            };
            (vec![shipped(quantity, Some(lot.clone()))], vec![lot])
        }
        _ => (vec![shipped(quantity, None)], Vec::new()),
    }
}

/// Derives a 12-digit tracking number from the seed, the order sequence and
/// the parcel index. The same inputs always give the same number.
pub fn tracking_number(seed: u64, seq: u64, parcel: u64) -> String {
    let mixed = splitmix64(seed ^ splitmix64(seq.wrapping_mul(0x100).wrapping_add(parcel)));
    format!("{:012}", mixed % 1_000_000_000_000)
}

/// SplitMix64 finaliser: a fixed, well-mixed function of its input, so the
/// numbers do not depend on a random number library's version.
pub(crate) fn splitmix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_quantity_rules() {
        assert_eq!(short_quantity(Decimal::from(10)), Decimal::from(5));
        assert_eq!(short_quantity(Decimal::from(3)), Decimal::from(1));
        assert_eq!(short_quantity(Decimal::from(2)), Decimal::from(1));
        assert_eq!(short_quantity(Decimal::from(1)), Decimal::ZERO);
        assert_eq!(short_quantity(Decimal::new(5, 1)), Decimal::ZERO);
    }

    #[test]
    fn tracking_numbers_are_stable_text() {
        let first = tracking_number(42, 1, 0);
        assert_eq!(first.len(), 12);
        assert_eq!(first, tracking_number(42, 1, 0));
        assert_ne!(first, tracking_number(42, 1, 1));
        assert_ne!(first, tracking_number(43, 1, 0));
    }
}
