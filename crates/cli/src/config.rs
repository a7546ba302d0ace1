//! The hub's configuration file: one TOML file for the store, Odoo, the
//! engine's timing and every site.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;
use wharf_engine::inventory::InventoryRules;
use wharf_engine::lifecycle::LifecycleRules;
use wharf_engine::{EngineSettings, Owners, SiteRules};
use wharf_formats::Layout;
use wharf_odoo::OdooConfig;
use wharf_transports::FolderConfig;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub store: StoreConfig,
    pub odoo: OdooConfig,
    #[serde(default)]
    pub engine: EngineSettings,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub retention: RetentionConfig,
    /// Owner team per exception kind, for example
    /// `held_order = "customer_service"`. A kind without an entry keeps its
    /// built-in team; an unknown kind or an empty team is rejected.
    #[serde(default)]
    pub owners: Owners,
    /// Acceptance targets per rollout phase, for `wharf report`.
    #[serde(default)]
    pub acceptance: crate::acceptance::AcceptanceConfig,
    /// The HTTP server: dashboard, admin API, metrics and health. Absent,
    /// the hub serves no HTTP.
    #[serde(default)]
    pub server: Option<ServerConfig>,
    /// One entry per warehouse site.
    pub sites: Vec<SiteConfig>,
}

/// The `[server]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on, for example `127.0.0.1:8080`.
    pub listen: std::net::SocketAddr,
    /// Hours a dashboard sign-in lasts.
    #[serde(default = "default_session_hours")]
    pub session_hours: NonZeroU32,
    /// Marks cookies `Secure`; set it when a TLS proxy fronts the hub.
    #[serde(default)]
    pub secure_cookies: bool,
}

fn default_session_hours() -> NonZeroU32 {
    NonZeroU32::new(8).unwrap_or(NonZeroU32::MIN)
}

impl ServerConfig {
    /// Maximum sign-in length the configuration accepts: 30 days.
    pub const MAX_SESSION_HOURS: u32 = 720;

    /// Returns the server crate's settings, without the site codes (see
    /// [`Config::server_settings`]).
    pub fn settings(&self) -> wharf_server::ServerSettings {
        wharf_server::ServerSettings {
            session_length: std::time::Duration::from_secs(
                u64::from(self.session_hours.get()) * 3600,
            ),
            secure_cookies: self.secure_cookies,
            sites: Vec::new(),
        }
    }
}

/// Location of the hub's state.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite database file; created with its folder when missing. A
    /// relative path is relative to the configuration file.
    pub path: PathBuf,
}

/// Log output.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` (default) or `json`.
    #[serde(default)]
    pub format: LogFormat,
    /// Filter in `RUST_LOG` syntax, for example `info` or `wharf_engine=debug`;
    /// the `RUST_LOG` environment variable wins when set.
    #[serde(default)]
    pub filter: Option<String>,
}

/// How long `wharf audit purge` keeps each kind of record. An absent key
/// keeps that kind forever. Zero is rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Audit rows, in days. Each stream loses only its oldest rows.
    pub audit_days: Option<NonZeroU32>,
    /// Handled inbox and delivered outbox messages, in days.
    pub messages_days: Option<NonZeroU32>,
    /// Resolved exceptions, in days after their resolution.
    pub exceptions_days: Option<NonZeroU32>,
    /// Reconciliation runs, in days. Each site's latest run is kept.
    pub reconciliations_days: Option<NonZeroU32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// One warehouse site: business rules, folders and file layouts.
