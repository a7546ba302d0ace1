//! `wharf reconcile`: reconciles a site's latest snapshot with Odoo now,
//! and writes the variance report.

mod report;

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest as _, Sha256};
use wharf_engine::inventory::{Progress, ReconcileOptions, ReconcileOutcome};
use wharf_engine::ports::InFile;
use wharf_engine::{Engine, Site};
use wharf_model::EventKind;
use wharf_store::OutboxState;

use crate::config::Config;

/// Options of `wharf reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Configuration file (TOML).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Code of the site to reconcile.
    #[arg(long)]
    pub site: String,
    /// Queue differences within the threshold as adjustments and deliver
    /// them to Odoo; without it the report is written and nothing changes.
    #[arg(long)]
    pub apply: bool,
    /// Report path; `.csv` and `.json` files are written beside each other
    /// (`--output var/report` writes `var/report.csv` and `var/report.json`).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Snapshot file to reconcile instead of the newest one in the site's
    /// inventory folder; it is left where it is.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
}

/// Runs `wharf reconcile`.
pub async fn reconcile(args: ReconcileArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let engine = crate::hub::build(&config).await?;
    let site = engine
        .sites
        .iter()
        .find(|site| site.code() == args.site)
        .cloned()
        .with_context(|| {
            let codes: Vec<&str> = engine.sites.iter().map(Site::code).collect();
            format!(
                "site {:?} is not in the configuration (sites: {})",
                args.site,
                codes.join(", ")
            )
        })?;
    let inventory = site.inventory.clone().with_context(|| {
        format!(
            "site {} has no [sites.inventory] section; add one to reconcile its stock",
            args.site
        )
    })?;

    let (file, from_folder) = match &args.snapshot {
        Some(path) => (read_snapshot(path)?, false),
        None => (newest_snapshot(&site).await?, true),
    };
    let progress = TerminalProgress::new();
    // Without --apply the run only reports: no adjustment, no exception.
    let options = ReconcileOptions {
        apply: args.apply,
        raise_exceptions: args.apply,
    };
    let outcome = engine
        .reconcile_file(&site, &file, options, &progress)
        .await
        .with_context(|| format!("reconciliation of {} failed", file.name))?;
    progress.finish();
    if from_folder {
        inventory
            .files
            .archive(&file)
            .await
            .with_context(|| format!("cannot archive snapshot {}", file.name))?;
    }

    let delivered = if args.apply {
        deliver(&engine).await?
    } else {
        0
    };
    if let Some(output) = &args.output {
        report::write_files(output, &outcome)?;
    }
    let adjustment = adjustment_state(&engine, &outcome).await?;
    let mut out = std::io::stdout().lock();
    report::write_summary(&mut out, &outcome, delivered)?;
    match adjustment {
        AdjustmentState::None | AdjustmentState::Delivered => Ok(ExitCode::SUCCESS),
        AdjustmentState::Waiting => {
            writeln!(
                out,
                "The adjustments are not in Odoo yet: a delivery attempt failed and `wharf run` retries it."
            )?;
            Ok(ExitCode::FAILURE)
        }
        AdjustmentState::Failed(detail) => {
            writeln!(out, "The adjustments were not applied in Odoo: {detail}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// State of the reconciliation's adjustments after the delivery attempt.
enum AdjustmentState {
    None,
    Delivered,
    /// Pending or in flight: a transient failure will be retried.
    Waiting,
    /// Stopped on an exception, with its detail.
    Failed(String),
}

async fn adjustment_state(
    engine: &Engine,
    outcome: &ReconcileOutcome,
) -> anyhow::Result<AdjustmentState> {
    let Some(id) = outcome.adjustment else {
        return Ok(AdjustmentState::None);
    };
    let messages = engine
        .store
        .stock_messages(
            &outcome.summary.site,
            &[EventKind::InventoryApply],
            outcome.summary.finished_at,
        )
        .await?;
    let state = messages
        .iter()
        .find(|message| message.envelope.id == id)
        .map(|message| message.state);
    Ok(match state {
        Some(OutboxState::Delivered) | None => AdjustmentState::Delivered,
        Some(OutboxState::Pending | OutboxState::InFlight) => AdjustmentState::Waiting,
        Some(OutboxState::Failed) => {
            let exceptions = engine.store.exceptions(false).await?;
            let detail = exceptions
                .into_iter()
                .find(|exception| exception.message_id == Some(id))
                .map_or_else(
                    || "see `wharf status`".to_owned(),
                    |exception| exception.detail,
                );
            AdjustmentState::Failed(detail)
        }
    })
}

/// Delivers the queued adjustments (and anything else due for Odoo).
async fn deliver(engine: &Engine) -> anyhow::Result<usize> {
    engine
        .deliver_odoo()
        .await
        .context("delivering the adjustments to Odoo failed; `wharf run` retries them")
}

fn read_snapshot(path: &Path) -> anyhow::Result<InFile> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read snapshot file {}", path.display()))?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(InFile {
        name,
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes,
        handle: path.display().to_string(),
    })
}

/// Picks the newest complete snapshot file in the site's inventory folder.
async fn newest_snapshot(site: &Site) -> anyhow::Result<InFile> {
    let inventory = site.inventory.as_ref().expect("checked by the caller");
    let files = inventory
        .files
        .scan()
        .await
        .with_context(|| format!("cannot scan the inventory folder of site {}", site.code()))?;
    files
        .into_iter()
        .rfind(|file| file.name.starts_with(&inventory.rules.snapshot_prefix))
        .with_context(|| {
            format!(
                "no snapshot file (name starting with {:?}) in the inventory folder of site {}; \
                 wait for the warehouse's next snapshot or pass --snapshot FILE",
                inventory.rules.snapshot_prefix,
                site.code()
            )
        })
}

/// A spinner with the stage and row count on a terminal; silent otherwise.
struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    fn new() -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}: {human_pos} rows ({elapsed})")
                    .expect("progress template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Self { bar }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for TerminalProgress {
    fn stage(&self, name: &str, _rows: Option<u64>) {
        self.bar.set_position(0);
        self.bar.set_message(name.to_owned());
    }

    fn advance(&self, rows: u64) {
        self.bar.inc(rows);
    }
}
