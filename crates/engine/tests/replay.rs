//! Replay on the real SQLite store and codecs, with Odoo replaced by a fake
//! that keeps state the way Odoo does: a validated picking stays validated
//! and a picking keeps its tracking numbers. Replaying what was delivered
//! must change nothing and report it. Replaying after Odoo lost an effect
//! must apply it again and report that.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::{order, settle, MemoryFolder, RecordingErp};
use wharf_engine::inventory::InventoryPlan;
use wharf_engine::lifecycle::{FollowUp, IncomingReceipt, PickingNow, ReceiptPlan, ReceiptResult};
use wharf_engine::ports::{Erp, InventoryResult, OdooStock, PortError, ShipResult, WarehouseFiles};
use wharf_engine::replay::{replay, ReplayError, ReplayOutcome, ReplayRequest, TrackingRead};
use wharf_engine::shipment::ShipmentPlan;
use wharf_engine::{Engine, EngineSettings, Site, SiteRules};
use wharf_formats::Layout;
use wharf_model::{EventKind, OrderRelease};
use wharf_store::ReplaySelection;
use wharf_store_sqlite::SqliteStore;

mod common;

/// Odoo with state: pickings validated once stay validated, and tracking
/// numbers are kept per picking. Everything else goes to the recorder.
#[derive(Debug, Default)]
struct StatefulErp {
    inner: RecordingErp,
    validated: Mutex<HashSet<i64>>,
    /// Validations made, including those of a replay.
    validations: Mutex<u64>,
    tracking: Mutex<BTreeMap<i64, Vec<String>>>,
}

impl StatefulErp {
    /// Forgets that a picking was validated, as a restore of Odoo would.
    fn forget(&self, picking_id: i64) {
        self.validated.lock().unwrap().remove(&picking_id);
    }

    fn validations(&self) -> u64 {
        *self.validations.lock().unwrap()
    }
}

