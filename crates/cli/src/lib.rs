//! The `wharf` binary's library half: configuration, the adapters that plug
//! the Odoo client and the folder transport into the engine, and one module
//! per subcommand. Tests drive the demo through it without a subprocess.

#![allow(
    clippy::print_stdout,
    reason = "the subcommands print their reports and summaries for the user on stdout"
)]

pub mod acceptance;
pub mod adapters;
pub mod commands;
pub mod config;
pub mod hub;
pub mod logging;
pub mod telemetry;
pub mod web;
