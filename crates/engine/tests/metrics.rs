//! The engine's metrics and connector contacts after a small flow: two
//! orders released, a confirmation file that ships one and raises an
//! exception for the other, and the same file dropped again.
//!
//! The debugging recorder is global to this test binary and each snapshot
//! drains its counters, so the whole flow runs in one test.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use common::{order, settle, MemoryFolder, RecordingErp};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::MetricKind;
use wharf_engine::health::{self, Contacts};
use wharf_engine::ports::{Erp, WarehouseFiles};
use wharf_engine::telemetry::GaugeSampler;
use wharf_engine::{Engine, EngineSettings, Site, SiteRules};
use wharf_formats::Layout;

use wharf_store_sqlite::SqliteStore;

mod common;

/// A metric as the test looks it up: name and sorted `label=value` pairs.
type Series = (String, Vec<String>);

/// Values of one snapshot: counters and gauges as numbers, histograms as
/// their sample counts.
struct Metrics {
    counters: BTreeMap<Series, u64>,
    gauges: BTreeMap<Series, f64>,
    histograms: BTreeMap<Series, usize>,
}

impl Metrics {
    fn counter(&self, name: &str, labels: &[&str]) -> u64 {
        self.counters
            .get(&series(name, labels))
            .copied()
            .unwrap_or(0)
    }

    fn gauge(&self, name: &str, labels: &[&str]) -> Option<f64> {
        self.gauges.get(&series(name, labels)).copied()
    }

    /// Lists the series of a metric, for failure messages.
    fn names(&self, name: &str) -> Vec<&Series> {
        self.counters
            .keys()
            .chain(self.gauges.keys())
            .chain(self.histograms.keys())
            .filter(|(metric, _)| metric == name)
            .collect()
    }
}

fn series(name: &str, labels: &[&str]) -> Series {
    let mut labels: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
    labels.sort();
    (name.to_owned(), labels)
}

fn snapshot(snapshotter: &metrics_util::debugging::Snapshotter) -> Metrics {
    let mut metrics = Metrics {
        counters: BTreeMap::new(),
        gauges: BTreeMap::new(),
        histograms: BTreeMap::new(),
    };
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let labels: Vec<String> = key
            .key()
            .labels()
            .map(|label| format!("{}={}", label.key(), label.value()))
            .collect();
        let mut labels = labels;
        labels.sort();
        let id = (key.key().name().to_owned(), labels);
        match (key.kind(), value) {
            (MetricKind::Counter, DebugValue::Counter(count)) => {
                metrics.counters.insert(id, count);
            }
            (MetricKind::Gauge, DebugValue::Gauge(value)) => {
                metrics.gauges.insert(id, value.into_inner());
            }
            (MetricKind::Histogram, DebugValue::Histogram(values)) => {
                metrics.histograms.insert(id, values.len());
            }
            (kind, value) => panic!("metric {id:?} of kind {kind:?} has value {value:?}"),
        }
    }
    metrics
}

