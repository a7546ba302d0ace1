//! The team that owns each kind of exception: the built-in team of the kind
//! unless the configuration names another one.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use wharf_model::ExceptionKind;

/// Owner teams by exception kind. Kinds without an entry keep
/// [`ExceptionKind::default_owner`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "BTreeMap<String, String>")]
pub struct Owners {
    /// Configured teams, behind an `Arc` because every flow part keeps a copy.
    configured: Arc<BTreeMap<ExceptionKind, String>>,
}

/// A mistake in an `[owners]` table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnersError {
    /// The key is not the stored name of an exception kind.
    #[error("[owners]: unknown exception kind {kind:?}; use one of: {known}")]
    UnknownKind {
        /// The key as written.
        kind: String,
        /// Every known kind, separated by commas.
        known: String,
    },
    /// The team name is empty or only blanks.
    #[error("[owners]: exception kind {kind} has an empty team name; name a team, for example \"warehouse\", or remove the key")]
    EmptyTeam {
        /// The kind whose team is empty.
        kind: ExceptionKind,
    },
}

impl Owners {
    /// Builds the owners from a table of kind names to team names, as in
    /// `held_order = "customer_service"`. Team names are trimmed.
    pub fn from_names(table: BTreeMap<String, String>) -> Result<Self, OwnersError> {
        let mut configured = BTreeMap::new();
        for (name, team) in table {
            let kind = ExceptionKind::parse(&name).ok_or_else(|| OwnersError::UnknownKind {
                kind: name.clone(),
                known: known_kinds(),
            })?;
            let team = team.trim();
            if team.is_empty() {
                return Err(OwnersError::EmptyTeam { kind });
            }
            configured.insert(kind, team.to_owned());
        }
        Ok(Self {
            configured: Arc::new(configured),
        })
    }

    /// Returns the team that owns exceptions of `kind`.
    pub fn owner_of(&self, kind: ExceptionKind) -> &str {
        self.configured
            .get(&kind)
            .map_or_else(|| kind.default_owner(), String::as_str)
    }
}

impl TryFrom<BTreeMap<String, String>> for Owners {
    type Error = OwnersError;

    fn try_from(table: BTreeMap<String, String>) -> Result<Self, Self::Error> {
        Self::from_names(table)
    }
}

/// Lists the stored names of every exception kind, separated by commas.
fn known_kinds() -> String {
    ExceptionKind::ALL
        .iter()
        .map(|kind| kind.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(kind, team)| ((*kind).to_owned(), (*team).to_owned()))
            .collect()
    }

    #[test]
    fn unset_kind_keeps_default_owner() {
        let owners = Owners::from_names(table(&[("held_order", "sales_desk")])).unwrap();

        assert_eq!(owners.owner_of(ExceptionKind::HeldOrder), "sales_desk");
        assert_eq!(
            owners.owner_of(ExceptionKind::Defect),
            ExceptionKind::Defect.default_owner()
        );
    }

    #[test]
    fn empty_table_keeps_every_default() {
        let owners = Owners::default();

        for kind in ExceptionKind::ALL {
            assert_eq!(owners.owner_of(kind), kind.default_owner());
        }
    }

    #[test]
    fn team_name_is_trimmed() {
        let owners = Owners::from_names(table(&[("defect", "  platform  ")])).unwrap();

        assert_eq!(owners.owner_of(ExceptionKind::Defect), "platform");
    }

    #[test]
    fn unknown_kind_names_value_and_known_kinds() {
        let error = Owners::from_names(table(&[("held_orders", "sales")])).unwrap_err();
        let message = error.to_string();

        assert!(message.contains("\"held_orders\""), "{message}");
        assert!(message.contains("held_order,"), "{message}");
        assert!(message.contains("nothing_received"), "{message}");
    }

    #[test]
    fn blank_team_is_rejected() {
        let error = Owners::from_names(table(&[("over_receipt", "  ")])).unwrap_err();

        assert_eq!(
            error,
            OwnersError::EmptyTeam {
                kind: ExceptionKind::OverReceipt
            }
        );
        assert!(error.to_string().contains("over_receipt"));
    }
}
