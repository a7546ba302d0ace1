//! Sinks: deliver outbox messages to Odoo and to warehouse folders, and
//! record every attempt.

use std::sync::Arc;

use base64::Engine as _;
use jiff::Timestamp;
use tracing::{error, info, warn};
use wharf_model::{EventKind, ExceptionKind, PickingState};
use wharf_store::{
    Delivery, DeliveryResult, NewException, PickingUpdate, Store, StoreError, StoredOutbox,
};

use crate::config::{EngineSettings, ShortShipmentRule};
use crate::inventory::InventoryPlan;
use crate::ports::{
    FailureKind, InventoryResult, PortError, ShipResult, WarehouseFiles, WriteResult,
};
use crate::release::handler::audit;
use crate::release::OrderFile;
use crate::retry::{backoff, may_retry};
use crate::shipment::{ShipmentPlan, TrackingUpdate};
use crate::site::SiteErps;
use crate::telemetry;

/// Delivers `shipment_apply`, `tracking_update` and `inventory_apply`
/// messages to Odoo; shipments in batches, one call per site.
#[derive(Debug)]
pub struct OdooSink {
    pub store: Arc<dyn Store>,
    /// Each message goes through the port of its envelope's site.
    pub erp: SiteErps,
    pub settings: EngineSettings,
    pub owner: String,
}

impl OdooSink {
    /// Delivers one batch; returns how many messages it settled.
    pub async fn deliver_once(&self) -> Result<usize, StoreError> {
        let claimed = self
            .store
            .claim_outbox(
                crate::ODOO_SINK,
                self.settings.odoo_batch_size,
                &self.owner,
                self.settings.lease(),
            )
            .await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let started_at = Timestamp::now();

        let mut plans = Vec::new();
        let mut updates = Vec::new();
        let mut inventory = Vec::new();
        let mut lifecycle = Vec::new();
        for message in &claimed {
            let payload = message.envelope.payload.clone();
            let unreadable = match message.envelope.kind {
                EventKind::ShipmentApply => match serde_json::from_value::<ShipmentPlan>(payload) {
                    Ok(plan) => {
                        plans.push((message, plan));
                        continue;
                    }
                    Err(err) => format!("unreadable shipment payload: {err}"),
                },
                EventKind::TrackingUpdate => {
                    match serde_json::from_value::<TrackingUpdate>(payload) {
                        Ok(update) => {
                            updates.push((message, update));
                            continue;
                        }
                        Err(err) => format!("unreadable tracking payload: {err}"),
                    }
                }
                EventKind::InventoryApply => {
                    match serde_json::from_value::<InventoryPlan>(payload) {
                        Ok(plan) => {
                            inventory.push((message, plan));
                            continue;
                        }
                        Err(err) => format!("unreadable inventory payload: {err}"),
                    }
                }
                kind if crate::lifecycle::deliver::is_lifecycle_kind(kind) => {
                    lifecycle.push(message);
                    continue;
                }
                other => format!("outbox kind {other} does not belong to the Odoo sink"),
            };
            self.settle(
                message,
                started_at,
                Err(PortError::defect(unreadable)),
                vec![],
            )
            .await?;
        }

        if !plans.is_empty() {
            let batch: Vec<(&str, ShipmentPlan)> = plans
                .iter()
                .map(|(message, plan)| (message.envelope.site.as_str(), plan.clone()))
                .collect();
            let mut results = self.erp.apply_shipments(&batch).await;
            for (message, plan) in &plans {
                let result = results.remove(&plan.picking_id).unwrap_or_else(|| {
                    Err(PortError::transient(format!(
                        "Odoo adapter returned no result for picking {}",
                        plan.picking_name
                    )))
                });
                let retrying = matches!(&result, Err(error) if error.kind == FailureKind::Transient)
                    && may_retry(&self.settings, message.attempt);
                let pickings = shipped_update(message, plan, &result, retrying);
                self.settle(
                    message,
                    started_at,
                    result.map(|outcome| describe(plan, &outcome)),
                    pickings,
                )
                .await?;
            }
        }

        for (message, update) in &updates {
            let result = self
                .erp
                .for_site(&message.envelope.site)
                .add_tracking(update.picking_id, &update.tracking)
                .await;
            let detail = result.map(|()| {
                format!(
                    "tracking {} written to {}",
                    update.tracking.join(","),
                    update.picking_name
                )
            });
            self.settle(message, started_at, detail, vec![]).await?;
        }

        for (message, plan) in &inventory {
            let erp = self.erp.for_site(&message.envelope.site);
            let result = erp.apply_inventory(plan).await;
            let detail = result.map(|outcome| describe_inventory(plan, &outcome));
            self.settle(message, started_at, detail, vec![]).await?;
        }

        for message in lifecycle {
            let erp = self.erp.for_site(&message.envelope.site);
            let may_retry = may_retry(&self.settings, message.attempt);
            let (result, pickings) =
                crate::lifecycle::deliver::deliver(&**erp, message, may_retry).await;
            self.settle(message, started_at, result, pickings).await?;
        }
        Ok(claimed.len())
    }

