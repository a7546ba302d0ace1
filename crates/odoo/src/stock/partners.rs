//! Reading the delivery addresses of a page of pickings: the partners, their
//! commercial partners (the company an address belongs to), state codes and
//! tags, one call per model.

use std::collections::HashMap;

use super::ready::{by_id, unique, PartnerInfo};
use crate::client::Client;
use crate::error::Error;
use crate::values::{ids, many2one_id, many2one_name, text, Record};

impl Client {
    /// Reads the delivery addresses of the pickings and the tags of them and
    /// of their commercial partners.
    pub(super) async fn partners(
        &self,
        pickings: &[Record],
    ) -> Result<HashMap<i64, PartnerInfo>, Error> {
        let fields = [
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
            self.read("res.partner", &commercial_ids, &["name", "category_id"])
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
                },
            );
        }
        Ok(out)
    }
}
