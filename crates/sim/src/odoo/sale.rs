//! Sale orders: `sale.order` create and confirm with its outgoing picking,
//! and the delivery status computed from the pickings.

use serde_json::{json, Map, Value};

use super::error::OdooError;
use super::orm;
use super::picking::{confirm_picking, new_move, new_picking};
use super::stock;
use super::store::{float, m2o_id, num, Db, Record};

/// Recomputes `delivery_status` of a sale order from its pickings.
pub(crate) fn refresh_delivery(db: &mut Db, order: i64) {
    let pickings = db.one2many("stock.picking", "sale_id", order);
    let states: Vec<String> = pickings
        .iter()
        .map(|p| {
            db.field("stock.picking", *p, "state")
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let live: Vec<&String> = states.iter().filter(|s| s.as_str() != "cancel").collect();
    let status = if live.is_empty() {
        Value::Bool(false)
    } else if live.iter().all(|s| s.as_str() == "done") {
        json!("full")
    } else if live.iter().any(|s| s.as_str() == "done") {
        json!("partial")
    } else {
        json!("pending")
    };
    db.set("sale.order", order, "delivery_status", status);
    if status_is_done(db, order) {
        let now = db.now();
        if db.field("sale.order", order, "effective_date") == Value::Bool(false) {
            db.set("sale.order", order, "effective_date", json!(now));
        }
    }
}

fn status_is_done(db: &Db, order: i64) -> bool {
    matches!(
        db.field("sale.order", order, "delivery_status").as_str(),
        Some("full" | "partial")
    )
}

fn is_storable(db: &Db, product: i64) -> bool {
    if db.version <= 17 {
        db.field("product.product", product, "type").as_str() == Some("product")
    } else {
        db.field("product.product", product, "is_storable") == Value::Bool(true)
    }
}

/// Creates a sale order with its lines (`order_line` `[0, 0, vals]` commands).
pub(crate) fn create_order(db: &mut Db, vals: &Map<String, Value>) -> Result<i64, OdooError> {
    let partner = vals
        .get("partner_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| OdooError::validation("The partner of a sales order is required."))?;
    let sequence = db.table("ir.sequence").and_then(|t| {
        t.records()
            .iter()
            .find(|(_, r)| r.get("code").and_then(Value::as_str) == Some("sale.order"))
            .map(|(id, _)| *id)
    });
    let name = sequence
        .and_then(|s| db.next_sequence(s))
        .unwrap_or_else(|| "S?????".into());
    let warehouse = vals
        .get("warehouse_id")
        .and_then(Value::as_i64)
        .or_else(|| db.ids("stock.warehouse").first().copied())
        .unwrap_or(1);

    let mut plain = vals.clone();
    plain.remove("order_line");
    let mut record = orm::record_from_vals(db, "sale.order", &plain);
    let now = db.now();
    let defaults = [
        ("name", json!(name)),
        ("state", json!("draft")),
        ("locked", json!(false)),
        ("partner_invoice_id", db.m2o("res.partner", partner)),
        ("partner_shipping_id", db.m2o("res.partner", partner)),
        ("client_order_ref", Value::Bool(false)),
        ("origin", Value::Bool(false)),
        ("date_order", json!(now)),
        ("commitment_date", Value::Bool(false)),
        ("effective_date", Value::Bool(false)),
        ("warehouse_id", db.m2o("stock.warehouse", warehouse)),
        ("carrier_id", Value::Bool(false)),
        ("user_id", Value::Bool(false)),
        ("company_id", db.m2o("res.company", 1)),
        ("currency_id", json!([1, "USD"])),
        ("amount_untaxed", float(0.0)),
        ("amount_total", float(0.0)),
        ("delivery_status", Value::Bool(false)),
    ];
    for (field, value) in defaults {
        record.entry(field.to_owned()).or_insert(value);
    }
    let order = db.insert("sale.order", record);

    let mut total = 0.0;
    if let Some(Value::Array(commands)) = vals.get("order_line") {
        for command in commands {
            let Some(line_vals) = command.get(2).and_then(Value::as_object) else {
                continue;
            };
            let product = line_vals
                .get("product_id")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let quantity = num(line_vals.get("product_uom_qty")).max(0.0);
            let price = line_vals
                .get("price_unit")
                .map(|v| num(Some(v)))
                .unwrap_or_else(|| {
                    num(db
                        .get("product.product", product)
                        .and_then(|r| r.get("list_price")))
                });
            let uom_field = if db.version >= 19 {
                "product_uom_id"
            } else {
                "product_uom"
            };
            let mut line = Record::new();
            line.insert("order_id".into(), db.m2o("sale.order", order));
            line.insert("sequence".into(), json!(10));
            line.insert("product_id".into(), db.m2o("product.product", product));
            line.insert(
                "name".into(),
                json!(db.display_name("product.product", product)),
            );
            line.insert("product_uom_qty".into(), float(quantity));
            line.insert(uom_field.into(), db.m2o("uom.uom", 1));
            line.insert("qty_delivered".into(), float(0.0));
            line.insert("price_unit".into(), float(price));
            line.insert(
                "price_subtotal".into(),
                float(stock::round(price * quantity)),
            );
            line.insert("display_type".into(), Value::Bool(false));
            line.insert("is_delivery".into(), Value::Bool(false));
            total += price * quantity;
            db.insert("sale.order.line", line);
        }
    }
    db.set(
        "sale.order",
        order,
        "amount_untaxed",
        float(stock::round(total)),
    );
    db.set(
        "sale.order",
        order,
        "amount_total",
        float(stock::round(total)),
    );
    Ok(order)
}

/// Confirms sale orders: each gets an outgoing picking with reserved moves.
pub(crate) fn confirm_orders(db: &mut Db, ids: &[i64]) -> Result<Value, OdooError> {
    let blocked: Vec<String> = ids
        .iter()
        .filter(|id| {
            !matches!(
                db.field("sale.order", **id, "state").as_str(),
                Some("draft" | "sent")
            )
        })
        .map(|id| {
            db.field("sale.order", *id, "name")
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    if !blocked.is_empty() {
        return Err(if db.version <= 17 {
            OdooError::user(format!(
                "The following orders are not in a state requiring confirmation: {}",
                blocked.join(", ")
            ))
        } else {
            OdooError::user("Some orders are not in a state requiring confirmation.")
        });
    }
    for order in ids {
        db.set("sale.order", *order, "state", json!("sale"));
        create_delivery(db, *order);
        refresh_delivery(db, *order);
    }
    Ok(Value::Bool(true))
}

fn customer_location(db: &Db) -> i64 {
    db.table("stock.location")
        .and_then(|t| {
            t.records()
                .iter()
                .find(|(_, r)| r.get("usage").and_then(Value::as_str) == Some("customer"))
                .map(|(id, _)| *id)
        })
        .unwrap_or(5)
}

fn create_delivery(db: &mut Db, order: i64) {
    let record = db.get("sale.order", order).cloned().unwrap_or_default();
    let warehouse = m2o_id(record.get("warehouse_id")).unwrap_or(1);
    let picking_type = m2o_id(
        db.get("stock.warehouse", warehouse)
            .and_then(|r| r.get("out_type_id")),
    )
    .unwrap_or(2);
    let source = m2o_id(
        db.get("stock.warehouse", warehouse)
            .and_then(|r| r.get("lot_stock_id")),
    )
    .unwrap_or(8);
    let destination = customer_location(db);
    let lines = db.one2many("sale.order.line", "order_id", order);
    let storable: Vec<i64> = lines
        .into_iter()
        .filter(|l| {
            let product = m2o_id(
                db.get("sale.order.line", *l)
                    .and_then(|r| r.get("product_id")),
            )
            .unwrap_or(0);
            is_storable(db, product)
                || db.field("product.product", product, "type").as_str() == Some("consu")
        })
        .collect();
    if storable.is_empty() {
        return;
    }
    let name_text = record
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let origin = match record.get("client_order_ref").and_then(Value::as_str) {
        Some(reference) if db.version == 18 => format!("{name_text} - {reference}"),
        _ => name_text,
    };
    let partner = m2o_id(record.get("partner_shipping_id")).unwrap_or(0);
    let picking = new_picking(
        db,
        picking_type,
        source,
        destination,
        Some(partner),
        &origin,
    );
    db.set(
        "stock.picking",
        picking,
        "sale_id",
        db.m2o("sale.order", order),
    );
    let carrier = record
        .get("carrier_id")
        .cloned()
        .unwrap_or(Value::Bool(false));
    db.set("stock.picking", picking, "carrier_id", carrier);

    for line in storable {
        let line_record = db.get("sale.order.line", line).cloned().unwrap_or_default();
        let product = m2o_id(line_record.get("product_id")).unwrap_or(0);
        let mv = new_move(
            db,
            picking,
            product,
            num(line_record.get("product_uom_qty")),
        );
        db.set(
            "stock.move",
            mv,
            "sale_line_id",
            db.m2o("sale.order.line", line),
        );
    }
    confirm_picking(db, picking);
}
