//! The simulator's loop: a round of order files at every poll, and
//! movement and snapshot files when their intervals have passed.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::drift::DriftOptions;
use super::WmsSim;

/// Movements in one file unless the schedule sets another number.
const DEFAULT_MOVEMENTS_PER_FILE: usize = 5;

/// When a running warehouse writes inventory files by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventorySchedule {
    /// Time between two movement files; `None` writes none.
    pub movements_every: Option<Duration>,
    /// Movements in each movement file.
    pub movements_per_file: usize,
    /// Time between two snapshots; `None` writes none.
    pub snapshot_every: Option<Duration>,
    /// Drift injected before the first snapshot of the run; later snapshots
    /// get none.
    pub first_snapshot_drift: DriftOptions,
}

impl Default for InventorySchedule {
    fn default() -> Self {
        InventorySchedule {
            movements_every: None,
            movements_per_file: DEFAULT_MOVEMENTS_PER_FILE,
            snapshot_every: None,
            first_snapshot_drift: DriftOptions::default(),
        }
    }
}

/// Deadlines of the next inventory files, checked after every round.
#[derive(Debug)]
struct Deadlines {
    movements: Option<Instant>,
    snapshot: Option<Instant>,
    /// True until a snapshot with the first snapshot's drift was written.
    drift_pending: bool,
}

impl Deadlines {
    fn start(schedule: &InventorySchedule, now: Instant) -> Self {
        Deadlines {
            movements: schedule.movements_every.map(|every| now + every),
            snapshot: schedule.snapshot_every.map(|every| now + every),
            drift_pending: true,
        }
    }
}

/// True when `deadline` has passed; it then moves one `every` past `now`.
fn take_due(deadline: &mut Option<Instant>, every: Option<Duration>, now: Instant) -> bool {
    match (*deadline, every) {
        (Some(due), Some(every)) if due <= now => {
            *deadline = Some(now + every);
            true
        }
        _ => false,
    }
}

impl WmsSim {
    /// Runs [`run_once`](Self::run_once) every `poll_interval` and writes
    /// movement files and snapshots at the intervals of `schedule`, until `shutdown`
    /// completes. A failed round or file is logged and tried again later;
    /// shutdown waits for a round in progress to finish.
    pub async fn run_with_inventory(
        &mut self,
        poll_interval: Duration,
        schedule: &InventorySchedule,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let mut deadlines = Deadlines::start(schedule, Instant::now());
        loop {
            if let Err(error) = self.run_once().await {
                tracing::warn!(%error, root = %self.options.root.display(), "WMS round failed; retrying at the next poll");
            }
            self.write_due_inventory(schedule, &mut deadlines).await;
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(poll_interval) => {}
            }
        }
        tracing::info!(root = %self.options.root.display(), "WMS simulator stopped");
    }

    async fn write_due_inventory(
        &mut self,
        schedule: &InventorySchedule,
        deadlines: &mut Deadlines,
    ) {
        let now = Instant::now();

        if take_due(&mut deadlines.movements, schedule.movements_every, now) {
            let seed = self
                .options
                .seed
                .wrapping_add(self.stock.last_movement_file + 1);
            if let Err(error) = self
                .write_movements(schedule.movements_per_file, seed)
                .await
            {
                tracing::warn!(%error, "WMS failed to write a movement file; retrying at the next interval");
            }
        }

        if take_due(&mut deadlines.snapshot, schedule.snapshot_every, now) {
            let drift = if deadlines.drift_pending {
                schedule.first_snapshot_drift.clone()
            } else {
                DriftOptions::default()
            };
            let seed = self
                .options
                .seed
                .wrapping_add(self.stock.last_snapshot_file + 1);
            match self.write_snapshot(&drift, seed).await {
                Ok(_) => deadlines.drift_pending = false,
                Err(error) => {
                    tracing::warn!(%error, "WMS failed to write a snapshot; retrying at the next interval");
                }
            }
        }
    }
}
