//! Finding the return a previous attempt created, so a retry after a lost
//! response creates no second return.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::json;

use super::returns::{ReturnCreated, ReturnItem};
use crate::client::{Client, SearchOptions};
use crate::error::Error;
use crate::values::{decimal, id_of, many2one_id, text, Record};

/// Returns the earlier return of the delivery whose moves have the requested
/// quantities: one search of pickings, and one of moves when returns exist.
///
/// NOTE: two separate returns of equal quantities of one delivery look the
/// same here, so the second is taken for the first. Odoo keeps no reference
/// of the caller on the return wizard that would tell them apart.
pub(super) async fn find_earlier_return(
    client: &Client,
    picking_id: i64,
    name: &str,
    requested: &BTreeMap<ReturnItem, Decimal>,
) -> Result<Option<ReturnCreated>, Error> {
    let order = SearchOptions {
        order: Some("id".to_owned()),
        ..SearchOptions::default()
    };
    let domain = json!([
        "|",
        ["return_id", "=", picking_id],
        ["origin", "=", format!("Return of {name}")],
        ["state", "!=", "cancel"]
    ]);
    let returns = client
        .search_read("stock.picking", domain, &["name"], order.clone())
        .await?;
    if returns.is_empty() {
        return Ok(None);
    }
    let return_ids: Vec<i64> = returns.iter().map(id_of).collect();
    let moves = client
        .search_read(
            "stock.move",
            json!([["picking_id", "in", return_ids], ["state", "!=", "cancel"]]),
            &[
                "picking_id",
                "product_id",
                "product_uom_qty",
                "origin_returned_move_id",
            ],
            order,
        )
        .await?;
    Ok(returns.iter().find_map(|candidate| {
        let own: Vec<&Record> = moves
            .iter()
            .filter(|m| many2one_id(m, "picking_id") == Some(id_of(candidate)))
            .collect();
        same_quantities(&own, requested).then(|| ReturnCreated {
            return_picking_id: id_of(candidate),
            name: text(candidate, "name"),
            already_existed: true,
        })
    }))
}

/// Returns whether the moves of a return carry exactly the requested quantities.
pub(super) fn same_quantities(
    moves: &[&Record],
    requested: &BTreeMap<ReturnItem, Decimal>,
) -> bool {
    let total: Decimal = moves.iter().map(|m| decimal(m, "product_uom_qty")).sum();
    if total != requested.values().copied().sum::<Decimal>() {
        return false;
    }
    requested.iter().all(|(item, quantity)| {
        let returned: Decimal = moves
            .iter()
            .filter(|m| match item {
                ReturnItem::Move(id) => many2one_id(m, "origin_returned_move_id") == Some(*id),
                ReturnItem::Product(id) => many2one_id(m, "product_id") == Some(*id),
            })
            .map(|m| decimal(m, "product_uom_qty"))
            .sum();
        returned == *quantity
    })
}