#[derive(Debug, Clone, Deserialize)]
pub struct SiteConfig {
    /// The site's rules: `code`, `warehouses`, `time_zone`, `release_mode`,
    /// `short_shipment`, `credit_hold_tags`, `create_unknown_lots`,
    /// `ship_expired_lots`, `order_level_means_full`, `release_horizon_hours`,
    /// `release_every_minutes`.
    ///
    /// NOTE: a flattened struct ignores unknown keys despite its
    /// `deny_unknown_fields`, so [`Config::load`] checks these keys itself.
    #[serde(flatten)]
    pub rules: SiteRules,
    /// Folders shared with the warehouse.
    pub folder: FolderConfig,
    /// Layout of the order files Wharf writes; the built-in default when absent.
    #[serde(default)]
    pub order_layout: Option<Layout>,
    /// Layout of the confirmation files the warehouse writes; the built-in
    /// default when absent.
    #[serde(default)]
    pub confirmation_layout: Option<Layout>,
    /// Inventory rules; the site has no inventory flows when absent.
    #[serde(default)]
    pub inventory: Option<InventoryRules>,
    /// Folder the warehouse writes movement and snapshot files to; required
    /// with `inventory`. Only its read, archive and error folders are used.
    #[serde(default)]
    pub inventory_folder: Option<FolderConfig>,
    /// Layout of the movement files; the built-in default when absent.
    #[serde(default)]
    pub movement_layout: Option<Layout>,
    /// Layout of the snapshot files; the built-in default when absent.
    #[serde(default)]
    pub snapshot_layout: Option<Layout>,
    /// Lifecycle rules: progress codes, changes after release, receipts and
    /// returns. The site has no lifecycle flows when absent.
    #[serde(default)]
    pub lifecycle: Option<LifecycleRules>,
    /// Layout of the progress files; the built-in default when absent.
    #[serde(default)]
    pub progress_layout: Option<Layout>,
    /// Layout of the change files Wharf writes; the built-in default when absent.
    #[serde(default)]
    pub change_layout: Option<Layout>,
    /// Layout of the warehouse's change answers; the built-in default when absent.
    #[serde(default)]
    pub change_answer_layout: Option<Layout>,
    /// Layout of the expected receipt files Wharf writes; the built-in
    /// default when absent.
    #[serde(default)]
    pub expected_receipt_layout: Option<Layout>,
    /// Layout of the warehouse's receipt advice; the built-in default when absent.
    #[serde(default)]
    pub receipt_advice_layout: Option<Layout>,
    /// The site's own Odoo account (`[sites.odoo]`). Absent, the site uses
    /// the `[odoo]` account.
    #[serde(default)]
    pub odoo: Option<SiteOdooAccount>,
}

/// A site's own Odoo user: replaces the login and api key of `[odoo]`,
/// and keeps its server, database and timeouts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteOdooAccount {
    /// Login of the site's Odoo user.
    pub login: String,
    /// Path of a file whose first line is the user's api key.
    #[serde(default)]
    pub api_key_file: Option<PathBuf>,
    /// Name of an environment variable that contains the user's api key.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

impl Config {
    /// Returns the server's settings: the `[server]` table's, or the
    /// defaults, with the configured site codes.
    pub fn server_settings(&self) -> wharf_server::ServerSettings {
        let mut settings = self
            .server
            .as_ref()
            .map(ServerConfig::settings)
            .unwrap_or_default();
        settings.sites = self
            .sites
            .iter()
            .map(|site| site.rules.code.clone())
            .collect();
        settings
    }

    /// Returns the Odoo configuration of `site`: `[odoo]` with the site's
    /// own login and api key source when it has `[sites.odoo]`.
    pub fn odoo_for_site(&self, site: &SiteConfig) -> OdooConfig {
        let mut odoo = self.odoo.clone();
        if let Some(account) = &site.odoo {
            odoo.login = account.login.clone();
            odoo.api_key_file = account.api_key_file.clone();
            odoo.api_key_env = account.api_key_env.clone();
        }
        odoo
    }
}

