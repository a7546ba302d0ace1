//! Shipment confirmations in a delimited file, one record per shipped line.
//!
//! Records are grouped into confirmations by picking reference (and by the
//! reshipment mark, so `1000880008` and `1000880008_R` stay apart) in the
//! order each reference first appears. Confirmation-level values (carrier,
//! tracking, ship time) may repeat on every record or appear on one of them.
//! A file without a `sku` column yields confirmations without lines.

use std::collections::hash_map::{Entry, HashMap, RandomState};
use std::hash::BuildHasher;

use wharf_model::{ShipmentConfirmation, ShippedLine};

use crate::plan::{field_set, join_list, list_share, FieldSet, Plan, PlannedColumn};
use crate::table::TableReader;
use crate::table_writer::TableWriter;
use crate::values::ConversionCache;
use crate::{text, values, FormatError, Layout};

field_set! {
    /// Logical fields of a confirmation file.
    Field {
        PickingRef => "picking_ref",
        /// Line number within the picking; written from 1, ignored on read.
        LineNo => "line_no",
        MoveId => "move_id",
        Sku => "sku",
        Quantity => "quantity",
        Lot => "lot",
        ExpiryDate => "expiry_date",
        Carrier => "carrier",
        /// Tracking numbers: one column, several columns or a `split` column.
        Tracking => "tracking",
        /// Ship date without time, read as the start of the day in the site's zone.
        ShippedDate => "shipped_date",
        ShippedAt => "shipped_at",
    }
}

/// Field names a confirmation layout may use in `field`.
pub const CONFIRMATION_FIELDS: &[&str] = Field::NAMES;

/// Decodes a confirmation file with `layout`.
pub fn decode_confirmations(
    layout: &Layout,
    bytes: &[u8],
) -> Result<Vec<ShipmentConfirmation>, FormatError> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let picking_column = column_of(&plan, Field::PickingRef);
    let mut grouping = Grouping::default();
    let mut caches = Caches {
        shipped: ConversionCache::default(),
        expiry: ConversionCache::default(),
        tracking: std::iter::repeat_with(TrackingText::default)
            .take(plan.columns.len())
            .collect(),
    };
    while reader.advance()? {
        read_record(&plan, &reader, picking_column, &mut grouping, &mut caches)?;
    }
    Ok(grouping.confirmations)
}

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::PickingRef, "picking_ref")?;
    if plan.has_field(Field::Sku) {
        plan.require_field(Field::Quantity, "quantity")?;
    }
    Ok(plan)
}

/// Confirmations in the order their reference first appears.
///
/// The index is keyed by a hash of the reference and the reshipment flag,
/// so a new confirmation costs one copy of its reference (the one it keeps)
/// and a lookup borrows the reference. Confirmations whose keys share a
/// hash are chained through `earlier_same_hash`.
#[derive(Debug, Default)]
struct Grouping {
    confirmations: Vec<ShipmentConfirmation>,
    hasher: RandomState,
    /// Index of the latest confirmation with each key hash.
    latest_by_hash: HashMap<u64, usize>,
    /// For each confirmation, the one before it whose key has the same hash.
    earlier_same_hash: Vec<Option<usize>>,
    /// Index of the confirmation the previous record joined.
    last: Option<usize>,
}

impl Grouping {
    /// Returns the confirmation for `picking_ref` and its index, added at
    /// the end when the reference is new.
    fn get_or_insert(
        &mut self,
        picking_ref: &str,
        reshipment: bool,
    ) -> (usize, &mut ShipmentConfirmation) {
        // Files usually list a picking's records together, so the previous
        // record's confirmation is checked before the hash map.
        if let Some(last) = self.last {
            let previous = &self.confirmations[last];
            if previous.reshipment == reshipment && previous.picking_ref == picking_ref {
                return (last, &mut self.confirmations[last]);
            }
        }

        let hash = self.hasher.hash_one((picking_ref, reshipment));
        let index = match self.latest_by_hash.entry(hash) {
            Entry::Occupied(mut entry) => {
                let mut candidate = Some(*entry.get());
                while let Some(index) = candidate {
                    let known = &self.confirmations[index];
                    if known.reshipment == reshipment && known.picking_ref == picking_ref {
                        break;
                    }
                    candidate = self.earlier_same_hash[index];
                }
                candidate.unwrap_or_else(|| {
                    let index = self.confirmations.len();
                    let previous = entry.insert(index);
                    self.earlier_same_hash.push(Some(previous));
                    self.confirmations
                        .push(new_confirmation(picking_ref, reshipment));
                    index
                })
            }
            Entry::Vacant(entry) => {
                let index = self.confirmations.len();
                entry.insert(index);
                self.earlier_same_hash.push(None);
                self.confirmations
                    .push(new_confirmation(picking_ref, reshipment));
                index
            }
        };
        self.last = Some(index);
        (index, &mut self.confirmations[index])
    }
}

