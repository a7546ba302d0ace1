//! The simulated warehouse's stock: one balance per location, SKU and lot,
//! kept in `stock.json` under the root between runs.
//!
//! Balances are in the product's Odoo unit (units, `EA`), whatever unit the
//! files report them in. A balance may go negative, as in a real WMS that
//! ships what the floor picked before the books caught up.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use wharf_model::{ReceivedLine, ShippedLine, StockKey};

use super::WmsError;

/// Name of the stock file under the root.
pub const STOCK_FILE: &str = "stock.json";

/// One balance of the warehouse, as `stock.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockRow {
    /// The warehouse's location code (`A-01-02`, `QUARANTINE`).
    pub location: String,
    pub sku: String,
    /// Lot or serial number; `None` for untracked products.
    #[serde(default)]
    pub lot: Option<String>,
    /// Expiry date of the lot, `YYYY-MM-DD`.
    #[serde(default)]
    pub expiry_date: Option<String>,
    /// Quantity in the product's Odoo unit; may be negative.
    pub quantity: Decimal,
}

impl StockRow {
    pub fn key(&self) -> StockKey {
        StockKey {
            location: self.location.clone(),
            sku: self.sku.clone(),
            lot: self.lot.clone(),
        }
    }
}

/// The balance kept for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Balance {
    pub quantity: Decimal,
    pub expiry_date: Option<String>,
}

/// Balances by key, in key order (location, then SKU, then lot).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Stock {
    balances: BTreeMap<StockKey, Balance>,
}

impl Stock {
    /// Builds the stock from rows. A key listed twice is an error.
    pub fn from_rows(rows: Vec<StockRow>) -> Result<Self, WmsError> {
        let mut balances = BTreeMap::new();
        for row in rows {
            let key = row.key();
            let balance = Balance {
                quantity: row.quantity,
                expiry_date: row.expiry_date,
            };
            if balances.insert(key.clone(), balance).is_some() {
                return Err(WmsError::InvalidSettings {
                    problem: format!(
                        "location {} SKU {} lot {} is listed twice; give one row per location, SKU and lot",
                        key.location,
                        key.sku,
                        key.lot.as_deref().unwrap_or("(none)")
                    ),
                });
            }
        }
        Ok(Stock { balances })
    }

    /// Returns every balance in key order, zero balances included.
    pub fn rows(&self) -> Vec<StockRow> {
        self.balances
            .iter()
            .map(|(key, balance)| StockRow {
                location: key.location.clone(),
                sku: key.sku.clone(),
                lot: key.lot.clone(),
                expiry_date: balance.expiry_date.clone(),
                quantity: balance.quantity,
            })
            .collect()
    }

    pub fn balances(&self) -> impl Iterator<Item = (&StockKey, &Balance)> {
        self.balances.iter()
    }

    pub fn quantity(&self, key: &StockKey) -> Decimal {
        self.balances
            .get(key)
            .map_or(Decimal::ZERO, |balance| balance.quantity)
    }

    pub fn expiry_date(&self, key: &StockKey) -> Option<String> {
        self.balances
            .get(key)
            .and_then(|balance| balance.expiry_date.clone())
    }

    /// Adds `delta` to a balance, creating it with `expiry_date` when new.
    pub fn add(&mut self, key: StockKey, delta: Decimal, expiry_date: Option<String>) {
        let balance = self.balances.entry(key).or_insert(Balance {
            quantity: Decimal::ZERO,
            expiry_date,
        });
        balance.quantity += delta;
    }

    /// Replaces a balance's quantity, as a cycle count does.
    pub fn set(&mut self, key: StockKey, quantity: Decimal) {
        let expiry_date = self.expiry_date(&key);
        self.balances
            .entry(key)
            .or_insert(Balance {
                quantity,
                expiry_date,
            })
            .quantity = quantity;
    }

    /// Takes shipped lines out of stock. A line with a lot leaves the first
    /// location (by code) that has a balance of that lot. Other lines, and
    /// lots no location has, leave the first location with a positive
    /// balance of the SKU, else any location with a row of the SKU, else
    /// `default_location`. The location `quarantine` is never picked.
    pub fn take_shipped(
        &mut self,
        lines: &[ShippedLine],
        default_location: &str,
        quarantine: &str,
    ) {
        for line in lines {
            let location = self.pick_location(&line.sku, line.lot.as_deref(), quarantine);
            let key = StockKey {
                location: location.unwrap_or_else(|| default_location.to_owned()),
                sku: line.sku.clone(),
                lot: line.lot.clone(),
            };
            self.add(key, -line.quantity, line.expiry_date.clone());
        }
    }

