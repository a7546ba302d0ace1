//! Layouts that ship with Wharf: the default order, confirmation, movement
//! and snapshot files the demo and the WMS simulator exchange when a site
//! declares no layout.

use crate::{FormatError, Layout};

/// TOML of the default order layout: comma-separated UTF-8 with a header,
/// one record per order line, every order and line field in a column.
pub const DEFAULT_ORDER_LAYOUT_TOML: &str = include_str!("presets/order_default.toml");

/// TOML of the default confirmation layout: comma-separated UTF-8 with a
/// header and the columns picking_ref, line_no, move_id, sku, quantity,
/// lot, expiry_date, carrier, tracking (`|` between numbers) and shipped_at.
pub const DEFAULT_CONFIRMATION_LAYOUT_TOML: &str =
    include_str!("presets/confirmation_default.toml");

/// TOML of the default inventory movement layout: comma-separated UTF-8
/// with a header and the columns movement_ref, kind, location, to_location,
/// sku, lot, expiry_date, quantity, unit, reason and occurred_at.
pub const DEFAULT_MOVEMENT_LAYOUT_TOML: &str = include_str!("presets/movement_default.toml");

/// TOML of the default inventory snapshot layout: comma-separated UTF-8
/// with a header and the columns location, sku, lot, expiry_date, quantity,
/// unit and taken_at.
pub const DEFAULT_SNAPSHOT_LAYOUT_TOML: &str = include_str!("presets/snapshot_default.toml");

/// Parses [`DEFAULT_ORDER_LAYOUT_TOML`].
pub fn default_order_layout() -> Layout {
    parse_preset(DEFAULT_ORDER_LAYOUT_TOML)
}

/// Parses [`DEFAULT_CONFIRMATION_LAYOUT_TOML`].
pub fn default_confirmation_layout() -> Layout {
    parse_preset(DEFAULT_CONFIRMATION_LAYOUT_TOML)
}

/// Parses [`DEFAULT_MOVEMENT_LAYOUT_TOML`].
pub fn default_movement_layout() -> Layout {
    parse_preset(DEFAULT_MOVEMENT_LAYOUT_TOML)
}

/// Parses [`DEFAULT_SNAPSHOT_LAYOUT_TOML`].
pub fn default_snapshot_layout() -> Layout {
    parse_preset(DEFAULT_SNAPSHOT_LAYOUT_TOML)
}

fn parse_preset(text: &str) -> Layout {
    // The presets are compiled in and parsed by a unit test below, so a
    // failure here is a defect in this crate, not in a site's configuration.
    Layout::from_toml(text).unwrap_or_else(|error: FormatError| {
        panic!("a built-in layout preset does not parse: {error}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse() {
        assert!(Layout::from_toml(DEFAULT_ORDER_LAYOUT_TOML).is_ok());
        assert!(Layout::from_toml(DEFAULT_CONFIRMATION_LAYOUT_TOML).is_ok());
        assert!(Layout::from_toml(DEFAULT_MOVEMENT_LAYOUT_TOML).is_ok());
        assert!(Layout::from_toml(DEFAULT_SNAPSHOT_LAYOUT_TOML).is_ok());
    }
}
