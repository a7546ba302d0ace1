//! A site's lifecycle rules: what its status codes mean, which file names
//! carry which document, where returned goods go in Odoo and how finance
//! hears of a return.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wharf_model::{Disposition, PickingState};

/// Channel that notifies finance that a received return may need a credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinanceFollowUp {
    /// An exception of kind `credit_note_due` for the finance team.
    #[default]
    Exception,
    /// A to-do activity on the sale order in Odoo.
    Activity,
}

/// Lifecycle rules of one site.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRules {
    /// The warehouse's status codes and the step each means, for example
    /// `{ PCK = "picked", SHP = "departed" }`. Steps: released, allocated,
    /// picked, packed, staged, loaded, departed.
    #[serde(default = "default_status_codes")]
    pub status_codes: BTreeMap<String, PickingState>,
    /// Post a short note on the Odoo picking for each step reached.
    #[serde(default)]
    pub chatter_notes: bool,
    /// Watch released pickings in Odoo and send cancels and amendments.
    #[serde(default = "default_true")]
    pub send_changes: bool,
    /// Send expected receipts (ASN) for purchase receipts and returns.
    #[serde(default = "default_true")]
    pub send_receipts: bool,
    /// Odoo location (complete name) of each disposition of returned goods,
    /// for example `{ quarantine = "WH/Stock/Quarantine" }`. A disposition
    /// without an entry keeps the return picking's own destination.
    #[serde(default)]
    pub disposition_locations: BTreeMap<Disposition, String>,
    /// Channel that notifies finance of a received return.
    #[serde(default)]
    pub finance_follow_up: FinanceFollowUp,
    /// File name prefix of the progress files the warehouse writes.
    #[serde(default = "default_progress_prefix")]
    pub progress_prefix: String,
    /// File name prefix of the warehouse's answers to changes.
    #[serde(default = "default_answer_prefix")]
    pub answer_prefix: String,
    /// File name prefix of the warehouse's receipt advice files.
    #[serde(default = "default_receipt_prefix")]
    pub receipt_prefix: String,
}

impl Default for LifecycleRules {
    fn default() -> Self {
        LifecycleRules {
            status_codes: default_status_codes(),
            chatter_notes: false,
            send_changes: true,
            send_receipts: true,
            disposition_locations: BTreeMap::new(),
            finance_follow_up: FinanceFollowUp::default(),
            progress_prefix: default_progress_prefix(),
            answer_prefix: default_answer_prefix(),
            receipt_prefix: default_receipt_prefix(),
        }
    }
}

impl LifecycleRules {
    /// Returns the step a status code means, or `None` for an unknown code.
    pub fn step(&self, code: &str) -> Option<PickingState> {
        self.status_codes.get(code).copied()
    }

    /// Rejects a status code mapped to something that is not a warehouse step.
    pub fn check(&self) -> Result<(), String> {
        for (code, state) in &self.status_codes {
            if !PickingState::STEPS.contains(state) {
                let steps: Vec<&str> = PickingState::STEPS.iter().map(|s| s.as_str()).collect();
                return Err(format!(
                    "status code {code:?} maps to {state}, which is not a warehouse step; use one of {}",
                    steps.join(", ")
                ));
            }
        }
        let prefixes = [
            ("progress_prefix", &self.progress_prefix),
            ("answer_prefix", &self.answer_prefix),
            ("receipt_prefix", &self.receipt_prefix),
        ];
        for (key, prefix) in prefixes {
            if prefix.is_empty() {
                return Err(format!(
                    "{key} is empty; give the name prefix of those files, such as \"PRG\""
                ));
            }
        }
        for (index, (key, prefix)) in prefixes.iter().enumerate() {
            let clash = prefixes[index + 1..].iter().find(|(_, other)| {
                other.starts_with(prefix.as_str()) || prefix.starts_with(other.as_str())
            });
            if let Some((other_key, other)) = clash {
                return Err(format!(
                    "{key} {prefix:?} and {other_key} {other:?} overlap, so a file could be taken \
                     for the other kind; use distinct prefixes"
                ));
            }
        }
        Ok(())
    }
}

/// Returns the codes of Wharf's default progress layout and simulator.
fn default_status_codes() -> BTreeMap<String, PickingState> {
    [
        ("RELEASED", PickingState::Released),
        ("ALLOCATED", PickingState::Allocated),
        ("PICKED", PickingState::Picked),
        ("PACKED", PickingState::Packed),
        ("STAGED", PickingState::Staged),
        ("LOADED", PickingState::Loaded),
        ("SHIPPED", PickingState::Departed),
    ]
    .into_iter()
    .map(|(code, state)| (code.to_owned(), state))
    .collect()
}

fn default_true() -> bool {
    true
}

fn default_progress_prefix() -> String {
    "PRG".to_owned()
}

fn default_answer_prefix() -> String {
    "ANS".to_owned()
}

fn default_receipt_prefix() -> String {
    "RCV".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_codes_are_steps() {
        assert_eq!(LifecycleRules::default().check(), Ok(()));
        assert_eq!(
            LifecycleRules::default().step("SHIPPED"),
            Some(PickingState::Departed)
        );
    }

    #[test]
    fn code_mapped_to_a_non_step_is_rejected() {
        let mut rules = LifecycleRules::default();
        rules
            .status_codes
            .insert("X".to_owned(), PickingState::Shipped);
        let error = rules.check().unwrap_err();
        assert!(error.contains("\"X\""), "{error}");
    }

    #[test]
    fn empty_or_overlapping_prefixes_are_rejected() {
        let empty = LifecycleRules {
            receipt_prefix: String::new(),
            ..LifecycleRules::default()
        };
        let error = empty.check().unwrap_err();
        assert!(error.starts_with("receipt_prefix is empty"), "{error}");
        let same = LifecycleRules {
            answer_prefix: "PRG".to_owned(),
            ..LifecycleRules::default()
        };
        let error = same.check().unwrap_err();
        assert!(
            error.contains("progress_prefix \"PRG\" and answer_prefix"),
            "{error}"
        );
    }

    #[test]
    fn parses_from_toml() {
        let rules: LifecycleRules = toml::from_str(
            "status_codes = { PCK = \"picked\" }\n\
             disposition_locations = { quarantine = \"WH/Stock/Quarantine\" }\n\
             finance_follow_up = \"activity\"\n",
        )
        .unwrap();
        assert_eq!(rules.step("PCK"), Some(PickingState::Picked));
        assert_eq!(rules.step("PICKED"), None);
        assert_eq!(rules.finance_follow_up, FinanceFollowUp::Activity);
        assert_eq!(
            rules.disposition_locations[&Disposition::Quarantine],
            "WH/Stock/Quarantine"
        );
    }
}
