//! Change requests (cancels and amendments), their answers and the
//! progress files of shipped orders.

mod wms_support;

use std::path::Path;

use rust_decimal::Decimal;
use wharf_formats::{decode_progress, default_change_layout, default_progress_layout};
use wharf_model::{ChangeKind, ChangeOutcome, ProgressEvent};
use wharf_sim::wms::{
    read_change_log, read_ledger, FaultOptions, LifecycleOptions, WmsSim, PROGRESS_STEPS,
};
use wms_support::changes::{amend, cancel, drop_change_file, read_answers};
use wms_support::{
    drop_order_file, line, order, outbound_files, read_confirmation, sim, temp_root,
};

fn read_progress(root: &Path, name: &str) -> Vec<ProgressEvent> {
    let bytes = std::fs::read(root.join("outbound").join(name)).unwrap();
    decode_progress(&default_progress_layout(), &bytes).unwrap()
}

fn dir_files(root: &Path, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn sim_with(root: &Path, lifecycle: LifecycleOptions) -> WmsSim {
    let mut sim = sim(root, FaultOptions::default());
    sim.set_lifecycle_options(lifecycle).unwrap();
    sim
}

fn status_codes(events: &[ProgressEvent]) -> Vec<&str> {
    events
        .iter()
        .map(|event| event.status_code.as_str())
        .collect()
}

fn instant(event: &ProgressEvent) -> jiff::Timestamp {
    event.occurred_at.as_deref().unwrap().parse().unwrap()
}

#[tokio::test]
async fn cancel_before_shipping_accepted() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    drop_order_file(root.path(), "a.csv", &[order(1), order(2)]);
    drop_change_file(root.path(), "CHG-1.csv", &[cancel(1)]);

    let entries = sim.run_once().await.unwrap();

    assert_eq!(entries.len(), 1, "only the order not cancelled ships");
    assert_eq!(entries[0].picking_ref, "WH/OUT/00002");
    assert_eq!(
        outbound_files(root.path()),
        ["ANS-000001.csv", "SHP-000001-WH_OUT_00002.csv"]
    );
    let answers = read_answers(root.path(), "ANS-000001.csv");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].picking_ref, "WH/OUT/00001");
    assert_eq!(answers[0].kind, ChangeKind::Cancel);
    assert_eq!(answers[0].outcome, ChangeOutcome::Accepted);
    assert!(answers[0].occurred_at.is_some());
    assert_eq!(dir_files(root.path(), "processed"), ["CHG-1.csv", "a.csv"]);
    assert!(dir_files(root.path(), "inbound").is_empty());

    let log = read_change_log(root.path()).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, ChangeOutcome::Accepted);
    assert_eq!(log[0].request_file, "CHG-1.csv");
    assert_eq!(log[0].answer_file, "ANS-000001.csv");
    assert!(!log[0].fault);
}

#[tokio::test]
async fn cancel_of_unknown_order_holds() {
    let root = temp_root();
    let mut first = sim(root.path(), FaultOptions::default());
    drop_change_file(root.path(), "CHG-1.csv", &[cancel(5)]);
    first.run_once().await.unwrap();
    drop(first);

    // The order arrives after its cancel, and after a restart.
    drop_order_file(root.path(), "late.csv", &[order(5)]);
    let mut sim = sim(root.path(), FaultOptions::default());
    let entries = sim.run_once().await.unwrap();

    assert!(entries.is_empty(), "a cancelled order never ships");
    assert_eq!(outbound_files(root.path()), ["ANS-000001.csv"]);
    assert_eq!(
        dir_files(root.path(), "processed"),
        ["CHG-1.csv", "late.csv"]
    );
    assert_eq!(
        read_answers(root.path(), "ANS-000001.csv")[0].outcome,
        ChangeOutcome::Accepted
    );
    assert!(read_ledger(root.path()).unwrap().is_empty());
}

#[tokio::test]
async fn cancel_after_shipping_too_late() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    sim.run_once().await.unwrap();

    drop_change_file(root.path(), "CHG-1.csv", &[cancel(1)]);
    let entries = sim.run_once().await.unwrap();

    assert!(entries.is_empty());
    let answers = read_answers(root.path(), "ANS-000001.csv");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].outcome, ChangeOutcome::TooLate);
    assert_eq!(answers[0].detail.as_deref(), Some("already shipped"));
    assert_eq!(read_ledger(root.path()).unwrap().len(), 1);
    let log = read_change_log(root.path()).unwrap();
    assert_eq!(log[0].outcome, ChangeOutcome::TooLate);
    assert!(!log[0].fault);
}

