//! Booking what a warehouse received on a receipt or a customer return.
//!
//! The picking is read first: a done picking is reported as already done and
//! nothing is written, because Odoo would receive the quantities again.
//!
//! For an open receipt the moves, move lines and reported lots are read (one
//! call each). The lines are planned (see `receipt_plan.rs`) and written in
//! one `stock.picking` write together with the destination location. The
//! picking is then validated with the backorder handling of deliveries (see
//! `validate.rs`), so context `skip_backorder` decides the backorder and a
//! wizard Odoo still returns is completed with its context. Last, the state
//! is read again and the backorder looked up (one call each).

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::receipt_write::build_write;
use super::rejected;
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::stock::ship::BackorderPolicy;
use crate::stock::validate::ValidateItem;
use crate::values::{id_of, many2one_id, text, Record};

/// The received lots of one move.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptMove {
    /// The `stock.move` id.
    pub move_id: i64,
    /// The quantities received, per lot.
    pub lots: Vec<ReceiptLot>,
}

/// A quantity received in one lot, or without lot.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptLot {
    /// The lot or serial number; `None` for an untracked product, or to keep
    /// the lot Odoo pre-filled (the returned serial of a customer return).
    pub lot_name: Option<String>,
    /// The received quantity in the move's unit.
    pub quantity: Decimal,
    /// Expiry date `YYYY-MM-DD` of a lot Odoo does not know yet, written as
    /// the line's `expiration_date` (needs Odoo's `product_expiry` module).
    /// Ignored for a known lot.
    pub expiry_date: Option<String>,
}

/// The quantities a warehouse received on one receipt or return.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptWrite {
    /// The receipt (`stock.picking` id).
    pub picking_id: i64,
    /// The received moves; moves not listed receive 0.
    pub moves: Vec<ReceiptMove>,
    /// The destination location of the received goods, such as a quarantine
    /// or scrap location for returned goods. `None` keeps the receipt's.
    pub destination_location_id: Option<i64>,
    /// The handling of quantities not received.
    pub backorder: BackorderPolicy,
}

/// The result of a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptOutcome {
    /// This call validated the receipt; the backorder's id and name when one was created.
    Received {
        /// The backorder picking, if any.
        backorder: Option<(i64, String)>,
    },
    /// The receipt was already done; nothing was written.
    AlreadyDone {
        /// The backorder picking, if any.
        backorder: Option<(i64, String)>,
    },
}

/// Books a receipt and validates it. Costs eight calls when nothing goes
/// wrong (seven without reported lots), two for a done receipt.
pub async fn apply_receipt(
    client: &Client,
    receipt: &ReceiptWrite,
) -> Result<ReceiptOutcome, Error> {
    let picking = read_open_receipt(client, receipt.picking_id).await?;
    let name = text(&picking, "name");
    if text(&picking, "state") == "done" {
        let backorder = find_backorder(client, receipt.picking_id).await?;
        tracing::info!(picking = %name, "Receipt was already done; nothing written");
        return Ok(ReceiptOutcome::AlreadyDone { backorder });
    }

    // Read the moves, lines and reported lots, then plan one write.
    let by_picking = json!([["picking_id", "=", receipt.picking_id]]);
    let order = SearchOptions {
        order: Some("id".to_owned()),
        ..SearchOptions::default()
    };
    let move_fields = [
        "product_id",
        "has_tracking",
        "location_id",
        "location_dest_id",
        "state",
    ];
    let moves = client
        .search_read(
            "stock.move",
            by_picking.clone(),
            &move_fields,
            order.clone(),
        )
        .await?;
    let line_fields = [
        "move_id",
        "lot_id",
        "lot_name",
        "quantity",
        "picked",
        "location_dest_id",
    ];
    let lines = client
        .search_read("stock.move.line", by_picking, &line_fields, order)
        .await?;
    let lots = known_lots(client, receipt, &picking, &moves).await?;
    let vals = build_write(receipt, &picking, &moves, &lines, &lots)
        .map_err(|detail| rejected(name.clone(), ErrorKind::Permanent, &detail))?;
    if !vals.is_empty() {
        client
            .write("stock.picking", &[receipt.picking_id], vals)
            .await?;
    }

    // Validate, then check the state and look up the backorder.
    let item = ValidateItem {
        index: 0,
        picking_id: receipt.picking_id,
        name: name.clone(),
        cancel_backorder: receipt.backorder == BackorderPolicy::Cancel,
        ship_expired: false,
    };
    for (_, result) in client.validate_pickings(vec![item]).await {
        result?;
    }
    let after = client
        .read("stock.picking", &[receipt.picking_id], &["state"])
        .await?;
    let state = after
        .first()
        .map_or_else(|| "missing".to_owned(), |p| text(p, "state"));
    if state != "done" {
        return Err(rejected(
            name,
            ErrorKind::Defect,
            &format!(
            "is in state {state:?} after button_validate accepted it; check the receipt in Odoo"
        ),
        ));
    }
    let backorder = find_backorder(client, receipt.picking_id).await?;
    tracing::info!(picking = %name, backorder = ?backorder.as_ref().map(|b| &b.1), "Validated a receipt");
    Ok(ReceiptOutcome::Received { backorder })
}

