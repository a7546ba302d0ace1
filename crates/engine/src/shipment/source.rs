//! Scans a site's folder for confirmation files, and for the progress,
//! change answer and receipt advice files of its lifecycle flows, and
//! ingests each one whole.

use std::sync::Arc;

use base64::Engine as _;
use tracing::{info, warn};
use wharf_model::{CorrelationId, Envelope, EventKind, MessageId};
use wharf_store::{Ingest, Store};

use super::ConfirmationFile;
use crate::site::Site;
use crate::worker::SourceError;

/// The folder scan of one site's confirmation flow.
#[derive(Debug)]
pub struct ConfirmationSource {
    pub store: Arc<dyn Store>,
    pub site: Site,
}

impl ConfirmationSource {
    /// Ingests every complete file, then archives it, or rejects it to the
    /// error folder when the layout cannot decode it. The inbox keeps the
    /// file either way, so nothing is lost; the handler raises the exception.
    /// Returns how many files it took.
    pub async fn scan_once(&self) -> Result<usize, SourceError> {
        let files = self.site.files.scan().await?;
        let source = format!("folder:{}:confirmations", self.site.code());

        for file in &files {
            let lifecycle = self.site.lifecycle.as_ref();
            let kind = lifecycle
                .and_then(|lifecycle| lifecycle.kind_of(&file.name))
                .unwrap_or(EventKind::ShipmentConfirmed);
            let payload = ConfirmationFile {
                file_name: file.name.clone(),
                sha256: file.sha256.clone(),
                content_base64: base64::engine::general_purpose::STANDARD.encode(&file.bytes),
            };
            let envelope = Envelope {
                id: MessageId::new(),
                kind,
                site: self.site.code().to_owned(),
                correlation_id: CorrelationId(format!("file:{}", file.name)),
                idempotency_key: idempotency_key(kind, self.site.code(), &file.sha256),
                source: file.name.clone(),
                payload: serde_json::to_value(payload).expect("warehouse file serialises"),
            };
            let outcome = crate::telemetry::ingest(
                &*self.store,
                Ingest {
                    source: source.clone(),
                    cursor: Some(file.name.clone()),
                    messages: vec![envelope],
                },
            )
            .await?;
            if !outcome.duplicates.is_empty() {
                info!(site = self.site.code(), file = %file.name, %kind, "File is a duplicate of one already received");
            }

            let check = match (kind, lifecycle) {
                (EventKind::ShipmentConfirmed, _) | (_, None) => {
                    wharf_formats::decode_confirmations(&self.site.confirmation_layout, &file.bytes)
                        .map(drop)
                        .map_err(|error| error.to_string())
                }
                (kind, Some(lifecycle)) => lifecycle.check_file(kind, &file.bytes),
            };
            match check {
                Ok(()) => self.site.files.archive(file).await?,
                Err(error) => {
                    warn!(site = self.site.code(), file = %file.name, %error, "Warehouse file rejected");
                    self.site.files.reject(file, &error).await?;
                }
            }
        }
        Ok(files.len())
    }
}

/// Idempotency key of a warehouse file: its kind, site and content digest.
fn idempotency_key(kind: EventKind, site: &str, sha256: &str) -> String {
    let prefix = match kind {
        EventKind::ShipmentConfirmed => "confirmation",
        EventKind::WarehouseProgress => "progress",
        EventKind::ChangeAnswered => "change-answer",
        _ => "receipt-advice",
    };
    format!("{prefix}:{site}:{sha256}")
}
