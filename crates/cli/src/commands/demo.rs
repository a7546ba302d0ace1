//! `wharf demo`: the Odoo simulator, the WMS simulator and the hub together
//! on SQLite in one folder, with a few injected faults. It runs until every
//! order has settled, then prints a summary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use serde::Serialize;
use tokio::sync::watch;
use tracing::info;
use wharf_model::Disposition;
use wharf_model::PickingState;
use wharf_sim::odoo::{FaultKind, FaultPlan, OdooSim, SeedOptions, SeedReport, SimOptions};
use wharf_sim::wms::{FaultOptions, LifecycleOptions, WmsOptions, WmsSim};
use wharf_store::{StatusReport, Store};

use super::demo_lifecycle::{run_users, LifecycleSummary, UserPlan};
use crate::config::{Config, LogConfig};
use crate::hub;
use crate::logging;

const DATABASE: &str = "wharf_demo";
const SITE_TIME_ZONE: &str = "Europe/Berlin";
/// How long the simulated warehouse waits before it picks an order, so a
/// cancel sent right after the release can still reach it.
const PICK_DELAY_MS: u64 = 1_500;
/// Plan of the released pickings the demo's Odoo users cancel, amend and return.
const USER_PLAN: UserPlan = UserPlan {
    cancel_every: 9,
    amend_every: 7,
    return_every: 6,
};

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Number of sales orders the Odoo simulator generates.
    #[arg(long, default_value_t = 50)]
    pub orders: usize,
    /// Odoo version the simulator plays: 17, 18 or 19.
    #[arg(long, default_value_t = 19, value_parser = clap::value_parser!(u8).range(17..=19))]
    pub odoo_version: u8,
    /// Write the summary as JSON to this file.
    #[arg(long)]
    pub summary_json: Option<PathBuf>,
    /// Keep the store, folders and logs in this folder instead of a temporary one.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Seed of the generated orders and of the injected faults.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run without injected faults.
    #[arg(long)]
    pub no_faults: bool,
    /// Give up when the orders have not settled after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
    /// After the run, replay every delivered shipment confirmation and
    /// compare Odoo's pickings and stock before and after.
    #[arg(long)]
    pub replay: bool,
    /// Serve the dashboard and admin API on this address while the demo
    /// runs, for example `127.0.0.1:8080`. An operator token is written to
    /// `dashboard-token` in the demo's folder.
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
}

/// Summary of a demo run, as printed and as written by `--summary-json`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub odoo_version: u8,
    pub orders: usize,
    /// Pickings Wharf released to the warehouse (backorders included).
    pub orders_released: u64,
    /// Pickings the release rules held, by reason.
    pub orders_held: BTreeMap<String, u64>,
    /// Deliveries done in Odoo.
    pub pickings_done: u64,
    /// Backorder pickings Odoo created for short shipments.
    pub backorders: u64,
    /// Confirmation files or confirmations recognised as duplicates.
    pub duplicates_ignored: u64,
    /// Open exceptions by kind.
    pub exceptions: BTreeMap<String, u64>,
    /// Faults the WMS simulator injected, by kind.
    pub faults_injected: BTreeMap<String, u64>,
    /// Odoo calls by `model.method`, as the simulator counted them.
    pub odoo_calls: BTreeMap<String, u64>,
    /// Pickings Odoo validated more than once (must be zero).
    pub pickings_validated_twice: u64,
    /// Quantity writes on done move lines (must be zero).
    pub writes_after_done: u64,
    pub delivery_retries: u64,
    /// Odoo calls of the release poll (idle polls included) per released picking.
    pub calls_per_released_order: f64,
    /// Odoo calls of shipment writes and validations per picking done.
    pub calls_per_confirmed_picking: f64,
    /// Odoo calls of the lifecycle flows: reads for cancels, changed lines
    /// and receipts, receipts booked, notes and activities.
    pub lifecycle_calls: u64,
    /// Pickings done per second of the whole run, set-up included.
    pub pickings_done_per_second: f64,
    pub elapsed_ms: u128,
    /// Cancels, amendments, progress, returns and purchase receipts.
    pub lifecycle: LifecycleSummary,
    /// Folder of the store and the site folders, absent when it was temporary.
    pub dir: Option<PathBuf>,
    /// The replay of every delivered confirmation, with `--replay`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<super::replay::DemoReplay>,
}

