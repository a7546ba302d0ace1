//! Custom fields of the simulated database. An Odoo administrator adds
//! such fields with Studio or under Settings > Technical > Fields, and Odoo
//! requires their names to start with `x_`. Integrations read and write
//! them like any other field. The simulator declares them on every data set,
//! stores a value once one is written, and reads `false` before that, as
//! Odoo reads an unset boolean.

use serde_json::{json, Value};

/// A custom field: model, name, type and label.
struct CustomField {
    model: &'static str,
    name: &'static str,
    kind: &'static str,
    label: &'static str,
}

/// The custom fields every simulated database has.
const CUSTOM_FIELDS: &[CustomField] = &[
    // Flags a customer on credit hold, for the release rule that reads a
    // partner field (`odoo.credit_hold_field`) instead of a tag.
    CustomField {
        model: "res.partner",
        name: "x_credit_hold",
        kind: "boolean",
        label: "Credit Hold",
    },
];

fn find(model: &str, field: &str) -> Option<&'static CustomField> {
    CUSTOM_FIELDS
        .iter()
        .find(|custom| custom.model == model && custom.name == field)
}

/// Returns whether `field` is a custom field of `model`.
pub(crate) fn declares(model: &str, field: &str) -> bool {
    find(model, field).is_some()
}

/// Returns the `fields_get` description of a custom field.
pub(crate) fn description(model: &str, field: &str) -> Option<Value> {
    find(model, field).map(|custom| json!({"string": custom.label, "type": custom.kind}))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::odoo::{OdooSim, SeedOptions, SimOptions};

    fn seeded() -> OdooSim {
        let sim = OdooSim::new(SimOptions {
            version: 18,
            database: "custom".to_owned(),
            api_key: "custom-key".to_owned(),
            login: "integration".to_owned(),
            password: "custom-key".to_owned(),
        })
        .unwrap();
        sim.seed_demo(&SeedOptions::default()).unwrap();
        sim
    }

    fn credit_hold_of(sim: &OdooSim, partner: i64) -> Value {
        let read = sim
            .admin_call(
                "res.partner",
                "read",
                Some(vec![partner]),
                json!({"fields": ["x_credit_hold"]}),
                json!({}),
            )
            .unwrap();
        read[0]["x_credit_hold"].clone()
    }

    #[test]
    fn credit_hold_reads_false_by_default() {
        let sim = seeded();
        assert_eq!(credit_hold_of(&sim, 10), json!(false));
    }

    #[test]
    fn credit_hold_write_then_search() {
        let sim = seeded();
        sim.admin_call(
            "res.partner",
            "write",
            Some(vec![10]),
            json!({"vals": {"x_credit_hold": true}}),
            json!({}),
        )
        .unwrap();

        assert_eq!(credit_hold_of(&sim, 10), json!(true));
        let found = sim
            .admin_call(
                "res.partner",
                "search",
                None,
                json!({"domain": [["x_credit_hold", "=", true]]}),
                json!({}),
            )
            .unwrap();
        assert_eq!(found, json!([10]));
    }

    #[test]
    fn fields_get_lists_credit_hold() {
        let sim = seeded();
        let fields = sim
            .admin_call(
                "res.partner",
                "fields_get",
                None,
                json!({"allfields": ["x_credit_hold"]}),
                json!({}),
            )
            .unwrap();
        assert_eq!(
            fields,
            json!({"x_credit_hold": {"string": "Credit Hold", "type": "boolean"}})
        );
    }

    #[test]
    fn other_models_lack_credit_hold() {
        let sim = seeded();
        let error = sim
            .admin_call(
                "sale.order",
                "search_read",
                None,
                json!({"domain": [], "fields": ["x_credit_hold"]}),
                json!({}),
            )
            .unwrap_err();
        assert!(error.to_string().contains("x_credit_hold"), "{error}");
    }
}
