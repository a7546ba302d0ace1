//! Method routing for the inventory models, ahead of the generic table in
//! `dispatch`: quant counts and their wizards, scraps, the return wizard,
//! grouped reads, and product reads whose stock quantities depend on the
//! context.

use serde_json::{json, Map, Value};

use super::dispatch::{require_ids, Call};
use super::error::OdooError;
use super::store::Db;
use super::{
    group, inventory, inventory_wizard, orm, product_stock, quant, quant_create, returns, scrap,
};

/// Models that exist before their table contains a record.
pub(crate) const MODELS: &[&str] = &[
    "stock.scrap",
    scrap::WARN_MODEL,
    "stock.inventory.conflict",
    "stock.track.confirmation",
    returns::WIZARD,
    returns::LINE,
];

/// Returns the signature of the methods routed here: whether it is a record
/// method and its named parameters.
pub(crate) fn signature(
    version: u8,
    model: &str,
    method: &str,
) -> Option<(bool, &'static [&'static str])> {
    let entry: (bool, &'static [&'static str]) = match (model, method) {
        (_, "read_group") => (
            false,
            &[
                "domain", "fields", "groupby", "offset", "limit", "orderby", "lazy",
            ],
        ),
        (_, "formatted_read_group") if version >= 19 => (
            false,
            &[
                "domain",
                "groupby",
                "aggregates",
                "having",
                "offset",
                "limit",
                "order",
            ],
        ),
        ("stock.quant", "action_apply_inventory" | "action_clear_inventory_quantity") => {
            (true, &[])
        }
        ("stock.scrap", "action_validate" | "do_scrap") => (true, &[]),
        (scrap::WARN_MODEL, "action_done") => (true, &[]),
        (wizard, button) if inventory_wizard::is_button(wizard, button) => (true, &[]),
        _ => return returns::signature(version, model, method),
    };
    Some(entry)
}

/// Runs a call routed here, or returns `None` for the generic dispatch.
/// Record methods other than `read` raise `MissingError` for unknown ids.
pub(crate) fn execute(db: &mut Db, call: &Call) -> Option<Result<Value, OdooError>> {
    let model = call.model.as_str();
    let method = call.method.as_str();
    if returns::routes(db.version, model, method) {
        return Some(returns::execute(db, call));
    }
    let routed = signature(db.version, model, method).is_some()
        || matches!(
            (model, method),
            ("stock.quant", "write") | ("product.product", "read" | "search_read")
        );
    if !routed {
        return None;
    }
    let ids = match method {
        "read" | "search_read" => Vec::new(),
        _ => match require_ids(db, call) {
            Ok(ids) => ids,
            Err(error) => return Some(Err(error)),
        },
    };
    let ids = ids.as_slice();
    let result = match (model, method) {
        (_, "read_group") => group::read_group(db, model, &call.params),
        (_, "formatted_read_group") => group::formatted_read_group(db, model, &call.params),
        ("product.product", "read" | "search_read") => read_products(db, call),
        ("stock.quant", "write") => {
            let vals = call
                .params
                .get("vals")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            quant::write(db, call, ids, &vals)
        }
        ("stock.quant", "action_apply_inventory") => {
            inventory::action_apply_inventory(db, call, ids)
        }
        ("stock.quant", "action_clear_inventory_quantity") => {
            quant::clear_counts(db, ids);
            Ok(Value::Null)
        }
        ("stock.scrap", "action_validate") => match ids {
            [one] => scrap::action_validate(db, call, *one),
            _ => Err(expected_one(model, ids)),
        },
        ("stock.scrap", "do_scrap") => scrap::do_scrap(db, ids),
        (scrap::WARN_MODEL, "action_done") => match ids.first() {
            Some(wizard) => scrap::confirm_warning(db, *wizard),
            None => Ok(Value::Bool(true)),
        },
        (wizard, button) if inventory_wizard::is_button(wizard, button) => match ids.first() {
            Some(first) => inventory_wizard::button(db, call, *first),
            None => Ok(Value::Null),
        },
        _ => return None,
    };
    Some(result)
}

/// Creates one record of a model routed here, or returns `None`.
pub(crate) fn create_one(
    db: &mut Db,
    call: &Call,
    vals: &Map<String, Value>,
) -> Option<Result<i64, OdooError>> {
    let model = call.model.as_str();
    let result = match model {
        "stock.quant" => quant_create::create(db, call, vals),
        "stock.scrap" => scrap::create(db, vals),
        returns::WIZARD => returns::create_wizard(db, vals, &call.context),
        scrap::WARN_MODEL => Ok(scrap::create_warning(db, vals, &call.context)),
        m if inventory_wizard::MODELS.contains(&m) => {
            Ok(inventory_wizard::create(db, m, vals, &call.context))
        }
        _ => return None,
    };
    Some(result)
}

/// Reads products with their stock quantities over the context's warehouse
/// or location.
fn read_products(db: &Db, call: &Call) -> Result<Value, OdooError> {
    let params = &call.params;
    let fields = orm::check_fields(
        db,
        "product.product",
        params.get("fields").unwrap_or(&Value::Null),
    )?;
    let ids = if call.method == "read" {
        call.ids.clone().unwrap_or_default()
    } else {
        let domain = params.get("domain").cloned().unwrap_or(json!([]));
        let count = |key: &str| {
            params
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|v| usize::try_from(v).ok())
        };
        orm::search(
            db,
            "product.product",
            &domain,
            params.get("order").and_then(Value::as_str),
            count("offset").unwrap_or(0),
            count("limit"),
        )?
    };
    let mut records = orm::read(db, "product.product", &ids, &fields);
    product_stock::fill(db, &mut records, &call.context);
    Ok(Value::Array(records))
}

fn expected_one(model: &str, ids: &[i64]) -> OdooError {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    OdooError::value(format!("Expected singleton: {model}({})", list.join(", ")))
}
