//! Reading the stock on hand (`stock.quant`) of internal locations, one page
//! at a time.
//!
//! Pages are cut by id (keyset: `id > last id of the previous page`), not by
//! offset, so quants created or removed while the pages are read neither
//! shift a page nor repeat a quant. A page costs one `stock.quant`
//! search_read, plus one read of the products and one of the lots that no
//! earlier page of the same call brought. Resolving the scope costs one
//! call, and finding out whether lots have an expiry date one more.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;
use serde_json::{json, Map};

use super::catalog::locations_by_name;
use super::rejected;
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::values::{decimal, id_of, many2one_id, many2one_name, text, Record};

/// One quant: the quantity of one product (and lot) in one location.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantRow {
    /// The `stock.quant` id.
    pub id: i64,
    /// The location id.
    pub location_id: i64,
    /// The location's complete name, such as `WH/Stock/Shelf A1`.
    pub location: String,
    /// The product id.
    pub product_id: i64,
    /// The product's internal reference (`default_code`), `None` when it has none.
    pub sku: Option<String>,
    /// The product's tracking: `none`, `lot` or `serial`.
    pub tracking: String,
    /// The lot or serial number id, `None` for untracked stock.
    pub lot_id: Option<i64>,
    /// The lot or serial number.
    pub lot: Option<String>,
    /// The lot's expiry as Odoo stores it: naive UTC `YYYY-MM-DD HH:MM:SS`.
    /// `None` when the lot has none or Odoo has no expiry dates (module
    /// `product_expiry` not installed).
    pub lot_expiry: Option<String>,
    /// The quantity on hand in the product's unit of measure.
    pub quantity: Decimal,
    /// The part of `quantity` reserved for transfers.
    pub reserved_quantity: Decimal,
}

const QUANT_FIELDS: &[&str] = &[
    "location_id",
    "product_id",
    "lot_id",
    "quantity",
    "reserved_quantity",
];

/// Reads all quants of internal locations under the locations named in
/// `scope` (complete names, children included), ordered by id, in pages of
/// [`Client::page_size`]. A name Odoo does not know is a permanent error.
pub async fn read_quants(client: &Client, scope: &[String]) -> Result<Vec<QuantRow>, Error> {
    let location_ids = scope_ids(client, scope).await?;
    if location_ids.is_empty() {
        return Ok(Vec::new());
    }
    let lot_fields = lot_fields(client).await?;
    let page_size = client.page_size().max(1);

    let mut products: HashMap<i64, Record> = HashMap::new();
    let mut lots: HashMap<i64, Record> = HashMap::new();
    let mut rows = Vec::new();
    let mut after_id = 0;
    loop {
        let domain = json!([
            ["location_id", "child_of", location_ids],
            ["location_id.usage", "=", "internal"],
            ["id", ">", after_id],
        ]);
        let options = SearchOptions {
            limit: Some(page_size),
            order: Some("id asc".to_owned()),
            ..SearchOptions::default()
        };
        let page = client
            .search_read("stock.quant", domain, QUANT_FIELDS, options)
            .await?;
        let Some(last) = page.last() else { break };
        after_id = id_of(last);

        fetch_missing(
            client,
            &page,
            "product_id",
            "product.product",
            &["default_code", "tracking"],
            &mut products,
        )
        .await?;
        fetch_missing(client, &page, "lot_id", "stock.lot", &lot_fields, &mut lots).await?;
        rows.extend(page.iter().map(|quant| row(quant, &products, &lots)));

        if page.len() < page_size as usize {
            break;
        }
    }
    Ok(rows)
}

/// Resolves the scope's complete names to location ids, rejecting unknown names.
async fn scope_ids(client: &Client, scope: &[String]) -> Result<Vec<i64>, Error> {
    let found = locations_by_name(client, scope).await?;
    let unknown: Vec<&String> = scope.iter().filter(|n| !found.contains_key(*n)).collect();
    if !unknown.is_empty() {
        return Err(rejected(
            format!("inventory scope {unknown:?}"),
            ErrorKind::Permanent,
            "no stock.location has this complete name in Odoo; use names as Odoo shows them, such as \"WH/Stock\"",
        ));
    }
    let ids: BTreeSet<i64> = found.into_values().collect();
    Ok(ids.into_iter().collect())
}

/// Returns the lot fields to read: `expiration_date` exists only when Odoo's
/// `product_expiry` module is installed, so it is asked for only when
/// `fields_get` lists it (one call).
async fn lot_fields(client: &Client) -> Result<Vec<&'static str>, Error> {
    let mut kwargs = Map::new();
    kwargs.insert("allfields".to_owned(), json!(["expiration_date"]));
    kwargs.insert("attributes".to_owned(), json!(["type"]));
    let answer = client
        .call("stock.lot", "fields_get", Vec::new(), kwargs)
        .await?;
    if answer.get("expiration_date").is_some() {
        Ok(vec!["name", "expiration_date"])
    } else {
        Ok(vec!["name"])
    }
}

/// Reads the records `field` of `page` refers to that `cache` does not hold
/// yet, in one call (none when all are cached).
async fn fetch_missing(
    client: &Client,
    page: &[Record],
    field: &str,
    model: &str,
    fields: &[&str],
    cache: &mut HashMap<i64, Record>,
) -> Result<(), Error> {
    let missing: BTreeSet<i64> = page
        .iter()
        .filter_map(|quant| many2one_id(quant, field))
        .filter(|id| !cache.contains_key(id))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = missing.into_iter().collect();
    for record in client.read(model, &ids, fields).await? {
        cache.insert(id_of(&record), record);
    }
    Ok(())
}

fn row(quant: &Record, products: &HashMap<i64, Record>, lots: &HashMap<i64, Record>) -> QuantRow {
    let product_id = many2one_id(quant, "product_id").unwrap_or(0);
    let product = products.get(&product_id);
    let lot_id = many2one_id(quant, "lot_id");
    let lot = lot_id.and_then(|id| lots.get(&id));
    QuantRow {
        id: id_of(quant),
        location_id: many2one_id(quant, "location_id").unwrap_or(0),
        location: many2one_name(quant, "location_id"),
        product_id,
        sku: product
            .map(|p| text(p, "default_code"))
            .filter(|code| !code.is_empty()),
        tracking: product.map(|p| text(p, "tracking")).unwrap_or_default(),
        lot_id,
        lot: lot_id
            .map(|_| lot.map_or_else(|| many2one_name(quant, "lot_id"), |l| text(l, "name"))),
        lot_expiry: lot
            .map(|l| text(l, "expiration_date"))
            .filter(|date| !date.is_empty()),
        quantity: decimal(quant, "quantity"),
        reserved_quantity: decimal(quant, "reserved_quantity"),
    }
}
