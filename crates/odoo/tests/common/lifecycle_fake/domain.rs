//! Record projection and domain evaluation for the lifecycle fake.

use serde_json::{Map, Value};

use super::{field_id, Record};

pub(super) fn project(record: &Record, fields: Option<&Value>) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), record["id"].clone());
    for field in fields.and_then(Value::as_array).into_iter().flatten() {
        let name = field.as_str().unwrap();
        out.insert(
            name.into(),
            record.get(name).cloned().unwrap_or(Value::Bool(false)),
        );
    }
    Value::Object(out)
}

/// Evaluates a domain in Odoo's prefix notation, `&` between consecutive terms.
pub(super) fn matches(record: &Record, domain: &Value) -> bool {
    let terms = domain.as_array().unwrap();
    let mut position = 0;
    let mut result = true;
    while position < terms.len() {
        let (value, next) = evaluate(record, terms, position);
        result &= value;
        position = next;
    }
    result
}

fn evaluate(record: &Record, terms: &[Value], position: usize) -> (bool, usize) {
    match terms[position].as_str() {
        Some(operator @ ("|" | "&")) => {
            let (left, next) = evaluate(record, terms, position + 1);
            let (right, next) = evaluate(record, terms, next);
            (
                if operator == "|" {
                    left || right
                } else {
                    left && right
                },
                next,
            )
        }
        _ => (
            leaf_matches(record, terms[position].as_array().unwrap()),
            position + 1,
        ),
    }
}

fn leaf_matches(record: &Record, leaf: &[Value]) -> bool {
    let field = leaf[0].as_str().unwrap();
    assert!(
        !field.contains('.'),
        "the fake has no dotted paths: {field}"
    );
    let actual = field_id(record.get(field).unwrap_or(&Value::Bool(false)));
    let expected = &leaf[2];
    let greater = || match (&actual, expected) {
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .unwrap()
            .partial_cmp(&b.as_f64().unwrap())
            .unwrap(),
        _ => actual
            .as_str()
            .unwrap_or("")
            .cmp(expected.as_str().unwrap()),
    };
    match leaf[1].as_str().unwrap() {
        "=" => actual == *expected,
        "!=" => actual != *expected,
        "in" => expected.as_array().unwrap().contains(&actual),
        ">" => greater().is_gt(),
        ">=" => greater().is_ge(),
        other => panic!("the fake has no operator {other}"),
    }
}
