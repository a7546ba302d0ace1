//! The client's configuration, and the secret it carries.
//!
//! The api key is never written in the configuration file itself: it is read
//! from a file (`api_key_file`) or from an environment variable named in
//! `api_key_env`, and kept in a [`Secret`] whose `Debug` prints `***`.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use crate::error::Error;

/// The wire protocol of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Ask the server its version: JSON-2 from Odoo 19, JSON-RPC before.
    #[default]
    Auto,
    /// `POST /jsonrpc` with `execute_kw` (Odoo 17 to 19; removed in 20).
    #[serde(rename = "jsonrpc")]
    JsonRpc,
    /// `POST /json/2/<model>/<method>` with a bearer api key (Odoo 19 and later).
    #[serde(rename = "json2")]
    Json2,
}

/// A secret string whose `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Returns the secret itself, for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How to reach one Odoo database.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooConfig {
    /// Base URL of the Odoo server, such as `https://erp.example.com`. A
    /// user name or password in the URL is rejected, because error messages
    /// and logs show the URL.
    #[serde(deserialize_with = "base_url")]
    pub url: String,
    /// Name of the Odoo database (sent as `X-Odoo-Database` over JSON-2).
    pub database: String,
    /// Login of the Odoo integration user (needed by JSON-RPC to get the uid).
    pub login: String,
    /// Path of a file whose first line is the api key (or password).
    #[serde(default)]
    pub api_key_file: Option<PathBuf>,
    /// Name of an environment variable that contains the api key (or password).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Wire protocol: `auto` (ask the server its version), `jsonrpc` or `json2`.
    #[serde(default)]
    pub protocol: Protocol,
    /// Time limit for one call, connect included, in seconds.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Time limit for opening the TCP and TLS connection, in seconds.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// Number of records read per page by polling reads such as ready pickings.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Name of a boolean `res.partner` field that flags a customer on credit
    /// hold, such as a custom `x_credit_hold`. It is read on the delivery
    /// address and on its company. `None` reads no such field, so only the
    /// sites' `credit_hold_tags` put a customer on hold.
    #[serde(default, deserialize_with = "field_name")]
    pub credit_hold_field: Option<String>,
}

fn default_timeout_secs() -> u64 {
    30
}

fn default_connect_timeout_secs() -> u64 {
    10
}

fn default_page_size() -> u32 {
    100
}

/// Reads the base URL and rejects one with a user name or password in it.
/// The error shows the URL without them.
fn base_url<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let url = String::deserialize(deserializer)?;
    let Ok(mut parsed) = reqwest::Url::parse(&url) else {
        // The client reports a URL it cannot use when it connects.
        return Ok(url);
    };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return Ok(url);
    }
    // Both setters fail only for URLs that cannot have credentials at all.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    Err(serde::de::Error::custom(format!(
        "url {parsed} must not contain a user name or password, because logs and error \
         messages show the URL: remove them; Wharf signs in with `login` and the api key"
    )))
}

/// Reads an optional Odoo field name and rejects one that is not a plain
/// identifier, so a bad name fails when the configuration loads.
fn field_name<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let name = Option::<String>::deserialize(deserializer)?;
    if let Some(name) = &name {
        check_field_name("credit_hold_field", name).map_err(serde::de::Error::custom)?;
    }
    Ok(name)
}

/// Checks that `name`, the value of the setting `key`, is a plain field
/// identifier: ASCII letters, digits and `_`, not starting with a digit.
/// Wharf puts such a name into the field list of a call, so anything else
/// is a configuration error.
pub(crate) fn check_field_name(key: &str, name: &str) -> Result<(), Error> {
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let starts_well = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if plain && starts_well {
        return Ok(());
    }
    Err(Error::Config(format!(
        "{key} {name:?} is not an Odoo field name: use ASCII letters, digits and `_` only, not starting with a digit, such as \"x_credit_hold\""
    )))
}

