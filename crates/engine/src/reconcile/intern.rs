//! String interning: each distinct location, SKU or lot name is stored once
//! and referred to by a `u32` id.

use std::collections::HashMap;

/// Maps names to dense ids `0, 1, 2, …` in the order they were first seen.
#[derive(Debug, Default)]
pub(super) struct Interner {
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    /// Returns the id of `name`, giving it the next id if it is new.
    ///
    /// # Panics
    ///
    /// Panics when `u32::MAX` distinct names are interned (that value is
    /// kept free as a marker), which is far beyond any warehouse: a million
    /// keys have at most three million names.
    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }

        let id = u32::try_from(self.ids.len())
            .ok()
            .filter(|id| *id != u32::MAX)
            .expect("fewer than 2^32 - 1 distinct names");
        self.ids.insert(name.into(), id);
        id
    }

    /// Consumes the interner and returns the names indexed by id.
    pub(super) fn into_names(self) -> Vec<Box<str>> {
        let mut pairs: Vec<(u32, Box<str>)> =
            self.ids.into_iter().map(|(name, id)| (id, name)).collect();
        pairs.sort_unstable_by_key(|(id, _)| *id);
        pairs.into_iter().map(|(_, name)| name).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intern_repeated_name_same_id() {
        let mut interner = Interner::default();

        assert_eq!(interner.intern("WH/Stock"), 0);
        assert_eq!(interner.intern("WH/Output"), 1);
        assert_eq!(interner.intern("WH/Stock"), 0);
    }

    #[test]
    fn into_names_indexed_by_id() {
        let mut interner = Interner::default();
        for name in ["c", "a", "b", "a"] {
            interner.intern(name);
        }

        let names = interner.into_names();

        assert_eq!(names, vec!["c".into(), "a".into(), "b".into()]);
    }
}
