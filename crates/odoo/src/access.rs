//! Least-privilege check of the Odoo account Wharf connects with: whether
//! it has the model access rights its flows need, and which rights and
//! groups it has beyond them.
//!
//! The check queries Odoo itself, through the methods each version offers:
//! - Odoo 17: `check_access_rights(operation, raise_exception=False)`, an
//!   `@api.model` method that returns a boolean;
//! - Odoo 18 and 19: `has_access(operation)` on an empty recordset, which
//!   checks the model access right without any record rule. The recordings
//!   of Odoo 19 show no access probe, so over JSON-2 the check sends the
//!   Odoo 18 method as `{"ids": [], "operation": ...}`;
//! - groups: `res.users.has_group` (see [`Client::has_group`]).
//!
//! Odoo has no call that checks several rights at once, so the check costs
//! one call per distinct right and one per group, plus one `context_get` over
//! JSON-2 for the user id. Neither probe raises when the right is missing;
//! a probe that fails (a model that is not installed, for example) is
//! reported with Odoo's error instead of a yes or no.

mod rights;

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{json, Map, Value};

pub use rights::{
    needed_groups, needed_rights, Flow, Operation, Right, BEYOND_GROUPS, BEYOND_RIGHTS, INVENTORY,
    LIFECYCLE, NOTES_ACTIVITIES, RELEASE, SHIPMENT, STOCK_MANAGER,
};

use crate::client::Client;
use crate::error::{Error, ErrorKind};

/// Odoo's result for one probed right or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "error")]
pub enum Access {
    /// The user has the right or group.
    Granted,
    /// The user lacks the right or group.
    Denied,
    /// The probe failed with this error, so the result is not known.
    Unknown(String),
}

/// One checked right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RightStatus {
    /// The right.
    #[serde(flatten)]
    pub right: Right,
    /// Odoo's result.
    pub access: Access,
}

/// One checked group, by xml id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupStatus {
    /// The group's xml id, such as `stock.group_stock_manager`.
    pub group: String,
    /// Odoo's result.
    pub access: Access,
}

/// The result of [`check_privileges`] for one Odoo account.
#[derive(Debug, Clone, Serialize)]
pub struct PrivilegeReport {
    /// The server's version string.
    pub version: String,
    /// Each needed right and whether the account has it.
    pub needed: Vec<RightStatus>,
    /// Each needed group and whether the account has it.
    pub needed_groups: Vec<GroupStatus>,
    /// Each right a warehouse integration should not hold, as checked.
    pub beyond: Vec<RightStatus>,
    /// Each group a warehouse integration should not hold, as checked.
    pub beyond_groups: Vec<GroupStatus>,
    /// Number of Odoo calls the check made.
    pub calls: u64,
}

impl PrivilegeReport {
    /// Returns the needed rights and groups the account lacks or that could
    /// not be checked, as text such as `stock.quant write`.
    pub fn missing(&self) -> Vec<String> {
        let rights = self
            .needed
            .iter()
            .filter(|s| s.access != Access::Granted)
            .map(|s| s.right.to_string());
        let groups = self
            .needed_groups
            .iter()
            .filter(|s| s.access != Access::Granted)
            .map(|s| s.group.clone());
        rights.chain(groups).collect()
    }

    /// Returns the rights and groups held beyond the need, as text.
    pub fn excess(&self) -> Vec<String> {
        let rights = self
            .beyond
            .iter()
            .filter(|s| s.access == Access::Granted)
            .map(|s| s.right.to_string());
        let groups = self
            .beyond_groups
            .iter()
            .filter(|s| s.access == Access::Granted)
            .map(|s| s.group.clone());
        rights.chain(groups).collect()
    }
}

/// Checks the client's account: each `needed` right, each `extra` right it
/// should not hold, and each group in `groups` it should not hold. A right
/// listed in both `needed` and `extra` is checked once, as needed.
///
/// Costs one call per distinct right and group (see the module doc). Only
/// a transient or connection failure ends the check with an error; other
/// failed probes are reported as [`Access::Unknown`].
pub async fn check_privileges(
    client: &Client,
    needed: &[Right],
    extra: &[Right],
    groups: &[&str],
) -> Result<PrivilegeReport, Error> {
    check(client, needed, &[], extra, groups).await
}