fn new_confirmation(picking_ref: &str, reshipment: bool) -> ShipmentConfirmation {
    ShipmentConfirmation {
        picking_ref: picking_ref.to_owned(),
        lines: Vec::new(),
        carrier: None,
        tracking_numbers: Vec::new(),
        shipped_at: None,
        reshipment,
    }
}

/// The per-file state that lets repeated values skip work.
#[derive(Debug)]
struct Caches {
    /// Conversions of `shipped_date` and `shipped_at` values.
    shipped: ConversionCache,
    /// Conversions of `expiry_date` values that are not ISO dates.
    expiry: ConversionCache,
    /// The last text of each tracking column, indexed like the plan's columns.
    tracking: Vec<TrackingText>,
}

/// The last text read from a tracking column and the index of the
/// confirmation it was added to. Every line of a picking usually repeats
/// the same tracking numbers, and adding the same text to the same
/// confirmation again changes nothing, so that text is skipped.
#[derive(Debug, Default)]
struct TrackingText {
    confirmation: usize,
    text: String,
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
    picking_column: usize,
    grouping: &mut Grouping,
    caches: &mut Caches,
) -> Result<(), FormatError> {
    // The picking reference decides which confirmation the record joins.
    let picking = reader
        .value(picking_column)
        .ok_or_else(|| reader.missing(picking_column))?;
    let (confirmation_index, confirmation) =
        grouping.get_or_insert(&picking.text, picking.reshipment);

    let mut sku = None;
    let mut quantity = None;
    let mut lot = None;
    let mut expiry_date = None;
    let mut move_id = None;
    for (index, column) in plan.columns.iter().enumerate() {
        // The picking reference was read above.
        let Some(field) = column.field.filter(|field| *field != Field::PickingRef) else {
            continue;
        };
        let Some(cell) = reader.value(index) else {
            continue;
        };
        let text = cell.text.as_ref();
        let invalid = |problem: String| reader.invalid(index, text, problem);

        match field {
            Field::PickingRef => {}
            Field::LineNo => {
                values::parse_integer::<u32>(text).map_err(invalid)?;
            }
            Field::MoveId => move_id = Some(values::parse_integer::<i64>(text).map_err(invalid)?),
            Field::Sku => sku = Some(text.to_owned()),
            Field::Quantity => {
                quantity =
                    Some(values::parse_decimal(text, plan.decimal_separator).map_err(invalid)?);
            }
            Field::Lot => lot = Some(text.to_owned()),
            Field::ExpiryDate => {
                let date = caches.expiry.date(text, plan.date_format(column));
                expiry_date = Some(date.map_err(invalid)?);
            }
            Field::Carrier => {
                if confirmation.carrier.is_none() {
                    confirmation.carrier = Some(text.to_owned());
                }
            }
            Field::Tracking => {
                let last = &mut caches.tracking[index];
                if last.confirmation != confirmation_index || last.text != text {
                    push_list_unique(column, text, &mut confirmation.tracking_numbers);
                    last.confirmation = confirmation_index;
                    text.clone_into(&mut last.text);
                }
            }
            Field::ShippedDate | Field::ShippedAt => {
                let format = if field == Field::ShippedDate {
                    plan.date_format(column)
                } else {
                    plan.datetime_format(column)
                };
                let instant = caches
                    .shipped
                    .convert(text, |text| {
                        values::instant_from_file(text, format, &plan.time_zone)
                            .map(|instant| instant.to_string())
                    })
                    .map_err(invalid)?;
                if confirmation.shipped_at.is_none() {
                    confirmation.shipped_at = Some(instant.to_owned());
                }
            }
        }
    }

    // A record is a shipped line when it names a SKU or a quantity; a
    // record with neither only carries confirmation-level values.
    match (sku, quantity) {
        (None, None) => {}
        (Some(sku), Some(quantity)) => confirmation.lines.push(ShippedLine {
            source_line: u32::try_from(reader.line()).unwrap_or(u32::MAX),
            sku,
            quantity,
            lot,
            expiry_date,
            move_id,
        }),
        (Some(_), None) => return Err(reader.missing(column_of(plan, Field::Quantity))),
        (None, Some(_)) => return Err(reader.missing(column_of(plan, Field::Sku))),
    }
    Ok(())
}