/// Runs `wharf demo`.
pub async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    logging::init(&LogConfig {
        filter: Some("warn".to_owned()),
        ..LogConfig::default()
    });
    let summary = run_demo(&args).await?;
    print_summary(&summary);
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_vec_pretty(&summary)?;
        std::fs::write(path, json)
            .with_context(|| format!("cannot write the summary to {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Everything a demo run leaves behind, for tests that check the final state.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    pub summary: DemoSummary,
    /// The Odoo simulator's state summary at the end.
    pub odoo_state: serde_json::Value,
    /// Shipments of the simulated warehouse, one entry per order it picked.
    pub ledger: Vec<wharf_sim::wms::LedgerEntry>,
    /// The generated data set and the pickings it expects to be held.
    pub seed: SeedReport,
    /// Exceptions in the store, open ones only.
    pub exceptions: Vec<wharf_store::ExceptionRow>,
}

/// Runs the demo and returns its summary; the folder is removed afterwards
/// unless `args.dir` names one.
pub async fn run_demo(args: &DemoArgs) -> anyhow::Result<DemoSummary> {
    Ok(run_demo_detailed(args).await?.summary)
}

/// Runs the demo and returns its summary with the final states behind it.
pub async fn run_demo_detailed(args: &DemoArgs) -> anyhow::Result<DemoOutcome> {
    let started = Instant::now();
    let temporary = match &args.dir {
        Some(_) => None,
        None => Some(tempfile::tempdir().context("cannot create a temporary folder")?),
    };
    let dir = match (&args.dir, &temporary) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temp)) => temp.path().to_path_buf(),
        (None, None) => unreachable!("a temporary folder exists when no folder was given"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;

    let (stop, stopped) = watch::channel(false);
    // The simulators stop after the hub, so no flow is cut off mid-call and
    // logs an unreachable Odoo at the end of a run.
    let (stop_simulators, simulators_stopped) = watch::channel(false);
    let api_key = random_api_key();
    let (odoo, seed) = start_odoo(args, &api_key, simulators_stopped.clone()).await?;
    let wms_root = dir.join("site-main");
    let wms = start_wms(args, &wms_root, simulators_stopped)?;
    let config = demo_config(&dir, &wms_root, &odoo.1, &api_key)?;
    let (engine, erp) = hub::build_with_erp(&config).await?;
    let engine = Arc::new(engine);
    let store = Arc::clone(&engine.store);
    let server = match args.listen {
        Some(listen) => {
            Some(crate::web::start_for_demo(listen, &engine, &config, &dir, stopped.clone()).await?)
        }
        None => None,
    };
    let hub_task = tokio::spawn(Arc::clone(&engine).run(stopped.clone()));
    let users_client = wharf_odoo::Client::connect(&config.odoo).await?;
    let users = tokio::spawn(run_users(
        odoo.0.clone(),
        users_client,
        Arc::clone(&store),
        USER_PLAN,
        stopped.clone(),
    ));

    let settled = wait_until_settled(
        &*store,
        &odoo.0,
        &wms_root,
        Duration::from_secs(args.timeout_secs),
    )
    .await;
    // The replay runs while the simulators still serve.
    let replayed = match (&settled, args.replay) {
        (Ok(()), true) => Some(super::replay::replay_demo(&engine, &odoo.0, &config).await),
        _ => None,
    };
    let _ = stop.send(true);
    let _ = hub_task.await;
    if let Some(server) = server {
        let _ = server.await;
    }
    let user_counts = users.await;
    let _ = stop_simulators.send(true);
    let _ = wms.await;
    settled?;
    let user_counts = user_counts.context("the demo's Odoo users stopped")??;

    let status = store.status().await?;
    let mut summary = summarize(
        args,
        &odoo.0,
        &seed,
        &status,
        &wms_root,
        started,
        temporary.is_none().then(|| dir.clone()),
    )?;
    summary.lifecycle =
        super::demo_lifecycle::summarize(&odoo.0, &*store, &wms_root, user_counts).await?;
    // A receipt stopped on an exception is in the store's `exception`
    // count, which `summarize` took for deliveries.
    summary.orders_released = summary
        .orders_released
        .saturating_sub(summary.lifecycle.receipts_stopped);
    let (release_calls, shipment_calls) = erp.call_totals();
    summary.calls_per_released_order = ratio(release_calls, summary.orders_released);
    summary.calls_per_confirmed_picking = ratio(shipment_calls, summary.pickings_done);
    summary.lifecycle_calls = erp.lifecycle_calls();
    summary.replay = replayed.transpose()?;
    if args.dir.is_some() {
        // Kept folders get the final Odoo state for inspection after the run.
        let state = serde_json::to_vec_pretty(&odoo.0.state_summary())?;
        std::fs::write(dir.join("odoo-state.json"), state)?;
    }
    let outcome = DemoOutcome {
        summary,
        odoo_state: odoo.0.state_summary(),
        ledger: wharf_sim::wms::read_ledger(&wms_root)?,
        seed,
        exceptions: store.exceptions(false).await?,
    };
    drop(temporary);
    Ok(outcome)
}

