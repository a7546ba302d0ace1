//! Resolving the names a warehouse reports to Odoo ids for a whole batch:
//! lots by (product, name) with one search and one `create` for the unknown
//! ones, and carriers by name with one search, cached for the client's life.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::PoisonError;

use serde_json::{json, Map, Value};

use super::ship::{fail_some, refused, set_error, Outcomes, ShipmentWrite};
use crate::client::{Client, SearchOptions};
use crate::error::ErrorKind;
use crate::values::{id_of, many2one_id, text, Record};

impl Client {
    /// Resolves (product, lot name) pairs to lot ids in one search, creating
    /// the unknown ones in one call where the shipment allows it.
    pub(super) async fn resolve_lots(
        &self,
        batch: &[ShipmentWrite],
        pickings: &HashMap<i64, Record>,
        pending: &[usize],
        moves: &[Record],
        outcomes: &mut Outcomes,
    ) -> HashMap<(i64, String), i64> {
        let move_products: HashMap<i64, i64> = moves
            .iter()
            .map(|m| (id_of(m), many2one_id(m, "product_id").unwrap_or(0)))
            .collect();
        let mut wanted: BTreeMap<(i64, String), Vec<usize>> = BTreeMap::new();
        for &index in pending {
            for shipped in &batch[index].moves {
                let product = move_products
                    .get(&shipped.move_id)
                    .copied()
                    .unwrap_or(shipped.product_id);
                for lot in &shipped.lots {
                    if let Some(name) = &lot.lot_name {
                        wanted
                            .entry((product, name.clone()))
                            .or_default()
                            .push(index);
                    }
                }
            }
        }
        let mut resolved = HashMap::new();
        if wanted.is_empty() {
            return resolved;
        }

        let names: BTreeSet<&String> = wanted.keys().map(|(_, name)| name).collect();
        let products: BTreeSet<i64> = wanted.keys().map(|(product, _)| *product).collect();
        // Lots belong to a company or to none. NOTE: lots are keyed by
        // (product, name) only, so a batch mixing companies that each hold a
        // lot of the same name resolves both to the first one found.
        let mut companies: Vec<Value> = pending
            .iter()
            .filter_map(|&i| many2one_id(&pickings[&batch[i].picking_id], "company_id"))
            .collect::<BTreeSet<i64>>()
            .into_iter()
            .map(|id| json!(id))
            .collect();
        companies.push(Value::Bool(false));
        let domain = json!([
            ["name", "in", names],
            ["product_id", "in", products],
            ["company_id", "in", companies]
        ]);
        match self
            .search_read(
                "stock.lot",
                domain,
                &["name", "product_id"],
                SearchOptions::default(),
            )
            .await
        {
            Ok(found) => {
                for lot in &found {
                    let key = (
                        many2one_id(lot, "product_id").unwrap_or(0),
                        text(lot, "name"),
                    );
                    resolved.entry(key).or_insert_with(|| id_of(lot));
                }
            }
            Err(error) => {
                let users: Vec<usize> = wanted.values().flatten().copied().collect();
                fail_some(outcomes, batch, &users, &error);
                return resolved;
            }
        }

        // Unknown lots: create them where allowed, in one call.
        let mut to_create: Vec<((i64, String), Map<String, Value>)> = Vec::new();
        for (key, users) in &wanted {
            if resolved.contains_key(key) {
                continue;
            }
            for &index in users {
                let shipment = &batch[index];
                let picking = &pickings[&shipment.picking_id];
                if !shipment.create_unknown_lots {
                    let detail = format!(
                        "lot {:?} of product {} is not known in Odoo; create it in Odoo or allow create_unknown_lots",
                        key.1, key.0
                    );
                    set_error(
                        outcomes,
                        index,
                        refused(text(picking, "name"), ErrorKind::Permanent, &detail),
                    );
                } else if !to_create.iter().any(|(k, _)| k == key) {
                    match lot_vals(key, shipment, picking) {
                        Ok(vals) => to_create.push((key.clone(), vals)),
                        Err(detail) => set_error(
                            outcomes,
                            index,
                            refused(text(picking, "name"), ErrorKind::Permanent, &detail),
                        ),
                    }
                }
            }
        }
        if to_create.is_empty() {
            return resolved;
        }
        let (keys, vals_list): (Vec<_>, Vec<_>) = to_create.into_iter().unzip();
        match self.create("stock.lot", vals_list).await {
            Ok(ids) => resolved.extend(keys.into_iter().zip(ids)),
            Err(error) => {
                let users: Vec<usize> = keys
                    .iter()
                    .flat_map(|key| wanted[key].iter().copied())
                    .collect();
                fail_some(outcomes, batch, &users, &error);
            }
        }
        resolved
    }

