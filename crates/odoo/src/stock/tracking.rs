//! Adding tracking numbers to a picking after it shipped.
//!
//! Carriers often return tracking numbers after the shipment confirmation.
//! Odoo accepts `carrier_tracking_ref` on a done picking (a write of the same
//! value is a no-op), so the numbers are merged into the comma-separated
//! field: a number already present is not added twice, which makes a
//! repeated call harmless.

use serde_json::{json, Map};

use crate::client::Client;
use crate::error::Error;
use crate::values::text;

impl Client {
    /// Adds tracking numbers to a picking's `carrier_tracking_ref`; one read,
    /// and one write when a number is new.
    pub async fn add_tracking(&self, picking_id: i64, tracking: &[String]) -> Result<(), Error> {
        let records = self
            .read(
                "stock.picking",
                &[picking_id],
                &["name", "carrier_tracking_ref"],
            )
            .await?;
        let Some(picking) = records.first() else {
            return Err(Error::Shipment {
                picking: picking_id.to_string(),
                detail: "not found in Odoo (deleted, or not visible to the integration user)"
                    .to_owned(),
                kind: crate::ErrorKind::Permanent,
            });
        };

        let current = text(picking, "carrier_tracking_ref");
        let mut numbers: Vec<String> = current
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        let before = numbers.len();
        for number in tracking.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            if !numbers.iter().any(|known| known == number) {
                numbers.push(number.to_owned());
            }
        }
        if numbers.len() == before {
            return Ok(());
        }

        let mut vals = Map::new();
        vals.insert("carrier_tracking_ref".to_owned(), json!(numbers.join(",")));
        self.write("stock.picking", &[picking_id], vals).await
    }
}
