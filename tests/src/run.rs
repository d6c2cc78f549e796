//! One-line forms of what many tests do with a query: run it to the end, read
//! one value of its single record, run it through the driver. Each panics
//! with what failed, as the tests' own `expect`s did.

use quiver::{Driver, EagerResult, Query, ResultSummary, Session};
use serde::de::DeserializeOwned;

/// Runs `query` in `session` and consumes the result; `what` names the query
/// in the panic message should it fail.
pub async fn consume(session: &mut Session, query: impl Into<Query>, what: &str) -> ResultSummary {
    session
        .run(query)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .consume()
        .await
        .unwrap_or_else(|e| panic!("{what}: consume: {e}"))
}

/// Runs `query` in `session`, which must give exactly one record, and reads
/// its field `key`.
pub async fn single<T: DeserializeOwned>(
    session: &mut Session,
    query: impl Into<Query>,
    key: &str,
) -> T {
    session
        .run(query)
        .await
        .unwrap_or_else(|e| panic!("run: {e}"))
        .single()
        .await
        .unwrap_or_else(|e| panic!("single: {e}"))
        .get(key)
        .unwrap_or_else(|e| panic!("field {key}: {e}"))
}

/// Runs `query` with [`Driver::execute_query`]; `what` names it in the panic
/// message should it fail.
pub async fn execute(driver: &Driver, query: impl Into<Query>, what: &str) -> EagerResult {
    driver
        .execute_query(query)
        .run()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Runs `query` with [`Driver::execute_query`] and reads field `key` of its
/// first record.
pub async fn execute_first<T: DeserializeOwned>(
    driver: &Driver,
    query: impl Into<Query>,
    key: &str,
) -> T {
    let result = execute(driver, query, "execute_query").await;
    let Some(record) = result.records.first() else {
        panic!("no record")
    };
    record
        .get(key)
        .unwrap_or_else(|e| panic!("field {key}: {e}"))
}

/// [`consume`] for a blocking session.
pub fn consume_blocking(
    session: &mut quiver::blocking::Session,
    query: impl Into<Query>,
    what: &str,
) -> ResultSummary {
    session
        .run(query)
        .and_then(|mut r| r.consume())
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}
