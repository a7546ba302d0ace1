//! Locations the inventory code needs: the company's inventory-loss and
//! scrap locations, the internal locations of a warehouse, and the next
//! scheduled count date.

use std::collections::BTreeSet;

use serde_json::Value;

use super::store::{m2o_id, Db};

/// Returns the usage of a location (`internal`, `inventory`, `supplier`, ...).
pub(crate) fn usage(db: &Db, location: i64) -> String {
    db.field("stock.location", location, "usage")
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// Returns whether `location` is `root` or one of its descendants.
pub(crate) fn is_under(db: &Db, mut location: i64, root: i64) -> bool {
    // The location tree of a database is shallow; the bound only stops a cycle.
    for _ in 0..64 {
        if location == root {
            return true;
        }
        match m2o_id(
            db.get("stock.location", location)
                .and_then(|r| r.get("location_id")),
        ) {
            Some(parent) => location = parent,
            None => return false,
        }
    }
    false
}

fn belongs_to_company(db: &Db, location: i64, company: Option<i64>) -> bool {
    let owner = m2o_id(
        db.get("stock.location", location)
            .and_then(|r| r.get("company_id")),
    );
    owner.is_none() || company.is_none() || owner == company
}

fn is_scrap(db: &Db, location: i64) -> bool {
    db.field("stock.location", location, "scrap_location") == Value::Bool(true)
}

/// Returns the inventory-loss location of a company: the lowest-id location
/// of usage `inventory` that is not a scrap location, as the data sets'
/// `property_stock_inventory` of every product points there.
pub(crate) fn inventory_loss(db: &Db, company: Option<i64>) -> Option<i64> {
    db.ids("stock.location").into_iter().find(|id| {
        usage(db, *id) == "inventory" && !is_scrap(db, *id) && belongs_to_company(db, *id, company)
    })
}

/// Returns the scrap location of a company (`scrap_location` set, Odoo 17
/// and 18). The Odoo 19 data set has no such location.
pub(crate) fn scrap(db: &Db, company: Option<i64>) -> Option<i64> {
    db.ids("stock.location")
        .into_iter()
        .find(|id| is_scrap(db, *id) && belongs_to_company(db, *id, company))
}

/// Returns the company of a location, `None` for shared locations.
pub(crate) fn company(db: &Db, location: i64) -> Option<i64> {
    m2o_id(
        db.get("stock.location", location)
            .and_then(|r| r.get("company_id")),
    )
}

/// Returns the internal locations under the view locations of warehouses,
/// or every internal location when `warehouses` is empty.
pub(crate) fn internal_locations(db: &Db, warehouses: &[i64]) -> BTreeSet<i64> {
    let roots: Vec<i64> = warehouses
        .iter()
        .filter_map(|w| {
            m2o_id(
                db.get("stock.warehouse", *w)
                    .and_then(|r| r.get("view_location_id")),
            )
        })
        .collect();
    db.ids("stock.location")
        .into_iter()
        .filter(|id| usage(db, *id) == "internal")
        .filter(|id| warehouses.is_empty() || roots.iter().any(|root| is_under(db, *id, *root)))
        .collect()
}

/// Returns today's date (`YYYY-MM-DD`) of the simulator's clock.
pub(crate) fn today(db: &Db) -> String {
    db.now().chars().take(10).collect()
}

/// Returns the next scheduled count of an internal location: the company's
/// annual inventory day, which is December 31 unless configured otherwise
/// (no data set configures it). Other locations get no date.
pub(crate) fn next_inventory_date(db: &Db, location: i64) -> Value {
    if !matches!(usage(db, location).as_str(), "internal" | "transit") {
        return Value::Bool(false);
    }
    let year: String = today(db).chars().take(4).collect();
    Value::String(format!("{year}-12-31"))
}
