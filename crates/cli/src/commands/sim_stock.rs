//! Writes the Odoo simulator's stock in one location as a WMS simulator's
//! `stock.json`, so a rehearsal starts with both sides agreeing.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde_json::{json, Value};
use wharf_sim::odoo::OdooSim;
use wharf_sim::wms::StockRow;

/// Writes every quant of `location` (an Odoo complete name) to `path` as
/// WMS stock rows booked under the warehouse location code `code`.
pub fn write_wms_stock(
    sim: &OdooSim,
    location: &str,
    code: &str,
    path: &Path,
) -> anyhow::Result<usize> {
    let found = search_read(
        sim,
        "stock.location",
        json!([["complete_name", "=", location]]),
        &["id"],
    )?;
    let location_id = found
        .first()
        .and_then(|record| record["id"].as_i64())
        .with_context(|| format!("the Odoo simulator has no location named {location:?}"))?;
    let quants = search_read(
        sim,
        "stock.quant",
        json!([["location_id", "=", location_id]]),
        &["product_id", "lot_id", "quantity"],
    )?;

    let products = names_by_id(
        sim,
        "product.product",
        &quants,
        "product_id",
        &["default_code"],
    )?;
    let lots = names_by_id(
        sim,
        "stock.lot",
        &quants,
        "lot_id",
        &["name", "expiration_date"],
    )?;
    let mut rows = Vec::new();
    for quant in &quants {
        let Some(product) = products.get(&many2one(&quant["product_id"]).unwrap_or(0)) else {
            continue;
        };
        // A product without an internal reference has no SKU a warehouse
        // could report, so the warehouse does not hold it.
        let Some(sku) = product["default_code"].as_str() else {
            continue;
        };
        let lot = many2one(&quant["lot_id"]).and_then(|id| lots.get(&id));
        let quantity: rust_decimal::Decimal = quant["quantity"]
            .to_string()
            .parse()
            .with_context(|| format!("quant quantity {} is not a number", quant["quantity"]))?;
        rows.push(StockRow {
            location: code.to_owned(),
            sku: sku.to_owned(),
            lot: lot.and_then(|lot| lot["name"].as_str()).map(str::to_owned),
            expiry_date: lot
                .and_then(|lot| lot["expiration_date"].as_str())
                .map(|text| text.chars().take(10).collect()),
            quantity,
        });
    }

    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create folder {}", parent.display()))?;
    }
    let text = serde_json::to_vec_pretty(&json!({ "rows": rows }))?;
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(rows.len())
}

fn search_read(
    sim: &OdooSim,
    model: &str,
    domain: Value,
    fields: &[&str],
) -> anyhow::Result<Vec<Value>> {
    let result = sim
        .admin_call(
            model,
            "search_read",
            None,
            json!({"domain": domain, "fields": fields}),
            json!({}),
        )
        .with_context(|| format!("reading {model} from the Odoo simulator failed"))?;
    Ok(result.as_array().cloned().unwrap_or_default())
}

/// Reads the records a many2one field of `records` points to, by id.
fn names_by_id(
    sim: &OdooSim,
    model: &str,
    records: &[Value],
    field: &str,
    fields: &[&str],
) -> anyhow::Result<BTreeMap<i64, Value>> {
    let mut ids: Vec<i64> = records.iter().filter_map(|r| many2one(&r[field])).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let result = sim
        .admin_call(
            model,
            "read",
            Some(ids),
            json!({"fields": fields}),
            json!({}),
        )
        .with_context(|| format!("reading {model} from the Odoo simulator failed"))?;
    Ok(result
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|record| Some((record["id"].as_i64()?, record.clone())))
        .collect())
}

fn many2one(value: &Value) -> Option<i64> {
    value.as_array()?.first()?.as_i64()
}
