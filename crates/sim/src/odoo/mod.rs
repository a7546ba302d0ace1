//! Odoo simulator: an HTTP server that responds to the JSON-RPC (`/jsonrpc`) and
//! JSON-2 (`/json/2/<model>/<method>`) requests of Wharf's flows the way real
//! Odoo 17, 18 and 19 do, as recorded in wire transcripts of those versions.
//!
//! The database is in memory. Each call runs in a transaction that undoes
//! its changes from a journal when the call fails, so a failing call (or a
//! failing picking in a multi-picking `button_validate`) changes nothing. Besides Odoo's routes the
//! server exposes `/wharf-sim/` routes for tests: call counts, a state summary,
//! seeding and fault injection.
//!
//! Modules by concept:
//! - records: `store`;
//! - generic ORM: `domain`, `orm`, `computed`, `custom_fields`, `group`,
//!   `aggregate`, `group_domain`;
//! - stock state machine: `stock`, `validate`, `done`, `wizards`;
//! - documents: `sale`, `picking`, `lot`;
//! - chatter: `chatter` (messages and reference records), `activity`;
//! - cancellations and customer returns: `cancel`, `returns`,
//!   `return_lines`, `return_picking`;
//! - counts, adjustments, scrap and stock per warehouse: `quant`, `quant_create`,
//!   `inventory`, `inventory_wizard`, `direct_move`, `scrap`, `location`,
//!   `product_stock`, `quantity`;
//! - method table and access rights: `dispatch`, `routes`, `access`, `rights`;
//! - wire envelopes and router: `rpc`, `json2`, `http`;
//! - data sets and state summary: `load`, `seed`, `seed_receipts`, `summary`.

mod access;
mod activity;
mod aggregate;
mod cancel;
mod chatter;
mod computed;
mod custom_fields;
mod direct_move;
mod dispatch;
mod domain;
mod done;
mod error;
mod group;
mod group_domain;
mod http;
mod inventory;
mod inventory_wizard;
mod json2;
mod load;
mod location;
mod lot;
mod move_line;
mod orm;
mod picking;
mod product_stock;
mod quant;
mod quant_create;
mod quantity;
mod return_lines;
mod return_picking;
mod returns;
mod rights;
mod routes;
mod rpc;
mod sale;
mod scrap;
mod seed;
mod seed_data;
mod seed_receipts;
mod sim;
mod stock;
mod store;
mod summary;
mod validate;
mod wizards;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use error::{OdooError, SimError};
pub use http::router;
pub use rights::{AccessProfile, UserRights};
pub use seed::{HeldPicking, SeedOptions, SeedReport};
pub use sim::{FaultKind, FaultPlan, OdooSim, SimOptions};

impl OdooSim {
    /// Replaces the data with a recorded starting state. Odoo 17 reads the
    /// Odoo 18 file and converts it to 17's field values.
    pub fn load_starting_state(&self, path: &Path) -> Result<(), SimError> {
        let frozen_now = self.db().frozen_now.clone();
        let mut db = store::Db::new(self.version(), frozen_now);
        load::load_file(&mut db, path)?;
        *self.db() = db;
        self.install_main_user();
        Ok(())
    }

    /// Like [`OdooSim::load_starting_state`] from an already parsed document.
    pub fn load_starting_state_value(&self, document: &serde_json::Value) -> Result<(), SimError> {
        let frozen_now = self.db().frozen_now.clone();
        let mut db = store::Db::new(self.version(), frozen_now);
        load::load_document(&mut db, document, "<value>")?;
        *self.db() = db;
        self.install_main_user();
        Ok(())
    }
}

/// Options of `wharf sim odoo`, filled by the CLI crate from its flags.
#[derive(Debug, Clone)]
pub struct OdooSimArgs {
    /// Address to listen on, for example `127.0.0.1:8069`.
    pub listen: SocketAddr,
    /// Odoo major version to reproduce: 17, 18 or 19.
    pub version: u8,
    /// Starting-state file to load (`starting-state.json` of a recording).
    pub state_file: Option<PathBuf>,
    /// Number of generated orders when no state file is given.
    pub seed_orders: Option<usize>,
    /// Seed of the generated data set.
    pub seed: u64,
    pub api_key: String,
    pub database: String,
    pub login: String,
    pub password: String,
}

/// Runs the simulator until Ctrl-C.
pub async fn run_cli(args: OdooSimArgs) -> Result<(), SimError> {
    let sim = OdooSim::new(SimOptions {
        version: args.version,
        database: args.database,
        api_key: args.api_key,
        login: args.login,
        password: args.password,
    })?;
    match (&args.state_file, args.seed_orders) {
        (Some(path), _) => sim.load_starting_state(path)?,
        (None, orders) => {
            let options = SeedOptions {
                orders: orders.unwrap_or(10),
                seed: args.seed,
                ..SeedOptions::default()
            };
            sim.seed_demo(&options)?;
        }
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(address = %args.listen, version = args.version, "Odoo simulator listening");
    let shutdown = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "Failed to listen for Ctrl-C, the simulator stops now");
        }
    };
    sim.serve(listener, shutdown).await?;
    tracing::info!("Odoo simulator stopped");
    Ok(())
}
