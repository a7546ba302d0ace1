//! Creating a customer return of a done delivery through Odoo's
//! `stock.return.picking` wizard, as Odoo 17, 18 and 19 record it.
//!
//! The wizard is created for the delivery (one `create`) and its lines are
//! read (one `search_read`). The quantity of every line is then written
//! explicitly with one2many update commands (one `write`), because Odoo 17
//! pre-fills each line with the full returnable quantity and 18 and later
//! with 0.
//! `create_returns` (17) or `action_create_returns` (18 and later) then
//! returns a window action whose `res_id` is the new return picking.
//!
//! Before that, the delivery is read (state `done` required) and its
//! earlier returns are looked up, by `return_id` or by the origin
//! `Return of <name>` Odoo gives them. An earlier return with the requested
//! quantities is taken as the result of a previous attempt whose response
//! was lost, and nothing is created.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::rejected;
use super::return_lookup::find_earlier_return;
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::values::{decimal, decimal_value, id_of, many2one_id, text, Record};

/// The delivery line a returned quantity belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReturnItem {
    /// A `stock.move` of the delivery.
    Move(i64),
    /// A product, which must appear on exactly one move of the delivery.
    Product(i64),
}

/// One returned quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnLine {
    /// The delivery move or product returned.
    pub item: ReturnItem,
    /// The returned quantity in the move's unit.
    pub quantity: Decimal,
}

/// A return of a done delivery; delivery lines not listed return nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnRequest {
    /// The done delivery (`stock.picking` id).
    pub picking_id: i64,
    /// The returned quantities.
    pub lines: Vec<ReturnLine>,
}

/// The return picking, created now or found from an earlier attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCreated {
    /// The return picking's id.
    pub return_picking_id: i64,
    /// The return picking's reference, such as `WH/IN/00002`.
    pub name: String,
    /// Whether the return existed before this call, so nothing was created.
    pub already_existed: bool,
}

/// Creates the return of a done delivery, or returns the earlier return with
/// the same quantities. Costs seven calls, or three when the return exists.
pub async fn create_return(
    client: &Client,
    request: &ReturnRequest,
) -> Result<ReturnCreated, Error> {
    let requested = merge_lines(request)?;
    let delivery = read_delivery(client, request.picking_id).await?;
    let name = text(&delivery, "name");
    if let Some(found) = find_earlier_return(client, request.picking_id, &name, &requested).await? {
        tracing::info!(picking = %name, return_picking = %found.name, "Found the return of an earlier attempt; nothing created");
        return Ok(found);
    }

    // Fill the wizard: every line gets its quantity explicitly. The recorded
    // calls pass only `picking_id`; the context also names the delivery as
    // the active record, as a wizard opened from the delivery's form has it.
    let mut context = Map::new();
    context.insert("active_id".to_owned(), json!(request.picking_id));
    context.insert("active_ids".to_owned(), json!([request.picking_id]));
    context.insert("active_model".to_owned(), json!("stock.picking"));
    let mut vals = Map::new();
    vals.insert("picking_id".to_owned(), json!(request.picking_id));
    let wizard_ids = client
        .create_with_context("stock.return.picking", vec![vals], Some(context))
        .await?;
    let wizard_id = wizard_ids[0];
    let lines = client
        .search_read(
            "stock.return.picking.line",
            json!([["wizard_id", "=", wizard_id]]),
            client.dialect().return_line_fields(),
            SearchOptions {
                order: Some("id".to_owned()),
                ..SearchOptions::default()
            },
        )
        .await?;
    let quantities = wizard_quantities(&name, &lines, &requested)?;
    let commands: Vec<Value> = quantities
        .iter()
        .map(|(line_id, quantity)| json!([1, line_id, {"quantity": decimal_value(*quantity)}]))
        .collect();
    let mut vals = Map::new();
    vals.insert("product_return_moves".to_owned(), Value::Array(commands));
    client
        .write("stock.return.picking", &[wizard_id], vals)
        .await?;

    // Create the return picking and read its name.
    let method = client.dialect().create_returns_method();
    let action = client
        .call(
            "stock.return.picking",
            method,
            vec![json!([wizard_id])],
            Map::new(),
        )
        .await?;
    let return_id = action
        .get("res_id")
        .and_then(Value::as_i64)
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            Error::unexpected(
                &format!("stock.return.picking.{method}"),
                format!("expected a window action with the return picking in res_id, got {action}"),
            )
        })?;
    let created = client
        .read("stock.picking", &[return_id], &["name"])
        .await?;
    let return_name = created.first().map(|p| text(p, "name")).unwrap_or_default();
    tracing::info!(picking = %name, return_picking = %return_name, "Created a return picking");
    Ok(ReturnCreated {
        return_picking_id: return_id,
        name: return_name,
        already_existed: false,
    })
}

