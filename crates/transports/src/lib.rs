//! Transports: how Wharf reads files from and writes files to a warehouse.
//!
//! Built so far: the folder transport ([`FolderSource`], [`FolderSink`]) for
//! local and mounted shared folders. A source returns only complete files,
//! by the site's completion convention (stable size and time, a done file,
//! or a temporary name renamed when finished), and archives or rejects each
//! one after it was handled. A sink writes under a temporary name, syncs to
//! disk and then publishes the final name, and never overwrites a file that
//! is already there.
//!
//! Transports move bytes only: they know nothing of layouts, the store or
//! the engine's messages.

mod error;
mod folder;

pub use error::TransportError;
pub use folder::{
    Completion, FolderConfig, FolderSink, FolderSource, IncomingFile, WriteOutcome, TEMP_SUFFIX,
};
