//! `stock.quant` write as Odoo 17 to 19 run it for inventory counts: the
//! inventory mode (context `inventory_mode` and the Inventory/User group),
//! the counted quantity and its difference, and the one-step
//! `inventory_quantity_auto_apply` reserved to Inventory/Administrator.
//! Creating quants is in `quant_create`.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::access::has_group;
use super::dispatch::Call;
use super::error::OdooError;
use super::inventory;
use super::location;
use super::orm;
use super::quantity::{decimal, wire};
use super::store::{m2o_id, Db};

/// Fields a count may write in the inventory mode (Odoo 17 and 18 reject a
/// write that mixes them with other fields).
pub(crate) const COUNT_FIELDS: &[&str] = &[
    "inventory_quantity",
    "inventory_quantity_auto_apply",
    "inventory_diff_quantity",
    "inventory_date",
    "user_id",
    "inventory_quantity_set",
    "is_outdated",
    "lot_id",
    "location_id",
    "package_id",
];

/// Fields Odoo 19 forbids writing in the inventory mode.
const FORBIDDEN_19: &[&str] = &[
    "product_id",
    "location_id",
    "lot_id",
    "package_id",
    "owner_id",
];

pub(crate) const AUTO_APPLY: &str = "inventory_quantity_auto_apply";

/// Returns whether a call runs in Odoo's inventory mode: the context requests
/// it and the user is at least Inventory/User.
pub(crate) fn inventory_mode(db: &Db, call: &Call) -> bool {
    let asked = call
        .context
        .get("inventory_mode")
        .is_some_and(|v| v.as_bool().unwrap_or(false) || v.as_i64().is_some_and(|n| n != 0));
    asked && has_group(db, call.uid, "stock.group_stock_user")
}

/// Rejects `inventory_quantity_auto_apply` for users below Inventory/Administrator,
/// with the field-access message of the version.
pub(crate) fn check_auto_apply_access(
    db: &Db,
    call: &Call,
    operation: &str,
) -> Result<(), OdooError> {
    if has_group(db, call.uid, "stock.group_stock_manager") {
        return Ok(());
    }
    let details = format!(
        "Operation: {operation}\nUser: {}\nFields:\n- {AUTO_APPLY} (allowed for groups 'Inventory / Administrator')",
        call.uid
    );
    // NOTE: the Odoo 19 text is assumed equal to 18's; no 19 recording shows it.
    let message = if db.version <= 17 {
        format!("The requested operation can not be completed due to security restrictions.\n\nDocument type: Quants (stock.quant)\n{details}")
    } else {
        format!("You do not have enough rights to access the fields \"{AUTO_APPLY}\" on Quants (stock.quant). Please contact your system administrator.\n\n{details}")
    };
    Err(OdooError::access(message))
}

/// Writes quants. Returns `None` (Odoo's `None`) when the inventory mode
/// ignores a count on an inventory-loss location, `true` otherwise.
pub(crate) fn write(
    db: &mut Db,
    call: &Call,
    ids: &[i64],
    vals: &Map<String, Value>,
) -> Result<Value, OdooError> {
    if vals.contains_key(AUTO_APPLY) {
        check_auto_apply_access(db, call, "write")?;
    }
    let inventory_mode = inventory_mode(db, call);
    if inventory_mode && restricted(db.version, vals) {
        let on_loss_location = ids.iter().any(|id| {
            m2o_id(
                db.get("stock.quant", *id)
                    .and_then(|r| r.get("location_id")),
            )
            .is_some_and(|l| location::usage(db, l) == "inventory")
        });
        if on_loss_location {
            return Ok(Value::Null);
        }
        return Err(OdooError::user(
            "Quant's editing is restricted, you can't do this operation.",
        ));
    }

    let mut plain = vals.clone();
    let auto_apply = plain.remove(AUTO_APPLY);
    orm::write_plain(db, "stock.quant", ids, &plain)?;
    if plain.contains_key("inventory_quantity") {
        for id in ids {
            if !plain.contains_key("inventory_quantity_set") {
                db.set(
                    "stock.quant",
                    *id,
                    "inventory_quantity_set",
                    Value::Bool(true),
                );
            }
            if db.version >= 19 && !plain.contains_key("user_id") {
                // Odoo 19 names the writer in the adjustment's move, 18 does
                // not: the 19 recording shows "(WMS Integration)" after a plain write.
                db.set("stock.quant", *id, "user_id", db.m2o("res.users", call.uid));
            }
            refresh_difference(db, *id);
        }
    } else if plain.contains_key("inventory_quantity_set") && db.version >= 18 {
        for id in ids {
            refresh_difference(db, *id);
        }
    }
    if let (Some(value), true) = (auto_apply, inventory_mode) {
        apply_directly(db, call, ids, decimal(Some(&value)))?;
    }
    Ok(Value::Bool(true))
}

