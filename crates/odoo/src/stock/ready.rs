//! Reading the outgoing pickings that are ready to ship, one page at a time.
//!
//! A page costs one call per model involved, whatever its size:
//! `stock.picking` search_read, `stock.move` and `stock.move.line`
//! search_read by picking, then reads of `res.partner` (plus a second read
//! for commercial partners not in the first), `res.country.state`,
//! `res.partner.category`, `product.product` and `sale.order`. The
//! warehouses' outgoing operation types are looked up once per client.

use std::collections::{BTreeSet, HashMap};
use std::sync::PoisonError;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::client::{Client, SearchOptions};
use crate::config::check_field_name;
use crate::error::Error;
use crate::values::{decimal, id_of, many2one_id, many2one_name, parse_datetime, text, Record};

/// The filter and page size of a ready-pickings read.
#[derive(Debug, Clone)]
pub struct ReadyQuery {
    /// Codes of the warehouses (`stock.warehouse.code`), such as `WH`.
    pub warehouse_codes: Vec<String>,
    /// Only pickings written at or after this naive UTC datetime
    /// (`YYYY-MM-DD HH:MM:SS`, inclusive).
    pub write_date_from: Option<String>,
    /// With `write_date_from`, skips the pickings written exactly at that
    /// time whose id is at or below this one: pass the last picking of the
    /// previous page, so a page boundary inside one second loses nothing and
    /// repeats nothing.
    pub after_id: Option<i64>,
    /// Maximum number of pickings returned.
    pub page_size: u32,
    /// Only these pickings, when not empty: a re-read of pickings Wharf
    /// already has, such as held ones.
    pub picking_ids: Vec<i64>,
    /// Name of a boolean `res.partner` field that flags credit hold, read
    /// into [`PartnerInfo::credit_hold`]. `None` reads no such field. A name
    /// that is not a plain identifier is rejected before any call.
    pub credit_hold_field: Option<String>,
}

/// An outgoing picking in state `assigned`, with what a warehouse needs to ship it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyPicking {
    /// The `stock.picking` id.
    pub id: i64,
    /// The picking reference, such as `WH/OUT/00001`.
    pub name: String,
    /// The picking state (`assigned`).
    pub state: String,
    /// Last change, naive UTC; the polling cursor.
    pub write_date: String,
    /// Scheduled date, naive UTC.
    pub scheduled_date: String,
    /// The source document (empty when none).
    pub origin: String,
    /// The sale order reference, empty when the picking has no sale order.
    pub sale_order_name: String,
    /// The customer's own order reference (`client_order_ref`), empty when none.
    pub customer_ref: String,
    /// Code of the picking's warehouse.
    pub warehouse_code: String,
    /// The delivery address.
    pub partner: PartnerInfo,
    /// Name of the carrier, empty when none.
    pub carrier_name: String,
    /// The moves, by id.
    pub moves: Vec<ReadyMove>,
}

/// A delivery address, and the tags and credit-hold flag that the release
/// rules look at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartnerInfo {
    /// The `res.partner` id.
    pub id: i64,
    /// Name of the contact or delivery address.
    pub name: String,
    /// First street line.
    pub street: String,
    /// Second street line.
    pub street2: String,
    /// Postal code.
    pub zip: String,
    /// City.
    pub city: String,
    /// State or province code, such as `OH`.
    pub state_code: String,
    /// ISO country code, such as `US`.
    pub country_code: String,
    /// Phone number.
    pub phone: String,
    /// Email address.
    pub email: String,
    /// Name of the company the address belongs to.
    pub commercial_partner_name: String,
    /// Category names of the partner and of its commercial partner.
    pub tags: Vec<String>,
    /// Whether the query's `credit_hold_field` is set on the partner or on
    /// its commercial partner. Always `false` when the query names no field.
    pub credit_hold: bool,
}

/// One move of a ready picking.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyMove {
    /// The `stock.move` id.
    pub id: i64,
    /// The product id.
    pub product_id: i64,
    /// The product's internal reference, empty when it has none.
    pub default_code: String,
    /// The product's name.
    pub product_name: String,
    /// The ordered quantity in the move's unit.
    pub product_uom_qty: Decimal,
    /// Name of the move's unit of measure.
    pub uom_name: String,
    /// The product's tracking: `none`, `lot` or `serial`.
    pub tracking: String,
    /// Names of the lots reserved on the move's lines.
    pub reserved_lots: Vec<String>,
}

impl ReadyPicking {
    /// Returns `write_date` as a timestamp; `None` when Odoo sent none.
    pub fn written_at(&self) -> Option<Timestamp> {
        parse_datetime(&self.write_date)
    }

