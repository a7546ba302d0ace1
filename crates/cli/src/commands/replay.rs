//! `wharf replay`: delivers messages that were delivered before once more,
//! through the same idempotency checks, and reports per message whether the
//! delivery changed anything. Also the replay step of `wharf demo --replay`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use async_trait::async_trait;
use clap::Args;
use jiff::Timestamp;
use serde::Serialize;
use wharf_engine::ports::PortError;
use wharf_engine::replay::{replay, ReplayReport, ReplayRequest, TrackingRead};
use wharf_engine::Engine;
use wharf_model::{EventKind, MessageId};
use wharf_odoo::{Client, OdooConfig};
use wharf_sim::odoo::OdooSim;
use wharf_store::ReplaySelection;

use crate::adapters::erp::port_error;
use crate::config::Config;
use crate::hub;

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Configuration file (TOML) naming the store, Odoo and the sites.
    #[arg(long, short)]
    config: PathBuf,
    /// Outbox message id to replay. Repeat the option for several.
    #[arg(long = "id", value_name = "ID", value_parser = parse_id)]
    ids: Vec<MessageId>,
    /// Replay messages created at or after this time (RFC 3339, for
    /// example 2026-12-05T08:00:00Z).
    #[arg(long, value_name = "TIME")]
    from: Option<Timestamp>,
    /// Replay messages created before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    to: Option<Timestamp>,
    /// Replay messages of this site code.
    #[arg(long, value_name = "CODE")]
    site: Option<String>,
    /// Replay messages of this kind, for example `shipment_apply`. Repeat
    /// the option for several kinds.
    #[arg(long = "kind", value_name = "KIND", value_parser = parse_kind)]
    kinds: Vec<EventKind>,
    /// Replay the messages of a sale order (`S00042`) or of a picking
    /// (`WH/OUT/00042`), backorders included.
    #[arg(long, value_name = "NAME")]
    order: Option<String>,
    /// Person running the replay, recorded in the audit trail. Defaults to
    /// the USER environment variable.
    #[arg(long, env = "USER", value_name = "NAME")]
    by: String,
    /// Reason for the replay, recorded in the audit trail.
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_id(text: &str) -> Result<MessageId, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        format!(
            "invalid message id {text:?}: expected a UUID such as `wharf exceptions show` prints"
        )
    })
}

fn parse_kind(text: &str) -> Result<EventKind, String> {
    EventKind::parse(text).ok_or_else(|| {
        let known: Vec<&str> = EventKind::ALL.iter().map(|kind| kind.as_str()).collect();
        format!(
            "unknown message kind {text:?}; expected one of {}",
            known.join(", ")
        )
    })
}

/// Odoo's tracking numbers read through the Odoo client, one call a picking.
#[derive(Debug)]
pub struct OdooTracking {
    client: Client,
}

impl OdooTracking {
    /// Connects a client of its own, so its calls are counted apart.
    pub async fn connect(config: &OdooConfig) -> anyhow::Result<OdooTracking> {
        let client = Client::connect(config)
            .await
            .with_context(|| format!("cannot connect to Odoo at {}", config.url))?;
        Ok(OdooTracking { client })
    }
}

#[async_trait]
impl TrackingRead for OdooTracking {
    async fn tracking_numbers(&self, picking_id: i64) -> Result<Vec<String>, PortError> {
        let records = self
            .client
            .read("stock.picking", &[picking_id], &["carrier_tracking_ref"])
            .await
            .map_err(port_error)?;
        let Some(record) = records.first() else {
            return Err(PortError::permanent(format!(
                "picking {picking_id} not found in Odoo (deleted, or not visible to the integration \
                 user): check the user's access, or leave this message out of the replay"
            )));
        };
        let numbers = wharf_odoo::values::text(record, "carrier_tracking_ref");
        Ok(numbers
            .split(',')
            .map(str::trim)
            .filter(|number| !number.is_empty())
            .map(str::to_owned)
            .collect())
    }
}

