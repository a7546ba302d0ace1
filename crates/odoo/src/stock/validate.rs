//! Validating written pickings together, splitting the batch on failure, and
//! checking the result by reading Odoo again.
//!
//! One `button_validate` call on many pickings is one transaction: one
//! failing picking, or one that returns a wizard, blocks them all. The batch
//! is then split in halves and each half validated again, until the picking
//! at fault stands alone; its error is its own outcome, and a wizard it
//! returns is completed with the action's context (Odoo ignores a wizard
//! created without it). A transient error is not split: every picking of the
//! group gets it and the engine retries later.
//!
//! The context always asks for no wizard: `skip_backorder` with
//! `picking_ids_not_to_backorder` decides backorders, `skip_sms` skips the
//! SMS confirmation, and `skip_expired` (only for shipments that allow
//! expired lots) skips the expiry check.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::ship::{
    fail_some, refused, set_error, shared, BackorderPolicy, Outcomes, ShipmentOutcome,
    ShipmentWrite,
};
use crate::client::{Client, SearchOptions};
use crate::error::{Error, ErrorKind};
use crate::values::{id_of, many2one_id, text, Record};

/// Wizards that lead to another are followed at most this many steps.
const MAX_WIZARD_STEPS: usize = 4;

/// A picking written and waiting for validation.
#[derive(Debug, Clone)]
pub(super) struct ValidateItem {
    pub(super) index: usize,
    pub(super) picking_id: i64,
    pub(super) name: String,
    pub(super) cancel_backorder: bool,
    pub(super) ship_expired: bool,
}

impl Client {
    /// Validates the pickings with as few calls as the failures allow and
    /// returns the outcome per batch index.
    pub(super) async fn validate_pickings(
        &self,
        items: Vec<ValidateItem>,
    ) -> Vec<(usize, Result<(), Error>)> {
        let (expired, normal): (Vec<_>, Vec<_>) =
            items.into_iter().partition(|item| item.ship_expired);
        let mut stack: Vec<Vec<ValidateItem>> = [expired, normal]
            .into_iter()
            .filter(|g| !g.is_empty())
            .collect();
        let mut results = Vec::new();

        while let Some(mut group) = stack.pop() {
            let answer = self.button_validate(&group, None).await;
            match answer {
                Ok(value) if !is_wizard(&value) => {
                    results.extend(group.iter().map(|item| (item.index, Ok(()))));
                }
                Ok(action) if group.len() == 1 => {
                    let item = &group[0];
                    results.push((item.index, self.complete_wizard(item, action).await));
                }
                Err(error) if group.len() == 1 => results.push((group[0].index, Err(error))),
                Err(error) if error.kind() == ErrorKind::Transient => {
                    tracing::warn!(pickings = group.len(), %error, "Validating pickings failed with a transient error");
                    results.extend(
                        group
                            .iter()
                            .map(|item| (item.index, Err(shared(&error, item.name.clone())))),
                    );
                }
                answer => {
                    let reason = match &answer {
                        Err(error) => error.to_string(),
                        Ok(action) => format!("Odoo returned the wizard {}", wizard_model(action)),
                    };
                    tracing::info!(
                        pickings = group.len(),
                        reason,
                        "Validating pickings together failed; splitting the batch"
                    );
                    let second = group.split_off(group.len() / 2);
                    stack.push(second);
                    stack.push(group);
                }
            }
        }
        results
    }

    async fn button_validate(
        &self,
        group: &[ValidateItem],
        extra: Option<&Map<String, Value>>,
    ) -> Result<Value, Error> {
        let ids: Vec<i64> = group.iter().map(|item| item.picking_id).collect();
        let no_backorder: Vec<i64> = group
            .iter()
            .filter(|i| i.cancel_backorder)
            .map(|i| i.picking_id)
            .collect();
        let mut context = extra.cloned().unwrap_or_default();
        context.insert("skip_backorder".to_owned(), json!(true));
        context.insert(
            "picking_ids_not_to_backorder".to_owned(),
            json!(no_backorder),
        );
        context.insert("skip_sms".to_owned(), json!(true));
        if group.iter().all(|item| item.ship_expired) {
            context.insert("skip_expired".to_owned(), json!(true));
        }
        let mut kwargs = Map::new();
        kwargs.insert("context".to_owned(), Value::Object(context));
        self.call("stock.picking", "button_validate", vec![json!(ids)], kwargs)
            .await
    }

