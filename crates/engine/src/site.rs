//! A site as the engine runs it: rules, layouts and its folders.

use std::sync::Arc;

use wharf_formats::Layout;

use crate::config::SiteRules;
use crate::inventory::SiteInventory;
use crate::lifecycle::SiteLifecycle;
use crate::ports::WarehouseFiles;

/// One warehouse site, built by the binary from the configuration.
#[derive(Debug, Clone)]
pub struct Site {
    pub rules: SiteRules,
    /// Layout of the order files Wharf writes.
    pub order_layout: Arc<Layout>,
    /// Layout of the confirmation files the warehouse writes.
    pub confirmation_layout: Arc<Layout>,
    pub files: Arc<dyn WarehouseFiles>,
    /// Inventory flows, when the site declares them.
    pub inventory: Option<SiteInventory>,
    /// Progress, changes, receipts and returns, when the site declares them.
    pub lifecycle: Option<SiteLifecycle>,
}

impl Site {
    pub fn code(&self) -> &str {
        &self.rules.code
    }

    /// True when this site ships for the Odoo warehouse code.
    pub fn serves(&self, warehouse: &str) -> bool {
        self.rules.warehouses.iter().any(|code| code == warehouse)
    }
}
