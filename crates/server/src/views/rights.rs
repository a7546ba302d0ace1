//! The technical page's section on Odoo account rights: per account, the
//! rights its flows need and lack, and those it has beyond them.

use maud::{html, Markup};

use super::format_time;
use crate::AccountRights;

/// Renders the rights of every configured Odoo account.
pub fn account_rights(rights: Option<&[AccountRights]>) -> Markup {
    html! {
        section {
            h2 { "Odoo account rights" }
            @match rights {
                None => p { "The first check of the accounts' rights is running." },
                Some([]) => p { "No Odoo account to check." },
                Some(accounts) => {
                    table {
                        tr { th { "Account" } th { "Login" } th { "Needed and missing" } th { "Held beyond the need" } th { "Checked" } }
                        @for account in accounts {
                            tr data-account=(account.account) {
                                td { (account.account) }
                                td { (account.login) }
                                td {
                                    @if let Some(error) = &account.error {
                                        span.down { "not checked: " (error) }
                                    } @else if account.missing.is_empty() {
                                        span.up { "none" }
                                    } @else {
                                        ul.down { @for right in &account.missing { li { (right) } } }
                                    }
                                }
                                td {
                                    @if account.beyond.is_empty() {
                                        "none"
                                    } @else {
                                        ul { @for right in &account.beyond { li { (right) } } }
                                    }
                                }
                                td { (format_time(account.checked_at)) }
                            }
                        }
                    }
                    p { "Least privilege: remove the rights held beyond the need in Odoo. "
                        "`wharf check --privileges` prints the same check." }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;

    fn account(missing: &[&str], beyond: &[&str], error: Option<&str>) -> AccountRights {
        AccountRights {
            account: "odoo".to_owned(),
            login: "integration".to_owned(),
            missing: missing.iter().map(|s| (*s).to_owned()).collect(),
            beyond: beyond.iter().map(|s| (*s).to_owned()).collect(),
            error: error.map(str::to_owned),
            checked_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn account_rights_missing_and_excess() {
        let html = account_rights(Some(&[account(
            &["stock.picking write"],
            &["group base.group_system"],
            None,
        )]))
        .into_string();
        assert!(html.contains("stock.picking write"));
        assert!(html.contains("group base.group_system"));
        assert!(!html.contains("not checked"));
    }

    #[test]
    fn account_rights_unchecked_and_running() {
        let html =
            account_rights(Some(&[account(&[], &[], Some("could not reach Odoo"))])).into_string();
        assert!(html.contains("not checked: could not reach Odoo"));
        let running = account_rights(None).into_string();
        assert!(running.contains("is running"));
    }
}
