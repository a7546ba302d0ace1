//! `wharf check`: validates the configuration, then reaches the store, Odoo
//! and every site's folders, and reports each check on its own line.
//! `wharf check --privileges` checks each Odoo account's access rights
//! against the flows it runs, and the rights it has beyond them.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;
use wharf_odoo::access::{check_flows, Access, Flow, GroupStatus, PrivilegeReport, RightStatus};
use wharf_odoo::OdooConfig;

use crate::config::{Config, SiteConfig};
use crate::hub;

pub async fn check(config_path: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    println!("ok   configuration {}", config_path.display());
    let mut failures = 0;

    match hub::open_store(&config).await {
        Ok(_) => println!("ok   store {}", config.store.path.display()),
        Err(error) => {
            failures += 1;
            println!("FAIL store: {error:#}");
        }
    }

    match wharf_odoo::Client::connect(&config.odoo).await {
        Ok(client) => {
            println!(
                "ok   odoo {} database {}: version {}, protocol {:?}",
                config.odoo.url,
                config.odoo.database,
                client.version(),
                client.protocol()
            );
            match client.has_group("stock.group_stock_user").await {
                Ok(true) => println!("ok   odoo user {} has Inventory / User", config.odoo.login),
                Ok(false) => {
                    failures += 1;
                    println!("FAIL odoo user {} lacks Inventory / User (stock.group_stock_user); grant it in Odoo", config.odoo.login);
                }
                Err(error) => {
                    failures += 1;
                    println!("FAIL odoo rights check: {error}");
                }
            }
        }
        Err(error) => {
            failures += 1;
            println!("FAIL odoo {}: {error}", config.odoo.url);
        }
    }

    for site in &config.sites {
        if let Some(account) = &site.odoo {
            match site_login(&config.odoo_for_site(site)).await {
                Ok(()) => println!("ok   site {} odoo user {}", site.rules.code, account.login),
                Err(error) => {
                    failures += 1;
                    println!(
                        "FAIL site {} odoo user {}: {error}",
                        site.rules.code, account.login
                    );
                }
            }
        }
        let source = wharf_transports::FolderSource::new(site.folder.clone());
        let sink = wharf_transports::FolderSink::new(site.folder.clone());
        let checked = match source.check().await {
            Ok(()) => sink.check().await,
            Err(error) => Err(error),
        };
        match checked {
            Ok(()) => println!("ok   site {} folders", site.rules.code),
            Err(error) => {
                failures += 1;
                println!("FAIL site {} folders: {error}", site.rules.code);
            }
        }
        if let Some(folder) = &site.inventory_folder {
            let source = wharf_transports::FolderSource::new(folder.clone());
            match source.check().await {
                Ok(()) => println!("ok   site {} inventory folders", site.rules.code),
                Err(error) => {
                    failures += 1;
                    println!("FAIL site {} inventory folders: {error}", site.rules.code);
                }
            }
        }
        if let Err(error) = hub::site(site) {
            failures += 1;
            println!("FAIL site {} layouts: {error:#}", site.rules.code);
        }
    }

    if failures == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{failures} check(s) failed");
        Ok(ExitCode::FAILURE)
    }
}

/// Connects with a site's own account and requests its user id, because
/// JSON-2 has no login call and only a call made with the key tests it.
async fn site_login(odoo: &OdooConfig) -> Result<(), wharf_odoo::Error> {
    let client = wharf_odoo::Client::connect(odoo).await?;
    client.uid().await?;
    Ok(())
}

/// One Odoo account of the configuration and the flows it runs.
#[derive(Debug, Serialize)]
struct Account {
    /// The table the account comes from: `odoo`, or `sites.CODE.odoo`.
    account: String,
    login: String,
    sites: Vec<String>,
    flows: Vec<Flow>,
    #[serde(skip)]
    config: OdooConfig,
}

