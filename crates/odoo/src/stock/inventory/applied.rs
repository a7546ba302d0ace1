//! Finding out whether an inventory adjustment was already applied, so a
//! count sent again after a lost response is not booked twice.

use serde_json::json;

use super::rejected;
use crate::client::Client;
use crate::error::{Error, ErrorKind};

/// Returns whether an inventory adjustment named `reference` was applied:
/// one `search_count` of done inventory moves.
///
/// Odoo may append the quant's user to the move's name, as in
/// `CC-2026-12-04 (WMS Integration)`: Odoo 17 and 18 do it when the quant has
/// a user, and a quant created in inventory mode gets its creator. Both forms
/// match. Moves are matched on `reference`, which `stock.move` has in 17 to
/// 19, because 19 dropped `stock.move.name`.
pub async fn already_applied(client: &Client, reference: &str) -> Result<bool, Error> {
    if reference.trim().is_empty() {
        return Err(rejected(
            "inventory adjustment \"\"".to_owned(),
            ErrorKind::Defect,
            "the reference is empty; every count needs a reference that names it in Odoo",
        ));
    }
    let with_user = format!("{} (%)", escape_like(reference));
    let domain = json!([
        ["is_inventory", "=", true],
        ["state", "=", "done"],
        "|",
        ["reference", "=", reference],
        ["reference", "=like", with_user],
    ]);
    Ok(client.search_count("stock.move", domain).await? > 0)
}

/// Escapes the wildcards of SQL `LIKE`, which Odoo's `=like` passes on as is.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_escaped() {
        assert_eq!(escape_like("CC_50%"), "CC\\_50\\%");
        assert_eq!(escape_like("a\\b"), "a\\\\b");
    }
}