#[async_trait]
impl Erp for StatefulErp {
    async fn ready_pickings(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<OrderRelease>, PortError> {
        self.inner.ready_pickings(warehouses, after).await
    }

    async fn pickings_by_id(
        &self,
        warehouses: &[String],
        picking_ids: &[i64],
    ) -> Result<Vec<OrderRelease>, PortError> {
        self.inner.pickings_by_id(warehouses, picking_ids).await
    }

    async fn apply_shipments(
        &self,
        batch: &[ShipmentPlan],
    ) -> Vec<(i64, Result<ShipResult, PortError>)> {
        let mut validated = self.validated.lock().unwrap();
        batch
            .iter()
            .map(|plan| {
                let backorder = None;
                if validated.insert(plan.picking_id) {
                    *self.validations.lock().unwrap() += 1;
                    (plan.picking_id, Ok(ShipResult::Validated { backorder }))
                } else {
                    (plan.picking_id, Ok(ShipResult::AlreadyDone { backorder }))
                }
            })
            .collect()
    }

    async fn add_tracking(&self, picking_id: i64, tracking: &[String]) -> Result<(), PortError> {
        let mut by_picking = self.tracking.lock().unwrap();
        let numbers = by_picking.entry(picking_id).or_default();
        for number in tracking {
            if !numbers.contains(number) {
                numbers.push(number.clone());
            }
        }
        Ok(())
    }

    async fn apply_inventory(&self, plan: &InventoryPlan) -> Result<InventoryResult, PortError> {
        self.inner.apply_inventory(plan).await
    }

    async fn stock_on_hand(&self, locations: &[String]) -> Result<Vec<OdooStock>, PortError> {
        self.inner.stock_on_hand(locations).await
    }

    async fn internal_locations(&self, under: &[String]) -> Result<Vec<String>, PortError> {
        self.inner.internal_locations(under).await
    }

    async fn pickings_now(&self, picking_ids: &[i64]) -> Result<Vec<PickingNow>, PortError> {
        self.inner.pickings_now(picking_ids).await
    }

    async fn expected_receipts(
        &self,
        warehouses: &[String],
        after: Option<(&str, i64)>,
    ) -> Result<Vec<IncomingReceipt>, PortError> {
        self.inner.expected_receipts(warehouses, after).await
    }

    async fn apply_receipt(&self, plan: &ReceiptPlan) -> Result<ReceiptResult, PortError> {
        self.inner.apply_receipt(plan).await
    }

    async fn post_note(&self, picking_id: i64, body: &str) -> Result<(), PortError> {
        self.inner.post_note(picking_id, body).await
    }

    async fn schedule_follow_up(&self, follow_up: &FollowUp) -> Result<bool, PortError> {
        self.inner.schedule_follow_up(follow_up).await
    }
}

#[async_trait]
impl TrackingRead for StatefulErp {
    async fn tracking_numbers(&self, picking_id: i64) -> Result<Vec<String>, PortError> {
        Ok(self
            .tracking
            .lock()
            .unwrap()
            .get(&picking_id)
            .cloned()
            .unwrap_or_default())
    }
}

struct Harness {
    engine: Engine,
    erp: Arc<StatefulErp>,
    folder: Arc<MemoryFolder>,
    _dir: tempfile::TempDir,
}

/// Releases four orders and confirms them with the Japanese sample file,
/// whose last row adds a second tracking number to picking 4.
async fn shipped_harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("wharf.db"))
        .await
        .unwrap();
    let erp = Arc::new(StatefulErp::default());
    let folder = Arc::new(MemoryFolder::default());
    let rules: SiteRules =
        serde_json::from_value(serde_json::json!({"code": "main", "warehouses": ["WH"]})).unwrap();
    let site = Site {
        rules,
        order_layout: Arc::new(wharf_formats::default_order_layout()),
        confirmation_layout: Arc::new(layout("jp_shipped_tracking.toml")),
        files: Arc::clone(&folder) as Arc<dyn WarehouseFiles>,
        inventory: None,
        lifecycle: None,
        account: None,
    };
    let engine = Engine {
        store: Arc::new(store),
        erp: Arc::clone(&erp) as Arc<dyn Erp>,
        sites: vec![site],
        settings: EngineSettings::default(),
        owner: "test".to_owned(),
        contacts: Default::default(),
    };
    let harness = Harness {
        engine,
        erp,
        folder,
        _dir: dir,
    };

    *harness.erp.inner.ready.lock().unwrap() = vec![
        order(1, "1000879842", &[("CAP-001", 1)]),
        order(2, "1000879889", &[("CAP-002", 1)]),
        order(3, "1000880002", &[("CAP-003", 1)]),
        order(4, "1000880008", &[("CAP-004", 1)]),
    ];
    settle(&harness.engine).await;
    harness.folder.drop_file(
        "shipped.csv",
        &sample("wms_jp_shipped_tracking_utf8bom.csv"),
    );
    settle(&harness.engine).await;
    assert_eq!(
        harness.erp.validations(),
        4,
        "the flows validate four pickings"
    );
    harness
}

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/samples")
        .join(name);
    std::fs::read(path).unwrap()
}

