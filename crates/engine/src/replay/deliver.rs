//! The replayed delivery of each outbox kind, with the evidence that decides
//! between unchanged and applied.

use base64::Engine as _;
use wharf_model::EventKind;
use wharf_store::StoredOutbox;

use super::{ReplayEntry, ReplayOutcome, TrackingRead};
use crate::inventory::InventoryPlan;
use crate::lifecycle::{FollowUp, ReceiptPlan, ReceiptResult};
use crate::ports::{Erp, PortError, ShipResult, WriteResult};
use crate::release::OrderFile;
use crate::runtime::Engine;
use crate::shipment::{ShipmentPlan, TrackingUpdate};

/// Replays one batch: its shipments in one Odoo call per site, as the sink
/// validates them, and every other message one at a time.
pub(super) async fn batch(
    engine: &Engine,
    chunk: &[StoredOutbox],
    tracking: Option<&dyn TrackingRead>,
) -> Vec<ReplayEntry> {
    let mut results: Vec<Option<Replayed>> = vec![None; chunk.len()];

    let mut plans = Vec::new();
    for (index, message) in chunk.iter().enumerate() {
        if message.envelope.kind == EventKind::ShipmentApply {
            match read::<ShipmentPlan>(message) {
                Ok(plan) => plans.push((index, message.envelope.site.as_str(), plan)),
                Err(error) => results[index] = Some(Replayed::failed(&error)),
            }
        }
    }
    for (index, result) in shipments(engine, plans).await {
        results[index] = Some(result);
    }

    for (index, message) in chunk.iter().enumerate() {
        if results[index].is_none() {
            results[index] = Some(one(engine, message, tracking).await);
        }
    }

    chunk
        .iter()
        .zip(results)
        .map(|(message, result)| {
            let result = result.unwrap_or_else(|| {
                Replayed::failed(&PortError::defect("replay produced no result"))
            });
            super::entry(message, result)
        })
        .collect()
}

/// Outcome and detail of one replayed delivery.
#[derive(Debug, Clone)]
pub(super) struct Replayed {
    pub(super) outcome: ReplayOutcome,
    pub(super) detail: String,
}

impl Replayed {
    pub(super) fn unchanged(detail: String) -> Replayed {
        Replayed {
            outcome: ReplayOutcome::Unchanged,
            detail,
        }
    }

    pub(super) fn applied(detail: String) -> Replayed {
        Replayed {
            outcome: ReplayOutcome::Applied,
            detail,
        }
    }

    pub(super) fn failed(error: &PortError) -> Replayed {
        Replayed {
            outcome: ReplayOutcome::Failed,
            detail: error.message.clone(),
        }
    }

    pub(super) fn skipped(detail: String) -> Replayed {
        Replayed {
            outcome: ReplayOutcome::Skipped,
            detail,
        }
    }
}

fn read<T: serde::de::DeserializeOwned>(message: &StoredOutbox) -> Result<T, PortError> {
    serde_json::from_value(message.envelope.payload.clone()).map_err(|error| {
        PortError::defect(format!(
            "unreadable {} payload of message {}: {error}",
            message.envelope.kind, message.envelope.id
        ))
    })
}

/// Applies a batch of shipments with one call per site, through each
/// site's port as the Odoo sink does, and returns each plan's result under
/// its index in the batch.
async fn shipments(
    engine: &Engine,
    plans: Vec<(usize, &str, ShipmentPlan)>,
) -> Vec<(usize, Replayed)> {
    if plans.is_empty() {
        return Vec::new();
    }
    let batch: Vec<(&str, ShipmentPlan)> = plans
        .iter()
        .map(|(_, site, plan)| (*site, plan.clone()))
        .collect();
    let mut results = engine.site_erps().apply_shipments(&batch).await;

    plans
        .into_iter()
        .map(|(index, _, plan)| {
            let name = &plan.picking_name;
            let replayed = match results.remove(&plan.picking_id) {
                Some(Ok(ShipResult::AlreadyDone { .. })) => Replayed::unchanged(format!(
                    "{name} is already validated in Odoo; nothing written"
                )),
                Some(Ok(ShipResult::Validated { backorder })) => {
                    let backorder = backorder
                        .map(|name| format!(", backorder {name}"))
                        .unwrap_or_default();
                    Replayed::applied(format!(
                        "{name} was not validated in Odoo and is now{backorder}"
                    ))
                }
                Some(Err(error)) => Replayed::failed(&error),
                None => Replayed::failed(&PortError::transient(format!(
                    "the Odoo adapter returned no result for picking {name}; replay it again"
                ))),
            };
            (index, replayed)
        })
        .collect()
}

