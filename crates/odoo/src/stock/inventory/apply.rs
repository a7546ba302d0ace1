//! Applying a count as one inventory adjustment.
//!
//! Odoo books a count in two steps: the counted quantity is written on the
//! quant (`inventory_quantity`, in inventory mode), then
//! `stock.quant.action_apply_inventory` creates and validates one stock move
//! per quant. The moves take their name from the context key
//! `inventory_name` (`stock.quant._get_inventory_move_values` in Odoo 17 to
//! 19), and the stored `stock.move.reference` copies it, so the reference
//! given here is how [`super::already_applied`] finds the adjustment again.
//!
//! `action_apply_inventory` returns `None` when it applied the counts; over
//! JSON-RPC that is a response without a `result` member, which the
//! transport returns as `Value::Null`. It returns a window action instead
//! when it wants confirmation, such as `stock.inventory.conflict` when the
//! stock moved after the count was written: nothing is applied then.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::counts::{
    check_lines, match_quants, writes_by_quantity, CountLine, CountOutcome, CountedLine, Planned,
};
use super::{action_model, rejected, rounded_for_write, unit_roundings};
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::values::{decimal, decimal_value, id_of, Record};

/// The next step for an Inventory / User whose apply Odoo 17 rejected,
/// because Odoo 17 lets only stock managers apply adjustments (18 does not).
const MANAGER_HINT: &str = "the Odoo user needs Inventory / Administrator rights (group stock.group_stock_manager) to apply inventory adjustments on Odoo 17; grant them to the integration user in Odoo, then retry";

/// Applies a count: writes the counted quantities on the quants (one call
/// per distinct quantity), creates the missing quants (one call), applies
/// them all in one `action_apply_inventory` with `reference` as the moves'
/// name, and reads the quants back (one call). Finding the quants and the
/// products' units costs three calls more.
///
/// Applying is not idempotent in Odoo: call [`super::already_applied`] first when
/// the same count may have been sent before.
pub async fn apply_counts(
    client: &Client,
    lines: &[CountLine],
    reference: &str,
) -> Result<CountOutcome, Error> {
    check_lines(lines, reference)?;
    if lines.is_empty() {
        return Ok(CountOutcome {
            reference: reference.to_owned(),
            lines: Vec::new(),
        });
    }
    let rounded = round_counts(client, lines).await?;
    let quants = find_quants(client, &rounded).await?;
    let mut planned = match_quants(rounded, &quants, reference)?;

    // Write the counts: existing quants grouped by quantity, then the missing ones.
    let inventory_mode = context(&[("inventory_mode", json!(true))]);
    for (counted, ids) in writes_by_quantity(&planned) {
        let mut vals = Map::new();
        vals.insert("inventory_quantity".to_owned(), decimal_value(counted));
        client
            .write_with_context("stock.quant", &ids, vals, Some(inventory_mode.clone()))
            .await?;
    }
    create_missing(client, &mut planned, inventory_mode).await?;

    let quant_ids: Vec<i64> = planned
        .iter()
        .filter_map(|p| p.quant.map(|(id, _)| id))
        .collect();
    if !quant_ids.is_empty() {
        apply_inventory(client, &quant_ids, reference).await?;
    }
    let after = read_after(client, &quant_ids).await?;
    Ok(CountOutcome {
        reference: reference.to_owned(),
        lines: planned
            .into_iter()
            .map(|p| outcome_line(p, &after))
            .collect(),
    })
}

