//! Method dispatch shared by JSON-RPC and JSON-2: method signatures per
//! version, access rights, and the routing of `model.method` to the ORM,
//! stock, sales and wizard code. Each call runs in one transaction, which
//! the caller undoes when the call fails.

use serde_json::{json, Map, Value};

use super::access::{check_access, group_names, groups, operation_of};
use super::error::OdooError;
use super::orm;
use super::sale;
use super::store::Db;
use super::validate::{button_validate, ValidateContext};
use super::wizards;
use super::{cancel, lot, picking};

/// One normalised call: record ids, named arguments and context.
#[derive(Debug, Clone, Default)]
pub(crate) struct Call {
    pub model: String,
    pub method: String,
    pub ids: Option<Vec<i64>>,
    pub params: Map<String, Value>,
    pub context: Map<String, Value>,
    pub uid: i64,
}

/// Returns whether a method is a record method and its named parameters.
pub(crate) fn signature(
    version: u8,
    model: &str,
    method: &str,
) -> Option<(bool, &'static [&'static str])> {
    let entry: (bool, &'static [&'static str]) = match method {
        "read" => (true, &["fields", "load"]),
        "write" => (true, &["vals"]),
        "unlink" => (true, &[]),
        "create" => (false, &["vals_list"]),
        "search" => (false, &["domain", "offset", "limit", "order"]),
        "search_read" => (false, &["domain", "fields", "offset", "limit", "order"]),
        "search_count" => (false, &["domain", "limit"]),
        "web_search_read" => (
            false,
            &[
                "domain",
                "specification",
                "offset",
                "limit",
                "order",
                "count_limit",
            ],
        ),
        "fields_get" => (false, &["allfields", "attributes"]),
        "check_access_rights" => (false, &["operation", "raise_exception"]),
        "has_access" if version >= 18 => (true, &["operation"]),
        "context_get" if model == "res.users" => (false, &[]),
        "has_group" if model == "res.users" && version <= 17 => (false, &["group_ext_id"]),
        "has_group" if model == "res.users" => (true, &["group_ext_id"]),
        "button_validate" | "action_confirm" | "action_assign" | "action_cancel"
            if model == "stock.picking" =>
        {
            (true, &[])
        }
        "action_confirm" | "action_cancel" if model == "sale.order" => (true, &[]),
        "process" | "process_cancel_backorder" if model == "stock.backorder.confirmation" => {
            (true, &[])
        }
        "process" if model == "expiry.picking.confirmation" => (true, &[]),
        "dont_send_sms" | "send_sms" if model == "confirm.stock.sms" => (true, &[]),
        "make_key" if model == "res.users.apikeys.description" => (true, &[]),
        "message_post" if super::chatter::has_chatter(model) => {
            (true, super::chatter::MESSAGE_POST_PARAMETERS)
        }
        _ => return super::routes::signature(version, model, method),
    };
    Some(entry)
}

/// Returns whether the model exists on the simulated server.
pub(crate) fn model_exists(db: &Db, model: &str) -> bool {
    db.table(model).is_some()
        || wizards::WIZARD_MODELS.contains(&model)
        || super::routes::MODELS.contains(&model)
        || super::chatter::MODELS.contains(&model)
        || super::rights::MODELS.contains(&model)
        || matches!(
            model,
            "res.users.apikeys.description"
                | "stock.backorder.confirmation.line"
                | "res.partner.category"
                | "ir.module.module"
        )
}

fn usize_param(params: &Map<String, Value>, key: &str) -> Option<usize> {
    params
        .get(key)
        .and_then(Value::as_u64)
        .and_then(|v| usize::try_from(v).ok())
}

fn order_param(params: &Map<String, Value>) -> Option<String> {
    params
        .get("order")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

pub(crate) fn require_ids(db: &Db, call: &Call) -> Result<Vec<i64>, OdooError> {
    let ids = call.ids.clone().unwrap_or_default();
    let missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !db.exists(&call.model, *id))
        .collect();
    if !missing.is_empty() {
        return Err(OdooError::missing(&call.model, &missing, call.uid));
    }
    Ok(ids)
}