    /// Resolves carrier names to ids, from the cache or with one search.
    pub(super) async fn resolve_carriers(
        &self,
        batch: &[ShipmentWrite],
        pickings: &HashMap<i64, Record>,
        pending: &[usize],
        outcomes: &mut Outcomes,
    ) -> HashMap<String, i64> {
        let wanted: BTreeSet<String> = pending
            .iter()
            .filter_map(|&i| batch[i].carrier_name.clone())
            .collect();
        let missing: Vec<&String> = {
            let cache = self
                .carrier_cache()
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            wanted
                .iter()
                .filter(|name| !cache.contains_key(*name))
                .collect()
        };
        if !missing.is_empty() {
            let domain = json!([["name", "in", missing]]);
            match self
                .search_read(
                    "delivery.carrier",
                    domain,
                    &["name"],
                    SearchOptions::default(),
                )
                .await
            {
                Ok(found) => {
                    let mut cache = self
                        .carrier_cache()
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    for carrier in &found {
                        cache
                            .entry(text(carrier, "name"))
                            .or_insert_with(|| id_of(carrier));
                    }
                }
                Err(error) => {
                    let users: Vec<usize> = pending
                        .iter()
                        .copied()
                        .filter(|&i| batch[i].carrier_name.is_some())
                        .collect();
                    fail_some(outcomes, batch, &users, &error);
                }
            }
        }
        let cache = self
            .carrier_cache()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for &index in pending {
            if let Some(name) = &batch[index].carrier_name {
                if !cache.contains_key(name) {
                    let picking = &pickings[&batch[index].picking_id];
                    let detail = format!("carrier {name:?} not found in Odoo (delivery.carrier); check the carrier mapping");
                    set_error(
                        outcomes,
                        index,
                        refused(text(picking, "name"), ErrorKind::Permanent, &detail),
                    );
                }
            }
        }
        wanted
            .into_iter()
            .filter_map(|name| cache.get(&name).map(|id| (name.clone(), *id)))
            .collect()
    }
}

fn lot_vals(
    key: &(i64, String),
    shipment: &ShipmentWrite,
    picking: &Record,
) -> Result<Map<String, Value>, String> {
    let mut vals = Map::new();
    vals.insert("name".to_owned(), json!(key.1));
    vals.insert("product_id".to_owned(), json!(key.0));
    if let Some(company) = many2one_id(picking, "company_id") {
        vals.insert("company_id".to_owned(), json!(company));
    }
    let expiry = shipment
        .moves
        .iter()
        .flat_map(|m| &m.lots)
        .find(|lot| lot.lot_name.as_deref() == Some(key.1.as_str()) && lot.expiry_date.is_some())
        .and_then(|lot| lot.expiry_date.as_deref());
    if let Some(expiry) = expiry {
        let date: jiff::civil::Date = expiry.parse().map_err(|_| {
            format!(
                "expiry date {expiry:?} of lot {:?} is not a date YYYY-MM-DD",
                key.1
            )
        })?;
        vals.insert(
            "expiration_date".to_owned(),
            json!(format!("{date} 00:00:00")),
        );
    }
    Ok(vals)
}
