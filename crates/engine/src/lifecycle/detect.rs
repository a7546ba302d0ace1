//! Tells from Odoo's current picking whether a released picking was
//! cancelled or its demand changed since the release. Pure.

use std::collections::BTreeMap;

use wharf_model::{ChangeKind, Decimal, OrderChange, OrderLine, OrderRelease};
use wharf_store::PickingRecord;

use super::{ChangeEvent, PickingNow};

/// Returns the change to send and its idempotency key, or `None` when the
/// picking is as released (or done in Odoo, which the shipment flow owns).
pub fn detect_change(
    site: &str,
    record: &PickingRecord,
    now: &PickingNow,
) -> Option<(ChangeEvent, String)> {
    let release: OrderRelease = serde_json::from_value(record.release.clone()?).ok()?;
    let active: BTreeMap<i64, Decimal> = now
        .moves
        .iter()
        .filter(|m| m.state != "cancel" && !m.quantity.is_zero())
        .map(|m| (m.move_id, m.quantity))
        .collect();
    let released: BTreeMap<i64, Decimal> = release
        .lines
        .iter()
        .map(|line| (line.move_id, line.quantity))
        .collect();

    if now.state == "cancel" || (active.is_empty() && now.state != "done") {
        let change = change(
            &release,
            ChangeKind::Cancel,
            "cancelled in Odoo".to_owned(),
            vec![],
        );
        let key = format!("change:{site}:{}:cancel", now.picking_id);
        return Some((
            ChangeEvent {
                change,
                amended: None,
            },
            key,
        ));
    }
    if now.state == "done" || active == released {
        return None;
    }

    let lines = amended_lines(&release, now, &active);
    let reason = describe(&release, now, &active);
    let digest: Vec<String> = active
        .iter()
        .map(|(id, qty)| format!("{id}={}", qty.normalize()))
        .collect();
    let key = format!(
        "change:{site}:{}:amend:{}",
        now.picking_id,
        digest.join(",")
    );
    let mut amended = release.clone();
    amended.lines.clone_from(&lines);
    let change = change(&release, ChangeKind::Amend, reason, lines);
    Some((
        ChangeEvent {
            change,
            amended: Some(amended),
        },
        key,
    ))
}

fn change(
    release: &OrderRelease,
    kind: ChangeKind,
    reason: String,
    lines: Vec<OrderLine>,
) -> OrderChange {
    OrderChange {
        picking_id: release.picking_id,
        picking_name: release.picking_name.clone(),
        order_name: release.order_name.clone(),
        kind,
        reason,
        lines,
    }
}

/// Builds every line the picking ships after the change, numbered from 1:
/// released lines keep their details with the new demand, new moves are added.
fn amended_lines(
    release: &OrderRelease,
    now: &PickingNow,
    active: &BTreeMap<i64, Decimal>,
) -> Vec<OrderLine> {
    let uom = release
        .lines
        .first()
        .map(|line| line.uom.clone())
        .unwrap_or_default();
    let mut lines = Vec::new();
    for m in now.moves.iter().filter(|m| active.contains_key(&m.move_id)) {
        let mut line = release
            .lines
            .iter()
            .find(|line| line.move_id == m.move_id)
            .cloned()
            .unwrap_or_else(|| OrderLine {
                line_no: 0,
                move_id: m.move_id,
                product_id: m.product_id,
                sku: m.sku.clone(),
                description: m.sku.clone(),
                quantity: m.quantity,
                uom: uom.clone(),
                tracking: "none".to_owned(),
                reserved_lots: vec![],
            });
        line.quantity = m.quantity;
        line.line_no = u32::try_from(lines.len() + 1).unwrap_or(u32::MAX);
        lines.push(line);
    }
    lines
}

