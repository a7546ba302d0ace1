//! The lifecycle flows at the engine's ports: progress in and out of order,
//! cancels and amendments with the warehouse's answers, purchase receipts
//! and returns with their dispositions and finance follow-up.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use common::{MemoryFolder, RecordingErp};
use wharf_engine::lifecycle::{
    FinanceFollowUp, IncomingReceipt, LifecycleRules, MoveNow, PickingNow, SiteLifecycle,
};
use wharf_engine::ports::{Erp, WarehouseFiles};
use wharf_engine::{Engine, EngineSettings, Site, SiteRules};
use wharf_model::{
    Address, Decimal, Disposition, ExceptionKind, ExpectedReceipt, OrderLine, OrderRelease,
    PickingState, ReceiptKind,
};
use wharf_store_sqlite::SqliteStore;

mod common;

fn line(move_id: i64, sku: &str, quantity: &str, tracking: &str) -> OrderLine {
    OrderLine {
        line_no: 1,
        move_id,
        product_id: move_id,
        sku: sku.to_owned(),
        description: sku.to_owned(),
        quantity: Decimal::from_str(quantity).unwrap(),
        uom: "Units".to_owned(),
        tracking: tracking.to_owned(),
        reserved_lots: vec![],
    }
}

fn order(id: i64) -> OrderRelease {
    OrderRelease {
        picking_id: id,
        picking_name: format!("WH/OUT/{id:05}"),
        order_name: format!("S{id:05}"),
        customer_ref: String::new(),
        warehouse: "WH".to_owned(),
        customer: "Kessler Foods".to_owned(),
        customer_tags: vec![],
        credit_hold: false,
        ship_to: Address {
            name: "Kessler Foods".to_owned(),
            street: "Hafenstrasse 1".to_owned(),
            zip: "20457".to_owned(),
            city: "Hamburg".to_owned(),
            country_code: "DE".to_owned(),
            ..Address::default()
        },
        carrier: String::new(),
        scheduled_date: "2026-12-04 10:00:00".to_owned(),
        write_date: format!("2026-12-04 10:00:{:02}", id % 60),
        lines: vec![
            line(id * 10, "BOLT", "10", "none"),
            line(id * 10 + 1, "NUT", "4", "none"),
        ],
    }
}

fn now(id: i64, state: &str, quantities: &[(i64, &str, &str)]) -> PickingNow {
    PickingNow {
        picking_id: id,
        picking_name: format!("WH/OUT/{id:05}"),
        state: state.to_owned(),
        moves: quantities
            .iter()
            .map(|(move_id, sku, qty)| MoveNow {
                move_id: *move_id,
                product_id: *move_id,
                sku: (*sku).to_owned(),
                quantity: Decimal::from_str(qty).unwrap(),
                state: state.to_owned(),
            })
            .collect(),
    }
}

