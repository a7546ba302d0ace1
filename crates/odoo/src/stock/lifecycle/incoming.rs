//! Reading the receipts a warehouse should expect, one page at a time, for
//! expected-receipt (ASN) files.
//!
//! Receipts are the pickings of the warehouses' incoming operation types in
//! state `assigned`: the receipts of confirmed purchase orders and the
//! customer returns, which Odoo files under the same Receipts type. They are
//! selected by operation type and state, not by purchase order, because Odoo
//! creates a purchase receipt only when the order is confirmed, and because
//! `stock.picking.purchase_id` exists only with the `purchase_stock` module.
//!
//! A page costs six calls whatever its size: `stock.warehouse` and
//! `stock.picking.type` search_read for the operation types, `stock.picking`
//! and `stock.move` search_read, `product.product` `fields_get` (is Odoo's
//! `product_expiry` module installed?) and one `product.product` read.
//! When a move's product is tracked by lot or serial, a seventh call (one
//! `stock.move.line` search_read) reads the lots and serials already on the
//! lines. On a customer return, Odoo fills those in with the delivered ones.
//! An empty page costs three calls.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::{cursor_terms, CURSOR_ORDER};
use crate::client::{Client, SearchOptions};
use crate::error::Error;
use crate::stock::ready::{by_id, id_order, lots_by_move, unique, warehouse_codes, MOVE_FIELDS};
use crate::values::{decimal, flag, id_of, many2one_id, many2one_name, text, Record};

/// The warehouses and the page of an expected-receipts read.
#[derive(Debug, Clone)]
pub struct IncomingQuery {
    /// Codes of the warehouses (`stock.warehouse.code`), such as `WH`.
    pub warehouse_codes: Vec<String>,
    /// Only receipts written at or after this naive UTC datetime
    /// (`YYYY-MM-DD HH:MM:SS`, inclusive).
    pub write_date_from: Option<String>,
    /// With `write_date_from`, skips the receipts written exactly at that
    /// time whose id is at or below this one: pass the last receipt of the
    /// previous page.
    pub after_id: Option<i64>,
    /// Maximum number of receipts returned.
    pub page_size: u32,
}

/// A receipt in state `assigned` with what a warehouse needs to expect it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingPicking {
    /// The `stock.picking` id.
    pub id: i64,
    /// The picking reference, such as `WH/IN/00001`.
    pub name: String,
    /// The picking state (`assigned`).
    pub state: String,
    /// Last change, naive UTC; the cursor of the next page.
    pub write_date: String,
    /// Scheduled date, naive UTC.
    pub scheduled_date: String,
    /// The source document: the purchase order, `Return of WH/OUT/00001`
    /// for a return, or empty.
    pub origin: String,
    /// The delivery this picking returns, `None` for a purchase receipt.
    pub return_of: Option<(i64, String)>,
    /// Name of the vendor or returning customer, empty when none.
    pub partner_name: String,
    /// Code of the picking's warehouse.
    pub warehouse_code: String,
    /// The expected moves, by id.
    pub moves: Vec<IncomingMove>,
}

/// One expected move of a receipt.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingMove {
    /// The `stock.move` id.
    pub id: i64,
    /// The product id.
    pub product_id: i64,
    /// The product's internal reference, empty when it has none.
    pub sku: String,
    /// The product's name.
    pub product_name: String,
    /// The expected quantity in the move's unit.
    pub product_uom_qty: Decimal,
    /// Name of the move's unit of measure.
    pub uom_name: String,
    /// The product's tracking: `none`, `lot` or `serial`.
    pub tracking: String,
    /// Whether the product's lots carry an expiry date (`false` when Odoo's
    /// `product_expiry` module is not installed).
    pub use_expiration_date: bool,
    /// Names of the lots or serial numbers already on the move's lines, each
    /// once and in line order. On a customer return, Odoo fills in those that
    /// were delivered. Empty for an untracked product and when no line names
    /// a lot, as on a purchase receipt.
    pub reserved_lots: Vec<String>,
}

/// Reads one page of receipts in state `assigned` in the given warehouses,
/// ordered by `write_date` then id.
pub async fn incoming_pickings(
    client: &Client,
    query: &IncomingQuery,
) -> Result<Vec<IncomingPicking>, Error> {
    let type_codes = incoming_types(client, &query.warehouse_codes).await?;
    let type_ids: Vec<i64> = type_codes.keys().copied().collect();
    let mut domain = vec![
        json!(["picking_type_id", "in", type_ids]),
        json!(["state", "=", "assigned"]),
    ];
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
    let fields = [
        "name",
        "state",
        "write_date",
        "scheduled_date",
        "origin",
        "return_id",
        "partner_id",
        "picking_type_id",
    ];
    let pickings = client
        .search_read("stock.picking", Value::Array(domain), &fields, options)
        .await?;
    if pickings.is_empty() {
        return Ok(Vec::new());
    }

    let page_ids: Vec<i64> = pickings.iter().map(id_of).collect();
    let moves = client
        .search_read(
            "stock.move",
            json!([["picking_id", "in", page_ids], ["state", "!=", "cancel"]]),
            &MOVE_FIELDS,
            id_order(),
        )
        .await?;
    let products = read_products(client, &moves).await?;
    let lots = read_reserved_lots(client, &moves, &products).await?;

    let mut moves_by_picking = expected_moves(&moves, &products, lots);
    Ok(pickings
        .iter()
        .map(|picking| {
            let type_id = many2one_id(picking, "picking_type_id").unwrap_or(0);
            IncomingPicking {
                id: id_of(picking),
                name: text(picking, "name"),
                state: text(picking, "state"),
                write_date: text(picking, "write_date"),
                scheduled_date: text(picking, "scheduled_date"),
                origin: text(picking, "origin"),
                return_of: many2one_id(picking, "return_id")
                    .map(|id| (id, many2one_name(picking, "return_id"))),
                partner_name: many2one_name(picking, "partner_id"),
                warehouse_code: type_codes.get(&type_id).cloned().unwrap_or_default(),
                moves: moves_by_picking.remove(&id_of(picking)).unwrap_or_default(),
            }
        })
        .collect())
}

