//! Cases of classification: each kind, the order of the rules, serial
//! numbers, one-sided keys and the order of the rows.

use std::collections::HashSet;

use jiff::civil::{date, Date};
use wharf_model::{Decimal, VarianceKind};

use super::*;

fn d(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn today() -> Date {
    date(2025, 3, 1)
}

fn rules() -> ReconcileRules {
    let threshold = Threshold {
        absolute: d("1"),
        percent: Decimal::ZERO,
    };
    ReconcileRules::new(today(), threshold)
}

fn serial_rules() -> ReconcileRules {
    let mut rules = rules();
    rules.serial_skus.insert("SX1".to_owned());
    rules
}

fn only_row(result: &Reconciliation) -> &VarianceRow {
    assert_eq!(result.rows.len(), 1, "rows: {:?}", result.rows);
    &result.rows[0]
}

#[test]
fn plain_match_counted_not_listed() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("WH/Stock", "WID-100", None, d("10"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("10"), None);

    let result = reconciler.finish();

    assert_eq!(result.compared, 1);
    assert_eq!(result.count(VarianceKind::Match), 1);
    assert!(result.rows.is_empty());
}

#[test]
fn same_key_rows_add_up() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("WH/Stock", "WID-100", None, d("4"), None);
    reconciler.add_wms("WH/Stock", "WID-100", None, d("6"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("7.5"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("2.5"), None);

    let result = reconciler.finish();

    assert_eq!(result.compared, 1);
    assert_eq!(result.count(VarianceKind::Match), 1);
}

#[test]
fn wms_only_key_beyond_threshold() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("WH/Stock", "WID-100", Some("L1"), d("5"), None);

    let result = reconciler.finish();

    let row = only_row(&result);
    assert_eq!(row.kind, VarianceKind::BeyondThreshold);
    assert_eq!(row.odoo, Decimal::ZERO);
    assert_eq!(row.variance, d("5"));
    assert_eq!(row.key.lot.as_deref(), Some("L1"));
}

#[test]
fn odoo_only_key_negative_variance() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_odoo("WH/Stock", "WID-100", None, d("3"), None);

    let result = reconciler.finish();

    let row = only_row(&result);
    assert_eq!(row.kind, VarianceKind::BeyondThreshold);
    assert_eq!(row.wms, Decimal::ZERO);
    assert_eq!(row.variance, d("-3"));
}

#[test]
fn lot_and_no_lot_are_distinct_keys() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("WH/Stock", "WID-100", None, d("5"), None);
    reconciler.add_odoo("WH/Stock", "WID-100", Some("L1"), d("5"), None);

    let result = reconciler.finish();

    assert_eq!(result.compared, 2);
    assert_eq!(result.count(VarianceKind::BeyondThreshold), 2);
}

