//! Runs every source, the handler worker and every sink until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tracing::{error, info, warn};
use wharf_store::Store;

use crate::config::EngineSettings;
use crate::health::{
    site_connector, site_odoo_connector, Contacts, ObservedErp, ObservedFiles, ODOO,
};
use crate::inventory::source::raise_file_exception;
use crate::inventory::source::InventorySource;
use crate::inventory::{
    reconcile_snapshot, NoProgress, Progress, ReconcileError, ReconcileOptions, ReconcileOutcome,
    SnapshotInput,
};
use crate::lifecycle::watch::{ChangeWatch, ReceiptWatch};
use crate::ports::{Erp, InFile, PortError, WarehouseFiles};
use crate::release::recheck::HeldRecheck;
use crate::release::source::ReleaseSource;
use crate::shipment::source::ConfirmationSource;
use crate::sink::{FolderSink, OdooSink};
use crate::site::{Site, SiteErps};
use crate::telemetry::{GaugeSampler, SAMPLE_INTERVAL};
use crate::worker::{SourceError, Worker};

/// Inbox messages handled per worker pass.
const WORKER_BATCH: u32 = 200;

/// The hub's flows, wired to a store and ports.
#[derive(Debug)]
pub struct Engine {
    pub store: Arc<dyn Store>,
    /// The port of the main Odoo account. It serves the release poll of
    /// every site and all work of the sites without an account of their own
    /// (see [`Site::account`] and [`Engine::erp_for`]).
    pub erp: Arc<dyn Erp>,
    pub sites: Vec<Site>,
    pub settings: EngineSettings,
    /// Name of this hub instance in claims, for example `hub-<pid>`.
    pub owner: String,
    /// Last contact with Odoo and with each site's folders, recorded on
    /// calls through the ports. The server's `/readyz` reads it.
    pub contacts: Contacts,
}

impl Engine {
    /// Runs one pass of every part in data-path order and returns how much
    /// work it did; zero means the hub is idle. Errors are logged, so one
    /// failing part does not stop the others.
    pub async fn step(&self) -> usize {
        let mut work = 0;
        work += logged("odoo poll", self.release_source().poll_once()).await;
        for site in &self.sites {
            work += logged("folder scan", self.confirmation_source(site).scan_once()).await;
        }
        work += logged("held re-check", self.held_recheck().run_once()).await;
        work += logged("change watch", self.change_watch().run_once()).await;
        work += logged("receipt watch", self.receipt_watch().run_once()).await;
        work += logged("handler", self.worker().run_once(WORKER_BATCH)).await;
        for site in &self.sites {
            work += logged("inventory scan", self.inventory_once(site)).await;
        }
        for site in &self.sites {
            work += logged("folder sink", self.folder_sink(site).deliver_once()).await;
            work += logged("lifecycle sink", self.lifecycle_sink(site).deliver_once()).await;
        }
        work += logged("odoo sink", self.odoo_sink().deliver_once()).await;
        work
    }

    /// Runs every part in its own loop until `shutdown` turns true. A part
    /// that did work runs again at once; an idle part sleeps its interval.
    /// Each loop finishes its current step before it stops, so shutdown never
    /// cuts a store transaction in half.
    pub async fn run(self: Arc<Self>, shutdown: watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.settings.odoo_poll_interval_ms);
        let scan = Duration::from_millis(self.settings.folder_scan_interval_ms);
        let busy = Duration::from_millis(50);
        let mut tasks = tokio::task::JoinSet::new();

