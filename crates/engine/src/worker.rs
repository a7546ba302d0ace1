//! The handler worker: claims inbox messages, runs the pure handler for each,
//! and commits what it produced in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use tracing::{debug, error, warn};
use wharf_model::{Envelope, EventKind, ExceptionKind};
use wharf_store::{Handled, HandledOutcome, NewException, Store, StoreError, StoredInbox};

use crate::inventory::handler::handle_movements;
use crate::owners::Owners;
use crate::ports::PortError;
use crate::release::handler::{audit, handle_batch, handle_picking};
use crate::shipment::handler::handle_file;
use crate::shipment::ConfirmationFile;
use crate::site::Site;
use crate::telemetry;

/// Inbox kinds this worker handles.
const INBOX_KINDS: [EventKind; 9] = [
    EventKind::PickingReady,
    EventKind::PickingBatchReady,
    EventKind::ShipmentConfirmed,
    EventKind::InventoryMovements,
    EventKind::WarehouseProgress,
    EventKind::OrderChanged,
    EventKind::ChangeAnswered,
    EventKind::ReceiptExpected,
    EventKind::ReceiptReceived,
];

/// A message the handler could not turn into business outcomes: a defect.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error("message {message_id} ({kind}) has a payload this version cannot read: {message}")]
    Payload {
        message_id: String,
        kind: String,
        message: String,
    },
    #[error(
        "order file {file_name} could not be rendered with the site's order layout: {message}"
    )]
    Render { file_name: String, message: String },
    #[error("message {message_id} names site {site:?}, which is not in the configuration")]
    UnknownSite { message_id: String, site: String },
}

impl HandlerError {
    pub(crate) fn payload(envelope: &Envelope, error: &dyn std::fmt::Display) -> Self {
        HandlerError::Payload {
            message_id: envelope.id.to_string(),
            kind: envelope.kind.to_string(),
            message: error.to_string(),
        }
    }
}

/// Errors of a source or sink loop; they are logged and the loop goes on.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Claims and handles inbox messages.
#[derive(Debug)]
pub struct Worker {
    pub store: Arc<dyn Store>,
    pub sites: Vec<Site>,
    pub owner: String,
    pub lease: std::time::Duration,
    /// Owner teams of the exceptions the worker raises itself.
    pub owners: Owners,
}

impl Worker {
    /// Handles up to `limit` messages; returns how many it committed.
    pub async fn run_once(&self, limit: u32) -> Result<usize, StoreError> {
        let claimed = self
            .store
            .claim_inbox(&INBOX_KINDS, limit, &self.owner, self.lease)
            .await?;
        let mut committed = 0;
        for message in claimed {
            let handled = match self.handle(&message).await? {
                Ok(handled) => handled,
                Err(error) => {
                    error!(message_id = %message.envelope.id, %error, "Message handler failed");
                    defect(&message, &error, &self.owners)
                }
            };
            debug!(message_id = %message.envelope.id, outcome = ?handled.outcome, "Message handled");
            for exception in &handled.exceptions {
                warn!(
                    message_id = %message.envelope.id,
                    correlation_id = %exception.correlation_id,
                    kind = %exception.kind,
                    owner = %exception.owner,
                    detail = %exception.detail,
                    "Exception raised"
                );
            }
            let outcome = match handled.outcome {
                HandledOutcome::Done => "handled",
                HandledOutcome::Exception => "exception",
                HandledOutcome::Duplicate => "duplicate",
            };
            match self.store.commit_handled(handled).await {
                Ok(()) => {
                    committed += 1;
                    telemetry::message("handled", message.envelope.kind.to_string(), outcome);
                }
                Err(StoreError::LeaseLost {
                    message_id,
                    attempt,
                }) => {
                    error!(%message_id, attempt, "Lease lost while handling; another worker owns the message now");
                }
                Err(other) => return Err(other),
            }
        }
        Ok(committed)
    }

    async fn handle(
        &self,
        message: &StoredInbox,
    ) -> Result<Result<Handled, HandlerError>, StoreError> {
        let envelope = &message.envelope;
        let Some(site) = self.sites.iter().find(|site| site.code() == envelope.site) else {
            return Ok(Err(HandlerError::UnknownSite {
                message_id: envelope.id.to_string(),
                site: envelope.site.clone(),
            }));
        };
        match envelope.kind {
            EventKind::PickingReady => Ok(handle_picking(message, site)),
            EventKind::PickingBatchReady => Ok(handle_batch(message, site)),
            EventKind::ShipmentConfirmed => self.handle_confirmation(message, site).await,
            EventKind::InventoryMovements => Ok(handle_movement_file(message, site)),
            EventKind::WarehouseProgress
            | EventKind::OrderChanged
            | EventKind::ChangeAnswered
            | EventKind::ReceiptExpected
            | EventKind::ReceiptReceived => self.handle_lifecycle(message, site).await,
            other => Ok(Err(HandlerError::Payload {
                message_id: envelope.id.to_string(),
                kind: other.to_string(),
                message: "not an inbox kind".to_owned(),
            })),
        }
    }

