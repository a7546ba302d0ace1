//! Grouping the records of an order change file into one change per
//! picking, with the checks that keep a cancel and an amendment apart.

use std::collections::HashMap;

use wharf_model::{ChangeKind, OrderChange, OrderLine};

use crate::changes::Field;
use crate::plan::Plan;
use crate::table::TableReader;
use crate::FormatError;

/// One record of a change file.
#[derive(Debug)]
pub(crate) struct ChangeRecord {
    /// The picking's values, with the record's line when it has one.
    pub change: OrderChange,
    /// The change column's text as written, for error messages.
    pub kind_text: String,
}

/// Changes in the order their picking reference first appears.
#[derive(Debug, Default)]
pub(crate) struct Grouping {
    changes: Vec<OrderChange>,
    /// Line number of the first record of each change.
    first_lines: Vec<u64>,
    index_by_ref: HashMap<String, usize>,
}

type Reader<'r, 'p, 'l, 't> = &'r TableReader<'p, 'l, 't, Field>;

impl Grouping {
    /// Adds a record to its picking's change, or starts a change when the
    /// picking is new. Lines without a line number are numbered by their
    /// position in the change, from 1.
    pub fn add(
        &mut self,
        plan: &Plan<'_, Field>,
        reader: Reader<'_, '_, '_, '_>,
        record: ChangeRecord,
    ) -> Result<(), FormatError> {
        check_lines(plan, reader, &record)?;
        let ChangeRecord {
            mut change,
            kind_text,
        } = record;
        let lines = std::mem::take(&mut change.lines);

        let Some(&index) = self.index_by_ref.get(&change.picking_name) else {
            self.index_by_ref
                .insert(change.picking_name.clone(), self.changes.len());
            self.first_lines.push(reader.line());
            self.changes.push(change);
            if let Some(target) = self.changes.last_mut() {
                push_lines(target, lines);
            }
            return Ok(());
        };

        let known = &self.changes[index];
        let first_line = self.first_lines[index];
        if known.kind != change.kind {
            return Err(reader.invalid(
                plan.column_index(Field::Change).unwrap_or(0),
                &kind_text,
                format!(
                    "{} has a `{}` record on line {first_line} and one file cannot both cancel and amend a picking; check the change column",
                    known.picking_name, known.kind
                ),
            ));
        }
        if change.kind == ChangeKind::Cancel {
            return Err(reader.invalid(
                plan.column_index(Field::PickingRef).unwrap_or(0),
                &change.picking_name,
                format!("the picking is already cancelled on line {first_line} and a cancel is one record; remove the repeated record"),
            ));
        }
        push_lines(&mut self.changes[index], lines);
        Ok(())
    }

    pub fn into_changes(self) -> Vec<OrderChange> {
        self.changes
    }
}

fn push_lines(target: &mut OrderChange, lines: Vec<OrderLine>) {
    for mut line in lines {
        if line.line_no == 0 {
            line.line_no = u32::try_from(target.lines.len() + 1).unwrap_or(u32::MAX);
        }
        target.lines.push(line);
    }
}

/// Checks that a cancel record has no line values and an amendment record
/// has some.
fn check_lines(
    plan: &Plan<'_, Field>,
    reader: Reader<'_, '_, '_, '_>,
    record: &ChangeRecord,
) -> Result<(), FormatError> {
    let change_column = plan.column_index(Field::Change).unwrap_or(0);
    let problem = match (record.change.kind, record.change.lines.is_empty()) {
        (ChangeKind::Cancel, false) => {
            "a cancel carries no lines but this record has line values; leave the line columns empty or write an amendment"
        }
        (ChangeKind::Amend, true) => {
            "an amendment lists the lines the picking should ship but the line columns of this record are empty; fill them in or write a cancel"
        }
        _ => return Ok(()),
    };
    Err(reader.invalid(change_column, &record.kind_text, problem.to_owned()))
}