#[test]
fn serial_in_two_wms_locations() {
    let mut reconciler = Reconciler::new(serial_rules());
    reconciler.add_wms("WH/Stock/Shelf 1", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_wms("WH/Stock/Shelf 2", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_odoo("WH/Stock/Shelf 1", "SX1", Some("SX1-01001"), d("1"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::SerialDuplicate), 2);
    let details: Vec<_> = result
        .rows
        .iter()
        .map(|row| row.detail.as_deref())
        .collect();
    assert_eq!(
        details,
        [
            Some("serial SX1-01001 also in WH/Stock/Shelf 2"),
            Some("serial SX1-01001 also in WH/Stock/Shelf 1"),
        ]
    );
}

#[test]
fn serial_in_two_odoo_locations() {
    let mut reconciler = Reconciler::new(serial_rules());
    reconciler.add_wms("A", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_odoo("A", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_odoo("B", "SX1", Some("SX1-01001"), d("1"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::SerialDuplicate), 2);
    assert_eq!(result.compared, 2);
}

#[test]
fn serial_quantity_above_one() {
    let mut reconciler = Reconciler::new(serial_rules());
    reconciler.add_wms("A", "SX1", Some("SX1-01001"), d("2"), None);
    reconciler.add_odoo("A", "SX1", Some("SX1-01001"), d("1"), None);

    let result = reconciler.finish();

    let row = only_row(&result);
    assert_eq!(row.kind, VarianceKind::SerialDuplicate);
    assert_eq!(
        row.detail.as_deref(),
        Some("quantity 2 of serial SX1-01001 in the WMS")
    );
}

#[test]
fn serial_flags_every_row_of_serial() {
    let mut reconciler = Reconciler::new(serial_rules());
    reconciler.add_wms("A", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_wms("B", "SX1", Some("SX1-01001"), d("1"), None);
    // C has none of the serial on either side but still gets the kind.
    reconciler.add_odoo("C", "SX1", Some("SX1-01001"), d("0"), None);
    // Another serial of the same SKU is fine.
    reconciler.add_wms("A", "SX1", Some("SX1-01002"), d("1"), None);
    reconciler.add_odoo("A", "SX1", Some("SX1-01002"), d("1"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::SerialDuplicate), 3);
    assert_eq!(result.count(VarianceKind::Match), 1);
}

#[test]
fn serial_moved_is_not_duplicate() {
    let mut reconciler = Reconciler::new(serial_rules());
    reconciler.add_wms("A", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_odoo("B", "SX1", Some("SX1-01001"), d("1"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::SerialDuplicate), 0);
    assert_eq!(result.count(VarianceKind::BeyondThreshold), 0);
    // A variance of one unit is within the absolute threshold of one.
    assert_eq!(result.count(VarianceKind::WithinThreshold), 2);
}

#[test]
fn serial_skus_set_after_rows() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("A", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_wms("B", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.set_serial_skus(HashSet::from(["SX1".to_owned()]));

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::SerialDuplicate), 2);
}

#[test]
fn untracked_sku_never_serial_duplicate() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("A", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_wms("B", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_odoo("A", "SX1", Some("SX1-01001"), d("1"), None);
    reconciler.add_odoo("B", "SX1", Some("SX1-01001"), d("1"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::Match), 2);
}

#[test]
fn negative_stock_either_side() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("A", "WID-100", None, d("-1"), None);
    reconciler.add_odoo("B", "WID-100", None, d("-2"), None);
    reconciler.add_wms("C", "WID-100", None, d("-0.00"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::NegativeStock), 2);
    assert_eq!(result.count(VarianceKind::Match), 1);
    let details: Vec<_> = result
        .rows
        .iter()
        .map(|row| row.detail.as_deref())
        .collect();
    assert_eq!(
        details,
        [
            Some("WMS quantity -1 is negative"),
            Some("Odoo quantity -2 is negative"),
        ]
    );
}

#[test]
fn unsettled_message_names_message() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("A", "WID-100", None, d("8"), None);
    reconciler.add_odoo("A", "WID-100", None, d("10"), None);
    reconciler.add_in_flight("A", "WID-100", None, d("2"), "msg-7", false);

    let result = reconciler.finish();

    let row = only_row(&result);
    assert_eq!(row.kind, VarianceKind::Unsettled);
    assert_eq!(row.messages, ["msg-7"]);
    assert_eq!(
        row.detail.as_deref(),
        Some("Message msg-7 was being delivered while Odoo was read, or was a count applied on the other side of the snapshot, so compare again at the next reconciliation")
    );
}

#[test]
fn expired_lot_on_hand() {
    let mut reconciler = Reconciler::new(rules());
    let yesterday = date(2025, 2, 28);
    reconciler.add_wms("A", "MILK", Some("L1"), d("4"), Some(yesterday));
    reconciler.add_odoo("A", "MILK", Some("L1"), d("4"), Some(yesterday));

    let result = reconciler.finish();

    let row = only_row(&result);
    assert_eq!(row.kind, VarianceKind::ExpiredLot);
    assert_eq!(
        row.detail.as_deref(),
        Some("lot L1 expired on 2025-02-28, before 2025-03-01")
    );
}

#[test]
fn expiring_today_not_expired() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("A", "MILK", Some("L1"), d("4"), Some(today()));
    reconciler.add_odoo("A", "MILK", Some("L1"), d("4"), Some(today()));

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::Match), 1);
}

#[test]
fn expired_lot_without_stock_matches() {
    let mut reconciler = Reconciler::new(rules());
    let expired = date(2024, 12, 31);
    reconciler.add_wms("A", "MILK", Some("L1"), d("0"), Some(expired));
    reconciler.add_odoo("A", "MILK", Some("L1"), d("0"), None);

    let result = reconciler.finish();

    assert_eq!(result.count(VarianceKind::Match), 1);
}

#[test]
fn earliest_expiry_of_sides_counts() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("A", "MILK", Some("L1"), d("4"), Some(date(2025, 6, 1)));
    reconciler.add_odoo("A", "MILK", Some("L1"), d("4"), Some(date(2025, 1, 15)));

    let result = reconciler.finish();

    assert_eq!(only_row(&result).kind, VarianceKind::ExpiredLot);
}

