//! Session requests and the managed-transaction (retry) flow. They need a `quiver::Session`;
//! until the facade lands they answer `BackendError("not supported yet: <request>")`.
//!
//! To wire in:
//! * The facade's `Transaction<'s>` borrows its `Session`, so a session and its explicit
//!   transaction cannot sit side by side in registries. Run each session as a small actor: a
//!   local task that owns the `quiver::Session` and serves commands sent over a channel
//!   (`Run`, `BeginTransaction`, `TxRun`, `Commit`, `Rollback`, `Close`, `LastBookmarks`, ...),
//!   answering each on a oneshot. The `sessions` registry then holds the command sender, and
//!   `transactions` holds `(session id, tx id)` routes. Results (`quiver::QueryResult`, which
//!   owns its stream) and managed transactions (`quiver::ManagedTransaction`, owned) can live
//!   in registries directly as `Arc<tokio::sync::Mutex<_>>`.
//! * `NewSession` → `Session{id}` (config from [`crate::driver_setup::session_config`]),
//!   `SessionClose` → `Session{id}`, `SessionRun` → `Result{id, keys}` (transaction config
//!   from [`crate::driver_setup::transaction_config`]), `SessionBeginTransaction` →
//!   `Transaction{id}`, `SessionLastBookmarks` → `Bookmarks`.
//! * `SessionReadTransaction`/`SessionWriteTransaction`: the actor runs
//!   `execute_with_config` with a transaction function that, on each attempt, registers the
//!   `ManagedTransaction` under a fresh id, sends `RetryableTry{id}` with [`Ctx::send`], then
//!   waits on a channel kept in the session's entry for TestKit's verdict. The handler stays
//!   running across the following requests (`TransactionRun`, `ResultNext`, ...) and finally
//!   answers with `RetryableDone` (or the error, through [`crate::reports::driver_error`]).
//!   If the driver retries, the function runs again and sends the next `RetryableTry` itself.
//! * `RetryablePositive`: send "commit" down that channel and return
//!   [`Reply::AnsweredElsewhere`]: the running managed-transaction handler answers.
//! * `RetryableNegative{errorId}`: send "fail" down the channel with the stored driver error
//!   (taken out of `State::errors`) or, for `""`, a user error that ends as `FrontendError`;
//!   return `AnsweredElsewhere`.

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
