//! Orders released from Odoo to a warehouse.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A delivery address as the warehouse needs it on a label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub street: String,
    pub street2: String,
    pub zip: String,
    pub city: String,
    /// State or province code, empty when the country has none.
    pub state: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: String,
    pub phone: String,
    pub email: String,
}

impl Address {
    /// Names the first field a carrier needs that is empty, if any.
    pub fn first_missing_field(&self) -> Option<&'static str> {
        let required = [
            ("name", &self.name),
            ("street", &self.street),
            ("zip", &self.zip),
            ("city", &self.city),
            ("country_code", &self.country_code),
        ];
        required
            .into_iter()
            .find(|(_, value)| value.trim().is_empty())
            .map(|(field, _)| field)
    }
}

/// One line of an order release: one Odoo stock.move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Line number in the file, from 1.
    pub line_no: u32,
    /// Odoo stock.move id; confirmations are matched back to it.
    pub move_id: i64,
    pub product_id: i64,
    /// Odoo `default_code`; empty when the product has none (the release rule holds such orders).
    pub sku: String,
    pub description: String,
    /// Demanded quantity in the move's unit of measure.
    pub quantity: Decimal,
    pub uom: String,
    /// `none`, `lot` or `serial`, as Odoo's `product.tracking`.
    pub tracking: String,
    /// Lots or serials Odoo reserved for this move, if any.
    pub reserved_lots: Vec<String>,
}

/// An outgoing Odoo picking, read with everything the warehouse needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRelease {
    pub picking_id: i64,
    /// Odoo picking name, for example `WH/OUT/00042`; used as the correlation id.
    pub picking_name: String,
    /// Odoo sale order name, for example `S00042`, when the picking has one.
    pub order_name: String,
    /// The customer's own order reference (`client_order_ref`).
    pub customer_ref: String,
    /// Odoo warehouse code, for example `WH`.
    pub warehouse: String,
    /// Customer (commercial partner) name.
    pub customer: String,
    /// Tags on the customer, used by the credit-hold rule.
    pub customer_tags: Vec<String>,
    /// Whether Odoo flags the customer on credit hold in a partner field
    /// (the hub's `odoo.credit_hold_field`), on the delivery address or on
    /// its company. Payloads stored before the field existed read as `false`.
    #[serde(default)]
    pub credit_hold: bool,
    pub ship_to: Address,
    /// Carrier name, empty when the picking has none.
    pub carrier: String,
    /// Scheduled date in Odoo's naive UTC form `YYYY-MM-DD HH:MM:SS`.
    pub scheduled_date: String,
    /// Odoo `write_date` of the picking when it was read.
    pub write_date: String,
    pub lines: Vec<OrderLine>,
}

/// The pickings read in one poll, released together as one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasedBatch {
    /// Stable name of the batch, used as the file name stem.
    pub batch_id: String,
    pub orders: Vec<OrderRelease>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn release_without_credit_hold_reads() {
        let stored = json!({
            "picking_id": 7, "picking_name": "WH/OUT/00007", "order_name": "S00007",
            "customer_ref": "", "warehouse": "WH", "customer": "Acme", "customer_tags": [],
            "ship_to": Address::default(), "carrier": "",
            "scheduled_date": "2026-12-04 10:00:00", "write_date": "2026-12-04 10:00:00",
            "lines": []
        });
        let order: OrderRelease = serde_json::from_value(stored).unwrap();
        assert!(!order.credit_hold);
    }
}