/// Runs one call. The caller undoes the changes when this returns `Err`.
pub(crate) fn execute(db: &mut Db, call: &Call) -> Result<Value, OdooError> {
    if call.method.starts_with('_') {
        let message = if db.version <= 17 {
            format!(
                "Private methods (such as {}) cannot be called remotely.",
                call.method
            )
        } else {
            format!(
                "Private methods (such as '{}.{}') cannot be called remotely.",
                call.model, call.method
            )
        };
        return Err(OdooError::access(message));
    }
    // Odoo runs the access probes and `context_get` without checking the
    // model's read right: a user without it gets `false`, not an error.
    let probe = matches!(
        call.method.as_str(),
        "check_access_rights" | "has_access" | "has_group" | "context_get"
    );
    if !probe {
        check_access(db, call, operation_of(&call.method))?;
    }
    if let Some(result) = super::chatter::execute(db, call) {
        return result;
    }
    if let Some(result) = super::routes::execute(db, call) {
        return result;
    }
    let params = &call.params;
    let model = call.model.as_str();

    match call.method.as_str() {
        "read" => {
            let fields =
                orm::check_fields(db, model, params.get("fields").unwrap_or(&Value::Null))?;
            Ok(Value::Array(orm::read(
                db,
                model,
                &call.ids.clone().unwrap_or_default(),
                &fields,
            )))
        }
        "search" => {
            let domain = params.get("domain").cloned().unwrap_or(json!([]));
            let ids = orm::search(
                db,
                model,
                &domain,
                order_param(params).as_deref(),
                usize_param(params, "offset").unwrap_or(0),
                usize_param(params, "limit"),
            )?;
            Ok(json!(ids))
        }
        "search_count" => {
            let domain = params.get("domain").cloned().unwrap_or(json!([]));
            let ids = orm::search(db, model, &domain, None, 0, usize_param(params, "limit"))?;
            Ok(json!(ids.len()))
        }
        "search_read" => {
            let domain = params.get("domain").cloned().unwrap_or(json!([]));
            let fields =
                orm::check_fields(db, model, params.get("fields").unwrap_or(&Value::Null))?;
            let ids = orm::search(
                db,
                model,
                &domain,
                order_param(params).as_deref(),
                usize_param(params, "offset").unwrap_or(0),
                usize_param(params, "limit"),
            )?;
            Ok(Value::Array(orm::read(db, model, &ids, &fields)))
        }
        "web_search_read" => {
            let domain = params.get("domain").cloned().unwrap_or(json!([]));
            let specification = params
                .get("specification")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            orm::web_search_read(
                db,
                model,
                &domain,
                &specification,
                order_param(params).as_deref(),
                usize_param(params, "offset").unwrap_or(0),
                usize_param(params, "limit"),
            )
        }
        "fields_get" => Ok(fields_get(db, model, params.get("allfields"))),
        "check_access_rights" | "has_access" => {
            let operation = params
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or("read");
            Ok(Value::Bool(check_access(db, call, operation).is_ok()))
        }
        "context_get" => Ok(json!({ "lang": "en_US", "tz": false, "uid": call.uid })),
        "has_group" => {
            let user = call
                .ids
                .as_ref()
                .and_then(|ids| ids.first().copied())
                .unwrap_or(call.uid);
            let xmlid = params
                .get("group_ext_id")
                .and_then(Value::as_str)
                .unwrap_or("");
            let held = match db.user_rights.get(&user) {
                Some(rights) => rights.has_group(xmlid),
                None => {
                    let names = group_names(xmlid);
                    groups(db, user).iter().any(|g| names.contains(&g.as_str()))
                }
            };
            Ok(Value::Bool(held))
        }
        "write" => {
            let ids = require_ids(db, call)?;
            let vals = params
                .get("vals")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            write(db, model, &ids, &vals)?;
            Ok(Value::Bool(true))
        }
        "create" => create(db, call),
        "unlink" => {
            let ids = require_ids(db, call)?;
            for id in ids {
                if model == "stock.move.line" {
                    super::move_line::unlink_move_line(db, id);
                } else {
                    db.remove(model, id);
                }
            }
            Ok(Value::Bool(true))
        }
        "button_validate" => {
            let ids = require_ids(db, call)?;
            button_validate(db, &ids, &ValidateContext::from_context(&call.context))
        }
        "action_confirm" if model == "sale.order" => {
            let ids = require_ids(db, call)?;
            sale::confirm_orders(db, &ids)
        }
        "action_confirm" | "action_assign" => {
            for picking in require_ids(db, call)? {
                picking::confirm_picking(db, picking);
            }
            Ok(Value::Bool(true))
        }
        "action_cancel" if model == "sale.order" => {
            let ids = require_ids(db, call)?;
            cancel::cancel_orders(db, &ids, &call.context)
        }
        "action_cancel" => {
            let ids = require_ids(db, call)?;
            cancel::cancel_pickings(db, &ids)
        }
        "make_key" => {
            let ids = require_ids(db, call)?;
            Ok(json!({
                "type": "ir.actions.act_window", "res_model": "res.users.identitycheck", "res_id": ids.first().copied().unwrap_or(1),
                "name": "Access Control", "target": "new", "views": [[false, "form"]], "context": {"dialog_size": "medium"},
            }))
        }
        method => {
            require_ids(db, call)?;
            wizards::button(db, model, method, &call.context)
        }
    }
}

