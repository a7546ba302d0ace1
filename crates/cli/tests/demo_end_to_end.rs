//! The demo run end to end: Odoo simulator, WMS simulator with injected
//! faults, and the hub on SQLite. The final Odoo state must be exactly what
//! the faults dictate.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use wharf::commands::demo::{run_demo_detailed, DemoArgs, DemoOutcome};
use wharf_model::Decimal;
use wharf_sim::wms::Fault;

fn args(orders: usize, odoo_version: u8) -> DemoArgs {
    DemoArgs {
        orders,
        odoo_version,
        summary_json: None,
        dir: None,
        seed: 7,
        no_faults: false,
        timeout_secs: 300,
        replay: false,
        listen: None,
    }
}

fn pickings_by_name(state: &Value) -> BTreeMap<String, Value> {
    state["pickings"]
        .as_object()
        .expect("state summary lists pickings")
        .values()
        .map(|picking| {
            (
                picking["name"].as_str().unwrap_or_default().to_owned(),
                picking.clone(),
            )
        })
        .collect()
}

fn decimal(value: &Value) -> Decimal {
    value
        .to_string()
        .trim_matches('"')
        .parse()
        .expect("quantity is a number")
}

/// Checks every picking the warehouse confirmed against its ledger entry.
fn assert_final_state(outcome: &DemoOutcome) {
    let pickings = pickings_by_name(&outcome.odoo_state);
    let exception_refs: BTreeSet<(&str, &str)> = outcome
        .exceptions
        .iter()
        .map(|row| (row.correlation_id.as_str(), row.kind.as_str()))
        .collect();

    let mut seen = BTreeSet::new();
    for entry in &outcome.ledger {
        assert!(
            seen.insert(entry.picking_ref.clone()),
            "picking {} was released twice",
            entry.picking_ref
        );
        let picking = &pickings[&entry.picking_ref];

        if entry.lines.iter().all(|line| line.shipped.is_zero()) {
            assert_eq!(
                picking["state"], "assigned",
                "{} shipped nothing and must not be validated",
                entry.picking_ref
            );
            assert!(
                exception_refs.contains(&(entry.picking_ref.as_str(), "nothing_shipped")),
                "{} has no nothing_shipped exception",
                entry.picking_ref
            );
            continue;
        }
        if picking["state"] == "cancel" {
            // Cancelled in Odoo after release, and the warehouse answered
            // too late: the shipment stops for customer service.
            assert!(
                exception_refs.contains(&(entry.picking_ref.as_str(), "shipment_after_cancel")),
                "{} was cancelled in Odoo and shipped without a shipment_after_cancel exception",
                entry.picking_ref
            );
            assert_eq!(
                picking["validate_count"], 0,
                "{} validated after its cancel",
                entry.picking_ref
            );
            continue;
        }
        if entry.faults.contains(&Fault::UnknownSku) {
            assert_eq!(
                picking["state"], "assigned",
                "{} had an unknown SKU and must not be validated",
                entry.picking_ref
            );
            assert!(
                exception_refs.contains(&(entry.picking_ref.as_str(), "unknown_sku")),
                "{} has no unknown_sku exception",
                entry.picking_ref
            );
            continue;
        }

        assert_eq!(
            picking["state"], "done",
            "{} should be done",
            entry.picking_ref
        );
        assert_eq!(
            picking["validate_count"], 1,
            "{} validated more than once",
            entry.picking_ref
        );

        let short = entry.lines.iter().any(|line| line.shipped < line.demanded);
        let backorder = pickings.values().find(|other| {
            other["backorder_id"].as_i64().is_some()
                && pickings_by_id(&outcome.odoo_state, other["backorder_id"].as_i64().unwrap())
                    == entry.picking_ref
        });
        assert_eq!(
            backorder.is_some(),
            short,
            "{}: backorder present must equal short shipment",
            entry.picking_ref
        );

        let mut shipped_in_odoo: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut lots_in_odoo = BTreeSet::new();
        for line in picking["move_lines"].as_array().unwrap() {
            if line["picked"] == true {
                *shipped_in_odoo
                    .entry(line["default_code"].as_str().unwrap_or_default().to_owned())
                    .or_default() += decimal(&line["quantity"]);
                if let Some(lot) = line["lot"].as_str() {
                    lots_in_odoo.insert(lot.to_owned());
                }
            }
        }
        let mut shipped_by_wms: BTreeMap<String, Decimal> = BTreeMap::new();
        for line in &entry.lines {
            if !line.shipped.is_zero() {
                *shipped_by_wms.entry(line.sku.clone()).or_default() += line.shipped;
            }
            // The ledger keeps the reserved lot of a line shipped at zero;
            // only lots of shipped quantities must be on done lines.
            let shipped_lots = if line.shipped.is_zero() {
                &[][..]
            } else {
                &line.lots[..]
            };
            for lot in shipped_lots {
                assert!(
                    lots_in_odoo.contains(lot),
                    "{}: lot {lot} shipped by the warehouse is not on a done line in Odoo",
                    entry.picking_ref
                );
            }
        }
        let shipped_in_odoo: BTreeMap<String, Decimal> = shipped_in_odoo
            .into_iter()
            .map(|(sku, qty)| (sku, qty.normalize()))
            .collect();
        let shipped_by_wms: BTreeMap<String, Decimal> = shipped_by_wms
            .into_iter()
            .map(|(sku, qty)| (sku, qty.normalize()))
            .collect();
        assert_eq!(
            shipped_in_odoo, shipped_by_wms,
            "{}: quantities in Odoo differ from the warehouse's",
            entry.picking_ref
        );

        let tracking = picking["carrier_tracking_ref"].as_str().unwrap_or_default();
        for number in &entry.tracking_numbers {
            assert!(
                tracking.contains(number.as_str()),
                "{}: tracking {number} missing from {tracking:?}",
                entry.picking_ref
            );
        }
    }

    for held in &outcome.seed.held {
        let picking = outcome.odoo_state["pickings"][held.picking_id.to_string()].clone();
        assert_eq!(
            picking["state"], "assigned",
            "held picking {} must stay unshipped",
            held.picking_id
        );
        assert!(
            !seen.contains(picking["name"].as_str().unwrap_or_default()),
            "held picking {} reached the warehouse",
            held.picking_id
        );
    }

    let duplicates = outcome
        .ledger
        .iter()
        .filter(|entry| entry.faults.contains(&Fault::Duplicate))
        .count() as u64;
    assert!(
        outcome.summary.duplicates_ignored >= duplicates,
        "{} duplicate files injected, {} ignored",
        duplicates,
        outcome.summary.duplicates_ignored
    );
    assert_eq!(outcome.summary.pickings_validated_twice, 0);
    assert_eq!(outcome.summary.writes_after_done, 0);
}

