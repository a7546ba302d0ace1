//! A site as the engine runs it: rules, layouts, its folders and, when it
//! has one, its own Odoo account.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use wharf_formats::Layout;

use crate::config::SiteRules;
use crate::inventory::SiteInventory;
use crate::lifecycle::SiteLifecycle;
use crate::ports::{Erp, PortError, ShipResult, WarehouseFiles};
use crate::shipment::ShipmentPlan;

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
    /// The site's own Odoo account. Everything the hub does in Odoo on the
    /// site's behalf goes through it, except the release poll. A site with
    /// `None` uses the hub's main account.
    pub account: Option<SiteAccount>,
}

/// A site's own Odoo account.
#[derive(Debug, Clone)]
pub struct SiteAccount {
    /// The account's login, named in the errors of its calls.
    pub login: String,
    /// The port that makes calls as this account.
    pub erp: Arc<dyn Erp>,
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

/// The Odoo port for each site: the site's own account, or the main one for
/// a site without its own.
#[derive(Debug, Clone)]
pub struct SiteErps {
    main: Arc<dyn Erp>,
    own: BTreeMap<String, Arc<dyn Erp>>,
}

impl SiteErps {
    /// Builds the set from the main port and the ports of the sites that
    /// have their own account, by site code.
    pub fn new(main: Arc<dyn Erp>, own: BTreeMap<String, Arc<dyn Erp>>) -> Self {
        Self { main, own }
    }

    /// Returns the port of the site `code`; the main port when the site has
    /// no account of its own or is unknown.
    pub fn for_site(&self, code: &str) -> &Arc<dyn Erp> {
        self.own.get(code).unwrap_or(&self.main)
    }

    /// Applies shipments of several sites with one `apply_shipments` call
    /// per port, keeping the order of `batch` within each call, and returns
    /// each picking's result by picking id. `batch` pairs a site code with a
    /// plan. The sites without their own account share one call on the main
    /// port.
    pub async fn apply_shipments(
        &self,
        batch: &[(&str, ShipmentPlan)],
    ) -> HashMap<i64, Result<ShipResult, PortError>> {
        // `None` collects the plans of the sites on the main port.
        let mut by_port: BTreeMap<Option<&str>, Vec<ShipmentPlan>> = BTreeMap::new();
        for (site, plan) in batch {
            let port = self.own.contains_key(*site).then_some(*site);
            by_port.entry(port).or_default().push(plan.clone());
        }

        let mut results = HashMap::new();
        for (port, plans) in by_port {
            let erp = port.map_or(&self.main, |site| self.for_site(site));
            results.extend(erp.apply_shipments(&plans).await);
        }
        results
    }
}
