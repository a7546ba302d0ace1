//! Writing shipment confirmations onto outgoing pickings.
//!
//! Odoo 17 to 19 do not protect a picking against being processed twice: a
//! quantity written on a move line of a done picking moves the stock again.
//! So the batch first reads the pickings (one call) and writes nothing on a
//! done one. For the others it reads moves and move lines (one call each)
//! and resolves lots and carriers (one call each, plus one `create` for
//! unknown lots). It then writes each picking once, with move-line commands
//! that converge when repeated (see [`super::plan`]), and validates them
//! together (see `validate.rs`). After validation it re-reads the pickings
//! and looks up backorders, one call each.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;
use serde_json::json;

use super::picking_write::build_write;
use super::ready::{by_id, unique};
use super::validate::ValidateItem;
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::values::{text, Record};

/// The handling of quantities not shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackorderPolicy {
    /// Keep the rest open in a backorder picking.
    Create,
    /// Close the rest: no backorder.
    Cancel,
}

/// A quantity shipped from one lot, or without lot.
#[derive(Debug, Clone, PartialEq)]
pub struct LotQty {
    /// The lot or serial number, `None` when the product is untracked or the
    /// warehouse did not report it (the reserved lots are then kept).
    pub lot_name: Option<String>,
    /// Expiry date `YYYY-MM-DD`, used when the lot is created.
    pub expiry_date: Option<String>,
    /// The shipped quantity in the move's unit.
    pub quantity: Decimal,
}

/// The shipped lots and quantities of one move.
#[derive(Debug, Clone, PartialEq)]
pub struct MoveShipment {
    /// The `stock.move` id.
    pub move_id: i64,
    /// The move's product, checked against Odoo.
    pub product_id: i64,
    /// The lots and quantities shipped.
    pub lots: Vec<LotQty>,
}

/// One shipment confirmation for one picking.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentWrite {
    /// The `stock.picking` id.
    pub picking_id: i64,
    /// The shipped moves; moves not listed ship 0.
    pub moves: Vec<MoveShipment>,
    /// The carrier's name (`delivery.carrier.name`), `None` to keep Odoo's.
    pub carrier_name: Option<String>,
    /// The tracking number, `None` to keep Odoo's.
    pub tracking_ref: Option<String>,
    /// The handling of quantities not shipped.
    pub backorder: BackorderPolicy,
    /// Whether a lot unknown to Odoo is created (else the shipment is rejected).
    pub create_unknown_lots: bool,
    /// Whether lots past their expiry date may ship.
    pub ship_expired_lots: bool,
}

/// The result for one picking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShipmentOutcome {
    /// This batch validated the picking; the backorder's id and name when one was created.
    Validated {
        /// The backorder picking, if any.
        backorder: Option<(i64, String)>,
    },
    /// The picking was already done; nothing was written.
    AlreadyDone {
        /// The backorder picking, if any.
        backorder: Option<(i64, String)>,
    },
}

/// The picking fields read before any write.
const PICKING_FIELDS: &[&str] = &[
    "name",
    "state",
    "company_id",
    "carrier_id",
    "carrier_tracking_ref",
];

pub(super) type Outcomes = Vec<Option<Result<ShipmentOutcome, Error>>>;

impl Client {
    /// Writes and validates a batch of shipments and returns one result per
    /// shipment, in the batch's order. Costs about one call per picking plus
    /// eight per batch when nothing goes wrong.
    pub async fn apply_shipments(
        &self,
        batch: &[ShipmentWrite],
    ) -> Vec<(i64, Result<ShipmentOutcome, Error>)> {
        let mut outcomes: Outcomes = batch.iter().map(|_| None).collect();
        let mut seen = BTreeSet::new();
        for (index, shipment) in batch.iter().enumerate() {
            if !seen.insert(shipment.picking_id) {
                outcomes[index] = Some(Err(refused(
                    shipment.picking_id.to_string(),
                    ErrorKind::Defect,
                    "the picking appears twice in one batch; send one shipment per picking",
                )));
            }
        }

        // Read the state first: nothing is written on a done or cancelled picking.
        let ids = unique(batch.iter().map(|s| s.picking_id));
        let pickings = match self.read("stock.picking", &ids, PICKING_FIELDS).await {
            Ok(records) => by_id(records),
            Err(error) => return finish(batch, fail_all(&mut outcomes, batch, &error)),
        };
        let mut pending = Vec::new();
        for (index, shipment) in batch.iter().enumerate() {
            if outcomes[index].is_some() {
                continue;
            }
            let Some(picking) = pickings.get(&shipment.picking_id) else {
                outcomes[index] = Some(Err(refused(
                    shipment.picking_id.to_string(),
                    ErrorKind::Permanent,
                    "not found in Odoo (deleted, or not visible to the integration user)",
                )));
                continue;
            };
            let name = text(picking, "name");
            match text(picking, "state").as_str() {
                "done" => {
                    outcomes[index] = Some(Ok(ShipmentOutcome::AlreadyDone { backorder: None }));
                }
                "cancel" => {
                    outcomes[index] = Some(Err(refused(name, ErrorKind::Permanent,
                        "is cancelled in Odoo, so the shipment cannot be booked; resolve the order in Odoo")));
                }
                "assigned" => pending.push(index),
                state => {
                    outcomes[index] = Some(Err(refused(name, ErrorKind::Permanent, &format!(
                        "is in state {state:?}, not ready (assigned); reserve the stock in Odoo before confirming the shipment"
                    ))));
                }
            }
        }

        let validated = if pending.is_empty() {
            Vec::new()
        } else {
            self.write_pending(batch, &pickings, &pending, &mut outcomes)
                .await
        };
        self.check_done(batch, &pickings, &validated, &mut outcomes)
            .await;
        finish(batch, outcomes)
    }

