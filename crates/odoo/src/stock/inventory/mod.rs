//! Inventory operations: reading stock on hand, looking up locations,
//! products and lots, applying counts and scrapping.
//!
//! Each operation costs a fixed handful of calls per batch or page, not one
//! per line. The writes are safe to repeat after a lost response:
//! [`ensure_lots`] reads before it creates, [`already_applied`] checks whether
//! a count with the same reference was booked, and [`scrap()`] looks up the
//! scraps of its reference before creating any.
//!
//! Quantities are [`Decimal`]. Odoo's floats are read through their text
//! (see [`crate::values`]), and every quantity written is first rounded to
//! the product's unit of measure, half away from zero as Odoo's
//! `float_round` does.

mod applied;
mod apply;
mod catalog;
mod counts;
mod lots;
mod quants;
mod scrap;

use std::collections::HashMap;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::values::{decimal, id_of, many2one_id, Record};

pub use applied::already_applied;
pub use apply::apply_counts;
pub use catalog::{locations_by_name, products_by_code, ProductInfo};
pub use counts::{CountLine, CountOutcome, CountedLine};
pub use lots::{ensure_lots, LotRequest};
pub use quants::{read_quants, QuantRow};
pub use scrap::{scrap, ScrapLine};

/// Rounds `quantity` to a multiple of the unit's `rounding` (such as 0.01),
/// half away from zero. A rounding of zero or less leaves it unchanged.
pub(crate) fn round_to_unit(quantity: Decimal, rounding: Decimal) -> Decimal {
    if rounding <= Decimal::ZERO {
        return quantity;
    }
    let steps =
        (quantity / rounding).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    (steps * rounding).normalize()
}

/// Rounds a quantity about to be written and logs when that changes it, so
/// a count of 2.5 units written as 3 leaves a trace.
pub(crate) fn rounded_for_write(quantity: Decimal, rounding: Decimal, product_id: i64) -> Decimal {
    let rounded = round_to_unit(quantity, rounding);
    if rounded != quantity.normalize() {
        tracing::warn!(
            product_id,
            %quantity,
            %rounded,
            %rounding,
            "Rounded a quantity to the product's unit of measure"
        );
    }
    rounded
}

/// Returns the unit rounding of each product of `product_ids`: one read of
/// `product.product` and one of `uom.uom`. A product not found in Odoo is an
/// error that names it.
pub(crate) async fn unit_roundings(
    client: &Client,
    product_ids: &[i64],
) -> Result<HashMap<i64, Decimal>, Error> {
    let products = client
        .read("product.product", product_ids, &["uom_id"])
        .await?;
    if let Some(missing) = product_ids
        .iter()
        .find(|id| !products.iter().any(|p| id_of(p) == **id))
    {
        return Err(rejected(
            format!("product {missing}"),
            ErrorKind::Permanent,
            "not found in Odoo (archived, deleted, or not visible to the integration user)",
        ));
    }
    roundings_of(client, &products).await
}

/// Returns the unit rounding of each product record read with `uom_id`: one
/// read of `uom.uom`.
pub(crate) async fn roundings_of(
    client: &Client,
    products: &[Record],
) -> Result<HashMap<i64, Decimal>, Error> {
    let mut uom_ids: Vec<i64> = products
        .iter()
        .filter_map(|p| many2one_id(p, "uom_id"))
        .collect();
    uom_ids.sort_unstable();
    uom_ids.dedup();
    let units = client.read("uom.uom", &uom_ids, &["rounding"]).await?;
    let rounding_of: HashMap<i64, Decimal> = units
        .iter()
        .map(|u| (id_of(u), decimal(u, "rounding")))
        .collect();

    Ok(products
        .iter()
        .map(|p| {
            let uom = many2one_id(p, "uom_id").unwrap_or(0);
            let rounding = rounding_of.get(&uom).copied().unwrap_or(Decimal::ZERO);
            (id_of(p), rounding)
        })
        .collect())
}

pub(crate) fn rejected(subject: String, kind: ErrorKind, detail: &str) -> Error {
    Error::Inventory {
        subject,
        detail: detail.to_owned(),
        kind,
    }
}

/// Returns the model of a window action, `None` when `value` is not an object.
pub(crate) fn action_model(value: &serde_json::Value) -> Option<&str> {
    let action = value.as_object()?;
    Some(
        action
            .get("res_model")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("unknown"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn round_to_unit_half_away_from_zero() {
        assert_eq!(round_to_unit(dec!(2.5), dec!(1)), dec!(3));
        assert_eq!(round_to_unit(dec!(-2.5), dec!(1)), dec!(-3));
        assert_eq!(round_to_unit(dec!(1.005), dec!(0.01)), dec!(1.01));
        assert_eq!(round_to_unit(dec!(1.2344), dec!(0.001)), dec!(1.234));
        assert_eq!(round_to_unit(dec!(7.3), dec!(0.5)), dec!(7.5));
        assert_eq!(round_to_unit(dec!(97), dec!(1)), dec!(97));
        assert_eq!(round_to_unit(dec!(0.3), dec!(0)), dec!(0.3));
    }
}
