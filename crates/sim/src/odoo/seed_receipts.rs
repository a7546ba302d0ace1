//! Purchase receipts for the generated data set: confirmed purchase orders
//! `P00001`, `P00002`, ... from a vendor, each with a receipt of the Main
//! Warehouse's Receipts type from `Partners/Vendors` to `WH/Stock` in
//! state `assigned`, as Odoo's `purchase_stock` creates them when an order
//! is confirmed. A receipt has one to three moves that mix an untracked
//! product and the product tracked by lot with expiry dates.

use serde_json::{json, Value};

use super::picking;
use super::seed::Rng;
use super::seed_data::{put, LOT_EXPIRY, UNTRACKED};
use super::store::{float, Db};

/// The vendor added when the data set has none.
const VENDOR: i64 = 15;
/// The Main Warehouse's Receipts operation type.
const WH_RECEIPTS: i64 = 1;
/// Mixed into the seed so that the receipts do not repeat the orders' draws.
const STREAM: u64 = 0x5EED_0000_0000_0001;

/// Creates `count` purchase orders with their receipts and returns the
/// receipt (`stock.picking`) ids in order.
pub(crate) fn add_purchase_receipts(db: &mut Db, count: usize, seed: u64) -> Vec<i64> {
    if count == 0 {
        return Vec::new();
    }
    let vendor = ensure_vendor(db);
    let mut rng = Rng(seed ^ STREAM);
    let mut receipts = Vec::with_capacity(count);
    for index in 0..count {
        let name = format!("P{:05}", index + 1);
        let order = add_order(db, &name, vendor);
        let picking_type = db.get("stock.picking.type", WH_RECEIPTS).cloned();
        let field = |f: &str| {
            super::store::m2o_id(picking_type.as_ref().and_then(|t| t.get(f))).unwrap_or(0)
        };
        let (source, destination) = (
            field("default_location_src_id"),
            field("default_location_dest_id"),
        );
        let receipt =
            picking::new_picking(db, WH_RECEIPTS, source, destination, Some(vendor), &name);
        db.set(
            "stock.picking",
            receipt,
            "purchase_id",
            db.m2o("purchase.order", order),
        );

        // Even receipts start with the lot product, odd ones with the untracked one.
        let mut products = if index % 2 == 0 {
            vec![LOT_EXPIRY, UNTRACKED, 3]
        } else {
            vec![UNTRACKED, LOT_EXPIRY, 4]
        };
        products.truncate(1 + rng.below(3));
        for product in products {
            let quantity = 1 + rng.below(24);
            picking::new_move(db, receipt, product, quantity as f64);
        }
        picking::confirm_picking(db, receipt);
        receipts.push(receipt);
    }
    receipts
}

/// Returns a vendor partner (`supplier_rank` above 0), adding one when the
/// data set has none.
fn ensure_vendor(db: &mut Db) -> i64 {
    let existing = db.table("res.partner").and_then(|table| {
        table
            .records()
            .iter()
            .find(|(_, p)| p.get("supplier_rank").and_then(Value::as_i64).unwrap_or(0) > 0)
            .map(|(id, _)| *id)
    });
    if let Some(vendor) = existing {
        return vendor;
    }
    let name = "Summit Components Ltd.";
    put(
        db,
        "res.partner",
        VENDOR,
        json!({"name": name, "type": "contact", "parent_id": false, "commercial_partner_id": [VENDOR, name], "is_company": true, "ref": false, "street": "77 Foundry Street", "street2": false, "city": "Pittsburgh", "zip": "15222", "state_id": false, "country_code": "US", "phone": false, "email": "sales@summit.example", "category_id": [], "supplier_rank": 1}),
    );
    VENDOR
}

/// Adds a confirmed purchase order and returns its id.
fn add_order(db: &mut Db, name: &str, vendor: i64) -> i64 {
    let now = db.now();
    let mut record = serde_json::Map::new();
    let fields = [
        ("name", json!(name)),
        ("state", json!("purchase")),
        ("priority", json!("0")),
        ("partner_id", db.m2o("res.partner", vendor)),
        ("date_order", json!(now)),
        ("date_approve", json!(now)),
        ("picking_type_id", db.m2o("stock.picking.type", WH_RECEIPTS)),
        ("company_id", db.m2o("res.company", 1)),
        ("origin", Value::Bool(false)),
        ("amount_total", float(0.0)),
    ];
    for (field, value) in fields {
        record.insert(field.to_owned(), value);
    }
    db.insert("purchase.order", record)
}
