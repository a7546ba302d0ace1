//! Errors of the transports.

use std::io;
use std::path::PathBuf;

/// A failure to read, move or write a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// A configured folder does not exist.
    #[error(
        "folder `{key}` ({path}) does not exist; create it or fix `{key}` in the configuration"
    )]
    MissingFolder { key: &'static str, path: PathBuf },

    /// A configured path exists but is not a folder.
    #[error("`{key}` ({path}) is not a folder; fix `{key}` in the configuration")]
    NotAFolder { key: &'static str, path: PathBuf },

    /// The service account cannot create files in a configured folder.
    #[error("cannot create files in folder `{key}` ({path}); grant the service account write permission on it")]
    NotWritable {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A file system operation failed.
    #[error("cannot {action} {path}; {hint}")]
    Io {
        action: &'static str,
        path: PathBuf,
        hint: &'static str,
        #[source]
        source: io::Error,
    },

    /// A file of the same name but other content is already in the folder.
    #[error("{path} already exists with different content and was not overwritten; compare it with the new file and remove the wrong one")]
    Conflict { path: PathBuf },

    /// A file name that would leave the folder or is empty.
    #[error("invalid file name `{name}`: it must be non-empty and contain no path separator")]
    InvalidName { name: String },

    /// A blocking file task panicked or was cancelled: a defect to report.
    #[error("file task failed: {message}")]
    Task { message: String },
}

impl TransportError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        let hint = match source.kind() {
            io::ErrorKind::NotFound => "check that the folder exists and is mounted",
            io::ErrorKind::PermissionDenied => {
                "grant the service account read and write permission on the folder"
            }
            io::ErrorKind::StorageFull => "free space on the disk",
            _ => "check the disk or the network mount",
        };
        TransportError::Io {
            action,
            path: path.into(),
            hint,
            source,
        }
    }

    /// True when the same call may succeed later without a change by a
    /// person (a mount coming back, a file released by another process).
    pub fn is_transient(&self) -> bool {
        match self {
            TransportError::Io { source, .. } => !matches!(
                source.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::InvalidInput
            ),
            TransportError::MissingFolder { .. }
            | TransportError::NotAFolder { .. }
            | TransportError::NotWritable { .. }
            | TransportError::Conflict { .. }
            | TransportError::InvalidName { .. }
            | TransportError::Task { .. } => false,
        }
    }
}