        let engine = Arc::clone(&self);
        tasks.spawn(repeat("odoo poll", poll, shutdown.clone(), move || {
            let engine = Arc::clone(&engine);
            async move { engine.release_source().poll_once().await }
        }));
        for site in self.sites.clone() {
            let engine = Arc::clone(&self);
            let scan_site = site.clone();
            tasks.spawn(repeat("folder scan", scan, shutdown.clone(), move || {
                let engine = Arc::clone(&engine);
                let site = scan_site.clone();
                async move { engine.confirmation_source(&site).scan_once().await }
            }));
            if site.inventory.is_some() {
                let engine = Arc::clone(&self);
                let inventory_site = site.clone();
                tasks.spawn(repeat(
                    "inventory scan",
                    scan,
                    shutdown.clone(),
                    move || {
                        let engine = Arc::clone(&engine);
                        let site = inventory_site.clone();
                        async move { engine.inventory_once(&site).await }
                    },
                ));
            }
            let engine = Arc::clone(&self);
            let lifecycle_site = site.clone();
            tasks.spawn(repeat(
                "lifecycle sink",
                busy * 4,
                shutdown.clone(),
                move || {
                    let engine = Arc::clone(&engine);
                    let site = lifecycle_site.clone();
                    async move { engine.lifecycle_sink(&site).deliver_once().await }
                },
            ));
            let engine = Arc::clone(&self);
            tasks.spawn(repeat(
                "folder sink",
                busy * 4,
                shutdown.clone(),
                move || {
                    let engine = Arc::clone(&engine);
                    let site = site.clone();
                    async move { engine.folder_sink(&site).deliver_once().await }
                },
            ));
        }
        let recheck = Duration::from_millis(self.settings.held_recheck_interval_ms);
        let engine = Arc::clone(&self);
        tasks.spawn(repeat(
            "held re-check",
            recheck,
            shutdown.clone(),
            move || {
                let engine = Arc::clone(&engine);
                // Work done here is released pickings, not a reason to re-read
                // at once: the next re-read waits the full interval.
                async move { engine.held_recheck().run_once().await.map(|_| 0) }
            },
        ));
        let watch = Duration::from_millis(self.settings.lifecycle_poll_interval_ms);
        let engine = Arc::clone(&self);
        tasks.spawn(repeat("change watch", watch, shutdown.clone(), move || {
            let engine = Arc::clone(&engine);
            // Found changes are not a reason to read again at once.
            async move { engine.change_watch().run_once().await.map(|_| 0) }
        }));
        let engine = Arc::clone(&self);
        tasks.spawn(repeat(
            "receipt watch",
            watch,
            shutdown.clone(),
            move || {
                let engine = Arc::clone(&engine);
                async move { engine.receipt_watch().run_once().await.map(|_| 0) }
            },
        ));
        let engine = Arc::clone(&self);
        tasks.spawn(repeat("handler", busy, shutdown.clone(), move || {
            let engine = Arc::clone(&engine);
            async move { engine.worker().run_once(WORKER_BATCH).await }
        }));
        let engine = Arc::clone(&self);
        tasks.spawn(repeat("odoo sink", busy * 4, shutdown.clone(), move || {
            let engine = Arc::clone(&engine);
            async move { engine.odoo_sink().deliver_once().await }
        }));

        let engine = Arc::clone(&self);
        let sampler = Arc::new(GaugeSampler::default());
        tasks.spawn(repeat(
            "metrics sample",
            SAMPLE_INTERVAL,
            shutdown.clone(),
            move || {
                let (engine, sampler) = (Arc::clone(&engine), Arc::clone(&sampler));
                // A sample reports no work, so the next one waits the full interval.
                async move { sampler.sample(&*engine.store).await.map(|()| 0) }
            },
        ));

