//! Session requests and the managed-transaction (retry) flow.
//!
//! The facade's `Transaction<'s>` borrows its `Session`, so each session runs as a small actor:
//! a local task that owns the `quiver::Session` and serves commands in order. The
//! `sessions` registry holds the command channel; `transactions` holds routes (explicit
//! transactions go through their session's actor, managed ones are used directly); results
//! own their streams and sit in `results`.
//!
//! `SessionReadTransaction`/`SessionWriteTransaction`: the actor runs `execute_with_config`
//! with a function that, on each attempt, registers the `ManagedTransaction` under a fresh id,
//! sends `RetryableTry{id}` with [`Ctx::send`], then waits for TestKit's verdict. The
//! handler stays running across the following requests (`TransactionRun`, `ResultNext`, ...)
//! and finally answers `RetryableDone` or the error. If the driver retries, the function runs
//! again and sends the next `RetryableTry` itself. `RetryablePositive`/`RetryableNegative`
//! hand the verdict over and return [`Reply::AnsweredElsewhere`]; a `RetryableNegative` with
//! a driver error id fails the attempt with that very error (so the driver may retry it), and
//! with `""` with a user error that ends as `FrontendError`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use quiver::{ManagedTransaction, Query, QueryResult, TransactionConfig};
use tokio::sync::{mpsc, oneshot};

use crate::connection::{Ctx, Reply};
use crate::convert::to_value_map;
use crate::driver_setup::{session_config, transaction_config};
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::reports::driver_error;
use crate::requests::{
    ErrorRef, NewSession, RetryableNegative, RetryablePositive, SessionBeginTransaction,
    SessionClose, SessionLastBookmarks, SessionReadTransaction, SessionRun,
    SessionWriteTransaction,
};
use crate::responses::Response;

type Answer<T> = oneshot::Sender<quiver::Result<T>>;
/// The answer slot of commands that return nothing.
pub(crate) type AnswerUnit = Answer<()>;

/// What a session actor can be asked to do.
pub(crate) enum Command {
    Run(Query, TransactionConfig, Answer<QueryResult>),
    /// Begin; the flag is set once the transaction ended, whichever way.
    Begin(TransactionConfig, Arc<AtomicBool>, Answer<()>),
    TxRun(Query, Answer<QueryResult>),
    TxCommit(Answer<()>),
    TxRollback(Answer<()>),
    TxClose(Answer<()>),
    LastBookmarks(oneshot::Sender<Vec<String>>),
    Close(Answer<()>),
    /// Run a managed transaction; the function is the backend's (see [`managed_function`]).
    Execute {
        read: bool,
        config: TransactionConfig,
        ctx: Ctx,
        session_id: Id,
        verdicts: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Verdict>>>,
        answer: Answer<()>,
    },
}

/// TestKit's verdict on one attempt of a managed transaction function.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// `RetryablePositive`: the function succeeded; commit.
    Commit,
    /// `RetryableNegative`: the function failed with this error.
    Fail(quiver::Error),
}

/// A session TestKit created: the channel to its actor, and the channel to the managed
/// transaction function currently waiting for a verdict, if any.
#[derive(Debug, Clone)]
pub struct SessionEntry {
    commands: mpsc::UnboundedSender<Command>,
    verdicts: Arc<Mutex<Option<mpsc::UnboundedSender<Verdict>>>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command")
    }
}

fn not_in_tx(what: &str) -> quiver::Error {
    quiver::Error::user(format!("{what}: no explicit transaction is open"))
}

fn busy() -> quiver::Error {
    quiver::Error::user("the session has an open transaction")
}

