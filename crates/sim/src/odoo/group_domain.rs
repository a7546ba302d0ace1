//! The domains grouped reads return: `__domain` (the search domain and the
//! group's terms) and `__extra_domain` (the group's terms), joined and
//! normalised as Odoo's `expression` module does.

use serde_json::{json, Value};

/// Normalises a domain the way Odoo's `normalize_domain` does: an implicit
/// `&` is written out in front of each pair of terms that lacks one.
fn normalize(domain: &Value) -> Vec<Value> {
    let mut result: Vec<Value> = Vec::new();
    let mut expected = 1_i64;
    for token in domain.as_array().into_iter().flatten() {
        if expected == 0 {
            result.insert(0, json!("&"));
            expected = 1;
        }
        match token.as_str() {
            Some("!") => {}
            Some("&" | "|") => expected += 1,
            _ => expected -= 1,
        }
        result.push(token.clone());
    }
    result
}

/// Joins domains with `&` as Odoo's `expression.AND` does, dropping empty ones.
pub(crate) fn and_domains(domains: &[Value]) -> Vec<Value> {
    let parts: Vec<Vec<Value>> = domains
        .iter()
        .filter(|d| d.as_array().is_some_and(|items| !items.is_empty()))
        .map(normalize)
        .collect();
    let mut result: Vec<Value> = vec![json!("&"); parts.len().saturating_sub(1)];
    for part in parts {
        result.extend(part);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_domains_writes_out_implicit_and() {
        let a = json!([["usage", "=", "internal"]]);
        let b = json!([["product_id", "=", 4], ["location_id", "=", 8]]);
        assert_eq!(
            json!(and_domains(&[a, b])),
            json!([
                "&",
                ["usage", "=", "internal"],
                "&",
                ["product_id", "=", 4],
                ["location_id", "=", 8]
            ])
        );
    }

    #[test]
    fn and_domains_drops_empty_domains() {
        let leaf = json!([["product_id", "=", 9]]);
        assert_eq!(json!(and_domains(&[json!([]), leaf.clone()])), leaf);
    }
}
