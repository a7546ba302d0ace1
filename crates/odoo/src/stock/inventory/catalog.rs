//! Batched lookups of locations by complete name and of products by internal
//! reference, one `search_read` per batch (plus one `uom.uom` read for the
//! products' rounding).

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::json;

use super::roundings_of;
use crate::client::{Client, SearchOptions};
use crate::error::Error;
use crate::values::{id_of, text};

/// A product as the inventory operations need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductInfo {
    /// The `product.product` id.
    pub id: i64,
    /// The tracking: `none`, `lot` or `serial`.
    pub tracking: String,
    /// The rounding of the product's unit of measure, such as 1 or 0.01.
    pub uom_rounding: Decimal,
}

/// Returns the ids of the `stock.location` records whose `complete_name`
/// (such as `WH/Stock/Shelf A1`) is in `names`, in one call. Names Odoo does
/// not know are absent from the map. When two locations share a complete
/// name (possible across companies), the lower id wins and a warning is logged.
pub async fn locations_by_name(
    client: &Client,
    names: &[String],
) -> Result<HashMap<String, i64>, Error> {
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let found = client
        .search_read(
            "stock.location",
            json!([["complete_name", "in", names]]),
            &["complete_name"],
            by_id(),
        )
        .await?;

    let mut out = HashMap::new();
    for location in &found {
        let name = text(location, "complete_name");
        if let Some(first) = out.get(&name) {
            tracing::warn!(location = %name, kept = first, ignored = id_of(location), "Two Odoo locations share one complete name");
            continue;
        }
        out.insert(name, id_of(location));
    }
    Ok(out)
}

/// Returns the products whose internal reference (`default_code`) is in
/// `codes`, with their tracking and unit rounding: two calls. Codes Odoo
/// does not know, and archived products, are absent from the map. When two
/// products share a code, the lower id wins and a warning is logged.
pub async fn products_by_code(
    client: &Client,
    codes: &[String],
) -> Result<HashMap<String, ProductInfo>, Error> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let found = client
        .search_read(
            "product.product",
            json!([["default_code", "in", codes]]),
            &["default_code", "tracking", "uom_id"],
            by_id(),
        )
        .await?;
    if found.is_empty() {
        return Ok(HashMap::new());
    }
    let roundings = roundings_of(client, &found).await?;

    let mut out: HashMap<String, ProductInfo> = HashMap::new();
    for product in &found {
        let code = text(product, "default_code");
        if let Some(first) = out.get(&code) {
            tracing::warn!(code = %code, kept = first.id, ignored = id_of(product), "Two Odoo products share one internal reference");
            continue;
        }
        let id = id_of(product);
        out.insert(
            code,
            ProductInfo {
                id,
                tracking: text(product, "tracking"),
                uom_rounding: roundings.get(&id).copied().unwrap_or(Decimal::ZERO),
            },
        );
    }
    Ok(out)
}

fn by_id() -> SearchOptions {
    SearchOptions {
        order: Some("id".to_owned()),
        ..SearchOptions::default()
    }
}
