//! Reading the delivery addresses of a page of pickings: the partners, their
//! commercial partners (the company an address belongs to), state codes,
//! tags and an optional credit-hold field, one call per model.

use std::collections::HashMap;

use serde_json::Value;

use super::ready::{by_id, unique, PartnerInfo};
use crate::client::Client;
use crate::error::Error;
use crate::values::{decimal_of, ids, many2one_id, many2one_name, text, Record};

impl Client {
    /// Reads the delivery addresses of the pickings, and the tags and the
    /// `credit_hold_field` of them and of their commercial partners. The
    /// caller checks that the field name is a plain identifier.
    pub(super) async fn partners(
        &self,
        pickings: &[Record],
        credit_hold_field: Option<&str>,
    ) -> Result<HashMap<i64, PartnerInfo>, Error> {
        let mut fields = vec![
            "name",
            "street",
            "street2",
            "zip",
            "city",
            "state_id",
            "country_code",
            "phone",
            "email",
            "commercial_partner_id",
            "category_id",
        ];
        let mut commercial_fields = vec!["name", "category_id"];
        if let Some(field) = credit_hold_field {
            fields.push(field);
            commercial_fields.push(field);
        }
        let partner_ids = unique(pickings.iter().filter_map(|p| many2one_id(p, "partner_id")));
        let mut records = by_id(self.read("res.partner", &partner_ids, &fields).await?);
        let commercial_ids: Vec<i64> = unique(
            records
                .values()
                .filter_map(|p| many2one_id(p, "commercial_partner_id")),
        )
        .into_iter()
        .filter(|id| !records.contains_key(id))
        .collect();
        records.extend(by_id(
            self.read("res.partner", &commercial_ids, &commercial_fields)
                .await?,
        ));

        let state_ids = unique(records.values().filter_map(|p| many2one_id(p, "state_id")));
        let state_codes = by_id(
            self.read("res.country.state", &state_ids, &["code"])
                .await?,
        );
        let category_ids = unique(records.values().flat_map(|p| ids(p, "category_id")));
        let categories = by_id(
            self.read("res.partner.category", &category_ids, &["name"])
                .await?,
        );

        let mut out = HashMap::new();
        for id in partner_ids {
            let Some(partner) = records.get(&id) else {
                continue;
            };
            let commercial =
                many2one_id(partner, "commercial_partner_id").and_then(|c| records.get(&c));
            let mut tags: Vec<String> = Vec::new();
            for category in ids(partner, "category_id").into_iter().chain(
                commercial
                    .map(|c| ids(c, "category_id"))
                    .unwrap_or_default(),
            ) {
                let name = categories
                    .get(&category)
                    .map(|c| text(c, "name"))
                    .unwrap_or_default();
                if !name.is_empty() && !tags.contains(&name) {
                    tags.push(name);
                }
            }
            let credit_hold = credit_hold_field.is_some_and(|field| {
                is_set(partner.get(field)) || commercial.is_some_and(|c| is_set(c.get(field)))
            });
            let state_code = many2one_id(partner, "state_id")
                .and_then(|s| state_codes.get(&s))
                .map(|s| text(s, "code"))
                .unwrap_or_default();
            out.insert(
                id,
                PartnerInfo {
                    id,
                    name: text(partner, "name"),
                    street: text(partner, "street"),
                    street2: text(partner, "street2"),
                    zip: text(partner, "zip"),
                    city: text(partner, "city"),
                    state_code,
                    country_code: text(partner, "country_code"),
                    phone: text(partner, "phone"),
                    email: text(partner, "email"),
                    commercial_partner_name: many2one_name(partner, "commercial_partner_id"),
                    tags,
                    credit_hold,
                },
            );
        }
        Ok(out)
    }
}

/// Returns whether a field value is set, as Python's truth test reads it:
/// `true`, a non-zero number, a non-empty text or a non-empty list (a set
/// many2one is `[id, name]`). So a char or many2one field named as the
/// credit-hold field puts a customer on hold whenever it has a value.
fn is_set(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(flag)) => *flag,
        Some(number @ Value::Number(_)) => !decimal_of(number).is_some_and(|n| n.is_zero()),
        Some(Value::String(text)) => !text.is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Null) | None => false,
    }
}
