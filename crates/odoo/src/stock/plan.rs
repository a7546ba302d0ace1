//! Planning the move-line commands that make one move's lines equal the
//! shipped (lot, quantity) pairs.
//!
//! The plan is a pure function of the lines in Odoo and the request, and
//! it converges: applying its commands and planning again from the result
//! yields no command. A shipment whose write was committed before a crash is
//! therefore written again without moving any quantity twice.
//!
//! Rules, in order:
//! 1. A requested lot takes every line that already carries that lot.
//! 2. A requested lot with no line of its own takes one of the remaining
//!    lines (reserved ones first) and swaps its `lot_id`, because Odoo moves
//!    the reservation with the lot; adding a line beside a reserved one would
//!    leave the reservation in place.
//! 3. A request without a lot (untracked product, or a lot the warehouse did
//!    not report) takes the remaining lines and keeps their lots.
//! 4. A request with no line left gets a new line.
//! 5. Every line left over gets quantity 0 and `picked = false`.
//!
//! Within the lines a request takes, its quantity fills each line up to the
//! line's current quantity in id order, and the last line takes any excess.
//! Lines that receive a quantity above zero are marked picked; a move shipped
//! at zero has no picked line.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::values::decimal_value;

/// The tracking mode of a product (`product.product.tracking`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    /// No lot or serial number.
    None,
    /// A lot number, any quantity per lot.
    Lot,
    /// A serial number, quantity 1 per serial.
    Serial,
}

impl Tracking {
    /// Parses Odoo's selection value; unknown values count as untracked.
    pub fn from_odoo(value: &str) -> Self {
        match value {
            "lot" => Self::Lot,
            "serial" => Self::Serial,
            _ => Self::None,
        }
    }
}

/// The move the lines belong to.
#[derive(Debug, Clone)]
pub struct MoveContext {
    /// The `stock.move` id.
    pub move_id: i64,
    /// The product of the move.
    pub product_id: i64,
    /// The product's tracking.
    pub tracking: Tracking,
    /// Source location for new lines.
    pub location_id: i64,
    /// Destination location for new lines.
    pub location_dest_id: i64,
}

/// A `stock.move.line` as stored in Odoo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingLine {
    /// The line id.
    pub id: i64,
    /// The lot on the line, `None` for none.
    pub lot_id: Option<i64>,
    /// The line's quantity (reserved, or done once picked).
    pub quantity: Decimal,
    /// Whether the line is picked.
    pub picked: bool,
}

/// One shipped (lot, quantity) pair with the lot resolved to its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedLot {
    /// The lot id, `None` when the warehouse reported no lot.
    pub lot_id: Option<i64>,
    /// The shipped quantity in the move's unit.
    pub quantity: Decimal,
}

/// The commands for one move and the quantity they ship.
#[derive(Debug, Clone, PartialEq)]
pub struct MovePlan {
    /// x2many commands for `stock.picking.move_line_ids`.
    pub commands: Vec<Value>,
    /// The total quantity the planned lines ship.
    pub shipped: Decimal,
}

/// Plans the commands for one move; returns a reason when the request cannot
/// be shipped as stated.
pub fn plan_move(
    context: &MoveContext,
    lines: &[ExistingLine],
    requested: &[RequestedLot],
) -> Result<MovePlan, String> {
    let requests = merge_requests(context, requested)?;
    let mut sorted: Vec<&ExistingLine> = lines.iter().collect();
    sorted.sort_by_key(|line| line.id);
    let mut taken = vec![false; sorted.len()];
    let mut assigned: Vec<(Option<i64>, Decimal, Vec<usize>)> = Vec::new();

    // Rule 1: lines that already carry the requested lot.
    for (lot, quantity) in &requests {
        let Some(lot) = lot else { continue };
        let own: Vec<usize> = (0..sorted.len())
            .filter(|&i| sorted[i].lot_id == Some(*lot))
            .collect();
        for &i in &own {
            taken[i] = true;
        }
        assigned.push((Some(*lot), *quantity, own));
    }

    // Rule 2: swap the lot onto a remaining line, reserved ones first.
    for (lot, _, own) in &mut assigned {
        if !own.is_empty() {
            continue;
        }
        let free = |i: &usize| !taken[*i] && !lot_is_requested(&requests, sorted[*i].lot_id);
        let pick = (0..sorted.len())
            .filter(free)
            .find(|&i| sorted[i].quantity > Decimal::ZERO)
            .or_else(|| (0..sorted.len()).find(free));
        if let Some(i) = pick {
            taken[i] = true;
            own.push(i);
        }
        debug_assert!(lot.is_some());
    }

    // Rule 3: a request without a lot keeps the remaining lines' lots.
    if let Some(quantity) = requests.get(&None) {
        let rest: Vec<usize> = (0..sorted.len()).filter(|&i| !taken[i]).collect();
        for &i in &rest {
            taken[i] = true;
        }
        if rest.is_empty() && context.tracking != Tracking::None {
            return Err(format!(
                "product {} is tracked by {}, but no lot was reported and no reserved line is left to ship from",
                context.product_id,
                if context.tracking == Tracking::Serial { "serial" } else { "lot" },
            ));
        }
        assigned.push((None, *quantity, rest));
    }

    let mut commands = Vec::new();
    let mut shipped = Decimal::ZERO;
    for (lot, quantity, own) in &assigned {
        shipped += *quantity;
        if own.is_empty() {
            // Rule 4: no line to reuse.
            commands.push(create_command(context, *lot, *quantity));
            continue;
        }
        for (i, line_quantity) in fill(&sorted, own, *quantity) {
            push_update(&mut commands, sorted[i], *lot, line_quantity);
        }
    }

    // Rule 5: lines left over ship nothing.
    for (i, line) in sorted.iter().enumerate() {
        if !taken[i] {
            push_update(&mut commands, line, line.lot_id, Decimal::ZERO);
        }
    }
    Ok(MovePlan { commands, shipped })
}

