//! Finding lots and serial numbers by product and name, and creating the
//! missing ones when the site allows it.
//!
//! One `search_read` finds every requested lot. The missing ones are created
//! in one `create` call in the user's company, because Odoo requires a lot's
//! name to be unique per product and company. A concurrent or replayed
//! create of the same lot makes Odoo raise a `ValidationError` for the
//! duplicate, and the whole `create` is rolled back: the lots are then read
//! again, and those still missing are created once more.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use serde_json::{json, Map, Value};

use super::rejected;
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::values::{id_of, many2one_id, text};

/// Creating is tried at most this many times when Odoo reports duplicates.
const CREATE_ATTEMPTS: usize = 2;

/// A lot or serial number requested for a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotRequest {
    /// The `product.product` id.
    pub product_id: i64,
    /// The lot or serial number.
    pub name: String,
    /// Expiry date `YYYY-MM-DD`, set when the lot is created (and ignored for
    /// a lot that exists). Odoo stores it as `YYYY-MM-DD 00:00:00` UTC. Setting
    /// one needs Odoo's `product_expiry` module.
    pub expiry_date: Option<String>,
}

/// Returns the id of every requested lot, by (product id, lot name): one
/// `search_read`, plus, for missing lots, the user's company (one or two
/// calls) and one `create`. With `create_missing` false a missing lot is a
/// permanent error that names it, and nothing is created.
pub async fn ensure_lots(
    client: &Client,
    requests: &[LotRequest],
    create_missing: bool,
) -> Result<HashMap<(i64, String), i64>, Error> {
    let requested = check_requests(requests)?;
    if requested.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found = find_lots(client, requested.keys()).await?;
    if found.len() == requested.len() {
        return Ok(found);
    }
    if !create_missing {
        let names: Vec<String> = missing_keys(&requested, &found)
            .iter()
            .map(describe)
            .collect();
        return Err(rejected(
            names.join(", "),
            ErrorKind::Permanent,
            "not found in Odoo, and the site's rule forbids creating lots (create_missing is off); create the lot in Odoo or allow lot creation for this site",
        ));
    }

    let company = user_company(client).await?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let to_create = missing_keys(&requested, &found);
        let vals_list = to_create
            .iter()
            .map(|key| lot_vals(key, requested[key].as_ref(), company))
            .collect();
        let error = match client.create("stock.lot", vals_list).await {
            Ok(ids) => {
                found.extend(to_create.into_iter().zip(ids));
                return Ok(found);
            }
            Err(error) if is_duplicate(&error) && attempt < CREATE_ATTEMPTS => error,
            Err(error) => return Err(error),
        };

        // Another process created some of these lots: read them again.
        let before = found.len();
        found.extend(find_lots(client, to_create.iter()).await?);
        tracing::info!(created_elsewhere = found.len() - before, %error, "Creating lots hit existing ones; read them again");
        if found.len() == requested.len() {
            return Ok(found);
        }
        if found.len() == before {
            return Err(error);
        }
    }
}

/// Checks names and expiry dates and merges duplicate requests, keeping the
/// first expiry date given for each lot.
fn check_requests(
    requests: &[LotRequest],
) -> Result<HashMap<(i64, String), Option<String>>, Error> {
    let mut requested: HashMap<(i64, String), Option<String>> = HashMap::new();
    for request in requests {
        let key = (request.product_id, request.name.clone());
        if key.1.trim().is_empty() {
            return Err(rejected(
                format!("lot of product {}", request.product_id),
                ErrorKind::Permanent,
                "the lot name is empty; send the lot or serial number the warehouse recorded",
            ));
        }
        let expiry = match &request.expiry_date {
            Some(date) => Some(odoo_expiry(date).ok_or_else(|| {
                rejected(
                    describe(&key),
                    ErrorKind::Permanent,
                    &format!("the expiry date {date:?} is not a date in the form YYYY-MM-DD"),
                )
            })?),
            None => None,
        };
        let entry = requested.entry(key).or_default();
        if entry.is_none() {
            *entry = expiry;
        }
    }
    Ok(requested)
}

