//! The values of a count and the pure steps of applying it: matching count
//! lines to Odoo's quants and grouping the writes by counted quantity.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use super::rejected;
use crate::error::{Error, ErrorKind};
use crate::values::{decimal, id_of, many2one_id, Record};

/// A counted quantity of one product (and lot) in one location.
#[derive(Debug, Clone, PartialEq)]
pub struct CountLine {
    /// The `stock.location` id.
    pub location_id: i64,
    /// The `product.product` id.
    pub product_id: i64,
    /// The lot or serial number id, `None` for an untracked product.
    pub lot_id: Option<i64>,
    /// The quantity found, in the product's unit of measure.
    pub counted: Decimal,
}

/// The result of an applied count.
#[derive(Debug, Clone, PartialEq)]
pub struct CountOutcome {
    /// The reference the stock moves carry.
    pub reference: String,
    /// One entry per count line, in the order given.
    pub lines: Vec<CountedLine>,
}

/// The quantities of one count line before and after the count was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct CountedLine {
    /// The `stock.location` id.
    pub location_id: i64,
    /// The `product.product` id.
    pub product_id: i64,
    /// The lot or serial number id.
    pub lot_id: Option<i64>,
    /// The counted quantity as written, rounded to the product's unit.
    pub counted: Decimal,
    /// The quant the count was applied to; `None` when no quant existed and
    /// the count was zero, so nothing had to change.
    pub quant_id: Option<i64>,
    /// The quantity on hand before the count.
    pub before: Decimal,
    /// The quantity on hand read back after the count was applied.
    pub after: Decimal,
}

/// A count line with its quantity rounded and its quant found.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Planned {
    pub(super) line: CountLine,
    pub(super) quant: Option<(i64, Decimal)>,
}

type QuantKey = (i64, i64, Option<i64>);

fn key_of(line: &CountLine) -> QuantKey {
    (line.location_id, line.product_id, line.lot_id)
}

/// Rejects a count that lists one location, product and lot twice, or that
/// has a negative quantity.
pub(super) fn check_lines(lines: &[CountLine], reference: &str) -> Result<(), Error> {
    let subject = || format!("inventory adjustment {reference:?}");
    if reference.trim().is_empty() {
        return Err(rejected(
            subject(),
            ErrorKind::Defect,
            "the reference is empty; every count needs a reference that names it in Odoo",
        ));
    }
    let mut seen = HashSet::new();
    for line in lines {
        if !seen.insert(key_of(line)) {
            return Err(rejected(subject(), ErrorKind::Permanent, &format!(
                "product {} lot {:?} in location {} is counted twice; send one line per product, lot and location",
                line.product_id, line.lot_id, line.location_id
            )));
        }
        if line.counted < Decimal::ZERO {
            return Err(rejected(subject(), ErrorKind::Permanent, &format!(
                "product {} in location {} has a negative count {}; a count is the quantity found, zero or more",
                line.product_id, line.location_id, line.counted
            )));
        }
    }
    Ok(())
}

/// Finds the quant of each line among `quants` (read with `location_id`,
/// `product_id`, `lot_id`, `package_id`, `owner_id` and `quantity`).
///
/// A count line covers loose stock without owner. Stock of the same product
/// and lot in a package or with an owner in that location is rejected rather
/// than guessed at. So are two loose quants of one product and lot, which
/// Odoo merges when its inventory view is opened.
pub(super) fn match_quants(
    lines: Vec<CountLine>,
    quants: &[Record],
    reference: &str,
) -> Result<Vec<Planned>, Error> {
    let mut planned = Vec::with_capacity(lines.len());
    for line in lines {
        let candidates: Vec<&Record> = quants
            .iter()
            .filter(|q| {
                many2one_id(q, "location_id") == Some(line.location_id)
                    && many2one_id(q, "product_id") == Some(line.product_id)
                    && many2one_id(q, "lot_id") == line.lot_id
            })
            .collect();
        let subject = || format!("inventory adjustment {reference:?}");
        if candidates
            .iter()
            .any(|q| many2one_id(q, "package_id").is_some() || many2one_id(q, "owner_id").is_some())
        {
            return Err(rejected(subject(), ErrorKind::Permanent, &format!(
                "product {} lot {:?} in location {} is stored in a package or owned by a partner in Odoo, which a count line cannot address; count it in Odoo",
                line.product_id, line.lot_id, line.location_id
            )));
        }
        if candidates.len() > 1 {
            return Err(rejected(subject(), ErrorKind::Permanent, &format!(
                "product {} lot {:?} in location {} has {} quants in Odoo; open Inventory > Physical Inventory in Odoo to merge them, then send the count again",
                line.product_id, line.lot_id, line.location_id, candidates.len()
            )));
        }
        let quant = candidates
            .first()
            .map(|q| (id_of(q), decimal(q, "quantity")));
        planned.push(Planned { line, quant });
    }
    Ok(planned)
}