        info!(sites = self.sites.len(), owner = %self.owner, "Hub started");
        while tasks.join_next().await.is_some() {}
        info!("Hub stopped");
    }

    /// Ingests a site's movement files and reconciles each snapshot file
    /// that arrived, applying within-threshold differences when the site's
    /// rule allows it. Returns how many files it took.
    pub async fn inventory_once(&self, site: &Site) -> Result<usize, SourceError> {
        let Some(inventory) = &site.inventory else {
            return Ok(0);
        };
        let scan = self.inventory_source(site).scan_once().await?;
        let work = scan.handled_files + scan.snapshots.len();
        for file in &scan.snapshots {
            let options = ReconcileOptions {
                apply: inventory.rules.apply_within_threshold,
                raise_exceptions: true,
            };
            match self.reconcile_file(site, file, options, &NoProgress).await {
                Ok(_) => inventory.files.archive(file).await?,
                Err(ReconcileError::Snapshot { message, .. }) => {
                    warn!(site = site.code(), file = %file.name, error = %message, "Snapshot file rejected");
                    inventory.files.reject(file, &message).await?;
                    let detail = format!(
                        "snapshot file {} was moved to the error folder: {message}",
                        file.name
                    );
                    raise_file_exception(&*self.store, site, &file.name, detail).await?;
                }
                Err(ReconcileError::Store(error)) => return Err(error.into()),
                Err(error) => {
                    // Odoo unreachable or the site misconfigured: the file
                    // stays in the folder and the next scan tries again.
                    return Err(SourceError::Port(PortError::transient(format!(
                        "reconciliation of {} postponed: {error}",
                        file.name
                    ))));
                }
            }
        }
        Ok(work)
    }

    /// Reconciles one snapshot file of a site after taking in every
    /// confirmation and movement file already in the site's folders, so
    /// that messages the warehouse sent before its snapshot count as in flight.
    pub async fn reconcile_file(
        &self,
        site: &Site,
        file: &InFile,
        options: ReconcileOptions,
        progress: &dyn Progress,
    ) -> Result<ReconcileOutcome, ReconcileError> {
        self.catch_up(site).await?;
        let snapshot = SnapshotInput {
            name: &file.name,
            sha256: &file.sha256,
            bytes: &file.bytes,
        };
        let erp = self.erp_for(site.code());
        reconcile_snapshot(&*self.store, &*erp, site, snapshot, options, progress).await
    }

    /// Ingests the site's waiting confirmation and movement files and
    /// handles every waiting inbox message.
    async fn catch_up(&self, site: &Site) -> Result<(), ReconcileError> {
        let port = |error: SourceError| match error {
            SourceError::Store(error) => ReconcileError::Store(error),
            SourceError::Port(error) => ReconcileError::Odoo(error),
        };
        self.confirmation_source(site)
            .scan_once()
            .await
            .map_err(port)?;
        self.inventory_source(site)
            .scan_once()
            .await
            .map_err(port)?;
        while self.worker().run_once(WORKER_BATCH).await? > 0 {}
        Ok(())
    }

    fn inventory_source(&self, site: &Site) -> InventorySource {
        InventorySource {
            store: Arc::clone(&self.store),
            site: self.observed_site(site),
        }
    }

    /// Returns the main account's Odoo port with every call recorded in
    /// [`Self::contacts`] as `odoo`.
    fn observed_erp(&self) -> Arc<dyn Erp> {
        Arc::new(ObservedErp {
            inner: Arc::clone(&self.erp),
            connector: ODOO.to_owned(),
            account: None,
            contacts: self.contacts.clone(),
        })
    }

    /// Returns the Odoo port for work done on behalf of the site
    /// `site_code`: the site's own account, with every call recorded in
    /// [`Self::contacts`] as `odoo:<CODE>`, or the main account when the
    /// site has none or is unknown.
    pub fn erp_for(&self, site_code: &str) -> Arc<dyn Erp> {
        let own = self
            .sites
            .iter()
            .find(|site| site.code() == site_code)
            .and_then(|site| site.account.as_ref());
        match own {
            Some(account) => Arc::new(ObservedErp {
                inner: Arc::clone(&account.erp),
                connector: site_odoo_connector(site_code),
                account: Some(format!(
                    "Odoo account {:?} of site {site_code}",
                    account.login
                )),
                contacts: self.contacts.clone(),
            }),
            None => self.observed_erp(),
        }
    }

    /// Returns the observed Odoo port of every site, as [`Self::erp_for`]
    /// chooses it.
    pub(crate) fn site_erps(&self) -> SiteErps {
        let own = self
            .sites
            .iter()
            .filter(|site| site.account.is_some())
            .map(|site| (site.code().to_owned(), self.erp_for(site.code())))
            .collect();
        SiteErps::new(self.observed_erp(), own)
    }

    /// Returns a site's folders with every call recorded in
    /// [`Self::contacts`] as `site:<CODE>`.
    fn observed_files(
        &self,
        site: &Site,
        files: &Arc<dyn WarehouseFiles>,
    ) -> Arc<dyn WarehouseFiles> {
        Arc::new(ObservedFiles {
            inner: Arc::clone(files),
            connector: site_connector(site.code()),
            contacts: self.contacts.clone(),
        })
    }

    /// Returns a copy of the site whose folders, inventory folder included,
    /// record every call in [`Self::contacts`].
    fn observed_site(&self, site: &Site) -> Site {
        let mut observed = site.clone();
        observed.files = self.observed_files(site, &site.files);
        if let Some(inventory) = &mut observed.inventory {
            inventory.files = self.observed_files(site, &inventory.files);
        }
        observed
    }

    /// Delivers waiting Odoo messages until none is due; returns how many.
    pub async fn deliver_odoo(&self) -> Result<usize, wharf_store::StoreError> {
        let mut total = 0;
        loop {
            let delivered = self.odoo_sink().deliver_once().await?;
            if delivered == 0 {
                return Ok(total);
            }
            total += delivered;
        }
    }

    fn held_recheck(&self) -> HeldRecheck {
        HeldRecheck {
            store: Arc::clone(&self.store),
            erp: self.site_erps(),
            sites: self.sites.clone(),
        }
    }

    fn change_watch(&self) -> ChangeWatch {
        ChangeWatch {
            store: Arc::clone(&self.store),
            erp: self.site_erps(),
            sites: self.sites.clone(),
        }
    }

    fn receipt_watch(&self) -> ReceiptWatch {
        ReceiptWatch {
            store: Arc::clone(&self.store),
            erp: self.site_erps(),
            sites: self.sites.clone(),
            overlap_secs: self.settings.poll_overlap_secs,
        }
    }

    /// Writes a site's change and expected-receipt files, at once whatever
    /// the site's release schedule.
    fn lifecycle_sink(&self, site: &Site) -> FolderSink {
        FolderSink {
            store: Arc::clone(&self.store),
            files: self.observed_files(site, &site.files),
            site: site.code().to_owned(),
            queue: crate::lifecycle::lifecycle_sink(site.code()),
            release_every: None,
            settings: self.settings.clone(),
            owner: self.owner.clone(),
        }
    }

    /// Returns the poll of ready pickings. It reads every site's warehouses
    /// through the main account, even for sites with an account of their own.
    fn release_source(&self) -> ReleaseSource {
        ReleaseSource {
            store: Arc::clone(&self.store),
            erp: self.observed_erp(),
            sites: self.sites.clone(),
            settings: self.settings.clone(),
        }
    }

    fn confirmation_source(&self, site: &Site) -> ConfirmationSource {
        ConfirmationSource {
            store: Arc::clone(&self.store),
            site: self.observed_site(site),
        }
    }

    fn worker(&self) -> Worker {
        Worker {
            store: Arc::clone(&self.store),
            sites: self.sites.clone(),
            owner: self.owner.clone(),
            lease: self.settings.lease(),
            owners: self.settings.owners.clone(),
        }
    }

    fn folder_sink(&self, site: &Site) -> FolderSink {
        FolderSink {
            store: Arc::clone(&self.store),
            files: self.observed_files(site, &site.files),
            site: site.code().to_owned(),
            queue: crate::folder_sink(site.code()),
            release_every: site
                .rules
                .release_every_minutes
                .map(|minutes| Duration::from_secs(minutes.saturating_mul(60))),
            settings: self.settings.clone(),
            owner: self.owner.clone(),
        }
    }

    fn odoo_sink(&self) -> OdooSink {
        OdooSink {
            store: Arc::clone(&self.store),
            erp: self.site_erps(),
            settings: self.settings.clone(),
            owner: self.owner.clone(),
        }
    }
}

