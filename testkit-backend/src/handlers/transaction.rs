//! Explicit transaction requests. They need a `quiver` transaction; until the facade lands
//! they answer `BackendError("not supported yet: <request>")`.
//!
//! To wire in: keep transactions (explicit ones and those of a managed transaction function)
//! in a `transactions` registry as shared handles; `TransactionRun` → `Result{id, keys}`
//! (parameters through [`crate::convert`]), `TransactionCommit`/`Rollback`/`Close` →
//! `Transaction{id}`.

use super::not_yet;
use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{TransactionClose, TransactionCommit, TransactionRollback, TransactionRun};
use crate::responses::Response;

/// `TransactionRun` → `Result`.
pub async fn run(_ctx: &Ctx, _request: TransactionRun) -> Result<Response> {
    not_yet("TransactionRun")
}

/// `TransactionCommit` → `Transaction`.
pub async fn commit(_ctx: &Ctx, _request: TransactionCommit) -> Result<Response> {
    not_yet("TransactionCommit")
}

/// `TransactionRollback` → `Transaction`.
pub async fn rollback(_ctx: &Ctx, _request: TransactionRollback) -> Result<Response> {
    not_yet("TransactionRollback")
}

/// `TransactionClose` → `Transaction`.
pub async fn close(_ctx: &Ctx, _request: TransactionClose) -> Result<Response> {
    not_yet("TransactionClose")
}
