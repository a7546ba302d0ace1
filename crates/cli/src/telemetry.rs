//! The Prometheus recorder behind the hub's `/metrics`.
//!
//! The Odoo client and the engine report through the `metrics` facade;
//! [`prometheus`] installs the one recorder of the process that turns those
//! reports into Prometheus text. The recorder has no HTTP listener of its
//! own: the server renders [`PrometheusHandle::render`] on its route.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Histogram buckets for Odoo calls, in seconds, from 5 ms to 30 s. The
/// client's default `timeout_secs` is 30, so no call lasts longer unless the
/// configuration raises it.
const ODOO_CALL_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
];

/// Histogram buckets for deliveries, in seconds. A folder write takes
/// milliseconds, but an Odoo delivery is timed from the start of its sink
/// pass, which may validate a whole batch of shipments first, so the
/// buckets reach 120 s.
const DELIVERY_BUCKETS: [f64; 13] = [
    0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// Interval of the upkeep that drains histogram samples into their buckets,
/// so memory stays bounded while `/metrics` is not scraped.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The outcome of the one install attempt of this process.
static RECORDER: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the Prometheus recorder on the first call and returns its
/// handle; later calls return the same handle. `render()` on the handle
/// returns every Wharf metric in Prometheus text format.
///
/// # Errors
///
/// Fails, on every call, when another recorder was installed in this
/// process first, such as a test's debugging recorder.
pub fn prometheus() -> anyhow::Result<PrometheusHandle> {
    RECORDER
        .get_or_init(install)
        .clone()
        .map_err(anyhow::Error::msg)
}

/// Builds the recorder, installs it globally, registers the help texts and
/// starts the upkeep thread.
fn install() -> Result<PrometheusHandle, String> {
    let recorder = builder()
        .map_err(|error| format!("invalid histogram buckets: {error}"))?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).map_err(|_| {
        "cannot install the Prometheus recorder: another metrics recorder is already installed in this process; \
         call wharf::telemetry::prometheus() before installing any other"
            .to_owned()
    })?;
    wharf_engine::telemetry::describe();
    describe_odoo();
    start_upkeep(handle.clone());
    Ok(handle)
}

fn builder() -> Result<PrometheusBuilder, metrics_exporter_prometheus::BuildError> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(wharf_odoo::CALL_DURATION_METRIC.to_owned()),
            &ODOO_CALL_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(wharf_engine::telemetry::DELIVERY_DURATION.to_owned()),
            &DELIVERY_BUCKETS,
        )
}

fn describe_odoo() {
    metrics::describe_counter!(
        wharf_odoo::CALLS_METRIC,
        "Odoo calls by model, method and outcome (ok, transient, permanent, defect)"
    );
    metrics::describe_histogram!(
        wharf_odoo::CALL_DURATION_METRIC,
        metrics::Unit::Seconds,
        "Duration of Odoo calls by model and method"
    );
}

/// Runs the recorder's upkeep on a background thread for the life of the
/// process.
fn start_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP_INTERVAL);
            handle.run_upkeep();
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "Could not start the metrics upkeep thread; histograms are drained only when /metrics is read");
    }
}