struct Harness {
    engine: Engine,
    erp: Arc<RecordingErp>,
    folder: Arc<MemoryFolder>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new(follow_up: FinanceFollowUp) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("wharf.db"))
            .await
            .unwrap();
        let erp = Arc::new(RecordingErp::default());
        let folder = Arc::new(MemoryFolder::default());
        let rules: SiteRules =
            serde_json::from_value(serde_json::json!({"code": "main", "warehouses": ["WH"]}))
                .unwrap();
        let lifecycle = SiteLifecycle {
            rules: LifecycleRules {
                chatter_notes: true,
                finance_follow_up: follow_up,
                disposition_locations: BTreeMap::from([
                    (Disposition::Restock, "WH/Stock".to_owned()),
                    (Disposition::Quarantine, "WH/Stock/Quarantine".to_owned()),
                    (Disposition::Scrap, "Virtual Locations/Scrap".to_owned()),
                    (Disposition::ReturnToVendor, "Partners/Vendors".to_owned()),
                ]),
                ..LifecycleRules::default()
            },
            progress_layout: Arc::new(wharf_formats::default_progress_layout()),
            change_layout: Arc::new(wharf_formats::default_change_layout()),
            change_answer_layout: Arc::new(wharf_formats::default_change_answer_layout()),
            expected_receipt_layout: Arc::new(wharf_formats::default_expected_receipt_layout()),
            receipt_advice_layout: Arc::new(wharf_formats::default_receipt_advice_layout()),
        };
        let engine = Engine {
            store: Arc::new(store),
            erp: Arc::clone(&erp) as Arc<dyn Erp>,
            sites: vec![Site {
                rules,
                order_layout: Arc::new(wharf_formats::default_order_layout()),
                confirmation_layout: Arc::new(wharf_formats::default_confirmation_layout()),
                files: Arc::clone(&folder) as Arc<dyn WarehouseFiles>,
                inventory: None,
                lifecycle: Some(lifecycle),
                account: None,
            }],
            settings: EngineSettings::default(),
            owner: "test".to_owned(),
            contacts: Default::default(),
        };
        Harness {
            engine,
            erp,
            folder,
            _dir: dir,
        }
    }

    async fn settle(&self) {
        for _ in 0..20 {
            if self.engine.step().await == 0 {
                return;
            }
        }
        panic!("the engine kept working after 20 passes");
    }

    /// Releases these pickings and lets Odoo show them unchanged.
    async fn release(&self, ids: &[i64]) {
        for id in ids {
            let released = order(*id);
            self.erp.ready.lock().unwrap().push(released.clone());
            self.erp.now.lock().unwrap().push(now(
                *id,
                "assigned",
                &[(id * 10, "BOLT", "10"), (id * 10 + 1, "NUT", "4")],
            ));
        }
        self.settle().await;
        self.erp.ready.lock().unwrap().clear();
    }

    fn odoo_now(&self, picking: PickingNow) {
        let mut all = self.erp.now.lock().unwrap();
        all.retain(|p| p.picking_id != picking.picking_id);
        all.push(picking);
    }

    async fn state(&self, name: &str) -> PickingState {
        self.engine
            .store
            .picking_by_name(name)
            .await
            .unwrap()
            .unwrap()
            .state
    }

    async fn open_exceptions(&self, kind: ExceptionKind) -> Vec<String> {
        let all = self.engine.store.exceptions(false).await.unwrap();
        all.into_iter()
            .filter(|e| e.kind == kind)
            .map(|e| format!("{}: {}", e.correlation_id, e.detail))
            .collect()
    }

    fn written_with_prefix(&self, prefix: &str) -> Vec<String> {
        let written = self.folder.written.lock().unwrap();
        written
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(_, bytes)| String::from_utf8(bytes.clone()).unwrap())
            .collect()
    }
}

#[tokio::test]
async fn progress_moves_forward_only_and_posts_notes() {
    let hub = Harness::new(FinanceFollowUp::Exception).await;
    hub.release(&[1]).await;
    let shipped = "picking_ref,status_code,occurred_at,note\n\
                   WH/OUT/00001,SHIPPED,2026-12-04T12:00:00+01:00,dock 4\n";
    hub.folder.drop_file("PRG-0001.csv", shipped.as_bytes());
    hub.settle().await;
    assert_eq!(hub.state("WH/OUT/00001").await, PickingState::Departed);

    let late = "picking_ref,status_code,occurred_at,note\n\
                WH/OUT/00001,PICKED,2026-12-04T11:00:00+01:00,\n\
                WH/OUT/00001,BOGUS,2026-12-04T11:30:00+01:00,\n";
    hub.folder.drop_file("PRG-0002.csv", late.as_bytes());
    hub.settle().await;
    assert_eq!(
        hub.state("WH/OUT/00001").await,
        PickingState::Departed,
        "a picked after shipped changes nothing"
    );
    let unknown = hub.open_exceptions(ExceptionKind::UnknownStatus).await;
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(unknown[0].contains("\"BOGUS\""), "{unknown:?}");

    let notes = hub.erp.notes.lock().unwrap().clone();
    assert_eq!(notes.len(), 1, "one note per step reached: {notes:?}");
    assert!(notes[0].1.contains("SHIPPED"), "{notes:?}");
    assert!(notes[0].1.contains("dock 4"), "{notes:?}");
    let trace = hub.engine.store.trace("WH/OUT/00001").await.unwrap();
    assert!(trace
        .iter()
        .any(|row| row.action == "progress_ignored" && row.detail.contains("PICKED")));
}

