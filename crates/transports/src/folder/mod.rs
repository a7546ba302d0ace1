//! The folder transport: a local or mounted folder the warehouse system
//! reads from or writes to.
//!
//! # Cancel safety
//!
//! Every operation runs its file system work on tokio's blocking pool. If
//! the returned future is dropped, the blocking work still runs to its end.
//! A cancelled [`FolderSink::write_atomic`] therefore either publishes the
//! whole file or leaves at most a `.tmp` file that the next write of that
//! name replaces. A cancelled archive either moved the file or did not.
//! A scan has no effect besides the completion bookkeeping, so dropping it
//! loses nothing.

mod config;
mod fs;
mod sink;
mod source;

pub use config::{Completion, FolderConfig};
pub use sink::{FolderSink, WriteOutcome, TEMP_SUFFIX};
pub use source::{FolderSource, IncomingFile};

use crate::TransportError;

/// Runs blocking file work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, TransportError> + Send + 'static,
) -> Result<T, TransportError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| TransportError::Task {
            message: error.to_string(),
        })?
}
