//! The polling loop and the command entry point.

mod wms_support;

use std::time::{Duration, Instant};

use wharf_sim::wms::{read_ledger, run_cli, FaultOptions, WmsSimArgs};
use wms_support::{drop_order_file, order, outbound_files, sim, temp_root};

#[tokio::test]
async fn run_polls_until_shutdown() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = tokio::spawn(async move {
        sim.run(Duration::from_millis(20), async {
            let _ = stopped.await;
        })
        .await;
    });

    // An order dropped while the loop runs is shipped within a few polls;
    // wait at most 5 s for it.
    drop_order_file(root.path(), "late.csv", &[order(1)]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while read_ledger(root.path()).unwrap().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), runner)
        .await
        .expect("loop stops after shutdown")
        .unwrap();

    assert_eq!(read_ledger(root.path()).unwrap().len(), 1);
    assert_eq!(outbound_files(root.path()), ["SHP-000001-WH_OUT_00001.csv"]);
}

#[tokio::test]
async fn cli_once_with_layout_files() {
    let root = temp_root();
    let layouts = temp_root();
    let order_layout = layouts.path().join("orders.toml");
    std::fs::write(&order_layout, wharf_formats::DEFAULT_ORDER_LAYOUT_TOML).unwrap();
    drop_order_file(root.path(), "a.csv", &[order(1), order(2)]);

    run_cli(WmsSimArgs {
        root: root.path().to_owned(),
        poll_interval_ms: 1000,
        faults: FaultOptions {
            two_tracking_every: Some(2),
            ..FaultOptions::default()
        },
        seed: 3,
        order_layout: Some(order_layout),
        confirmation_layout: None,
        once: true,
    })
    .await
    .unwrap();

    let ledger = read_ledger(root.path()).unwrap();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[1].tracking_numbers.len(), 2);
    assert!(root.path().join("processed/a.csv").exists());
}

#[tokio::test]
async fn cli_reports_bad_layout_file() {
    let root = temp_root();
    let layout = root.path().join("bad.toml");
    std::fs::write(&layout, "delimiter = \";\"\ncolumnz = []\n").unwrap();

    let error = run_cli(WmsSimArgs {
        root: root.path().join("wms"),
        poll_interval_ms: 1000,
        faults: FaultOptions::default(),
        seed: 1,
        order_layout: Some(layout),
        confirmation_layout: None,
        once: true,
    })
    .await
    .unwrap_err();

    assert!(error.to_string().contains("bad.toml"), "{error}");
}
