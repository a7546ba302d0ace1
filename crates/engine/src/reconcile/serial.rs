//! Serial numbers on hand more than once.
//!
//! A serial number is one unit. It is duplicated when, on the WMS side or
//! on the Odoo side, it is on hand (quantity above zero) in more than one
//! location, or with a quantity above one in a location. Every key of a
//! duplicated serial number is flagged, including keys where it has no stock
//! now, so the report shows all the places involved.

use std::collections::HashMap;

use wharf_model::Decimal;

use super::builder::{Entry, NO_LOT};

/// Returns a detail message for each position in `entries` whose serial
/// number is duplicated.
pub(super) fn find_duplicates(
    entries: &[Entry],
    sku_serial: &[bool],
    locations: &[Box<str>],
    lots: &[Box<str>],
) -> HashMap<u32, String> {
    let mut by_serial: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
    for (position, entry) in (0u32..).zip(entries) {
        if entry.key.lot != NO_LOT && sku_serial[entry.key.sku as usize] {
            by_serial
                .entry((entry.key.sku, entry.key.lot))
                .or_default()
                .push(position);
        }
    }

    let mut details = HashMap::new();
    for positions in by_serial.values() {
        let members: Vec<&Entry> = positions.iter().map(|&p| &entries[p as usize]).collect();
        if !is_duplicated(&members) {
            continue;
        }
        for (&position, member) in positions.iter().zip(&members) {
            details.insert(position, describe(member, &members, locations, lots));
        }
    }
    details
}

/// Returns whether the keys of one serial number hold it more than once on
/// either side.
fn is_duplicated(members: &[&Entry]) -> bool {
    let wms_locations = members.iter().filter(|m| m.wms > Decimal::ZERO).count();
    let odoo_locations = members.iter().filter(|m| m.odoo > Decimal::ZERO).count();
    let above_one = members
        .iter()
        .any(|m| m.wms > Decimal::ONE || m.odoo > Decimal::ONE);
    wms_locations > 1 || odoo_locations > 1 || above_one
}

/// Builds the detail of one key of a duplicated serial number: the other
/// locations that hold it and any quantity above one here.
fn describe(
    member: &Entry,
    members: &[&Entry],
    locations: &[Box<str>],
    lots: &[Box<str>],
) -> String {
    let serial = &lots[member.key.lot as usize];
    let mut others: Vec<&str> = members
        .iter()
        .filter(|other| other.key.location != member.key.location)
        .filter(|other| other.wms > Decimal::ZERO || other.odoo > Decimal::ZERO)
        .map(|other| &*locations[other.key.location as usize])
        .collect();
    others.sort_unstable();

    let mut parts = Vec::new();
    if !others.is_empty() {
        parts.push(format!("serial {serial} also in {}", others.join(", ")));
    }
    if member.wms > Decimal::ONE {
        parts.push(format!(
            "quantity {} of serial {serial} in the WMS",
            member.wms
        ));
    }
    if member.odoo > Decimal::ONE {
        parts.push(format!(
            "quantity {} of serial {serial} in Odoo",
            member.odoo
        ));
    }
    parts.join("; ")
}
