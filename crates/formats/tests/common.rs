//! Helpers shared by the integration tests: sample files and test layouts.

#![allow(dead_code)]

use std::path::PathBuf;

use wharf_formats::Layout;

/// Reads a file from the shared samples folder beside the repository.
pub fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/samples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Parses a layout from tests/layouts.
pub fn layout(name: &str) -> Layout {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/layouts")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    Layout::from_toml(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}