    fn pick_location(&self, sku: &str, lot: Option<&str>, quarantine: &str) -> Option<String> {
        let pickable = |key: &StockKey| key.sku == sku && key.location != quarantine;
        let holding_lot = lot.and_then(|lot| {
            self.balances
                .keys()
                .find(|key| pickable(key) && key.lot.as_deref() == Some(lot))
        });
        let holding_sku = || {
            self.balances
                .iter()
                .find(|(key, balance)| pickable(key) && balance.quantity > Decimal::ZERO)
                .map(|(key, _)| key)
        };
        let listing_sku = || self.balances.keys().find(|key| pickable(key));
        holding_lot
            .or_else(holding_sku)
            .or_else(listing_sku)
            .map(|key| key.location.clone())
    }
}

/// The content of `stock.json`: the balances and the sequences of the
/// inventory files, so a restarted warehouse goes on with the next number,
/// and the last receipt advice added, so no advice is added twice.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StockFile {
    /// Number of the last `MOV-<seq>.csv` written, 0 before the first.
    #[serde(default)]
    last_movement_file: u64,
    /// Number of the last `SNAP-<seq>.csv` written, 0 before the first.
    #[serde(default)]
    last_snapshot_file: u64,
    /// Number of the last `RCV-<seq>.csv` whose goods were added, 0 before
    /// the first.
    #[serde(default)]
    last_receipt_added: u64,
    #[serde(default)]
    rows: Vec<StockRow>,
}

/// The stock, the inventory file sequences and the last receipt advice
/// added, as kept on disk.
#[derive(Debug, Clone, Default)]
pub(crate) struct StockState {
    pub stock: Stock,
    pub last_movement_file: u64,
    pub last_snapshot_file: u64,
    pub last_receipt_added: u64,
}

impl StockState {
    /// Reads `stock.json`, or returns an empty stock when the file does not
    /// exist.
    pub fn load(root: &Path) -> Result<Self, WmsError> {
        let path = root.join(STOCK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(StockState::default())
            }
            Err(error) => return Err(WmsError::io("read", path, error)),
        };
        let file: StockFile = serde_json::from_str(&text).map_err(|error| WmsError::StockFile {
            path: path.clone(),
            message: error.to_string(),
        })?;
        Ok(StockState {
            stock: Stock::from_rows(file.rows)?,
            last_movement_file: file.last_movement_file,
            last_snapshot_file: file.last_snapshot_file,
            last_receipt_added: file.last_receipt_added,
        })
    }

    /// Adds the goods of receipt advice `advice_seq` to `location`, once:
    /// returns false and changes nothing when that advice, or a later one,
    /// was already added. Lines of quantity 0 add nothing.
    pub fn add_received(
        &mut self,
        advice_seq: u64,
        location: &str,
        lines: &[ReceivedLine],
    ) -> bool {
        if advice_seq <= self.last_receipt_added {
            return false;
        }
        for line in lines.iter().filter(|line| line.quantity > Decimal::ZERO) {
            let key = StockKey {
                location: location.to_owned(),
                sku: line.sku.clone(),
                lot: line.lot.clone(),
            };
            self.stock.add(key, line.quantity, line.expiry_date.clone());
        }
        self.last_receipt_added = advice_seq;
        true
    }

    /// Writes `stock.json` through a temporary file and a rename, so a
    /// crash leaves the old or the new stock, never half a file.
    pub fn save(&self, root: &Path) -> Result<(), WmsError> {
        let file = StockFile {
            last_movement_file: self.last_movement_file,
            last_snapshot_file: self.last_snapshot_file,
            last_receipt_added: self.last_receipt_added,
            rows: self.stock.rows(),
        };
        let path = root.join(STOCK_FILE);
        let temp = root.join(format!("{STOCK_FILE}.tmp"));
        let text = serde_json::to_string_pretty(&file).unwrap_or_default();
        std::fs::write(&temp, text).map_err(|error| WmsError::io("write", &temp, error))?;
        std::fs::rename(&temp, &path).map_err(|error| WmsError::io("rename", &temp, error))
    }
}