/// Sums the quantities per item and checks them: none negative, some above 0.
fn merge_lines(request: &ReturnRequest) -> Result<BTreeMap<ReturnItem, Decimal>, Error> {
    let subject = request.picking_id.to_string();
    let mut merged: BTreeMap<ReturnItem, Decimal> = BTreeMap::new();
    for line in &request.lines {
        if line.quantity < Decimal::ZERO {
            return Err(rejected(
                subject,
                ErrorKind::Permanent,
                &format!(
                "the returned quantity {} of {:?} is negative; send the quantity that came back",
                line.quantity, line.item
            ),
            ));
        }
        *merged.entry(line.item).or_default() += line.quantity;
    }
    merged.retain(|_, quantity| *quantity > Decimal::ZERO);
    if merged.is_empty() {
        return Err(rejected(
            subject,
            ErrorKind::Permanent,
            "the return has no quantity above 0; send at least one returned line",
        ));
    }
    Ok(merged)
}

/// Reads the delivery and checks that it is done.
async fn read_delivery(client: &Client, picking_id: i64) -> Result<Record, Error> {
    let records = client
        .read(
            "stock.picking",
            &[picking_id],
            &["name", "state", "picking_type_code"],
        )
        .await?;
    let Some(delivery) = records.into_iter().next() else {
        return Err(rejected(
            picking_id.to_string(),
            ErrorKind::Permanent,
            "not found in Odoo (deleted, or not visible to the integration user)",
        ));
    };
    let state = text(&delivery, "state");
    if state != "done" {
        return Err(rejected(text(&delivery, "name"), ErrorKind::Permanent, &format!(
            "is in state {state:?}, and Odoo returns only done pickings; ship the picking before booking its return"
        )));
    }
    Ok(delivery)
}

/// Assigns the requested quantities to the wizard lines; every line gets a
/// quantity, 0 for lines not requested. Rejects items the delivery does not
/// have, ambiguous products and quantities above what was delivered.
fn wizard_quantities(
    picking: &str,
    lines: &[Record],
    requested: &BTreeMap<ReturnItem, Decimal>,
) -> Result<Vec<(i64, Decimal)>, Error> {
    let mut quantities: Vec<(i64, Decimal)> =
        lines.iter().map(|l| (id_of(l), Decimal::ZERO)).collect();
    for (item, quantity) in requested {
        let matching: Vec<usize> = (0..lines.len())
            .filter(|&i| match item {
                ReturnItem::Move(id) => many2one_id(&lines[i], "move_id") == Some(*id),
                ReturnItem::Product(id) => many2one_id(&lines[i], "product_id") == Some(*id),
            })
            .collect();
        let index = match matching.as_slice() {
            [index] => *index,
            [] => return Err(rejected(picking, ErrorKind::Permanent, &format!(
                "{item:?} is not a returnable line of this delivery; check the returned items against the delivery"
            ))),
            _ => return Err(rejected(picking, ErrorKind::Permanent, &format!(
                "{item:?} appears on {} moves of this delivery; name the move instead of the product", matching.len()
            ))),
        };
        // Odoo 17 pre-fills the returnable quantity, 18 and later keep it in move_quantity.
        let line = &lines[index];
        let returnable = if line.contains_key("move_quantity") {
            decimal(line, "move_quantity")
        } else {
            decimal(line, "quantity")
        };
        if *quantity > returnable {
            return Err(rejected(picking, ErrorKind::Permanent, &format!(
                "{item:?} returns {quantity}, more than the {returnable} Odoo lets return; check the returned quantity"
            )));
        }
        quantities[index].1 += *quantity;
    }
    Ok(quantities)
}

#[cfg(test)]
#[path = "returns_tests.rs"]
mod tests;