/// The check of one account, as `--json` prints it.
#[derive(Debug, Serialize)]
struct AccountCheck {
    #[serde(flatten)]
    account: Account,
    /// Whether the account has every needed right and group.
    complete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<PrivilegeReport>,
    /// The error that stopped the check of the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Returns the flows a site runs: release and shipment always, inventory
/// and the lifecycle flows (with notes and activities) when configured.
fn site_flows(site: &SiteConfig) -> Vec<Flow> {
    let mut flows = vec![Flow::Release, Flow::Shipment];
    if site.inventory.is_some() {
        flows.push(Flow::Inventory);
    }
    if site.lifecycle.is_some() {
        flows.extend([Flow::Lifecycle, Flow::NotesActivities]);
    }
    flows
}

/// Lists the accounts to check. The `[odoo]` account reads the ready
/// pickings of every site and runs all flows of the sites without an
/// account of their own. A site's own account runs its site's flows, and
/// its held re-check reads what the release flow reads.
fn accounts(config: &Config) -> Vec<Account> {
    let mut all_flows: BTreeSet<Flow> = config
        .sites
        .iter()
        .filter(|site| site.odoo.is_none())
        .flat_map(site_flows)
        .collect();
    all_flows.insert(Flow::Release);
    let mut accounts = vec![Account {
        account: "odoo".to_owned(),
        login: config.odoo.login.clone(),
        sites: config.sites.iter().map(|s| s.rules.code.clone()).collect(),
        flows: all_flows.into_iter().collect(),
        config: config.odoo.clone(),
    }];
    for site in config.sites.iter().filter(|s| s.odoo.is_some()) {
        let odoo = config.odoo_for_site(site);
        accounts.push(Account {
            account: format!("sites.{}.odoo", site.rules.code),
            login: odoo.login.clone(),
            sites: vec![site.rules.code.clone()],
            flows: site_flows(site),
            config: odoo,
        });
    }
    accounts
}

/// Runs `wharf check --privileges`: exits 1 when an account cannot be
/// checked or lacks a needed right or group. Rights held beyond the need
/// are reported but do not fail the check.
pub async fn privileges(config_path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let mut checks = Vec::new();
    for account in accounts(&config) {
        checks.push(check_account(account).await);
    }

    if json {
        let document = serde_json::json!({ "accounts": checks });
        println!("{}", serde_json::to_string_pretty(&document)?);
    } else {
        for check in &checks {
            print_check(check);
        }
        if config.sites.iter().any(|s| s.odoo.is_some()) {
            println!("note: the hub reads the ready pickings of every site with the [odoo] account; a site with [sites.odoo] runs the rest of its Odoo work (shipments, tracking, inventory, lifecycle, held re-check) with its own account");
        }
    }
    if checks.iter().all(|c| c.complete) {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// Checks every account's rights, for the dashboard.
pub async fn account_rights(config: &Config) -> Vec<wharf_server::AccountRights> {
    let mut rights = Vec::new();
    for account in accounts(config) {
        let check = check_account(account).await;
        rights.push(wharf_server::AccountRights {
            account: check.account.account.clone(),
            login: check.account.login.clone(),
            missing: check
                .report
                .as_ref()
                .map(PrivilegeReport::missing)
                .unwrap_or_default(),
            beyond: check
                .report
                .as_ref()
                .map(PrivilegeReport::excess)
                .unwrap_or_default(),
            error: check.error.clone(),
            checked_at: jiff::Timestamp::now(),
        });
    }
    rights
}

async fn check_account(account: Account) -> AccountCheck {
    let result = match wharf_odoo::Client::connect(&account.config).await {
        Ok(client) => check_flows(&client, &account.flows).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(report) => AccountCheck {
            complete: report.missing().is_empty(),
            report: Some(report),
            error: None,
            account,
        },
        Err(error) => AccountCheck {
            complete: false,
            report: None,
            error: Some(error.to_string()),
            account,
        },
    }
}

fn print_check(check: &AccountCheck) {
    let account = &check.account;
    let Some(report) = &check.report else {
        let error = check.error.as_deref().unwrap_or("no report");
        println!(
            "FAIL account {} (login {}): {error}",
            account.account, account.login
        );
        return;
    };
    println!(
        "account {} (login {}, sites {}), Odoo {}:",
        account.account,
        account.login,
        account.sites.join(", "),
        report.version
    );
    for status in &report.needed {
        print_needed(&status.right.to_string(), &status.access);
    }
    for status in &report.needed_groups {
        print_needed(&format!("group {}", status.group), &status.access);
    }
    for RightStatus { right, access } in &report.beyond {
        print_beyond(&right.to_string(), access);
    }
    for GroupStatus { group, access } in &report.beyond_groups {
        print_beyond(&format!("group {group}"), access);
    }
    let missing = report.missing().len();
    let excess = report.excess().len();
    println!(
        "  {missing} needed right(s) or group(s) missing, {excess} held beyond the need, {} Odoo calls",
        report.calls
    );
}

fn print_needed(name: &str, access: &Access) {
    match access {
        Access::Granted => println!("  ok      {name}"),
        Access::Denied => println!("  MISSING {name}"),
        Access::Unknown(error) => println!("  MISSING {name}: not checked: {error}"),
    }
}

/// Prints a right or group a warehouse integration should not hold, when
/// the account has it or the probe failed.
fn print_beyond(name: &str, access: &Access) {
    match access {
        Access::Granted => println!("  beyond  {name}"),
        Access::Denied => {}
        Access::Unknown(error) => println!("  unknown {name}: not checked: {error}"),
    }
}
