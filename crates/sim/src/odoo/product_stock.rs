//! The stock quantities of `product.product` (`qty_available`, `free_qty`,
//! `incoming_qty`, `outgoing_qty`, `virtual_available`), computed on read
//! from quants and open moves over the warehouse or location the context
//! names (`warehouse_id`, `location`), or over all internal locations.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::location;
use super::quantity::{decimal, wire};
use super::store::{m2o_id, Db};

/// The fields this module computes.
pub(crate) const FIELDS: &[&str] = &[
    "qty_available",
    "free_qty",
    "incoming_qty",
    "outgoing_qty",
    "virtual_available",
];

/// Move states that count as incoming or outgoing: confirmed, not done.
const OPEN_STATES: &[&str] = &["waiting", "confirmed", "assigned", "partially_available"];

fn id_list(value: Option<&Value>) -> Vec<i64> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_i64).collect(),
        Some(other) => other.as_i64().into_iter().collect(),
        None => Vec::new(),
    }
}

/// Returns the internal locations the context selects.
fn scope(db: &Db, context: &Map<String, Value>) -> BTreeSet<i64> {
    let roots = id_list(context.get("location"));
    if !roots.is_empty() {
        return db
            .ids("stock.location")
            .into_iter()
            .filter(|l| location::usage(db, *l) == "internal")
            .filter(|l| roots.iter().any(|root| location::is_under(db, *l, *root)))
            .collect();
    }
    location::internal_locations(db, &id_list(context.get("warehouse_id")))
}

/// Replaces the stock quantity fields in read records by their values over
/// the context's locations.
pub(crate) fn fill(db: &Db, records: &mut [Value], context: &Map<String, Value>) {
    let wanted: Vec<&str> = FIELDS
        .iter()
        .copied()
        .filter(|f| records.iter().any(|r| r.get(*f).is_some()))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let locations = scope(db, context);
    for record in records.iter_mut() {
        let Some(product) = record.get("id").and_then(Value::as_i64) else {
            continue;
        };
        let quantities = quantities(db, product, &locations);
        let Some(object) = record.as_object_mut() else {
            continue;
        };
        for field in &wanted {
            if object.contains_key(*field) {
                object.insert((*field).to_owned(), wire(quantities.get(field)));
            }
        }
    }
}

/// Returns one stock quantity field of a product over the context's locations.
pub(crate) fn field_value(
    db: &Db,
    product: i64,
    field: &str,
    context: &Map<String, Value>,
) -> Value {
    wire(quantities(db, product, &scope(db, context)).get(field))
}

struct Quantities {
    on_hand: Decimal,
    free: Decimal,
    incoming: Decimal,
    outgoing: Decimal,
}

impl Quantities {
    fn get(&self, field: &str) -> Decimal {
        match field {
            "qty_available" => self.on_hand,
            "free_qty" => self.free,
            "incoming_qty" => self.incoming,
            "outgoing_qty" => self.outgoing,
            _ => self.on_hand + self.incoming - self.outgoing,
        }
    }
}

fn quantities(db: &Db, product: i64, locations: &BTreeSet<i64>) -> Quantities {
    let mut result = Quantities {
        on_hand: Decimal::ZERO,
        free: Decimal::ZERO,
        incoming: Decimal::ZERO,
        outgoing: Decimal::ZERO,
    };
    for quant in db.referring_ids("stock.quant", "product_id", product) {
        let Some(record) = db.get("stock.quant", quant) else {
            continue;
        };
        if !m2o_id(record.get("location_id")).is_some_and(|l| locations.contains(&l)) {
            continue;
        }
        let quantity = decimal(record.get("quantity"));
        result.on_hand += quantity;
        result.free += quantity - decimal(record.get("reserved_quantity"));
    }
    for mv in db.ids_in_states("stock.move", OPEN_STATES) {
        let Some(record) = db.get("stock.move", mv) else {
            continue;
        };
        if m2o_id(record.get("product_id")) != Some(product) {
            continue;
        }
        let from_inside = m2o_id(record.get("location_id")).is_some_and(|l| locations.contains(&l));
        let to_inside =
            m2o_id(record.get("location_dest_id")).is_some_and(|l| locations.contains(&l));
        let demand = decimal(record.get("product_uom_qty"));
        match (from_inside, to_inside) {
            (true, false) => result.outgoing += demand,
            (false, true) => result.incoming += demand,
            _ => {}
        }
    }
    result
}
