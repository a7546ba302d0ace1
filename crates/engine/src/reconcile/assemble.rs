//! Turns the collected entries into a [`Reconciliation`]: classifies every
//! key, keeps the rows to report and sorts them by key.

use std::collections::BTreeMap;

use jiff::civil::Date;
use wharf_model::{Decimal, StockKey, VarianceKind};

use super::builder::{Entry, InFlightMessage, Reconciler, NO_LOT};
use super::classify::classify;
use super::report::{Reconciliation, VarianceRow};
use super::{serial, Threshold};

/// Interned names indexed by id.
struct Names {
    locations: Vec<Box<str>>,
    skus: Vec<Box<str>>,
    lots: Vec<Box<str>>,
}

/// Classifies every entry of `reconciler` and builds the result.
pub(super) fn assemble(reconciler: Reconciler) -> Reconciliation {
    let Reconciler {
        rules,
        locations,
        skus,
        lots,
        index,
        mut entries,
        mut messages,
    } = reconciler;
    // Free the key index, which is no longer needed, before the rows are built.
    drop(index);
    let names = Names {
        locations: locations.into_names(),
        skus: skus.into_names(),
        lots: lots.into_names(),
    };
    let sku_thresholds: Vec<Threshold> = names
        .skus
        .iter()
        .map(|sku| rules.per_sku.get(&**sku).copied().unwrap_or(rules.default))
        .collect();
    let sku_serial: Vec<bool> = names
        .skus
        .iter()
        .map(|sku| rules.serial_skus.contains(&**sku))
        .collect();
    let sku_rounding: Vec<Option<Decimal>> = names
        .skus
        .iter()
        .map(|sku| rules.unit_rounding.get(&**sku).copied())
        .collect();
    for entry in &mut entries {
        if let Some(rounding) = sku_rounding[entry.key.sku as usize] {
            entry.wms = super::round_to_unit(entry.wms, rounding);
        }
    }
    let serial_details =
        serial::find_duplicates(&entries, &sku_serial, &names.locations, &names.lots);

    // Classify every key and keep the positions of the rows to report.
    let mut counts = BTreeMap::new();
    let mut listed = Vec::new();
    for (position, entry) in (0u32..).zip(&entries) {
        let sku = entry.key.sku as usize;
        let serial_duplicate = sku_serial[sku] && serial_details.contains_key(&position);
        let kind = classify(entry, &sku_thresholds[sku], rules.today, serial_duplicate);
        *counts.entry(kind).or_insert(0) += 1;
        if kind != VarianceKind::Match || entry.has_in_flight {
            listed.push((position, kind));
        }
    }

    sort_by_key_names(&mut listed, &entries, &names);
    let mut serial_details = serial_details;
    let rows = listed
        .into_iter()
        .map(|(position, kind)| {
            let entry = &entries[position as usize];
            let in_flight = messages.remove(&position).unwrap_or_default();
            let serial_detail = serial_details.remove(&position);
            let detail = describe(entry, kind, &in_flight, serial_detail, &names, rules.today);
            build_row(entry, kind, in_flight, detail, &names)
        })
        .collect();

    Reconciliation {
        compared: entries.len() as u64,
        counts,
        rows,
    }
}

/// Sorts `listed` by (location, SKU, lot) names, a key without a lot first,
/// as [`StockKey`] orders. Names are ranked once so that the sort compares
/// integers rather than strings.
fn sort_by_key_names(listed: &mut [(u32, VarianceKind)], entries: &[Entry], names: &Names) {
    if listed.is_empty() {
        return;
    }
    let location_ranks = ranks(&names.locations);
    let sku_ranks = ranks(&names.skus);
    let lot_ranks = ranks(&names.lots);

    listed.sort_unstable_by_key(|(position, _)| {
        let key = entries[*position as usize].key;
        let lot_rank = if key.lot == NO_LOT {
            0
        } else {
            u64::from(lot_ranks[key.lot as usize]) + 1
        };
        (
            location_ranks[key.location as usize],
            sku_ranks[key.sku as usize],
            lot_rank,
        )
    });
}

/// Returns the rank of each name (by id) in byte-wise string order.
fn ranks(names: &[Box<str>]) -> Vec<u32> {
    let mut ids: Vec<u32> = (0u32..).zip(names).map(|(id, _)| id).collect();
    ids.sort_unstable_by(|a, b| names[*a as usize].cmp(&names[*b as usize]));

    let mut ranks = vec![0; names.len()];
    for (rank, id) in (0u32..).zip(ids) {
        ranks[id as usize] = rank;
    }
    ranks
}

/// Returns the explanation of a special kind, `None` for the others.
fn describe(
    entry: &Entry,
    kind: VarianceKind,
    in_flight: &[InFlightMessage],
    serial_detail: Option<String>,
    names: &Names,
    today: Date,
) -> Option<String> {
    match kind {
        VarianceKind::SerialDuplicate => serial_detail,
        VarianceKind::NegativeStock => {
            let mut sides = Vec::new();
            if entry.wms < Decimal::ZERO {
                sides.push(format!("WMS quantity {} is negative", entry.wms));
            }
            if entry.odoo < Decimal::ZERO {
                sides.push(format!("Odoo quantity {} is negative", entry.odoo));
            }
            Some(sides.join("; "))
        }
        VarianceKind::Unsettled => {
            let pending: Vec<&str> = in_flight
                .iter()
                .filter(|message| !message.settled)
                .map(|message| &*message.id)
                .collect();
            let (noun, verb) = if pending.len() == 1 {
                ("Message", "was")
            } else {
                ("Messages", "were")
            };
            Some(format!(
                "{noun} {} {verb} being delivered while Odoo was read, or {verb} a count applied on \
                 the other side of the snapshot, so compare again at the next reconciliation",
                pending.join(", ")
            ))
        }
        VarianceKind::ExpiredLot => {
            let expiry = entry.expiry.map_or(String::new(), |date| date.to_string());
            if entry.key.lot == NO_LOT {
                Some(format!("stock expired on {expiry}, before {today}"))
            } else {
                let lot = &names.lots[entry.key.lot as usize];
                Some(format!("lot {lot} expired on {expiry}, before {today}"))
            }
        }
        VarianceKind::Match | VarianceKind::WithinThreshold | VarianceKind::BeyondThreshold => None,
    }
}

fn build_row(
    entry: &Entry,
    kind: VarianceKind,
    in_flight: Vec<InFlightMessage>,
    detail: Option<String>,
    names: &Names,
) -> VarianceRow {
    let key = entry.key;
    let lot = (key.lot != NO_LOT).then(|| names.lots[key.lot as usize].to_string());
    VarianceRow {
        key: StockKey {
            location: names.locations[key.location as usize].to_string(),
            sku: names.skus[key.sku as usize].to_string(),
            lot,
        },
        wms: entry.wms,
        odoo: entry.odoo,
        in_flight: entry.in_flight,
        variance: entry.variance(),
        kind,
        messages: in_flight
            .into_iter()
            .map(|message| message.id.into())
            .collect(),
        detail,
    }
}
