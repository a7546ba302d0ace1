//! One module per `wharf` subcommand.

pub mod audit;
pub mod check;
pub mod demo;
pub mod demo_lifecycle;
pub mod exceptions;
pub mod reconcile;
pub mod replay;
pub mod report;
pub mod run;
pub mod sim;
mod sim_stock;
pub mod status;
pub mod token;
pub mod trace;