/// Returns whether the inventory mode rejects these values: Odoo 17 and 18
/// reject counts mixed with other fields, Odoo 19 rejects the quant's keys.
fn restricted(version: u8, vals: &Map<String, Value>) -> bool {
    if version >= 19 {
        return vals
            .keys()
            .any(|field| FORBIDDEN_19.contains(&field.as_str()));
    }
    let counts = vals
        .keys()
        .any(|field| COUNT_FIELDS.contains(&field.as_str()));
    counts
        && vals
            .keys()
            .any(|field| !COUNT_FIELDS.contains(&field.as_str()))
}

/// Sets a quant's counted quantity, marks it counted and updates the difference.
pub(crate) fn set_count(db: &mut Db, quant: i64, counted: Decimal) {
    db.set("stock.quant", quant, "inventory_quantity", wire(counted));
    db.set(
        "stock.quant",
        quant,
        "inventory_quantity_set",
        Value::Bool(true),
    );
    refresh_difference(db, quant);
}

/// Recomputes `inventory_diff_quantity`: counted minus on hand, and zero
/// for a quant not counted (Odoo 18 and 19; Odoo 17 has no such condition).
pub(crate) fn refresh_difference(db: &mut Db, quant: i64) {
    let Some(record) = db.get("stock.quant", quant) else {
        return;
    };
    let counted = record.get("inventory_quantity_set") == Some(&Value::Bool(true));
    let difference = if counted || db.version <= 17 {
        decimal(record.get("inventory_quantity")) - decimal(record.get("quantity"))
    } else {
        Decimal::ZERO
    };
    db.set(
        "stock.quant",
        quant,
        "inventory_diff_quantity",
        wire(difference),
    );
}

/// Clears the counts of quants, as `action_clear_inventory_quantity` does.
pub(crate) fn clear_counts(db: &mut Db, ids: &[i64]) {
    for id in ids {
        db.set(
            "stock.quant",
            *id,
            "inventory_quantity",
            wire(Decimal::ZERO),
        );
        db.set(
            "stock.quant",
            *id,
            "inventory_diff_quantity",
            wire(Decimal::ZERO),
        );
        db.set(
            "stock.quant",
            *id,
            "inventory_quantity_set",
            Value::Bool(false),
        );
        db.set("stock.quant", *id, "user_id", Value::Bool(false));
    }
}

/// Counts quants at `counted` and applies the difference at once, skipping
/// quants already at that quantity (the inverse of `inventory_quantity_auto_apply`).
pub(crate) fn apply_directly(
    db: &mut Db,
    call: &Call,
    ids: &[i64],
    counted: Decimal,
) -> Result<(), OdooError> {
    let mut changed = Vec::new();
    for id in ids {
        let on_hand = decimal(db.get("stock.quant", *id).and_then(|r| r.get("quantity")));
        if on_hand != counted {
            set_count(db, *id, counted);
            changed.push(*id);
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    inventory::action_apply_inventory(db, call, &changed).map(|_| ())
}
