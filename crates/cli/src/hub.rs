//! Builds the engine from the configuration: store, Odoo clients, sites.
//!
//! The `[odoo]` account reads ready pickings for every site. A site with
//! `[sites.odoo]` gets an Odoo client of its own, which the engine uses for
//! everything else done on that site's behalf (see `Engine::erp_for`).

use std::sync::Arc;

use anyhow::Context as _;
use wharf_engine::inventory::SiteInventory;
use wharf_engine::lifecycle::SiteLifecycle;
use wharf_engine::site::SiteAccount;
use wharf_engine::{Engine, Site};
use wharf_formats::Layout;
use wharf_odoo::OdooConfig;
use wharf_store::Store;
use wharf_store_sqlite::SqliteStore;

use crate::adapters::erp::OdooErp;
use crate::adapters::files::Folder;
use crate::config::{Config, SiteConfig};

/// Opens the store, connects to Odoo and wires every site.
pub async fn build(config: &Config) -> anyhow::Result<Engine> {
    Ok(build_with_erp(config).await?.0)
}

/// Like [`build`], and also returns the Odoo adapter for its call counts.
pub async fn build_with_erp(config: &Config) -> anyhow::Result<(Engine, Arc<OdooErp>)> {
    let store = open_store(config).await?;
    let erp = connect_erp(&config.odoo).await?;
    let mut sites = config
        .sites
        .iter()
        .map(site)
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (site, site_config) in sites.iter_mut().zip(&config.sites) {
        if site_config.odoo.is_some() {
            let code = site.code();
            let odoo = config.odoo_for_site(site_config);
            let erp = connect_erp(&odoo).await.with_context(|| {
                format!("sites.{code}.odoo: cannot use the site's own Odoo account")
            })?;
            site.account = Some(SiteAccount {
                login: odoo.login,
                erp,
            });
        }
    }
    // Handlers read the owners from their site, the worker and the sinks
    // from the settings; both come from the one `[owners]` table.
    for site in &mut sites {
        site.rules.owners = config.owners.clone();
    }
    let mut settings = config.engine.clone();
    settings.owners = config.owners.clone();
    for site_config in &config.sites {
        check_folders(site_config).await?;
    }
    let engine = Engine {
        store,
        erp: Arc::clone(&erp) as Arc<dyn wharf_engine::ports::Erp>,
        sites,
        settings,
        owner: format!("hub-{}", std::process::id()),
        contacts: Default::default(),
    };
    Ok((engine, erp))
}

/// Connects the Odoo adapter of one account, with its three clients, and
/// checks the account's login.
async fn connect_erp(odoo: &OdooConfig) -> anyhow::Result<Arc<OdooErp>> {
    let connect = || async {
        wharf_odoo::Client::connect(odoo).await.with_context(|| {
            format!(
                "cannot connect to Odoo at {} (database {})",
                odoo.url, odoo.database
            )
        })
    };
    let reader = connect().await?;
    // JSON-2 has no login call, so ask for the user now: a rejected API key
    // stops the start-up instead of failing every message later.
    reader.uid().await.with_context(|| {
        format!(
            "Odoo at {} rejected login {:?}; check the API key",
            odoo.url, odoo.login
        )
    })?;
    Ok(Arc::new(OdooErp::new(
        [reader, connect().await?, connect().await?],
        odoo.page_size,
        odoo.credit_hold_field.clone(),
    )))
}

/// Opens the SQLite store named in the configuration.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(parent) = config.store.path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("store.path: cannot create folder {}", parent.display()))?;
    }
    let store = SqliteStore::open(&config.store.path)
        .await
        .with_context(|| format!("store.path: cannot open {}", config.store.path.display()))?;
    Ok(Arc::new(store))
}

/// Opens the store for a command that only reads it or acts on what a hub
/// stored: a missing file is a mistyped `store.path`, not a new store.
pub async fn open_existing_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    ensure_store_exists(config)?;
    open_store(config).await
}

/// Fails when the store file is missing, naming the configured path.
pub fn ensure_store_exists(config: &Config) -> anyhow::Result<()> {
    let path = &config.store.path;
    anyhow::ensure!(
        path.is_file(),
        "store.path: {} does not exist; check the path, or run `wharf run` once to create the store",
        path.display()
    );
    Ok(())
}

/// Checks that a site's four folders exist and accept files.
pub async fn check_folders(config: &SiteConfig) -> anyhow::Result<()> {
    let code = &config.rules.code;
    wharf_transports::FolderSource::new(config.folder.clone())
        .check()
        .await
        .with_context(|| format!("sites.{code}.folder: a folder is missing or not writable"))?;
    wharf_transports::FolderSink::new(config.folder.clone())
        .check()
        .await
        .with_context(|| {
            format!("sites.{code}.folder: the write folder is missing or not writable")
        })?;
    if let Some(folder) = &config.inventory_folder {
        wharf_transports::FolderSource::new(folder.clone())
            .check()
            .await
            .with_context(|| {
                format!("sites.{code}.inventory_folder: a folder is missing or not writable")
            })?;
    }
    Ok(())
}

