//! Writing files atomically into a folder, never over an existing file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::blocking;
use super::config::FolderConfig;
use super::fs::{check_folder, check_name, sync_dir, write_synced};
use crate::TransportError;

/// Suffix of the name a file has while it is written.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Result of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file was written and published under its final name.
    Written { path: PathBuf },
    /// A file of that name with the same bytes was already there, so nothing
    /// was written: a repeated delivery.
    AlreadyPresent { path: PathBuf },
}

/// Writes files into `write_dir`.
#[derive(Debug, Clone)]
pub struct FolderSink {
    config: Arc<FolderConfig>,
}

impl FolderSink {
    pub fn new(config: FolderConfig) -> Self {
        FolderSink {
            config: Arc::new(config),
        }
    }

    /// Checks that `write_dir` exists and accepts new files.
    pub async fn check(&self) -> Result<(), TransportError> {
        let config = Arc::clone(&self.config);
        blocking(move || check_folder("write_dir", &config.write_dir)).await
    }

    /// Writes `bytes` as `<name>.tmp`, syncs it to disk and publishes it as
    /// `name`. A reader that skips `.tmp` files never reads a partial file.
    ///
    /// Fails with [`TransportError::Conflict`] when `name` already exists
    /// with other bytes; an existing file is never overwritten.
    pub async fn write_atomic(
        &self,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<WriteOutcome, TransportError> {
        check_name(name)?;
        let config = Arc::clone(&self.config);
        let name = name.to_owned();
        blocking(move || write_atomic_blocking(&config.write_dir, &name, &bytes)).await
    }
}

/// Runs the blocking steps of [`FolderSink::write_atomic`], for callers
/// that already run on a blocking thread.
pub(crate) fn write_atomic_blocking(
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<WriteOutcome, TransportError> {
    let target = dir.join(name);
    if let Some(outcome) = compare_existing(&target, bytes)? {
        return Ok(outcome);
    }

    let temp = dir.join(format!("{name}{TEMP_SUFFIX}"));
    write_synced(&temp, bytes)?;

    // A hard link publishes the name only if it is free; a rename would
    // replace a file that appeared since the check above.
    let published = match fs::hard_link(&temp, &target) {
        Ok(()) => {
            fs::remove_file(&temp).map_err(|error| TransportError::io("remove", &temp, error))?;
            true
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(&temp).map_err(|error| TransportError::io("remove", &temp, error))?;
            false
        }
        Err(_) if !target.exists() => {
            // NOTE: folders without hard links fall back to a rename, which
            // can replace a file another writer creates in the same instant.
            fs::rename(&temp, &target)
                .map_err(|error| TransportError::io("rename", &temp, error))?;
            true
        }
        Err(_) => false,
    };

    if published {
        sync_dir(dir);
        return Ok(WriteOutcome::Written { path: target });
    }
    match compare_existing(&target, bytes)? {
        Some(outcome) => Ok(outcome),
        None => Err(TransportError::Conflict { path: target }),
    }
}

/// `Some` when `target` exists: `AlreadyPresent` for the same bytes, an
/// error for other bytes.
fn compare_existing(target: &Path, bytes: &[u8]) -> Result<Option<WriteOutcome>, TransportError> {
    match fs::read(target) {
        Ok(existing) if existing == bytes => Ok(Some(WriteOutcome::AlreadyPresent {
            path: target.to_owned(),
        })),
        Ok(_) => Err(TransportError::Conflict {
            path: target.to_owned(),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(TransportError::io("read", target, error)),
    }
}
