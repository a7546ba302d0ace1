//! Server-rendered dashboard pages. Every function here is pure: it takes
//! the data a page shows and returns its HTML.

mod business;
pub mod charts;
mod exceptions;
mod layout;
mod rights;
mod technical;
#[cfg(test)]
mod tests;
mod trace;

use std::fmt;

use jiff::Timestamp;
use wharf_store::Dashboard;

pub use business::business;
pub use exceptions::{exception, exceptions};
pub use layout::{layout, problem, sign_in};
pub use technical::{technical, ConnectorStat, OdooCallStat};
pub use trace::trace;

/// Request context every page renders with: the caller, the CSRF value,
/// the flash line and the time.
#[derive(Clone, Default)]
pub struct PageContext {
    /// Name of the signed-in token, shown in the header.
    pub user: String,
    /// Role of the signed-in token: `viewer`, `operator` or `admin`.
    pub role: String,
    /// Site the token is limited to, if any.
    pub site: Option<String>,
    /// The session's CSRF token; every form carries it in a hidden field
    /// named `csrf`.
    pub csrf: String,
    /// A one-line message to show at the top of the page, such as the
    /// outcome of the last action.
    pub flash: Option<String>,
    /// Time of the request. Ages on the page count up to it.
    pub now: Timestamp,
}

impl fmt::Debug for PageContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageContext")
            .field("user", &self.user)
            .field("role", &self.role)
            .field("site", &self.site)
            .field("csrf", &"<redacted>")
            .field("flash", &self.flash)
            .field("now", &self.now)
            .finish()
    }
}

impl PageContext {
    /// True when the role may act on exceptions (operator or admin).
    pub fn may_act(&self) -> bool {
        matches!(self.role.as_str(), "operator" | "admin")
    }
}

/// Keeps only the figures of `site` for a caller limited to one site;
/// `None` keeps everything. See [`Dashboard::for_site`].
pub fn for_site(dashboard: Dashboard, site: Option<&str>) -> Dashboard {
    dashboard.for_site(site)
}

/// Formats a duration in seconds the way people read ages: `45 s`,
/// `12 min`, `3 h 05 min`, `2 d 4 h`. A negative duration reads `0 s`.
pub fn format_duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (minutes, hours, days) = (secs / 60, secs / 3_600, secs / 86_400);
    if days > 0 {
        format!("{days} d {} h", hours % 24)
    } else if hours > 0 {
        format!("{hours} h {:02} min", minutes % 60)
    } else if minutes > 0 {
        format!("{minutes} min")
    } else {
        format!("{secs} s")
    }
}

/// Formats a time as `2026-03-01 12:00:05 UTC`.
pub fn format_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Returns the whole seconds from `at` to `now`.
pub fn age_secs(now: Timestamp, at: Timestamp) -> i64 {
    now.as_second() - at.as_second()
}

/// Percent-encodes a value for a URL query: every byte outside the
/// unreserved characters of RFC 3986 becomes `%XX`.
pub fn query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}