/// Builds one engine site from its configuration. A layout without its own
/// time zone takes the site's, and both layouts are checked here, so a
/// layout mistake stops the start-up instead of the first file.
pub fn site(config: &SiteConfig) -> anyhow::Result<Site> {
    let code = &config.rules.code;
    let mut order_layout = config
        .order_layout
        .clone()
        .unwrap_or_else(wharf_formats::default_order_layout);
    let mut confirmation_layout = config
        .confirmation_layout
        .clone()
        .unwrap_or_else(wharf_formats::default_confirmation_layout);
    for layout in [&mut order_layout, &mut confirmation_layout] {
        layout
            .time_zone
            .get_or_insert_with(|| config.rules.time_zone.clone());
    }

    // Encoding nothing builds the codec's plan, which checks every column,
    // field and format of the layout without needing data.
    wharf_formats::encode_orders(&order_layout, &[])
        .with_context(|| format!("sites.{code}.order_layout: invalid layout"))?;
    wharf_formats::encode_confirmations(&confirmation_layout, &[])
        .with_context(|| format!("sites.{code}.confirmation_layout: invalid layout"))?;

    Ok(Site {
        rules: config.rules.clone(),
        order_layout: Arc::new(order_layout),
        confirmation_layout: Arc::new(confirmation_layout),
        files: Arc::new(Folder::new(config.folder.clone())),
        inventory: site_inventory(config)?,
        lifecycle: site_lifecycle(config)?,
        // The caller connects the site's own Odoo account, if any.
        account: None,
    })
}

/// Builds a site's lifecycle flows, with every layout checked.
fn site_lifecycle(config: &SiteConfig) -> anyhow::Result<Option<SiteLifecycle>> {
    let code = &config.rules.code;
    let Some(rules) = &config.lifecycle else {
        return Ok(None);
    };
    let layout = |given: &Option<Layout>, default: fn() -> Layout| {
        let mut layout = given.clone().unwrap_or_else(default);
        layout
            .time_zone
            .get_or_insert_with(|| config.rules.time_zone.clone());
        layout
    };
    let progress = layout(
        &config.progress_layout,
        wharf_formats::default_progress_layout,
    );
    let change = layout(&config.change_layout, wharf_formats::default_change_layout);
    let answer = layout(
        &config.change_answer_layout,
        wharf_formats::default_change_answer_layout,
    );
    let expected = layout(
        &config.expected_receipt_layout,
        wharf_formats::default_expected_receipt_layout,
    );
    let advice = layout(
        &config.receipt_advice_layout,
        wharf_formats::default_receipt_advice_layout,
    );
    let invalid = |name: &str| format!("sites.{code}.{name}: invalid layout");
    wharf_formats::encode_progress(&progress, &[]).with_context(|| invalid("progress_layout"))?;
    wharf_formats::encode_changes(&change, &[]).with_context(|| invalid("change_layout"))?;
    wharf_formats::encode_change_answers(&answer, &[])
        .with_context(|| invalid("change_answer_layout"))?;
    wharf_formats::encode_expected_receipts(&expected, &[])
        .with_context(|| invalid("expected_receipt_layout"))?;
    wharf_formats::encode_receipt_advice(&advice, &[])
        .with_context(|| invalid("receipt_advice_layout"))?;
    Ok(Some(SiteLifecycle {
        rules: rules.clone(),
        progress_layout: Arc::new(progress),
        change_layout: Arc::new(change),
        change_answer_layout: Arc::new(answer),
        expected_receipt_layout: Arc::new(expected),
        receipt_advice_layout: Arc::new(advice),
    }))
}

/// Builds a site's inventory flows, with both layouts checked.
fn site_inventory(config: &SiteConfig) -> anyhow::Result<Option<SiteInventory>> {
    let code = &config.rules.code;
    let (Some(rules), Some(folder)) = (&config.inventory, &config.inventory_folder) else {
        return Ok(None);
    };
    let mut movement_layout = config
        .movement_layout
        .clone()
        .unwrap_or_else(wharf_formats::default_movement_layout);
    let mut snapshot_layout = config
        .snapshot_layout
        .clone()
        .unwrap_or_else(wharf_formats::default_snapshot_layout);
    for layout in [&mut movement_layout, &mut snapshot_layout] {
        layout
            .time_zone
            .get_or_insert_with(|| config.rules.time_zone.clone());
    }
    wharf_formats::encode_movements(&movement_layout, &[])
        .with_context(|| format!("sites.{code}.movement_layout: invalid layout"))?;
    wharf_formats::encode_snapshot(&snapshot_layout, "2000-01-01T00:00:00Z", &[])
        .with_context(|| format!("sites.{code}.snapshot_layout: invalid layout"))?;
    Ok(Some(SiteInventory {
        rules: rules.clone(),
        movement_layout: Arc::new(movement_layout),
        snapshot_layout: Arc::new(snapshot_layout),
        files: Arc::new(Folder::new(folder.clone())),
    }))
}
