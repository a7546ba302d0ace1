//! The generic ORM calls (`search_read`, `read`, `write`, `create`,
//! `search_count`, `search`) on top of [`Client::call`], with their results
//! checked and converted.

use serde_json::{json, Map, Value};

use crate::client::{Client, SearchOptions};
use crate::error::Error;
use crate::values::{id_of, Record};

impl Client {
    /// Searches and reads in one call.
    pub async fn search_read(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
        options: SearchOptions,
    ) -> Result<Vec<Record>, Error> {
        let mut kwargs = options_kwargs(options);
        kwargs.insert("fields".to_owned(), json!(fields));
        let answer = self
            .call(model, "search_read", vec![domain], kwargs)
            .await?;
        records(&format!("{model}.search_read"), answer)
    }

    /// Returns the ids matching `domain`.
    pub async fn search(
        &self,
        model: &str,
        domain: Value,
        options: SearchOptions,
    ) -> Result<Vec<i64>, Error> {
        let answer = self
            .call(model, "search", vec![domain], options_kwargs(options))
            .await?;
        id_list(&format!("{model}.search"), &answer)
    }

    /// Reads `fields` of the records `ids`; ids that do not exist are left out
    /// (Odoo returns no error for them).
    pub async fn read(
        &self,
        model: &str,
        ids: &[i64],
        fields: &[&str],
    ) -> Result<Vec<Record>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut kwargs = Map::new();
        kwargs.insert("fields".to_owned(), json!(fields));
        let answer = self.call(model, "read", vec![json!(ids)], kwargs).await?;
        records(&format!("{model}.read"), answer)
    }

    /// Writes the same `vals` on every record of `ids`.
    pub async fn write(
        &self,
        model: &str,
        ids: &[i64],
        vals: Map<String, Value>,
    ) -> Result<(), Error> {
        self.write_with_context(model, ids, vals, None).await
    }

    /// Writes `vals` with a context, such as `inventory_mode`.
    pub async fn write_with_context(
        &self,
        model: &str,
        ids: &[i64],
        vals: Map<String, Value>,
        context: Option<Map<String, Value>>,
    ) -> Result<(), Error> {
        let mut kwargs = Map::new();
        if let Some(context) = context {
            kwargs.insert("context".to_owned(), Value::Object(context));
        }
        let answer = self
            .call(
                model,
                "write",
                vec![json!(ids), Value::Object(vals)],
                kwargs,
            )
            .await?;
        match answer {
            Value::Bool(true) => Ok(()),
            other => Err(Error::unexpected(
                &format!("{model}.write"),
                format!("expected true, got {other}"),
            )),
        }
    }

    /// Creates one record per values object in one call and returns their ids
    /// in the same order.
    pub async fn create(
        &self,
        model: &str,
        vals_list: Vec<Map<String, Value>>,
    ) -> Result<Vec<i64>, Error> {
        self.create_with_context(model, vals_list, None).await
    }

    /// Creates records with a context.
    pub async fn create_with_context(
        &self,
        model: &str,
        vals_list: Vec<Map<String, Value>>,
        context: Option<Map<String, Value>>,
    ) -> Result<Vec<i64>, Error> {
        let call = format!("{model}.create");
        let count = vals_list.len();
        let vals_list = Value::Array(vals_list.into_iter().map(Value::Object).collect());
        let mut kwargs = Map::new();
        if let Some(context) = context {
            kwargs.insert("context".to_owned(), Value::Object(context));
        }
        let answer = self.call(model, "create", vec![vals_list], kwargs).await?;
        let ids = id_list(&call, &answer)?;
        if ids.len() != count {
            return Err(Error::unexpected(
                &call,
                format!("asked for {count} records, got {} ids", ids.len()),
            ));
        }
        Ok(ids)
    }

    /// Counts the records matching `domain`.
    pub async fn search_count(&self, model: &str, domain: Value) -> Result<u64, Error> {
        let answer = self
            .call(model, "search_count", vec![domain], Map::new())
            .await?;
        answer.as_u64().ok_or_else(|| {
            Error::unexpected(
                &format!("{model}.search_count"),
                "the count is not an integer",
            )
        })
    }
}

fn options_kwargs(options: SearchOptions) -> Map<String, Value> {
    let mut kwargs = Map::new();
    if let Some(offset) = options.offset {
        kwargs.insert("offset".to_owned(), json!(offset));
    }
    if let Some(limit) = options.limit {
        kwargs.insert("limit".to_owned(), json!(limit));
    }
    if let Some(order) = options.order {
        kwargs.insert("order".to_owned(), json!(order));
    }
    if let Some(context) = options.context {
        kwargs.insert("context".to_owned(), Value::Object(context));
    }
    kwargs
}

/// Converts a list of records, checking that each has an id.
pub(crate) fn records(call: &str, answer: Value) -> Result<Vec<Record>, Error> {
    let Value::Array(items) = answer else {
        return Err(Error::unexpected(call, "expected a list of records"));
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(record) if id_of(&record) != 0 => Ok(record),
            _ => Err(Error::unexpected(call, "a record has no id")),
        })
        .collect()
}

/// Converts a list of ids; a bare id (JSON-RPC `create` of one dict) is a list of one.
pub(crate) fn id_list(call: &str, answer: &Value) -> Result<Vec<i64>, Error> {
    match answer {
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_i64()
                    .ok_or_else(|| Error::unexpected(call, "an id is not an integer"))
            })
            .collect(),
        Value::Number(id) => Ok(vec![id
            .as_i64()
            .ok_or_else(|| Error::unexpected(call, "the id is not an integer"))?]),
        _ => Err(Error::unexpected(call, "expected a list of ids")),
    }
}