/// Adds the values of a tracking column that the list does not have yet.
fn push_list_unique(column: &PlannedColumn<'_, Field>, text: &str, out: &mut Vec<String>) {
    let mut push = |value: &str| {
        if !value.is_empty() && !out.iter().any(|known| known == value) {
            out.push(value.to_owned());
        }
    };
    match &column.spec.split {
        Some(separator) => split_list(text, separator, |value| push(value.trim())),
        None => push(text),
    }
}

/// Calls `visit` with each part of `text` between the `separator`s. A
/// one-character separator, the usual case, is searched as a `char`, which
/// is faster than a string pattern and splits the same way.
fn split_list<'t>(text: &'t str, separator: &str, visit: impl FnMut(&'t str)) {
    let mut chars = separator.chars();
    match (chars.next(), chars.next()) {
        (Some(single), None) => text.split(single).for_each(visit),
        _ => text.split(separator).for_each(visit),
    }
}

fn column_of(plan: &Plan<'_, Field>, field: Field) -> usize {
    plan.columns
        .iter()
        .position(|column| column.field == Some(field))
        .unwrap_or(0)
}

/// Adds the values of a list column, split on its separator when it has one.
pub(crate) fn push_list<F>(column: &PlannedColumn<'_, F>, text: &str, out: &mut Vec<String>) {
    match &column.spec.split {
        Some(separator) => split_list(text, separator, |value| {
            let value = value.trim();
            if !value.is_empty() {
                out.push(value.to_owned());
            }
        }),
        None => out.push(text.to_owned()),
    }
}

/// Encodes confirmations with `layout`, one record per line (one record
/// without line values for a confirmation that has no lines).
///
/// The output depends only on the input and the layout, so encoding the
/// same confirmations twice gives the same bytes.
pub fn encode_confirmations(
    layout: &Layout,
    confirmations: &[ShipmentConfirmation],
) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let can_mark_reshipment = plan.columns.iter().any(|column| {
        column.field == Some(Field::PickingRef) && column.spec.reshipment_suffix.is_some()
    });
    let mut writer = TableWriter::new(&plan)?;

    for confirmation in confirmations {
        if confirmation.reshipment && !can_mark_reshipment {
            return Err(FormatError::Unwritable {
                field: "picking_ref".to_owned(),
                value: confirmation.picking_ref.clone(),
                problem: "the confirmation is a reshipment but the picking_ref column has no `reshipment_suffix`".to_owned(),
            });
        }

        if confirmation.lines.is_empty() {
            writer.write_row(confirmation.reshipment, |column| {
                write_value(&plan, column, confirmation, None)
            })?;
        }
        for (index, line) in confirmation.lines.iter().enumerate() {
            writer.write_row(confirmation.reshipment, |column| {
                write_value(&plan, column, confirmation, Some((index, line)))
            })?;
        }
    }
    writer.finish()
}

fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    confirmation: &ShipmentConfirmation,
    line: Option<(usize, &ShippedLine)>,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let unwritable = |value: &str, problem: String| FormatError::Unwritable {
        field: column.spec.field.clone().unwrap_or_default(),
        value: value.to_owned(),
        problem,
    };

    let text = match field {
        Field::PickingRef => confirmation.picking_ref.clone(),
        Field::Carrier => confirmation.carrier.clone().unwrap_or_default(),
        Field::Tracking => join_list(
            column,
            "tracking",
            list_share(column, &confirmation.tracking_numbers),
        )?,
        Field::ShippedDate | Field::ShippedAt => match &confirmation.shipped_at {
            None => String::new(),
            Some(shipped_at) => {
                let format = if field == Field::ShippedDate {
                    plan.date_format(column)
                } else {
                    plan.datetime_format(column)
                };
                let instant = values::instant_from_model(shipped_at)
                    .map_err(|problem| unwritable(shipped_at, problem))?;
                values::instant_to_file(instant, format, &plan.time_zone)
                    .map_err(|problem| unwritable(shipped_at, problem))?
            }
        },
        Field::LineNo
        | Field::MoveId
        | Field::Sku
        | Field::Quantity
        | Field::Lot
        | Field::ExpiryDate => {
            let Some((index, line)) = line else {
                return Ok(String::new());
            };
            match field {
                Field::LineNo => (index + 1).to_string(),
                Field::MoveId => line.move_id.map(|id| id.to_string()).unwrap_or_default(),
                Field::Sku => line.sku.clone(),
                Field::Quantity => values::format_decimal(line.quantity, plan.decimal_separator),
                Field::Lot => line.lot.clone().unwrap_or_default(),
                _ => match &line.expiry_date {
                    None => String::new(),
                    Some(date) => values::date_to_file(date, plan.date_format(column))
                        .map_err(|problem| unwritable(date, problem))?,
                },
            }
        }
    };
    Ok(text)
}
