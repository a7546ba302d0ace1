//! Reconciles one snapshot file against Odoo and records the result.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use jiff::Timestamp;
use tracing::{info, warn};
use wharf_model::{Decimal, EventKind, ExceptionKind, MessageId, SnapshotRow};
use wharf_store::{NewReconciliation, ReconciliationSummary, Store, StoreError, VarianceRecord};

use super::in_flight::{in_flight, resolve_locations};
use super::outcome::{classify_rows, Classified};
use super::SiteInventory;
use crate::ports::{Erp, OdooStock, PortError};
use crate::reconcile::{ReconcileRules, Reconciler};
use crate::site::Site;

/// Kinds of outbox messages that change stock in Odoo.
const STOCK_KINDS: [EventKind; 2] = [EventKind::ShipmentApply, EventKind::InventoryApply];

/// A snapshot file to reconcile.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotInput<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
}

/// Reports progress to a terminal, a log or nothing.
pub trait Progress: Send + Sync {
    /// Starts a new stage, with the number of rows when known.
    fn stage(&self, name: &str, rows: Option<u64>);
    /// `rows` more rows of the current stage are done.
    fn advance(&self, rows: u64);
}

/// Progress that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _name: &str, _rows: Option<u64>) {}
    fn advance(&self, _rows: u64) {}
}

/// Why a reconciliation could not run; nothing was recorded.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("site {0} has no [sites.inventory] section; add one to reconcile its stock")]
    NoInventory(String),
    #[error("snapshot file {file} could not be read: {message}")]
    Snapshot { file: String, message: String },
    #[error("reading Odoo's stock failed: {0}")]
    Odoo(#[from] PortError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes a reconciliation may make besides recording its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcileOptions {
    /// Queue differences within the threshold as adjustments for Odoo.
    pub apply: bool,
    /// Raise exceptions for differences beyond the threshold and for the
    /// special kinds; a dry run leaves the exception queue alone.
    pub raise_exceptions: bool,
}

/// A recorded reconciliation.
#[derive(Debug, Clone)]
pub struct ReconcileOutcome {
    pub id: i64,
    pub summary: ReconciliationSummary,
    pub rows: Vec<VarianceRecord>,
    /// The outbox message that carries the adjustments, when any were queued.
    pub adjustment: Option<MessageId>,
}

/// Reconciles `snapshot` for `site` and records the result. Differences
/// within the threshold are queued for Odoo as adjustments when
/// `options.apply` is set. Differences beyond it and the special kinds
/// raise exceptions when `options.raise_exceptions` is set, one open
/// exception per stock key and kind: a key that already has one gets no
/// second.
pub async fn reconcile_snapshot(
    store: &dyn Store,
    erp: &dyn Erp,
    site: &Site,
    snapshot: SnapshotInput<'_>,
    options: ReconcileOptions,
    progress: &dyn Progress,
) -> Result<ReconcileOutcome, ReconcileError> {
    let inventory = site
        .inventory
        .as_ref()
        .ok_or_else(|| ReconcileError::NoInventory(site.code().to_owned()))?;

    progress.stage("reading snapshot", None);
    let mut reconciler = Reconciler::new(rules(site, inventory)?);
    let mut wms_locations = HashSet::new();
    let taken_at = feed_snapshot(
        &mut reconciler,
        inventory,
        snapshot,
        &mut wms_locations,
        progress,
    )?;
    let taken_at = taken_at.unwrap_or_else(|| {
        warn!(
            site = site.code(),
            file = snapshot.name,
            "Snapshot has no taken_at column; using the time it was read"
        );
        Timestamp::now()
    });

    // The stock messages are listed before and after Odoo is read, so that
    // a delivery made during the read is recognised and its keys deferred.
    progress.stage("reading Odoo stock", None);
    let before_read = store_messages(store, site, taken_at).await?;
    let odoo = erp
        .stock_on_hand(std::slice::from_ref(&inventory.rules.stock_location))
        .await?;
    let odoo_read_at = Timestamp::now();
    let after_read = store_messages(store, site, taken_at).await?;
    let known: HashSet<String> = erp
        .internal_locations(std::slice::from_ref(&inventory.rules.stock_location))
        .await?
        .into_iter()
        .collect();
    let unknown_locations: HashSet<String> = wms_locations
        .into_iter()
        .filter(|location| !known.contains(location))
        .collect();
    reconciler.set_serial_skus(
        odoo.iter()
            .filter(|row| row.tracking == "serial")
            .map(|row| row.key.sku.clone())
            .collect(),
    );
    reconciler.set_unit_rounding(
        odoo.iter()
            .filter(|row| row.uom_rounding > Decimal::ZERO)
            .map(|row| (row.key.sku.clone(), row.uom_rounding))
            .collect(),
    );

    let mut entries = in_flight(&before_read, &after_read, taken_at);
    resolve_locations(
        &mut entries,
        &fullest_locations(&odoo),
        &inventory.rules.stock_location,
    );
    for entry in &entries {
        let key = &entry.key;
        reconciler.add_in_flight(
            &key.location,
            &key.sku,
            key.lot.as_deref(),
            entry.quantity,
            &entry.message,
            entry.settled,
        );
    }

    progress.stage("comparing", Some(odoo.len() as u64));
    for row in &odoo {
        let expiry = row.expiry_date.as_deref().and_then(parse_date);
        let key = &row.key;
        reconciler.add_odoo(
            &key.location,
            &key.sku,
            key.lot.as_deref(),
            row.quantity,
            expiry,
        );
    }
    progress.advance(odoo.len() as u64);
    let reconciliation = reconciler.finish();

    let open: HashSet<(String, ExceptionKind)> = store
        .exceptions(false)
        .await?
        .into_iter()
        .map(|exception| (exception.correlation_id, exception.kind))
        .collect();
    let Classified {
        rows,
        outbox,
        exceptions,
        audit,
        applied,
    } = classify_rows(
        site,
        snapshot,
        &reconciliation,
        options,
        &taken_at.to_string(),
        &open,
        &unknown_locations,
    );
    let adjustment = outbox.first().map(|message| message.envelope.id);
    let summary = ReconciliationSummary {
        site: site.code().to_owned(),
        snapshot_ref: snapshot.name.to_owned(),
        snapshot_sha256: snapshot.sha256.to_owned(),
        taken_at,
        odoo_read_at,
        finished_at: Timestamp::now(),
        compared: reconciliation.compared,
        counts: reconciliation
            .counts
            .iter()
            .map(|(kind, count)| (kind.as_str().to_owned(), *count))
            .collect(),
        applied,
        exceptions: exceptions.len() as u64,
        apply: options.apply,
        open_exceptions: 0,
    };
    let id = store
        .record_reconciliation(NewReconciliation {
            summary: summary.clone(),
            rows: rows.clone(),
            outbox,
            exceptions,
            audit,
        })
        .await?;
    info!(
        site = site.code(),
        file = snapshot.name,
        compared = summary.compared,
        applied,
        exceptions = summary.exceptions,
        "Reconciliation recorded"
    );
    Ok(ReconcileOutcome {
        id,
        summary,
        rows,
        adjustment,
    })
}