/// Returns a new API key of 64 hexadecimal digits. Each run gets its own,
/// so a test can search the run's logs for it and find no false match.
fn random_api_key() -> String {
    let mut bytes = [0_u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    hex::encode(bytes)
}

async fn start_odoo(
    args: &DemoArgs,
    api_key: &str,
    stopped: watch::Receiver<bool>,
) -> anyhow::Result<((OdooSim, String), SeedReport)> {
    let sim = OdooSim::new(SimOptions {
        version: args.odoo_version,
        database: DATABASE.to_owned(),
        api_key: api_key.to_owned(),
        login: "integration".to_owned(),
        password: api_key.to_owned(),
    })?;
    let faults = !args.no_faults;
    let seed_options = SeedOptions {
        orders: args.orders,
        seed: args.seed,
        credit_hold_every: faults.then_some(31),
        missing_sku_every: faults.then_some(37),
        missing_address_every: faults.then_some(41),
        lines_per_order: (1, 4),
    };
    let receipts = (args.orders / 10).max(2);
    let seed = sim.seed_demo_with_receipts(&seed_options, receipts)?;
    if faults {
        // Transient Odoo failures: the hub must retry them with backoff and
        // end in the same state as without them.
        sim.inject(FaultPlan {
            target: "stock.picking.button_validate".to_owned(),
            count: 2,
            kind: FaultKind::SerializationFailure,
        });
        sim.inject(FaultPlan {
            target: "stock.picking.write".to_owned(),
            count: 2,
            kind: FaultKind::ServiceUnavailable,
        });
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen on 127.0.0.1")?;
    let url = format!("http://{}", listener.local_addr()?);
    let server = sim.clone();
    tokio::spawn(async move {
        let mut stopped = stopped;
        let _ = server
            .serve(listener, async move {
                while stopped.changed().await.is_ok() && !*stopped.borrow() {}
            })
            .await;
    });
    Ok(((sim, url), seed))
}

fn start_wms(
    args: &DemoArgs,
    root: &Path,
    stopped: watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let faults = if args.no_faults {
        FaultOptions::default()
    } else {
        FaultOptions {
            short_every: Some(10),
            wrong_lot_every: Some(7),
            two_tracking_every: Some(5),
            duplicate_every: Some(9),
            slow_every: Some(11),
            unknown_sku_every: Some(23),
            cp1252_every: Some(6),
            ..FaultOptions::default()
        }
    };
    let mut wms = WmsSim::new(WmsOptions {
        root: root.to_path_buf(),
        order_layout: site_layout(wharf_formats::default_order_layout()),
        confirmation_layout: site_layout(wharf_formats::default_confirmation_layout()),
        faults,
        seed: args.seed,
    })?;
    wms.set_lifecycle_options(LifecycleOptions {
        progress: true,
        pick_delay_ms: PICK_DELAY_MS,
        too_late_every: (!args.no_faults).then_some(2),
        progress_out_of_order_every: (!args.no_faults).then_some(4),
        return_dispositions: Disposition::ALL.to_vec(),
        short_receipt_every: (!args.no_faults).then_some(3),
        ..LifecycleOptions::default()
    })?;
    Ok(tokio::spawn(async move {
        let mut stopped = stopped;
        wms.run(Duration::from_millis(100), async move {
            while stopped.changed().await.is_ok() && !*stopped.borrow() {}
        })
        .await;
    }))
}

/// Sets the layout's zone to the demo site's, so the warehouse reads and
/// writes local times as the hub's copy of the same layout does.
fn site_layout(mut layout: wharf_formats::Layout) -> wharf_formats::Layout {
    layout.time_zone = Some(SITE_TIME_ZONE.to_owned());
    layout
}

fn demo_config(
    dir: &Path,
    wms_root: &Path,
    odoo_url: &str,
    api_key: &str,
) -> anyhow::Result<Config> {
    let key_file = dir.join("odoo-api-key");
    crate::web::write_private(&key_file, api_key)?;
    let text = format!(
        r#"
[store]
path = "wharf.db"

[odoo]
url = "{odoo_url}"
database = "{DATABASE}"
login = "integration"
api_key_file = "odoo-api-key"

[engine]
odoo_poll_interval_ms = 300
folder_scan_interval_ms = 100
backoff_initial_ms = 100
backoff_max_ms = 2000
lifecycle_poll_interval_ms = 500

# Targets `wharf report` compares the run with. The demo's faults are on
# purpose, so the pilot's success rate is set for them.
[acceptance]
phase = "pilot"

[acceptance.phases.pilot]
message_success_rate_min = 90
reconciliation_variance_max = 2
manual_interventions_per_1000_max = 5
p95_latency_seconds_max = {{ order_release = 30, shipment_apply = 30, tracking_update = 30 }}

[acceptance.phases.rollout]
message_success_rate_min = 99.5
reconciliation_variance_max = 0.5
manual_interventions_per_1000_max = 1
p95_latency_seconds_max = {{ order_release = 10, shipment_apply = 10, tracking_update = 10 }}

[[sites]]
code = "main"
warehouses = ["WH", "EAST"]
time_zone = "{SITE_TIME_ZONE}"
short_shipment = "backorder"

[sites.folder]
read_dir = "{root}/outbound"
write_dir = "{root}/inbound"
archive_dir = "{root}/archive"
error_dir = "{root}/error"
file_suffix = ".csv"
completion = {{ stable_for_ms = 300 }}

[sites.lifecycle]
finance_follow_up = "activity"
disposition_locations = {{ quarantine = "WH/Stock/Quarantine", scrap = "Virtual Locations/Scrap", return_to_vendor = "Partners/Vendors" }}
"#,
        root = wms_root.display()
    );
    // The file stays beside the store, so `wharf status --config` works on a
    // kept demo folder after the run.
    std::fs::write(dir.join("wharf.toml"), &text)?;
    let mut config: Config =
        toml::from_str(&text).context("the demo configuration does not parse")?;
    config.resolve_paths(dir);
    config.validate()?;
    config.odoo.api_key_file = Some(key_file);
    for folder in ["outbound", "inbound", "archive", "error"] {
        std::fs::create_dir_all(wms_root.join(folder))?;
    }
    Ok(config)
}

/// Waits until every ready picking in Odoo is held or stopped on an
/// exception in the store, no message is pending, the folders are empty,
/// and nothing changed for longer than the Odoo poll interval.
async fn wait_until_settled(
    store: &dyn Store,
    odoo: &OdooSim,
    wms_root: &Path,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    let mut quiet_since = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let status = store.status().await?;
        let busy = pending(&status)
            || !folder_empty(&wms_root.join("inbound"))
            || !folder_empty(&wms_root.join("outbound"))
            || unsettled_picking(store, odoo).await?.is_some();
        let fingerprint = serde_json::to_string(&status)?;
        if busy || fingerprint != last {
            last = fingerprint;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() > Duration::from_secs(3) {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!(
                "the demo did not settle within {} s; last status: {last}",
                timeout.as_secs()
            );
        }
    }
}

/// Returns a picking Odoo still has ready that the hub has not settled, if
/// any: an outgoing one not held, stopped or cancelled, or a receipt not
/// booked.
async fn unsettled_picking(store: &dyn Store, odoo: &OdooSim) -> anyhow::Result<Option<String>> {
    let state = odoo.state_summary();
    let Some(pickings) = state["pickings"].as_object() else {
        return Ok(None);
    };
    for (id, picking) in pickings {
        let name = picking["name"].as_str().unwrap_or_default();
        let (outgoing, incoming) = (name.contains("/OUT/"), name.contains("/IN/"));
        if picking["state"] != "assigned" || !(outgoing || incoming) {
            continue;
        }
        let stopped = match store.picking(id.parse().unwrap_or_default()).await? {
            Some(record) if outgoing => {
                matches!(record.state, PickingState::Held | PickingState::Exception)
                    || record.state.is_cancelled()
            }
            Some(record) => matches!(
                record.state,
                PickingState::Received | PickingState::Exception
            ),
            None => false,
        };
        if !stopped {
            return Ok(picking["name"].as_str().map(str::to_owned));
        }
    }
    Ok(None)
}

fn pending(status: &StatusReport) -> bool {
    let open = |counts: &BTreeMap<String, u64>| {
        counts.iter().any(|(key, count)| {
            *count > 0
                && ["pending", "claimed", "in_flight"]
                    .iter()
                    .any(|state| key.ends_with(state))
        })
    };
    open(&status.inbox) || open(&status.outbox)
}

fn folder_empty(path: &Path) -> bool {
    std::fs::read_dir(path)
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(true)
}

fn summarize(
    args: &DemoArgs,
    odoo: &OdooSim,
    seed: &SeedReport,
    status: &StatusReport,
    wms_root: &Path,
    started: Instant,
    dir: Option<PathBuf>,
) -> anyhow::Result<DemoSummary> {
    let state = odoo.state_summary();
    // Deliveries only: receipts and returns are counted in `lifecycle`.
    let pickings: serde_json::Map<String, serde_json::Value> = state["pickings"]
        .as_object()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, p)| {
            p["name"]
                .as_str()
                .is_some_and(|name| name.contains("/OUT/"))
        })
        .collect();
    let count = |test: &dyn Fn(&serde_json::Value) -> bool| {
        pickings.values().filter(|p| test(p)).count() as u64
    };

    let mut orders_held = BTreeMap::new();
    for held in &seed.held {
        *orders_held.entry(held.reason.clone()).or_insert(0) += 1;
    }
    let released = status
        .pickings
        .iter()
        .filter(|(state, _)| !["held", "expected", "received"].contains(&state.as_str()))
        .map(|(_, count)| count)
        .sum();

    Ok(DemoSummary {
        odoo_version: args.odoo_version,
        orders: args.orders,
        orders_released: released,
        orders_held,
        pickings_done: count(&|p| p["state"] == "done"),
        backorders: count(&|p| p["backorder_id"].is_i64()),
        duplicates_ignored: status.duplicates,
        exceptions: status.open_exceptions.clone(),
        faults_injected: fault_counts(wms_root)?,
        odoo_calls: odoo.call_counts(),
        pickings_validated_twice: count(&|p| p["validate_count"].as_u64().unwrap_or(0) > 1),
        writes_after_done: pickings
            .values()
            .map(|p| p["writes_after_done"].as_u64().unwrap_or(0))
            .sum(),
        delivery_retries: status.retries,
        calls_per_released_order: 0.0,
        calls_per_confirmed_picking: 0.0,
        lifecycle_calls: 0,
        pickings_done_per_second: per_second(count(&|p| p["state"] == "done"), started.elapsed()),
        elapsed_ms: started.elapsed().as_millis(),
        lifecycle: LifecycleSummary::default(),
        dir,
        replay: None,
    })
}

/// Divides for a report figure, rounded to two decimals; zero when `whole` is zero.
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 / whole as f64 * 100.0).round() / 100.0
}

/// Rate per second, rounded to two decimals.
fn per_second(count: u64, elapsed: Duration) -> f64 {
    (count as f64 / elapsed.as_secs_f64().max(0.001) * 100.0).round() / 100.0
}

/// Counts the faults the WMS simulator recorded in its ledger, by name.
fn fault_counts(wms_root: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for entry in wharf_sim::wms::read_ledger(wms_root)? {
        for fault in entry.faults {
            let name = serde_json::to_value(fault)?
                .as_str()
                .map(str::to_owned)
                .unwrap_or_default();
            *counts.entry(name).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

fn print_summary(summary: &DemoSummary) {
    let json = serde_json::to_string_pretty(summary).unwrap_or_default();
    info!("Demo finished");
    println!("{json}");
}
