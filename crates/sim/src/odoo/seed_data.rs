//! The fixed part of the generated data set: company, users, customers,
//! locations, warehouses with their operation types and sequences, products
//! of every tracking kind, carriers, lots and stock.

use serde_json::{json, Value};

use super::store::{Db, Record};

pub(crate) fn put(db: &mut Db, model: &str, id: i64, fields: Value) {
    let record: Record = fields.as_object().cloned().unwrap_or_default();
    db.insert_with_id(model, id, record);
}

pub(crate) const UNTRACKED: i64 = 2;
pub(crate) const LOT: i64 = 5;
pub(crate) const LOT_EXPIRY: i64 = 6;
pub(crate) const SERIAL: i64 = 7;
pub(crate) const NO_SKU: i64 = 8;

pub(crate) fn base_data(db: &mut Db, serials_needed: usize) {
    let v17 = db.version <= 17;
    put(
        db,
        "res.company",
        1,
        json!({"name": "Wharf Demo Distribution", "partner_id": [1, "Wharf Demo Distribution"], "currency_id": [1, "USD"], "country_id": [233, "United States"], "country_code": "US"}),
    );
    put(
        db,
        "res.users",
        2,
        json!({"login": "admin", "name": "Administrator", "company_id": [1, "Wharf Demo Distribution"], "company_ids": [1], "share": false, "tz": false, "lang": "en_US", "groups": ["Inventory / Administrator", "Sales / Administrator", "User types / Internal User"]}),
    );
    put(
        db,
        "res.partner.category",
        1,
        json!({"name": "Credit Hold"}),
    );
    put(db, "uom.uom", 1, json!({"name": "Units", "rounding": 0.01}));
    put(
        db,
        "product.category",
        1,
        json!({"name": "All", "complete_name": "All", "parent_id": false}),
    );

    let partners = [
        (
            1,
            "Wharf Demo Distribution",
            "100 Commerce Way",
            "Columbus",
            "43215",
            "US",
            json!([]),
            Value::Bool(false),
            "contact",
        ),
        (
            10,
            "Harbor Supply Co.",
            "12 Pier Road",
            "Baltimore",
            "21202",
            "US",
            json!([]),
            Value::Bool(false),
            "contact",
        ),
        (
            11,
            "Lakeside Retail Inc.",
            "400 Shore Drive",
            "Chicago",
            "60601",
            "US",
            json!([]),
            Value::Bool(false),
            "contact",
        ),
        (
            12,
            "Nordlicht Handel GmbH",
            "Hafenstrasse 3",
            "Hamburg",
            "20457",
            "DE",
            json!([]),
            Value::Bool(false),
            "contact",
        ),
        (
            13,
            "Overdue Traders LLC",
            "9 Debt Lane",
            "Newark",
            "07102",
            "US",
            json!([1]),
            Value::Bool(false),
            "contact",
        ),
        (
            14,
            "Lakeside Retail Inc. Yard",
            "",
            "Joliet",
            "60431",
            "US",
            json!([]),
            json!([11, "Lakeside Retail Inc."]),
            "delivery",
        ),
    ];
    for (id, name, street, city, zip, country, tags, parent, kind) in partners {
        let street = if street.is_empty() {
            Value::Bool(false)
        } else {
            json!(street)
        };
        // A delivery address belongs to its parent company, as in Odoo.
        let commercial = if parent.is_array() {
            parent.clone()
        } else {
            json!([id, name])
        };
        put(
            db,
            "res.partner",
            id,
            json!({"name": name, "type": kind, "parent_id": parent, "commercial_partner_id": commercial, "is_company": kind == "contact", "ref": false, "street": street, "street2": false, "city": city, "zip": zip, "state_id": false, "country_code": country, "phone": false, "email": format!("orders@{id}.example"), "category_id": tags}),
        );
    }

    let locations = [
        (1, "Physical Locations", "view", Value::Bool(false)),
        (2, "Partners", "view", Value::Bool(false)),
        (3, "Virtual Locations", "view", Value::Bool(false)),
        (4, "Partners/Vendors", "supplier", json!([2, "Partners"])),
        (5, "Partners/Customers", "customer", json!([2, "Partners"])),
        (
            6,
            "Virtual Locations/Inventory adjustment",
            "inventory",
            json!([3, "Virtual Locations"]),
        ),
        (7, "WH", "view", json!([1, "Physical Locations"])),
        (8, "WH/Stock", "internal", json!([7, "WH"])),
        (17, "EAST", "view", json!([1, "Physical Locations"])),
        (18, "EAST/Stock", "internal", json!([17, "EAST"])),
        (
            19,
            "WH/Stock/Quarantine",
            "internal",
            json!([8, "WH/Stock"]),
        ),
    ];
    for (id, name, usage, parent) in locations {
        let short = name.rsplit('/').next().unwrap_or(name);
        put(
            db,
            "stock.location",
            id,
            json!({"name": short, "complete_name": name, "usage": usage, "location_id": parent, "company_id": false}),
        );
    }
    // Scrap orders move stock here; Odoo creates such a location with the
    // stock module.
    put(
        db,
        "stock.location",
        16,
        json!({"name": "Scrap", "complete_name": "Virtual Locations/Scrap", "usage": "inventory", "scrap_location": true, "location_id": [3, "Virtual Locations"], "company_id": false}),
    );

    for (warehouse, code, name, stock, first_type, first_sequence) in [
        (1, "WH", "Main Warehouse", 8, 1, 3),
        (2, "EAST", "East Depot", 18, 9, 18),
    ] {
        put(
            db,
            "stock.warehouse",
            warehouse,
            json!({"name": name, "code": code, "company_id": [1, "Wharf Demo Distribution"], "lot_stock_id": [stock, format!("{code}/Stock")], "in_type_id": [first_type, format!("{name}: Receipts")], "out_type_id": [first_type + 1, format!("{name}: Delivery Orders")], "delivery_steps": "ship_only", "reception_steps": "one_step"}),
        );
        for (offset, type_name, type_code, prefix, src, dest) in [
            (0, "Receipts", "incoming", "IN", 4, stock),
            (1, "Delivery Orders", "outgoing", "OUT", stock, 5),
        ] {
            // Receipts and deliveries are each other's return type, as Odoo
            // links them when it creates a warehouse.
            let return_type = if offset == 0 {
                (1, "Delivery Orders")
            } else {
                (0, "Receipts")
            };
            let sequence = first_sequence + offset;
            put(
                db,
                "ir.sequence",
                sequence,
                json!({"name": format!("{name} Sequence {prefix}"), "code": false, "prefix": format!("{code}/{prefix}/"), "padding": 5, "number_next_actual": 1, "number_increment": 1}),
            );
            put(
                db,
                "stock.picking.type",
                first_type + offset,
                json!({"name": type_name, "code": type_code, "sequence_code": prefix, "sequence_id": [sequence, format!("{name} Sequence {prefix}")], "warehouse_id": [warehouse, name], "company_id": [1, "Wharf Demo Distribution"], "default_location_src_id": db.m2o("stock.location", src), "default_location_dest_id": db.m2o("stock.location", dest), "create_backorder": "ask", "return_picking_type_id": [first_type + return_type.0, format!("{name}: {}", return_type.1)]}),
            );
        }
    }
    put(
        db,
        "ir.sequence",
        30,
        json!({"name": "Sales Order", "code": "sale.order", "prefix": "S", "padding": 5, "number_next_actual": 1, "number_increment": 1}),
    );

    let products = [
        (
            UNTRACKED,
            Some("WID-100"),
            "Widget Standard",
            "none",
            false,
            0.4,
        ),
        (3, Some("WID-200"), "Widget Deluxe", "none", false, 0.6),
        (4, Some("BOX-L"), "Shipping Box L", "none", false, 0.35),
        (LOT, Some("PAINT-W5"), "White Paint 5 L", "lot", false, 5.5),
        (
            LOT_EXPIRY,
            Some("MILK-UHT"),
            "UHT Milk 1 L (case of 12)",
            "lot",
            true,
            12.6,
        ),
        (
            SERIAL,
            Some("SCAN-X1"),
            "Barcode Scanner X1",
            "serial",
            false,
            0.3,
        ),
        (NO_SKU, None, "Unlabelled Sample Crate", "none", false, 2.0),
    ];
    for (id, code, name, tracking, expiry, weight) in products {
        let mut record = json!({"default_code": code.map_or(Value::Bool(false), |c| json!(c)), "name": name, "categ_id": [1, "All"], "tracking": tracking, "barcode": false, "uom_id": [1, "Units"], "weight": weight, "list_price": 10.0, "sale_ok": true, "use_expiration_date": expiry, "expiration_time": if expiry { 90 } else { 0 }, "use_time": 0, "removal_time": 0, "alert_time": 0});
        if v17 {
            record["type"] = json!("product");
        } else {
            record["type"] = json!("consu");
            record["is_storable"] = json!(true);
        }
        put(db, "product.product", id, record);
    }

    for (id, name, price) in [
        (1, "Demo Freight Ground", 5.0),
        (2, "Demo Freight Express", 15.0),
    ] {
        put(
            db,
            "delivery.carrier",
            id,
            json!({"name": name, "delivery_type": "fixed", "integration_level": "rate", "fixed_price": price, "company_id": false}),
        );
    }

    let plenty = 100_000.0;
    let mut quant = 1;
    let mut add_quant = |db: &mut Db,
                         product: i64,
                         location: i64,
                         lot: Option<i64>,
                         quantity: f64,
                         in_date: &str| {
        put(
            db,
            "stock.quant",
            quant,
            json!({"product_id": db.m2o("product.product", product), "location_id": db.m2o("stock.location", location), "lot_id": lot.map_or(Value::Bool(false), |l| db.m2o("stock.lot", l)), "package_id": false, "quantity": quantity, "reserved_quantity": 0.0, "in_date": in_date, "inventory_quantity": 0.0, "inventory_quantity_set": false, "inventory_date": false, "removal_date": false}),
        );
        quant += 1;
    };
    let lots = [
        (1, LOT, "PW-2601-A", Value::Bool(false)),
        (2, LOT, "PW-2602-B", Value::Bool(false)),
        (3, LOT_EXPIRY, "MU-2701", json!("2036-01-31 12:00:00")),
        (4, LOT_EXPIRY, "MU-2702", json!("2036-06-30 12:00:00")),
    ];
    for (id, product, name, expiry) in &lots {
        put(
            db,
            "stock.lot",
            *id,
            json!({"name": name, "product_id": db.m2o("product.product", *product), "company_id": [1, "Wharf Demo Distribution"], "expiration_date": expiry, "use_date": false, "removal_date": false, "alert_date": false, "product_qty": 0.0}),
        );
    }
    for stock in [8, 18] {
        for product in [UNTRACKED, 3, 4, NO_SKU] {
            add_quant(db, product, stock, None, plenty, "2026-01-01 08:00:00");
        }
        for (index, (lot, product, _, _)) in lots.iter().enumerate() {
            add_quant(
                db,
                *product,
                stock,
                Some(*lot),
                plenty,
                &format!("2026-01-0{} 08:00:00", index + 1),
            );
        }
    }
    for index in 0..serials_needed {
        let lot = 100 + i64::try_from(index).unwrap_or(0);
        let stock = if index % 2 == 0 { 8 } else { 18 };
        put(
            db,
            "stock.lot",
            lot,
            json!({"name": format!("SX1-{:05}", index + 1), "product_id": db.m2o("product.product", SERIAL), "company_id": [1, "Wharf Demo Distribution"], "expiration_date": false, "use_date": false, "removal_date": false, "alert_date": false, "product_qty": 1.0}),
        );
        add_quant(db, SERIAL, stock, Some(lot), 1.0, "2026-01-05 08:00:00");
    }
}
