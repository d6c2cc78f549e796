//! A summary not built yet: the metadata it will come from.
//!
//! Most results are never asked for their summary, so the driver keeps the
//! two `SUCCESS` replies (as bytes) and builds the [`ResultSummary`] only
//! when [`consume`](crate::QueryResult::consume) wants it.

use quiver_bolt::Success;

use super::{Query, ResultSummary, ServerInfo, StreamShape};
use crate::error::{Error, ErrorKind, Result};

/// The metadata a result's summary is built from.
#[derive(Debug, Clone)]
pub(crate) struct PendingSummary {
    pub(crate) query: Query,
    pub(crate) server: ServerInfo,
    /// RUN's SUCCESS.
    pub(crate) run: Success,
    /// The final PULL's or DISCARD's SUCCESS.
    pub(crate) end: Success,
    pub(crate) shape: StreamShape,
}

impl PendingSummary {
    /// Builds the summary (every call builds it anew).
    pub(crate) fn build(&self) -> Result<ResultSummary> {
        let decode = |s: &Success| {
            s.metadata().map_err(|e| {
                Error::new(
                    ErrorKind::Protocol,
                    "the server's summary metadata could not be decoded",
                )
                .with_source(e)
            })
        };
        let run = decode(&self.run)?;
        let end = decode(&self.end)?;
        // A query type the protocol does not define means the server and driver disagree
        // on what the result was: refuse it rather than guess.
        if let Some(crate::Value::String(t)) = end.get("type").or_else(|| run.get("type")) {
            if super::QueryType::from_code(t).is_none() {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!("the server sent an unknown query type {t:?}"),
                ));
            }
        }
        Ok(ResultSummary::from_metadata(
            self.query.clone(),
            self.server.clone(),
            &run,
            &end,
            self.shape,
        ))
    }
}
