//! Building the one `stock.picking` write of a shipment: the move-line
//! commands of every open move (planned by [`super::plan`]), the carrier and
//! the tracking number, each left out when Odoo already has that value.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::plan::{plan_move, ExistingLine, MoveContext, RequestedLot, Tracking};
use super::ship::ShipmentWrite;
use crate::values::{decimal, flag, id_of, many2one_id, many2one_name, text, Record};

/// Builds the `stock.picking` write for one shipment; empty when Odoo
/// already contains exactly this shipment.
pub(super) fn build_write(
    shipment: &ShipmentWrite,
    picking: &Record,
    moves: &[Record],
    lines: &[Record],
    lots: &HashMap<(i64, String), i64>,
    carriers: &HashMap<String, i64>,
) -> Result<Map<String, Value>, String> {
    let own_moves: Vec<&Record> = moves
        .iter()
        .filter(|m| {
            many2one_id(m, "picking_id") == Some(shipment.picking_id)
                && text(m, "state") != "cancel"
        })
        .collect();
    for shipped in &shipment.moves {
        let Some(record) = own_moves.iter().find(|m| id_of(m) == shipped.move_id) else {
            return Err(format!(
                "move {} is not an open move of this picking",
                shipped.move_id
            ));
        };
        let product = many2one_id(record, "product_id").unwrap_or(0);
        if product != shipped.product_id {
            return Err(format!(
                "move {} is for product {} ({}), not for product {}",
                shipped.move_id,
                product,
                many2one_name(record, "product_id"),
                shipped.product_id
            ));
        }
    }

    let mut commands = Vec::new();
    let mut shipped_total = Decimal::ZERO;
    for record in &own_moves {
        let move_id = id_of(record);
        let context = MoveContext {
            move_id,
            product_id: many2one_id(record, "product_id").unwrap_or(0),
            tracking: Tracking::from_odoo(&text(record, "has_tracking")),
            location_id: many2one_id(record, "location_id").unwrap_or(0),
            location_dest_id: many2one_id(record, "location_dest_id").unwrap_or(0),
        };
        let existing: Vec<ExistingLine> = lines
            .iter()
            .filter(|l| many2one_id(l, "move_id") == Some(move_id))
            .map(|l| ExistingLine {
                id: id_of(l),
                lot_id: many2one_id(l, "lot_id"),
                quantity: decimal(l, "quantity"),
                picked: flag(l, "picked"),
            })
            .collect();
        let mut requested = Vec::new();
        for shipped in shipment.moves.iter().filter(|m| m.move_id == move_id) {
            for lot in &shipped.lots {
                let lot_id = match &lot.lot_name {
                    Some(name) => Some(*lots.get(&(context.product_id, name.clone())).ok_or_else(
                        || {
                            format!(
                                "lot {name:?} of product {} could not be resolved",
                                context.product_id
                            )
                        },
                    )?),
                    None => None,
                };
                requested.push(RequestedLot {
                    lot_id,
                    quantity: lot.quantity,
                });
            }
        }
        let plan = plan_move(&context, &existing, &requested)
            .map_err(|reason| format!("move {move_id}: {reason}"))?;
        shipped_total += plan.shipped;
        commands.extend(plan.commands);
    }
    if shipped_total <= Decimal::ZERO {
        return Err("nothing is shipped, and Odoo would ship everything reserved when validating a picking with nothing picked; cancel the picking in Odoo if nothing leaves".to_owned());
    }

    let mut vals = Map::new();
    if !commands.is_empty() {
        vals.insert("move_line_ids".to_owned(), Value::Array(commands));
    }
    if let Some(carrier) = shipment
        .carrier_name
        .as_ref()
        .and_then(|name| carriers.get(name))
    {
        if many2one_id(picking, "carrier_id") != Some(*carrier) {
            vals.insert("carrier_id".to_owned(), json!(carrier));
        }
    }
    if let Some(reference) = &shipment.tracking_ref {
        if text(picking, "carrier_tracking_ref") != *reference {
            vals.insert("carrier_tracking_ref".to_owned(), json!(reference));
        }
    }
    Ok(vals)
}
