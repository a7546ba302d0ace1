//! Access rights of the simulated users, by the group names of the
//! recorded data sets, and the `has_group` group mapping.

use super::dispatch::Call;
use super::error::OdooError;
use super::store::Db;

pub(crate) fn groups(db: &Db, uid: i64) -> Vec<String> {
    db.field("res.users", uid, "groups")
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|g| g.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn has_any(groups: &[String], prefixes: &[&str]) -> bool {
    groups
        .iter()
        .any(|g| prefixes.iter().any(|p| g.starts_with(p)))
}

/// Maps a group xml id to the group names that grant it.
pub(crate) fn group_names(xmlid: &str) -> &'static [&'static str] {
    match xmlid {
        "stock.group_stock_user" => &["Inventory / User", "Inventory / Administrator"],
        "stock.group_stock_manager" => &["Inventory / Administrator"],
        "sales_team.group_sale_salesman" => &[
            "Sales / User: Own Documents Only",
            "Sales / User: All Documents",
            "Sales / Administrator",
        ],
        "sales_team.group_sale_salesman_all_leads" => {
            &["Sales / User: All Documents", "Sales / Administrator"]
        }
        "sales_team.group_sale_manager" => &["Sales / Administrator"],
        "base.group_user" => &[
            "User types / Internal User",
            "Role / User",
            "Role / Administrator",
        ],
        "base.group_system" => &["Administration / Settings", "Role / Administrator"],
        "base.group_erp_manager" => &[
            "Administration / Access Rights",
            "Administration / Settings",
            "Role / Administrator",
        ],
        "account.group_account_manager" => {
            &["Invoicing / Administrator", "Accounting / Administrator"]
        }
        _ => &[],
    }
}

/// Returns whether a user has a group, given by xml id. The superuser
/// (uid 1) has every group.
pub(crate) fn has_group(db: &Db, uid: i64, xmlid: &str) -> bool {
    if uid == 1 {
        return true;
    }
    if let Some(rights) = db.user_rights.get(&uid) {
        return rights.has_group(xmlid);
    }
    let names = group_names(xmlid);
    groups(db, uid).iter().any(|g| names.contains(&g.as_str()))
}

/// Applies the access rights the recordings show, by group name.
/// NOTE: a simplification of Odoo's ACLs and record rules: only the stock and
/// sales models are checked, and the group lists in messages are fixed texts.
pub(crate) fn check_access(db: &Db, call: &Call, operation: &str) -> Result<(), OdooError> {
    // uid 1 is the superuser, which bypasses access rights in Odoo.
    if call.uid == 1 {
        return Ok(());
    }
    if let Some(rights) = db.user_rights.get(&call.uid) {
        return super::rights::check(rights, call, operation);
    }
    if call.model == "stock.quant" && operation == "unlink" {
        // No access rule of Odoo 17 to 19 grants deleting quants (recorded in 19).
        return Err(OdooError::access("You are not allowed to delete 'Quants' (stock.quant) records.\n\nNo group currently allows this operation.\n\nContact your administrator to request access if necessary."));
    }
    let groups = groups(db, call.uid);
    if let Some(result) = super::rights::check_admin_models(&groups, call, operation) {
        return result;
    }
    let stock_user = has_any(&groups, &["Inventory / "]);
    let (description, allowed) = match call.model.as_str() {
        "stock.quant" if operation == "read" => return Ok(()),
        "stock.lot" => ("Lot/Serial", stock_user),
        "stock.quant" => ("Quants", stock_user),
        "stock.scrap" => ("Scrap", stock_user),
        "stock.picking" => ("Transfer", stock_user || has_any(&groups, &["Sales / "])),
        "stock.move" => ("Stock Move", stock_user || has_any(&groups, &["Sales / "])),
        "stock.move.line" => ("Product Moves (Stock Move Line)", stock_user),
        "sale.order" => ("Sales Order", stock_user || has_any(&groups, &["Sales / "])),
        "sale.order.line" => (
            "Sales Order Line",
            stock_user || has_any(&groups, &["Sales / "]),
        ),
        _ => return Ok(()),
    };
    if allowed && !(operation != "read" && call.model.starts_with("stock.") && !stock_user) {
        return Ok(());
    }
    let verb = match operation {
        "create" => "create",
        "write" => "modify",
        "unlink" => "delete",
        _ => "access",
    };
    let group_list = match (db.version, call.model.as_str()) {
        (19, "sale.order") => "\t- Accounting/Invoicing\n\t- Inventory/User\n\t- Sales/Administrator\n\t- Sales/User: Own Documents Only\n\t- Role / Portal\n\t- Show Accounting Features - Readonly\n\t- Show Full Accounting Features",
        (19, "stock.picking") => "\t- Accounting/Invoicing\n\t- Inventory/Administrator\n\t- Inventory/User\n\t- Sales/Administrator\n\t- Sales/User: Own Documents Only\n\t- Role / Portal\n\t- Show Accounting Features - Readonly",
        _ => "\t- Inventory/User",
    };
    Err(OdooError::access(format!(
        "You are not allowed to {verb} '{description}' ({}) records.\n\nThis operation is allowed for the following groups:\n{group_list}\n\nContact your administrator to request access if necessary.",
        call.model
    )))
}

pub(crate) fn operation_of(method: &str) -> &'static str {
    match method {
        "read"
        | "search"
        | "search_read"
        | "search_count"
        | "web_search_read"
        | "fields_get"
        | "check_access_rights"
        | "has_access" => "read",
        "create" => "create",
        "write" | "action_apply_inventory" | "action_clear_inventory_quantity" => "write",
        "unlink" => "unlink",
        _ => "read",
    }
}