/// Owns one `quiver::Session` and serves its commands in order.
async fn actor(mut session: quiver::Session, mut commands: mpsc::UnboundedReceiver<Command>) {
    while let Some(command) = commands.recv().await {
        match command {
            Command::Run(query, config, answer) => {
                let _ = answer.send(session.run_with_config(query, config).await);
            }
            Command::Begin(config, ended, answer) => {
                // The session's bookmarks can't change while its transaction is open (the
                // transaction borrows it): TestKit may ask for them meanwhile.
                let bookmarks: Vec<String> = session
                    .last_bookmarks()
                    .await
                    .iter()
                    .map(str::to_owned)
                    .collect();
                let mut tx = match session.begin_transaction(config).await {
                    Ok(tx) => {
                        let _ = answer.send(Ok(()));
                        tx
                    }
                    Err(e) => {
                        ended.store(true, Ordering::Release);
                        let _ = answer.send(Err(e));
                        continue;
                    }
                };
                // Serve the transaction until it ends; other session commands are refused, as
                // the driver's borrow rules refuse them, except closing the session, which
                // rolls the transaction back first (as the official drivers do).
                let close_answer = loop {
                    let Some(command) = commands.recv().await else {
                        return;
                    };
                    match command {
                        Command::TxRun(query, answer) => {
                            let _ = answer.send(tx.run(query).await);
                        }
                        Command::TxCommit(answer) => {
                            let _ = answer.send(tx.commit().await);
                            break None;
                        }
                        Command::TxRollback(answer) => {
                            let _ = answer.send(tx.rollback().await);
                            break None;
                        }
                        Command::TxClose(answer) => {
                            let _ = answer.send(tx.close().await);
                            break None;
                        }
                        Command::LastBookmarks(answer) => {
                            let _ = answer.send(bookmarks.clone());
                        }
                        Command::Close(answer) => {
                            if let Err(e) = tx.close().await {
                                tracing::debug!(error = %e, "rollback on session close failed");
                            }
                            break Some(answer);
                        }
                        other => refuse(other, busy),
                    }
                };
                ended.store(true, Ordering::Release);
                if let Some(answer) = close_answer {
                    let _ = answer.send(session.close().await);
                }
            }
            Command::LastBookmarks(answer) => {
                let bookmarks = session.last_bookmarks().await;
                let _ = answer.send(bookmarks.iter().map(str::to_owned).collect());
            }
            Command::Close(answer) => {
                let _ = answer.send(session.close().await);
            }
            Command::Execute {
                read,
                config,
                ctx,
                session_id,
                verdicts,
                answer,
            } => {
                let mode = if read {
                    quiver::AccessMode::Read
                } else {
                    quiver::AccessMode::Write
                };
                let outcome = session
                    .execute_with_config(mode, config, |tx| {
                        managed_function(ctx.clone(), session_id, Arc::clone(&verdicts), tx)
                    })
                    .await;
                let _ = answer.send(outcome);
            }
            other @ (Command::TxRun(..)
            | Command::TxCommit(_)
            | Command::TxRollback(_)
            | Command::TxClose(_)) => refuse(other, || not_in_tx("transaction request")),
        }
    }
}

fn refuse(command: Command, error: impl Fn() -> quiver::Error) {
    match command {
        Command::Run(_, _, a) | Command::TxRun(_, a) => {
            let _ = a.send(Err(error()));
        }
        Command::Begin(_, _, a)
        | Command::TxCommit(a)
        | Command::TxRollback(a)
        | Command::TxClose(a)
        | Command::Close(a)
        | Command::Execute { answer: a, .. } => {
            let _ = a.send(Err(error()));
        }
        Command::LastBookmarks(_) => {}
    }
}

/// One attempt of a managed transaction: register the transaction, hand it to TestKit with
/// `RetryableTry`, then wait for TestKit's verdict.
async fn managed_function(
    ctx: Ctx,
    session_id: Id,
    verdicts: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Verdict>>>,
    tx: ManagedTransaction,
) -> quiver::Result<()> {
    let tx_id = ctx.next_id();
    ctx.state().transactions.insert(
        tx_id,
        crate::handlers::transaction::TxEntry::Managed { session_id, tx },
    );
    ctx.send(&Response::RetryableTry { id: tx_id })
        .await
        .map_err(quiver::Error::user)?;
    let verdict = verdicts.lock().await.recv().await;
    // Whatever happens next, this attempt's transaction is over.
    let _ = ctx.state().transactions.remove(tx_id);
    match verdict {
        Some(Verdict::Commit) => Ok(()),
        Some(Verdict::Fail(e)) => Err(e),
        None => Err(quiver::Error::user(Error::ConnectionClosed)),
    }
}

fn entry(ctx: &Ctx, id: Id) -> Result<SessionEntry> {
    Ok(ctx.state().sessions.get(id)?.clone())
}

/// Sends `command` to session `id`'s actor and waits for its answer.
pub(crate) async fn ask<T>(
    ctx: &Ctx,
    id: Id,
    command: impl FnOnce(Answer<T>) -> Command,
) -> Result<T> {
    let entry = entry(ctx, id)?;
    let (tx, rx) = oneshot::channel();
    entry
        .commands
        .send(command(tx))
        .map_err(|_| actor_gone(id))?;
    rx.await
        .map_err(|_| actor_gone(id))?
        .map_err(|e| driver_error(ctx, e))
}

/// The session's actor is gone: only a panic in the driver ends it before the connection.
fn actor_gone(id: Id) -> Error {
    Error::Backend(format!(
        "session {id}'s task stopped (did the driver panic?)"
    ))
}

/// `NewSession` → `Session`.
pub async fn new_session(ctx: &Ctx, request: NewSession) -> Result<Response> {
    let config = session_config(ctx, &request)?;
    let driver = ctx.state().drivers.get(request.driver_id)?.driver.clone();
    let session = driver.session(config);
    let (commands, rx) = mpsc::unbounded_channel();
    tokio::task::spawn_local(actor(session, rx));
    let id = ctx.next_id();
    ctx.state().sessions.insert(
        id,
        SessionEntry {
            commands,
            verdicts: Arc::new(Mutex::new(None)),
        },
    );
    Ok(Response::Session { id })
}

