//! Which stock messages explain a difference between a warehouse snapshot
//! taken at time T and Odoo's quants read at time R.
//!
//! A message whose warehouse time is at or before T is in the snapshot. If
//! Odoo had not applied it when its quants were read, Odoo is expected to
//! differ by the opposite of its effect. A message whose warehouse time is
//! after T is not in the snapshot, so if Odoo had applied it, Odoo differs
//! by its effect. Messages whose delivery state changed while Odoo was read
//! cannot be placed on either side and make their keys unsettled.

use std::collections::HashMap;

use jiff::Timestamp;
use wharf_model::{Decimal, EventKind, StockKey};
use wharf_store::{OutboxState, StockMessage};

use super::plan::InventoryPlan;
use crate::shipment::ShipmentPlan;

/// One message's expected difference on one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    /// `location` is empty when the message does not say where the stock
    /// left (shipments); [`resolve_locations`] fills it.
    pub key: StockKey,
    /// Signed amount by which Odoo is expected to exceed the warehouse.
    pub quantity: Decimal,
    pub message: String,
    pub settled: bool,
}

/// Computes the in-flight entries from the stock messages listed before
/// and after Odoo was read.
pub fn in_flight(
    before_read: &[StockMessage],
    after_read: &[StockMessage],
    taken_at: Timestamp,
) -> Vec<InFlight> {
    let earlier: HashMap<_, _> = before_read
        .iter()
        .map(|message| (message.envelope.id, message))
        .collect();
    let mut entries = Vec::new();
    for message in after_read {
        let previous = earlier.get(&message.envelope.id);
        let settled = match previous {
            Some(previous) => {
                previous.state == message.state
                    && message.state != OutboxState::InFlight
                    && previous.delivered_at == message.delivered_at
            }
            // Created while Odoo was read: it cannot be in Odoo yet unless
            // it was also delivered in that time.
            None => {
                message.state != OutboxState::Delivered && message.state != OutboxState::InFlight
            }
        };
        let Some((warehouse_time, effects, counted)) = effects(message) else {
            continue;
        };
        let in_snapshot = warehouse_time <= taken_at;
        let in_odoo = message.state == OutboxState::Delivered;
        let sign = match (in_snapshot, in_odoo) {
            (true, false) => -Decimal::ONE,
            (false, true) => Decimal::ONE,
            _ if settled => continue,
            _ => Decimal::ZERO,
        };
        let id = message.envelope.id.to_string();
        for (key, effect) in effects {
            entries.push(InFlight {
                key,
                quantity: sign * effect,
                message: id.clone(),
                settled,
            });
        }
        // A count replaces a balance that is unknown here, so its keys can
        // only be compared again once the count is applied.
        for key in counted {
            entries.push(InFlight {
                key,
                quantity: Decimal::ZERO,
                message: id.clone(),
                settled: false,
            });
        }
    }
    entries
}

type Effects = (Timestamp, Vec<(StockKey, Decimal)>, Vec<StockKey>);

/// Returns a message's warehouse time, its signed effects on stock and the
/// keys it counts; `None` for a kind that does not change stock.
fn effects(message: &StockMessage) -> Option<Effects> {
    let payload = message.envelope.payload.clone();
    match message.envelope.kind {
        EventKind::ShipmentApply => {
            let plan: ShipmentPlan = serde_json::from_value(payload).ok()?;
            let time = parse_time(plan.shipped_at.as_deref()).unwrap_or(message.created_at);
            let mut effects = Vec::new();
            for planned in &plan.moves {
                for lot in &planned.lots {
                    let key = StockKey {
                        location: String::new(),
                        sku: planned.sku.clone(),
                        lot: lot.lot.clone(),
                    };
                    effects.push((key, -lot.quantity));
                }
            }
            Some((time, effects, vec![]))
        }
        EventKind::InventoryApply => {
            let plan: InventoryPlan = serde_json::from_value(payload).ok()?;
            // NOTE: one time per message, the latest line's; a file whose
            // movements straddle the snapshot time is placed after it.
            let time = plan
                .lines
                .iter()
                .filter_map(|line| parse_time(line.occurred_at.as_deref()))
                .max()
                .unwrap_or(message.created_at);
            let counted = plan.counted_keys().cloned().collect();
            Some((time, plan.signed_effects(), counted))
        }
        _ => None,
    }
}

fn parse_time(text: Option<&str>) -> Option<Timestamp> {
    text?.parse().ok()
}

/// Fills the location of entries that have none with the location where
/// Odoo holds most of that SKU and lot, or `default_location` when Odoo
/// holds none.
///
/// NOTE: a shipment from a location other than the fullest one shows as
/// a variance on both locations; shipments do not name their bin yet.
pub fn resolve_locations(
    entries: &mut [InFlight],
    odoo: &HashMap<(String, Option<String>), (String, Decimal)>,
    default_location: &str,
) {
    for entry in entries
        .iter_mut()
        .filter(|entry| entry.key.location.is_empty())
    {
        let lookup = (entry.key.sku.clone(), entry.key.lot.clone());
        entry.key.location = odoo
            .get(&lookup)
            .map_or(default_location, |(location, _)| location.as_str())
            .to_owned();
    }
}