/// Says what changed, for the warehouse's staff and the audit trail.
fn describe(release: &OrderRelease, now: &PickingNow, active: &BTreeMap<i64, Decimal>) -> String {
    let mut parts = Vec::new();
    for line in &release.lines {
        match active.get(&line.move_id) {
            None => parts.push(format!("{} removed", line.sku)),
            Some(qty) if *qty != line.quantity => {
                parts.push(format!(
                    "{} {} -> {}",
                    line.sku,
                    line.quantity.normalize(),
                    qty.normalize()
                ));
            }
            Some(_) => {}
        }
    }
    for m in now.moves.iter().filter(|m| active.contains_key(&m.move_id)) {
        if !release.lines.iter().any(|line| line.move_id == m.move_id) {
            parts.push(format!("{} {} added", m.sku, m.quantity.normalize()));
        }
    }
    format!("lines changed in Odoo: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::super::MoveNow;
    use super::*;
    use wharf_model::PickingState;

    fn record() -> PickingRecord {
        let release = serde_json::json!({
            "picking_id": 5, "picking_name": "WH/OUT/00005", "order_name": "S00005",
            "customer_ref": "", "warehouse": "WH", "customer": "Acme", "customer_tags": [],
            "ship_to": {"name": "Acme", "street": "1 Road", "street2": "", "zip": "1000", "city": "Town", "state": "", "country_code": "BE", "phone": "", "email": ""},
            "carrier": "", "scheduled_date": "2026-12-05 10:00:00", "write_date": "2026-12-05 09:00:00",
            "lines": [
                {"line_no": 1, "move_id": 50, "product_id": 1, "sku": "BOLT", "description": "Bolt", "quantity": "10", "uom": "Units", "tracking": "none", "reserved_lots": []},
                {"line_no": 2, "move_id": 51, "product_id": 2, "sku": "NUT", "description": "Nut", "quantity": "4", "uom": "Units", "tracking": "none", "reserved_lots": []}
            ]
        });
        PickingRecord {
            picking_id: 5,
            picking_name: "WH/OUT/00005".to_owned(),
            site: "main".to_owned(),
            state: PickingState::Released,
            release: Some(release),
            backorder: None,
            tracking: None,
            updated_at: jiff::Timestamp::now(),
        }
    }

    fn now(state: &str, moves: &[(i64, &str, i64, &str)]) -> PickingNow {
        PickingNow {
            picking_id: 5,
            picking_name: "WH/OUT/00005".to_owned(),
            state: state.to_owned(),
            moves: moves
                .iter()
                .map(|(id, sku, qty, state)| MoveNow {
                    move_id: *id,
                    product_id: *id,
                    sku: (*sku).to_owned(),
                    quantity: Decimal::from(*qty),
                    state: (*state).to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn unchanged_picking_sends_nothing() {
        let picking = now(
            "assigned",
            &[(50, "BOLT", 10, "assigned"), (51, "NUT", 4, "assigned")],
        );
        assert!(release_is_valid());
        assert!(detect_change("main", &record(), &picking).is_none());
    }

    fn release_is_valid() -> bool {
        serde_json::from_value::<OrderRelease>(record().release.unwrap()).is_ok()
    }

    #[test]
    fn cancelled_picking_is_a_cancel() {
        let picking = now(
            "cancel",
            &[(50, "BOLT", 10, "cancel"), (51, "NUT", 4, "cancel")],
        );
        let (event, key) = detect_change("main", &record(), &picking).unwrap();
        assert_eq!(event.change.kind, ChangeKind::Cancel);
        assert_eq!(key, "change:main:5:cancel");
    }

    #[test]
    fn changed_demand_is_an_amendment_with_every_line() {
        let picking = now(
            "assigned",
            &[
                (50, "BOLT", 6, "assigned"),
                (51, "NUT", 4, "cancel"),
                (52, "WASHER", 2, "assigned"),
            ],
        );
        let (event, key) = detect_change("main", &record(), &picking).unwrap();
        assert_eq!(event.change.kind, ChangeKind::Amend);
        assert_eq!(
            event.change.reason,
            "lines changed in Odoo: BOLT 10 -> 6, NUT removed, WASHER 2 added"
        );
        let quantities: Vec<(String, Decimal)> = event
            .change
            .lines
            .iter()
            .map(|l| (l.sku.clone(), l.quantity))
            .collect();
        assert_eq!(
            quantities,
            vec![
                ("BOLT".to_owned(), Decimal::from(6)),
                ("WASHER".to_owned(), Decimal::from(2))
            ]
        );
        assert_eq!(event.amended.unwrap().lines.len(), 2);
        assert_eq!(key, "change:main:5:amend:50=6,52=2");
    }
}
