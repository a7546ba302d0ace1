//! The pick delay: an order file waits in `inbound/` for
//! [`LifecycleOptions::pick_delay_ms`](super::LifecycleOptions::pick_delay_ms)
//! before it is shipped, as in a warehouse where picking takes time and a
//! cancel can still stop an order.
//!
//! The time each order file was first seen is kept in memory only, so after
//! a restart every file waits the whole delay again.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::time::Instant;
use wharf_transports::IncomingFile;

/// The time each order file in `inbound/` was first seen, by file name.
#[derive(Debug, Default)]
pub(crate) struct FirstSeen {
    seen: HashMap<String, Instant>,
}

impl FirstSeen {
    /// Records `now` as the first sighting of each file not seen before, and
    /// returns the files first seen at least `delay` before `now`, in the
    /// order given.
    ///
    /// Names missing from `files` are forgotten, so a file that comes back
    /// under the same name waits the whole delay again.
    pub(crate) fn take_due(
        &mut self,
        files: Vec<IncomingFile>,
        delay: Duration,
        now: Instant,
    ) -> Vec<IncomingFile> {
        let present: HashSet<&str> = files.iter().map(|file| file.name.as_str()).collect();
        self.seen.retain(|name, _| present.contains(name.as_str()));

        let mut due = Vec::new();
        for file in files {
            let first = *self.seen.entry(file.name.clone()).or_insert_with(|| {
                if !delay.is_zero() {
                    let delay_ms = delay.as_millis();
                    tracing::info!(file = %file.name, delay_ms, "WMS delays an order file by the pick delay");
                }
                now
            });
            if now.duration_since(first) >= delay {
                due.push(file);
            }
        }
        due
    }

    /// Forgets a file that left `inbound/`.
    pub(crate) fn forget(&mut self, name: &str) {
        self.seen.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> IncomingFile {
        IncomingFile {
            name: name.to_owned(),
            path: name.into(),
            bytes: Vec::new(),
            sha256: String::new(),
        }
    }

    fn names(files: &[IncomingFile]) -> Vec<&str> {
        files.iter().map(|file| file.name.as_str()).collect()
    }

    #[test]
    fn zero_delay_takes_all_at_once() {
        let mut first_seen = FirstSeen::default();

        let due = first_seen.take_due(vec![file("a"), file("b")], Duration::ZERO, Instant::now());

        assert_eq!(names(&due), ["a", "b"]);
    }

    #[test]
    fn file_due_after_delay() {
        let mut first_seen = FirstSeen::default();
        let delay = Duration::from_millis(500);
        let start = Instant::now();

        let first = first_seen.take_due(vec![file("a")], delay, start);
        let later = start + Duration::from_millis(300);
        let second = first_seen.take_due(vec![file("a"), file("b")], delay, later);
        let third = first_seen.take_due(vec![file("a"), file("b")], delay, start + delay);
        let fourth = first_seen.take_due(vec![file("a"), file("b")], delay, later + delay);

        assert!(first.is_empty(), "just seen");
        assert!(second.is_empty(), "within the delay");
        assert_eq!(names(&third), ["a"], "b was seen later");
        assert_eq!(names(&fourth), ["a", "b"]);
    }

    #[test]
    fn forgotten_file_waits_again() {
        let mut first_seen = FirstSeen::default();
        let delay = Duration::from_millis(500);
        let start = Instant::now();

        first_seen.take_due(vec![file("a"), file("b")], delay, start);
        first_seen.forget("a");
        let due = first_seen.take_due(vec![file("a"), file("b")], delay, start + delay);

        assert_eq!(names(&due), ["b"], "a was seen again just now");
    }

    #[test]
    fn missing_file_waits_again() {
        let mut first_seen = FirstSeen::default();
        let delay = Duration::from_millis(500);
        let start = Instant::now();

        first_seen.take_due(vec![file("a")], delay, start);
        first_seen.take_due(Vec::new(), delay, start);
        let due = first_seen.take_due(vec![file("a")], delay, start + delay);

        assert!(due.is_empty(), "a came back and was seen again just now");
    }
}