    /// Completes the wizards a lone picking's validation returned.
    async fn complete_wizard(&self, item: &ValidateItem, first: Value) -> Result<(), Error> {
        let mut action = first;
        for _ in 0..MAX_WIZARD_STEPS {
            let model = wizard_model(&action).to_owned();
            let context = action
                .get("context")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            tracing::info!(picking = %item.name, wizard = %model, "Completing the wizard Odoo returned on validation");
            let next = match model.as_str() {
                "stock.backorder.confirmation" => {
                    let method = if item.cancel_backorder {
                        "process_cancel_backorder"
                    } else {
                        "process"
                    };
                    self.run_wizard(&model, method, context).await?
                }
                "expiry.picking.confirmation" if item.ship_expired => {
                    self.run_wizard(&model, "process", context).await?
                }
                "expiry.picking.confirmation" => {
                    return Err(refused(item.name.clone(), ErrorKind::Permanent,
                        "ships a lot past its expiry date; allow ship_expired_lots for this flow or correct the lot"));
                }
                // Sending the SMS would text the customer through Odoo's paid
                // service, and `dont_send_sms` turns the feature off for the
                // whole company: validate again with `skip_sms` instead.
                "confirm.stock.sms" => {
                    self.button_validate(std::slice::from_ref(item), Some(&context))
                        .await?
                }
                other => {
                    return Err(refused(item.name.clone(), ErrorKind::Permanent, &format!(
                        "Odoo asked for confirmation in the wizard {other}, which wharf does not complete; validate the picking in Odoo"
                    )));
                }
            };
            if !is_wizard(&next) {
                return Ok(());
            }
            action = next;
        }
        Err(refused(
            item.name.clone(),
            ErrorKind::Defect,
            "Odoo kept returning wizards on validation; validate the picking in Odoo",
        ))
    }

    async fn run_wizard(
        &self,
        model: &str,
        method: &str,
        context: Map<String, Value>,
    ) -> Result<Value, Error> {
        let ids = self
            .create_with_context(model, vec![Map::new()], Some(context.clone()))
            .await?;
        let mut kwargs = Map::new();
        kwargs.insert("context".to_owned(), Value::Object(context));
        self.call(model, method, vec![json!(ids)], kwargs).await
    }

    /// Re-reads the validated pickings and asserts they are done, then looks
    /// up the backorders of every done picking of the batch.
    pub(super) async fn check_done(
        &self,
        batch: &[ShipmentWrite],
        pickings: &HashMap<i64, Record>,
        validated: &[usize],
        outcomes: &mut Outcomes,
    ) {
        if !validated.is_empty() {
            let ids: Vec<i64> = validated.iter().map(|&i| batch[i].picking_id).collect();
            match self.read("stock.picking", &ids, &["name", "state"]).await {
                Ok(records) => {
                    let states: HashMap<i64, String> = records
                        .iter()
                        .map(|r| (id_of(r), text(r, "state")))
                        .collect();
                    for &index in validated {
                        let id = batch[index].picking_id;
                        let state = states.get(&id).map_or("missing", String::as_str);
                        if state == "done" {
                            outcomes[index] =
                                Some(Ok(ShipmentOutcome::Validated { backorder: None }));
                        } else {
                            let name = pickings
                                .get(&id)
                                .map_or_else(|| id.to_string(), |p| text(p, "name"));
                            let detail = format!("is in state {state:?} after button_validate accepted it; check the picking in Odoo");
                            set_error(outcomes, index, refused(name, ErrorKind::Defect, &detail));
                        }
                    }
                }
                Err(error) => fail_some(outcomes, batch, validated, &error),
            }
        }

        let done: Vec<usize> = (0..batch.len())
            .filter(|&i| matches!(outcomes[i], Some(Ok(_))))
            .collect();
        if done.is_empty() {
            return;
        }
        let ids: Vec<i64> = done.iter().map(|&i| batch[i].picking_id).collect();
        let order = SearchOptions {
            order: Some("id".to_owned()),
            ..SearchOptions::default()
        };
        let found = self
            .search_read(
                "stock.picking",
                json!([["backorder_id", "in", ids]]),
                &["name", "backorder_id"],
                order,
            )
            .await;
        let backorders = match found {
            Ok(records) => records,
            Err(error) => {
                for &index in &done {
                    outcomes[index] =
                        Some(Err(shared(&error, batch[index].picking_id.to_string())));
                }
                return;
            }
        };
        for &index in &done {
            let shipment = &batch[index];
            let backorder = backorders
                .iter()
                .find(|b| many2one_id(b, "backorder_id") == Some(shipment.picking_id))
                .map(|b| (id_of(b), text(b, "name")));
            let outcome = match outcomes[index].take() {
                Some(Ok(ShipmentOutcome::Validated { .. })) => {
                    if let (BackorderPolicy::Cancel, Some((_, name))) =
                        (shipment.backorder, &backorder)
                    {
                        let picking = pickings
                            .get(&shipment.picking_id)
                            .map_or_else(String::new, |p| text(p, "name"));
                        tracing::warn!(picking, backorder = %name, "Odoo created a backorder although the policy is cancel");
                    }
                    Ok(ShipmentOutcome::Validated { backorder })
                }
                Some(Ok(ShipmentOutcome::AlreadyDone { .. })) => {
                    Ok(ShipmentOutcome::AlreadyDone { backorder })
                }
                other => other.unwrap_or_else(|| {
                    Err(refused(
                        shipment.picking_id.to_string(),
                        ErrorKind::Defect,
                        "no outcome",
                    ))
                }),
            };
            outcomes[index] = Some(outcome);
        }
    }
}

/// Returns whether a method's result is a window action (a wizard to complete).
pub(super) fn is_wizard(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("ir.actions.act_window")
}

fn wizard_model(action: &Value) -> &str {
    action
        .get("res_model")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
}