fn pickings_by_id(state: &Value, id: i64) -> String {
    state["pickings"][id.to_string()]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_200_orders_odoo_19() {
    let outcome = run_demo_detailed(&args(200, 19))
        .await
        .expect("demo runs to the end");
    assert!(
        outcome.ledger.len() >= 150,
        "only {} pickings reached the warehouse",
        outcome.ledger.len()
    );
    for fault in [
        Fault::Short,
        Fault::WrongLot,
        Fault::TwoTracking,
        Fault::Duplicate,
        Fault::Slow,
        Fault::UnknownSku,
        Fault::Cp1252,
    ] {
        assert!(
            outcome
                .ledger
                .iter()
                .any(|entry| entry.faults.contains(&fault)),
            "fault {fault:?} was never injected"
        );
    }
    assert!(!outcome.seed.held.is_empty(), "the data set holds no order");
    assert!(
        outcome.summary.delivery_retries >= 2,
        "the injected transient Odoo failures were not retried"
    );
    assert_final_state(&outcome);
    assert_lifecycle(&outcome);
}

/// Checks that the demo ran every lifecycle flow and booked every return.
fn assert_lifecycle(outcome: &DemoOutcome) {
    let lifecycle = &outcome.summary.lifecycle;
    for answer in ["cancel_accepted", "cancel_too_late", "amend_accepted"] {
        assert!(
            lifecycle.change_answers.get(answer).copied().unwrap_or(0) > 0,
            "no {answer} answer: {lifecycle:?}"
        );
    }
    assert!(lifecycle.progress_reports > 0, "{lifecycle:?}");
    let returned: u64 = lifecycle.returns_received.values().sum();
    assert_eq!(
        returned, lifecycle.returns_created,
        "every return received: {lifecycle:?}"
    );
    assert_eq!(
        lifecycle.returns_received.len(),
        4,
        "each disposition: {lifecycle:?}"
    );
    assert_eq!(
        lifecycle.finance_follow_ups, returned,
        "one finance activity per return: {lifecycle:?}"
    );
    assert!(lifecycle.purchase_receipts_received >= 2, "{lifecycle:?}");
    assert!(lifecycle.receipt_backorders > 0, "{lifecycle:?}");
    let too_late = lifecycle.change_answers["cancel_too_late"];
    let stopped = outcome
        .exceptions
        .iter()
        .filter(|row| row.kind.as_str() == "shipment_after_cancel")
        .count() as u64;
    assert_eq!(stopped, too_late, "each late cancel's shipment is stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_odoo_17_and_18() {
    for version in [17, 18] {
        let outcome = run_demo_detailed(&args(40, version))
            .await
            .expect("demo runs to the end");
        assert!(
            !outcome.ledger.is_empty(),
            "Odoo {version}: nothing reached the warehouse"
        );
        assert_final_state(&outcome);
    }
}