    async fn settle(
        &self,
        message: &StoredOutbox,
        started_at: Timestamp,
        result: Result<String, PortError>,
        pickings: Vec<PickingUpdate>,
    ) -> Result<(), StoreError> {
        let delivery = delivery(
            &self.settings,
            message,
            started_at,
            result,
            pickings,
            ExceptionKind::OdooRejected,
        );
        record(&*self.store, message, delivery).await
    }
}

fn describe_inventory(plan: &InventoryPlan, outcome: &InventoryResult) -> String {
    if outcome.already_applied {
        return format!(
            "{:?} was already applied in Odoo; nothing written",
            plan.reference
        );
    }
    let mut detail = format!(
        "{:?} applied: {} quant(s), {} scrap(s)",
        plan.reference, outcome.quants, outcome.scraps
    );
    if !outcome.lots_created.is_empty() {
        detail.push_str(&format!(
            ", lots created: {}",
            outcome.lots_created.join(", ")
        ));
    }
    detail
}

fn describe(plan: &ShipmentPlan, outcome: &ShipResult) -> String {
    match outcome {
        ShipResult::Validated {
            backorder: Some(name),
        } => format!("{} validated, backorder {name}", plan.picking_name),
        ShipResult::Validated { backorder: None } => format!("{} validated", plan.picking_name),
        ShipResult::AlreadyDone { .. } => format!(
            "{} was already validated; nothing written",
            plan.picking_name
        ),
    }
}

/// The lifecycle row after an apply attempt, or none while it will retry.
fn shipped_update(
    message: &StoredOutbox,
    plan: &ShipmentPlan,
    result: &Result<ShipResult, PortError>,
    retrying: bool,
) -> Vec<PickingUpdate> {
    if retrying {
        return vec![];
    }
    let (state, backorder) = match result {
        Ok(ShipResult::Validated { backorder } | ShipResult::AlreadyDone { backorder }) => {
            let state = match (plan.short, backorder, plan.short_rule) {
                (false, _, _) => PickingState::Shipped,
                (true, Some(_), _) | (true, None, ShortShipmentRule::Backorder) => {
                    PickingState::Backordered
                }
                (true, None, ShortShipmentRule::Cancel) => PickingState::ShortClosed,
            };
            (state, backorder.clone())
        }
        Err(_) => (PickingState::Exception, None),
    };
    vec![PickingUpdate {
        picking_id: plan.picking_id,
        picking_name: plan.picking_name.clone(),
        site: message.envelope.site.clone(),
        state,
        release: None,
        backorder,
        tracking: None,
    }]
}

/// Writes `order_release` files into one site's folder.
#[derive(Debug)]
pub struct FolderSink {
    pub store: Arc<dyn Store>,
    pub files: Arc<dyn WarehouseFiles>,
    pub site: String,
    /// Outbox sink name this writer claims from.
    pub queue: String,
    /// The site's release schedule; files go out as soon as they are
    /// ready when `None`.
    pub release_every: Option<std::time::Duration>,
    pub settings: EngineSettings,
    pub owner: String,
}

impl FolderSink {
    /// Delivers pending files; returns how many messages it settled. With
    /// a release schedule, files go out only when a slot is due, and then
    /// every waiting file at once.
    pub async fn deliver_once(&self) -> Result<usize, StoreError> {
        let Some(every) = self.release_every else {
            return self.deliver_batch().await;
        };
        let slot_source = format!("release-slot:{}", self.site);
        let now = Timestamp::now();
        if let Some(last) = self.store.cursor(&slot_source).await? {
            let due = last
                .parse::<Timestamp>()
                .map(|last| {
                    now.duration_since(last)
                        >= jiff::SignedDuration::try_from(every).unwrap_or_default()
                })
                .unwrap_or(true);
            if !due {
                return Ok(0);
            }
        }
        // NOTE: a file whose write fails on a transient error here is retried
        // at the next slot, not after its backoff.
        let mut settled = 0;
        loop {
            let delivered = self.deliver_batch().await?;
            settled += delivered;
            if delivered == 0 {
                break;
            }
        }
        self.store
            .ingest(wharf_store::Ingest {
                source: slot_source,
                cursor: Some(now.to_string()),
                messages: vec![],
            })
            .await?;
        if settled > 0 {
            info!(site = %self.site, files = settled, "Release slot: order files written");
        }
        Ok(settled)
    }