/// Groups the existing quants by counted quantity, so each distinct
/// quantity costs one `write` whatever the number of quants.
pub(super) fn writes_by_quantity(planned: &[Planned]) -> BTreeMap<Decimal, Vec<i64>> {
    let mut groups: BTreeMap<Decimal, Vec<i64>> = BTreeMap::new();
    for item in planned {
        if let Some((quant_id, _)) = item.quant {
            groups.entry(item.line.counted).or_default().push(quant_id);
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    fn line(location_id: i64, product_id: i64, lot_id: Option<i64>, counted: Decimal) -> CountLine {
        CountLine {
            location_id,
            product_id,
            lot_id,
            counted,
        }
    }

    fn quant(value: serde_json::Value) -> Record {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn match_and_group() {
        let quants = vec![
            quant(
                json!({"id": 1, "location_id": [8, "WH/Stock"], "product_id": [2, "W"], "lot_id": false, "package_id": false, "owner_id": false, "quantity": 102.0}),
            ),
            quant(
                json!({"id": 14, "location_id": [8, "WH/Stock"], "product_id": [9, "M"], "lot_id": [6, "MU-1001"], "package_id": false, "owner_id": false, "quantity": 36.0}),
            ),
            quant(
                json!({"id": 13, "location_id": [8, "WH/Stock"], "product_id": [9, "M"], "lot_id": [5, "MU-0912"], "package_id": false, "owner_id": false, "quantity": 24.0}),
            ),
        ];
        let lines = vec![
            line(8, 2, None, dec!(97)),
            line(8, 9, Some(6), dec!(97)),
            line(8, 9, Some(5), dec!(20)),
            line(23, 5, None, dec!(12)),
        ];
        let planned = match_quants(lines, &quants, "CC-1").unwrap();
        assert_eq!(planned[0].quant, Some((1, dec!(102))));
        assert_eq!(planned[1].quant, Some((14, dec!(36))));
        assert_eq!(planned[3].quant, None);
        let groups = writes_by_quantity(&planned);
        assert_eq!(groups[&dec!(97)], vec![1, 14]);
        assert_eq!(groups[&dec!(20)], vec![13]);
        assert_eq!(groups.len(), 2);
    }

    #[test]
    fn packaged_stock_rejected() {
        let quants = vec![quant(
            json!({"id": 3, "location_id": [8, "WH/Stock"], "product_id": [2, "W"], "lot_id": false, "package_id": [1, "PACK1"], "owner_id": false, "quantity": 5.0}),
        )];
        let error = match_quants(vec![line(8, 2, None, dec!(5))], &quants, "CC-1").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Permanent);
        assert!(error.to_string().contains("package"), "{error}");
    }

    #[test]
    fn duplicate_and_negative_lines_rejected() {
        let twice = [line(8, 2, None, dec!(1)), line(8, 2, None, dec!(2))];
        assert!(check_lines(&twice, "CC-1")
            .unwrap_err()
            .to_string()
            .contains("counted twice"));
        let negative = [line(8, 2, None, dec!(-1))];
        assert!(check_lines(&negative, "CC-1")
            .unwrap_err()
            .to_string()
            .contains("negative"));
        assert_eq!(check_lines(&[], " ").unwrap_err().kind(), ErrorKind::Defect);
    }
}