async fn store_messages(
    store: &dyn Store,
    site: &Site,
    since: Timestamp,
) -> Result<Vec<wharf_store::StockMessage>, StoreError> {
    store.stock_messages(site.code(), &STOCK_KINDS, since).await
}

/// Builds the run's rules: the site's thresholds and today's date in the
/// site's time zone.
fn rules(site: &Site, inventory: &SiteInventory) -> Result<ReconcileRules, ReconcileError> {
    let zone = jiff::tz::TimeZone::get(&site.rules.time_zone).map_err(|error| {
        ReconcileError::Snapshot {
            file: String::new(),
            message: format!(
                "time zone {} of site {}: {error}",
                site.rules.time_zone,
                site.code()
            ),
        }
    })?;
    let today = Timestamp::now().to_zoned(zone).date();
    let mut rules = ReconcileRules::new(today, inventory.rules.threshold);
    rules.per_sku = inventory
        .rules
        .sku_thresholds
        .iter()
        .map(|(sku, threshold)| (sku.clone(), *threshold))
        .collect();
    Ok(rules)
}

/// Streams the snapshot's rows into the reconciler, converted to Odoo
/// locations and units, and collects the Odoo locations they name;
/// returns the snapshot's time.
fn feed_snapshot(
    reconciler: &mut Reconciler,
    inventory: &SiteInventory,
    snapshot: SnapshotInput<'_>,
    locations: &mut HashSet<String>,
    progress: &dyn Progress,
) -> Result<Option<Timestamp>, ReconcileError> {
    let rules = &inventory.rules;
    let error = |message: String| ReconcileError::Snapshot {
        file: snapshot.name.to_owned(),
        message,
    };
    let mut rows = 0u64;
    let taken_at = wharf_formats::decode_snapshot_with(
        &inventory.snapshot_layout,
        snapshot.bytes,
        |row: SnapshotRow| -> Result<(), SnapshotRowError> {
            let quantity = rules
                .to_odoo_quantity(&row.sku, row.unit.as_deref(), row.quantity)
                .map_err(|message| {
                    SnapshotRowError(format!("line {}: {message}", row.source_line))
                })?;
            let expiry = row.expiry_date.as_deref().and_then(parse_date);
            let location = rules.odoo_location(&row.location);
            if !locations.contains(location) {
                locations.insert(location.to_owned());
            }
            reconciler.add_wms(location, &row.sku, row.lot.as_deref(), quantity, expiry);
            rows += 1;
            if rows % 10_000 == 0 {
                progress.advance(10_000);
            }
            Ok(())
        },
    )
    .map_err(|SnapshotRowError(message)| error(message))?;
    progress.advance(rows % 10_000);

    match taken_at {
        None => Ok(None),
        Some(text) => text.parse::<Timestamp>().map(Some).map_err(|parse| {
            error(format!(
                "taken_at {text:?} is not an RFC 3339 time: {parse}"
            ))
        }),
    }
}

/// A snapshot row that cannot be compared, or a decoding error.
#[derive(Debug)]
struct SnapshotRowError(String);

impl From<wharf_formats::FormatError> for SnapshotRowError {
    fn from(error: wharf_formats::FormatError) -> Self {
        SnapshotRowError(error.to_string())
    }
}

fn parse_date(text: &str) -> Option<Date> {
    text.get(..10)?.parse().ok()
}

/// Maps (SKU, lot) to the location where Odoo holds most of it.
fn fullest_locations(odoo: &[OdooStock]) -> HashMap<(String, Option<String>), (String, Decimal)> {
    let mut fullest: HashMap<(String, Option<String>), (String, Decimal)> = HashMap::new();
    for row in odoo {
        let lookup = (row.key.sku.clone(), row.key.lot.clone());
        let entry = fullest
            .entry(lookup)
            .or_insert_with(|| (row.key.location.clone(), row.quantity));
        if row.quantity > entry.1 {
            *entry = (row.key.location.clone(), row.quantity);
        }
    }
    fullest
}