/// Reads the picking and checks that it is a receipt that is done or ready.
async fn read_open_receipt(client: &Client, picking_id: i64) -> Result<Record, Error> {
    let fields = [
        "name",
        "state",
        "picking_type_code",
        "location_dest_id",
        "company_id",
    ];
    let records = client.read("stock.picking", &[picking_id], &fields).await?;
    let Some(picking) = records.into_iter().next() else {
        return Err(rejected(
            picking_id.to_string(),
            ErrorKind::Permanent,
            "not found in Odoo (deleted, or not visible to the integration user)",
        ));
    };
    let name = text(&picking, "name");
    let kind = text(&picking, "picking_type_code");
    if kind != "incoming" {
        return Err(rejected(
            name,
            ErrorKind::Permanent,
            &format!(
                "is an {kind:?} picking, not a receipt; book receipts only on incoming pickings"
            ),
        ));
    }
    match text(&picking, "state").as_str() {
        "done" | "assigned" => Ok(picking),
        "cancel" => Err(rejected(name, ErrorKind::Permanent,
            "is cancelled in Odoo, so the receipt cannot be booked; resolve the purchase or return in Odoo")),
        state => Err(rejected(name, ErrorKind::Permanent, &format!(
            "is in state {state:?}, not ready (assigned); confirm the receipt in Odoo before booking it"
        ))),
    }
}

/// Returns the ids of the reported lots that exist in Odoo, by (product, name): one
/// `search_read` when lots are reported, none otherwise.
async fn known_lots(
    client: &Client,
    receipt: &ReceiptWrite,
    picking: &Record,
    moves: &[Record],
) -> Result<HashMap<(i64, String), i64>, Error> {
    let product_of: HashMap<i64, i64> = moves
        .iter()
        .map(|m| (id_of(m), many2one_id(m, "product_id").unwrap_or(0)))
        .collect();
    let wanted: Vec<(i64, &str)> = receipt
        .moves
        .iter()
        .flat_map(|m| m.lots.iter().map(move |lot| (m.move_id, lot)))
        .filter_map(|(move_id, lot)| Some((*product_of.get(&move_id)?, lot.lot_name.as_deref()?)))
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }

    // Lots belong to the picking's company or to none.
    let mut companies = vec![Value::Bool(false)];
    if let Some(company) = many2one_id(picking, "company_id") {
        companies.push(json!(company));
    }
    let names: Vec<&str> = wanted.iter().map(|(_, name)| *name).collect();
    let products: Vec<i64> = wanted.iter().map(|(product, _)| *product).collect();
    let domain = json!([
        ["name", "in", names],
        ["product_id", "in", products],
        ["company_id", "in", companies]
    ]);
    let found = client
        .search_read(
            "stock.lot",
            domain,
            &["name", "product_id"],
            SearchOptions::default(),
        )
        .await?;

    let mut lots = HashMap::new();
    for lot in &found {
        let key = (
            many2one_id(lot, "product_id").unwrap_or(0),
            text(lot, "name"),
        );
        lots.entry(key).or_insert_with(|| id_of(lot));
    }
    Ok(lots)
}

/// Returns the backorder of a picking, if any (one call).
async fn find_backorder(client: &Client, picking_id: i64) -> Result<Option<(i64, String)>, Error> {
    let found = client
        .search_read(
            "stock.picking",
            json!([["backorder_id", "=", picking_id]]),
            &["name"],
            SearchOptions {
                order: Some("id".to_owned()),
                limit: Some(1),
                ..SearchOptions::default()
            },
        )
        .await?;
    Ok(found.first().map(|b| (id_of(b), text(b, "name"))))
}