#[tokio::test]
async fn too_late_fault_ships_order() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            too_late_every: Some(2),
            ..LifecycleOptions::default()
        },
    );
    drop_order_file(root.path(), "a.csv", &[order(1), order(2), order(3)]);
    drop_change_file(root.path(), "CHG-1.csv", &[cancel(1), cancel(2), cancel(3)]);

    let entries = sim.run_once().await.unwrap();

    let answers = read_answers(root.path(), "ANS-000001.csv");
    let outcomes: Vec<ChangeOutcome> = answers.iter().map(|answer| answer.outcome).collect();
    assert_eq!(
        outcomes,
        [
            ChangeOutcome::Accepted,
            ChangeOutcome::TooLate,
            ChangeOutcome::Accepted
        ]
    );
    assert_eq!(answers[1].picking_ref, "WH/OUT/00002");
    assert_eq!(answers[1].detail.as_deref(), Some("already picked"));

    let shipped: Vec<&str> = entries
        .iter()
        .map(|entry| entry.picking_ref.as_str())
        .collect();
    assert_eq!(shipped, ["WH/OUT/00002"], "the too-late cancel ships");
    let faults: Vec<bool> = read_change_log(root.path())
        .unwrap()
        .iter()
        .map(|entry| entry.fault)
        .collect();
    assert_eq!(faults, [false, true, false]);
}

#[tokio::test]
async fn amendment_ships_amended_lines() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    // Line 1 drops to 6 units, line 2 keeps its 4, line 3 goes away.
    let mut plain = line(1, "PLAIN", 6, "none", &[]);
    let mut lotted = line(2, "LOTTED", 4, "none", &[]);
    for amended in [&mut plain, &mut lotted] {
        amended.product_id = 0;
        amended.tracking = String::new();
    }
    drop_change_file(root.path(), "CHG-1.csv", &[amend(1, vec![plain, lotted])]);

    let entries = sim.run_once().await.unwrap();

    let answers = read_answers(root.path(), "ANS-000001.csv");
    assert_eq!(answers[0].kind, ChangeKind::Amend);
    assert_eq!(answers[0].outcome, ChangeOutcome::Accepted);
    assert_eq!(entries.len(), 1);
    let confirmation = read_confirmation(root.path(), "SHP-000001-WH_OUT_00001.csv");
    let lines: Vec<(&str, Decimal, Option<&str>)> = confirmation
        .lines
        .iter()
        .map(|line| (line.sku.as_str(), line.quantity, line.lot.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [
            ("PLAIN", Decimal::from(6), None),
            ("LOTTED", Decimal::from(4), Some("L-100")),
        ],
        "the reserved lot comes from the released line"
    );
    let demanded: Vec<Decimal> = entries[0].lines.iter().map(|line| line.demanded).collect();
    assert_eq!(demanded, [Decimal::from(6), Decimal::from(4)]);
}

#[tokio::test]
async fn amendment_after_shipping_too_late() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    drop_order_file(root.path(), "a.csv", &[order(1)]);
    sim.run_once().await.unwrap();

    let amended = vec![line(1, "PLAIN", 3, "none", &[])];
    drop_change_file(root.path(), "CHG-1.csv", &[amend(1, amended)]);
    sim.run_once().await.unwrap();

    let answers = read_answers(root.path(), "ANS-000001.csv");
    assert_eq!(answers[0].outcome, ChangeOutcome::TooLate);
    assert_eq!(answers[0].detail.as_deref(), Some("already shipped"));
}

