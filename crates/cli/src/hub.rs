//! Builds the engine from the configuration: store, Odoo client, sites.

use std::sync::Arc;

use anyhow::Context as _;
use wharf_engine::{Engine, Site};
use wharf_formats::Layout;
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
    let connect = || async {
        wharf_odoo::Client::connect(&config.odoo)
            .await
            .with_context(|| {
                format!(
                    "cannot connect to Odoo at {} (database {})",
                    config.odoo.url, config.odoo.database
                )
            })
    };
    let erp = Arc::new(OdooErp::new(
        connect().await?,
        connect().await?,
        config.odoo.page_size,
    ));
    let sites = config
        .sites
        .iter()
        .map(site)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let engine = Engine {
        store,
        erp: Arc::clone(&erp) as Arc<dyn wharf_engine::ports::Erp>,
        sites,
        settings: config.engine.clone(),
        owner: format!("hub-{}", std::process::id()),
    };
    Ok((engine, erp))
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

/// Builds one engine site from its configuration.
pub fn site(config: &SiteConfig) -> anyhow::Result<Site> {
    let order_layout = layout_or(
        config.order_layout.clone(),
        wharf_formats::default_order_layout,
    )?;
    let confirmation_layout = layout_or(
        config.confirmation_layout.clone(),
        wharf_formats::default_confirmation_layout,
    )?;
    Ok(Site {
        rules: config.rules.clone(),
        order_layout: Arc::new(order_layout),
        confirmation_layout: Arc::new(confirmation_layout),
        files: Arc::new(Folder::new(config.folder.clone())),
    })
}

fn layout_or(layout: Option<Layout>, preset: fn() -> Layout) -> anyhow::Result<Layout> {
    Ok(layout.unwrap_or_else(preset))
}
