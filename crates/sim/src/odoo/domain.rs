//! Domain evaluation: Odoo's prefix-notation filters (`&`, `|`, `!` and
//! `[field, operator, value]` leaves) over the record store, with dotted
//! paths through many2one fields and `any` on relational fields.

use std::collections::BTreeSet;

use serde_json::Value;

use super::error::OdooError;
use super::orm::{field_value_ref, has_field};
use super::store::{comodel, inverse, m2o_id, related_ids, Db};

/// A parsed domain.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Leaf {
        path: String,
        op: String,
        value: Value,
    },
    True,
}

/// Parses and checks a domain against the fields of `model`.
pub(crate) fn parse(db: &Db, model: &str, domain: &Value) -> Result<Node, OdooError> {
    let items = match domain {
        Value::Array(items) => items.clone(),
        Value::Bool(false) | Value::Null => Vec::new(),
        other => {
            return Err(OdooError::type_error(format!(
                "Domain() invalid argument type for domain: {}",
                serde_json::to_string(&other.to_string()).unwrap_or_default()
            )))
        }
    };
    let mut position = 0;
    let mut nodes = Vec::new();
    while position < items.len() {
        nodes.push(parse_one(db, model, &items, &mut position)?);
    }
    Ok(match nodes.len() {
        0 => Node::True,
        1 => nodes.remove(0),
        _ => Node::And(nodes),
    })
}

fn parse_one(
    db: &Db,
    model: &str,
    items: &[Value],
    position: &mut usize,
) -> Result<Node, OdooError> {
    let item = items
        .get(*position)
        .ok_or_else(|| OdooError::value("Domain is malformed: missing operands"))?;
    *position += 1;
    match item {
        Value::String(op) if op == "&" || op == "|" => {
            let left = parse_one(db, model, items, position)?;
            let right = parse_one(db, model, items, position)?;
            Ok(if op == "&" {
                Node::And(vec![left, right])
            } else {
                Node::Or(vec![left, right])
            })
        }
        Value::String(op) if op == "!" => {
            Ok(Node::Not(Box::new(parse_one(db, model, items, position)?)))
        }
        // Odoo indexes the string as if it were a leaf tuple.
        Value::String(_) => Err(OdooError::new(
            "builtins.IndexError",
            "string index out of range",
        )),
        Value::Array(leaf) if leaf.len() == 3 => {
            let path = leaf[0]
                .as_str()
                .ok_or_else(|| OdooError::value(format!("Invalid leaf {}", py_repr(item))))?;
            let op = leaf[1].as_str().unwrap_or("").to_lowercase();
            check_path(db, model, path, item)?;
            Ok(Node::Leaf {
                path: path.to_owned(),
                op,
                value: leaf[2].clone(),
            })
        }
        Value::Bool(true) => Ok(Node::True),
        other => Err(OdooError::value(format!("Invalid leaf {}", py_repr(other)))),
    }
}

fn check_path(db: &Db, model: &str, path: &str, leaf: &Value) -> Result<(), OdooError> {
    let mut current = model.to_owned();
    for part in path.split('.') {
        if !has_field(db, &current, part) {
            let word = if db.version >= 19 {
                "condition"
            } else {
                "leaf"
            };
            return Err(OdooError::value(format!(
                "Invalid field {current}.{part} in {word} {}",
                py_leaf(leaf)
            )));
        }
        match comodel(&current, part) {
            Some(next) => current = next.to_owned(),
            None => break,
        }
    }
    Ok(())
}

/// Evaluates a parsed domain on one record.
pub(crate) fn matches(db: &Db, model: &str, id: i64, node: &Node) -> bool {
    match node {
        Node::True => true,
        Node::And(nodes) => nodes.iter().all(|n| matches(db, model, id, n)),
        Node::Or(nodes) => nodes.iter().any(|n| matches(db, model, id, n)),
        Node::Not(inner) => !matches(db, model, id, inner),
        Node::Leaf { path, op, value } => leaf_matches(db, model, id, path, op, value),
    }
}

fn leaf_matches(db: &Db, model: &str, id: i64, path: &str, op: &str, right: &Value) -> bool {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let left = field_value_ref(db, model, id, head);
    let target = comodel(model, head);

    if let (Some(rest), Some(target)) = (rest, target) {
        let related = related_ids(&left);
        if related.is_empty() {
            return leaf_on_value(db, None, &Value::Bool(false), op, right);
        }
        return related
            .into_iter()
            .any(|other| leaf_matches(db, target, other, rest, op, right));
    }

    if op == "any" || op == "not any" {
        let Some(target) = target else { return false };
        let Ok(sub) = parse(db, target, right) else {
            return false;
        };
        let found = related_ids(&left)
            .into_iter()
            .any(|other| matches(db, target, other, &sub));
        return if op == "any" { found } else { !found };
    }
    if op == "child_of" && target == Some("stock.location")
        || (op == "child_of" && model == "stock.location" && head == "id")
    {
        let roots = int_list(right);
        return related_ids(&left)
            .into_iter()
            .any(|loc| location_under(db, loc, &roots));
    }
    leaf_on_value(db, target, &left, op, right)
}

