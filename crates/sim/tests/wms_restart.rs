//! The order sequence survives a restart, so faults stay on the same orders.

mod wms_support;

use wharf_sim::wms::{read_ledger, Fault, FaultOptions, STATE_FILE};
use wms_support::{drop_order_file, order, outbound_files, sim, temp_root};

#[tokio::test]
async fn restart_keeps_sequence() {
    let root = temp_root();
    let faults = FaultOptions {
        duplicate_every: Some(2),
        ..FaultOptions::default()
    };

    drop_order_file(root.path(), "a.csv", &[order(1)]);
    let first = sim(root.path(), faults.clone()).run_once().await.unwrap();
    drop_order_file(root.path(), "b.csv", &[order(2)]);
    let mut restarted = sim(root.path(), faults);
    assert_eq!(restarted.last_seq(), 1);
    let second = restarted.run_once().await.unwrap();

    assert_eq!(first[0].seq, 1);
    assert!(first[0].faults.is_empty());
    assert_eq!(second[0].seq, 2);
    assert_eq!(second[0].faults, [Fault::Duplicate]);
    assert_eq!(
        outbound_files(root.path()),
        [
            "SHP-000001-WH_OUT_00001.csv",
            "SHP-000002-WH_OUT_00002-dup.csv",
            "SHP-000002-WH_OUT_00002.csv",
        ]
    );
    let state = std::fs::read_to_string(root.path().join(STATE_FILE)).unwrap();
    assert_eq!(state, r#"{"last_seq":2}"#);
    assert_eq!(read_ledger(root.path()).unwrap().len(), 2);
}

#[tokio::test]
async fn corrupt_state_is_reported() {
    let root = temp_root();
    std::fs::write(root.path().join(STATE_FILE), b"{").unwrap();

    let error = wharf_sim::wms::WmsSim::new(wharf_sim::wms::WmsOptions {
        root: root.path().to_owned(),
        order_layout: wharf_formats::default_order_layout(),
        confirmation_layout: wharf_formats::default_confirmation_layout(),
        faults: FaultOptions::default(),
        seed: 1,
    })
    .unwrap_err();

    assert!(error.to_string().contains(STATE_FILE), "{error}");
}
