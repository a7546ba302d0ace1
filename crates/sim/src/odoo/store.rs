//! In-memory record store of the Odoo simulator.
//!
//! Records are kept in the shape `read` returns them (many2one as
//! `[id, "display name"]`, x2many as id lists, `false` for empty values), so
//! that reading is a projection. One2many fields are not stored: they are
//! computed on read from the inverse many2one, sorted by the comodel's order.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// One record: field name to wire value.
pub(crate) type Record = Map<String, Value>;

/// The records of one model and the next id to allocate.
#[derive(Debug, Default, Clone)]
pub(crate) struct Table {
    pub records: BTreeMap<i64, Record>,
    pub next_id: i64,
    pub fields: BTreeSet<String>,
}

/// The whole database of one simulated Odoo server.
#[derive(Debug, Default, Clone)]
pub(crate) struct Db {
    pub version: u8,
    pub tables: BTreeMap<String, Table>,
    /// Per picking id, how many times it went from not done to done.
    pub validate_counts: BTreeMap<i64, u64>,
    /// Per picking id, quantity writes accepted on its move lines after it was done.
    pub writes_after_done: BTreeMap<i64, u64>,
    /// Company setting of `stock_sms` (Odoo 19 turns it on at install).
    pub sms_confirmation: bool,
    /// Fixed clock for tests, as a naive UTC datetime string.
    pub frozen_now: Option<String>,
}

impl Db {
    pub fn table(&self, model: &str) -> Option<&Table> {
        self.tables.get(model)
    }

    pub fn table_mut(&mut self, model: &str) -> &mut Table {
        self.tables
            .entry(model.to_owned())
            .or_insert_with(|| Table {
                next_id: 1,
                ..Table::default()
            })
    }

    pub fn get(&self, model: &str, id: i64) -> Option<&Record> {
        self.tables.get(model)?.records.get(&id)
    }

    pub fn get_mut(&mut self, model: &str, id: i64) -> Option<&mut Record> {
        self.tables.get_mut(model)?.records.get_mut(&id)
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

    /// Inserts a record under a new id and returns the id.
    pub fn insert(&mut self, model: &str, mut record: Record) -> i64 {
        self.stamp_new(&mut record);
        let table = self.table_mut(model);
        let id = table.next_id.max(1);
        table.next_id = id + 1;
        record.insert("id".into(), json!(id));
        for key in record.keys() {
            table.fields.insert(key.clone());
        }
        table.records.insert(id, record);
        id
    }

    /// Inserts a record with a given id (loading a dump or a fixture).
    pub fn insert_with_id(&mut self, model: &str, id: i64, mut record: Record) {
        self.stamp_new(&mut record);
        let table = self.table_mut(model);
        record.insert("id".into(), json!(id));
        for key in record.keys() {
            table.fields.insert(key.clone());
        }
        table.records.insert(id, record);
        if table.next_id <= id {
            table.next_id = id + 1;
        }
    }

    /// Returns the value of a stored field, `false` when unset.
    pub fn field(&self, model: &str, id: i64, field: &str) -> Value {
        self.get(model, id)
            .and_then(|r| r.get(field))
            .cloned()
            .unwrap_or(Value::Bool(false))
    }

    /// Sets one stored field, records the field name as known and moves
    /// the record's `write_date` to now, as every ORM write does in Odoo.
    pub fn set(&mut self, model: &str, id: i64, field: &str, value: Value) {
        let now = self.now();
        let table = self.table_mut(model);
        table.fields.insert(field.to_owned());
        table.fields.insert("write_date".to_owned());
        if let Some(record) = table.records.get_mut(&id) {
            record.insert(field.to_owned(), value);
            if field != "write_date" {
                record.insert("write_date".to_owned(), Value::String(now));
            }
        }
    }

    /// Gives a new record Odoo's `create_date` and `write_date` unless it
    /// brings its own (a loaded dump does).
    fn stamp_new(&self, record: &mut Record) {
        let now = self.now();
        for field in ["create_date", "write_date"] {
            record.entry(field.to_owned()).or_insert_with(|| Value::String(now.clone()));
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
        let Some(table) = self.tables.get(comodel) else {
            return Vec::new();
        };
        let mut ids: Vec<i64> = table
            .records
            .iter()
            .filter(|(_, r)| m2o_id(r.get(inverse)) == Some(id))
            .map(|(id, _)| *id)
            .collect();
        crate::odoo::orm::sort_ids(self, comodel, &mut ids, None);
        ids
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
        let record = self.get_mut("ir.sequence", sequence_id)?;
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
        Some(format!("{prefix}{next:0padding$}"))
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
            | "default_location_dest_id",
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
        (_, "move_id" | "move_ids") => "stock.move",
        (_, "move_line_ids") => "stock.move.line",
        (_, "sale_id" | "order_id") => "sale.order",
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
        ("stock.move", "move_line_ids") => ("stock.move.line", "move_id"),
        ("sale.order.line", "move_ids") => ("stock.move", "sale_line_id"),
        _ => return None,
    };
    Some(pair)
}
