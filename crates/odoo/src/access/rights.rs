//! The Odoo access rights each Wharf flow needs, and the rights and groups
//! a warehouse integration should not hold.
//!
//! The tables list every model a flow reads or writes through the client in
//! `stock` and `stock::lifecycle`. A write of x2many commands (such as
//! `move_line_ids` on a picking) writes and creates records of the line
//! model, so the line model's rights are listed too. Keep these tables in
//! step with the calls: a new call on a new model needs a new row here.

use serde::Serialize;

/// An operation of Odoo's model access rights (`ir.model.access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// Read records (`perm_read`).
    Read,
    /// Modify records (`perm_write`).
    Write,
    /// Create records (`perm_create`).
    Create,
    /// Delete records (`perm_unlink`).
    Unlink,
}

impl Operation {
    /// Returns Odoo's name of the operation, as `has_access` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Create => "create",
            Self::Unlink => "unlink",
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One model access right: an operation on a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Right {
    /// The model, such as `stock.picking`.
    pub model: &'static str,
    /// The operation on it.
    pub operation: Operation,
}

impl std::fmt::Display for Right {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.model, self.operation)
    }
}

const fn read(model: &'static str) -> Right {
    Right {
        model,
        operation: Operation::Read,
    }
}

const fn write(model: &'static str) -> Right {
    Right {
        model,
        operation: Operation::Write,
    }
}

const fn create(model: &'static str) -> Right {
    Right {
        model,
        operation: Operation::Create,
    }
}

const fn unlink(model: &'static str) -> Right {
    Right {
        model,
        operation: Operation::Unlink,
    }
}

/// A group of Wharf flows whose Odoo calls share one rights table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Reading ready deliveries and their customers for release.
    Release,
    /// Shipment confirmations: move-line quantities, lots, carrier and
    /// tracking, validation and its wizards.
    Shipment,
    /// Counts, adjustments, scrap and snapshot reconciliation.
    Inventory,
    /// Changes after release, expected receipts, receipt advice and returns.
    Lifecycle,
    /// Chatter notes on pickings and activities on sale orders.
    NotesActivities,
}

impl Flow {
    /// Every flow, in the order reports list them.
    pub const ALL: [Flow; 5] = [
        Flow::Release,
        Flow::Shipment,
        Flow::Inventory,
        Flow::Lifecycle,
        Flow::NotesActivities,
    ];

    /// Returns the model access rights the flow's calls need.
    pub fn rights(self) -> &'static [Right] {
        match self {
            Flow::Release => RELEASE,
            Flow::Shipment => SHIPMENT,
            Flow::Inventory => INVENTORY,
            Flow::Lifecycle => LIFECYCLE,
            Flow::NotesActivities => NOTES_ACTIVITIES,
        }
    }
}

/// Release: `ready_pickings` and the partner and product reads.
pub const RELEASE: &[Right] = &[
    read("stock.picking"),
    read("stock.picking.type"),
    read("stock.warehouse"),
    read("stock.move"),
    read("stock.move.line"),
    read("product.product"),
    read("sale.order"),
    read("res.partner"),
    read("res.country.state"),
    read("res.partner.category"),
];

/// Shipment confirmations, with the wizard records that validation may
/// return (backorder, expiry).
///
/// NOTE: the table assumes that `button_validate` and the wizards' buttons
/// need no right beyond the picking write and creating the wizard. No real
/// Odoo has run the flow as a user with only these rights.
pub const SHIPMENT: &[Right] = &[
    read("stock.picking"),
    write("stock.picking"),
    read("stock.move"),
    read("stock.move.line"),
    write("stock.move.line"),
    create("stock.move.line"),
    read("stock.lot"),
    create("stock.lot"),
    read("delivery.carrier"),
    create("stock.backorder.confirmation"),
    create("expiry.picking.confirmation"),
];

/// Inventory: quants in inventory mode, lots, scrap and the reads that
/// round quantities and resolve locations.
pub const INVENTORY: &[Right] = &[
    read("stock.quant"),
    write("stock.quant"),
    create("stock.quant"),
    read("stock.lot"),
    create("stock.lot"),
    read("stock.location"),
    read("stock.move"),
    read("product.product"),
    read("uom.uom"),
    read("res.users"),
    read("stock.scrap"),
    create("stock.scrap"),
    write("stock.scrap"),
];

/// Changes after release, receipts and returns. Lot names on receipt lines
/// make Odoo create the lots as the integration user.
pub const LIFECYCLE: &[Right] = &[
    read("stock.picking"),
    write("stock.picking"),
    read("stock.picking.type"),
    read("stock.move"),
    read("stock.move.line"),
    write("stock.move.line"),
    create("stock.move.line"),
    read("stock.lot"),
    create("stock.lot"),
    read("product.product"),
    create("stock.return.picking"),
    write("stock.return.picking"),
    read("stock.return.picking.line"),
    write("stock.return.picking.line"),
];

/// Notes and activities.
///
/// NOTE: `stock.picking` write is listed for `message_post` on the
/// assumption that posting needs the record's write right. No real Odoo
/// has been checked for this.
pub const NOTES_ACTIVITIES: &[Right] = &[
    read("stock.picking"),
    write("stock.picking"),
    read("sale.order"),
    read("mail.activity"),
    create("mail.activity"),
    read("ir.model"),
];

/// Rights a warehouse integration should not hold: user and access-right
/// administration, accounting entries, and deleting business documents.
pub const BEYOND_RIGHTS: &[Right] = &[
    create("res.users"),
    write("res.users"),
    create("ir.model.access"),
    write("ir.model.access"),
    create("account.move"),
    write("account.move"),
    unlink("res.partner"),
    unlink("sale.order"),
    unlink("purchase.order"),
];

/// Groups a warehouse integration should not hold, by xml id.
pub const BEYOND_GROUPS: &[&str] = &[
    "base.group_system",
    "base.group_erp_manager",
    "stock.group_stock_manager",
    "account.group_account_manager",
];

/// The group Odoo 17 requires to apply counted quantities
/// (`action_apply_inventory` raises a `UserError` for Inventory / User).
pub const STOCK_MANAGER: &str = "stock.group_stock_manager";

/// Returns the rights the flows need, without duplicates, sorted by model.
pub fn needed_rights(flows: &[Flow]) -> Vec<Right> {
    let mut rights: Vec<Right> = flows.iter().flat_map(|f| f.rights()).copied().collect();
    rights.sort();
    rights.dedup();
    rights
}

/// Returns the groups the flows need on an Odoo major version: the stock
/// manager group on Odoo 17 when the inventory flow runs, none otherwise.
pub fn needed_groups(flows: &[Flow], major: u32) -> Vec<&'static str> {
    if major <= 17 && flows.contains(&Flow::Inventory) {
        vec![STOCK_MANAGER]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needed_rights_are_unique() {
        let rights = needed_rights(&Flow::ALL);
        let mut unique = rights.clone();
        unique.dedup();
        assert_eq!(rights, unique);
        assert!(rights.contains(&write("stock.move.line")));
    }

    #[test]
    fn no_needed_right_is_beyond() {
        let rights = needed_rights(&Flow::ALL);
        for beyond in BEYOND_RIGHTS {
            assert!(
                !rights.contains(beyond),
                "{beyond} is both needed and beyond"
            );
        }
    }

    #[test]
    fn stock_manager_needed_on_17_only() {
        assert_eq!(needed_groups(&[Flow::Inventory], 17), vec![STOCK_MANAGER]);
        assert!(needed_groups(&[Flow::Inventory], 18).is_empty());
        assert!(needed_groups(&[Flow::Shipment], 17).is_empty());
    }
}