impl Config {
    /// Reads and checks a configuration file. Errors name the file, and the
    /// key and line of an unknown key or a value of the wrong type.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read configuration file {}", path.display()))?;
        let invalid = || format!("invalid configuration file {}", path.display());
        check_site_rules(&text).with_context(invalid)?;
        let mut config: Config = toml::from_str(&text).with_context(invalid)?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        config.resolve_paths(base);
        config.validate()?;
        Ok(config)
    }

    /// Makes relative paths relative to the configuration file's folder.
    pub fn resolve_paths(&mut self, base: &Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        };
        resolve(&mut self.store.path);
        if let Some(key_file) = &mut self.odoo.api_key_file {
            resolve(key_file);
        }
        for site in &mut self.sites {
            resolve(&mut site.folder.read_dir);
            resolve(&mut site.folder.write_dir);
            resolve(&mut site.folder.archive_dir);
            resolve(&mut site.folder.error_dir);
            if let Some(key_file) = site.odoo.as_mut().and_then(|a| a.api_key_file.as_mut()) {
                resolve(key_file);
            }
            if let Some(folder) = &mut site.inventory_folder {
                resolve(&mut folder.read_dir);
                resolve(&mut folder.write_dir);
                resolve(&mut folder.archive_dir);
                resolve(&mut folder.error_dir);
            }
        }
    }

    /// Checks what serde cannot: unique site codes, known time zones, and
    /// each warehouse served by one site only.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.validate_engine()?;
        self.acceptance.check()?;
        if let Some(server) = &self.server {
            let hours = server.session_hours.get();
            anyhow::ensure!(
                hours <= ServerConfig::MAX_SESSION_HOURS,
                "server.session_hours: {hours} is longer than {} hours (30 days); people sign in again after that",
                ServerConfig::MAX_SESSION_HOURS
            );
        }
        if self.sites.is_empty() {
            anyhow::bail!("sites: at least one [[sites]] entry is required");
        }
        let mut warehouses = std::collections::BTreeMap::new();
        for (index, site) in self.sites.iter().enumerate() {
            let code = &site.rules.code;
            if code.trim().is_empty() {
                anyhow::bail!("sites[{index}].code: must not be empty");
            }
            if self
                .sites
                .iter()
                .filter(|other| &other.rules.code == code)
                .count()
                > 1
            {
                anyhow::bail!(
                    "sites[{index}].code: site code {code:?} is used twice; codes must be unique"
                );
            }
            if site.rules.warehouses.is_empty() {
                anyhow::bail!("sites[{index}].warehouses: list at least one Odoo warehouse code for site {code:?}");
            }
            jiff::tz::TimeZone::get(&site.rules.time_zone).with_context(|| {
                format!("sites[{index}].time_zone: {:?} is not a known IANA time zone (for example Europe/Berlin)", site.rules.time_zone)
            })?;
            if let Some(lifecycle) = &site.lifecycle {
                lifecycle.check().map_err(|problem| {
                    anyhow::anyhow!("sites[{index}] (site {code:?}), [sites.lifecycle]: {problem}")
                })?;
            }
            if let Some(account) = &site.odoo {
                if account.login.trim().is_empty() {
                    anyhow::bail!(
                        "sites[{index}] (site {code:?}), [sites.odoo].login: must not be empty"
                    );
                }
                if account.api_key_file.is_some() == account.api_key_env.is_some() {
                    anyhow::bail!("sites[{index}] (site {code:?}), [sites.odoo]: set exactly one of api_key_file and api_key_env");
                }
            }
            if site.inventory.is_some() != site.inventory_folder.is_some() {
                anyhow::bail!("sites[{index}]: site {code:?} needs both [sites.inventory] and [sites.inventory_folder], or neither");
            }
            for warehouse in &site.rules.warehouses {
                if let Some(other) = warehouses.insert(warehouse.clone(), code.clone()) {
                    anyhow::bail!("sites[{index}].warehouses: warehouse {warehouse:?} is already routed to site {other:?}");
                }
            }
        }
        Ok(())
    }
}