    /// Returns `scheduled_date` as a timestamp; `None` when Odoo sent none.
    pub fn scheduled_at(&self) -> Option<Timestamp> {
        parse_datetime(&self.scheduled_date)
    }
}

impl Client {
    /// Reads one page of outgoing pickings in state `assigned` in the given
    /// warehouses, ordered by `write_date` then id.
    pub async fn ready_pickings(&self, query: &ReadyQuery) -> Result<Vec<ReadyPicking>, Error> {
        let credit_hold_field = query.credit_hold_field.as_deref();
        if let Some(field) = credit_hold_field {
            check_field_name("credit_hold_field", field)?;
        }
        let type_codes = self.outgoing_types(&query.warehouse_codes).await?;
        let type_ids: Vec<i64> = type_codes.keys().copied().collect();
        let mut domain = vec![
            json!(["picking_type_id", "in", type_ids]),
            json!(["state", "=", "assigned"]),
        ];
        if !query.picking_ids.is_empty() {
            domain.push(json!(["id", "in", query.picking_ids]));
        }
        match (&query.write_date_from, query.after_id) {
            (Some(from), Some(after_id)) => {
                domain.extend([
                    json!("|"),
                    json!(["write_date", ">", from]),
                    json!("&"),
                    json!(["write_date", "=", from]),
                    json!(["id", ">", after_id]),
                ]);
            }
            (Some(from), None) => domain.push(json!(["write_date", ">=", from])),
            (None, _) => {}
        }
        let options = SearchOptions {
            // Odoo reads a limit of 0 as no limit.
            limit: Some(query.page_size.max(1)),
            order: Some("write_date asc, id asc".to_owned()),
            ..SearchOptions::default()
        };
        let fields = [
            "name",
            "state",
            "write_date",
            "scheduled_date",
            "origin",
            "sale_id",
            "partner_id",
            "picking_type_id",
            "carrier_id",
        ];
        let pickings = self
            .search_read("stock.picking", Value::Array(domain), &fields, options)
            .await?;
        if pickings.is_empty() {
            return Ok(Vec::new());
        }

        // Gather the related records, one call per model.
        let picking_ids: Vec<i64> = pickings.iter().map(id_of).collect();
        let by_picking = json!([["picking_id", "in", picking_ids]]);
        let moves = self
            .search_read("stock.move", by_picking.clone(), &MOVE_FIELDS, id_order())
            .await?;
        let lines = self
            .search_read(
                "stock.move.line",
                by_picking,
                &["move_id", "lot_id"],
                id_order(),
            )
            .await?;
        let partners = self.partners(&pickings, credit_hold_field).await?;
        let product_ids = unique(moves.iter().filter_map(|m| many2one_id(m, "product_id")));
        let products = by_id(
            self.read(
                "product.product",
                &product_ids,
                &["default_code", "name", "tracking"],
            )
            .await?,
        );
        let sale_ids = unique(pickings.iter().filter_map(|p| many2one_id(p, "sale_id")));
        let sales = by_id(
            self.read("sale.order", &sale_ids, &["name", "client_order_ref"])
                .await?,
        );

        // Assemble.
        let mut lots_by_move = lots_by_move(&lines);
        let mut moves_by_picking: HashMap<i64, Vec<ReadyMove>> = HashMap::new();
        for record in &moves {
            let product_id = many2one_id(record, "product_id").unwrap_or(0);
            let product = products.get(&product_id);
            let ready = ReadyMove {
                id: id_of(record),
                product_id,
                default_code: product.map(|p| text(p, "default_code")).unwrap_or_default(),
                product_name: product.map(|p| text(p, "name")).unwrap_or_default(),
                product_uom_qty: decimal(record, "product_uom_qty"),
                uom_name: many2one_name(record, "product_uom"),
                tracking: product.map(|p| text(p, "tracking")).unwrap_or_default(),
                reserved_lots: lots_by_move.remove(&id_of(record)).unwrap_or_default(),
            };
            let picking_id = many2one_id(record, "picking_id").unwrap_or(0);
            moves_by_picking.entry(picking_id).or_default().push(ready);
        }

        let mut out = Vec::with_capacity(pickings.len());
        for picking in &pickings {
            let id = id_of(picking);
            let sale = many2one_id(picking, "sale_id").and_then(|sale_id| sales.get(&sale_id));
            let partner_id = many2one_id(picking, "partner_id").unwrap_or(0);
            let type_id = many2one_id(picking, "picking_type_id").unwrap_or(0);
            out.push(ReadyPicking {
                id,
                name: text(picking, "name"),
                state: text(picking, "state"),
                write_date: text(picking, "write_date"),
                scheduled_date: text(picking, "scheduled_date"),
                origin: text(picking, "origin"),
                sale_order_name: sale.map(|s| text(s, "name")).unwrap_or_default(),
                customer_ref: sale
                    .map(|s| text(s, "client_order_ref"))
                    .unwrap_or_default(),
                warehouse_code: type_codes.get(&type_id).cloned().unwrap_or_default(),
                partner: partners.get(&partner_id).cloned().unwrap_or_default(),
                carrier_name: many2one_name(picking, "carrier_id"),
                moves: moves_by_picking.remove(&id).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Returns the outgoing operation types of the warehouses, by type id,
    /// with the warehouse code; two calls the first time a code is asked for.
    async fn outgoing_types(&self, codes: &[String]) -> Result<HashMap<i64, String>, Error> {
        let missing: Vec<String> = {
            let cache = self
                .outgoing_type_cache()
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            codes
                .iter()
                .filter(|code| !cache.contains_key(*code))
                .cloned()
                .collect()
        };
        if !missing.is_empty() {
            let code_by_warehouse = warehouse_codes(self, &missing).await?;
            let warehouse_ids: Vec<i64> = code_by_warehouse.keys().copied().collect();
            let types = self
                .search_read(
                    "stock.picking.type",
                    json!([
                        ["code", "=", "outgoing"],
                        ["warehouse_id", "in", warehouse_ids]
                    ]),
                    &["warehouse_id"],
                    SearchOptions::default(),
                )
                .await?;
            let mut cache = self
                .outgoing_type_cache()
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            for code in &missing {
                cache.insert(code.clone(), Vec::new());
            }
            for picking_type in &types {
                let warehouse = many2one_id(picking_type, "warehouse_id")
                    .and_then(|w| code_by_warehouse.get(&w));
                if let Some(code) = warehouse {
                    cache
                        .entry(code.clone())
                        .or_default()
                        .push(id_of(picking_type));
                }
            }
        }
        let cache = self
            .outgoing_type_cache()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut out = HashMap::new();
        for code in codes {
            for type_id in cache.get(code).into_iter().flatten() {
                out.insert(*type_id, code.clone());
            }
        }
        Ok(out)
    }
}

/// The `stock.move` fields that the ready and the incoming reads share.
pub(crate) const MOVE_FIELDS: [&str; 4] =
    ["picking_id", "product_id", "product_uom_qty", "product_uom"];

/// Builds search options that sort by id, which is the records' creation order.
pub(crate) fn id_order() -> SearchOptions {
    SearchOptions {
        order: Some("id".to_owned()),
        ..SearchOptions::default()
    }
}

/// Reads the warehouses with these codes (`stock.warehouse.code`) and
/// returns each one's code by warehouse id. A code that no warehouse has is
/// a configuration error.
pub(crate) async fn warehouse_codes(
    client: &Client,
    codes: &[String],
) -> Result<HashMap<i64, String>, Error> {
    let warehouses = client
        .search_read(
            "stock.warehouse",
            json!([["code", "in", codes]]),
            &["code"],
            SearchOptions::default(),
        )
        .await?;
    let code_by_warehouse: HashMap<i64, String> = warehouses
        .iter()
        .map(|w| (id_of(w), text(w, "code")))
        .collect();
    if let Some(unknown) = codes
        .iter()
        .find(|code| !code_by_warehouse.values().any(|c| c == *code))
    {
        return Err(Error::Config(format!(
            "warehouse code {unknown:?} not found in Odoo (stock.warehouse.code); check the site's warehouse_codes"
        )));
    }
    Ok(code_by_warehouse)
}

/// Collects the lot and serial names of `stock.move.line` records by move
/// id: the `lot_id` name, or `lot_name` when the line has no `lot_id` yet.
/// Each move lists a name once, in the order of its lines, and lines with
/// neither field set add nothing.
pub(crate) fn lots_by_move(lines: &[Record]) -> HashMap<i64, Vec<String>> {
    let mut lots: HashMap<i64, Vec<String>> = HashMap::new();
    for line in lines {
        let Some(move_id) = many2one_id(line, "move_id") else {
            continue;
        };
        let lot = match many2one_id(line, "lot_id") {
            Some(_) => many2one_name(line, "lot_id"),
            None => text(line, "lot_name"),
        };
        if lot.is_empty() {
            continue;
        }
        let names = lots.entry(move_id).or_default();
        if !names.contains(&lot) {
            names.push(lot);
        }
    }
    lots
}

pub(crate) fn unique(values: impl Iterator<Item = i64>) -> Vec<i64> {
    values.collect::<BTreeSet<i64>>().into_iter().collect()
}

pub(crate) fn by_id(records: Vec<Record>) -> HashMap<i64, Record> {
    records
        .into_iter()
        .map(|record| (id_of(&record), record))
        .collect()
}