/// `SessionClose` → `Session`.
pub async fn session_close(ctx: &Ctx, request: SessionClose) -> Result<Response> {
    ask(ctx, request.session_id, Command::Close).await?;
    Ok(Response::Session {
        id: request.session_id,
    })
}

/// `SessionRun` → `Result`.
pub async fn session_run(ctx: &Ctx, request: SessionRun) -> Result<Response> {
    let query = Query::new(
        request.cypher,
        to_value_map(request.params.unwrap_or_default())?,
    );
    let config = transaction_config(ctx, request.tx_meta, &request.timeout)?;
    let result = ask(ctx, request.session_id, |a| Command::Run(query, config, a)).await?;
    Ok(crate::handlers::result::register(ctx, result))
}

/// `SessionBeginTransaction` → `Transaction`.
pub async fn begin_transaction(ctx: &Ctx, request: SessionBeginTransaction) -> Result<Response> {
    let config = transaction_config(ctx, request.tx_meta, &request.timeout)?;
    let ended = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ended);
    ask(ctx, request.session_id, |a| Command::Begin(config, flag, a)).await?;
    let id = ctx.next_id();
    ctx.state().transactions.insert(
        id,
        crate::handlers::transaction::TxEntry::Explicit {
            session_id: request.session_id,
            ended,
        },
    );
    Ok(Response::Transaction { id })
}

async fn managed(
    ctx: &Ctx,
    session_id: Id,
    read: bool,
    config: TransactionConfig,
) -> Result<Reply> {
    let entry = entry(ctx, session_id)?;
    let (verdict_tx, verdict_rx) = mpsc::unbounded_channel();
    *entry
        .verdicts
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(verdict_tx);
    let outcome = ask(ctx, session_id, |answer| Command::Execute {
        read,
        config,
        ctx: ctx.clone(),
        session_id,
        verdicts: Arc::new(tokio::sync::Mutex::new(verdict_rx)),
        answer,
    })
    .await;
    *entry
        .verdicts
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = None;
    match outcome {
        Ok(()) => Ok(Response::RetryableDone {}.into()),
        Err(Error::Driver(e)) if e.error_type == "User" => Err(Error::Frontend(e.msg)),
        Err(e) => Err(e),
    }
}

/// `SessionReadTransaction` → `RetryableTry` ... `RetryableDone`.
pub async fn read_transaction(ctx: &Ctx, request: SessionReadTransaction) -> Result<Reply> {
    let config = transaction_config(ctx, request.tx_meta, &request.timeout)?;
    managed(ctx, request.session_id, true, config).await
}

/// `SessionWriteTransaction` → `RetryableTry` ... `RetryableDone`.
pub async fn write_transaction(ctx: &Ctx, request: SessionWriteTransaction) -> Result<Reply> {
    let config = transaction_config(ctx, request.tx_meta, &request.timeout)?;
    managed(ctx, request.session_id, false, config).await
}

/// `SessionLastBookmarks` → `Bookmarks`.
pub async fn last_bookmarks(ctx: &Ctx, request: SessionLastBookmarks) -> Result<Response> {
    let entry = entry(ctx, request.session_id)?;
    let (tx, rx) = oneshot::channel();
    entry
        .commands
        .send(Command::LastBookmarks(tx))
        .map_err(|_| actor_gone(request.session_id))?;
    let bookmarks = rx.await.map_err(|_| actor_gone(request.session_id))?;
    Ok(Response::Bookmarks { bookmarks })
}

fn verdict(ctx: &Ctx, session_id: Id, verdict: Verdict) -> Result<Reply> {
    let entry = entry(ctx, session_id)?;
    let sender = entry
        .verdicts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .ok_or_else(|| {
            Error::Backend(format!(
                "session {session_id} runs no managed transaction function"
            ))
        })?;
    sender
        .send(verdict)
        .map_err(|_| Error::Backend("the managed transaction already ended".into()))?;
    Ok(Reply::AnsweredElsewhere)
}

/// `RetryablePositive`: answered by the running managed-transaction handler.
pub async fn retryable_positive(ctx: &Ctx, request: RetryablePositive) -> Result<Reply> {
    verdict(ctx, request.session_id, Verdict::Commit)
}

/// `RetryableNegative`: answered by the running managed-transaction handler.
pub async fn retryable_negative(ctx: &Ctx, request: RetryableNegative) -> Result<Reply> {
    let error = match request.error_id {
        ErrorRef::Frontend => quiver::Error::user("error raised by TestKit's transaction function"),
        ErrorRef::Driver(id) => {
            let mut state = ctx.state();
            let stored = state.errors.get_mut(id)?;
            match stored.error.take() {
                Some(e) => e,
                None => quiver::Error::user(stored.response.msg.clone()),
            }
        }
    };
    verdict(ctx, request.session_id, Verdict::Fail(error))
}