/// Rounds each counted quantity to its product's unit (two calls).
async fn round_counts(client: &Client, lines: &[CountLine]) -> Result<Vec<CountLine>, Error> {
    let product_ids: Vec<i64> = lines
        .iter()
        .map(|l| l.product_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let roundings = unit_roundings(client, &product_ids).await?;
    Ok(lines
        .iter()
        .map(|line| CountLine {
            counted: rounded_for_write(
                line.counted,
                roundings
                    .get(&line.product_id)
                    .copied()
                    .unwrap_or(Decimal::ZERO),
                line.product_id,
            ),
            ..line.clone()
        })
        .collect())
}

/// Reads the quants of the lines' locations and products in one call.
async fn find_quants(client: &Client, lines: &[CountLine]) -> Result<Vec<Record>, Error> {
    let locations: BTreeSet<i64> = lines.iter().map(|l| l.location_id).collect();
    let products: BTreeSet<i64> = lines.iter().map(|l| l.product_id).collect();
    let options = SearchOptions {
        order: Some("id".to_owned()),
        ..SearchOptions::default()
    };
    client
        .search_read(
            "stock.quant",
            json!([
                ["location_id", "in", locations],
                ["product_id", "in", products]
            ]),
            &[
                "location_id",
                "product_id",
                "lot_id",
                "package_id",
                "owner_id",
                "quantity",
            ],
            options,
        )
        .await
}

/// Creates, in inventory mode and one call, a quant for every line without
/// one whose count is not zero.
async fn create_missing(
    client: &Client,
    planned: &mut [Planned],
    inventory_mode: Map<String, Value>,
) -> Result<(), Error> {
    let missing: Vec<usize> = (0..planned.len())
        .filter(|&i| planned[i].quant.is_none() && !planned[i].line.counted.is_zero())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let vals_list = missing
        .iter()
        .map(|&i| {
            let line = &planned[i].line;
            let mut vals = Map::new();
            vals.insert("product_id".to_owned(), json!(line.product_id));
            vals.insert("location_id".to_owned(), json!(line.location_id));
            if let Some(lot_id) = line.lot_id {
                vals.insert("lot_id".to_owned(), json!(lot_id));
            }
            vals.insert("inventory_quantity".to_owned(), decimal_value(line.counted));
            vals
        })
        .collect();
    let ids = client
        .create_with_context("stock.quant", vals_list, Some(inventory_mode))
        .await?;
    for (&index, id) in missing.iter().zip(ids) {
        planned[index].quant = Some((id, Decimal::ZERO));
    }
    Ok(())
}

/// Calls `action_apply_inventory` once on all quants and turns a returned
/// wizard, or Odoo 17's rejection of non-managers, into a permanent error.
async fn apply_inventory(client: &Client, quant_ids: &[i64], reference: &str) -> Result<(), Error> {
    let mut kwargs = Map::new();
    kwargs.insert(
        "context".to_owned(),
        Value::Object(context(&[
            ("inventory_mode", json!(true)),
            ("inventory_name", json!(reference)),
        ])),
    );
    let answer = client
        .call(
            "stock.quant",
            "action_apply_inventory",
            vec![json!(quant_ids)],
            kwargs,
        )
        .await;
    match answer {
        Ok(value) => match action_model(&value) {
            Some(wizard) => Err(rejected(
                format!("inventory adjustment {reference:?}"),
                ErrorKind::Permanent,
                &wizard_detail(wizard),
            )),
            None => Ok(()),
        },
        Err(error) => Err(explain_rejection(client, error).await),
    }
}

/// Checks whether a `UserError` from applying on Odoo 17 is the stock-manager
/// check. `has_group` (one call) decides, so Odoo's translated text is never parsed.
async fn explain_rejection(client: &Client, error: Error) -> Error {
    if client.version().major > 17 || error.odoo_name() != Some("odoo.exceptions.UserError") {
        return error;
    }
    match client.has_group("stock.group_stock_manager").await {
        Ok(false) => match error {
            Error::Server {
                call,
                name,
                message,
                status,
                ..
            } => Error::Server {
                call,
                name,
                message,
                status,
                kind: ErrorKind::Permanent,
                hint: MANAGER_HINT,
            },
            other => other,
        },
        Ok(true) => error,
        Err(check) => {
            tracing::debug!(%check, "Checking the stock manager group failed after Odoo rejected the inventory apply");
            error
        }
    }
}

/// Reads the quantities after the apply in one call. A quant Odoo removed
/// has a quantity of zero.
async fn read_after(client: &Client, quant_ids: &[i64]) -> Result<HashMap<i64, Decimal>, Error> {
    let records = client.read("stock.quant", quant_ids, &["quantity"]).await?;
    Ok(records
        .iter()
        .map(|q| (id_of(q), decimal(q, "quantity")))
        .collect())
}

fn outcome_line(planned: Planned, after: &HashMap<i64, Decimal>) -> CountedLine {
    let (quant_id, before) = match planned.quant {
        Some((id, quantity)) => (Some(id), quantity),
        None => (None, Decimal::ZERO),
    };
    let after = quant_id
        .and_then(|id| after.get(&id).copied())
        .unwrap_or(Decimal::ZERO);
    if after != planned.line.counted {
        tracing::warn!(quant_id, counted = %planned.line.counted, %after, "A quant differs from its count after the inventory was applied");
    }
    CountedLine {
        location_id: planned.line.location_id,
        product_id: planned.line.product_id,
        lot_id: planned.line.lot_id,
        counted: planned.line.counted,
        quant_id,
        before,
        after,
    }
}

fn wizard_detail(wizard: &str) -> String {
    let next = if wizard == "stock.inventory.conflict" {
        "the stock moved after the count was written; send the count again to count against the current stock, or resolve it in Odoo"
    } else {
        "complete the adjustment in Odoo under Inventory > Physical Inventory"
    };
    format!("Odoo did not apply the count and returned the wizard {wizard}: {next}")
}

fn context(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}
