//! Adapters that plug the outer crates into the engine's ports: the Odoo
//! client as [`wharf_engine::ports::Erp`], the folder transport as
//! [`wharf_engine::ports::WarehouseFiles`].

pub mod erp;
pub mod files;
pub mod inventory;
pub mod lifecycle;
