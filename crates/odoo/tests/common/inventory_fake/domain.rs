//! Domain evaluation for the inventory fake: Odoo's prefix notation with
//! `|`, `&` and `!`, the operators `=`, `!=`, `in`, `>`, `child_of` and
//! `=like`, and one level of dotted paths through a many2one
//! (`location_id.usage`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Record;

/// Returns the model a many2one field of the inventory models points to.
fn target_model(field: &str) -> Option<&'static str> {
    Some(match field {
        "location_id" => "stock.location",
        "product_id" => "product.product",
        "lot_id" => "stock.lot",
        _ => return None,
    })
}

/// Returns the id of a many2one pair, or the value itself.
pub fn field_id(value: &Value) -> Value {
    match value {
        Value::Array(pair) if pair.len() == 2 && pair[1].is_string() => pair[0].clone(),
        other => other.clone(),
    }
}

pub struct Domain<'a> {
    pub models: &'a BTreeMap<String, Vec<Record>>,
}

impl Domain<'_> {
    pub fn matches(&self, record: &Record, domain: &Value) -> bool {
        let terms = domain.as_array().expect("a domain is a list");
        let mut position = 0;
        let mut result = true;
        while position < terms.len() {
            let (value, next) = self.evaluate(record, terms, position);
            result &= value;
            position = next;
        }
        result
    }

    fn evaluate(&self, record: &Record, terms: &[Value], position: usize) -> (bool, usize) {
        match terms[position].as_str() {
            Some(op @ ("|" | "&")) => {
                let (left, next) = self.evaluate(record, terms, position + 1);
                let (right, next) = self.evaluate(record, terms, next);
                let value = if op == "|" {
                    left || right
                } else {
                    left && right
                };
                (value, next)
            }
            Some("!") => {
                let (value, next) = self.evaluate(record, terms, position + 1);
                (!value, next)
            }
            _ => {
                let leaf = terms[position].as_array().expect("a domain leaf is a list");
                (self.leaf(record, leaf), position + 1)
            }
        }
    }

    fn leaf(&self, record: &Record, leaf: &[Value]) -> bool {
        let path = leaf[0].as_str().unwrap();
        let operator = leaf[1].as_str().unwrap();
        let expected = &leaf[2];
        let actual = self.value_at(record, path);
        match operator {
            "=" => actual == *expected,
            "!=" => actual != *expected,
            "in" => expected.as_array().unwrap().contains(&actual),
            ">" => actual.as_i64().unwrap_or(0) > expected.as_i64().unwrap(),
            "child_of" => {
                let roots: Vec<Value> = match expected {
                    Value::Array(ids) => ids.clone(),
                    one => vec![one.clone()],
                };
                self.ancestors(actual.as_i64())
                    .iter()
                    .any(|id| roots.contains(&Value::from(*id)))
            }
            "=like" => like(actual.as_str().unwrap_or(""), expected.as_str().unwrap()),
            other => panic!("the inventory fake has no operator {other}"),
        }
    }

    /// Reads `field` or `field.subfield` of a record, ids for many2one.
    fn value_at(&self, record: &Record, path: &str) -> Value {
        let (field, rest) = match path.split_once('.') {
            Some((field, rest)) => (field, Some(rest)),
            None => (path, None),
        };
        let value = field_id(record.get(field).unwrap_or(&Value::Bool(false)));
        let Some(rest) = rest else { return value };
        let model = target_model(field).unwrap_or_else(|| panic!("no target model for {field}"));
        self.models
            .get(model)
            .and_then(|records| records.iter().find(|r| r["id"] == value))
            .map_or(Value::Bool(false), |target| {
                field_id(target.get(rest).unwrap_or(&Value::Bool(false)))
            })
    }

    /// Returns a location and its parents, innermost first.
    fn ancestors(&self, mut location: Option<i64>) -> Vec<i64> {
        let mut chain = Vec::new();
        while let Some(id) = location {
            chain.push(id);
            location = self.models["stock.location"]
                .iter()
                .find(|l| l["id"] == id)
                .and_then(|l| field_id(&l["location_id"]).as_i64());
        }
        chain
    }
}

/// SQL `LIKE` with `%`, `_` and backslash escapes, as Odoo's `=like` sends it.
pub fn like(text: &str, pattern: &str) -> bool {
    fn matches(text: &[char], pattern: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('%', rest)) => (0..=text.len()).any(|skip| matches(&text[skip..], rest)),
            Some(('_', rest)) => !text.is_empty() && matches(&text[1..], rest),
            Some(('\\', rest)) if !rest.is_empty() => {
                text.first() == Some(&rest[0]) && matches(&text[1..], &rest[1..])
            }
            Some((ch, rest)) => text.first() == Some(ch) && matches(&text[1..], rest),
        }
    }
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    matches(&text, &pattern)
}