impl OdooConfig {
    /// Builds a configuration with the default protocol, timeouts and page size.
    pub fn new(
        url: impl Into<String>,
        database: impl Into<String>,
        login: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            database: database.into(),
            login: login.into(),
            api_key_file: None,
            api_key_env: None,
            protocol: Protocol::Auto,
            timeout_secs: default_timeout_secs(),
            connect_timeout_secs: default_connect_timeout_secs(),
            page_size: default_page_size(),
            credit_hold_field: None,
        }
    }

    /// Reads the api key from `api_key_file` or from the variable named in
    /// `api_key_env`; exactly one of them must be set.
    pub fn load_api_key(&self) -> Result<Secret, Error> {
        match (&self.api_key_file, &self.api_key_env) {
            (Some(path), None) => {
                let text = std::fs::read_to_string(path).map_err(|error| {
                    Error::Config(format!("cannot read api_key_file {}: {error}", path.display()))
                })?;
                let key = text.lines().next().unwrap_or("").trim();
                if key.is_empty() {
                    return Err(Error::Config(format!("api_key_file {} is empty", path.display())));
                }
                Ok(Secret::new(key))
            }
            (None, Some(name)) => match std::env::var(name) {
                Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim())),
                _ => Err(Error::Config(format!(
                    "environment variable {name} (api_key_env) is missing or empty; set it to the Odoo api key"
                ))),
            },
            (Some(_), Some(_)) => Err(Error::Config(
                "both api_key_file and api_key_env are set; keep one of them".to_owned(),
            )),
            (None, None) => Err(Error::Config(
                "no api key: set api_key_file or api_key_env".to_owned(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_hides_value() {
        let secret = Secret::new("a6c0f062");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret}"), "***");
    }

    #[test]
    fn config_rejects_unknown_fields() {
        let json = r#"{"url":"http://127.0.0.1:1","database":"d","login":"l","api_key":"x"}"#;
        assert!(serde_json::from_str::<OdooConfig>(json).is_err());
    }

    #[test]
    fn config_defaults() {
        let json =
            r#"{"url":"http://127.0.0.1:1","database":"d","login":"l","protocol":"jsonrpc"}"#;
        let config: OdooConfig = serde_json::from_str(json).unwrap();
        assert_eq!(config.protocol, Protocol::JsonRpc);
        assert_eq!(config.timeout_secs, 30);
        assert_eq!(config.page_size, 100);
        assert_eq!(config.credit_hold_field, None);
    }

    #[test]
    fn credit_hold_field_loads() {
        let json = r#"{"url":"http://127.0.0.1:1","database":"d","login":"l","credit_hold_field":"x_credit_hold"}"#;
        let config: OdooConfig = serde_json::from_str(json).unwrap();
        assert_eq!(config.credit_hold_field.as_deref(), Some("x_credit_hold"));
    }

    #[test]
    fn credit_hold_field_rejects_non_identifier() {
        for bad in [
            "",
            "x-credit",
            "x_credit hold",
            "1_hold",
            "x_crédit",
            "parent_id.x_hold",
        ] {
            let json = serde_json::json!({
                "url": "http://127.0.0.1:1", "database": "d", "login": "l",
                "credit_hold_field": bad,
            });
            let error = serde_json::from_value::<OdooConfig>(json).unwrap_err();
            assert!(
                error.to_string().contains("is not an Odoo field name"),
                "{bad:?}: {error}"
            );
        }
    }

    #[test]
    fn debug_shows_no_key() {
        let key = "5b2e07c4d1a94f38b6e0c9a7f12d8e63";
        let path = std::env::temp_dir().join(format!("wharf-odoo-key-{}", std::process::id()));
        std::fs::write(&path, key).unwrap();
        let mut config = OdooConfig::new("http://127.0.0.1:1", "d", "l");
        config.api_key_file = Some(path.clone());
        let secret = config.load_api_key();
        std::fs::remove_file(&path).unwrap();
        let secret = secret.unwrap();
        let http = reqwest::Client::new();
        let json2 =
            crate::transport::json2::Json2::new(http.clone(), &config.url, "d", secret.clone());
        let jsonrpc =
            crate::transport::jsonrpc::JsonRpc::new(http, &config.url, "d", secret.clone());

        assert_eq!(secret.expose(), key);
        assert!(!format!("{config:?}").contains(key), "{config:?}");
        assert!(!format!("{secret:?}").contains(key));
        assert!(!format!("{json2:?}").contains(key), "{json2:?}");
        assert!(!format!("{jsonrpc:?}").contains(key), "{jsonrpc:?}");
    }

    #[test]
    fn url_with_credentials_is_rejected() {
        for url in [
            "https://integration:s3cr3t-pass@erp.example.com",
            "https://s3cr3t-pass@erp.example.com",
        ] {
            let json = serde_json::json!({"url": url, "database": "d", "login": "l"});
            let error = serde_json::from_value::<OdooConfig>(json)
                .unwrap_err()
                .to_string();

            assert!(error.contains("https://erp.example.com"), "{error}");
            assert!(error.contains("user name or password"), "{error}");
            assert!(!error.contains("s3cr3t-pass"), "{error}");
        }
    }

    #[test]
    fn api_key_from_missing_env_is_config_error() {
        let mut config = OdooConfig::new("http://127.0.0.1:1", "d", "l");
        config.api_key_env = Some("WHARF_ODOO_TEST_KEY_THAT_IS_NOT_SET".to_owned());
        assert!(matches!(config.load_api_key(), Err(Error::Config(_))));
    }
}