    /// Resolves lots and carriers, writes each picking once and validates
    /// them; returns the indexes that went through validation without error.
    async fn write_pending(
        &self,
        batch: &[ShipmentWrite],
        pickings: &HashMap<i64, Record>,
        pending: &[usize],
        outcomes: &mut Outcomes,
    ) -> Vec<usize> {
        let picking_ids: Vec<i64> = pending.iter().map(|&i| batch[i].picking_id).collect();
        let by_picking = json!([["picking_id", "in", picking_ids]]);
        let order = SearchOptions {
            order: Some("id".to_owned()),
            ..SearchOptions::default()
        };
        let move_fields = [
            "picking_id",
            "product_id",
            "has_tracking",
            "location_id",
            "location_dest_id",
            "state",
        ];
        let line_fields = ["move_id", "lot_id", "quantity", "picked"];
        let loaded = match self
            .search_read(
                "stock.move",
                by_picking.clone(),
                &move_fields,
                order.clone(),
            )
            .await
        {
            Ok(moves) => self
                .search_read("stock.move.line", by_picking, &line_fields, order)
                .await
                .map(|lines| (moves, lines)),
            Err(error) => Err(error),
        };
        let (moves, lines) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => {
                fail_some(outcomes, batch, pending, &error);
                return Vec::new();
            }
        };

        let lots = self
            .resolve_lots(batch, pickings, pending, &moves, outcomes)
            .await;
        let carriers = self
            .resolve_carriers(batch, pickings, pending, outcomes)
            .await;

        // One write per picking.
        let mut to_validate = Vec::new();
        for &index in pending {
            if outcomes[index].is_some() {
                continue;
            }
            let shipment = &batch[index];
            let picking = &pickings[&shipment.picking_id];
            let name = text(picking, "name");
            let vals = match build_write(shipment, picking, &moves, &lines, &lots, &carriers) {
                Ok(vals) => vals,
                Err(detail) => {
                    outcomes[index] = Some(Err(refused(name, ErrorKind::Permanent, &detail)));
                    continue;
                }
            };
            if !vals.is_empty() {
                if let Err(error) = self
                    .write("stock.picking", &[shipment.picking_id], vals)
                    .await
                {
                    outcomes[index] = Some(Err(error));
                    continue;
                }
            }
            to_validate.push(ValidateItem {
                index,
                picking_id: shipment.picking_id,
                name,
                cancel_backorder: shipment.backorder == BackorderPolicy::Cancel,
                ship_expired: shipment.ship_expired_lots,
            });
        }

        let results = self.validate_pickings(to_validate).await;
        let mut validated = Vec::new();
        for (index, result) in results {
            match result {
                Ok(()) => validated.push(index),
                Err(error) => outcomes[index] = Some(Err(error)),
            }
        }
        validated
    }
}

pub(super) fn refused(picking: String, kind: ErrorKind, detail: &str) -> Error {
    Error::Shipment {
        picking,
        detail: detail.to_owned(),
        kind,
    }
}

/// Copies an error that hit several pickings at once (the error type contains
/// the HTTP client's error, which cannot be cloned).
pub(super) fn shared(error: &Error, picking: String) -> Error {
    Error::Shipment {
        picking,
        detail: error.to_string(),
        kind: error.kind(),
    }
}

pub(super) fn set_error(outcomes: &mut Outcomes, index: usize, error: Error) {
    if outcomes[index].is_none() {
        outcomes[index] = Some(Err(error));
    }
}

/// Records a copy of `error` for every shipment of `indexes` without an outcome yet.
pub(super) fn fail_some(
    outcomes: &mut Outcomes,
    batch: &[ShipmentWrite],
    indexes: &[usize],
    error: &Error,
) {
    for &index in indexes {
        set_error(
            outcomes,
            index,
            shared(error, batch[index].picking_id.to_string()),
        );
    }
}

fn fail_all(outcomes: &mut Outcomes, batch: &[ShipmentWrite], error: &Error) -> Outcomes {
    let all: Vec<usize> = (0..outcomes.len()).collect();
    fail_some(outcomes, batch, &all, error);
    std::mem::take(outcomes)
}

fn finish(
    batch: &[ShipmentWrite],
    outcomes: Outcomes,
) -> Vec<(i64, Result<ShipmentOutcome, Error>)> {
    batch
        .iter()
        .zip(outcomes)
        .map(|(shipment, outcome)| {
            let outcome = outcome.unwrap_or_else(|| {
                Err(refused(
                    shipment.picking_id.to_string(),
                    ErrorKind::Defect,
                    "no outcome was recorded",
                ))
            });
            (shipment.picking_id, outcome)
        })
        .collect()
}
