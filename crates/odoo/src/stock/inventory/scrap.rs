//! Scrapping stock: one `stock.scrap` per line, created together and
//! validated one by one.
//!
//! `stock.scrap.action_validate` calls `ensure_one()` in Odoo 17, 18 and 19,
//! so it takes one id per call. It returns `True` when the scrap was done
//! and the wizard `stock.warn.insufficient.qty.scrap` when the location
//! lacks the stock; the scrap then stays in draft. `do_scrap`, which accepts
//! many ids, is not used because it skips that stock check.
//!
//! Every scrap carries the reference as its `origin`. A retry after a lost
//! response first reads the scraps of that origin: done ones are kept, draft
//! ones validated again, and only the lines without a scrap are created.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::{action_model, rejected, rounded_for_write, roundings_of};
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::values::{decimal, id_of, many2one_id, many2one_name, text, Record};

/// A quantity to scrap.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapLine {
    /// The internal `stock.location` the stock leaves.
    pub location_id: i64,
    /// The `product.product` id.
    pub product_id: i64,
    /// The lot or serial number id, `None` for an untracked product.
    pub lot_id: Option<i64>,
    /// The quantity, in the product's unit of measure.
    pub quantity: Decimal,
}

/// Scraps the lines under `reference`: one read of the scraps already made
/// for it, two reads for the products' units, one `create` for the missing
/// scraps and one `action_validate` per scrap not yet done. A scrap Odoo
/// lacks the stock for is a permanent error that names the product and the
/// location; the other scraps are still validated.
pub async fn scrap(client: &Client, lines: &[ScrapLine], reference: &str) -> Result<(), Error> {
    let subject = || format!("scrap {reference:?}");
    check_lines(lines, reference)?;
    if lines.is_empty() {
        return Ok(());
    }
    let (units, rounded) = round_lines(client, lines).await?;

    let existing = client
        .search_read(
            "stock.scrap",
            json!([["origin", "=", reference]]),
            &["product_id", "location_id", "lot_id", "scrap_qty", "state"],
            SearchOptions {
                order: Some("id".to_owned()),
                ..SearchOptions::default()
            },
        )
        .await?;
    let (mut drafts, to_create) = match_existing(&rounded, &existing)
        .map_err(|detail| rejected(subject(), ErrorKind::Permanent, &detail))?;

    if !to_create.is_empty() {
        let vals_list = to_create
            .iter()
            .map(|line| scrap_vals(line, &units, reference))
            .collect();
        drafts.extend(client.create("stock.scrap", vals_list).await?);
    }

    let mut short = Vec::new();
    for id in drafts {
        let answer = client
            .call(
                "stock.scrap",
                "action_validate",
                vec![json!([id])],
                Map::new(),
            )
            .await?;
        if let Some(wizard) = action_model(&answer) {
            short.push((id, wizard.to_owned()));
        }
    }
    if short.is_empty() {
        return Ok(());
    }
    Err(rejected(
        subject(),
        ErrorKind::Permanent,
        &describe_short(client, &short).await?,
    ))
}

fn check_lines(lines: &[ScrapLine], reference: &str) -> Result<(), Error> {
    if reference.trim().is_empty() {
        return Err(rejected(
            "scrap \"\"".to_owned(),
            ErrorKind::Defect,
            "the reference is empty; every scrap needs a reference that names it in Odoo",
        ));
    }
    if let Some(line) = lines.iter().find(|l| l.quantity <= Decimal::ZERO) {
        return Err(rejected(
            format!("scrap {reference:?}"),
            ErrorKind::Permanent,
            &format!(
            "product {} in location {} has the quantity {}; a scrap needs a quantity above zero",
            line.product_id, line.location_id, line.quantity
        ),
        ));
    }
    Ok(())
}