    async fn handle_lifecycle(
        &self,
        message: &StoredInbox,
        site: &Site,
    ) -> Result<Result<Handled, HandlerError>, StoreError> {
        crate::lifecycle::inbox::handle(&*self.store, message, site).await
    }

    async fn handle_confirmation(
        &self,
        message: &StoredInbox,
        site: &Site,
    ) -> Result<Result<Handled, HandlerError>, StoreError> {
        let file: ConfirmationFile = match serde_json::from_value(message.envelope.payload.clone())
        {
            Ok(file) => file,
            Err(error) => return Ok(Err(HandlerError::payload(&message.envelope, &error))),
        };
        let bytes = match base64::engine::general_purpose::STANDARD.decode(&file.content_base64) {
            Ok(bytes) => bytes,
            Err(error) => return Ok(Err(HandlerError::payload(&message.envelope, &error))),
        };
        let decoded = wharf_formats::decode_confirmations(&site.confirmation_layout, &bytes)
            .map_err(|error| error.to_string());

        let mut records = HashMap::new();
        if let Ok(confirmations) = &decoded {
            for confirmation in confirmations {
                if let Some(record) = self
                    .store
                    .picking_by_name(&confirmation.picking_ref)
                    .await?
                {
                    records.insert(confirmation.picking_ref.clone(), record);
                }
            }
        }
        Ok(Ok(handle_file(
            message,
            site,
            &file.file_name,
            decoded,
            records,
        )))
    }
}

/// Reads the lifecycle rows of these picking names; unknown names are absent.
pub(crate) async fn records_named(
    store: &dyn Store,
    names: Vec<String>,
) -> Result<HashMap<String, wharf_store::PickingRecord>, StoreError> {
    let mut records = HashMap::new();
    for name in names {
        if records.contains_key(&name) {
            continue;
        }
        if let Some(record) = store.picking_by_name(&name).await? {
            records.insert(name, record);
        }
    }
    Ok(records)
}

/// Decodes a stored movement file and hands it to the inventory handler.
fn handle_movement_file(message: &StoredInbox, site: &Site) -> Result<Handled, HandlerError> {
    let Some(inventory) = &site.inventory else {
        return Err(HandlerError::Payload {
            message_id: message.envelope.id.to_string(),
            kind: message.envelope.kind.to_string(),
            message: format!(
                "site {} has no [sites.inventory] section; add it to handle movement files",
                site.code()
            ),
        });
    };
    let (file_name, bytes) = stored_file(message)?;
    let decoded = wharf_formats::decode_movements(&inventory.movement_layout, &bytes)
        .map_err(|error| error.to_string());
    Ok(handle_movements(
        message, site, inventory, &file_name, decoded,
    ))
}

/// Reads the file a folder source stored whole in a message.
pub(crate) fn stored_file(message: &StoredInbox) -> Result<(String, Vec<u8>), HandlerError> {
    let file: ConfirmationFile = serde_json::from_value(message.envelope.payload.clone())
        .map_err(|error| HandlerError::payload(&message.envelope, &error))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&file.content_base64)
        .map_err(|error| HandlerError::payload(&message.envelope, &error))?;
    Ok((file.file_name, bytes))
}

/// Starts the result of handling `message`: done, with no output yet.
pub(crate) fn nothing_done(message: &StoredInbox) -> Handled {
    Handled {
        message_id: message.envelope.id,
        owner: message.owner.clone(),
        attempt: message.attempt,
        outcome: HandledOutcome::Done,
        outbox: vec![],
        exceptions: vec![],
        pickings: vec![],
        audit: vec![],
        resolved: vec![],
    }
}

/// Records a message the handler could not process as a defect for IT.
fn defect(message: &StoredInbox, error: &HandlerError, owners: &Owners) -> Handled {
    let envelope = &message.envelope;
    let detail = error.to_string();
    Handled {
        message_id: envelope.id,
        owner: message.owner.clone(),
        attempt: message.attempt,
        outcome: HandledOutcome::Exception,
        outbox: vec![],
        exceptions: vec![NewException {
            kind: ExceptionKind::Defect,
            owner: owners.owner_of(ExceptionKind::Defect).to_owned(),
            site: envelope.site.clone(),
            correlation_id: envelope.correlation_id.0.clone(),
            message_id: Some(envelope.id),
            detail: detail.clone(),
        }],
        pickings: vec![],
        audit: vec![audit(
            &envelope.correlation_id.0,
            "exception",
            envelope.id,
            detail,
        )],
        resolved: vec![],
    }
}
