//! Blocking file system steps shared by the folder source and sink.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::TransportError;

/// Upper bound on numbered names tried for one file (`orders.1.csv`, ...),
/// so a folder filled with copies fails loudly instead of looping.
const MAX_NUMBERED_NAMES: u32 = 10_000;

/// SHA-256 of `bytes` as lowercase hex.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Fails unless `name` is a plain file name inside its folder.
pub(super) fn check_name(name: &str) -> Result<(), TransportError> {
    let invalid = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.contains('\0');
    if invalid {
        return Err(TransportError::InvalidName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// `orders.csv` with `n = 2` gives `orders.2.csv`; `orders` gives `orders.2`.
fn numbered_name(name: &str, n: u32) -> String {
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => format!("{stem}.{n}.{extension}"),
        _ => format!("{name}.{n}"),
    }
}

/// Moves `from` into `dir` under `name`, or under a numbered variant of it
/// when that name is taken; never replaces an existing file.
///
/// A hard link publishes the new name only if it is free, which a rename
/// cannot promise. Folders that do not support hard links (some network
/// shares, another file system) fall back to an existence check and a
/// rename, or a copy when the rename crosses devices.
pub(super) fn move_no_clobber(
    from: &Path,
    dir: &Path,
    name: &str,
) -> Result<PathBuf, TransportError> {
    for n in 0..MAX_NUMBERED_NAMES {
        let candidate = if n == 0 {
            dir.join(name)
        } else {
            dir.join(numbered_name(name, n))
        };

        match fs::hard_link(from, &candidate) {
            Ok(()) => {
                fs::remove_file(from).map_err(|error| TransportError::io("remove", from, error))?;
                sync_dir(dir);
                return Ok(candidate);
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                if candidate.exists() {
                    continue;
                }
                rename_or_copy(from, &candidate)?;
                sync_dir(dir);
                return Ok(candidate);
            }
        }
    }
    Err(TransportError::io(
        "find a free name in",
        dir,
        io::Error::new(io::ErrorKind::AlreadyExists, "every numbered name is taken"),
    ))
}

fn rename_or_copy(from: &Path, to: &Path) -> Result<(), TransportError> {
    match fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::CrossesDevices => {
            fs::copy(from, to).map_err(|error| TransportError::io("copy to", to, error))?;
            File::open(to)
                .and_then(|file| file.sync_all())
                .map_err(|error| TransportError::io("sync", to, error))?;
            fs::remove_file(from).map_err(|error| TransportError::io("remove", from, error))
        }
        Err(error) => Err(TransportError::io("move", from, error)),
    }
}

/// Writes `bytes` to `path`, replacing it, and syncs the data to disk.
pub(super) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), TransportError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|error| TransportError::io("create", path, error))?;
    file.write_all(bytes)
        .map_err(|error| TransportError::io("write", path, error))?;
    file.sync_all()
        .map_err(|error| TransportError::io("sync", path, error))
}

/// Syncs a folder so a rename or link in it survives a power loss.
pub(super) fn sync_dir(dir: &Path) {
    // NOTE: some network file systems reject fsync on a folder; the file's
    // own data is already synced, so a failure here is only logged.
    if let Err(error) = File::open(dir).and_then(|folder| folder.sync_all()) {
        tracing::debug!(folder = %dir.display(), %error, "Folder sync not supported");
    }
}

/// Fails unless `path` is an existing folder in which files can be created.
pub(super) fn check_folder(key: &'static str, path: &Path) -> Result<(), TransportError> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(TransportError::MissingFolder {
                key,
                path: path.to_owned(),
            })
        }
        Err(error) => return Err(TransportError::io("read", path, error)),
    };
    if !metadata.is_dir() {
        return Err(TransportError::NotAFolder {
            key,
            path: path.to_owned(),
        });
    }

    let probe = path.join(format!(".wharf-check-{}", std::process::id()));
    let created = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe);
    match created {
        Ok(_) => {
            fs::remove_file(&probe).map_err(|error| TransportError::io("remove", &probe, error))
        }
        Err(source) => Err(TransportError::NotWritable {
            key,
            path: path.to_owned(),
            source,
        }),
    }
}
