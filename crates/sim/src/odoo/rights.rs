//! Explicit per-user access rights. A table of model rights and group xml
//! ids replaces the group-name rules of `access` for the users it lists.
//! Tests use three profiles: the exact rights of Wharf's flows, a too-broad
//! account, and an internal user without stock rights.
//!
//! A user in the table gets `AccessError` on any call outside its rights,
//! and `check_access_rights`, `has_access` and `has_group` reply from the
//! same table, so a probe never disagrees with the call it predicts.

use std::collections::BTreeSet;

use super::dispatch::Call;
use super::error::{OdooError, SimError};
use super::sim::OdooSim;

/// Models that exist on every simulated server, even when a data set has no
/// record of them. Real Odoo has them with `base` and `account`, which
/// `sale` depends on.
pub(crate) const MODELS: &[&str] = &["ir.model.access", "account.move", "res.country.state"];

/// The model rights and groups of one user.
#[derive(Debug, Clone, Default)]
pub struct UserRights {
    /// `(model, operation)` pairs, such as `("stock.quant", "write")`.
    pub rights: BTreeSet<(String, String)>,
    /// Group xml ids, such as `stock.group_stock_user`.
    pub groups: BTreeSet<String>,
}

impl UserRights {
    /// Builds a table from `model operation` pairs and group xml ids.
    pub fn new(rights: &[(&str, &str)], groups: &[&str]) -> Self {
        Self {
            rights: rights
                .iter()
                .map(|(model, operation)| ((*model).to_owned(), (*operation).to_owned()))
                .collect(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    /// Returns whether the user may perform `operation` on `model`. Every
    /// internal user reads `ir.model` and its own `res.users` record.
    pub fn allows(&self, model: &str, operation: &str) -> bool {
        if operation == "read" && matches!(model, "ir.model" | "res.users") {
            return true;
        }
        self.rights
            .contains(&(model.to_owned(), operation.to_owned()))
    }

    /// Returns whether the user has the group `xmlid`.
    pub fn has_group(&self, xmlid: &str) -> bool {
        self.groups.contains(xmlid)
    }
}

/// A ready-made rights table for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessProfile {
    /// Exactly the rights Wharf's flows need, with Inventory / User (and on
    /// Odoo 17 Inventory / Administrator, which applying counts requires).
    Integration,
    /// The integration rights plus user administration, accounting entries,
    /// document deletion and the administrator groups.
    TooBroad,
    /// An internal user without stock or sales rights: it reads quants only,
    /// as the `noaccess` user of the Odoo 19 recordings does.
    NoAccess,
}

impl AccessProfile {
    /// Returns the profile's table on an Odoo major version.
    pub fn rights(self, version: u8) -> UserRights {
        let mut groups = vec!["base.group_user"];
        let mut rights: Vec<(&str, &str)> = Vec::new();
        match self {
            AccessProfile::Integration => {
                rights.extend_from_slice(INTEGRATION);
                groups.push("stock.group_stock_user");
                if version <= 17 {
                    groups.push("stock.group_stock_manager");
                }
            }
            AccessProfile::TooBroad => {
                rights.extend_from_slice(INTEGRATION);
                rights.extend_from_slice(TOO_BROAD);
                groups.extend_from_slice(&[
                    "stock.group_stock_user",
                    "stock.group_stock_manager",
                    "base.group_system",
                    "base.group_erp_manager",
                    "account.group_account_manager",
                ]);
            }
            AccessProfile::NoAccess => rights.push(("stock.quant", "read")),
        }
        UserRights::new(&rights, &groups)
    }
}

/// The rights of Wharf's flows, kept in step with the tables of the Odoo
/// client's `access` module; its tests compare the two.
const INTEGRATION: &[(&str, &str)] = &[
    ("delivery.carrier", "read"),
    ("expiry.picking.confirmation", "create"),
    ("ir.model", "read"),
    ("mail.activity", "create"),
    ("mail.activity", "read"),
    ("product.product", "read"),
    ("res.country.state", "read"),
    ("res.partner", "read"),
    ("res.partner.category", "read"),
    ("res.users", "read"),
    ("sale.order", "read"),
    ("stock.backorder.confirmation", "create"),
    ("stock.location", "read"),
    ("stock.lot", "create"),
    ("stock.lot", "read"),
    ("stock.move", "read"),
    ("stock.move.line", "create"),
    ("stock.move.line", "read"),
    ("stock.move.line", "write"),
    ("stock.picking", "read"),
    ("stock.picking", "write"),
    ("stock.picking.type", "read"),
    ("stock.quant", "create"),
    ("stock.quant", "read"),
    ("stock.quant", "write"),
    ("stock.return.picking", "create"),
    ("stock.return.picking", "write"),
    ("stock.return.picking.line", "read"),
    ("stock.return.picking.line", "write"),
    ("stock.scrap", "create"),
    ("stock.scrap", "read"),
    ("stock.scrap", "write"),
    ("stock.warehouse", "read"),
    ("uom.uom", "read"),
];

const TOO_BROAD: &[(&str, &str)] = &[
    ("res.users", "create"),
    ("res.users", "write"),
    ("ir.model.access", "create"),
    ("ir.model.access", "write"),
    ("account.move", "create"),
    ("account.move", "write"),
    ("res.partner", "unlink"),
    ("sale.order", "unlink"),
    ("purchase.order", "unlink"),
];

impl OdooSim {
    /// Replaces the access rights of the user `login` by `rights`. A user
    /// without a table keeps the rights of its group names. Loading a
    /// starting state clears every table.
    pub fn set_user_rights(&self, login: &str, rights: UserRights) -> Result<i64, SimError> {
        let uid = self.user_id(login).ok_or_else(|| {
            SimError::InvalidSeed(format!(
                "no user with login {login:?}; add it with add_credential first"
            ))
        })?;
        self.db().user_rights.insert(uid, rights);
        Ok(uid)
    }

    /// Adds the login `login` with an API key (which also works as its
    /// JSON-RPC password) and the rights of `profile`. Returns the user id.
    pub fn add_profile_user(&self, login: &str, api_key: &str, profile: AccessProfile) -> i64 {
        let uid = self.add_credential(login, api_key, true);
        let rights = profile.rights(self.version());
        self.db().user_rights.insert(uid, rights);
        uid
    }
}

/// Checks a call of a user listed in the table, with the message format of
/// Odoo's model access errors.
pub(crate) fn check(rights: &UserRights, call: &Call, operation: &str) -> Result<(), OdooError> {
    if rights.allows(&call.model, operation) {
        return Ok(());
    }
    let verb = match operation {
        "create" => "create",
        "write" => "modify",
        "unlink" => "delete",
        _ => "access",
    };
    Err(OdooError::access(format!(
        "You are not allowed to {verb} '{model}' ({model}) records.\n\nNo group currently allows this operation.\n\nContact your administrator to request access if necessary.",
        model = call.model
    )))
}

/// Applies the administration models' rights to users without a table,
/// by the group names of the recorded data sets. Returns `None` for other
/// models, which `access::check_access` decides.
///
/// NOTE: Odoo grants these rights through `ir.model.access` rows of many
/// groups. The simulator grants them to the administrator groups only, so
/// a recorded user has none of them unless it is an administrator.
pub(crate) fn check_admin_models(
    groups: &[String],
    call: &Call,
    operation: &str,
) -> Option<Result<(), OdooError>> {
    let granted_by: &[&str] = match (call.model.as_str(), operation) {
        ("res.users" | "ir.model.access" | "account.move", "read") => return Some(Ok(())),
        ("res.users", _) => &[
            "Administration / Access Rights",
            "Administration / Settings",
            "Role / Administrator",
        ],
        ("ir.model.access", _) => &["Administration / Settings", "Role / Administrator"],
        ("account.move", _) => &["Invoicing / ", "Accounting / ", "Role / Administrator"],
        ("purchase.order", "unlink") => &["Purchase / Administrator", "Role / Administrator"],
        ("res.partner", "unlink") => &["Extra Rights / Contact Creation", "Role / Administrator"],
        _ => return None,
    };
    let allowed = groups
        .iter()
        .any(|g| granted_by.iter().any(|prefix| g.starts_with(prefix)));
    if allowed {
        return Some(Ok(()));
    }
    let rights = UserRights::default();
    Some(check(&rights, call, operation))
}
