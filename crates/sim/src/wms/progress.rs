//! Progress files: the steps a shipped order went through in the warehouse,
//! written to `outbound/` as `PRG-<seq>.csv` next to its confirmation when
//! [`LifecycleOptions::progress`](super::LifecycleOptions::progress) is set.
//!
//! The steps are stamped backwards from the order's ship time, 10 minutes
//! apart, so they are in increasing time order and an order shipped again
//! after a crash writes the same bytes.

use wharf_formats::encode_progress;
use wharf_model::ProgressEvent;
use wharf_transports::FolderSink;

use super::faults::every_nth;
use super::lifecycle::LifecycleOptions;
use super::WmsError;

/// Status codes the warehouse reports, in the order it reaches them.
pub const PROGRESS_STEPS: [&str; 5] = ["RELEASED", "PICKED", "STAGED", "LOADED", "SHIPPED"];

/// Status code moved to a second file by the `progress_out_of_order_every` fault.
const LATE_STEP: &str = "PICKED";

/// Minutes between two steps.
const STEP_MINUTES: i64 = 10;

/// Writes the progress files of order `seq` and returns their names: one
/// file, or two when the out-of-order fault applies, the second holding
/// the `PICKED` record and written after the first.
pub(crate) async fn write_progress(
    sink: &FolderSink,
    options: &LifecycleOptions,
    seq: u64,
    picking_ref: &str,
    shipped_at: &str,
) -> Result<Vec<String>, WmsError> {
    let events = progress_events(seq, picking_ref, shipped_at)?;
    let name = format!("PRG-{seq:06}.csv");
    if !every_nth(options.progress_out_of_order_every, seq) {
        write_file(sink, options, &name, &events).await?;
        return Ok(vec![name]);
    }

    // The late name sorts after the first one, so a reader that takes
    // files by name also reads PICKED after SHIPPED.
    let (late, first): (Vec<ProgressEvent>, Vec<ProgressEvent>) = events
        .into_iter()
        .partition(|event| event.status_code == LATE_STEP);
    let late_name = format!("PRG-{seq:06}_late.csv");
    write_file(sink, options, &name, &first).await?;
    write_file(sink, options, &late_name, &late).await?;
    Ok(vec![name, late_name])
}

async fn write_file(
    sink: &FolderSink,
    options: &LifecycleOptions,
    name: &str,
    events: &[ProgressEvent],
) -> Result<(), WmsError> {
    let bytes = encode_progress(&options.progress_layout, events).map_err(|error| {
        WmsError::LifecycleEncode {
            file: name.to_owned(),
            source: Box::new(error),
        }
    })?;
    sink.write_atomic(name, bytes).await?;
    Ok(())
}

/// Builds one event per step, the last one at `shipped_at`.
fn progress_events(
    seq: u64,
    picking_ref: &str,
    shipped_at: &str,
) -> Result<Vec<ProgressEvent>, WmsError> {
    let shipped: jiff::Timestamp = shipped_at.parse().map_err(|_| WmsError::ShipTime {
        seq,
        value: shipped_at.to_owned(),
    })?;

    let mut events = Vec::with_capacity(PROGRESS_STEPS.len());
    for (index, step) in PROGRESS_STEPS.iter().enumerate() {
        let steps_before_ship = i64::try_from(PROGRESS_STEPS.len() - 1 - index).unwrap_or(0);
        let occurred_at =
            shipped - jiff::SignedDuration::from_mins(steps_before_ship * STEP_MINUTES);
        events.push(ProgressEvent {
            source_line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            picking_ref: picking_ref.to_owned(),
            status_code: (*step).to_owned(),
            occurred_at: Some(occurred_at.to_string()),
            note: None,
        });
    }
    Ok(events)
}