fn write(
    db: &mut Db,
    model: &str,
    ids: &[i64],
    vals: &Map<String, Value>,
) -> Result<(), OdooError> {
    match model {
        "stock.move.line" => super::move_line::write_move_lines(db, ids, vals),
        "stock.picking" => {
            let mut plain = vals.clone();
            if let Some(Value::Array(commands)) = plain.remove("move_line_ids") {
                for command in &commands {
                    let code = command.get(0).and_then(Value::as_i64);
                    let line = command.get(1).and_then(Value::as_i64).unwrap_or(0);
                    let line_vals = command
                        .get(2)
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    match code {
                        Some(0) => {
                            let mut create_vals = line_vals.clone();
                            create_vals
                                .entry("picking_id".to_owned())
                                .or_insert(json!(ids.first().copied().unwrap_or(0)));
                            super::move_line::create_move_line(db, &create_vals)?;
                        }
                        Some(1) => {
                            if !db.exists("stock.move.line", line) {
                                return Err(OdooError::missing("stock.move.line", &[line], 1));
                            }
                            super::move_line::write_move_lines(db, &[line], &line_vals)?;
                        }
                        Some(2 | 3) => super::move_line::unlink_move_line(db, line),
                        _ => {}
                    }
                }
            }
            orm::write_plain(db, model, ids, &plain)?;
            picking::propagate_locations(db, ids, &plain);
            Ok(())
        }
        _ => orm::write_plain(db, model, ids, vals),
    }
}

fn create(db: &mut Db, call: &Call) -> Result<Value, OdooError> {
    let model = call.model.as_str();
    let (list, single) = match call.params.get("vals_list") {
        Some(Value::Array(items)) => (items.clone(), false),
        Some(Value::Object(map)) => (vec![Value::Object(map.clone())], true),
        _ => (vec![json!({})], true),
    };
    let mut ids = Vec::new();
    for vals in list {
        let vals = vals.as_object().cloned().unwrap_or_default();
        if let Some(created) = super::routes::create_one(db, call, &vals) {
            ids.push(created?);
            continue;
        }
        let id = match model {
            "sale.order" => sale::create_order(db, &vals)?,
            "stock.picking" => picking::create_picking(db, &vals)?,
            "stock.lot" => lot::create_lot(db, &vals)?,
            "stock.move.line" => super::move_line::create_move_line(db, &vals)?,
            m if wizards::WIZARD_MODELS.contains(&m) => {
                wizards::create(db, m, &vals, &call.context)
            }
            _ => {
                for field in vals.keys() {
                    if db.table(model).is_some_and(|t| !t.fields().is_empty())
                        && !orm::has_field(db, model, field)
                    {
                        return Err(OdooError::value(format!(
                            "Invalid field '{field}' on model '{model}'"
                        )));
                    }
                }
                let record = orm::record_from_vals(db, model, &vals);
                db.insert(model, record)
            }
        };
        ids.push(id);
    }
    Ok(if single && ids.len() == 1 {
        json!(ids[0])
    } else {
        json!(ids)
    })
}

fn fields_get(db: &Db, model: &str, names: Option<&Value>) -> Value {
    let wanted: Vec<String> = names
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Map::new();
    for name in wanted {
        let description = match (model, name.as_str()) {
            ("stock.picking", "state") => {
                json!({"selection": [["draft", "Draft"], ["waiting", "Waiting Another Operation"], ["confirmed", "Waiting"], ["assigned", "Ready"], ["done", "Done"], ["cancel", "Cancelled"]], "string": "Status", "type": "selection"})
            }
            ("stock.picking", "priority") => {
                json!({"selection": [["0", "Normal"], ["1", "Urgent"]], "string": "Priority", "type": "selection"})
            }
            _ => match super::custom_fields::description(model, &name) {
                Some(custom) => custom,
                None if orm::has_field(db, model, &name) => {
                    json!({"string": name, "type": "char"})
                }
                None => continue,
            },
        };
        out.insert(name, description);
    }
    Value::Object(out)
}
