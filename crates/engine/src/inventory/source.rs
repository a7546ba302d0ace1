//! Scans a site's inventory folder: movement files are ingested whole,
//! snapshot files are returned for reconciliation.

use std::sync::Arc;

use base64::Engine as _;
use tracing::{info, warn};
use wharf_model::{CorrelationId, Envelope, EventKind, ExceptionKind, MessageId};
use wharf_store::{AuditEntry, Ingest, NewException, Store};

use super::SiteInventory;
use crate::ports::InFile;
use crate::shipment::ConfirmationFile;
use crate::site::Site;
use crate::worker::SourceError;

/// Raises a `parse_error` exception for a file moved to the error folder
/// before it became a message, so the queue shows it and not only the log.
pub(crate) async fn raise_file_exception(
    store: &dyn Store,
    site: &Site,
    file_name: &str,
    detail: String,
) -> Result<(), SourceError> {
    let kind = ExceptionKind::ParseError;
    let correlation = format!("file:{file_name}");
    let exception = NewException {
        kind,
        owner: site.rules.owners.owner_of(kind).to_owned(),
        site: site.code().to_owned(),
        correlation_id: correlation.clone(),
        message_id: None,
        detail: detail.clone(),
    };
    let audit = AuditEntry {
        stream: correlation,
        action: "exception".to_owned(),
        message_id: None,
        detail,
    };
    store.raise_exception(exception, audit).await?;
    Ok(())
}

/// Result of one scan of the inventory folder.
#[derive(Debug, Default)]
pub struct InventoryScan {
    /// Movement files ingested and files rejected for their name.
    pub handled_files: usize,
    /// Snapshot files waiting for reconciliation, oldest first.
    pub snapshots: Vec<InFile>,
}

/// The folder scan of one site's inventory flows.
#[derive(Debug)]
pub struct InventorySource {
    pub store: Arc<dyn Store>,
    pub site: Site,
}

impl InventorySource {
    fn inventory(&self) -> Option<&SiteInventory> {
        self.site.inventory.as_ref()
    }

    /// Ingests and archives every complete movement file, rejects files
    /// whose name matches neither prefix, and returns the snapshot files,
    /// oldest first, still in the folder.
    pub async fn scan_once(&self) -> Result<InventoryScan, SourceError> {
        let mut scan = InventoryScan::default();
        let Some(inventory) = self.inventory() else {
            return Ok(scan);
        };
        let files = inventory.files.scan().await?;
        for file in files {
            if file.name.starts_with(&inventory.rules.snapshot_prefix) {
                scan.snapshots.push(file);
                continue;
            }
            scan.handled_files += 1;
            if file.name.starts_with(&inventory.rules.movement_prefix) {
                self.ingest_movements(inventory, &file).await?;
            } else {
                let reason = format!(
                    "file name {} starts with neither the movement prefix {:?} nor the snapshot \
                     prefix {:?} of site {}; rename it or change the prefixes",
                    file.name,
                    inventory.rules.movement_prefix,
                    inventory.rules.snapshot_prefix,
                    self.site.code()
                );
                warn!(site = self.site.code(), file = %file.name, "Inventory file rejected: unknown name");
                inventory.files.reject(&file, &reason).await?;
                raise_file_exception(&*self.store, &self.site, &file.name, reason).await?;
            }
        }
        Ok(scan)
    }

    async fn ingest_movements(
        &self,
        inventory: &SiteInventory,
        file: &InFile,
    ) -> Result<(), SourceError> {
        let code = self.site.code();
        let payload = ConfirmationFile {
            file_name: file.name.clone(),
            sha256: file.sha256.clone(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(&file.bytes),
        };
        let envelope = Envelope {
            id: MessageId::new(),
            kind: EventKind::InventoryMovements,
            site: code.to_owned(),
            correlation_id: CorrelationId(format!("inventory:{code}:{}", file.name)),
            idempotency_key: format!("movements:{code}:{}", file.sha256),
            source: file.name.clone(),
            payload: serde_json::to_value(payload).expect("movement file serialises"),
        };
        let outcome = crate::telemetry::ingest(
            &*self.store,
            Ingest {
                source: format!("folder:{code}:inventory"),
                cursor: Some(file.name.clone()),
                messages: vec![envelope],
            },
        )
        .await?;
        if !outcome.duplicates.is_empty() {
            info!(site = code, file = %file.name, "Movement file is a duplicate of one already received");
        }

        match wharf_formats::decode_movements(&inventory.movement_layout, &file.bytes) {
            Ok(_) => inventory.files.archive(file).await?,
            Err(error) => {
                warn!(site = code, file = %file.name, %error, "Movement file rejected");
                inventory.files.reject(file, &error.to_string()).await?;
            }
        }
        Ok(())
    }
}
