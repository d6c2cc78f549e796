//! Result requests on a stored `quiver::QueryResult`.
//!
//! Not yet: `CypherTypeField` (TestKit's field access on Cypher values; no test in the
//! targeted TestKit versions needs it without a feature the backend does not advertise).

use std::sync::Arc;

use quiver::QueryResult;

use super::not_yet;
use crate::connection::Ctx;
use crate::error::Result;
use crate::ids::Id;
use crate::reports::{self, driver_error};
use crate::requests::{
    CypherTypeField, ResultConsume, ResultList, ResultNext, ResultPeek, ResultSingle,
    ResultSingleOptional,
};
use crate::responses::Response;

/// A result TestKit reads from (shared: requests on it may overlap).
pub type ResultEntry = Arc<tokio::sync::Mutex<QueryResult>>;

/// Stores a fresh result and answers `Result{id, keys}`.
pub fn register(ctx: &Ctx, result: QueryResult) -> Response {
    let keys = result.keys().to_vec();
    let id = ctx.next_id();
    ctx.state()
        .results
        .insert(id, Arc::new(tokio::sync::Mutex::new(result)));
    Response::Result { id, keys }
}

fn entry(ctx: &Ctx, id: Id) -> Result<ResultEntry> {
    Ok(Arc::clone(ctx.state().results.get(id)?))
}

/// `ResultNext` → `Record` / `NullRecord`.
pub async fn next(ctx: &Ctx, request: ResultNext) -> Result<Response> {
    let result = entry(ctx, request.result_id)?;
    let mut result = result.lock().await;
    match result.next().await {
        None => Ok(Response::NullRecord {}),
        Some(Ok(record)) => reports::record(&record).map_err(|e| broken_value(ctx, e)),
        Some(Err(e)) => Err(driver_error(ctx, e)),
    }
}

/// A record whose value the driver hands over but TestKit's encoding can't carry (a
/// date-time in a zone the time-zone database doesn't know has no offset to send): the
/// driver-side error TestKit expects for that value, the result going on after it.
fn broken_value(ctx: &Ctx, error: crate::error::Error) -> crate::error::Error {
    match error {
        crate::error::Error::Value(msg) => reports::misuse_error(ctx, "BrokenValueError", &msg),
        other => other,
    }
}

/// `ResultSingle` → `Record`.
pub async fn single(ctx: &Ctx, request: ResultSingle) -> Result<Response> {
    let result = entry(ctx, request.result_id)?;
    let mut result = result.lock().await;
    let record = result.single().await.map_err(|e| driver_error(ctx, e))?;
    reports::record(&record)
}

/// `ResultSingleOptional` → `RecordOptional{record, warnings}`.
pub async fn single_optional(ctx: &Ctx, request: ResultSingleOptional) -> Result<Response> {
    let result = entry(ctx, request.result_id)?;
    let mut result = result.lock().await;
    let found = result
        .single_optional()
        .await
        .map_err(|e| driver_error(ctx, e))?;
    reports::record_optional(found.record.as_ref(), found.warnings)
}

/// `ResultPeek` → `Record` / `NullRecord`.
pub async fn peek(ctx: &Ctx, request: ResultPeek) -> Result<Response> {
    let result = entry(ctx, request.result_id)?;
    let mut result = result.lock().await;
    match result.peek().await {
        Ok(Some(record)) => reports::record(record).map_err(|e| broken_value(ctx, e)),
        Ok(None) => Ok(Response::NullRecord {}),
        Err(e) => Err(driver_error(ctx, e)),
    }
}

/// `ResultList` → `RecordList`.
pub async fn list(ctx: &Ctx, request: ResultList) -> Result<Response> {
    let result = entry(ctx, request.result_id)?;
    let mut result = result.lock().await;
    let records = result.list().await.map_err(|e| driver_error(ctx, e))?;
    reports::record_list(&records)
}

/// `ResultConsume` → `Summary`.
pub async fn consume(ctx: &Ctx, request: ResultConsume) -> Result<Response> {
    let result = entry(ctx, request.result_id)?;
    let mut result = result.lock().await;
    let summary = result.consume().await.map_err(|e| driver_error(ctx, e))?;
    Ok(Response::Summary(Box::new(reports::summary(&summary)?)))
}

/// `CypherTypeField` → `Field`.
pub async fn cypher_type_field(_ctx: &Ctx, _request: CypherTypeField) -> Result<Response> {
    not_yet("CypherTypeField")
}
