//! Inventory plans and stock reads through the Odoo client.
//!
//! Costs per plan: one look-up of the reference, and one call each for
//! locations, products and lots, plus a create for new lots. A line that
//! adds to a balance costs one paged read of the quants of its locations.
//! The count takes a handful of calls for all lines together, and each
//! scrap takes its own.

use std::collections::{BTreeSet, HashMap};

use wharf_engine::inventory::{InventoryPlan, NetChange};
use wharf_engine::ports::{InventoryResult, OdooStock, PortError};
use wharf_model::{Decimal, ExceptionKind, StockKey};
use wharf_odoo::stock::{
    already_applied, apply_counts, ensure_lots, locations_by_name, products_by_code, read_quants,
    scrap, CountLine, LotRequest, ScrapLine,
};
use wharf_odoo::Client;

use super::erp::port_error;

/// Odoo ids of the locations, products and lots a plan names.
struct Resolved {
    locations: HashMap<String, i64>,
    products: HashMap<String, i64>,
    lots: HashMap<(i64, String), i64>,
}

impl Resolved {
    fn ids(&self, key: &StockKey) -> (i64, i64, Option<i64>) {
        let location = self.locations[&key.location];
        let product = self.products[&key.sku];
        let lot = key
            .lot
            .as_ref()
            .map(|lot| self.lots[&(product, lot.clone())]);
        (location, product, lot)
    }
}

/// Applies a plan: counts and adjustments in one inventory apply, then scraps.
pub async fn apply_plan(
    client: &Client,
    plan: &InventoryPlan,
) -> Result<InventoryResult, PortError> {
    let counts_done = already_applied(client, &plan.reference)
        .await
        .map_err(port_error)?;
    let resolved = resolve(client, plan).await?;
    let mut result = InventoryResult {
        already_applied: counts_done,
        quants: 0,
        scraps: 0,
        lots_created: vec![],
    };

    let changes = plan.net_changes();
    if !counts_done && !changes.is_empty() {
        let current = current_balances(client, &changes, &resolved).await?;
        let lines: Vec<CountLine> = changes
            .iter()
            .map(|(key, change)| {
                let (location_id, product_id, lot_id) = resolved.ids(key);
                let counted = match change {
                    NetChange::Set(quantity) => *quantity,
                    NetChange::Add(delta) => {
                        current
                            .get(&(location_id, product_id, lot_id))
                            .copied()
                            .unwrap_or_default()
                            + delta
                    }
                };
                CountLine {
                    location_id,
                    product_id,
                    lot_id,
                    counted,
                }
            })
            .collect();
        let outcome = apply_counts(client, &lines, &plan.reference)
            .await
            .map_err(port_error)?;
        result.quants = outcome.lines.len();
    }

    let scraps: Vec<ScrapLine> = plan
        .scraps()
        .map(|line| {
            let (location_id, product_id, lot_id) = resolved.ids(&line.key);
            ScrapLine {
                location_id,
                product_id,
                lot_id,
                quantity: line.quantity,
            }
        })
        .collect();
    if !scraps.is_empty() {
        scrap(client, &scraps, &plan.reference)
            .await
            .map_err(port_error)?;
        result.scraps = scraps.len();
    }
    if counts_done && scraps.is_empty() {
        return Ok(result);
    }
    result.already_applied = false;
    Ok(result)
}

/// Looks up every location, product and lot the plan names; a name Odoo
/// does not know is a permanent failure with its own exception kind.
async fn resolve(client: &Client, plan: &InventoryPlan) -> Result<Resolved, PortError> {
    let names: BTreeSet<String> = plan.lines.iter().map(|l| l.key.location.clone()).collect();
    let names: Vec<String> = names.into_iter().collect();
    let locations = locations_by_name(client, &names)
        .await
        .map_err(port_error)?;
    if let Some(missing) = names.iter().find(|name| !locations.contains_key(*name)) {
        return Err(PortError::permanent(format!(
            "Odoo has no stock location named {missing:?}; map the warehouse's location code to an \
             Odoo location in the site's inventory `locations`, or create it in Odoo"
        ))
        .with_exception(ExceptionKind::UnknownLocation));
    }

    let codes: BTreeSet<String> = plan.lines.iter().map(|l| l.key.sku.clone()).collect();
    let codes: Vec<String> = codes.into_iter().collect();
    let found = products_by_code(client, &codes).await.map_err(port_error)?;
    if let Some(missing) = codes.iter().find(|code| !found.contains_key(*code)) {
        return Err(PortError::permanent(format!(
            "Odoo has no product with internal reference {missing:?}; create it or correct the SKU"
        ))
        .with_exception(ExceptionKind::UnknownSku));
    }
    let products: HashMap<String, i64> = found
        .iter()
        .map(|(code, info)| (code.clone(), info.id))
        .collect();

    let mut requests: Vec<LotRequest> = Vec::new();
    for line in &plan.lines {
        if let Some(lot) = &line.key.lot {
            let product_id = products[&line.key.sku];
            if !requests
                .iter()
                .any(|r| r.product_id == product_id && &r.name == lot)
            {
                requests.push(LotRequest {
                    product_id,
                    name: lot.clone(),
                    expiry_date: line.expiry_date.clone(),
                });
            }
        }
    }
    let lots = ensure_lots(client, &requests, plan.create_unknown_lots)
        .await
        .map_err(|error| {
            let unknown =
                error.kind() == wharf_odoo::ErrorKind::Permanent && !plan.create_unknown_lots;
            let port = port_error(error);
            if unknown {
                port.with_exception(ExceptionKind::UnknownLot)
            } else {
                port
            }
        })?;
    Ok(Resolved {
        locations,
        products,
        lots,
    })
}