#[test]
fn first_matching_rule_wins() {
    let expired = Some(date(2024, 1, 1));
    let mut reconciler = Reconciler::new(serial_rules());
    // Serial duplicate, negative elsewhere, unsettled and expired.
    reconciler.add_wms("A", "SX1", Some("SX1-1"), d("2"), expired);
    reconciler.add_odoo("A", "SX1", Some("SX1-1"), d("-1"), expired);
    reconciler.add_in_flight("A", "SX1", Some("SX1-1"), d("1"), "m1", false);
    // Negative, unsettled and expired.
    reconciler.add_wms("B", "MILK", Some("L1"), d("-1"), expired);
    reconciler.add_in_flight("B", "MILK", Some("L1"), d("1"), "m2", false);
    // Unsettled and expired.
    reconciler.add_wms("C", "MILK", Some("L1"), d("3"), expired);
    reconciler.add_in_flight("C", "MILK", Some("L1"), d("1"), "m3", false);
    // Expired with a variance beyond the threshold.
    reconciler.add_wms("D", "MILK", Some("L1"), d("30"), expired);

    let result = reconciler.finish();

    let kinds: Vec<_> = result.rows.iter().map(|row| row.kind).collect();
    assert_eq!(
        kinds,
        [
            VarianceKind::SerialDuplicate,
            VarianceKind::NegativeStock,
            VarianceKind::Unsettled,
            VarianceKind::ExpiredLot,
        ]
    );
}

#[test]
fn rows_sorted_by_key() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("WH/Stock/B", "WID-2", None, d("5"), None);
    reconciler.add_wms("WH/Stock/A", "WID-2", Some("L2"), d("5"), None);
    reconciler.add_wms("WH/Stock/A", "WID-2", Some("L1"), d("5"), None);
    reconciler.add_wms("WH/Stock/A", "WID-2", None, d("5"), None);
    reconciler.add_wms("WH/Stock/A", "WID-1", Some("L9"), d("5"), None);

    let result = reconciler.finish();

    let keys: Vec<_> = result.rows.iter().map(|row| row.key.clone()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys[0].sku, "WID-1");
    assert_eq!(keys[1].lot, None);
}

#[test]
fn counts_cover_every_key() {
    let mut reconciler = Reconciler::new(rules());
    reconciler.add_wms("A", "WID-1", None, d("1"), None);
    reconciler.add_odoo("A", "WID-1", None, d("1"), None);
    reconciler.add_wms("A", "WID-2", None, d("1.5"), None);
    reconciler.add_wms("A", "WID-3", None, d("9"), None);
    reconciler.add_odoo("A", "WID-4", None, d("-1"), None);

    let result = reconciler.finish();

    assert_eq!(result.compared, 4);
    assert_eq!(result.counts.values().sum::<u64>(), 4);
    assert_eq!(result.count(VarianceKind::Match), 1);
    assert_eq!(result.count(VarianceKind::BeyondThreshold), 2);
    assert_eq!(result.count(VarianceKind::NegativeStock), 1);
    assert_eq!(result.rows_of(VarianceKind::BeyondThreshold).count(), 2);
}
