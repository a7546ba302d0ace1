//! `wharf report`: the acceptance report of a period, actual figures
//! against the phase's targets, as JSON or a standalone HTML page.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use jiff::civil::Date;
use jiff::{tz::TimeZone, Timestamp};
use maud::{html, Markup, DOCTYPE};

use crate::acceptance::{judge, Report, Verdict};
use crate::config::Config;
use crate::hub::open_existing_store;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Configuration file (TOML) naming the store and the targets.
    #[arg(long, short)]
    config: PathBuf,
    /// Start of the period: a date (`2026-12-01`, midnight UTC) or an
    /// RFC 3339 time.
    #[arg(long, value_parser = parse_time)]
    from: Timestamp,
    /// End of the period, excluded; a date means midnight UTC at its start,
    /// so `--to 2026-12-08` ends with December 7.
    #[arg(long, value_parser = parse_time)]
    to: Timestamp,
    /// Phase whose targets to use; defaults to `[acceptance] phase`.
    #[arg(long)]
    phase: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Html,
    Json,
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let date: Date = text.parse().map_err(|_| {
        format!("{text:?} is neither a date like 2026-12-01 nor a time like 2026-12-01T08:00:00Z")
    })?;
    date.to_zoned(TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .map_err(|error| format!("{text:?}: {error}"))
}

pub async fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.from < args.to,
        "--from {} is not before --to {}: the period would be empty",
        args.from,
        args.to
    );
    let config = Config::load(&args.config)?;
    let (phase, targets) = config.acceptance.targets(args.phase.as_deref())?;
    let store = open_existing_store(&config).await?;
    let figures = store.acceptance(args.from, args.to).await?;
    let report = judge(phase, targets, figures);
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Html => page(&report).into_string(),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    // A missed target is the report's finding, and the exit status lets a
    // pipeline stop on it.
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Renders the report as one HTML page with no outside resources.
pub fn page(report: &Report) -> Markup {
    let period = format!(
        "{} to {}",
        report.figures.from.strftime("%Y-%m-%d %H:%M UTC"),
        report.figures.to.strftime("%Y-%m-%d %H:%M UTC")
    );
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Wharf acceptance report: " (report.phase) }
                style { (STYLE) }
            }
            body {
                h1 { "Acceptance report, phase " (report.phase) }
                p { "Period: " (period) }
                p.overall data-verdict=(if report.passed { "pass" } else { "fail" }) {
                    @if report.passed { "Every target with data is met." }
                    @else if report.lines.iter().any(|line| line.verdict == Verdict::Fail) { "At least one target is missed." }
                    @else { "No target had data in the period, so nothing is shown as met." }
                }
                table {
                    thead { tr { th { "Measure" } th { "Target" } th { "Actual" } th { "Result" } th { "Based on" } } }
                    tbody {
                        @for line in &report.lines {
                            tr {
                                td { (line.measure) }
                                td { (line.target) }
                                td { @match line.actual { Some(actual) => { (actual) " " (line.unit) }, None => "no data" } }
                                td class=(verdict_class(line.verdict)) { (verdict_text(line.verdict)) }
                                td { (line.basis) }
                            }
                        }
                    }
                }
                @if report.lines.is_empty() {
                    p { "The phase sets no targets: add them under [acceptance.phases." (report.phase) "]." }
                }
            }
        }
    }
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::NoData => "no data",
    }
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::NoData => "none",
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2329}\
table{border-collapse:collapse}th,td{border:1px solid #c9d1d9;padding:.4rem .7rem;text-align:left}\
th{background:#f1f4f7}td:nth-child(-n+4){white-space:nowrap}.pass{color:#116329;font-weight:600}.fail{color:#b42318;font-weight:700}\
.none{color:#6b7280}.overall[data-verdict=fail]{color:#b42318}.overall[data-verdict=pass]{color:#116329}";