#[tokio::test]
async fn cancels_accepted_and_too_late() {
    let hub = Harness::new(FinanceFollowUp::Exception).await;
    hub.release(&[2, 3]).await;
    hub.odoo_now(now(2, "cancel", &[(20, "BOLT", "10"), (21, "NUT", "4")]));
    hub.odoo_now(now(3, "cancel", &[(30, "BOLT", "10"), (31, "NUT", "4")]));
    hub.settle().await;
    assert_eq!(
        hub.state("WH/OUT/00002").await,
        PickingState::CancelRequested
    );
    let requests = hub.written_with_prefix("CHG-");
    assert_eq!(requests.len(), 2, "one cancel file per picking");
    assert!(requests
        .iter()
        .any(|file| file.contains("WH/OUT/00002") && file.contains("cancel")));

    // A second look at Odoo finds the same cancels: nothing more is sent.
    hub.settle().await;
    assert_eq!(hub.written_with_prefix("CHG-").len(), 2);

    let answers = "picking_ref,change,outcome,detail,occurred_at\n\
                   WH/OUT/00002,cancel,accepted,,2026-12-04T12:00:00+01:00\n\
                   WH/OUT/00003,cancel,too_late,already picked,2026-12-04T12:00:00+01:00\n";
    hub.folder.drop_file("ANS-0001.csv", answers.as_bytes());
    hub.settle().await;
    assert_eq!(hub.state("WH/OUT/00002").await, PickingState::Cancelled);
    assert_eq!(
        hub.state("WH/OUT/00003").await,
        PickingState::CancelRequested
    );
    let too_late = hub.open_exceptions(ExceptionKind::ChangeTooLate).await;
    assert_eq!(too_late.len(), 1, "{too_late:?}");
    assert!(too_late[0].starts_with("WH/OUT/00003"), "{too_late:?}");
    assert!(too_late[0].contains("already picked"), "{too_late:?}");

    let confirmation =
        "picking_ref,line_no,move_id,sku,quantity,lot,expiry_date,carrier,tracking,shipped_at\n\
                        WH/OUT/00003,1,30,BOLT,10,,,DHL,TRK3,2026-12-04T13:00:00+01:00\n\
                        WH/OUT/00003,2,31,NUT,4,,,DHL,TRK3,2026-12-04T13:00:00+01:00\n";
    hub.folder
        .drop_file("CONF-0003.csv", confirmation.as_bytes());
    hub.settle().await;
    assert!(
        hub.erp.applied.lock().unwrap().is_empty(),
        "nothing validated in Odoo"
    );
    let stopped = hub
        .open_exceptions(ExceptionKind::ShipmentAfterCancel)
        .await;
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert_eq!(
        hub.state("WH/OUT/00003").await,
        PickingState::CancelRequested
    );
}

#[tokio::test]
async fn amendment_before_picking_replaces_the_demand() {
    let hub = Harness::new(FinanceFollowUp::Exception).await;
    hub.release(&[4]).await;
    hub.odoo_now(now(4, "assigned", &[(40, "BOLT", "6"), (41, "NUT", "4")]));
    hub.settle().await;
    let requests = hub.written_with_prefix("CHG-");
    assert_eq!(requests.len(), 1);
    assert!(requests[0].contains("amend"), "{}", requests[0]);
    assert!(requests[0].contains("BOLT 10 -> 6"), "{}", requests[0]);

    let confirmation =
        "picking_ref,line_no,move_id,sku,quantity,lot,expiry_date,carrier,tracking,shipped_at\n\
                        WH/OUT/00004,1,40,BOLT,6,,,DHL,TRK4,2026-12-04T13:00:00+01:00\n\
                        WH/OUT/00004,2,41,NUT,4,,,DHL,TRK4,2026-12-04T13:00:00+01:00\n";
    hub.folder
        .drop_file("CONF-0004.csv", confirmation.as_bytes());
    hub.settle().await;
    let applied = hub.erp.applied.lock().unwrap().clone();
    assert_eq!(applied.len(), 1);
    assert!(!applied[0].short, "6 of the amended 6 is a full shipment");
    assert_eq!(hub.state("WH/OUT/00004").await, PickingState::Shipped);
}

fn expected(id: i64, kind: ReceiptKind, origin: &str, lines: Vec<OrderLine>) -> IncomingReceipt {
    IncomingReceipt {
        receipt: ExpectedReceipt {
            picking_id: id,
            picking_name: format!("WH/IN/{id:05}"),
            kind,
            origin: origin.to_owned(),
            partner: "Nordic Supplies".to_owned(),
            scheduled_date: "2026-12-06 08:00:00".to_owned(),
            lines,
        },
        write_date: format!("2026-12-05 08:00:{:02}", id % 60),
        warehouse: "WH".to_owned(),
    }
}

