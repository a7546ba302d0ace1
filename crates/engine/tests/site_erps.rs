//! The choice of Odoo port per site: a site with its own account gets its
//! own port, every other site (and an unknown one) the main port, and a
//! mixed batch of shipments is split between them.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::RecordingErp;
use wharf_engine::ports::{Erp, ShipResult};
use wharf_engine::shipment::ShipmentPlan;
use wharf_engine::site::SiteErps;
use wharf_engine::ShortShipmentRule;

fn plan(picking_id: i64, name: &str) -> ShipmentPlan {
    ShipmentPlan {
        picking_id,
        picking_name: name.to_owned(),
        moves: vec![],
        carrier: None,
        tracking: vec![],
        short: false,
        short_rule: ShortShipmentRule::Backorder,
        create_unknown_lots: false,
        ship_expired_lots: false,
        shipped_at: None,
    }
}

fn names(erp: &RecordingErp) -> Vec<String> {
    erp.applied
        .lock()
        .unwrap()
        .iter()
        .map(|plan| plan.picking_name.clone())
        .collect()
}

/// Returns the main recorder, site `b`'s recorder and the port set.
fn ports() -> (Arc<RecordingErp>, Arc<RecordingErp>, SiteErps) {
    let main = Arc::new(RecordingErp::default());
    let own_b = Arc::new(RecordingErp::default());
    let mut own: BTreeMap<String, Arc<dyn Erp>> = BTreeMap::new();
    own.insert("b".to_owned(), Arc::clone(&own_b) as Arc<dyn Erp>);
    let erps = SiteErps::new(Arc::clone(&main) as Arc<dyn Erp>, own);
    (main, own_b, erps)
}

#[test]
fn for_site_picks_own_or_main() {
    let (main, own_b, erps) = ports();
    let main: Arc<dyn Erp> = main;
    let own_b: Arc<dyn Erp> = own_b;

    assert!(Arc::ptr_eq(erps.for_site("b"), &own_b));
    assert!(Arc::ptr_eq(erps.for_site("a"), &main));
    assert!(Arc::ptr_eq(erps.for_site("unknown"), &main));
}

#[tokio::test]
async fn mixed_batch_split_by_port() {
    let (main, own_b, erps) = ports();
    let batch = [
        ("a", plan(1, "A/OUT/1")),
        ("b", plan(2, "B/OUT/2")),
        ("c", plan(3, "C/OUT/3")),
        ("b", plan(4, "B/OUT/4")),
    ];

    let results = erps.apply_shipments(&batch).await;

    assert_eq!(names(&main), ["A/OUT/1", "C/OUT/3"]);
    assert_eq!(names(&own_b), ["B/OUT/2", "B/OUT/4"]);
    let mut ids: Vec<i64> = results.keys().copied().collect();
    ids.sort();
    assert_eq!(ids, [1, 2, 3, 4]);
    for (id, result) in &results {
        assert!(
            matches!(result, Ok(ShipResult::Validated { backorder: None })),
            "picking {id}: {result:?}"
        );
    }
}

#[tokio::test]
async fn empty_batch_calls_nothing() {
    let (main, own_b, erps) = ports();

    let results = erps.apply_shipments(&[]).await;

    assert!(results.is_empty());
    assert!(names(&main).is_empty());
    assert!(names(&own_b).is_empty());
}