fn layout(name: &str) -> Layout {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/layouts")
        .join(name);
    Layout::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn request(selection: ReplaySelection) -> ReplayRequest {
    ReplayRequest {
        selection,
        by: "alice".to_owned(),
        reason: "check after the Odoo restore".to_owned(),
    }
}

fn kinds(kinds: &[EventKind]) -> ReplaySelection {
    ReplaySelection {
        kinds: kinds.to_vec(),
        ..ReplaySelection::default()
    }
}

#[tokio::test]
async fn delivered_confirmations_replay_unchanged() {
    let harness = shipped_harness().await;
    let before = harness.engine.store.status().await.unwrap();
    let selection = kinds(&[EventKind::ShipmentApply, EventKind::TrackingUpdate]);

    let report = replay(&harness.engine, &request(selection), Some(&*harness.erp))
        .await
        .unwrap();

    assert_eq!(report.totals.replayed, 5);
    assert_eq!(report.totals.unchanged, 5, "{:#?}", report.messages);
    assert_eq!(report.totals.applied, 0);
    assert!(report.unchanged);
    assert_eq!(
        harness.erp.validations(),
        4,
        "replay validated a picking again"
    );
    let after = harness.engine.store.status().await.unwrap();
    assert_eq!(after.outbox, before.outbox);
    let trail = harness.engine.store.trace("1000880008").await.unwrap();
    let replayed: Vec<_> = trail.iter().filter(|row| row.action == "replay").collect();
    assert_eq!(
        replayed.len(),
        2,
        "one row per replayed message of the picking"
    );
    assert!(
        replayed[0].detail.starts_with("unchanged"),
        "{}",
        replayed[0].detail
    );
    assert!(
        replayed[0].detail.contains("alice"),
        "{}",
        replayed[0].detail
    );
}

#[tokio::test]
async fn shipment_lost_in_odoo_replays_applied() {
    let harness = shipped_harness().await;
    harness.erp.forget(2);
    let selection = ReplaySelection {
        order: Some("S00002".to_owned()),
        ..ReplaySelection::default()
    };

    let report = replay(&harness.engine, &request(selection), Some(&*harness.erp))
        .await
        .unwrap();

    assert_eq!(report.totals.replayed, 2, "{:#?}", report.messages);
    let shipment = report
        .messages
        .iter()
        .find(|entry| entry.kind == EventKind::ShipmentApply)
        .expect("the order's shipment is selected");
    assert_eq!(shipment.outcome, ReplayOutcome::Applied);
    assert_eq!(shipment.correlation_id, "1000879889");
    assert!(!report.unchanged);
    assert_eq!(harness.erp.validations(), 5);
}

#[tokio::test]
async fn tracking_replay_reads_odoo_first() {
    let harness = shipped_harness().await;
    harness.erp.tracking.lock().unwrap().clear();
    let selection = kinds(&[EventKind::TrackingUpdate]);

    let skipped = replay(&harness.engine, &request(selection.clone()), None)
        .await
        .unwrap();
    let applied = replay(&harness.engine, &request(selection), Some(&*harness.erp))
        .await
        .unwrap();

    assert_eq!(skipped.totals.skipped, 1);
    assert!(skipped.unchanged, "a skipped message changes nothing");
    assert_eq!(applied.totals.applied, 1);
    assert!(
        applied.messages[0].detail.contains("361054809721"),
        "{}",
        applied.messages[0].detail
    );
}

#[tokio::test]
async fn order_file_taken_by_warehouse_is_written_again() {
    let harness = shipped_harness().await;
    harness
        .folder
        .written
        .lock()
        .unwrap()
        .remove("1000879842.csv");
    let selection = kinds(&[EventKind::OrderRelease]);

    let report = replay(&harness.engine, &request(selection), None)
        .await
        .unwrap();

    assert_eq!(report.totals.replayed, 4);
    assert_eq!(report.totals.unchanged, 3, "{:#?}", report.messages);
    assert_eq!(report.totals.applied, 1);
    assert!(harness
        .folder
        .written
        .lock()
        .unwrap()
        .contains_key("1000879842.csv"));
}

#[tokio::test]
async fn replay_requires_selection_and_reason() {
    let harness = shipped_harness().await;
    let empty = replay(&harness.engine, &request(ReplaySelection::default()), None).await;
    let mut blank = request(kinds(&[EventKind::ShipmentApply]));
    blank.reason = "  ".to_owned();
    let unexplained = replay(&harness.engine, &blank, None).await;

    assert!(
        matches!(empty, Err(ReplayError::EmptySelection)),
        "{empty:?}"
    );
    assert!(
        matches!(unexplained, Err(ReplayError::MissingField(_))),
        "{unexplained:?}"
    );
}

#[tokio::test]
async fn undelivered_ids_are_listed_not_replayed() {
    let harness = shipped_harness().await;
    let unknown = wharf_model::MessageId::new();
    let selection = ReplaySelection {
        ids: vec![unknown],
        ..ReplaySelection::default()
    };

    let report = replay(&harness.engine, &request(selection), None)
        .await
        .unwrap();

    assert_eq!(report.totals.replayed, 0);
    assert_eq!(report.not_delivered, vec![unknown]);
}
