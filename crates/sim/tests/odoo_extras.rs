//! The simulator's own features: call counts, the state summary, seeding
//! (deterministic, with the expected holds) and fault injection.

mod odoo_support;

use odoo_support::{options, start, start_seeded};
use serde_json::{json, Value};
use wharf_sim::odoo::{FaultKind, FaultPlan, OdooSim, SeedOptions};

#[tokio::test]
async fn call_counts_by_model_method() {
    let running = start_seeded(18, 2).await;
    let body = json!({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"service": "common", "method": "version", "args": []}});
    running
        .client
        .post(format!("{}/jsonrpc", running.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    running
        .ok("stock.picking", "search", json!([[]]), json!({}))
        .await;
    running
        .ok("stock.picking", "search", json!([[]]), json!({}))
        .await;

    let counts = running.sim.call_counts();
    assert_eq!(counts.get("common.version"), Some(&1));
    assert_eq!(counts.get("stock.picking.search"), Some(&2));

    let over_http: Value = running
        .client
        .get(format!("{}/wharf-sim/calls", running.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["stock.picking.search"], json!(2));
    running
        .client
        .post(format!("{}/wharf-sim/calls/reset", running.base))
        .send()
        .await
        .unwrap();
    assert!(running.sim.call_counts().is_empty());
}

#[test]
fn seed_is_deterministic() {
    let seed = SeedOptions {
        orders: 12,
        seed: 42,
        credit_hold_every: Some(4),
        missing_sku_every: Some(5),
        missing_address_every: Some(6),
        lines_per_order: (1, 4),
    };
    let first = OdooSim::new(options(18)).unwrap();
    let second = OdooSim::new(options(18)).unwrap();

    let report_one = first.seed_demo(&seed).unwrap();
    let report_two = second.seed_demo(&seed).unwrap();

    assert_eq!(report_one, report_two);
    assert_eq!(first.state_summary(), second.state_summary());
    assert_eq!(report_one.order_ids.len(), 12);
    let reasons: Vec<&str> = report_one.held.iter().map(|h| h.reason.as_str()).collect();
    assert_eq!(
        reasons.iter().filter(|r| **r == "credit_hold").count(),
        3,
        "orders 4, 8 and 12"
    );
    assert_eq!(
        reasons.iter().filter(|r| **r == "missing_sku").count(),
        2,
        "orders 5 and 10"
    );
    assert!(reasons.contains(&"missing_address"), "order 6");
}

#[test]
fn seed_differs_by_seed() {
    let first = OdooSim::new(options(18)).unwrap();
    let second = OdooSim::new(options(18)).unwrap();
    first
        .seed_demo(&SeedOptions {
            orders: 8,
            seed: 1,
            ..SeedOptions::default()
        })
        .unwrap();
    second
        .seed_demo(&SeedOptions {
            orders: 8,
            seed: 2,
            ..SeedOptions::default()
        })
        .unwrap();

    assert_ne!(first.state_summary(), second.state_summary());
}

#[tokio::test]
async fn seeded_pickings_are_assigned() {
    let running = start_seeded(19, 6).await;
    let summary = running.sim.state_summary();
    let pickings = summary["pickings"].as_object().unwrap();
    assert_eq!(pickings.len(), 6);
    for (id, picking) in pickings {
        assert_eq!(picking["state"], json!("assigned"), "picking {id}");
        assert_eq!(picking["validate_count"], json!(0));
    }
}

#[tokio::test]
async fn seed_and_state_over_http() {
    let sim = OdooSim::new(options(18)).unwrap();
    let running = start(sim).await;

    let report: Value = running
        .client
        .post(format!("{}/wharf-sim/seed", running.base))
        .json(&json!({"orders": 3, "seed": 9, "credit_hold_every": 3, "lines_per_order": [1, 2]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let state: Value = running
        .client
        .get(format!("{}/wharf-sim/state", running.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(report["picking_ids"].as_array().unwrap().len(), 3);
    assert_eq!(report["held"][0]["reason"], json!("credit_hold"));
    assert_eq!(state["sale_orders"].as_object().unwrap().len(), 3);
}

#[tokio::test]
async fn serialization_fault_is_transient() {
    let running = start_seeded(18, 1).await;
    running.sim.inject(FaultPlan {
        target: "stock.picking.search".into(),
        count: 1,
        kind: FaultKind::SerializationFailure,
    });

    let failed = running
        .execute("stock.picking", "search", json!([[]]), json!({}))
        .await;
    let passed = running
        .execute("stock.picking", "search", json!([[]]), json!({}))
        .await;

    assert_eq!(
        failed["error"]["data"]["name"],
        json!("psycopg2.errors.SerializationFailure")
    );
    assert!(passed.get("result").is_some(), "only the next call fails");
}

#[tokio::test]
async fn unavailable_fault_is_503() {
    let running = start_seeded(19, 1).await;
    running.sim.inject(FaultPlan {
        target: "stock.picking.search".into(),
        count: 1,
        kind: FaultKind::ServiceUnavailable,
    });

    let (status, _) = running
        .json2("stock.picking", "search", json!({"domain": []}))
        .await;
    let (again, _) = running
        .json2("stock.picking", "search", json!({"domain": []}))
        .await;

    assert_eq!(status, 503);
    assert_eq!(again, 200);
}
