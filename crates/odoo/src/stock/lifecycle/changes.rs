//! Reading the current state and move demands of pickings Wharf released, so
//! the engine can tell a cancelled picking (state `cancel`) or a changed line
//! (a demand that differs from the release) after the release.
//!
//! A page costs three calls whatever its size: `stock.picking` search_read by
//! id with the keyset cursor, `stock.move` search_read of the page's pickings
//! and one `product.product` read for the SKUs.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{cursor_terms, CURSOR_ORDER};
use crate::client::{Client, SearchOptions};
use crate::error::Error;
use crate::stock::ready::{by_id, unique};
use crate::values::{decimal, id_of, many2one_id, text};

/// The released pickings to read and the page to read.
#[derive(Debug, Clone)]
pub struct ChangedQuery {
    /// The `stock.picking` ids Wharf released.
    pub picking_ids: Vec<i64>,
    /// Only pickings written at or after this naive UTC datetime
    /// (`YYYY-MM-DD HH:MM:SS`, inclusive).
    ///
    /// NOTE: Odoo can change a move's demand (an edited sale order line)
    /// without writing the picking, so a cursor may hide such a change. Read
    /// the whole list without a cursor, page by page, to see every demand.
    pub write_date_from: Option<String>,
    /// With `write_date_from`, skips the pickings written exactly at that
    /// time whose id is at or below this one: pass the last picking of the
    /// previous page.
    pub after_id: Option<i64>,
    /// Maximum number of pickings returned.
    pub page_size: u32,
}

/// The current state of one released picking. A picking deleted in Odoo is
/// absent from the result.
#[derive(Debug, Clone, PartialEq)]
pub struct PickingChange {
    /// The `stock.picking` id.
    pub id: i64,
    /// The picking reference, such as `WH/OUT/00003`.
    pub name: String,
    /// The picking state, such as `assigned` or `cancel`.
    pub state: String,
    /// Last change of the picking, naive UTC; the cursor of the next page.
    pub write_date: String,
    /// Every move of the picking, cancelled ones included, by id.
    pub moves: Vec<ChangedMove>,
}

/// One move of a released picking with its current demand.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedMove {
    /// The `stock.move` id.
    pub id: i64,
    /// The product id.
    pub product_id: i64,
    /// The product's internal reference, empty when it has none.
    pub sku: String,
    /// The demand in the move's unit.
    pub product_uom_qty: Decimal,
    /// The move state, such as `assigned` or `cancel`.
    pub state: String,
}

/// Reads one page of the released pickings, ordered by `write_date` then id.
/// An empty id list costs no call.
pub async fn changed_pickings(
    client: &Client,
    query: &ChangedQuery,
) -> Result<Vec<PickingChange>, Error> {
    if query.picking_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut domain = vec![json!(["id", "in", query.picking_ids])];
    domain.extend(cursor_terms(
        query.write_date_from.as_deref(),
        query.after_id,
    ));
    let options = SearchOptions {
        // Odoo reads a limit of 0 as no limit.
        limit: Some(query.page_size.max(1)),
        order: Some(CURSOR_ORDER.to_owned()),
        ..SearchOptions::default()
    };
    let pickings = client
        .search_read(
            "stock.picking",
            Value::Array(domain),
            &["name", "state", "write_date"],
            options,
        )
        .await?;
    if pickings.is_empty() {
        return Ok(Vec::new());
    }

    // The moves of the page and their products, one call each.
    let page_ids: Vec<i64> = pickings.iter().map(id_of).collect();
    let id_order = SearchOptions {
        order: Some("id".to_owned()),
        ..SearchOptions::default()
    };
    let moves = client
        .search_read(
            "stock.move",
            json!([["picking_id", "in", page_ids]]),
            &["picking_id", "product_id", "product_uom_qty", "state"],
            id_order,
        )
        .await?;
    let product_ids = unique(moves.iter().filter_map(|m| many2one_id(m, "product_id")));
    let products = by_id(
        client
            .read("product.product", &product_ids, &["default_code"])
            .await?,
    );

    let mut moves_by_picking: HashMap<i64, Vec<ChangedMove>> = HashMap::new();
    for record in &moves {
        let product_id = many2one_id(record, "product_id").unwrap_or(0);
        let changed = ChangedMove {
            id: id_of(record),
            product_id,
            sku: products
                .get(&product_id)
                .map(|p| text(p, "default_code"))
                .unwrap_or_default(),
            product_uom_qty: decimal(record, "product_uom_qty"),
            state: text(record, "state"),
        };
        let picking_id = many2one_id(record, "picking_id").unwrap_or(0);
        moves_by_picking
            .entry(picking_id)
            .or_default()
            .push(changed);
    }
    Ok(pickings
        .iter()
        .map(|picking| PickingChange {
            id: id_of(picking),
            name: text(picking, "name"),
            state: text(picking, "state"),
            write_date: text(picking, "write_date"),
            moves: moves_by_picking.remove(&id_of(picking)).unwrap_or_default(),
        })
        .collect())
}
