//! In-memory record store of the Odoo simulator.
//!
//! Records are kept in the shape `read` returns them (many2one as
//! `[id, "display name"]`, x2many as id lists, `false` for empty values), so
//! that reading is a projection. One2many fields are not stored: they are
//! computed on read from the inverse many2one, sorted by the comodel's order.
//!
//! # Design
//!
//! - Every change to a record goes through [`Db::insert`],
//!   [`Db::insert_with_id`], [`Db::set`], [`Db::update`] or [`Db::remove`].
//!   Those keep the indexes of the table up to date (see `index`) and, inside
//!   [`Db::transaction`], write the undo journal (see `journal`).
//! - A transaction saves each touched record once, before its first change,
//!   together with table creations, new field names, `next_id` values, the
//!   per-picking counters and the SMS setting. A failed call restores those
//!   saved values, so it changes nothing, without copying the database.
//! - The loading helpers that rewrite many records at once
//!   ([`Db::rewrite_records`], [`Db::renumber`]) rebuild the indexes and are
//!   not journaled: they run only while a data set is loaded.

mod index;
mod journal;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

pub(crate) use index::related_ids;
use index::Index;
use journal::Journal;

/// One record: field name to wire value.
pub(crate) type Record = Map<String, Value>;

/// The records of one model, the next id to allocate, the field names seen
/// and the indexes over the records.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    records: BTreeMap<i64, Record>,
    next_id: i64,
    fields: BTreeSet<String>,
    index: Index,
}

impl Table {
    fn new(model: &str) -> Self {
        Self {
            records: BTreeMap::new(),
            next_id: 1,
            fields: BTreeSet::new(),
            index: Index::new(model),
        }
    }

    /// Returns the records by id.
    pub fn records(&self) -> &BTreeMap<i64, Record> {
        &self.records
    }

    /// Returns the names of the fields stored on some record of the table.
    pub fn fields(&self) -> &BTreeSet<String> {
        &self.fields
    }

    /// Stores a record under `id`, indexes it and returns the record it replaced.
    fn put(&mut self, id: i64, record: Record) -> Option<Record> {
        let old = self.records.insert(id, record);
        if let Some(old) = &old {
            self.index.remove(id, old);
        }
        if let Some(new) = self.records.get(&id) {
            self.index.add(id, new);
        }
        old
    }

    /// Removes a record and its index entries.
    fn take(&mut self, id: i64) -> Option<Record> {
        let old = self.records.remove(&id)?;
        self.index.remove(id, &old);
        Some(old)
    }

    fn rebuild_index(&mut self, model: &str) {
        self.index = Index::new(model);
        for (id, record) in &self.records {
            self.index.add(*id, record);
        }
    }
}

/// The whole database of one simulated Odoo server.
#[derive(Debug, Default)]
pub(crate) struct Db {
    pub version: u8,
    tables: BTreeMap<String, Table>,
    /// Per picking id, how many times it went from not done to done.
    validate_counts: BTreeMap<i64, u64>,
    /// Per picking id, quantity writes accepted on its move lines after it was done.
    writes_after_done: BTreeMap<i64, u64>,
    /// Company setting of `stock_sms` (Odoo 19 turns it on at install).
    pub sms_confirmation: bool,
    /// Fixed clock for tests, as a naive UTC datetime string.
    pub frozen_now: Option<String>,
    /// Undo journal of the running transaction, `None` outside one.
    journal: Option<Journal>,
    /// Explicit access rights by user id. Users not listed get the rights
    /// of their group names.
    pub user_rights: BTreeMap<i64, super::rights::UserRights>,
}

impl Db {
    /// Creates an empty database of an Odoo version, with the SMS setting
    /// that version installs.
    pub fn new(version: u8, frozen_now: Option<String>) -> Self {
        Self {
            version,
            sms_confirmation: version >= 19,
            frozen_now,
            ..Self::default()
        }
    }

    pub fn table(&self, model: &str) -> Option<&Table> {
        self.tables.get(model)
    }