/// Splits a domain into candidate ids taken from the store's indexes and the
/// rest of the domain, which the caller evaluates on each candidate. The
/// candidates contain every matching record. `None` means a full scan.
///
/// Indexed leaves: `id` `=`/`in` integers, `state` `=`/`in` strings, and
/// `=`/`in` ids on an indexed many2one such as `picking_id`. A leaf whose
/// candidates are exactly its matches is left out of the rest when it is
/// the whole domain or a term of the top-level `&`.
pub(crate) fn plan(db: &Db, model: &str, node: &Node) -> (Option<BTreeSet<i64>>, Node) {
    match node {
        Node::Leaf { path, op, value } => match leaf_candidates(db, model, path, op, value) {
            Some((ids, true)) => (Some(ids), Node::True),
            Some((ids, false)) => (Some(ids), node.clone()),
            None => (None, node.clone()),
        },
        Node::And(nodes) => {
            let mut scope: Option<BTreeSet<i64>> = None;
            let mut rest = Vec::new();
            for child in nodes {
                let (ids, child_rest) = plan(db, model, child);
                if let Some(ids) = ids {
                    scope = Some(match scope {
                        Some(current) => current.intersection(&ids).copied().collect(),
                        None => ids,
                    });
                }
                if !matches!(child_rest, Node::True) {
                    rest.push(child_rest);
                }
            }
            let rest = match rest.len() {
                0 => Node::True,
                1 => rest.remove(0),
                _ => Node::And(rest),
            };
            (scope, rest)
        }
        Node::Or(_) | Node::Not(_) | Node::True => (candidates(db, model, node), node.clone()),
    }
}

/// Returns a set of ids that contains every record matching `node`, taken
/// from the store's indexes, or `None` when the domain needs a full scan.
fn candidates(db: &Db, model: &str, node: &Node) -> Option<BTreeSet<i64>> {
    match node {
        Node::And(nodes) => nodes
            .iter()
            .filter_map(|n| candidates(db, model, n))
            .reduce(|left, right| left.intersection(&right).copied().collect()),
        Node::Or(nodes) => {
            let mut union = BTreeSet::new();
            for n in nodes {
                union.extend(candidates(db, model, n)?);
            }
            Some(union)
        }
        Node::Leaf { path, op, value } => {
            leaf_candidates(db, model, path, op, value).map(|(ids, _)| ids)
        }
        Node::Not(_) | Node::True => None,
    }
}

/// Returns the candidates of one leaf and whether they are exactly the
/// records the leaf matches (`compare` and `leaf_on_value` give the rules).
fn leaf_candidates(
    db: &Db,
    model: &str,
    path: &str,
    op: &str,
    right: &Value,
) -> Option<(BTreeSet<i64>, bool)> {
    if path.contains('.') || inverse(model, path).is_some() {
        return None;
    }
    // `=` compares with one value and `in` with a list, so a list after `=`
    // or a single value after `in` matches nothing: the ids are then a superset.
    let exact = match op {
        "=" => !right.is_array(),
        _ => right.is_array(),
    };
    match (path, op) {
        ("id", "=" | "in") => {
            let ids = exact_list(right, Value::as_i64)?;
            let ids = ids.into_iter().filter(|id| db.exists(model, *id)).collect();
            Some((ids, exact))
        }
        ("state", "=" | "in") if comodel(model, path).is_none() => {
            let states = exact_list(right, Value::as_str)?;
            Some((db.ids_in_states(model, &states), exact))
        }
        (_, "=" | "in") if comodel(model, path).is_some() => {
            // The same cases as `leaf_on_value`: a name, `false` or `[]` needs a scan.
            let by_name = right.is_string()
                || matches!(right, Value::Array(items) if items.iter().any(Value::is_string));
            let empty = right == &Value::Bool(false)
                || (op == "=" && right.is_array() && int_list(right).is_empty());
            if by_name || empty {
                return None;
            }
            // Relational leaves read `=` and `in` alike, so these ids are exact.
            let ids = db.indexed_references(model, path, &int_list(right))?;
            Some((ids, true))
        }
        _ => None,
    }
}

/// Reads a leaf operand that is one value or a list of values with `read`.
/// Returns `None` when some item is of another kind.
fn exact_list<'a, T>(value: &'a Value, read: impl Fn(&'a Value) -> Option<T>) -> Option<Vec<T>> {
    match value {
        Value::Array(items) => items.iter().map(&read).collect(),
        other => read(other).map(|item| vec![item]),
    }
}