async fn logged<E: std::fmt::Display>(
    part: &str,
    step: impl Future<Output = Result<usize, E>>,
) -> usize {
    match step.await {
        Ok(work) => work,
        Err(error) => {
            error!(part, %error, "Flow step failed");
            0
        }
    }
}

/// Runs `step` until shutdown: again at once after work, after `idle` when
/// there was none or it failed. A failure that repeats is logged once, then
/// once a minute with the number of repeats, so a stopped Odoo does not
/// flood the log. The first success after failures is logged too.
async fn repeat<F, Fut, E>(
    part: &'static str,
    idle: Duration,
    mut shutdown: watch::Receiver<bool>,
    step: F,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<usize, E>>,
    E: std::fmt::Display,
{
    let mut failures = FailureLog::default();
    while !*shutdown.borrow() {
        let work = match step().await {
            Ok(work) => {
                failures.recovered(part);
                work
            }
            Err(error) => {
                failures.failed(part, &error.to_string());
                0
            }
        };
        if work > 0 {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(idle) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Rate limit for the error log of one flow part.
#[derive(Debug, Default)]
struct FailureLog {
    last_message: Option<String>,
    repeats: u64,
    last_logged: Option<std::time::Instant>,
}

impl FailureLog {
    const INTERVAL: Duration = Duration::from_secs(60);

    fn failed(&mut self, part: &str, message: &str) {
        let same = self.last_message.as_deref() == Some(message);
        let due = self
            .last_logged
            .is_none_or(|at| at.elapsed() >= Self::INTERVAL);
        if same && !due {
            self.repeats += 1;
            return;
        }
        if same {
            error!(
                part,
                error = message,
                repeats = self.repeats,
                "Flow step still failing"
            );
        } else {
            error!(part, error = message, "Flow step failed");
        }
        self.last_message = Some(message.to_owned());
        self.last_logged = Some(std::time::Instant::now());
        self.repeats = 0;
    }

    fn recovered(&mut self, part: &str) {
        if self.last_message.take().is_some() {
            info!(part, repeats = self.repeats, "Flow step recovered");
        }
        self.repeats = 0;
        self.last_logged = None;
    }
}
