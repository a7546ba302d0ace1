//! Reads figures for the technical page back from the process's own
//! Prometheus text, so the page and `/metrics` never disagree.

use std::collections::BTreeMap;

/// Calls of one Odoo model and method since the process started.
#[derive(Debug, Clone, PartialEq)]
pub struct CallStats {
    pub model: String,
    pub method: String,
    pub calls: u64,
    /// Calls whose outcome was not `ok`.
    pub errors: u64,
    /// Upper bound of the histogram bucket that contains the 95th percentile
    /// duration, in seconds; `None` without samples.
    pub p95_seconds: Option<f64>,
}

const CALLS: &str = "wharf_odoo_calls_total";
const DURATION_BUCKET: &str = "wharf_odoo_call_duration_seconds_bucket";

/// Odoo calls by model and method, busiest first.
pub fn odoo_calls(text: &str) -> Vec<CallStats> {
    let mut stats: BTreeMap<(String, String), CallStats> = BTreeMap::new();
    let mut buckets: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let Some((name, labels, value)) = sample(line) else {
            continue;
        };
        let key = (label(labels, "model"), label(labels, "method"));
        if name == CALLS {
            let entry = stats.entry(key.clone()).or_insert_with(|| CallStats {
                model: key.0.clone(),
                method: key.1.clone(),
                calls: 0,
                errors: 0,
                p95_seconds: None,
            });
            let count = count(value);
            entry.calls += count;
            if label(labels, "outcome") != "ok" {
                entry.errors += count;
            }
        } else if name == DURATION_BUCKET {
            let bound = match label(labels, "le").as_str() {
                "+Inf" => f64::INFINITY,
                other => other.parse().unwrap_or(f64::INFINITY),
            };
            buckets.entry(key).or_default().push((bound, value));
        }
    }
    for (key, mut bounds) in buckets {
        if let Some(entry) = stats.get_mut(&key) {
            bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
            entry.p95_seconds = percentile(&bounds, 0.95);
        }
    }
    let mut list: Vec<CallStats> = stats.into_values().collect();
    list.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.model.cmp(&b.model)));
    list
}

/// Returns the bound of the first cumulative bucket that contains `share`
/// of the samples.
fn percentile(cumulative: &[(f64, f64)], share: f64) -> Option<f64> {
    let total = cumulative.last()?.1;
    if total <= 0.0 {
        return None;
    }
    cumulative
        .iter()
        .find(|(_, count)| *count >= total * share)
        .map(|(bound, _)| *bound)
}

/// Splits `name{labels} value` into its parts.
fn sample(line: &str) -> Option<(&str, &str, f64)> {
    let (series, value) = line.rsplit_once(' ')?;
    let value: f64 = value.trim().parse().ok()?;
    match series.split_once('{') {
        Some((name, rest)) => Some((name, rest.strip_suffix('}')?, value)),
        None => Some((series, "", value)),
    }
}

/// Returns the value of one label, or an empty string when it is absent. Label values in Wharf's
/// metrics are model, method and outcome names, which contain no quotes.
fn label(labels: &str, name: &str) -> String {
    labels
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .unwrap_or_default()
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "Prometheus counters are non-negative whole numbers written as floats"
)]
fn count(value: f64) -> u64 {
    value.max(0.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# TYPE wharf_odoo_calls_total counter
wharf_odoo_calls_total{model="stock.picking",method="read",outcome="ok"} 95
wharf_odoo_calls_total{model="stock.picking",method="read",outcome="transient"} 5
wharf_odoo_calls_total{model="res.partner",method="read",outcome="ok"} 10
wharf_odoo_call_duration_seconds_bucket{model="stock.picking",method="read",le="0.01"} 50
wharf_odoo_call_duration_seconds_bucket{model="stock.picking",method="read",le="0.05"} 94
wharf_odoo_call_duration_seconds_bucket{model="stock.picking",method="read",le="0.1"} 99
wharf_odoo_call_duration_seconds_bucket{model="stock.picking",method="read",le="+Inf"} 100
"#;

    #[test]
    fn odoo_calls_counts_and_p95() {
        let stats = odoo_calls(TEXT);
        assert_eq!(stats.len(), 2);
        let picking = &stats[0];
        assert_eq!(
            (picking.model.as_str(), picking.method.as_str()),
            ("stock.picking", "read")
        );
        assert_eq!((picking.calls, picking.errors), (100, 5));
        assert_eq!(picking.p95_seconds, Some(0.1));
        assert_eq!(stats[1].p95_seconds, None);
    }

    #[test]
    fn odoo_calls_skips_other_lines() {
        let stats = odoo_calls("wharf_other_total 3\nnot a sample\n");
        assert!(stats.is_empty());
    }
}