    async fn deliver_batch(&self) -> Result<usize, StoreError> {
        let claimed = self
            .store
            .claim_outbox(&self.queue, 100, &self.owner, self.settings.lease())
            .await?;
        for message in &claimed {
            let started_at = Timestamp::now();
            let result = self.write(message).await;
            let delivery = delivery(
                &self.settings,
                message,
                started_at,
                result,
                vec![],
                ExceptionKind::TransportFailure,
            );
            record(&*self.store, message, delivery).await?;
        }
        Ok(claimed.len())
    }

    async fn write(&self, message: &StoredOutbox) -> Result<String, PortError> {
        let file: OrderFile = serde_json::from_value(message.envelope.payload.clone())
            .map_err(|err| PortError::defect(format!("unreadable order file payload: {err}")))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&file.content_base64)
            .map_err(|err| {
                PortError::defect(format!(
                    "order file {} is not valid base64: {err}",
                    file.file_name
                ))
            })?;
        match self.files.write(&file.file_name, &bytes).await? {
            WriteResult::Written => Ok(format!("file {} written", file.file_name)),
            WriteResult::AlreadyPresent => Ok(format!(
                "file {} already present with the same content",
                file.file_name
            )),
        }
    }
}

/// Builds the delivery record: delivered, retried with backoff, or failed
/// with an exception of `rejected_kind` (or `defect`, or `retries_exhausted`).
fn delivery(
    settings: &EngineSettings,
    message: &StoredOutbox,
    started_at: Timestamp,
    result: Result<String, PortError>,
    pickings: Vec<PickingUpdate>,
    rejected_kind: ExceptionKind,
) -> Delivery {
    let envelope = &message.envelope;
    let stream = envelope.correlation_id.0.clone();
    let (result, action, detail) = match result {
        Ok(detail) => {
            info!(message_id = %envelope.id, correlation_id = %stream, %detail, "Delivered");
            (
                DeliveryResult::Delivered {
                    detail: detail.clone(),
                },
                "delivered",
                detail,
            )
        }
        Err(error)
            if error.kind == FailureKind::Transient && may_retry(settings, message.attempt) =>
        {
            let delay = backoff(settings, message.attempt);
            let retry_at = Timestamp::now()
                + jiff::SignedDuration::try_from(delay)
                    .unwrap_or(jiff::SignedDuration::from_secs(1));
            warn!(message_id = %envelope.id, correlation_id = %stream, attempt = message.attempt, %error, ?delay, "Delivery failed; will retry");
            let detail = format!(
                "attempt {} failed: {error}; retry after {delay:?}",
                message.attempt
            );
            (
                DeliveryResult::Retry {
                    error: error.message.clone(),
                    retry_at,
                },
                "retried",
                detail,
            )
        }
        Err(error) => {
            let kind = match error.kind {
                FailureKind::Transient => ExceptionKind::RetriesExhausted,
                FailureKind::Permanent => error.exception.unwrap_or(rejected_kind),
                FailureKind::Defect => ExceptionKind::Defect,
            };
            error!(message_id = %envelope.id, correlation_id = %stream, attempt = message.attempt, %error, "Delivery failed; raised an exception");
            let detail = match kind {
                ExceptionKind::RetriesExhausted => format!("gave up after {} attempts: {error}; retry the exception once the cause is fixed", message.attempt),
                _ => error.message.clone(),
            };
            let exception = NewException {
                kind,
                owner: settings.owners.owner_of(kind).to_owned(),
                site: envelope.site.clone(),
                correlation_id: stream.clone(),
                message_id: Some(envelope.id),
                detail: detail.clone(),
            };
            (
                DeliveryResult::Failed {
                    error: error.message.clone(),
                    exception,
                },
                "exception",
                detail,
            )
        }
    };
    Delivery {
        message_id: envelope.id,
        owner: message.owner.clone(),
        attempt: message.attempt,
        started_at,
        result,
        pickings,
        audit: vec![audit(&stream, action, envelope.id, detail)],
    }
}

/// Records one delivery attempt and counts it in the delivery metrics once
/// the store has kept it.
async fn record(
    store: &dyn Store,
    message: &StoredOutbox,
    delivery: Delivery,
) -> Result<(), StoreError> {
    let outcome = match &delivery.result {
        DeliveryResult::Delivered { .. } => "delivered",
        DeliveryResult::Retry { .. } => "retry",
        DeliveryResult::Failed { .. } => "failed",
    };
    let started_at = delivery.started_at;
    match store.record_delivery(delivery).await {
        Ok(()) => {
            let kind = message.envelope.kind.to_string();
            telemetry::delivery(&message.sink, kind, outcome, started_at);
            Ok(())
        }
        Err(StoreError::LeaseLost {
            message_id,
            attempt,
        }) => {
            error!(%message_id, attempt, "Lease lost during delivery; the newer attempt's outcome is kept");
            Ok(())
        }
        other => other,
    }
}
