//! Public sample files decoded with layouts written for them.

mod common;

use wharf_formats::decode_confirmations;

#[test]
fn odc_despatch_confirm_decodes() {
    let layout = common::layout("odc_despatch_confirm.toml");
    let confirmations = decode_confirmations(
        &layout,
        &common::sample("wms_semicolon_odc_despatch_confirm.txt"),
    )
    .unwrap();

    assert_eq!(confirmations.len(), 2);
    let first = &confirmations[0];
    assert_eq!(first.picking_ref, "4711");
    assert_eq!(first.lines.len(), 2);
    assert_eq!(first.lines[0].sku, "SKU-RED-M");
    assert_eq!(first.lines[0].quantity.to_string(), "2.0");
    assert!(first.tracking_numbers.is_empty());

    let second = &confirmations[1];
    assert!(second.lines[0].quantity.is_zero());
    assert_eq!(second.tracking_numbers, ["00340434161234567890"]);
    insta::assert_yaml_snapshot!(confirmations);
}

#[test]
fn jp_shipped_tracking_decodes() {
    let layout = common::layout("jp_shipped_tracking.toml");
    let confirmations = decode_confirmations(
        &layout,
        &common::sample("wms_jp_shipped_tracking_utf8bom.csv"),
    )
    .unwrap();

    assert_eq!(confirmations.len(), 5);
    assert!(confirmations.iter().all(|c| c.lines.is_empty()));
    assert_eq!(confirmations[0].picking_ref, "1000879842");
    assert_eq!(confirmations[0].tracking_numbers, ["361054809931"]);
    // 2023-04-20 in Tokyo starts at 15:00 UTC the day before.
    assert_eq!(
        confirmations[0].shipped_at.as_deref(),
        Some("2023-04-19T15:00:00Z")
    );

    let reshipment = &confirmations[4];
    assert_eq!(reshipment.picking_ref, "1000880008");
    assert!(reshipment.reshipment);
    assert!(!confirmations[3].reshipment);
    insta::assert_yaml_snapshot!(confirmations);
}
