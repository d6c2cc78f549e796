//! Session requests and the managed-transaction (retry) flow. They need a `quiver::Session`;
//! until the facade lands they answer `BackendError("not supported yet: <request>")`.
//!
//! To wire in:
//! * `NewSession` → `Session{id}` (config from every field; `bookmarkManagerId` from the
//!   `bookmark_managers` registry; `authorizationToken` for user switching), `SessionClose` →
//!   `Session{id}`, `SessionRun` → `Result{id, keys}`, `SessionBeginTransaction` →
//!   `Transaction{id}`, `SessionLastBookmarks` → `Bookmarks`.
//! * `SessionReadTransaction`/`SessionWriteTransaction`: start the driver's managed
//!   transaction with a transaction function that, on each attempt, registers the transaction
//!   under a fresh id, sends `RetryableTry{id}` with [`Ctx::send`], then waits on a channel kept
//!   in the session's entry for TestKit's verdict. The handler stays running across the
//!   following requests (`TransactionRun`, `ResultNext`, ...) and finally answers with
//!   `RetryableDone` (or the error). If the driver retries, the function runs again and sends
//!   the next `RetryableTry` itself.
//! * `RetryablePositive`: send "commit" down that channel and return
//!   [`Reply::AnsweredElsewhere`]: the running managed-transaction handler answers.
//! * `RetryableNegative{errorId}`: send "fail with this error" down the channel (`""`: a
//!   `FrontendError`; an id: the stored driver error) and return `AnsweredElsewhere`.

use super::not_yet;
use crate::connection::{Ctx, Reply};
use crate::error::Result;
use crate::requests::{
    NewSession, RetryableNegative, RetryablePositive, SessionBeginTransaction, SessionClose,
    SessionLastBookmarks, SessionReadTransaction, SessionRun, SessionWriteTransaction,
};
use crate::responses::Response;

/// `NewSession` → `Session`.
pub async fn new_session(_ctx: &Ctx, _request: NewSession) -> Result<Response> {
    not_yet("NewSession")
}

/// `SessionClose` → `Session`.
pub async fn session_close(_ctx: &Ctx, _request: SessionClose) -> Result<Response> {
    not_yet("SessionClose")
}

/// `SessionRun` → `Result`.
pub async fn session_run(_ctx: &Ctx, _request: SessionRun) -> Result<Response> {
    not_yet("SessionRun")
}

/// `SessionBeginTransaction` → `Transaction`.
pub async fn begin_transaction(_ctx: &Ctx, _request: SessionBeginTransaction) -> Result<Response> {
    not_yet("SessionBeginTransaction")
}

/// `SessionReadTransaction` → `RetryableTry` ... `RetryableDone`.
pub async fn read_transaction(_ctx: &Ctx, _request: SessionReadTransaction) -> Result<Reply> {
    not_yet("SessionReadTransaction")
}

/// `SessionWriteTransaction` → `RetryableTry` ... `RetryableDone`.
pub async fn write_transaction(_ctx: &Ctx, _request: SessionWriteTransaction) -> Result<Reply> {
    not_yet("SessionWriteTransaction")
}

/// `SessionLastBookmarks` → `Bookmarks`.
pub async fn last_bookmarks(_ctx: &Ctx, _request: SessionLastBookmarks) -> Result<Response> {
    not_yet("SessionLastBookmarks")
}

/// `RetryablePositive`: answered by the running managed-transaction handler.
pub async fn retryable_positive(_ctx: &Ctx, _request: RetryablePositive) -> Result<Reply> {
    not_yet("RetryablePositive")
}

/// `RetryableNegative`: answered by the running managed-transaction handler.
pub async fn retryable_negative(_ctx: &Ctx, _request: RetryableNegative) -> Result<Reply> {
    not_yet("RetryableNegative")
}