fn manifest_path(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[tokio::test]
async fn flow_moves_counters_and_gauges() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("no other recorder in this binary");

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("wharf.db"))
        .await
        .unwrap();
    let erp = Arc::new(RecordingErp::default());
    let folder = Arc::new(MemoryFolder::default());
    let rules: SiteRules =
        serde_json::from_value(serde_json::json!({"code": "main", "warehouses": ["WH"]})).unwrap();
    let layout_toml = std::fs::read_to_string(manifest_path(
        "../formats/tests/layouts/odc_despatch_confirm.toml",
    ))
    .unwrap();
    let engine = Engine {
        store: Arc::new(store),
        erp: Arc::clone(&erp) as Arc<dyn Erp>,
        sites: vec![Site {
            rules,
            order_layout: Arc::new(wharf_formats::default_order_layout()),
            confirmation_layout: Arc::new(Layout::from_toml(&layout_toml).unwrap()),
            files: Arc::clone(&folder) as Arc<dyn WarehouseFiles>,
            inventory: None,
            lifecycle: None,
            account: None,
        }],
        settings: EngineSettings::default(),
        owner: "test".to_owned(),
        contacts: Contacts::default(),
    };

    // Release two orders; the sample file ships 4711 and ships nothing of
    // 4712, which raises a `nothing_shipped` exception.
    *erp.ready.lock().unwrap() = vec![
        order(4711, "4711", &[("SKU-RED-M", 2), ("SKU-RED-L", 1)]),
        order(4712, "4712", &[("SKU-BLU-S", 3)]),
    ];
    settle(&engine).await;
    let confirmation = std::fs::read(manifest_path(
        "../../fixtures/samples/wms_semicolon_odc_despatch_confirm.txt",
    ))
    .unwrap();
    folder.drop_file("despatch.txt", &confirmation);
    settle(&engine).await;
    folder.drop_file("despatch-again.txt", &confirmation);
    settle(&engine).await;
    GaugeSampler::default()
        .sample(&*engine.store)
        .await
        .unwrap();

    let metrics = snapshot(&snapshotter);
    let messages = "wharf_messages_total";

    // Ingested: two pickings and one file are new, the second copy of the
    // file is a duplicate of the first.
    let ingested = |kind: &str, outcome: &str| {
        metrics.counter(
            messages,
            &[
                "stage=ingested",
                &format!("kind={kind}"),
                &format!("outcome={outcome}"),
            ],
        )
    };
    assert_eq!(
        ingested("picking_ready", "new"),
        2,
        "{:?}",
        metrics.names(messages)
    );
    assert_eq!(ingested("shipment_confirmed", "new"), 1);
    assert_eq!(ingested("shipment_confirmed", "duplicate"), 1);

    // Handled: both pickings became order files.
    let handled = |kind: &str, outcome: &str| {
        metrics.counter(
            messages,
            &[
                "stage=handled",
                &format!("kind={kind}"),
                &format!("outcome={outcome}"),
            ],
        )
    };
    assert_eq!(handled("picking_ready", "handled"), 2);
    // The file is handled although one of its pickings raised an exception.
    assert_eq!(
        handled("shipment_confirmed", "handled"),
        1,
        "{:?}",
        metrics.names(messages)
    );
    assert_eq!(handled("shipment_confirmed", "exception"), 0);

    // Delivered: two order files to the folder and one shipment to Odoo.
    let delivered = |kind: &str| {
        metrics.counter(
            messages,
            &[
                "stage=delivered",
                &format!("kind={kind}"),
                "outcome=delivered",
            ],
        )
    };
    assert_eq!(delivered("order_release"), 2);
    assert_eq!(
        delivered("shipment_apply"),
        1,
        "{:?}",
        metrics.names(messages)
    );
    let attempts = "wharf_delivery_attempts_total";
    assert_eq!(
        metrics.counter(attempts, &["sink=folder:main", "outcome=delivered"]),
        2
    );
    assert_eq!(
        metrics.counter(attempts, &["sink=odoo", "outcome=delivered"]),
        1
    );
    assert_eq!(
        metrics.counter(attempts, &["sink=odoo", "outcome=retry"]),
        0
    );
    let durations = &metrics.histograms;
    assert_eq!(
        durations.get(&series(
            "wharf_delivery_duration_seconds",
            &["sink=folder:main"]
        )),
        Some(&2)
    );
    assert_eq!(
        durations.get(&series("wharf_delivery_duration_seconds", &["sink=odoo"])),
        Some(&1)
    );

    // Gauges sampled from the store.
    let depth = "wharf_queue_depth";
    assert_eq!(
        metrics.gauge(depth, &["queue=outbox", "state=delivered"]),
        Some(3.0),
        "{:?}",
        metrics.names(depth)
    );
    let status = engine.store.status().await.unwrap();
    let handled_inbox: u64 = status
        .inbox
        .iter()
        .filter(|(kind_state, _)| kind_state.ends_with("/handled"))
        .map(|(_, count)| count)
        .sum();
    assert!(handled_inbox >= 3, "{:?}", status.inbox);
    let handled_inbox = handled_inbox as f64;
    assert_eq!(
        metrics.gauge(depth, &["queue=inbox", "state=handled"]),
        Some(handled_inbox)
    );
    let exceptions = engine.store.exceptions(false).await.unwrap();
    assert_eq!(exceptions.len(), 1, "{exceptions:?}");
    let owner = format!("owner={}", exceptions[0].owner);
    assert_eq!(
        metrics.gauge("wharf_exceptions_open", &[&owner, "kind=nothing_shipped"]),
        Some(1.0),
        "{:?}",
        metrics.names("wharf_exceptions_open")
    );
    let age = metrics
        .gauge("wharf_exception_oldest_age_seconds", &[&owner])
        .expect("the owner's oldest exception age is set");
    assert!((0.0..60.0).contains(&age), "age {age}");

    // Connectors: Odoo and the site's folder replied.
    assert_eq!(
        metrics.gauge("wharf_connector_up", &["connector=odoo"]),
        Some(1.0)
    );
    assert_eq!(
        metrics.gauge("wharf_connector_up", &["connector=site:main"]),
        Some(1.0)
    );
    let now = jiff::Timestamp::now().as_second();
    #[allow(
        clippy::cast_possible_truncation,
        reason = "Unix seconds as the gauge holds them"
    )]
    let last = metrics
        .gauge("wharf_connector_last_contact_seconds", &["connector=odoo"])
        .expect("the last contact is set") as i64;
    assert!(
        (now - 60..=now).contains(&last),
        "last contact {last}, now {now}"
    );
    let contacts = engine.contacts.snapshot();
    let names: Vec<&str> = contacts.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, [health::ODOO, "site:main"]);
    assert!(contacts
        .iter()
        .all(|(_, contact)| contact.last_ok.is_some()));
    assert!(contacts
        .iter()
        .all(|(_, contact)| contact.last_error.is_none()));

    // A transient failure turns the connector down.
    engine
        .contacts
        .failed(health::ODOO, "common.version failed: timed out");
    let metrics = snapshot(&snapshotter);
    assert_eq!(
        metrics.gauge("wharf_connector_up", &["connector=odoo"]),
        Some(0.0)
    );
}