/// Returns the incoming operation types of the warehouses, by type id, with
/// the warehouse code. An unknown code is a configuration error.
async fn incoming_types(client: &Client, codes: &[String]) -> Result<HashMap<i64, String>, Error> {
    let code_by_warehouse = warehouse_codes(client, codes).await?;
    let warehouse_ids: Vec<i64> = code_by_warehouse.keys().copied().collect();
    let types = client
        .search_read(
            "stock.picking.type",
            json!([
                ["code", "=", "incoming"],
                ["warehouse_id", "in", warehouse_ids]
            ]),
            &["warehouse_id"],
            SearchOptions::default(),
        )
        .await?;
    Ok(types
        .iter()
        .filter_map(|t| {
            let code = code_by_warehouse.get(&many2one_id(t, "warehouse_id")?)?;
            Some((id_of(t), code.clone()))
        })
        .collect())
}

/// Reads the products of the moves, with `use_expiration_date` when Odoo's
/// `product_expiry` module defines it (one `fields_get` and one `read`).
async fn read_products(client: &Client, moves: &[Record]) -> Result<HashMap<i64, Record>, Error> {
    let product_ids = unique(moves.iter().filter_map(|m| many2one_id(m, "product_id")));
    if product_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut kwargs = Map::new();
    kwargs.insert("allfields".to_owned(), json!(["use_expiration_date"]));
    kwargs.insert("attributes".to_owned(), json!(["type"]));
    let defined = client
        .call("product.product", "fields_get", Vec::new(), kwargs)
        .await?;
    let mut fields = vec!["default_code", "name", "tracking"];
    if defined.get("use_expiration_date").is_some() {
        fields.push("use_expiration_date");
    }
    Ok(by_id(
        client
            .read("product.product", &product_ids, &fields)
            .await?,
    ))
}

/// Reads the lot and serial names on the lines of the moves whose product is
/// tracked, by move id, in one `stock.move.line` search_read. Makes no call
/// when no move is tracked.
async fn read_reserved_lots(
    client: &Client,
    moves: &[Record],
    products: &HashMap<i64, Record>,
) -> Result<HashMap<i64, Vec<String>>, Error> {
    let tracked: Vec<i64> = moves
        .iter()
        .filter(|record| {
            let product = many2one_id(record, "product_id").and_then(|id| products.get(&id));
            product.is_some_and(|p| matches!(text(p, "tracking").as_str(), "lot" | "serial"))
        })
        .map(id_of)
        .collect();
    if tracked.is_empty() {
        return Ok(HashMap::new());
    }
    let lines = client
        .search_read(
            "stock.move.line",
            json!([["move_id", "in", tracked]]),
            &["move_id", "lot_id", "lot_name"],
            id_order(),
        )
        .await?;
    Ok(lots_by_move(&lines))
}

/// Builds the expected moves from the `stock.move` records, grouped by
/// picking id.
fn expected_moves(
    moves: &[Record],
    products: &HashMap<i64, Record>,
    mut lots: HashMap<i64, Vec<String>>,
) -> HashMap<i64, Vec<IncomingMove>> {
    let mut moves_by_picking: HashMap<i64, Vec<IncomingMove>> = HashMap::new();
    for record in moves {
        let id = id_of(record);
        let product_id = many2one_id(record, "product_id").unwrap_or(0);
        let product = products.get(&product_id);
        let expected = IncomingMove {
            id,
            product_id,
            sku: product.map(|p| text(p, "default_code")).unwrap_or_default(),
            product_name: product.map(|p| text(p, "name")).unwrap_or_default(),
            product_uom_qty: decimal(record, "product_uom_qty"),
            uom_name: many2one_name(record, "product_uom"),
            tracking: product.map(|p| text(p, "tracking")).unwrap_or_default(),
            use_expiration_date: product.is_some_and(|p| flag(p, "use_expiration_date")),
            reserved_lots: lots.remove(&id).unwrap_or_default(),
        };
        let picking_id = many2one_id(record, "picking_id").unwrap_or(0);
        moves_by_picking
            .entry(picking_id)
            .or_default()
            .push(expected);
    }
    moves_by_picking
}
