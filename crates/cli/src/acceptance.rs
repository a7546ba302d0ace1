//! Acceptance targets per rollout phase, from the configuration's
//! `[acceptance]` table, and their comparison with the store's figures.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use wharf_store::AcceptanceFigures;

/// The `[acceptance]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceConfig {
    /// Phase whose targets a report uses unless `--phase` names another.
    pub phase: Option<String>,
    /// Targets by phase name, such as `pilot` or `rollout`.
    #[serde(default)]
    pub phases: BTreeMap<String, Targets>,
}

/// The targets of one phase. Each is optional; an absent one is not judged.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Lowest share of messages, in percent, that must go through without
    /// a person.
    pub message_success_rate_min: Option<Decimal>,
    /// Highest share of reconciled keys, in percent, that may differ.
    pub reconciliation_variance_max: Option<Decimal>,
    /// Most manual retries and resolutions per 1,000 messages.
    pub manual_interventions_per_1000_max: Option<Decimal>,
    /// Longest 95th-percentile latency in seconds, per outbox message kind
    /// (`order_release`, `shipment_apply`, ...).
    #[serde(default)]
    pub p95_latency_seconds_max: BTreeMap<String, Decimal>,
}

impl AcceptanceConfig {
    /// Rejects a phase name that no table defines, a percentage outside
    /// 0 to 100, a negative target, and a latency target for a name that is
    /// no message kind.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(phase) = &self.phase {
            anyhow::ensure!(
                self.phases.contains_key(phase),
                "acceptance.phase: {phase:?} has no [acceptance.phases.{phase}] table"
            );
        }
        let hundred = Decimal::from(100);
        for (name, targets) in &self.phases {
            let percents = [
                ("message_success_rate_min", targets.message_success_rate_min),
                (
                    "reconciliation_variance_max",
                    targets.reconciliation_variance_max,
                ),
            ];
            for (key, value) in percents {
                if let Some(value) = value {
                    anyhow::ensure!(
                        value >= Decimal::ZERO && value <= hundred,
                        "acceptance.phases.{name}.{key}: {value} is a percentage, so it must be between 0 and 100"
                    );
                }
            }
            if let Some(value) = targets.manual_interventions_per_1000_max {
                anyhow::ensure!(
                    value >= Decimal::ZERO,
                    "acceptance.phases.{name}.manual_interventions_per_1000_max: {value} must not be negative"
                );
            }
            for (kind, value) in &targets.p95_latency_seconds_max {
                anyhow::ensure!(
                    wharf_model::EventKind::parse(kind).is_some(),
                    "acceptance.phases.{name}.p95_latency_seconds_max: {kind:?} is not a message kind; use one such as order_release, shipment_apply or tracking_update"
                );
                anyhow::ensure!(
                    *value > Decimal::ZERO,
                    "acceptance.phases.{name}.p95_latency_seconds_max.{kind}: {value} must be above 0"
                );
            }
        }
        Ok(())
    }

    /// Returns the targets of `phase`, or of the configured phase.
    pub fn targets(&self, phase: Option<&str>) -> anyhow::Result<(String, &Targets)> {
        let known = || self.phases.keys().cloned().collect::<Vec<_>>().join(", ");
        let name = phase
            .map(str::to_owned)
            .or_else(|| self.phase.clone())
            .or_else(|| (self.phases.len() == 1).then(|| self.phases.keys().next().cloned()).flatten())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no acceptance phase chosen: pass --phase NAME or set [acceptance] phase; phases configured: [{}]",
                    known()
                )
            })?;
        let targets = self.phases.get(&name).ok_or_else(|| {
            anyhow::anyhow!(
                "acceptance phase {name:?} has no [acceptance.phases.{name}] table; phases configured: [{}]",
                known()
            )
        })?;
        Ok((name, targets))
    }
}

/// One judged line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub measure: String,
    /// `at least 99.5 %` or `at most 300 s`.
    pub target: String,
    /// The actual figure in the target's unit; `None` when the period has
    /// nothing to measure.
    pub actual: Option<Decimal>,
    pub unit: &'static str,
    /// Pass, fail, or no data.
    pub verdict: Verdict,
    /// Basis of the figure, such as `1,204 of 1,210 messages`.
    pub basis: String,
}

/// Outcome of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Nothing in the period to measure: neither pass nor fail.
    NoData,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub phase: String,
    pub figures: AcceptanceFigures,
    pub lines: Vec<Line>,
    /// True when no line failed and at least one passed.
    pub passed: bool,
}

