//! Fault injection: which faults the simulated warehouse applies to an
//! order, chosen by the order's place in the persistent sequence.
//!
//! Every option is "every Nth order": with `short_every = 3` the orders with
//! sequence numbers 3, 6, 9, ... ship short. Sequence numbers start at 1 and
//! survive restarts, so a restarted simulator applies the same faults to
//! the same orders.

use serde::{Deserialize, Serialize};

/// Default pause between the pieces of a slowly written file.
const DEFAULT_SLOW_PIECE_PAUSE_MS: u64 = 200;

/// How often each fault happens; `None` or 0 turns a fault off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultOptions {
    /// Ship the first line with a positive quantity short: half its
    /// quantity rounded down, and at least one unit less than demanded.
    pub short_every: Option<usize>,
    /// Ship lot `<reserved>-B` in place of the reserved lot on the first
    /// lot-tracked line.
    pub wrong_lot_every: Option<usize>,
    /// Confirm the order with two tracking numbers.
    pub two_tracking_every: Option<usize>,
    /// Write the same confirmation twice under two file names.
    pub duplicate_every: Option<usize>,
    /// Write the confirmation under its final name in 3 pieces with pauses,
    /// without a temporary name, as a careless WMS would.
    pub slow_every: Option<usize>,
    /// Pause between the pieces of a slow file, in milliseconds.
    pub slow_piece_pause_ms: u64,
    /// Add a line with SKU `UNKNOWN-<seq>` that the order never had.
    pub unknown_sku_every: Option<usize>,
    /// Write the file in Windows-1252 with a UTF-8 byte order mark and CRLF
    /// line ends, with at least one non-ASCII character in it.
    pub cp1252_every: Option<usize>,
}

impl Default for FaultOptions {
    fn default() -> Self {
        FaultOptions {
            short_every: None,
            wrong_lot_every: None,
            two_tracking_every: None,
            duplicate_every: None,
            slow_every: None,
            slow_piece_pause_ms: DEFAULT_SLOW_PIECE_PAUSE_MS,
            unknown_sku_every: None,
            cp1252_every: None,
        }
    }
}

/// One kind of fault, as named in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    Short,
    WrongLot,
    TwoTracking,
    Duplicate,
    Slow,
    UnknownSku,
    Cp1252,
}

impl FaultOptions {
    /// Lists the faults planned for the order with sequence number `seq`, in a
    /// fixed order. A fault that does not fit the order (a wrong lot on an
    /// order without lot-tracked lines) is dropped when the order is picked.
    pub fn planned(&self, seq: u64) -> Vec<Fault> {
        let schedule = [
            (self.short_every, Fault::Short),
            (self.wrong_lot_every, Fault::WrongLot),
            (self.two_tracking_every, Fault::TwoTracking),
            (self.duplicate_every, Fault::Duplicate),
            (self.slow_every, Fault::Slow),
            (self.unknown_sku_every, Fault::UnknownSku),
            (self.cp1252_every, Fault::Cp1252),
        ];
        schedule
            .into_iter()
            .filter(|(every, _)| every_nth(*every, seq))
            .map(|(_, fault)| fault)
            .collect()
    }
}

/// Returns whether `seq` is a multiple of `every`, and false when `every`
/// is `None` or 0.
pub(crate) fn every_nth(every: Option<usize>, seq: u64) -> bool {
    match every {
        Some(every) if every > 0 => seq % u64::try_from(every).unwrap_or(u64::MAX) == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_order_from_one() {
        let options = FaultOptions {
            short_every: Some(2),
            cp1252_every: Some(3),
            duplicate_every: Some(0),
            ..FaultOptions::default()
        };

        assert!(options.planned(1).is_empty());
        assert_eq!(options.planned(2), [Fault::Short]);
        assert_eq!(options.planned(3), [Fault::Cp1252]);
        assert_eq!(options.planned(6), [Fault::Short, Fault::Cp1252]);
    }
}