/// Sums the quantities per lot, dropping zero quantities and checking signs
/// and serial quantities.
fn merge_requests(
    context: &MoveContext,
    requested: &[RequestedLot],
) -> Result<BTreeMap<Option<i64>, Decimal>, String> {
    let mut merged: BTreeMap<Option<i64>, Decimal> = BTreeMap::new();
    for request in requested {
        if request.quantity < Decimal::ZERO {
            return Err(format!(
                "negative quantity {} for product {}",
                request.quantity, context.product_id
            ));
        }
        let lot = if context.tracking == Tracking::None {
            None
        } else {
            request.lot_id
        };
        *merged.entry(lot).or_default() += request.quantity;
    }
    merged.retain(|_, quantity| *quantity > Decimal::ZERO);
    if context.tracking == Tracking::Serial {
        for (lot, quantity) in &merged {
            if lot.is_some() && *quantity != Decimal::ONE {
                return Err(format!(
                    "serial-tracked product {} shipped {quantity} units of one serial number; a serial ships 1",
                    context.product_id
                ));
            }
        }
    }
    Ok(merged)
}

fn lot_is_requested(requests: &BTreeMap<Option<i64>, Decimal>, lot: Option<i64>) -> bool {
    lot.is_some() && requests.contains_key(&lot)
}

/// Spreads `quantity` over the lines in order, each up to its current
/// quantity, with any excess on the last line.
fn fill(lines: &[&ExistingLine], own: &[usize], quantity: Decimal) -> Vec<(usize, Decimal)> {
    let mut remaining = quantity;
    let mut out = Vec::with_capacity(own.len());
    for (position, &i) in own.iter().enumerate() {
        let last = position + 1 == own.len();
        let share = if last {
            remaining
        } else {
            remaining.min(lines[i].quantity.max(Decimal::ZERO))
        };
        remaining -= share;
        out.push((i, share));
    }
    out
}

fn push_update(
    commands: &mut Vec<Value>,
    line: &ExistingLine,
    lot: Option<i64>,
    quantity: Decimal,
) {
    let picked = quantity > Decimal::ZERO;
    let mut vals = Map::new();
    if lot != line.lot_id {
        vals.insert(
            "lot_id".to_owned(),
            lot.map_or(Value::Bool(false), |id| json!(id)),
        );
    }
    if quantity != line.quantity {
        vals.insert("quantity".to_owned(), decimal_value(quantity));
    }
    if picked != line.picked {
        vals.insert("picked".to_owned(), json!(picked));
    }
    if !vals.is_empty() {
        commands.push(json!([1, line.id, vals]));
    }
}

fn create_command(context: &MoveContext, lot: Option<i64>, quantity: Decimal) -> Value {
    let mut vals = Map::new();
    vals.insert("move_id".to_owned(), json!(context.move_id));
    vals.insert("product_id".to_owned(), json!(context.product_id));
    if let Some(lot) = lot {
        vals.insert("lot_id".to_owned(), json!(lot));
    }
    vals.insert("quantity".to_owned(), decimal_value(quantity));
    vals.insert("picked".to_owned(), json!(true));
    vals.insert("location_id".to_owned(), json!(context.location_id));
    vals.insert(
        "location_dest_id".to_owned(),
        json!(context.location_dest_id),
    );
    json!([0, 0, vals])
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
