//! A site's inventory rules: where its stock lives in Odoo, how its location
//! codes, units and reason codes map to Odoo, and the reconciliation
//! thresholds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wharf_model::Decimal;

use crate::reconcile::Threshold;

/// Inventory rules of one site.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryRules {
    /// Odoo location that holds the site's stock, for example `WH/Stock`;
    /// reconciliation compares every internal location below it.
    pub stock_location: String,
    /// Warehouse location codes and the Odoo location (complete name) each
    /// means, for example `{ "A-01" = "WH/Stock/Shelf 1" }`. A code without
    /// an entry is taken as an Odoo location name.
    #[serde(default)]
    pub locations: BTreeMap<String, String>,
    /// Unit codes that mean the product's Odoo unit, as the warehouse writes them.
    #[serde(default = "default_base_units")]
    pub base_units: Vec<String>,
    /// Other unit codes and how many Odoo units one of them holds, for
    /// example `{ CS = "12" }`.
    #[serde(default)]
    pub units: BTreeMap<String, Decimal>,
    /// Per-SKU unit factors that override `units`, for example
    /// `{ "WID-100" = { CS = "24" } }`.
    #[serde(default)]
    pub sku_units: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// Warehouse reason codes and the text Odoo's adjustment carries, for
    /// example `{ DMG = "Damaged in warehouse" }`. When empty, codes are
    /// passed through; when not, a code without an entry is an exception.
    #[serde(default)]
    pub reasons: BTreeMap<String, String>,
    /// Reconciliation tolerance for every product.
    #[serde(default)]
    pub threshold: Threshold,
    /// Per-SKU tolerances that override `threshold`.
    #[serde(default)]
    pub sku_thresholds: BTreeMap<String, Threshold>,
    /// Apply differences within the threshold to Odoo after a scheduled or
    /// on-arrival reconciliation; when false they are reported only.
    #[serde(default)]
    pub apply_within_threshold: bool,
    /// File name prefix of movement files in the inventory folder.
    #[serde(default = "default_movement_prefix")]
    pub movement_prefix: String,
    /// File name prefix of snapshot files in the inventory folder.
    #[serde(default = "default_snapshot_prefix")]
    pub snapshot_prefix: String,
}

fn default_base_units() -> Vec<String> {
    vec!["EA".to_owned()]
}

fn default_movement_prefix() -> String {
    "MOV".to_owned()
}

fn default_snapshot_prefix() -> String {
    "SNAP".to_owned()
}

impl InventoryRules {
    /// Returns the Odoo location name a warehouse location code means.
    pub fn odoo_location<'a>(&'a self, code: &'a str) -> &'a str {
        self.locations.get(code).map_or(code, String::as_str)
    }

    /// Converts a warehouse quantity to the product's Odoo unit.
    ///
    /// Multiplying decimals is exact, so a count of `0.25` cases of 12 is
    /// exactly 3 units, and no rounding drift builds up across rows.
    pub fn to_odoo_quantity(
        &self,
        sku: &str,
        unit: Option<&str>,
        quantity: Decimal,
    ) -> Result<Decimal, String> {
        let Some(unit) = unit.map(str::trim).filter(|unit| !unit.is_empty()) else {
            return Ok(quantity);
        };
        if self
            .base_units
            .iter()
            .any(|base| base.eq_ignore_ascii_case(unit))
        {
            return Ok(quantity);
        }
        let factor = self
            .sku_units
            .get(sku)
            .and_then(|units| units.get(unit))
            .or_else(|| self.units.get(unit));
        match factor {
            Some(factor) => Ok(quantity * factor),
            None => Err(format!(
                "unit {unit} of SKU {sku} has no conversion to the Odoo unit; add it to the site's \
                 inventory `units` (or `sku_units`), or to `base_units` if it is the Odoo unit"
            )),
        }
    }

    /// Returns the text Odoo's adjustment carries for a reason code.
    pub fn reason_text(&self, code: &str) -> Result<String, String> {
        if self.reasons.is_empty() {
            return Ok(code.to_owned());
        }
        self.reasons.get(code).cloned().ok_or_else(|| {
            format!("reason code {code} has no entry in the site's inventory `reasons`; add it")
        })
    }

    /// Returns the tolerance of one SKU.
    pub fn threshold_for(&self, sku: &str) -> Threshold {
        self.sku_thresholds
            .get(sku)
            .copied()
            .unwrap_or(self.threshold)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn rules() -> InventoryRules {
        toml::from_str(
            r#"
            stock_location = "WH/Stock"
            units = { CS = "12" }
            sku_units = { "BIG-1" = { CS = "24" } }
            locations = { "A-01" = "WH/Stock/Shelf 1" }
            "#,
        )
        .unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn cases_convert_exactly() {
        let rules = rules();
        assert_eq!(
            rules.to_odoo_quantity("WID", Some("CS"), dec("0.25")),
            Ok(dec("3"))
        );
        assert_eq!(
            rules.to_odoo_quantity("WID", Some("CS"), dec("1.5")),
            Ok(dec("18"))
        );
        assert_eq!(
            rules.to_odoo_quantity("BIG-1", Some("CS"), dec("0.5")),
            Ok(dec("12"))
        );
    }

    #[test]
    fn base_unit_and_missing_unit_pass_through() {
        let rules = rules();
        assert_eq!(
            rules.to_odoo_quantity("WID", Some("ea"), dec("7")),
            Ok(dec("7"))
        );
        assert_eq!(rules.to_odoo_quantity("WID", None, dec("7")), Ok(dec("7")));
    }

    #[test]
    fn unknown_unit_names_unit_and_sku() {
        let error = rules()
            .to_odoo_quantity("WID", Some("PAL"), dec("1"))
            .unwrap_err();
        assert!(error.contains("PAL"), "{error}");
        assert!(error.contains("WID"), "{error}");
    }

    #[test]
    fn location_codes_map_or_pass_through() {
        let rules = rules();
        assert_eq!(rules.odoo_location("A-01"), "WH/Stock/Shelf 1");
        assert_eq!(rules.odoo_location("WH/Stock"), "WH/Stock");
    }

    #[test]
    fn reasons_pass_through_when_unmapped() {
        let mut rules = rules();
        assert_eq!(rules.reason_text("DMG"), Ok("DMG".to_owned()));
        rules.reasons.insert("DMG".into(), "Damaged".into());
        assert_eq!(rules.reason_text("DMG"), Ok("Damaged".to_owned()));
        assert!(rules.reason_text("LOST").is_err());
    }
}