/// Runs `wharf replay`. Exits with failure when a replayed delivery failed.
pub async fn replay_command(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config)?;
    crate::logging::init(&config.log);
    let request = ReplayRequest {
        selection: ReplaySelection {
            ids: args.ids,
            from: args.from,
            to: args.to,
            site: args.site,
            kinds: args.kinds,
            order: args.order,
        },
        by: args.by,
        reason: args.reason,
    };
    // Checked before connecting, so a mistake costs no Odoo login.
    request.check()?;
    let engine = hub::build(&config).await?;
    let tracking = OdooTracking::connect(&config.odoo).await?;

    let report = replay(&engine, &request, Some(&tracking)).await?;

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &report)?;
    }
    Ok(if report.totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(out: &mut impl std::io::Write, report: &ReplayReport) -> std::io::Result<()> {
    for entry in &report.messages {
        writeln!(
            out,
            "{:<9}  {:<16} {:<18} {}  {}",
            entry.outcome.as_str(),
            entry.kind,
            entry.correlation_id,
            entry.message_id,
            entry.detail
        )?;
    }
    for id in &report.not_delivered {
        writeln!(
            out,
            "not replayed: {id} is not a delivered outbox message (unknown, pending or failed)"
        )?;
    }
    let totals = &report.totals;
    let verdict = if report.unchanged {
        "Odoo and the warehouse folders unchanged."
    } else {
        "Some deliveries changed Odoo or a warehouse folder, or failed: see the lines above."
    };
    let noun = if totals.replayed == 1 {
        "message"
    } else {
        "messages"
    };
    writeln!(
        out,
        "Replayed {} {noun}: {} unchanged, {} applied, {} failed, {} skipped. {verdict}",
        totals.replayed, totals.unchanged, totals.applied, totals.failed, totals.skipped
    )
}

/// The `replay` block of the demo summary.
#[derive(Debug, Clone, Serialize)]
pub struct DemoReplay {
    pub replayed: u64,
    pub unchanged: u64,
    pub applied: u64,
    pub failed: u64,
    /// True when Odoo's pickings, move lines, sale orders and stock quants
    /// read after the replay equal those read before it.
    pub odoo_state_unchanged: bool,
    /// Pickings and stock quants in that comparison.
    pub pickings_compared: usize,
    pub quants_compared: usize,
    /// Odoo calls counted by the simulator while the replay ran, by
    /// `model.method`; the hub's idle polls of that time are included.
    pub odoo_calls: BTreeMap<String, u64>,
    pub elapsed_ms: u128,
    pub messages_per_second: f64,
}

/// Replays every delivered `shipment_apply` message of a demo run while
/// the simulators still run, and compares Odoo's state before and after.
pub async fn replay_demo(
    engine: &Engine,
    odoo: &OdooSim,
    config: &Config,
) -> anyhow::Result<DemoReplay> {
    let tracking = OdooTracking::connect(&config.odoo).await?;
    let request = ReplayRequest {
        selection: ReplaySelection {
            kinds: vec![EventKind::ShipmentApply],
            ..ReplaySelection::default()
        },
        by: "wharf demo".to_owned(),
        reason: "check that replaying the demo's confirmations changes nothing".to_owned(),
    };
    let before = odoo_snapshot(odoo)?;
    let calls_before = odoo.call_counts();
    let started = Instant::now();

    let report = replay(engine, &request, Some(&tracking)).await?;

    let elapsed = started.elapsed();
    let odoo_calls = odoo
        .call_counts()
        .into_iter()
        .map(|(call, count)| {
            let earlier = calls_before.get(&call).copied().unwrap_or(0);
            (call, count.saturating_sub(earlier))
        })
        .filter(|(_, count)| *count > 0)
        .collect();
    let after = odoo_snapshot(odoo)?;
    let totals = report.totals;
    Ok(DemoReplay {
        replayed: totals.replayed,
        unchanged: totals.unchanged,
        applied: totals.applied,
        failed: totals.failed,
        odoo_state_unchanged: before == after,
        pickings_compared: entries(&after, "pickings"),
        quants_compared: entries(&after, "quants"),
        odoo_calls,
        elapsed_ms: elapsed.as_millis(),
        messages_per_second: (totals.replayed as f64 / elapsed.as_secs_f64().max(0.001) * 100.0)
            .round()
            / 100.0,
    })
}

/// Counts the entries of an object or array member of a snapshot.
fn entries(snapshot: &serde_json::Value, member: &str) -> usize {
    match &snapshot[member] {
        serde_json::Value::Object(map) => map.len(),
        serde_json::Value::Array(items) => items.len(),
        _ => 0,
    }
}

/// Reads the simulator's pickings (state, move lines, tracking, validation
/// counts), sale orders and stock quants, without counting calls.
pub fn odoo_snapshot(odoo: &OdooSim) -> anyhow::Result<serde_json::Value> {
    let quants = odoo
        .admin_call(
            "stock.quant",
            "search_read",
            None,
            serde_json::json!({
                "domain": [],
                "fields": ["product_id", "location_id", "lot_id", "quantity", "reserved_quantity"],
                "order": "id",
            }),
            serde_json::json!({}),
        )
        .context("cannot read the Odoo simulator's stock quants")?;
    let mut state = odoo.state_summary();
    state["quants"] = quants;
    Ok(state)
}
