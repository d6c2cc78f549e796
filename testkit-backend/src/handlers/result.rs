//! Result requests. They need a `quiver` result stream; until the facade lands they answer
//! `BackendError("not supported yet: <request>")`.
//!
//! To wire in: keep results in a `results` registry as shared handles (with the query text and
//! parameters, for the summary's `query`). `ResultNext`/`ResultPeek` → `Record` or
//! `NullRecord`; `ResultSingle` → `Record`; `ResultSingleOptional` → `RecordOptional`;
//! `ResultList` → `RecordList`; `ResultConsume` → `Summary`; `CypherTypeField` → `Field`
//! (pick `recordKey` from the next record and extract `field` of the `Node`/`Relationship`/
//! `Path`). Values go through [`crate::convert::to_cypher`].

use super::not_yet;
use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{
    CypherTypeField, ResultConsume, ResultList, ResultNext, ResultPeek, ResultSingle,
    ResultSingleOptional,
};
use crate::responses::Response;

/// `ResultNext` → `Record` / `NullRecord`.
pub async fn next(_ctx: &Ctx, _request: ResultNext) -> Result<Response> {
    not_yet("ResultNext")
}

/// `ResultSingle` → `Record`.
pub async fn single(_ctx: &Ctx, _request: ResultSingle) -> Result<Response> {
    not_yet("ResultSingle")
}

/// `ResultSingleOptional` → `RecordOptional`.
pub async fn single_optional(_ctx: &Ctx, _request: ResultSingleOptional) -> Result<Response> {
    not_yet("ResultSingleOptional")
}

/// `ResultPeek` → `Record` / `NullRecord`.
pub async fn peek(_ctx: &Ctx, _request: ResultPeek) -> Result<Response> {
    not_yet("ResultPeek")
}

/// `ResultList` → `RecordList`.
pub async fn list(_ctx: &Ctx, _request: ResultList) -> Result<Response> {
    not_yet("ResultList")
}

/// `ResultConsume` → `Summary`.
pub async fn consume(_ctx: &Ctx, _request: ResultConsume) -> Result<Response> {
    not_yet("ResultConsume")
}

/// `CypherTypeField` → `Field`.
pub async fn cypher_type_field(_ctx: &Ctx, _request: CypherTypeField) -> Result<Response> {
    not_yet("CypherTypeField")
}