/// Checks the client's account against what `flows` need on the server's
/// version, and against [`BEYOND_RIGHTS`] and [`BEYOND_GROUPS`]. On Odoo 17
/// with the inventory flow, the stock manager group is needed, not beyond.
pub async fn check_flows(client: &Client, flows: &[Flow]) -> Result<PrivilegeReport, Error> {
    let needed = needed_rights(flows);
    let needed_groups = needed_groups(flows, client.version().major);
    let beyond_groups: Vec<&str> = BEYOND_GROUPS
        .iter()
        .copied()
        .filter(|g| !needed_groups.contains(g))
        .collect();
    check(
        client,
        &needed,
        &needed_groups,
        BEYOND_RIGHTS,
        &beyond_groups,
    )
    .await
}

async fn check(
    client: &Client,
    needed: &[Right],
    needed_groups: &[&str],
    extra: &[Right],
    beyond_groups: &[&str],
) -> Result<PrivilegeReport, Error> {
    let calls_before = total_calls(client);
    // A rejected api key fails here, once, instead of in every probe. Over
    // JSON-RPC the login already gave the uid, so this costs no call.
    client.uid().await?;
    let mut seen = BTreeSet::new();

    let mut needed_status = Vec::new();
    for right in needed {
        if seen.insert(*right) {
            needed_status.push(probe_right(client, *right).await?);
        }
    }
    let mut beyond = Vec::new();
    for right in extra {
        if seen.insert(*right) {
            beyond.push(probe_right(client, *right).await?);
        }
    }
    let mut needed_group_status = Vec::new();
    for group in needed_groups {
        needed_group_status.push(probe_group(client, group).await?);
    }
    let mut beyond_group_status = Vec::new();
    for group in beyond_groups {
        beyond_group_status.push(probe_group(client, group).await?);
    }

    Ok(PrivilegeReport {
        version: client.version().text.clone(),
        needed: needed_status,
        needed_groups: needed_group_status,
        beyond,
        beyond_groups: beyond_group_status,
        calls: total_calls(client) - calls_before,
    })
}

fn total_calls(client: &Client) -> u64 {
    client.call_counts().values().sum()
}

/// Asks Odoo whether the client's user has `right`.
async fn probe_right(client: &Client, right: Right) -> Result<RightStatus, Error> {
    let operation = json!(right.operation.as_str());
    let (method, args, kwargs) = if client.version().major <= 17 {
        let mut kwargs = Map::new();
        kwargs.insert("raise_exception".to_owned(), Value::Bool(false));
        ("check_access_rights", vec![operation], kwargs)
    } else {
        ("has_access", vec![json!([]), operation], Map::new())
    };
    let answer = client.call(right.model, method, args, kwargs).await;
    let access = access(&format!("{}.{method}", right.model), answer)?;
    Ok(RightStatus { right, access })
}

/// Asks Odoo whether the client's user has the group `group`.
async fn probe_group(client: &Client, group: &str) -> Result<GroupStatus, Error> {
    let access = match client.has_group(group).await {
        Ok(true) => Access::Granted,
        Ok(false) => Access::Denied,
        Err(error) => unknown(error)?,
    };
    Ok(GroupStatus {
        group: group.to_owned(),
        access,
    })
}

fn access(call: &str, answer: Result<Value, Error>) -> Result<Access, Error> {
    match answer {
        Ok(Value::Bool(true)) => Ok(Access::Granted),
        Ok(Value::Bool(false)) => Ok(Access::Denied),
        Ok(other) => unknown(Error::unexpected(
            call,
            format!("expected a boolean, got {other}"),
        )),
        Err(error) => unknown(error),
    }
}

/// Turns a failed probe into [`Access::Unknown`], except transient and
/// connection failures, which end the check because a retry may succeed.
fn unknown(error: Error) -> Result<Access, Error> {
    if error.kind() == ErrorKind::Transient {
        return Err(error);
    }
    Ok(Access::Unknown(describe(&error)))
}

/// Describes a failed probe without the error's next-step hint, which is
/// written for failed business calls: a probe of a model that is not
/// installed reads `Object purchase.order doesn't exist` (Odoo 17 and 18).
fn describe(error: &Error) -> String {
    match error {
        Error::Server {
            call,
            name,
            message,
            ..
        } => format!("{call} failed with {name}: {message}"),
        other => other.to_string(),
    }
}
