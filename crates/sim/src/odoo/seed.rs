//! A generated data set for rehearsals without recorded files: two
//! warehouses, products of every tracking kind, customers (one on credit
//! hold, one delivery address without street), carriers, stock, and N
//! confirmed sale orders with reserved outgoing pickings, and optionally
//! purchase receipts (see `seed_receipts`). The same seed always gives the
//! same data set.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::SimError;
use super::sale;
use super::seed_data::{base_data, LOT, LOT_EXPIRY, NO_SKU, SERIAL, UNTRACKED};
use super::sim::OdooSim;
use super::store::{float, Db};

/// What to generate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedOptions {
    /// Number of confirmed sale orders.
    pub orders: usize,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
    /// Every n-th order goes to the customer tagged "Credit Hold".
    pub credit_hold_every: Option<usize>,
    /// Every n-th order gets a line of the product without internal reference.
    pub missing_sku_every: Option<usize>,
    /// Every n-th order ships to the delivery address without street.
    pub missing_address_every: Option<usize>,
    /// Minimum and maximum number of lines per order.
    pub lines_per_order: (usize, usize),
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            orders: 10,
            seed: 1,
            credit_hold_every: None,
            missing_sku_every: None,
            missing_address_every: None,
            lines_per_order: (1, 3),
        }
    }
}

/// A picking the release rules are expected to hold, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPicking {
    pub picking_id: i64,
    pub order: String,
    /// `credit_hold`, `missing_sku` or `missing_address`.
    pub reason: String,
}

/// What `seed_demo` created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedReport {
    pub order_ids: Vec<i64>,
    pub picking_ids: Vec<i64>,
    pub held: Vec<HeldPicking>,
    /// The purchase receipts (`stock.picking` ids) in order, empty unless
    /// [`OdooSim::seed_demo_with_receipts`] was called with a count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipt_ids: Vec<i64>,
}

/// SplitMix64: small, fast and stable across platforms and crate versions.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % (bound.max(1) as u64)).unwrap_or(0)
    }
}

fn every(option: Option<usize>, index: usize) -> bool {
    option.is_some_and(|n| n > 0 && (index + 1) % n == 0)
}

impl OdooSim {
    /// Replaces the data with a generated data set and confirms the orders.
    pub fn seed_demo(&self, options: &SeedOptions) -> Result<SeedReport, SimError> {
        self.seed_demo_with_receipts(options, 0)
    }

    /// Like [`OdooSim::seed_demo`], then adds `purchase_receipts` confirmed
    /// purchase orders with a receipt each, in state `assigned`. With 0 the
    /// data set is the one `seed_demo` makes.
    // NOTE: the count belongs in `SeedOptions`, but a new field there breaks
    // the struct literals of the CLI crate and of the `odoo_extras` test,
    // which list every field.
    pub fn seed_demo_with_receipts(
        &self,
        options: &SeedOptions,
        purchase_receipts: usize,
    ) -> Result<SeedReport, SimError> {
        let (min_lines, max_lines) = options.lines_per_order;
        if min_lines == 0 || max_lines < min_lines {
            return Err(SimError::InvalidSeed(format!(
                "lines_per_order ({min_lines}, {max_lines}) must satisfy 1 <= min <= max"
            )));
        }
        let mut rng = Rng(options.seed);
        let regular = [10, 11, 12];
        let products = [UNTRACKED, 3, 4, LOT, LOT_EXPIRY, SERIAL];
        let mut plans = Vec::new();
        let mut serials = 0;
        for index in 0..options.orders {
            let mut reasons = Vec::new();
            let mut partner = regular[rng.below(regular.len())];
            let mut shipping = partner;
            if every(options.credit_hold_every, index) {
                partner = 13;
                shipping = 13;
                reasons.push("credit_hold");
            } else if every(options.missing_address_every, index) {
                partner = 11;
                shipping = 14;
                reasons.push("missing_address");
            }
            let count = min_lines + rng.below(max_lines - min_lines + 1);
            let mut lines = Vec::new();
            for _ in 0..count {
                let product = products[rng.below(products.len())];
                let quantity = if product == SERIAL {
                    1 + rng.below(2)
                } else {
                    1 + rng.below(10)
                };
                if product == SERIAL {
                    serials += quantity * 2;
                }
                lines.push((product, quantity));
            }
            if every(options.missing_sku_every, index) {
                lines.push((NO_SKU, 1));
                reasons.push("missing_sku");
            }
            let warehouse = 1 + i64::try_from(rng.below(2)).unwrap_or(0);
            let carrier = 1 + i64::try_from(rng.below(2)).unwrap_or(0);
            plans.push((partner, shipping, lines, warehouse, carrier, reasons));
        }

        let frozen_now = self.db().frozen_now.clone();
        let mut db = Db::new(self.version(), frozen_now);
        base_data(&mut db, serials + 4);
        let mut report = SeedReport::default();
        for (index, (partner, shipping, lines, warehouse, carrier, reasons)) in
            plans.into_iter().enumerate()
        {
            let order_lines: Vec<Value> = lines.iter().map(|(product, quantity)| json!([0, 0, {"product_id": product, "product_uom_qty": float(*quantity as f64)}])).collect();
            let vals = json!({"partner_id": partner, "partner_shipping_id": shipping, "warehouse_id": warehouse, "carrier_id": carrier, "client_order_ref": format!("PO-{:05}", index + 1), "order_line": order_lines});
            let order =
                sale::create_order(&mut db, vals.as_object().unwrap_or(&serde_json::Map::new()))?;
            sale::confirm_orders(&mut db, &[order])?;
            let name = db
                .field("sale.order", order, "name")
                .as_str()
                .unwrap_or("")
                .to_owned();
            report.order_ids.push(order);
            for picking in db.one2many("stock.picking", "sale_id", order) {
                report.picking_ids.push(picking);
                for reason in &reasons {
                    report.held.push(HeldPicking {
                        picking_id: picking,
                        order: name.clone(),
                        reason: (*reason).to_owned(),
                    });
                }
            }
        }
        report.receipt_ids =
            super::seed_receipts::add_purchase_receipts(&mut db, purchase_receipts, options.seed);
        *self.db() = db;
        self.install_main_user();
        Ok(report)
    }
}