/// Reads the products' units (two calls) and rounds each quantity to them.
async fn round_lines(
    client: &Client,
    lines: &[ScrapLine],
) -> Result<(HashMap<i64, i64>, Vec<ScrapLine>), Error> {
    let mut product_ids: Vec<i64> = lines.iter().map(|l| l.product_id).collect();
    product_ids.sort_unstable();
    product_ids.dedup();
    let products = client
        .read("product.product", &product_ids, &["uom_id"])
        .await?;
    if let Some(missing) = product_ids
        .iter()
        .find(|id| !products.iter().any(|p| id_of(p) == **id))
    {
        return Err(rejected(
            format!("product {missing}"),
            ErrorKind::Permanent,
            "not found in Odoo (archived, deleted, or not visible to the integration user)",
        ));
    }
    let roundings = roundings_of(client, &products).await?;
    let units = products
        .iter()
        .map(|p| (id_of(p), many2one_id(p, "uom_id").unwrap_or(0)))
        .collect();
    let rounded = lines
        .iter()
        .map(|line| ScrapLine {
            quantity: rounded_for_write(
                line.quantity,
                roundings
                    .get(&line.product_id)
                    .copied()
                    .unwrap_or(Decimal::ZERO),
                line.product_id,
            ),
            ..line.clone()
        })
        .collect();
    Ok((units, rounded))
}

/// Pairs lines with the scraps of the reference already in Odoo. Returns the
/// draft scraps to validate and the lines still to create. A scrap of the
/// reference that matches no line is an error, because it means the
/// reference was reused for other lines.
fn match_existing<'a>(
    lines: &'a [ScrapLine],
    existing: &[Record],
) -> Result<(Vec<i64>, Vec<&'a ScrapLine>), String> {
    let mut unused: Vec<&Record> = existing.iter().collect();
    let mut drafts = Vec::new();
    let mut to_create = Vec::new();
    for line in lines {
        let position = unused.iter().position(|s| {
            many2one_id(s, "product_id") == Some(line.product_id)
                && many2one_id(s, "location_id") == Some(line.location_id)
                && many2one_id(s, "lot_id") == line.lot_id
                && decimal(s, "scrap_qty") == line.quantity
        });
        match position.map(|p| unused.remove(p)) {
            Some(found) if text(found, "state") == "done" => {}
            Some(found) => drafts.push(id_of(found)),
            None => to_create.push(line),
        }
    }
    if let Some(other) = unused.first() {
        return Err(format!(
            "Odoo has scrap {} of {} for this reference, which is not among the lines sent; a reference must always carry the same lines, so send these lines under a new reference",
            id_of(other),
            many2one_name(other, "product_id")
        ));
    }
    Ok((drafts, to_create))
}

fn scrap_vals(line: &ScrapLine, units: &HashMap<i64, i64>, reference: &str) -> Map<String, Value> {
    let mut vals = Map::new();
    vals.insert("product_id".to_owned(), json!(line.product_id));
    if let Some(uom) = units.get(&line.product_id) {
        vals.insert("product_uom_id".to_owned(), json!(uom));
    }
    vals.insert("location_id".to_owned(), json!(line.location_id));
    if let Some(lot_id) = line.lot_id {
        vals.insert("lot_id".to_owned(), json!(lot_id));
    }
    vals.insert(
        "scrap_qty".to_owned(),
        crate::values::decimal_value(line.quantity),
    );
    vals.insert("origin".to_owned(), json!(reference));
    vals
}

/// Names the product and location of each scrap Odoo rejected (one read).
async fn describe_short(client: &Client, short: &[(i64, String)]) -> Result<String, Error> {
    let ids: Vec<i64> = short.iter().map(|(id, _)| *id).collect();
    let records = client
        .read(
            "stock.scrap",
            &ids,
            &["product_id", "location_id", "lot_id", "scrap_qty"],
        )
        .await?;
    let mut parts = Vec::new();
    for (id, wizard) in short {
        let Some(record) = records.iter().find(|r| id_of(r) == *id) else {
            continue;
        };
        let lot = many2one_name(record, "lot_id");
        let lot = if lot.is_empty() {
            String::new()
        } else {
            format!(" lot {lot}")
        };
        parts.push(format!(
            "{} of {}{lot} in {} (Odoo returned the wizard {wizard})",
            decimal(record, "scrap_qty"),
            many2one_name(record, "product_id"),
            many2one_name(record, "location_id"),
        ));
    }
    Ok(format!(
        "Odoo lacks the stock to scrap {}; these scraps stay in draft: correct the stock or the quantities, then send the scrap again",
        parts.join(", ")
    ))
}
