//! Reading complete files from a folder, then archiving or rejecting them.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use super::blocking;
use super::config::{Completion, FolderConfig};
use super::fs::{check_folder, move_no_clobber, sha256_hex, write_synced};
use crate::TransportError;

/// A complete file read from the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingFile {
    /// File name inside the read folder.
    pub name: String,
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes` as lowercase hex: the idempotency key of a file.
    pub sha256: String,
}

/// Size and modification time of a file when first seen unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Observation {
    len: u64,
    modified: Option<SystemTime>,
    since: Instant,
}

/// Reads complete files from `read_dir` and moves them away when handled.
#[derive(Debug, Clone)]
pub struct FolderSource {
    config: Arc<FolderConfig>,
    /// Files waiting to be stable, by name; used with `stable_for_ms` only.
    observed: Arc<Mutex<HashMap<String, Observation>>>,
}

impl FolderSource {
    pub fn new(config: FolderConfig) -> Self {
        FolderSource {
            config: Arc::new(config),
            observed: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn config(&self) -> &FolderConfig {
        &self.config
    }

    /// Checks that the four folders exist and accept new files.
    pub async fn check(&self) -> Result<(), TransportError> {
        let config = Arc::clone(&self.config);
        blocking(move || {
            check_folder("read_dir", &config.read_dir)?;
            check_folder("write_dir", &config.write_dir)?;
            check_folder("archive_dir", &config.archive_dir)?;
            check_folder("error_dir", &config.error_dir)
        })
        .await
    }

    /// Returns the complete files in the read folder, ordered by name.
    ///
    /// Files stay in the folder until [`archive`](Self::archive) or
    /// [`reject`](Self::reject) moves them, so a later scan returns them
    /// again: the caller deduplicates by `sha256` or moves each file away.
    pub async fn scan(&self) -> Result<Vec<IncomingFile>, TransportError> {
        let config = Arc::clone(&self.config);
        let observed = Arc::clone(&self.observed);
        blocking(move || scan_blocking(&config, &observed)).await
    }

    /// Moves a handled file into `archive_dir` under its name, or under a
    /// numbered name (`orders.1.csv`) when that name is taken. Returns the
    /// new path.
    pub async fn archive(&self, file: &IncomingFile) -> Result<PathBuf, TransportError> {
        let config = Arc::clone(&self.config);
        let file = file.clone();
        self.forget(&file.name);
        blocking(move || {
            let target = move_no_clobber(&file.path, &config.archive_dir, &file.name)?;
            remove_done_marker(&config, &file.name)?;
            Ok(target)
        })
        .await
    }

    /// Moves a file that cannot be handled into `error_dir` and writes
    /// `<name>.reason.txt` beside it. Returns the new path of the file.
    pub async fn reject(
        &self,
        file: &IncomingFile,
        reason: &str,
    ) -> Result<PathBuf, TransportError> {
        let config = Arc::clone(&self.config);
        let file = file.clone();
        let reason = format!("{}\n", reason.trim_end());
        self.forget(&file.name);
        blocking(move || {
            let target = move_no_clobber(&file.path, &config.error_dir, &file.name)?;
            let mut reason_path = target.clone().into_os_string();
            reason_path.push(".reason.txt");
            write_synced(&PathBuf::from(reason_path), reason.as_bytes())?;
            remove_done_marker(&config, &file.name)?;
            Ok(target)
        })
        .await
    }

    fn forget(&self, name: &str) {
        let mut observed = self
            .observed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        observed.remove(name);
    }
}

fn scan_blocking(
    config: &FolderConfig,
    observed: &Mutex<HashMap<String, Observation>>,
) -> Result<Vec<IncomingFile>, TransportError> {
    let dir = &config.read_dir;
    let entries = fs::read_dir(dir).map_err(|error| TransportError::io("list", dir, error))?;

    // Gather the candidate names with their size and time.
    let mut candidates = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| TransportError::io("list", dir, error))?;
        let Ok(name) = entry.file_name().into_string() else {
            tracing::warn!(folder = %dir.display(), name = ?entry.file_name(), "Skipping a file whose name is not UTF-8");
            continue;
        };
        if !is_candidate(config, &name) {
            continue;
        }
        let metadata = match entry.metadata() {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => continue,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(TransportError::io("read", entry.path(), error)),
        };
        candidates.push((name, metadata.len(), metadata.modified().ok()));
    }
    candidates.sort_by(|a, b| a.0.cmp(&b.0));

    // Decide which are complete.
    let complete: Vec<String> = match &config.completion {
        Completion::TempSuffix(_) => candidates.into_iter().map(|(name, ..)| name).collect(),
        Completion::DoneFile(suffix) => candidates
            .into_iter()
            .map(|(name, ..)| name)
            .filter(|name| dir.join(format!("{name}{suffix}")).is_file())
            .collect(),
        Completion::StableForMs(stable_for_ms) => {
            let mut observed = observed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            stable_names(
                &mut observed,
                candidates,
                Duration::from_millis(*stable_for_ms),
            )
        }
    };

    // Read them.
    let mut files = Vec::with_capacity(complete.len());
    for name in complete {
        let path = dir.join(&name);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            // Moved away by another reader between listing and reading.
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(TransportError::io("read", &path, error)),
        };
        let sha256 = sha256_hex(&bytes);
        files.push(IncomingFile {
            name,
            path,
            bytes,
            sha256,
        });
    }
    Ok(files)
}

fn is_candidate(config: &FolderConfig, name: &str) -> bool {
    if name.starts_with('.') || name.ends_with(".reason.txt") {
        return false;
    }
    let marker = match &config.completion {
        Completion::TempSuffix(suffix) | Completion::DoneFile(suffix) => Some(suffix.as_str()),
        Completion::StableForMs(_) => None,
    };
    if marker.is_some_and(|suffix| !suffix.is_empty() && name.ends_with(suffix)) {
        return false;
    }
    name.ends_with(&config.file_suffix)
}

/// Returns the names whose size and time have not changed for `stable_for`,
/// and records the others for the next scan.
fn stable_names(
    observed: &mut HashMap<String, Observation>,
    candidates: Vec<(String, u64, Option<SystemTime>)>,
    stable_for: Duration,
) -> Vec<String> {
    let now = Instant::now();
    observed.retain(|name, _| candidates.iter().any(|(candidate, ..)| candidate == name));

    let mut stable = Vec::new();
    for (name, len, modified) in candidates {
        match observed.get(&name) {
            Some(seen) if seen.len == len && seen.modified == modified => {
                if now.duration_since(seen.since) >= stable_for {
                    stable.push(name);
                }
            }
            _ => {
                observed.insert(
                    name,
                    Observation {
                        len,
                        modified,
                        since: now,
                    },
                );
            }
        }
    }
    stable
}

fn remove_done_marker(config: &FolderConfig, name: &str) -> Result<(), TransportError> {
    let Completion::DoneFile(suffix) = &config.completion else {
        return Ok(());
    };
    let marker = config.read_dir.join(format!("{name}{suffix}"));
    match fs::remove_file(&marker) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(TransportError::io("remove", marker, error)),
    }
}
