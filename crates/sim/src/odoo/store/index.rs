//! Indexes of one table, so that one2many reads, the common search domains
//! and quant lookups need no table scan. Some many2one fields map each id to
//! the records that refer to it (the inverse side of the one2many fields,
//! pickings by picking type, and quants by product). Every table maps each `state` to its records. Quants
//! are also mapped by product, location and lot.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::{m2o_id, Record};

/// The many2one ids of a quant's product, location and lot.
type QuantKey = (i64, i64, Option<i64>);

/// An empty id set, returned for an indexed field with no reference to an id.
static NO_IDS: BTreeSet<i64> = BTreeSet::new();

/// Returns the many2one fields indexed on a model: the inverse fields of
/// the computed one2many fields (see `store::inverse`), the picking type
/// that Wharf's search of ready pickings filters on, and the product of
/// quants, which every reservation looks up.
fn indexed_fields(model: &str) -> &'static [&'static str] {
    match model {
        "stock.move" => &["picking_id", "sale_line_id"],
        "stock.move.line" => &["move_id", "picking_id"],
        "stock.picking" => &["backorder_id", "sale_id", "picking_type_id"],
        "sale.order.line" => &["order_id"],
        "stock.quant" => &["product_id"],
        _ => &[],
    }
}

/// Returns the ids a relational wire value refers to: the id of `[id, name]`,
/// every integer of an id list, or a bare id. Domain evaluation reads
/// relational values the same way.
pub(crate) fn related_ids(value: &Value) -> Vec<i64> {
    match value {
        Value::Array(items) if items.len() == 2 && items[1].is_string() => {
            items[0].as_i64().into_iter().collect()
        }
        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
        Value::Number(n) => n.as_i64().into_iter().collect(),
        _ => Vec::new(),
    }
}

#[derive(Debug, Clone)]
pub(super) struct Index {
    fields: &'static [&'static str],
    /// Per indexed field, at the same position as in `fields`: the ids of
    /// the records whose value of the field refers to each id.
    references: Vec<HashMap<i64, BTreeSet<i64>>>,
    /// The ids of the records by their `state`, for string states.
    states: HashMap<String, BTreeSet<i64>>,
    /// For `stock.quant` only: the ids of the quants by product, location and lot.
    quants: Option<HashMap<QuantKey, BTreeSet<i64>>>,
}

fn quant_key(record: &Record) -> Option<QuantKey> {
    Some((
        m2o_id(record.get("product_id"))?,
        m2o_id(record.get("location_id"))?,
        m2o_id(record.get("lot_id")),
    ))
}

impl Index {
    pub fn new(model: &str) -> Self {
        let fields = indexed_fields(model);
        Self {
            fields,
            references: vec![HashMap::new(); fields.len()],
            states: HashMap::new(),
            quants: (model == "stock.quant").then(HashMap::new),
        }
    }

    pub fn add(&mut self, id: i64, record: &Record) {
        for (field, references) in self.fields.iter().zip(&mut self.references) {
            if let Some(value) = record.get(*field) {
                for target in related_ids(value) {
                    references.entry(target).or_default().insert(id);
                }
            }
        }
        if let Some(Value::String(state)) = record.get("state") {
            self.states.entry(state.clone()).or_default().insert(id);
        }
        if let (Some(quants), Some(key)) = (&mut self.quants, quant_key(record)) {
            quants.entry(key).or_default().insert(id);
        }
    }

    pub fn remove(&mut self, id: i64, record: &Record) {
        for (field, references) in self.fields.iter().zip(&mut self.references) {
            if let Some(value) = record.get(*field) {
                for target in related_ids(value) {
                    remove_from(references, &target, id);
                }
            }
        }
        if let Some(Value::String(state)) = record.get("state") {
            remove_from(&mut self.states, state.as_str(), id);
        }
        if let (Some(quants), Some(key)) = (&mut self.quants, quant_key(record)) {
            remove_from(quants, &key, id);
        }
    }

    pub fn has_field(&self, field: &str) -> bool {
        self.fields.contains(&field)
    }

    /// Returns the ids of the records whose `field` refers to `target`, or
    /// `None` when the field is not indexed. The set can hold records whose
    /// many2one id differs but whose value lists `target` as another item.
    pub fn referring(&self, field: &str, target: i64) -> Option<&BTreeSet<i64>> {
        let position = self.fields.iter().position(|f| *f == field)?;
        Some(self.references[position].get(&target).unwrap_or(&NO_IDS))
    }

    /// Returns the lowest id of a quant of a product at a location with a lot
    /// (`None`: without lot). The outer `None` means the table is not `stock.quant`.
    pub fn quant(&self, product: i64, location: i64, lot: Option<i64>) -> Option<Option<i64>> {
        let quants = self.quants.as_ref()?;
        Some(
            quants
                .get(&(product, location, lot))
                .and_then(|ids| ids.first().copied()),
        )
    }

    /// Returns the ids of the records in a state, in id order.
    pub fn with_state(&self, state: &str) -> impl Iterator<Item = i64> + '_ {
        self.states.get(state).into_iter().flatten().copied()
    }
}

fn remove_from<K, Q>(map: &mut HashMap<K, BTreeSet<i64>>, key: &Q, id: i64)
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    if let Some(ids) = map.get_mut(key) {
        ids.remove(&id);
        if ids.is_empty() {
            map.remove(key);
        }
    }
}
