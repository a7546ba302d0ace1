//! The server's version and the field and signature differences between
//! Odoo 17, 18 and 19 that the client hides.
//!
//! Versions are matched on `server_version_info[0]` (or `version_info[0]`
//! from `GET /json/version`), never on the version string: Odoo 19 builds
//! report strings such as `19.0+e-20251227`.

use serde_json::Value;

use crate::error::Error;

/// The Odoo version a server reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    /// The major version, such as 18.
    pub major: u32,
    /// The minor version (0 for the yearly releases, 1 to 4 for the SaaS ones).
    pub minor: u32,
    /// The version string, such as `18.0-20250506`.
    pub text: String,
}

impl ServerVersion {
    /// Parses the result of `common.version` (JSON-RPC) or `GET /json/version`.
    pub fn from_answer(answer: &Value) -> Option<Self> {
        let info = answer
            .get("server_version_info")
            .or_else(|| answer.get("version_info"))?
            .as_array()?;
        let major = u32::try_from(info.first()?.as_u64()?).ok()?;
        let minor = info
            .get(1)
            .and_then(Value::as_u64)
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(0);
        let text = answer
            .get("server_version")
            .or_else(|| answer.get("version"))
            .and_then(Value::as_str)
            .map_or_else(|| format!("{major}.{minor}"), str::to_owned);
        Some(Self { major, minor, text })
    }

    /// Returns an error for servers older than Odoo 17, whose move lines use
    /// `qty_done` in place of `quantity` and `picked`.
    pub fn check_supported(&self) -> Result<(), Error> {
        if self.major < 17 {
            return Err(Error::UnsupportedVersion {
                version: self.text.clone(),
            });
        }
        Ok(())
    }

    /// Returns whether the server has the JSON-2 API (Odoo 19 and later).
    pub fn has_json2(&self) -> bool {
        self.major >= 19
    }

    /// Returns the field names and signatures of this version.
    pub fn dialect(&self) -> Dialect {
        Dialect { major: self.major }
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Field names and method signatures that differ between supported versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    major: u32,
}

impl Dialect {
    /// The dialect of one major version.
    pub fn for_major(major: u32) -> Self {
        Self { major }
    }

    /// Returns the domain that selects storable products: `type = product` in
    /// 17, `is_storable = true` (with `type = consu`) from 18.
    pub fn storable_product_domain(self) -> Value {
        if self.major <= 17 {
            serde_json::json!([["type", "=", "product"]])
        } else {
            serde_json::json!([["type", "=", "consu"], ["is_storable", "=", true]])
        }
    }

    /// Returns the product fields that tell whether a product is storable.
    pub fn storable_fields(self) -> &'static [&'static str] {
        if self.major <= 17 {
            &["type"]
        } else {
            &["type", "is_storable"]
        }
    }

    /// Returns whether a product record read with [`Self::storable_fields`] is storable.
    pub fn is_storable(self, product: &serde_json::Map<String, Value>) -> bool {
        if self.major <= 17 {
            product.get("type").and_then(Value::as_str) == Some("product")
        } else {
            product.get("is_storable").and_then(Value::as_bool) == Some(true)
        }
    }

    /// Returns the unit of measure field of `sale.order.line` (`product_uom_id` from 19).
    pub fn sale_line_uom_field(self) -> &'static str {
        if self.major >= 19 {
            "product_uom_id"
        } else {
            "product_uom"
        }
    }

    /// Returns the description field of `stock.move`: 19 removed `name`.
    pub fn move_description_field(self) -> &'static str {
        if self.major >= 19 {
            "description_picking"
        } else {
            "name"
        }
    }

    /// Returns the groups field of `res.users` (`group_ids` from 19).
    pub fn user_groups_field(self) -> &'static str {
        if self.major >= 19 {
            "group_ids"
        } else {
            "groups_id"
        }
    }

    /// Returns whether `res.users.has_group` is an `@api.model` method taking
    /// only the group (17) rather than a record method taking ids (18 and later).
    pub fn has_group_is_model_method(self) -> bool {
        self.major <= 17
    }

    /// Returns the `stock.return.picking` method that creates the return
    /// picking: `create_returns` in 17, `action_create_returns` from 18.
    pub fn create_returns_method(self) -> &'static str {
        if self.major <= 17 {
            "create_returns"
        } else {
            "action_create_returns"
        }
    }

    /// Returns the `stock.return.picking.line` fields to read. Odoo 17 has no
    /// `move_quantity` and pre-fills `quantity` with the returnable quantity;
    /// 18 and later pre-fill 0 and keep the delivered quantity in `move_quantity`.
    pub fn return_line_fields(self) -> &'static [&'static str] {
        if self.major <= 17 {
            &["product_id", "quantity", "move_id"]
        } else {
            &["product_id", "quantity", "move_quantity", "move_id"]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_jsonrpc_version() {
        let answer = json!({"server_version": "18.0-20250506", "server_version_info": [18, 0, 0, "final", 0, ""], "server_serie": "18.0", "protocol_version": 1});
        let version = ServerVersion::from_answer(&answer).unwrap();
        assert_eq!(version.major, 18);
        assert!(!version.has_json2());
    }

    #[test]
    fn parse_json2_version() {
        let answer =
            json!({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0+e-20251227"});
        let version = ServerVersion::from_answer(&answer).unwrap();
        assert_eq!(version.major, 19);
        assert_eq!(version.text, "19.0+e-20251227");
        assert!(version.has_json2());
    }

    #[test]
    fn reject_odoo_16() {
        let answer =
            json!({"server_version": "16.0", "server_version_info": [16, 0, 0, "final", 0, ""]});
        let version = ServerVersion::from_answer(&answer).unwrap();
        let error = version.check_supported().unwrap_err();
        assert!(error.to_string().contains("Odoo 17 or later"), "{error}");
    }

    #[test]
    fn dialect_differences() {
        let v17 = Dialect::for_major(17);
        let v19 = Dialect::for_major(19);
        assert!(v17.has_group_is_model_method());
        assert!(!Dialect::for_major(18).has_group_is_model_method());
        assert_eq!(v17.sale_line_uom_field(), "product_uom");
        assert_eq!(v19.sale_line_uom_field(), "product_uom_id");
        assert_eq!(v19.user_groups_field(), "group_ids");
        assert_eq!(v17.create_returns_method(), "create_returns");
        assert_eq!(
            Dialect::for_major(18).create_returns_method(),
            "action_create_returns"
        );
        assert!(!v17.return_line_fields().contains(&"move_quantity"));
        assert!(v19.return_line_fields().contains(&"move_quantity"));
        let product: serde_json::Map<String, Value> =
            serde_json::from_value(json!({"type": "consu", "is_storable": true})).unwrap();
        assert!(Dialect::for_major(18).is_storable(&product));
        assert!(!v17.is_storable(&product));
    }
}
