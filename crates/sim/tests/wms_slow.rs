//! A slowly written confirmation is visible under its final name before it
//! is complete. A reader that waits for a stable size gets the whole file.

mod wms_support;

use std::time::{Duration, Instant};

use wharf_sim::wms::{Fault, FaultOptions};
use wharf_transports::{Completion, FolderConfig, FolderSource};
use wms_support::{drop_order_file, order, sim, temp_root};

const PAUSE_MS: u64 = 150;

#[tokio::test]
async fn slow_file_incomplete_until_last_piece() {
    let root = temp_root();
    drop_order_file(root.path(), "o.csv", &[order(1)]);
    let faults = FaultOptions {
        slow_every: Some(1),
        slow_piece_pause_ms: PAUSE_MS,
        ..FaultOptions::default()
    };
    let mut sim = sim(root.path(), faults);
    let outbound = root.path().join("outbound");
    let reader = FolderSource::new(FolderConfig {
        read_dir: outbound.clone(),
        write_dir: root.path().join("wharf-out"),
        archive_dir: root.path().join("wharf-archive"),
        error_dir: root.path().join("wharf-error"),
        file_suffix: ".csv".to_owned(),
        // Ten pauses of margin, so a loaded machine that delays a piece does
        // not make the reader return a partial file.
        completion: Completion::StableForMs(10 * PAUSE_MS),
    });

    let writer = tokio::spawn(async move { sim.run_once().await });

    // Watch the file grow while the simulator writes it: a bounded loop of
    // at most 5 s, polling every 20 ms.
    let path = outbound.join("SHP-000001-WH_OUT_00001.csv");
    let mut sizes_seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !writer.is_finished() && Instant::now() < deadline {
        if let Ok(metadata) = std::fs::metadata(&path) {
            if sizes_seen.last() != Some(&metadata.len()) {
                sizes_seen.push(metadata.len());
            }
        }
        assert!(
            reader.scan().await.unwrap().is_empty(),
            "returned before the last piece"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let entries = writer.await.unwrap().unwrap();
    let full = std::fs::read(&path).unwrap();

    assert_eq!(entries[0].faults, [Fault::Slow]);
    assert!(sizes_seen.len() >= 2, "partial sizes seen: {sizes_seen:?}");
    assert!(
        sizes_seen[0] < full.len() as u64,
        "first size seen was partial: {sizes_seen:?}"
    );

    // Once stable for long enough, the reader returns the whole file.
    let mut returned = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while returned.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(PAUSE_MS)).await;
        returned = reader.scan().await.unwrap();
    }
    assert_eq!(returned.len(), 1);
    assert_eq!(returned[0].bytes, full);
}
