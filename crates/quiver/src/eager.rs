//! A whole result held in memory.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::record::Record;
use crate::summary::ResultSummary;
use crate::{Map, Value};

/// Every record of a result with its keys and summary, as returned by
/// `execute_query` and `to_eager_result`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EagerResult {
    /// The keys (columns), shared by every record.
    pub keys: Arc<[String]>,
    /// The records, in order.
    pub records: Vec<Record>,
    /// The summary.
    pub summary: ResultSummary,
}

impl EagerResult {
    /// A result from its parts.
    pub fn new(keys: Arc<[String]>, records: Vec<Record>, summary: ResultSummary) -> Self {
        EagerResult {
            keys,
            records,
            summary,
        }
    }

    /// The first column of every record (the manual's `result.value()`).
    ///
    /// ```no_run
    /// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
    /// let names: Vec<String> = driver
    ///     .execute_query("MATCH (p:Person) RETURN p.name")
    ///     .await?
    ///     .value()?;
    /// # let _ = names; Ok(()) }
    /// ```
    pub fn value<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        self.records.iter().map(|r| r.get_at(0)).collect()
    }

    /// The column `key` of every record.
    pub fn column<T: DeserializeOwned>(&self, key: &str) -> Result<Vec<T>> {
        self.records.iter().map(|r| r.get(key)).collect()
    }

    /// The values of every record, in column order.
    pub fn values(&self) -> Result<Vec<Vec<Value>>> {
        self.records.iter().map(Record::values).collect()
    }

    /// Every record as a map from key to value.
    pub fn data(&self) -> Result<Vec<Map>> {
        self.records.iter().map(Record::data).collect()
    }

    /// The parts: keys, records and summary.
    pub fn into_parts(self) -> (Arc<[String]>, Vec<Record>, ResultSummary) {
        (self.keys, self.records, self.summary)
    }
}
