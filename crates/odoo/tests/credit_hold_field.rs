//! The credit-hold field of ready pickings. The client reads it on the
//! delivery address and on its company, in the partner reads that a page
//! makes anyway. It reads no such field when the query names none, and it
//! rejects a name that is not a plain identifier before any call.

mod common;

use common::fake::{self, odoo_calls, Fake};
use common::{connect, MockServer};
use serde_json::{json, Map, Value};
use wharf_odoo::stock::{ReadyPicking, ReadyQuery};
use wharf_odoo::{Client, Error, ErrorKind, Protocol};

async fn start(key: &str) -> (Fake, MockServer, Client) {
    let state = fake::load();
    let server = fake::serve(state.clone(), "odoo19").await;
    let client = connect(&server, Protocol::Auto, key).await;
    (state, server, client)
}

fn query(credit_hold_field: Option<&str>) -> ReadyQuery {
    ReadyQuery {
        warehouse_codes: vec!["WH".to_owned()],
        write_date_from: None,
        after_id: None,
        page_size: 10,
        picking_ids: vec![],
        credit_hold_field: credit_hold_field.map(str::to_owned),
    }
}

/// Stores `value` in `field` of the partner `id` of the fake.
fn set_partner_field(state: &Fake, id: i64, field: &str, value: Value) {
    let mut state = state.lock().unwrap();
    let partner = state
        .models
        .get_mut("res.partner")
        .unwrap()
        .iter_mut()
        .find(|partner| partner["id"] == id)
        .unwrap();
    partner.insert(field.to_owned(), value);
}

/// Returns each picking's credit-hold flag by picking id.
fn flags(page: &[ReadyPicking]) -> Vec<(i64, bool)> {
    let mut flags: Vec<(i64, bool)> = page
        .iter()
        .map(|picking| (picking.id, picking.partner.credit_hold))
        .collect();
    flags.sort_unstable();
    flags
}

/// Returns the field lists of the `res.partner` reads the server received.
fn partner_reads(server: &MockServer) -> Vec<Vec<String>> {
    odoo_calls(server)
        .into_iter()
        .filter(|(model, method, _)| model == "res.partner" && method == "read")
        .map(|(_, _, args): (String, String, Map<String, Value>)| {
            args["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|field| field.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn field_on_company_holds_address() {
    let (state, server, client) = start("WHARF_TEST_KEY_CREDIT_COMPANY").await;
    // Picking 1 ships to Contoso DC Reno (9), an address of Contoso Retail
    // Ltd (6); pickings 2 and 4 ship to Fabrikam (7), 3 to Tailspin (8).
    set_partner_field(&state, 6, "x_credit_hold", json!(true));
    set_partner_field(&state, 8, "x_credit_hold", json!(false));

    let page = client
        .ready_pickings(&query(Some("x_credit_hold")))
        .await
        .unwrap();

    assert_eq!(
        flags(&page),
        vec![(1, true), (2, false), (3, false), (4, false)]
    );
    let reads = partner_reads(&server);
    assert_eq!(reads.len(), 2, "addresses, then companies not among them");
    for fields in &reads {
        assert!(fields.contains(&"x_credit_hold".to_owned()), "{fields:?}");
    }
}

#[tokio::test]
async fn field_on_address_holds() {
    let (state, _server, client) = start("WHARF_TEST_KEY_CREDIT_ADDRESS").await;
    set_partner_field(&state, 7, "x_credit_hold", json!(true));

    let page = client
        .ready_pickings(&query(Some("x_credit_hold")))
        .await
        .unwrap();

    assert_eq!(
        flags(&page),
        vec![(1, false), (2, true), (3, false), (4, true)]
    );
}

#[tokio::test]
async fn field_value_read_as_truth() {
    let (state, _server, client) = start("WHARF_TEST_KEY_CREDIT_TRUTH").await;
    set_partner_field(&state, 7, "x_credit_note", json!("overdue since May"));
    set_partner_field(&state, 8, "x_credit_note", json!(""));

    let page = client
        .ready_pickings(&query(Some("x_credit_note")))
        .await
        .unwrap();

    assert_eq!(
        flags(&page),
        vec![(1, false), (2, true), (3, false), (4, true)],
        "a non-empty text is set, an empty one is not"
    );
}

#[tokio::test]
async fn no_field_reads_none() {
    let (state, server, client) = start("WHARF_TEST_KEY_CREDIT_NONE").await;
    set_partner_field(&state, 7, "x_credit_hold", json!(true));

    let page = client.ready_pickings(&query(None)).await.unwrap();

    assert!(page.iter().all(|picking| !picking.partner.credit_hold));
    let reads = partner_reads(&server);
    assert_eq!(reads.len(), 2);
    assert_eq!(
        reads[1],
        vec!["name".to_owned(), "category_id".to_owned()],
        "the company read is unchanged"
    );
    for fields in &reads {
        assert!(!fields.contains(&"x_credit_hold".to_owned()), "{fields:?}");
    }
}

#[tokio::test]
async fn field_costs_no_extra_call() {
    let (_state, server, client) = start("WHARF_TEST_KEY_CREDIT_CALLS").await;
    client.ready_pickings(&query(None)).await.unwrap();
    let without = odoo_calls(&server).len();

    // The warehouse lookup is cached after the first page, so compare the
    // second page with the first one minus that lookup.
    client
        .ready_pickings(&query(Some("x_credit_hold")))
        .await
        .unwrap();
    let with = odoo_calls(&server).len() - without;

    assert_eq!(with, without - 2, "stock.warehouse and stock.picking.type");
}

#[tokio::test]
async fn non_identifier_rejected_before_call() {
    let (_state, server, client) = start("WHARF_TEST_KEY_CREDIT_NAME").await;
    for bad in ["x-credit-hold", "x_credit_hold, name", "", "9_hold"] {
        let error = client.ready_pickings(&query(Some(bad))).await.unwrap_err();

        assert!(matches!(error, Error::Config(_)), "{bad:?}: {error:?}");
        assert_eq!(error.kind(), ErrorKind::Permanent);
        let message = error.to_string();
        assert!(message.contains("credit_hold_field"), "{message}");
        assert!(message.contains(&format!("{bad:?}")), "{message}");
    }
    assert!(odoo_calls(&server).is_empty(), "no Odoo call was made");
}

#[tokio::test]
async fn unknown_field_error_names_field() {
    let (state, _server, client) = start("WHARF_TEST_KEY_CREDIT_UNKNOWN").await;
    state
        .lock()
        .unwrap()
        .missing_fields
        .push(("res.partner".to_owned(), "x_credit_hold".to_owned()));

    let error = client
        .ready_pickings(&query(Some("x_credit_hold")))
        .await
        .unwrap_err();

    assert_eq!(error.odoo_name(), Some("builtins.ValueError"));
    assert_eq!(error.kind(), ErrorKind::Defect);
    let message = error.to_string();
    assert!(message.contains("res.partner.read"), "{message}");
    assert!(message.contains("x_credit_hold"), "{message}");
}
