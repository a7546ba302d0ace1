//! Release rules: which ready pickings may go to the warehouse.

use wharf_model::OrderRelease;

use crate::config::SiteRules;

/// Reason a picking is held back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldReason {
    MissingAddress {
        field: &'static str,
    },
    /// The customer carries one of the site's `credit_hold_tags`.
    CreditHold {
        tag: String,
    },
    /// Odoo's credit-hold field (`odoo.credit_hold_field`) is set on the
    /// customer.
    CreditHoldFlag,
    MissingSku {
        product_id: i64,
        description: String,
    },
    NoLines,
}

impl HoldReason {
    /// Describes the hold for the exception queue: what is wrong and how to fix it in Odoo.
    pub fn describe(&self, order: &OrderRelease) -> String {
        match self {
            HoldReason::MissingAddress { field } => format!(
                "picking {} held: the delivery address of {} has no {field}; complete the address in Odoo",
                order.picking_name, order.customer
            ),
            HoldReason::CreditHold { tag } => format!(
                "picking {} held: customer {} carries the tag {tag:?}; remove the tag in Odoo once credit is cleared",
                order.picking_name, order.customer
            ),
            HoldReason::CreditHoldFlag => format!(
                "picking {} held: customer {} is flagged on credit hold in Odoo; clear the flag on the customer in Odoo once credit is cleared",
                order.picking_name, order.customer
            ),
            HoldReason::MissingSku { product_id, description } => format!(
                "picking {} held: product {product_id} ({description}) has no internal reference (SKU); set one in Odoo",
                order.picking_name
            ),
            HoldReason::NoLines => format!("picking {} held: it has no moves to ship", order.picking_name),
        }
    }
}

/// Applies the site's release rules; returns the first reason to hold, if any.
pub fn hold_reason(order: &OrderRelease, rules: &SiteRules) -> Option<HoldReason> {
    if let Some(field) = order.ship_to.first_missing_field() {
        return Some(HoldReason::MissingAddress { field });
    }

    let credit_tag = order.customer_tags.iter().find(|tag| {
        rules
            .credit_hold_tags
            .iter()
            .any(|hold| hold.eq_ignore_ascii_case(tag))
    });
    if let Some(tag) = credit_tag {
        return Some(HoldReason::CreditHold { tag: tag.clone() });
    }
    if order.credit_hold {
        return Some(HoldReason::CreditHoldFlag);
    }

    if let Some(line) = order.lines.iter().find(|line| line.sku.trim().is_empty()) {
        return Some(HoldReason::MissingSku {
            product_id: line.product_id,
            description: line.description.clone(),
        });
    }

    if order.lines.is_empty() {
        return Some(HoldReason::NoLines);
    }
    None
}

/// Returns the scheduled time of a picking that is due after the site's
/// release horizon, so that it waits; `None` when it may go now. A
/// picking without a readable scheduled date is released.
pub fn due_after_horizon(
    order: &OrderRelease,
    rules: &SiteRules,
    now: jiff::Timestamp,
) -> Option<jiff::Timestamp> {
    let hours = rules.release_horizon_hours?;
    let scheduled = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", &order.scheduled_date)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    let horizon =
        now + jiff::SignedDuration::from_hours(i64::try_from(hours).unwrap_or(i64::MAX / 3600));
    (scheduled > horizon).then_some(scheduled)
}

#[cfg(test)]
mod tests {
    use wharf_model::{Address, Decimal, OrderLine};

    use super::*;

    fn rules() -> SiteRules {
        toml_rules()
    }

    fn toml_rules() -> SiteRules {
        serde_json::from_value(serde_json::json!({"code": "main", "warehouses": ["WH"]})).unwrap()
    }

    fn order() -> OrderRelease {
        OrderRelease {
            picking_id: 1,
            picking_name: "WH/OUT/00001".into(),
            order_name: "S00001".into(),
            customer_ref: String::new(),
            warehouse: "WH".into(),
            customer: "Brightline Retail LLC".into(),
            customer_tags: vec![],
            credit_hold: false,
            ship_to: Address {
                name: "Brightline DC West".into(),
                street: "1 Dock Road".into(),
                zip: "97201".into(),
                city: "Portland".into(),
                country_code: "US".into(),
                ..Address::default()
            },
            carrier: String::new(),
            scheduled_date: "2026-12-04 10:00:00".into(),
            write_date: "2026-12-04 10:00:00".into(),
            lines: vec![OrderLine {
                line_no: 1,
                move_id: 21,
                product_id: 2,
                sku: "WID-100".into(),
                description: "Widget".into(),
                quantity: Decimal::from(5),
                uom: "Units".into(),
                tracking: "none".into(),
                reserved_lots: vec![],
            }],
        }
    }

    #[test]
    fn horizon_holds_later_orders_only() {
        let mut rules = rules();
        let now: jiff::Timestamp = "2026-12-04T10:00:00Z".parse().unwrap();
        let mut order = order();
        order.scheduled_date = "2026-12-07 10:00:01".into();
        assert!(due_after_horizon(&order, &rules, now).is_none());

        rules.release_horizon_hours = Some(72);
        assert!(due_after_horizon(&order, &rules, now).is_some());
        order.scheduled_date = "2026-12-07 10:00:00".into();
        assert!(due_after_horizon(&order, &rules, now).is_none());
    }

    #[test]
    fn complete_order_passes() {
        assert_eq!(hold_reason(&order(), &rules()), None);
    }

    #[test]
    fn missing_street_holds() {
        let mut order = order();
        order.ship_to.street = " ".into();
        assert_eq!(
            hold_reason(&order, &rules()),
            Some(HoldReason::MissingAddress { field: "street" })
        );
    }

    #[test]
    fn credit_tag_holds_case_insensitively() {
        let mut order = order();
        order.customer_tags = vec!["VIP".into(), "credit hold".into()];
        assert_eq!(
            hold_reason(&order, &rules()),
            Some(HoldReason::CreditHold {
                tag: "credit hold".into()
            })
        );
    }

    #[test]
    fn credit_flag_holds() {
        let mut order = order();
        order.credit_hold = true;
        let reason = hold_reason(&order, &rules());
        assert_eq!(reason, Some(HoldReason::CreditHoldFlag));
        assert_eq!(
            reason.unwrap().describe(&order),
            "picking WH/OUT/00001 held: customer Brightline Retail LLC is flagged on credit hold in Odoo; clear the flag on the customer in Odoo once credit is cleared"
        );
    }

    #[test]
    fn credit_tag_wins_over_flag() {
        let mut order = order();
        order.customer_tags = vec!["Credit Hold".into()];
        order.credit_hold = true;
        let reason = hold_reason(&order, &rules()).unwrap();
        assert_eq!(
            reason.describe(&order),
            "picking WH/OUT/00001 held: customer Brightline Retail LLC carries the tag \"Credit Hold\"; remove the tag in Odoo once credit is cleared"
        );
    }

    #[test]
    fn credit_flag_holds_before_missing_sku() {
        let mut order = order();
        order.credit_hold = true;
        order.lines[0].sku = String::new();
        assert_eq!(
            hold_reason(&order, &rules()),
            Some(HoldReason::CreditHoldFlag)
        );
    }

    #[test]
    fn product_without_sku_holds() {
        let mut order = order();
        order.lines[0].sku = String::new();
        let reason = hold_reason(&order, &rules()).unwrap();
        assert!(reason.describe(&order).contains("product 2"));
    }
}
