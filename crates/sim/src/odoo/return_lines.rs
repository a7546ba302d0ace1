//! Lines of the return wizard (`stock.return.picking.line`): one per move
//! of the returned picking, what is left to return of each move, and the
//! one2many commands that edit them through `product_return_moves`.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::error::OdooError;
use super::quantity::{decimal, wire};
use super::returns::{LINE, WIZARD};
use super::store::{m2o_id, Db, Record};

/// Returns what is left to return of a done move: its quantity minus that of
/// the returns made from it that are reserved or done.
pub(crate) fn returnable(db: &Db, mv: i64) -> Decimal {
    let delivered = decimal(db.get("stock.move", mv).and_then(|r| r.get("quantity")));
    let returned: Decimal = db
        .referring_ids("stock.move", "origin_returned_move_id", mv)
        .into_iter()
        .filter(|other| {
            matches!(
                db.field("stock.move", *other, "state").as_str(),
                Some("partially_available" | "assigned" | "done")
            )
        })
        .map(|other| decimal(db.get("stock.move", other).and_then(|r| r.get("quantity"))))
        .sum();
    delivered - returned
}

/// Inserts a wizard line for a move (or, from a `[0, 0, vals]` command, for a
/// product alone).
pub(crate) fn insert_line(
    db: &mut Db,
    wizard: i64,
    mv: Option<i64>,
    product: Option<i64>,
    quantity: Decimal,
) -> i64 {
    let move_record = mv
        .and_then(|m| db.get("stock.move", m))
        .cloned()
        .unwrap_or_default();
    let product = product
        .or_else(|| m2o_id(move_record.get("product_id")))
        .unwrap_or(0);
    let uom = m2o_id(
        db.get("product.product", product)
            .and_then(|r| r.get("uom_id")),
    )
    .unwrap_or(1);
    let mut line = Record::new();
    line.insert("product_id".into(), db.m2o("product.product", product));
    line.insert("quantity".into(), wire(quantity));
    if db.version >= 18 {
        // A related field of `move_id.quantity`, which stays fixed once the move is done.
        line.insert(
            "move_quantity".into(),
            wire(decimal(move_record.get("quantity"))),
        );
    }
    line.insert("uom_id".into(), db.m2o("uom.uom", uom));
    line.insert("wizard_id".into(), db.m2o(WIZARD, wizard));
    line.insert(
        "move_id".into(),
        mv.map_or(Value::Bool(false), |m| db.m2o("stock.move", m)),
    );
    db.insert(LINE, line)
}

/// Writes wizard values. `product_return_moves` takes the one2many commands
/// `[0, 0, vals]`, `[1, id, vals]`, `[2, id]`, `[3, id]` and `[5]`.
pub(crate) fn write(db: &mut Db, ids: &[i64], vals: &Map<String, Value>) -> Result<(), OdooError> {
    let mut plain = vals.clone();
    let commands = plain.remove("product_return_moves");
    super::orm::write_plain(db, WIZARD, ids, &plain)?;
    let Some(Value::Array(commands)) = commands else {
        return Ok(());
    };
    for wizard in ids {
        for command in &commands {
            apply_command(db, *wizard, command)?;
        }
    }
    Ok(())
}

fn apply_command(db: &mut Db, wizard: i64, command: &Value) -> Result<(), OdooError> {
    let code = command.get(0).and_then(Value::as_i64);
    let line = command.get(1).and_then(Value::as_i64).unwrap_or(0);
    let vals = command
        .get(2)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    match code {
        Some(0) => {
            let mv = vals.get("move_id").and_then(Value::as_i64);
            let product = vals.get("product_id").and_then(Value::as_i64);
            insert_line(db, wizard, mv, product, decimal(vals.get("quantity")));
        }
        Some(1) => {
            if !db.exists(LINE, line) {
                return Err(OdooError::missing(LINE, &[line], 1));
            }
            let mut rest = vals.clone();
            if let Some(quantity) = rest.remove("quantity") {
                db.set(LINE, line, "quantity", wire(decimal(Some(&quantity))));
            }
            super::orm::write_plain(db, LINE, &[line], &rest)?;
        }
        Some(2 | 3) => {
            db.remove(LINE, line);
        }
        Some(5) => {
            for line in db.referring_ids(LINE, "wizard_id", wizard) {
                db.remove(LINE, line);
            }
        }
        _ => {
            return Err(OdooError::value(format!(
                "unsupported one2many command {command} on {WIZARD}.product_return_moves: use 0, 1, 2, 3 or 5"
            )))
        }
    }
    Ok(())
}

/// Sets every line to what is left to return of its move, as Odoo 18's
/// `action_create_returns_all` does.
pub(crate) fn fill_returnable(db: &mut Db, wizard: i64) {
    for line in db.referring_ids(LINE, "wizard_id", wizard) {
        let Some(mv) = m2o_id(db.get(LINE, line).and_then(|r| r.get("move_id"))) else {
            continue;
        };
        let quantity = returnable(db, mv);
        db.set(LINE, line, "quantity", wire(quantity));
    }
}