/// Replays one message of any kind but `shipment_apply`.
async fn one(
    engine: &Engine,
    message: &StoredOutbox,
    tracking: Option<&dyn TrackingRead>,
) -> Replayed {
    let erp = engine.erp_for(&message.envelope.site);
    let result = match message.envelope.kind {
        EventKind::InventoryApply => inventory(&*erp, message).await,
        EventKind::ReceiptApply => receipt(&*erp, message).await,
        EventKind::ReturnFollowUp => follow_up(&*erp, message).await,
        EventKind::TrackingUpdate => tracking_update(&*erp, message, tracking).await,
        EventKind::PickingNote => Ok(Replayed::skipped(
            "Odoo adds a second chatter message each time a note is posted, so replay does not \
             post notes again"
                .to_owned(),
        )),
        EventKind::OrderRelease | EventKind::ChangeRequest | EventKind::ReceiptNotice => {
            file(engine, message).await
        }
        other => Err(PortError::defect(format!(
            "outbox kind {other} has no delivery to replay"
        ))),
    };
    result.unwrap_or_else(|error| Replayed::failed(&error))
}

async fn inventory(erp: &dyn Erp, message: &StoredOutbox) -> Result<Replayed, PortError> {
    let plan: InventoryPlan = read(message)?;
    let outcome = erp.apply_inventory(&plan).await?;
    let reference = &plan.reference;
    Ok(if outcome.already_applied {
        Replayed::unchanged(format!(
            "{reference:?} is already applied in Odoo; nothing written"
        ))
    } else {
        Replayed::applied(format!(
            "{reference:?} was missing in Odoo and is applied now: {} quant(s), {} scrap(s)",
            outcome.quants, outcome.scraps
        ))
    })
}

async fn receipt(erp: &dyn Erp, message: &StoredOutbox) -> Result<Replayed, PortError> {
    let plan: ReceiptPlan = read(message)?;
    let name = &plan.picking_name;
    Ok(match erp.apply_receipt(&plan).await? {
        ReceiptResult::AlreadyDone { .. } => Replayed::unchanged(format!(
            "{name} is already received in Odoo; nothing written"
        )),
        ReceiptResult::Received { .. } => {
            Replayed::applied(format!("{name} was not received in Odoo and is now"))
        }
    })
}

async fn follow_up(erp: &dyn Erp, message: &StoredOutbox) -> Result<Replayed, PortError> {
    let follow_up: FollowUp = read(message)?;
    let (summary, order) = (&follow_up.summary, &follow_up.order_name);
    Ok(if erp.schedule_follow_up(&follow_up).await? {
        Replayed::applied(format!(
            "activity {summary:?} was missing on {order} and is scheduled now"
        ))
    } else {
        Replayed::unchanged(format!(
            "activity {summary:?} is already on {order}; nothing written"
        ))
    })
}

/// Reads the picking's tracking numbers first, because adding numbers does
/// not report whether it wrote any, then delivers as the sink does.
async fn tracking_update(
    erp: &dyn Erp,
    message: &StoredOutbox,
    tracking: Option<&dyn TrackingRead>,
) -> Result<Replayed, PortError> {
    let Some(reader) = tracking else {
        return Ok(Replayed::skipped(
            "no read of Odoo's tracking numbers was given, so replay cannot tell whether the \
             update would change Odoo"
                .to_owned(),
        ));
    };
    let update: TrackingUpdate = read(message)?;
    let current = reader.tracking_numbers(update.picking_id).await?;
    let missing: Vec<&str> = update
        .tracking
        .iter()
        .map(|number| number.trim())
        .filter(|number| !number.is_empty() && !current.iter().any(|known| known == number))
        .collect();

    erp.add_tracking(update.picking_id, &update.tracking)
        .await?;
    let name = &update.picking_name;
    Ok(if missing.is_empty() {
        Replayed::unchanged(format!(
            "{name} already carries tracking {}; nothing written",
            update.tracking.join(",")
        ))
    } else {
        Replayed::applied(format!(
            "tracking {} was missing on {name} and is added now",
            missing.join(",")
        ))
    })
}

/// Writes an order, change or expected-receipt file into its site's folder
/// again. The folder keeps a file until the warehouse takes it, so a file
/// the warehouse has taken is written again and read again.
async fn file(engine: &Engine, message: &StoredOutbox) -> Result<Replayed, PortError> {
    let site_code = &message.envelope.site;
    let site = engine
        .sites
        .iter()
        .find(|site| site.code() == site_code)
        .ok_or_else(|| {
            PortError::permanent(format!(
                "site {site_code} is not in the configuration; add it to replay its files"
            ))
        })?;
    let order_file: OrderFile = read(message)?;
    let name = &order_file.file_name;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&order_file.content_base64)
        .map_err(|error| PortError::defect(format!("file {name} is not valid base64: {error}")))?;

    Ok(match site.files.write(name, &bytes).await? {
        WriteResult::AlreadyPresent => Replayed::unchanged(format!(
            "file {name} is still in the warehouse folder with the same content; nothing written"
        )),
        WriteResult::Written => Replayed::applied(format!(
            "file {name} was no longer in the warehouse folder and is written again"
        )),
    })
}