#[tokio::test]
async fn purchase_receipt_short_with_new_lot() {
    let hub = Harness::new(FinanceFollowUp::Exception).await;
    let lines = vec![
        line(500, "BOLT", "10", "none"),
        line(501, "MILK", "5", "lot"),
    ];
    hub.erp
        .receipts
        .lock()
        .unwrap()
        .push(expected(50, ReceiptKind::Purchase, "P00050", lines));
    hub.settle().await;
    let asn = hub.written_with_prefix("ASN-");
    assert_eq!(asn.len(), 1);
    assert!(asn[0].contains("WH/IN/00050"), "{}", asn[0]);
    assert!(asn[0].contains("P00050"), "{}", asn[0]);
    assert_eq!(hub.state("WH/IN/00050").await, PickingState::Expected);

    let advice = "picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition\n\
                  WH/IN/00050,2026-12-06T09:00:00+01:00,1,500,BOLT,8,,,,\n\
                  WH/IN/00050,2026-12-06T09:00:00+01:00,2,501,MILK,5,L-NEW,2027-12-31,,\n";
    hub.folder.drop_file("RCV-0001.csv", advice.as_bytes());
    hub.settle().await;
    let received = hub.erp.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert!(received[0].short);
    assert!(received[0].backorder);
    let milk = &received[0].moves[1].lots[0];
    assert_eq!(
        (milk.lot.as_deref(), milk.expiry_date.as_deref()),
        (Some("L-NEW"), Some("2027-12-31"))
    );
    let record = hub
        .engine
        .store
        .picking_by_name("WH/IN/00050")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, PickingState::Received);
    assert_eq!(record.backorder.as_deref(), Some("WH/IN/00050-BO"));

    // The same advice again books nothing twice.
    hub.folder
        .drop_file("RCV-0002.csv", advice.replace("09:00", "09:01").as_bytes());
    hub.settle().await;
    assert_eq!(hub.erp.received.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn over_receipt_and_unknown_receipt_are_exceptions() {
    let hub = Harness::new(FinanceFollowUp::Exception).await;
    hub.erp.receipts.lock().unwrap().push(expected(
        51,
        ReceiptKind::Purchase,
        "P00051",
        vec![line(510, "BOLT", "10", "none")],
    ));
    hub.settle().await;
    let advice = "picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition\n\
                  WH/IN/00051,2026-12-06T09:00:00+01:00,1,510,BOLT,12,,,,\n\
                  WH/IN/09999,2026-12-06T09:00:00+01:00,1,,BOLT,1,,,,\n";
    hub.folder.drop_file("RCV-0003.csv", advice.as_bytes());
    hub.settle().await;
    assert!(hub.erp.received.lock().unwrap().is_empty());
    let over = hub.open_exceptions(ExceptionKind::OverReceipt).await;
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(
        over[0].contains("12 Units of BOLT received, 10 expected"),
        "{over:?}"
    );
    assert_eq!(
        hub.open_exceptions(ExceptionKind::UnknownReceipt)
            .await
            .len(),
        1
    );
    assert_eq!(hub.state("WH/IN/00051").await, PickingState::Exception);

    // The warehouse corrects its advice: the receipt is booked.
    let corrected = "picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition\n\
                     WH/IN/00051,2026-12-06T09:30:00+01:00,1,510,BOLT,10,,,,\n";
    hub.folder.drop_file("RCV-0004.csv", corrected.as_bytes());
    hub.settle().await;
    assert_eq!(hub.erp.received.lock().unwrap().len(), 1);
    assert_eq!(hub.state("WH/IN/00051").await, PickingState::Received);
    let still_open = hub.open_exceptions(ExceptionKind::OverReceipt).await;
    assert!(
        still_open.is_empty(),
        "the correction ends the exception: {still_open:?}"
    );

    // Another advice for the booked receipt is not booked again.
    let another = corrected.replace(",10,", ",9,");
    hub.folder.drop_file("RCV-0005.csv", another.as_bytes());
    hub.settle().await;
    assert_eq!(hub.erp.received.lock().unwrap().len(), 1);
    let differs = hub.open_exceptions(ExceptionKind::OverReceipt).await;
    assert_eq!(differs.len(), 1, "{differs:?}");
    assert!(
        differs[0].contains("differs from the advice already booked"),
        "{differs:?}"
    );
}

#[tokio::test]
async fn rejected_return_tells_finance_once() {
    let hub = Harness::new(FinanceFollowUp::Exception).await;
    let lines = vec![line(700, "BOLT", "2", "none")];
    let incoming = expected(70, ReceiptKind::Return, "Return of WH/OUT/00007", lines);
    hub.erp.receipts.lock().unwrap().push(incoming);
    hub.settle().await;
    *hub.erp.receipt_error.lock().unwrap() = Some("location not found".to_owned());
    let advice = "picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition\n\
                  WH/IN/00070,2026-12-07T09:00:00+01:00,1,700,BOLT,2,,,ok,scrap\n";
    hub.folder.drop_file("RCV-0070.csv", advice.as_bytes());
    hub.settle().await;
    assert_eq!(hub.state("WH/IN/00070").await, PickingState::Exception);
    assert_eq!(
        hub.open_exceptions(ExceptionKind::OdooRejected).await.len(),
        1
    );

    *hub.erp.receipt_error.lock().unwrap() = None;
    let again = advice.replace("09:00", "09:30");
    hub.folder.drop_file("RCV-0071.csv", again.as_bytes());
    hub.settle().await;
    assert_eq!(hub.state("WH/IN/00070").await, PickingState::Received);
    let credit = hub.open_exceptions(ExceptionKind::CreditNoteDue).await;
    assert_eq!(credit.len(), 1, "finance is told once: {credit:?}");
}

#[tokio::test]
async fn unsolicited_cancel_answer_is_an_exception() {
    let hub = Harness::new(FinanceFollowUp::Exception).await;
    hub.release(&[8]).await;
    let answers = "picking_ref,change,outcome,detail,occurred_at\n\
                   WH/OUT/00008,cancel,accepted,,2026-12-04T12:00:00+01:00\n";
    hub.folder.drop_file("ANS-0008.csv", answers.as_bytes());
    hub.settle().await;
    assert_eq!(hub.state("WH/OUT/00008").await, PickingState::Released);
    let unknown = hub.open_exceptions(ExceptionKind::UnknownPicking).await;
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(unknown[0].contains("never sent"), "{unknown:?}");
}

#[tokio::test]
async fn returns_land_by_disposition() {
    for (follow_up, disposition, location) in [
        (FinanceFollowUp::Exception, "restock", "WH/Stock"),
        (
            FinanceFollowUp::Activity,
            "quarantine",
            "WH/Stock/Quarantine",
        ),
        (
            FinanceFollowUp::Exception,
            "scrap",
            "Virtual Locations/Scrap",
        ),
        (
            FinanceFollowUp::Activity,
            "return_to_vendor",
            "Partners/Vendors",
        ),
    ] {
        let hub = Harness::new(follow_up).await;
        hub.release(&[6]).await;
        let confirmation = "picking_ref,line_no,move_id,sku,quantity,lot,expiry_date,carrier,tracking,shipped_at\n\
                            WH/OUT/00006,,,,,,,DHL,TRK6,2026-12-04T13:00:00+01:00\n";
        hub.folder
            .drop_file("CONF-0006.csv", confirmation.as_bytes());
        hub.settle().await;
        assert_eq!(hub.state("WH/OUT/00006").await, PickingState::Shipped);

        let lines = vec![line(600, "BOLT", "2", "none")];
        hub.erp.receipts.lock().unwrap().push(expected(
            60,
            ReceiptKind::Return,
            "Return of WH/OUT/00006",
            lines,
        ));
        hub.settle().await;
        let advice = format!(
            "picking_ref,received_at,line_no,move_id,sku,quantity,lot,expiry_date,inspection,disposition\n\
             WH/IN/00060,2026-12-07T09:00:00+01:00,1,600,BOLT,2,,,box damaged,{disposition}\n"
        );
        hub.folder.drop_file("RCV-0060.csv", advice.as_bytes());
        hub.settle().await;

        let received = hub.erp.received.lock().unwrap().clone();
        assert_eq!(received.len(), 1, "{disposition}");
        assert_eq!(
            received[0].destination.as_deref(),
            Some(location),
            "{disposition}"
        );
        assert!(
            !received[0].backorder,
            "a return closes what did not come back"
        );
        let credit = hub.open_exceptions(ExceptionKind::CreditNoteDue).await;
        let activities = hub.erp.follow_ups.lock().unwrap().clone();
        match follow_up {
            FinanceFollowUp::Exception => {
                assert_eq!(credit.len(), 1, "{disposition}: {credit:?}");
                assert!(credit[0].contains(disposition), "{credit:?}");
                assert!(activities.is_empty());
            }
            FinanceFollowUp::Activity => {
                assert!(credit.is_empty(), "{credit:?}");
                assert_eq!(activities.len(), 1, "{disposition}");
                assert_eq!(activities[0].order_name, "S00006");
            }
        }
        let trace = hub.engine.store.trace("WH/OUT/00006").await.unwrap();
        assert!(
            trace.iter().any(|row| row.action == "return_expected"),
            "the order's trace shows its return"
        );
        let of_order = hub.engine.store.pickings_of_order("S00006").await.unwrap();
        let names: Vec<&str> = of_order.iter().map(|p| p.picking_name.as_str()).collect();
        assert_eq!(
            names,
            vec!["WH/OUT/00006", "WH/IN/00060"],
            "the return belongs to the order"
        );
    }
}