    /// Returns the tables by model name.
    pub fn tables(&self) -> impl Iterator<Item = (&String, &Table)> {
        self.tables.iter()
    }

    /// Returns the table of a model, creating it (journaled) when missing.
    fn ensure_table(&mut self, model: &str) -> &mut Table {
        if !self.tables.contains_key(model) {
            if let Some(journal) = &mut self.journal {
                journal.new_tables.push(model.to_owned());
            }
            self.tables.insert(model.to_owned(), Table::new(model));
        }
        self.tables
            .get_mut(model)
            .expect("the table was created above")
    }

    pub fn get(&self, model: &str, id: i64) -> Option<&Record> {
        self.tables.get(model)?.records.get(&id)
    }

    pub fn exists(&self, model: &str, id: i64) -> bool {
        self.get(model, id).is_some()
    }

    pub fn ids(&self, model: &str) -> Vec<i64> {
        self.tables
            .get(model)
            .map(|t| t.records.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Records a field name as stored on the model.
    pub fn add_field(&mut self, model: &str, field: &str) {
        let table = self.ensure_table(model);
        if table.fields.contains(field) {
            return;
        }
        table.fields.insert(field.to_owned());
        if let Some(journal) = &mut self.journal {
            journal
                .new_fields
                .push((model.to_owned(), field.to_owned()));
        }
    }

    /// Inserts a record under a new id and returns the id.
    pub fn insert(&mut self, model: &str, record: Record) -> i64 {
        let id = self.ensure_table(model).next_id.max(1);
        self.insert_with_id(model, id, record);
        id
    }

    /// Inserts a record with a given id (loading a dump or a fixture), or
    /// replaces the record with that id.
    pub fn insert_with_id(&mut self, model: &str, id: i64, mut record: Record) {
        self.stamp_new(&mut record);
        record.insert("id".into(), json!(id));
        for key in record.keys() {
            self.add_field(model, key);
        }
        self.save_next_id(model);
        self.save_record(model, id);
        let table = self.ensure_table(model);
        table.put(id, record);
        if table.next_id <= id {
            table.next_id = id + 1;
        }
    }

    /// Moves a model's next id forward by `count`, as a PostgreSQL sequence
    /// moves past the ids of rows that were deleted or rolled back.
    pub fn skip_ids(&mut self, model: &str, count: i64) {
        self.save_next_id(model);
        let table = self.ensure_table(model);
        table.next_id = table.next_id.max(1) + count.max(0);
    }

    /// Sets one stored field, records the field name as known and moves
    /// the record's `write_date` to now, as every ORM write does in Odoo.
    pub fn set(&mut self, model: &str, id: i64, field: &str, value: Value) {
        let now = self.now();
        self.add_field(model, field);
        self.add_field(model, "write_date");
        self.update(model, id, |record| {
            record.insert(field.to_owned(), value);
            if field != "write_date" {
                record.insert("write_date".to_owned(), Value::String(now));
            }
        });
    }

    /// Changes a record in place through `change` and returns its result,
    /// or `None` when the record does not exist. Unlike [`Db::set`] this
    /// leaves `write_date` alone.
    pub fn update<R>(
        &mut self,
        model: &str,
        id: i64,
        change: impl FnOnce(&mut Record) -> R,
    ) -> Option<R> {
        if !self.exists(model, id) {
            return None;
        }
        self.save_record(model, id);
        let table = self.tables.get_mut(model)?;
        let mut record = table.take(id)?;
        let result = change(&mut record);
        table.put(id, record);
        Some(result)
    }

    /// Deletes a record and returns it.
    pub fn remove(&mut self, model: &str, id: i64) -> Option<Record> {
        if !self.exists(model, id) {
            return None;
        }
        self.save_record(model, id);
        self.tables.get_mut(model)?.take(id)
    }

    /// Rewrites every record of every table through `change(model, record)`
    /// and rebuilds the indexes; for loading only, outside transactions.
    pub fn rewrite_records(&mut self, mut change: impl FnMut(&str, &mut Record)) {
        debug_assert!(self.journal.is_none(), "rewrite_records is not journaled");
        for (model, table) in &mut self.tables {
            for record in table.records.values_mut() {
                change(model, record);
            }
            table.rebuild_index(model);
        }
    }

    /// Moves every record of a model to the id `new_id(old id)`, updating
    /// their `id` fields; for loading only, outside transactions.
    pub fn renumber(&mut self, model: &str, new_id: impl Fn(i64) -> i64) {
        debug_assert!(self.journal.is_none(), "renumber is not journaled");
        let Some(table) = self.tables.get_mut(model) else {
            return;
        };
        let records = std::mem::take(&mut table.records);
        for (id, mut record) in records {
            record.insert("id".into(), json!(new_id(id)));
            table.records.insert(new_id(id), record);
        }
        table.rebuild_index(model);
    }

    /// Returns how many times a picking went from not done to done.
    pub fn validate_count(&self, picking: i64) -> u64 {
        self.validate_counts.get(&picking).copied().unwrap_or(0)
    }

    /// Counts one validation of a picking.
    pub fn count_validation(&mut self, picking: i64) {
        if let Some(journal) = &mut self.journal {
            let old = self.validate_counts.get(&picking).copied();
            journal.validate_counts.entry(picking).or_insert(old);
        }
        *self.validate_counts.entry(picking).or_insert(0) += 1;
    }

    /// Returns how many quantity writes a picking's move lines took after it was done.
    pub fn writes_after_done(&self, picking: i64) -> u64 {
        self.writes_after_done.get(&picking).copied().unwrap_or(0)
    }

    /// Counts one quantity write on a move line of a done picking.
    pub fn count_write_after_done(&mut self, picking: i64) {
        if let Some(journal) = &mut self.journal {
            let old = self.writes_after_done.get(&picking).copied();
            journal.writes_after_done.entry(picking).or_insert(old);
        }
        *self.writes_after_done.entry(picking).or_insert(0) += 1;
    }

    /// Returns the value of a stored field, `false` when unset.
    pub fn field(&self, model: &str, id: i64, field: &str) -> Value {
        self.get(model, id)
            .and_then(|r| r.get(field))
            .cloned()
            .unwrap_or(Value::Bool(false))
    }

    /// Gives a new record Odoo's `create_date` and `write_date` unless it
    /// brings its own (a loaded dump does).
    fn stamp_new(&self, record: &mut Record) {
        let now = self.now();
        for field in ["create_date", "write_date"] {
            record
                .entry(field.to_owned())
                .or_insert_with(|| Value::String(now.clone()));
        }
    }

    /// Builds the many2one wire value `[id, display name]` for a record.
    pub fn m2o(&self, model: &str, id: i64) -> Value {
        match self.get(model, id) {
            Some(_) => json!([id, self.display_name(model, id)]),
            None => Value::Bool(false),
        }
    }

    /// Returns the display name of a record as Odoo shows it in a many2one.
    pub fn display_name(&self, model: &str, id: i64) -> String {
        let Some(record) = self.get(model, id) else {
            return String::new();
        };
        if let Some(Value::String(name)) = record.get("display_name") {
            return name.clone();
        }
        let text = |field: &str| {
            record
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        match model {
            "product.product" => match record.get("default_code").and_then(Value::as_str) {
                Some(code) => format!("[{code}] {}", text("name")),
                None => text("name"),
            },
            "stock.location" => text("complete_name"),
            "res.partner" => match m2o_id(record.get("parent_id")) {
                Some(parent) => format!(
                    "{}, {}",
                    self.display_name("res.partner", parent),
                    text("name")
                ),
                None => text("name"),
            },
            "stock.picking.type" => {
                let warehouse = m2o_name(record.get("warehouse_id"));
                if warehouse.is_empty() {
                    text("name")
                } else {
                    format!("{warehouse}: {}", text("name"))
                }
            }
            "stock.move" => {
                let origin = record
                    .get("origin")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| text("reference"));
                let product = m2o_id(record.get("product_id")).unwrap_or(0);
                let code = self
                    .get("product.product", product)
                    .and_then(|p| p.get("default_code"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let code = code.unwrap_or_else(|| self.display_name("product.product", product));
                let short = |field: &str| {
                    let full = m2o_name(record.get(field));
                    full.rsplit('/').next().unwrap_or("").to_owned()
                };
                format!(
                    "{origin}/{code}: {}>{}",
                    short("location_id"),
                    short("location_dest_id")
                )
            }
            "sale.order.line" => {
                let order = m2o_id(record.get("order_id")).unwrap_or(0);
                let partner = self
                    .get("sale.order", order)
                    .and_then(|o| m2o_id(o.get("partner_id")))
                    .unwrap_or(0);
                let label = match self
                    .get("res.partner", partner)
                    .and_then(|p| p.get("ref"))
                    .and_then(Value::as_str)
                {
                    Some(reference) if self.version >= 19 => reference.to_owned(),
                    _ => self.display_name("res.partner", partner),
                };
                format!(
                    "{} - {} ({label})",
                    m2o_name(record.get("order_id")),
                    text("name")
                )
            }
            _ => text("name"),
        }
    }

    /// Returns the ids of the records whose many2one `inverse` points at `id`,
    /// in the comodel's default order.
    pub fn one2many(&self, comodel: &str, inverse: &str, id: i64) -> Vec<i64> {
        let mut ids = self.referring_ids(comodel, inverse, id);
        crate::odoo::orm::sort_ids(self, comodel, &mut ids, None);
        ids
    }

    /// Returns the ids of the records of `model` whose many2one `field`
    /// points at `id`, in id order. Uses the table's index when the field
    /// has one, and scans the table otherwise.
    pub fn referring_ids(&self, model: &str, field: &str, id: i64) -> Vec<i64> {
        let Some(table) = self.tables.get(model) else {
            return Vec::new();
        };
        let points_at = |record: &Record| m2o_id(record.get(field)) == Some(id);
        match table.index.referring(field, id) {
            Some(candidates) => candidates
                .iter()
                .copied()
                .filter(|other| table.records.get(other).is_some_and(points_at))
                .collect(),
            None => table
                .records
                .iter()
                .filter(|(_, record)| points_at(record))
                .map(|(other, _)| *other)
                .collect(),
        }
    }

    /// Returns the ids of the records of `model` whose relational `field`
    /// contains one of `targets`, in id order, or `None` when the field has
    /// no index.
    pub fn indexed_references(
        &self,
        model: &str,
        field: &str,
        targets: &[i64],
    ) -> Option<BTreeSet<i64>> {
        let table = self.tables.get(model)?;
        let mut found = BTreeSet::new();
        for target in targets {
            found.extend(table.index.referring(field, *target)?.iter().copied());
        }
        table.index.has_field(field).then_some(found)
    }

    /// Returns the lowest id of a quant of a product at a location with a lot
    /// (`None`: without lot).
    pub fn find_quant(&self, product: i64, location: i64, lot: Option<i64>) -> Option<i64> {
        self.tables
            .get("stock.quant")?
            .index
            .quant(product, location, lot)
            .flatten()
    }

    /// Returns the ids of the records of `model` whose `state` is one of `states`.
    pub fn ids_in_states(&self, model: &str, states: &[&str]) -> BTreeSet<i64> {
        let mut found = BTreeSet::new();
        if let Some(table) = self.tables.get(model) {
            for state in states {
                found.extend(table.index.with_state(state));
            }
        }
        found
    }

    /// Returns the current time as a naive UTC datetime string.
    pub fn now(&self) -> String {
        if let Some(now) = &self.frozen_now {
            return now.clone();
        }
        jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    /// Takes the next number of an `ir.sequence` and returns the formatted name.
    pub fn next_sequence(&mut self, sequence_id: i64) -> Option<String> {
        self.update("ir.sequence", sequence_id, |record| {
            let next = record
                .get("number_next_actual")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let padding = record
                .get("padding")
                .and_then(Value::as_u64)
                .and_then(|p| usize::try_from(p).ok())
                .unwrap_or(5);
            let prefix = record
                .get("prefix")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            record.insert("number_next_actual".into(), json!(next + 1));
            format!("{prefix}{next:0padding$}")
        })
    }
}

/// Returns the id of a many2one wire value (`[id, name]`, a bare id, or `false`).
pub(crate) fn m2o_id(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Array(items) => items.first().and_then(Value::as_i64),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Returns the display name part of a many2one wire value.
pub(crate) fn m2o_name(value: Option<&Value>) -> String {
    match value {
        Some(Value::Array(items)) => items
            .get(1)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    }
}

/// Returns a float as Odoo sends it (`5.0`, never `5`).
pub(crate) fn float(value: f64) -> Value {
    json!(value)
}

/// Reads a number field as f64 (`false` counts as zero).
pub(crate) fn num(value: Option<&Value>) -> f64 {
    value.and_then(Value::as_f64).unwrap_or(0.0)
}

/// Returns the comodel of a relational field, or `None` for other fields.
pub(crate) fn comodel(model: &str, field: &str) -> Option<&'static str> {
    let target = match (model, field) {
        ("res.partner", "parent_id") => "res.partner",
        ("res.partner", "category_id") => "res.partner.category",
        ("stock.location", "location_id") => "stock.location",
        ("product.category", "parent_id") => "product.category",
        (
            _,
            "partner_id" | "partner_shipping_id" | "partner_invoice_id" | "commercial_partner_id",
        ) => "res.partner",
        (_, "product_id") => "product.product",
        (_, "lot_id" | "lot_ids") => "stock.lot",
        (
            _,
            "location_id"
            | "location_dest_id"
            | "lot_stock_id"
            | "view_location_id"
            | "default_location_src_id"
            | "default_location_dest_id"
            | "scrap_location_id",
        ) => "stock.location",
        (
            _,
            "picking_id" | "backorder_id" | "return_id" | "picking_ids" | "backorder_ids"
            | "pick_ids",
        ) => "stock.picking",
        (
            _,
            "picking_type_id"
            | "in_type_id"
            | "out_type_id"
            | "int_type_id"
            | "return_picking_type_id",
        ) => "stock.picking.type",
        (_, "move_id" | "move_ids" | "origin_returned_move_id") => "stock.move",
        ("stock.return.picking.line", "wizard_id") => "stock.return.picking",
        (_, "move_line_ids") => "stock.move.line",
        (_, "sale_id" | "order_id") => "sale.order",
        (_, "purchase_id") => "purchase.order",
        (_, "sale_line_id" | "order_line") => "sale.order.line",
        (_, "warehouse_id") => "stock.warehouse",
        (_, "carrier_id") => "delivery.carrier",
        (_, "company_id" | "company_ids") => "res.company",
        (_, "currency_id") => "res.currency",
        (_, "country_id") => "res.country",
        (_, "state_id") => "res.country.state",
        (_, "categ_id") => "product.category",
        (_, "uom_id" | "product_uom" | "product_uom_id") => "uom.uom",
        (_, "user_id") => "res.users",
        (_, "sequence_id") => "ir.sequence",
        _ => return None,
    };
    Some(target)
}

/// Returns the comodel and inverse many2one of a computed one2many field.
pub(crate) fn inverse(model: &str, field: &str) -> Option<(&'static str, &'static str)> {
    let pair = match (model, field) {
        ("stock.picking", "move_ids") => ("stock.move", "picking_id"),
        ("stock.picking", "move_line_ids") => ("stock.move.line", "picking_id"),
        ("stock.picking", "backorder_ids") => ("stock.picking", "backorder_id"),
        ("sale.order", "order_line") => ("sale.order.line", "order_id"),
        ("sale.order", "picking_ids") => ("stock.picking", "sale_id"),
        ("purchase.order", "picking_ids") => ("stock.picking", "purchase_id"),
        ("stock.move", "move_line_ids") => ("stock.move.line", "move_id"),
        ("sale.order.line", "move_ids") => ("stock.move", "sale_line_id"),
        ("stock.return.picking", "product_return_moves") => {
            ("stock.return.picking.line", "wizard_id")
        }
        _ => return None,
    };
    Some(pair)
}
