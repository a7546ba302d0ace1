//! Configuration of a folder transport.

use std::path::PathBuf;

use serde::Deserialize;

/// Folders and conventions of one folder exchange with a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderConfig {
    /// Folder the warehouse writes into and Wharf reads from.
    pub read_dir: PathBuf,
    /// Folder Wharf writes into and the warehouse reads from.
    pub write_dir: PathBuf,
    /// Folder that read files move to after they were handled.
    pub archive_dir: PathBuf,
    /// Folder that read files move to when they cannot be handled, each
    /// with a `<name>.reason.txt` beside it.
    pub error_dir: PathBuf,
    /// Only files whose name ends with this suffix are read (`.csv`);
    /// empty reads every file.
    #[serde(default)]
    pub file_suffix: String,
    /// Convention that marks a file as completely written by the warehouse.
    pub completion: Completion,
}

/// Convention by which a reader detects that a file is completely written.
///
/// In TOML: `completion = { stable_for_ms = 2000 }`,
/// `completion = { done_file = ".done" }` or
/// `completion = { temp_suffix = ".tmp" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Completion {
    /// Milliseconds for which a file's size and modification time must stay
    /// unchanged across scans. The first scan that lists a file never
    /// returns it.
    StableForMs(u64),
    /// Suffix of the marker file the writer creates when it has finished:
    /// with `.done`, `orders.csv.done` marks `orders.csv` complete.
    DoneFile(String),
    /// Suffix of the name writers use while writing; they rename the file
    /// to its final name when finished, so files with this suffix are skipped.
    TempSuffix(String),
}