/// Compares the figures with the phase's targets.
pub fn judge(phase: String, targets: &Targets, figures: AcceptanceFigures) -> Report {
    let mut lines = Vec::new();
    let finished = figures.inbox.succeeded
        + figures.inbox.failed
        + figures.outbox.succeeded
        + figures.outbox.failed;
    let succeeded = figures.inbox.succeeded + figures.outbox.succeeded;
    if let Some(min) = targets.message_success_rate_min {
        let actual = percent(succeeded, finished);
        lines.push(line(
            "Message success rate",
            Bound::AtLeast(min),
            actual,
            "%",
            format!("{succeeded} of {finished} finished messages went through without a person"),
        ));
    }
    if let Some(max) = targets.reconciliation_variance_max {
        let actual = percent(figures.variances, figures.compared);
        lines.push(line(
            "Reconciliation variance",
            Bound::AtMost(max),
            actual,
            "%",
            format!(
                "{} of {} keys differed in {} reconciliation runs",
                figures.variances, figures.compared, figures.reconciliations
            ),
        ));
    }
    if let Some(max) = targets.manual_interventions_per_1000_max {
        let total = figures.inbox.succeeded
            + figures.inbox.failed
            + figures.inbox.in_progress
            + figures.outbox.succeeded
            + figures.outbox.failed
            + figures.outbox.in_progress;
        let actual = (total > 0).then(|| {
            (Decimal::from(figures.manual_interventions) * Decimal::from(1000)
                / Decimal::from(total))
            .round_dp(2)
        });
        lines.push(line(
            "Manual interventions per 1,000 messages",
            Bound::AtMost(max),
            actual,
            "",
            format!(
                "{} manual retries and resolutions over {total} messages",
                figures.manual_interventions
            ),
        ));
    }
    for (kind, max) in &targets.p95_latency_seconds_max {
        let latency = figures
            .latency
            .get(kind)
            .filter(|latency| latency.count > 0);
        let actual = latency.map(|latency| Decimal::from(latency.p95_ms) / Decimal::from(1000));
        let basis = latency.map_or_else(
            || format!("no {kind} message delivered in the period"),
            |latency| {
                format!(
                    "{} {kind} messages; median {} ms, max {} ms",
                    latency.count, latency.p50_ms, latency.max_ms
                )
            },
        );
        lines.push(line(
            &format!("p95 latency of {kind}"),
            Bound::AtMost(*max),
            actual,
            "s",
            basis,
        ));
    }
    // A report with nothing measured proves nothing, so it does not pass.
    let passed = lines.iter().all(|line| line.verdict != Verdict::Fail)
        && lines.iter().any(|line| line.verdict == Verdict::Pass);
    Report {
        phase,
        figures,
        lines,
        passed,
    }
}

enum Bound {
    AtLeast(Decimal),
    AtMost(Decimal),
}

fn line(
    measure: &str,
    bound: Bound,
    actual: Option<Decimal>,
    unit: &'static str,
    basis: String,
) -> Line {
    let (target, verdict) = match bound {
        Bound::AtLeast(min) => (format!("at least {min} {unit}"), actual.map(|a| a >= min)),
        Bound::AtMost(max) => (format!("at most {max} {unit}"), actual.map(|a| a <= max)),
    };
    Line {
        measure: measure.to_owned(),
        target: target.trim_end().to_owned(),
        actual,
        unit,
        verdict: match verdict {
            Some(true) => Verdict::Pass,
            Some(false) => Verdict::Fail,
            None => Verdict::NoData,
        },
        basis,
    }
}

/// `part / whole` in percent with two decimals; `None` for an empty whole.
fn percent(part: u64, whole: u64) -> Option<Decimal> {
    (whole > 0)
        .then(|| (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).round_dp(2))
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use wharf_store::{Latency, Outcomes};

    use super::*;

    fn figures() -> AcceptanceFigures {
        AcceptanceFigures {
            inbox: Outcomes {
                succeeded: 990,
                failed: 10,
                in_progress: 0,
            },
            outbox: Outcomes {
                succeeded: 1000,
                failed: 0,
                in_progress: 0,
            },
            latency: [(
                "shipment_apply".to_owned(),
                Latency {
                    count: 10,
                    p50_ms: 800,
                    p95_ms: 2500,
                    max_ms: 4000,
                },
            )]
            .into(),
            compared: 200,
            variances: 3,
            reconciliations: 2,
            manual_interventions: 4,
            ..AcceptanceFigures::default()
        }
    }

    #[test]
    fn judge_empty_phase_fails() {
        let report = judge("empty".to_owned(), &Targets::default(), figures());
        assert!(report.lines.is_empty());
        assert!(!report.passed);
    }

    #[test]
    fn judge_without_data_fails() {
        let targets = Targets {
            message_success_rate_min: Some(dec!(99)),
            ..Targets::default()
        };
        let empty = AcceptanceFigures::default();
        let report = judge("pilot".to_owned(), &targets, empty);
        assert_eq!(report.lines[0].verdict, Verdict::NoData);
        assert!(!report.passed);
    }

    #[test]
    fn judge_each_target() {
        let targets = Targets {
            message_success_rate_min: Some(dec!(99.6)),
            reconciliation_variance_max: Some(dec!(2)),
            manual_interventions_per_1000_max: Some(dec!(1)),
            p95_latency_seconds_max: [
                ("shipment_apply".to_owned(), dec!(3)),
                ("order_release".to_owned(), dec!(60)),
            ]
            .into(),
        };
        let report = judge("pilot".to_owned(), &targets, figures());
        let verdicts: Vec<(&str, Verdict, Option<Decimal>)> = report
            .lines
            .iter()
            .map(|line| (line.measure.as_str(), line.verdict, line.actual))
            .collect();
        let expected = vec![
            ("Message success rate", Verdict::Fail, Some(dec!(99.50))),
            ("Reconciliation variance", Verdict::Pass, Some(dec!(1.50))),
            (
                "Manual interventions per 1,000 messages",
                Verdict::Fail,
                Some(dec!(2.00)),
            ),
            ("p95 latency of order_release", Verdict::NoData, None),
            (
                "p95 latency of shipment_apply",
                Verdict::Pass,
                Some(dec!(2.5)),
            ),
        ];
        assert_eq!(verdicts, expected);
        assert!(!report.passed);
    }
}
