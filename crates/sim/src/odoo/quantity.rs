//! Quantities as `Decimal` for the inventory code (counts, adjustments,
//! scrap): read from and written to the float numbers Odoo sends on the wire.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Number, Value};

/// Reads a wire number as a `Decimal`. `false`, a missing value and text
/// that is no number count as zero, because Odoo reads an empty float field so.
pub(crate) fn decimal(value: Option<&Value>) -> Decimal {
    let Some(Value::Number(number)) = value else {
        return Decimal::ZERO;
    };
    let text = number.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .unwrap_or(Decimal::ZERO)
}

/// Writes a quantity the way Odoo sends a float field: always with a
/// decimal point (`5.0`, never `5`).
pub(crate) fn wire(quantity: Decimal) -> Value {
    let mut text = quantity.normalize().to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    Number::from_str(&text).map_or(Value::Bool(false), Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimal_reads_wire_numbers() {
        assert_eq!(decimal(Some(&json!(97))), Decimal::from(97));
        assert_eq!(decimal(Some(&json!(0.5))), Decimal::new(5, 1));
        assert_eq!(decimal(Some(&json!(false))), Decimal::ZERO);
        assert_eq!(decimal(None), Decimal::ZERO);
    }

    #[test]
    fn wire_keeps_a_decimal_point() {
        assert_eq!(wire(Decimal::from(12)).to_string(), "12.0");
        assert_eq!(wire(Decimal::new(-250, 2)).to_string(), "-2.5");
    }
}
