//! Cases of arithmetic: in-flight quantities of both signs, thresholds,
//! adjustments and exact decimals, and a property test of in-flight
//! entries.

use jiff::civil::{date, Date};
use proptest::prelude::*;
use wharf_model::{Decimal, VarianceKind};

use super::*;

fn d(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn today() -> Date {
    date(2025, 3, 1)
}

fn rules_with(absolute: &str, percent: &str) -> ReconcileRules {
    let threshold = Threshold {
        absolute: d(absolute),
        percent: d(percent),
    };
    ReconcileRules::new(today(), threshold)
}

/// Reconciles one untracked key of SKU `sku` with the given sides.
fn reconcile_one(rules: ReconcileRules, sku: &str, wms: &str, odoo: &str) -> VarianceRow {
    let mut reconciler = Reconciler::new(rules);
    reconciler.add_wms("WH/Stock", sku, None, d(wms), None);
    reconciler.add_odoo("WH/Stock", sku, None, d(odoo), None);
    let mut result = reconciler.finish();
    assert_eq!(result.rows.len(), 1, "rows: {:?}", result.rows);
    result.rows.remove(0)
}

#[test]
fn positive_in_flight_explains_shipment() {
    let mut reconciler = Reconciler::new(rules_with("0", "0"));
    // The warehouse shipped 2 before its snapshot, and Odoo still has them.
    reconciler.add_wms("WH/Stock", "WID-100", None, d("8"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("10"), None);
    reconciler.add_in_flight("WH/Stock", "WID-100", None, d("2"), "ship-1", true);

    let result = reconciler.finish();

    assert_eq!(result.rows.len(), 1);
    let row = &result.rows[0];
    assert_eq!(row.kind, VarianceKind::Match);
    assert_eq!(row.in_flight, d("2"));
    assert_eq!(row.variance, Decimal::ZERO);
    assert_eq!(row.messages, ["ship-1"]);
    assert_eq!(row.detail, None);
}

#[test]
fn negative_in_flight_explains_later_change() {
    let mut reconciler = Reconciler::new(rules_with("0", "0"));
    // Odoo already applied a scrap of 3 that the warehouse made after T.
    reconciler.add_wms("WH/Stock", "WID-100", None, d("10"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("7"), None);
    reconciler.add_in_flight("WH/Stock", "WID-100", None, d("-3"), "scrap-1", true);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::Match), 1);
    assert_eq!(result.rows[0].in_flight, d("-3"));
}

#[test]
fn in_flight_entries_add_up() {
    let mut reconciler = Reconciler::new(rules_with("0", "0"));
    reconciler.add_wms("WH/Stock", "WID-100", None, d("10"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("7"), None);
    reconciler.add_in_flight("WH/Stock", "WID-100", None, d("2"), "ship-1", true);
    reconciler.add_in_flight("WH/Stock", "WID-100", None, d("-5"), "scrap-1", true);

    let result = reconciler.finish();

    let row = &result.rows[0];
    assert_eq!(row.kind, VarianceKind::Match);
    assert_eq!(row.in_flight, d("-3"));
    assert_eq!(row.messages, ["ship-1", "scrap-1"]);
}

#[test]
fn in_flight_wrong_sign_is_variance() {
    let mut reconciler = Reconciler::new(rules_with("1", "0"));
    reconciler.add_wms("WH/Stock", "WID-100", None, d("8"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("10"), None);
    reconciler.add_in_flight("WH/Stock", "WID-100", None, d("-2"), "msg-1", true);

    let result = reconciler.finish();

    let row = &result.rows[0];
    assert_eq!(row.kind, VarianceKind::BeyondThreshold);
    assert_eq!(row.variance, d("-4"));
}

#[test]
fn in_flight_only_key() {
    let mut reconciler = Reconciler::new(rules_with("0", "0"));
    reconciler.add_in_flight("WH/Stock", "WID-100", Some("L1"), d("2"), "msg-1", true);

    let result = reconciler.finish();

    assert_eq!(result.compared, 1);
    let row = &result.rows[0];
    assert_eq!(row.kind, VarianceKind::BeyondThreshold);
    assert_eq!(row.variance, d("2"));
}

#[test]
fn absolute_threshold_bounds() {
    let within = reconcile_one(rules_with("1", "0"), "WID-1", "11", "10");
    let beyond = reconcile_one(rules_with("1", "0"), "WID-1", "11.01", "10");

    assert_eq!(within.kind, VarianceKind::WithinThreshold);
    assert_eq!(beyond.kind, VarianceKind::BeyondThreshold);
}

#[test]
fn percent_threshold_of_expected() {
    // 2 % of 500 is 10.
    let within = reconcile_one(rules_with("0", "2"), "WID-1", "490", "500");
    let beyond = reconcile_one(rules_with("0", "2"), "WID-1", "489.5", "500");

    assert_eq!(within.kind, VarianceKind::WithinThreshold);
    assert_eq!(beyond.kind, VarianceKind::BeyondThreshold);
}

#[test]
fn larger_threshold_applies() {
    // 2 % of 10 is 0.2, so the absolute 3 is the larger allowance.
    let absolute_wins = reconcile_one(rules_with("3", "2"), "WID-1", "13", "10");
    // 2 % of 1000 is 20, larger than the absolute 3.
    let percent_wins = reconcile_one(rules_with("3", "2"), "WID-1", "1020", "1000");

    assert_eq!(absolute_wins.kind, VarianceKind::WithinThreshold);
    assert_eq!(percent_wins.kind, VarianceKind::WithinThreshold);
}

#[test]
fn percent_uses_expected_not_odoo() {
    let mut reconciler = Reconciler::new(rules_with("0", "10"));
    // Odoo 200 with 100 in flight: Odoo is expected to hold 100, so 10 %
    // allows 10, not 20.
    reconciler.add_wms("WH/Stock", "WID-1", None, d("115"), None);
    reconciler.add_odoo("WH/Stock", "WID-1", None, d("200"), None);
    reconciler.add_in_flight("WH/Stock", "WID-1", None, d("100"), "msg-1", true);

    let result = reconciler.finish();

    assert_eq!(result.rows[0].variance, d("15"));
    assert_eq!(result.rows[0].kind, VarianceKind::BeyondThreshold);
}

#[test]
fn per_sku_threshold_overrides_default() {
    let mut rules = rules_with("1", "0");
    let loose = Threshold {
        absolute: d("5"),
        percent: Decimal::ZERO,
    };
    rules.per_sku.insert("BOLT-M6".to_owned(), loose);

    let bolt = reconcile_one(rules.clone(), "BOLT-M6", "104", "100");
    let other = reconcile_one(rules, "WID-1", "104", "100");

    assert_eq!(bolt.kind, VarianceKind::WithinThreshold);
    assert_eq!(other.kind, VarianceKind::BeyondThreshold);
}

#[test]
fn counted_quantity_adds_variance() {
    let row = reconcile_one(rules_with("1", "0"), "WID-1", "9.5", "10");
    let beyond = reconcile_one(rules_with("1", "0"), "WID-1", "20", "10");

    assert_eq!(row.kind, VarianceKind::WithinThreshold);
    // Odoo received 4 more since it was read: the count keeps them.
    assert_eq!(row.counted_quantity(d("14")), Some(d("13.5")));
    assert_eq!(beyond.counted_quantity(d("10")), Some(d("20")));
}

#[test]
fn counted_quantity_none_for_special_kinds() {
    let mut reconciler = Reconciler::new(rules_with("1", "0"));
    reconciler.add_wms("A", "WID-1", None, d("-1"), None);
    reconciler.add_wms("B", "WID-1", None, d("1"), None);
    reconciler.add_in_flight("B", "WID-1", None, d("-1"), "msg-1", true);

    let result = reconciler.finish();

    assert_eq!(result.rows[0].kind, VarianceKind::NegativeStock);
    assert_eq!(result.rows[0].counted_quantity(d("0")), None);
    assert_eq!(result.rows[1].kind, VarianceKind::Match);
    assert_eq!(result.rows[1].counted_quantity(d("0")), None);
}

#[test]
fn seven_twelfths_case_residue_exact() {
    // The warehouse counts in cases of 12 and wrote 7/12 of a case with 28
    // decimals. The caller multiplies by 12 to get Odoo units.
    let units = d("0.5833333333333333333333333333") * Decimal::from(12);
    assert_eq!(units, d("6.9999999999999999999999999996"));

    let exact = reconcile_one(rules_with("0", "0"), "WID-1", &units.to_string(), "7");
    let tolerant = reconcile_one(rules_with("0.0001", "0"), "WID-1", &units.to_string(), "7");

    // The residue comes from the warehouse's rounding and is reported as
    // it is, neither hidden nor grown.
    assert_eq!(exact.variance, d("-0.0000000000000000000000000004"));
    assert_eq!(exact.kind, VarianceKind::BeyondThreshold);
    assert_eq!(tolerant.kind, VarianceKind::WithinThreshold);
}

#[test]
fn twelve_rows_equal_one_product() {
    let part = d("0.5833333333333333333333333333");
    let mut reconciler = Reconciler::new(rules_with("0", "0"));
    for _ in 0..12 {
        reconciler.add_wms("WH/Stock", "WID-1", None, part, None);
    }
    reconciler.add_odoo("WH/Stock", "WID-1", None, part * Decimal::from(12), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::Match), 1);
}

#[test]
fn multiplied_exact_quantities_no_drift() {
    let units_per_case = Decimal::from(12);
    let kilograms_per_gram = d("0.001");
    let mut reconciler = Reconciler::new(rules_with("0", "0"));
    for _ in 0..10_000 {
        // 7 cases and 100 g, converted to units and kilograms by
        // multiplying: 0.1 kg added 10,000 times stays exact in Decimal.
        let units = Decimal::from(7) * units_per_case;
        let kilograms = Decimal::from(100) * kilograms_per_gram;
        reconciler.add_wms("WH/Stock", "WID-1", None, units, None);
        reconciler.add_wms("WH/Stock", "FLOUR", None, kilograms, None);
    }
    reconciler.add_odoo("WH/Stock", "WID-1", None, d("840000"), None);
    reconciler.add_odoo("WH/Stock", "FLOUR", None, d("1000"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::Match), 2);
}

/// Returns a strategy for quantities from 0 to `max_units` with up to four
/// decimals.
fn quantity(max_units: i64) -> impl Strategy<Value = Decimal> {
    (0..max_units * 10_000, 0u32..=4)
        .prop_map(|(mantissa, scale)| Decimal::new(mantissa, 4).round_dp(scale))
}

/// Returns a strategy for balance rows: location, SKU, optional lot and
/// quantity, over few names so that keys repeat.
fn balance() -> impl Strategy<Value = (u8, u8, Option<u8>, Decimal)> {
    (0u8..5, 0u8..20, prop::option::of(0u8..3), quantity(1_000))
}

proptest! {
    #[test]
    fn in_flight_on_identical_sides_matches(
        balances in prop::collection::vec(balance(), 1..40),
        in_flight in prop::collection::vec((any::<prop::sample::Index>(), quantity(10), any::<bool>()), 0..30),
    ) {
        let mut reconciler = Reconciler::new(rules_with("0", "0"));
        let name = |kind: &str, n: u8| format!("{kind}-{n}");
        let expiry = Some(date(2026, 1, 1));
        // At most 30 negative entries of up to 10 each cannot take a
        // balance of 1,000 or more below zero, so no key is NegativeStock.
        let floor = Decimal::from(1_000);

        // Both sides have the same balances at T. Odoo then also reflects
        // each in-flight quantity, positive or negative.
        for (location, sku, lot, quantity) in &balances {
            let (location, sku) = (name("LOC", *location), name("SKU", *sku));
            let lot = lot.map(|lot| name("LOT", lot));
            let balance = *quantity + floor;
            reconciler.add_wms(&location, &sku, lot.as_deref(), balance, expiry);
            reconciler.add_odoo(&location, &sku, lot.as_deref(), balance, expiry);
        }
        for (number, (pick, quantity, positive)) in in_flight.iter().enumerate() {
            let (location, sku, lot, _) = pick.get(&balances);
            let (location, sku) = (name("LOC", *location), name("SKU", *sku));
            let lot = lot.map(|lot| name("LOT", lot));
            let signed = if *positive { *quantity } else { -*quantity };
            let message = format!("msg-{number}");
            reconciler.add_odoo(&location, &sku, lot.as_deref(), signed, None);
            reconciler.add_in_flight(&location, &sku, lot.as_deref(), signed, &message, true);
        }

        let result = reconciler.finish();

        prop_assert_eq!(result.count(VarianceKind::Match), result.compared);
        for row in &result.rows {
            prop_assert_eq!(row.kind, VarianceKind::Match);
            prop_assert!(!row.messages.is_empty());
        }
    }
}

#[test]
fn unit_rounding_absorbs_case_decimals() {
    // A third of a case of 12 written with six decimals: 0.333333 CS is
    // 3.999996 units, which Odoo's unit rounding of 1 makes 4.
    let mut rules = rules_with("0", "0");
    rules.unit_rounding.insert("WID".to_owned(), d("1"));
    let wms = d("0.333333") * d("12");
    let mut reconciler = Reconciler::new(rules);
    reconciler.add_wms("WH/Stock", "WID", None, wms, None);
    reconciler.add_odoo("WH/Stock", "WID", None, d("4"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::Match), 1);
    assert!(result.rows.is_empty(), "{:?}", result.rows);
}

#[test]
fn unit_rounding_keeps_real_difference() {
    let mut rules = rules_with("0", "0");
    rules.unit_rounding.insert("MILK".to_owned(), d("0.01"));
    let mut reconciler = Reconciler::new(rules);
    reconciler.add_wms("WH/Stock", "MILK", None, d("2.004"), None);
    reconciler.add_odoo("WH/Stock", "MILK", None, d("2.01"), None);

    let row = &reconciler.finish().rows[0];

    assert_eq!(row.wms, d("2.00"));
    assert_eq!(row.variance, d("-0.01"));
    assert_eq!(row.kind, VarianceKind::BeyondThreshold);
}