/// Reads the balances of the keys a plan adds to, from one paged read of
/// the quants in their locations.
async fn current_balances(
    client: &Client,
    changes: &std::collections::BTreeMap<StockKey, NetChange>,
    resolved: &Resolved,
) -> Result<HashMap<(i64, i64, Option<i64>), Decimal>, PortError> {
    let adds: BTreeSet<String> = changes
        .iter()
        .filter(|(_, change)| matches!(change, NetChange::Add(_)))
        .map(|(key, _)| key.location.clone())
        .collect();
    if adds.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted: BTreeSet<i64> = adds.iter().map(|name| resolved.locations[name]).collect();
    let scope: Vec<String> = adds.into_iter().collect();
    let quants = read_quants(client, &scope).await.map_err(port_error)?;
    let mut balances = HashMap::new();
    for quant in quants.iter().filter(|q| wanted.contains(&q.location_id)) {
        *balances
            .entry((quant.location_id, quant.product_id, quant.lot_id))
            .or_default() += quant.quantity;
    }
    Ok(balances)
}

/// Lists the internal locations under `under` (complete names, children
/// included): one look-up of the names, one search of their children.
pub async fn internal_locations(
    client: &Client,
    under: &[String],
) -> Result<Vec<String>, PortError> {
    let roots = locations_by_name(client, under).await.map_err(port_error)?;
    if let Some(missing) = under.iter().find(|name| !roots.contains_key(*name)) {
        return Err(PortError::permanent(format!(
            "Odoo has no stock location named {missing:?}; correct the site's inventory `stock_location`"
        )));
    }
    let ids: Vec<i64> = roots.values().copied().collect();
    let found = client
        .search_read(
            "stock.location",
            serde_json::json!([["id", "child_of", ids], ["usage", "=", "internal"]]),
            &["complete_name"],
            wharf_odoo::SearchOptions::default(),
        )
        .await
        .map_err(port_error)?;
    Ok(found
        .iter()
        .filter_map(|record| record.get("complete_name")?.as_str().map(str::to_owned))
        .collect())
}

/// Reads every quant under the locations, as the engine compares them. A
/// product without an internal reference is keyed `product:<id>`, so its
/// stock still shows in the reconciliation instead of vanishing.
pub async fn stock_rows(
    client: &Client,
    locations: &[String],
) -> Result<Vec<OdooStock>, PortError> {
    let quants = read_quants(client, locations).await.map_err(port_error)?;
    let codes: BTreeSet<String> = quants.iter().filter_map(|q| q.sku.clone()).collect();
    let codes: Vec<String> = codes.into_iter().collect();
    let products = products_by_code(client, &codes).await.map_err(port_error)?;
    Ok(quants
        .into_iter()
        .map(|quant| {
            let sku = quant
                .sku
                .filter(|sku| !sku.is_empty())
                .unwrap_or_else(|| format!("product:{}", quant.product_id));
            let uom_rounding = products
                .get(&sku)
                .map_or(Decimal::ZERO, |product| product.uom_rounding);
            OdooStock {
                key: StockKey {
                    location: quant.location,
                    sku,
                    lot: quant.lot,
                },
                quantity: quant.quantity,
                expiry_date: quant.lot_expiry.map(|text| text.chars().take(10).collect()),
                tracking: quant.tracking,
                uom_rounding,
            }
        })
        .collect())
}
