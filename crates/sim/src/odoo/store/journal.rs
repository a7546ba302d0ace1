//! The undo journal of a transaction: what each change overwrote, saved
//! before the first change, so that a failed call can be undone without a
//! copy of the database.

use std::collections::{BTreeMap, HashMap};

use super::{Db, Record};

#[derive(Debug, Default)]
pub(super) struct Journal {
    /// Per model and id, the record before its first change in the
    /// transaction, or `None` when the record did not exist.
    records: HashMap<String, HashMap<i64, Option<Record>>>,
    /// Tables created during the transaction.
    pub new_tables: Vec<String>,
    /// Field names first stored during the transaction, per model.
    pub new_fields: Vec<(String, String)>,
    /// Per model, `next_id` before the first insert of the transaction.
    next_ids: HashMap<String, i64>,
    /// Per picking, the validation count before the transaction (`None`: unset).
    pub validate_counts: BTreeMap<i64, Option<u64>>,
    /// Per picking, the count of writes after done before the transaction.
    pub writes_after_done: BTreeMap<i64, Option<u64>>,
    sms_confirmation: bool,
}

impl Db {
    /// Runs `work` as one transaction: when it returns `Err`, every change it
    /// made to records, tables, counters and settings is undone.
    ///
    /// Transactions do not nest: the simulator runs one per call.
    pub fn transaction<T, E>(
        &mut self,
        work: impl FnOnce(&mut Db) -> Result<T, E>,
    ) -> Result<T, E> {
        assert!(
            self.journal.is_none(),
            "transactions of the simulator do not nest"
        );
        self.journal = Some(Journal {
            sms_confirmation: self.sms_confirmation,
            ..Journal::default()
        });
        let result = work(self);
        let journal = self
            .journal
            .take()
            .expect("the journal set above is still there");
        if result.is_err() {
            self.undo(journal);
        }
        result
    }

    /// Saves a record before its first change in the running transaction.
    pub(super) fn save_record(&mut self, model: &str, id: i64) {
        let Some(journal) = &mut self.journal else {
            return;
        };
        let saved = match journal.records.get_mut(model) {
            Some(saved) => saved,
            None => journal.records.entry(model.to_owned()).or_default(),
        };
        if let std::collections::hash_map::Entry::Vacant(entry) = saved.entry(id) {
            let old = self
                .tables
                .get(model)
                .and_then(|t| t.records.get(&id))
                .cloned();
            entry.insert(old);
        }
    }

    /// Saves a table's `next_id` before its first change in the running transaction.
    pub(super) fn save_next_id(&mut self, model: &str) {
        let Some(journal) = &mut self.journal else {
            return;
        };
        if journal.next_ids.contains_key(model) {
            return;
        }
        if let Some(table) = self.tables.get(model) {
            journal.next_ids.insert(model.to_owned(), table.next_id);
        }
    }

    /// Restores what the journal saved, in the reverse order of the kinds of
    /// change: records first, then field names and ids, then created tables.
    fn undo(&mut self, journal: Journal) {
        for (model, records) in journal.records {
            let Some(table) = self.tables.get_mut(&model) else {
                continue;
            };
            for (id, old) in records {
                match old {
                    Some(record) => {
                        table.put(id, record);
                    }
                    None => {
                        table.take(id);
                    }
                }
            }
        }
        for (model, field) in journal.new_fields {
            if let Some(table) = self.tables.get_mut(&model) {
                table.fields.remove(&field);
            }
        }
        for (model, next_id) in journal.next_ids {
            if let Some(table) = self.tables.get_mut(&model) {
                table.next_id = next_id;
            }
        }
        for model in journal.new_tables {
            self.tables.remove(&model);
        }
        for (picking, old) in journal.validate_counts {
            restore_count(&mut self.validate_counts, picking, old);
        }
        for (picking, old) in journal.writes_after_done {
            restore_count(&mut self.writes_after_done, picking, old);
        }
        self.sms_confirmation = journal.sms_confirmation;
    }
}

fn restore_count(counts: &mut BTreeMap<i64, u64>, picking: i64, old: Option<u64>) {
    match old {
        Some(count) => counts.insert(picking, count),
        None => counts.remove(&picking),
    };
}
