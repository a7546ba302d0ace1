//! Odoo simulator.
