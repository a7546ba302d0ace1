//! The folder transport as the engine's [`WarehouseFiles`] port.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use wharf_engine::ports::{InFile, PortError, WarehouseFiles, WriteResult};
use wharf_transports::{
    FolderConfig, FolderSink, FolderSource, IncomingFile, TransportError, WriteOutcome,
};

/// One site's shared folders.
#[derive(Debug, Clone)]
pub struct Folder {
    source: FolderSource,
    sink: FolderSink,
    /// Files handed to the engine and not yet archived or rejected, by handle.
    pending: Arc<Mutex<HashMap<String, IncomingFile>>>,
}

impl Folder {
    pub fn new(config: FolderConfig) -> Self {
        Self {
            source: FolderSource::new(config.clone()),
            sink: FolderSink::new(config),
            pending: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn take(&self, file: &InFile) -> Result<IncomingFile, PortError> {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&file.handle)
            .ok_or_else(|| {
                PortError::defect(format!(
                    "file {} was not handed out by this folder's last scan",
                    file.name
                ))
            })
    }
}

#[async_trait]
impl WarehouseFiles for Folder {
    async fn scan(&self) -> Result<Vec<InFile>, PortError> {
        let files = self.source.scan().await.map_err(port_error)?;
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(files
            .into_iter()
            .map(|file| {
                let handle = file.path.display().to_string();
                let in_file = InFile {
                    name: file.name.clone(),
                    bytes: file.bytes.clone(),
                    sha256: file.sha256.clone(),
                    handle: handle.clone(),
                };
                pending.insert(handle, file);
                in_file
            })
            .collect())
    }

    async fn archive(&self, file: &InFile) -> Result<(), PortError> {
        let incoming = self.take(file)?;
        self.source
            .archive(&incoming)
            .await
            .map(drop)
            .map_err(port_error)
    }

    async fn reject(&self, file: &InFile, reason: &str) -> Result<(), PortError> {
        let incoming = self.take(file)?;
        self.source
            .reject(&incoming, reason)
            .await
            .map(drop)
            .map_err(port_error)
    }

    async fn write(&self, name: &str, bytes: &[u8]) -> Result<WriteResult, PortError> {
        match self
            .sink
            .write_atomic(name, bytes.to_vec())
            .await
            .map_err(port_error)?
        {
            WriteOutcome::Written { .. } => Ok(WriteResult::Written),
            WriteOutcome::AlreadyPresent { .. } => Ok(WriteResult::AlreadyPresent),
        }
    }
}

fn port_error(error: TransportError) -> PortError {
    if error.is_transient() {
        PortError::transient(error.to_string())
    } else {
        PortError::permanent(error.to_string())
    }
}
