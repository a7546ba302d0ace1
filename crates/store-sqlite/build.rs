//! Rebuilds the crate when a migration changes, because `sqlx::migrate!`
//! embeds the files at compile time.

// Cargo reads a build script's instructions from its standard output.
#![allow(clippy::print_stdout)]

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
