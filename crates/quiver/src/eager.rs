//! A whole result held in memory.

use std::sync::Arc;

use crate::record::Record;
use crate::summary::ResultSummary;

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

    /// The parts: keys, records and summary.
    pub fn into_parts(self) -> (Arc<[String]>, Vec<Record>, ResultSummary) {
        (self.keys, self.records, self.summary)
    }
}