/// Converts `YYYY-MM-DD` to Odoo's naive UTC datetime at midnight.
fn odoo_expiry(date: &str) -> Option<String> {
    let date = Date::strptime("%Y-%m-%d", date.trim()).ok()?;
    Some(format!("{} 00:00:00", date.strftime("%Y-%m-%d")))
}

/// Reads the lots of `keys` in one call and returns those found.
async fn find_lots<'a>(
    client: &Client,
    keys: impl Iterator<Item = &'a (i64, String)>,
) -> Result<HashMap<(i64, String), i64>, Error> {
    let keys: BTreeSet<&(i64, String)> = keys.collect();
    let product_ids: BTreeSet<i64> = keys.iter().map(|(product, _)| *product).collect();
    let names: BTreeSet<&str> = keys.iter().map(|(_, name)| name.as_str()).collect();
    let options = SearchOptions {
        order: Some("id".to_owned()),
        ..SearchOptions::default()
    };
    let lots = client
        .search_read(
            "stock.lot",
            json!([["product_id", "in", product_ids], ["name", "in", names]]),
            &["name", "product_id"],
            options,
        )
        .await?;

    let mut found = HashMap::new();
    for lot in &lots {
        let key = (
            many2one_id(lot, "product_id").unwrap_or(0),
            text(lot, "name"),
        );
        if keys.contains(&key) {
            found.entry(key).or_insert_with(|| id_of(lot));
        }
    }
    Ok(found)
}

/// Returns the company of the client's user (`res.users.company_id`), which
/// is also the company Odoo would default to.
async fn user_company(client: &Client) -> Result<i64, Error> {
    let uid = client.uid().await?;
    let users = client.read("res.users", &[uid], &["company_id"]).await?;
    users
        .first()
        .and_then(|user| many2one_id(user, "company_id"))
        .ok_or_else(|| Error::unexpected("res.users.read", format!("user {uid} has no company_id")))
}

fn missing_keys(
    requested: &HashMap<(i64, String), Option<String>>,
    found: &HashMap<(i64, String), i64>,
) -> Vec<(i64, String)> {
    let mut keys: Vec<(i64, String)> = requested
        .keys()
        .filter(|key| !found.contains_key(*key))
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn lot_vals(key: &(i64, String), expiry: Option<&String>, company: i64) -> Map<String, Value> {
    let mut vals = Map::new();
    vals.insert("name".to_owned(), json!(key.1));
    vals.insert("product_id".to_owned(), json!(key.0));
    vals.insert("company_id".to_owned(), json!(company));
    if let Some(expiry) = expiry {
        vals.insert("expiration_date".to_owned(), json!(expiry));
    }
    vals
}

/// Returns whether Odoo rejected a create with a `ValidationError`, which is
/// how Odoo 17 to 19 report a lot name that exists for the product.
fn is_duplicate(error: &Error) -> bool {
    error.odoo_name() == Some("odoo.exceptions.ValidationError")
}

fn describe(key: &(i64, String)) -> String {
    format!("lot {:?} of product {}", key.1, key.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_at_midnight() {
        assert_eq!(
            odoo_expiry("2027-09-30").as_deref(),
            Some("2027-09-30 00:00:00")
        );
        assert_eq!(odoo_expiry("30.09.2027"), None);
        assert_eq!(odoo_expiry("2027-02-30"), None);
    }

    #[test]
    fn duplicate_requests_merge() {
        let request = |expiry: Option<&str>| LotRequest {
            product_id: 8,
            name: "GL-2609-X".to_owned(),
            expiry_date: expiry.map(str::to_owned),
        };
        let requested = check_requests(&[request(None), request(Some("2027-09-30"))]).unwrap();
        assert_eq!(requested.len(), 1);
        assert_eq!(
            requested[&(8, "GL-2609-X".to_owned())].as_deref(),
            Some("2027-09-30 00:00:00")
        );
        let error = check_requests(&[request(Some("tomorrow"))]).unwrap_err();
        assert!(error.to_string().contains("\"tomorrow\""), "{error}");
    }
}
