//! Payload of an `inventory_apply` outbox message: the stock changes one
//! movement file makes in Odoo, netted per stock key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wharf_model::{Decimal, StockKey};

/// Operation of one line on Odoo's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockOp {
    /// The quantity is the new balance.
    Count,
    /// The quantity is added to the balance (negative removes).
    Delta,
    /// The quantity is scrapped out of the location.
    Scrap,
}

/// One change in Odoo's terms: Odoo location name, SKU, lot, Odoo unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    /// Line of the movement file it came from.
    pub source_line: u32,
    pub movement_ref: String,
    pub op: StockOp,
    pub key: StockKey,
    pub expiry_date: Option<String>,
    pub quantity: Decimal,
    /// When the warehouse made the change, RFC 3339; `None` when unknown.
    #[serde(default)]
    pub occurred_at: Option<String>,
}

/// Everything one `inventory_apply` message changes in Odoo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryPlan {
    /// Name of the stock moves the change creates in Odoo; unique per
    /// message, so a retry can find out whether the change was made.
    pub reference: String,
    pub lines: Vec<PlanLine>,
    /// Create lots Odoo does not know (with their expiry date).
    pub create_unknown_lots: bool,
}

/// Net effect on one stock key of the count and delta lines of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetChange {
    /// The balance becomes this quantity.
    Set(Decimal),
    /// This quantity is added to the balance Odoo holds when applying.
    Add(Decimal),
}

impl InventoryPlan {
    /// Folds count and delta lines per key in file order: a count sets the
    /// balance, and later deltas add to it. Scrap lines are not included.
    pub fn net_changes(&self) -> BTreeMap<StockKey, NetChange> {
        let mut changes = BTreeMap::new();
        for line in &self.lines {
            let change = changes
                .entry(line.key.clone())
                .or_insert(NetChange::Add(Decimal::ZERO));
            *change = match (line.op, &*change) {
                (StockOp::Count, _) => NetChange::Set(line.quantity),
                (StockOp::Delta, NetChange::Set(balance)) => {
                    NetChange::Set(balance + line.quantity)
                }
                (StockOp::Delta, NetChange::Add(sum)) => NetChange::Add(sum + line.quantity),
                (StockOp::Scrap, _) => continue,
            };
        }
        changes.retain(|_, change| *change != NetChange::Add(Decimal::ZERO));
        changes
    }

    /// Lines that scrap stock.
    pub fn scraps(&self) -> impl Iterator<Item = &PlanLine> {
        self.lines.iter().filter(|line| line.op == StockOp::Scrap)
    }

    /// Net signed quantity per key by which this plan changes Odoo's stock,
    /// given the balance Odoo holds before it for counted keys. Used to
    /// account for messages in flight during a reconciliation.
    pub fn signed_effects(&self) -> Vec<(StockKey, Decimal)> {
        let mut effects: BTreeMap<StockKey, Decimal> = BTreeMap::new();
        for line in &self.lines {
            let effect = match line.op {
                StockOp::Delta => line.quantity,
                StockOp::Scrap => -line.quantity,
                // A count's effect depends on the balance it replaces, which
                // a reconciliation cannot know: callers mark such keys unsettled.
                StockOp::Count => continue,
            };
            *effects.entry(line.key.clone()).or_default() += effect;
        }
        effects
            .into_iter()
            .filter(|(_, effect)| !effect.is_zero())
            .collect()
    }

    /// Keys set by a count line.
    pub fn counted_keys(&self) -> impl Iterator<Item = &StockKey> {
        self.lines
            .iter()
            .filter(|line| line.op == StockOp::Count)
            .map(|line| &line.key)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn line(op: StockOp, location: &str, quantity: &str) -> PlanLine {
        PlanLine {
            source_line: 1,
            movement_ref: "M1".into(),
            op,
            key: StockKey {
                location: location.into(),
                sku: "WID".into(),
                lot: None,
            },
            expiry_date: None,
            quantity: Decimal::from_str(quantity).unwrap(),
            occurred_at: None,
        }
    }

    fn plan(lines: Vec<PlanLine>) -> InventoryPlan {
        InventoryPlan {
            reference: "ref".into(),
            lines,
            create_unknown_lots: true,
        }
    }

    #[test]
    fn count_then_delta_sets_balance() {
        let plan = plan(vec![
            line(StockOp::Delta, "A", "5"),
            line(StockOp::Count, "A", "10"),
            line(StockOp::Delta, "A", "-3"),
        ]);
        let changes = plan.net_changes();
        assert_eq!(
            changes.values().next(),
            Some(&NetChange::Set(Decimal::from(7)))
        );
    }

    #[test]
    fn deltas_add_up_and_cancel_out() {
        let plan = plan(vec![
            line(StockOp::Delta, "A", "2.5"),
            line(StockOp::Delta, "A", "-2.5"),
            line(StockOp::Delta, "B", "1"),
            line(StockOp::Scrap, "B", "4"),
        ]);
        let changes = plan.net_changes();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes.values().next(), Some(&NetChange::Add(Decimal::ONE)));
        assert_eq!(plan.scraps().count(), 1);
        let effects = plan.signed_effects();
        assert_eq!(effects.len(), 1);
        assert_eq!(effects[0].0.location, "B");
        assert_eq!(effects[0].1, Decimal::from(-3));
    }
}
