//! Simulators for rehearsal and tests: an Odoo server that replies to the
//! JSON-RPC and JSON-2 requests the flows make the way real Odoo does, and a
//! legacy warehouse that exchanges flat files with fault injection.

pub mod odoo;
pub mod wms;