fn location_under(db: &Db, mut location: i64, roots: &[i64]) -> bool {
    for _ in 0..64 {
        if roots.contains(&location) {
            return true;
        }
        match m2o_id(
            db.get("stock.location", location)
                .and_then(|r| r.get("location_id")),
        ) {
            Some(parent) => location = parent,
            None => return false,
        }
    }
    false
}

fn int_list(value: &Value) -> Vec<i64> {
    match value {
        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
        other => other.as_i64().into_iter().collect(),
    }
}

fn leaf_on_value(db: &Db, target: Option<&str>, left: &Value, op: &str, right: &Value) -> bool {
    // Relational fields compare by id, or by display name for text operands.
    if let Some(target) = target {
        let ids = related_ids(left);
        let by_name = right.is_string()
            || matches!(right, Value::Array(items) if items.iter().any(Value::is_string));
        if by_name {
            let names: Vec<Value> = ids
                .iter()
                .map(|id| Value::String(db.display_name(target, *id)))
                .collect();
            let positive = names.iter().any(|name| {
                compare(
                    name,
                    op.trim_start_matches("not ").trim_start_matches('!'),
                    right,
                )
            });
            return if op.starts_with("not ") || op == "!=" {
                !positive
            } else {
                positive
            };
        }
        return match op {
            "=" | "in" => {
                if right == &Value::Bool(false)
                    || (right.is_array() && int_list(right).is_empty() && op == "=")
                {
                    return ids.is_empty();
                }
                let wanted = int_list(right);
                ids.iter().any(|id| wanted.contains(id))
            }
            "!=" | "not in" => {
                if right == &Value::Bool(false) {
                    return !ids.is_empty();
                }
                let wanted = int_list(right);
                !ids.iter().any(|id| wanted.contains(id))
            }
            _ => ids
                .first()
                .is_some_and(|id| compare(&Value::from(*id), op, right)),
        };
    }
    compare(left, op, right)
}

fn compare(left: &Value, op: &str, right: &Value) -> bool {
    match op {
        "=" | "==" => equal(left, right),
        "!=" | "<>" => !equal(left, right),
        "in" => right
            .as_array()
            .is_some_and(|items| items.iter().any(|item| equal(left, item))),
        "not in" => !right
            .as_array()
            .is_some_and(|items| items.iter().any(|item| equal(left, item))),
        "<" | "<=" | ">" | ">=" => {
            let ordering = match (left.as_f64(), right.as_f64()) {
                (Some(a), Some(b)) => a.partial_cmp(&b),
                _ => match (left.as_str(), right.as_str()) {
                    (Some(a), Some(b)) => Some(a.cmp(b)),
                    _ => None,
                },
            };
            let Some(ordering) = ordering else {
                return false;
            };
            match op {
                "<" => ordering.is_lt(),
                "<=" => ordering.is_le(),
                ">" => ordering.is_gt(),
                _ => ordering.is_ge(),
            }
        }
        "like" | "ilike" | "not like" | "not ilike" => {
            let Some(text) = left.as_str() else {
                return op.starts_with("not");
            };
            let pattern = right.as_str().unwrap_or("");
            let found = if op.contains("ilike") {
                text.to_lowercase().contains(&pattern.to_lowercase())
            } else {
                text.contains(pattern)
            };
            if op.starts_with("not") {
                !found
            } else {
                found
            }
        }
        "=like" | "=ilike" => {
            let Some(text) = left.as_str() else {
                return false;
            };
            let pattern = right.as_str().unwrap_or("");
            if op == "=ilike" {
                like_match(&text.to_lowercase(), &pattern.to_lowercase())
            } else {
                like_match(text, pattern)
            }
        }
        _ => false,
    }
}

fn equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Bool(false), Value::Null) | (Value::Null, Value::Bool(false)) => true,
        _ => left == right,
    }
}

/// Matches SQL LIKE patterns: `%` is any run of characters, `_` one character.
fn like_match(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    fn walk(t: &[char], p: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|skip| walk(&t[skip..], &p[1..])),
            Some('_') => !t.is_empty() && walk(&t[1..], &p[1..]),
            Some(c) => t.first() == Some(c) && walk(&t[1..], &p[1..]),
        }
    }
    walk(&text, &pattern)
}

/// Formats a JSON value the way Python's `repr` prints the decoded value.
pub(crate) fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("'{k}': {}", py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Formats a leaf as the tuple Odoo prints in domain errors.
fn py_leaf(leaf: &Value) -> String {
    match leaf {
        Value::Array(items) => format!(
            "({})",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        other => py_repr(other),
    }
}