/// Keys of a `[[sites]]` table that belong to [`SiteConfig`] itself; every
/// other key of the table is a [`SiteRules`] key. Keep in step with
/// `SiteConfig`'s fields.
const SITE_TABLE_KEYS: [&str; 14] = [
    "folder",
    "order_layout",
    "confirmation_layout",
    "inventory",
    "inventory_folder",
    "movement_layout",
    "snapshot_layout",
    "lifecycle",
    "progress_layout",
    "change_layout",
    "change_answer_layout",
    "expected_receipt_layout",
    "receipt_advice_layout",
    "odoo",
];

/// The `[[sites]]` tables with the byte range of every key.
#[derive(Deserialize)]
struct SpannedSites {
    #[serde(default)]
    sites: Vec<BTreeMap<toml::Spanned<String>, toml::Value>>,
}

/// Checks each site's rule keys one at a time, so that an unknown key or a
/// wrong value is reported with its own line.
///
/// `#[serde(flatten)]` on [`SiteConfig::rules`] hides both mistakes from
/// the TOML parser: serde buffers the flattened keys without their
/// positions, so a wrong value is reported at the `[[sites]]` header, and
/// the flattened struct ignores an unknown key. A file without this shape
/// passes here and gets the full parser's error.
fn check_site_rules(text: &str) -> anyhow::Result<()> {
    let Ok(parsed) = toml::from_str::<SpannedSites>(text) else {
        return Ok(());
    };
    for (index, site) in parsed.sites.iter().enumerate() {
        for (key, value) in site {
            let name = key.get_ref();
            if SITE_TABLE_KEYS.contains(&name.as_str()) {
                continue;
            }

            // Valid required keys, so that an error can only come from `name`.
            let mut rules = toml::Table::new();
            rules.insert("code".to_owned(), toml::Value::String("site".to_owned()));
            rules.insert(
                "warehouses".to_owned(),
                toml::Value::Array(vec![toml::Value::String("WH".to_owned())]),
            );
            rules.insert(name.clone(), value.clone());

            if let Err(error) = toml::Value::Table(rules).try_into::<SiteRules>() {
                let line = line_number(text, key.span().start);
                anyhow::bail!(
                    "line {line}: sites[{index}].{name}: {}",
                    error.message().trim()
                );
            }
        }
    }
    Ok(())
}

/// Returns the 1-based line of the byte at `offset` in `text`.
fn line_number(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
        + 1
}

impl Config {
    /// Rejects engine settings that would spin or never deliver: zero
    /// intervals make an idle hub poll without pause, zero attempts or a
    /// zero batch never deliver, and a lease below one second expires
    /// while a step still runs.
    fn validate_engine(&self) -> anyhow::Result<()> {
        let engine = &self.engine;
        let minimums = [
            (
                "engine.odoo_poll_interval_ms",
                engine.odoo_poll_interval_ms,
                50,
            ),
            (
                "engine.folder_scan_interval_ms",
                engine.folder_scan_interval_ms,
                50,
            ),
            (
                "engine.odoo_batch_size",
                u64::from(engine.odoo_batch_size),
                1,
            ),
            ("engine.max_attempts", u64::from(engine.max_attempts), 1),
            ("engine.backoff_initial_ms", engine.backoff_initial_ms, 1),
            ("engine.lease_secs", engine.lease_secs, 1),
            (
                "engine.held_recheck_interval_ms",
                engine.held_recheck_interval_ms,
                50,
            ),
        ];
        for (key, value, minimum) in minimums {
            if value < minimum {
                anyhow::bail!("{key}: {value} is too small; use {minimum} or more");
            }
        }
        if engine.backoff_max_ms < engine.backoff_initial_ms {
            anyhow::bail!(
                "engine.backoff_max_ms: {} is below engine.backoff_initial_ms ({}); raise it",
                engine.backoff_max_ms,
                engine.backoff_initial_ms
            );
        }
        Ok(())
    }
}