#[tokio::test]
async fn progress_steps_in_time_order() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            progress: true,
            ..LifecycleOptions::default()
        },
    );
    drop_order_file(root.path(), "a.csv", &[order(1), order(2)]);

    sim.run_once().await.unwrap();

    assert_eq!(
        outbound_files(root.path()),
        [
            "PRG-000001.csv",
            "PRG-000002.csv",
            "SHP-000001-WH_OUT_00001.csv",
            "SHP-000002-WH_OUT_00002.csv"
        ]
    );
    for (number, name) in [(1, "PRG-000001.csv"), (2, "PRG-000002.csv")] {
        let events = read_progress(root.path(), name);
        assert_eq!(status_codes(&events), PROGRESS_STEPS);
        for event in &events {
            assert_eq!(event.picking_ref, format!("WH/OUT/{number:05}"));
        }
        for pair in events.windows(2) {
            assert!(instant(&pair[0]) < instant(&pair[1]), "{pair:?}");
        }
        let shipment = read_confirmation(
            root.path(),
            &format!("SHP-{number:06}-WH_OUT_{number:05}.csv"),
        );
        let shipped_at: jiff::Timestamp = shipment.shipped_at.unwrap().parse().unwrap();
        assert_eq!(instant(&events[4]), shipped_at);
    }
}

#[tokio::test]
async fn progress_out_of_order_fault() {
    let root = temp_root();
    let mut sim = sim_with(
        root.path(),
        LifecycleOptions {
            progress: true,
            progress_out_of_order_every: Some(2),
            ..LifecycleOptions::default()
        },
    );
    drop_order_file(root.path(), "a.csv", &[order(1), order(2)]);

    sim.run_once().await.unwrap();

    let first = read_progress(root.path(), "PRG-000001.csv");
    assert_eq!(status_codes(&first), PROGRESS_STEPS);
    assert!(!root.path().join("outbound/PRG-000001_late.csv").exists());

    let main = read_progress(root.path(), "PRG-000002.csv");
    let late = read_progress(root.path(), "PRG-000002_late.csv");
    assert_eq!(
        status_codes(&main),
        ["RELEASED", "STAGED", "LOADED", "SHIPPED"]
    );
    assert_eq!(status_codes(&late), ["PICKED"]);
    assert!(instant(&late[0]) > instant(&main[0]));
    assert!(
        instant(&late[0]) < instant(&main[1]),
        "PICKED keeps its own time"
    );
    // Sorted by name, the late file comes after the first one.
    assert_eq!(
        outbound_files(root.path()),
        [
            "PRG-000001.csv",
            "PRG-000002.csv",
            "PRG-000002_late.csv",
            "SHP-000001-WH_OUT_00001.csv",
            "SHP-000002-WH_OUT_00002.csv"
        ]
    );
}

#[tokio::test]
async fn default_sim_writes_no_progress() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    drop_order_file(root.path(), "a.csv", &[order(1)]);

    sim.run_once().await.unwrap();

    assert_eq!(outbound_files(root.path()), ["SHP-000001-WH_OUT_00001.csv"]);
    assert!(!root.path().join("changes.jsonl").exists());
}

#[tokio::test]
async fn invalid_change_layout_rejected() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    let mut layout = default_change_layout();
    layout
        .columns
        .retain(|column| column.field.as_deref() != Some("change"));

    let error = sim
        .set_lifecycle_options(LifecycleOptions {
            change_layout: layout,
            ..LifecycleOptions::default()
        })
        .unwrap_err();

    assert!(error.to_string().contains("change layout"), "{error}");
}

#[tokio::test]
async fn answer_retry_after_crash_same_bytes() {
    let root = temp_root();
    let mut sim = sim(root.path(), FaultOptions::default());
    drop_change_file(root.path(), "CHG-1.csv", &[cancel(1), cancel(2)]);
    sim.run_once().await.unwrap();
    let answer = std::fs::read(root.path().join("outbound/ANS-000001.csv")).unwrap();

    // A crash after the answer file was written and before the answer
    // sequence number was stored leaves the request in `inbound/`.
    std::fs::rename(
        root.path().join("processed/CHG-1.csv"),
        root.path().join("inbound/CHG-1.csv"),
    )
    .unwrap();
    std::fs::write(
        root.path().join(".wms-changes-state.json"),
        r#"{"last_answer_seq":0}"#,
    )
    .unwrap();
    let mut sim = wms_support::sim(root.path(), FaultOptions::default());
    sim.run_once().await.unwrap();

    assert_eq!(outbound_files(root.path()), ["ANS-000001.csv"]);
    let again = std::fs::read(root.path().join("outbound/ANS-000001.csv")).unwrap();
    assert_eq!(again, answer);
    assert_eq!(
        read_change_log(root.path()).unwrap().len(),
        2,
        "nothing logged twice"
    );
    assert_eq!(dir_files(root.path(), "processed"), ["CHG-1.csv"]);
}
