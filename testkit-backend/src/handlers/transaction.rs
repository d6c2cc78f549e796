//! Transaction requests: explicit transactions through their session's actor, managed ones
//! (an attempt of a transaction function) directly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use quiver::{ManagedTransaction, Query};

use crate::connection::Ctx;
use crate::convert::to_value_map;
use crate::error::{Error, Result};
use crate::handlers::session::{ask, Command};
use crate::ids::Id;
use crate::reports::{driver_error, misuse_error};
use crate::requests::{TransactionClose, TransactionCommit, TransactionRollback, TransactionRun};
use crate::responses::Response;

/// A transaction TestKit can run queries in.
#[derive(Debug, Clone)]
pub enum TxEntry {
    /// `SessionBeginTransaction`'s: served by its session's actor.
    Explicit {
        /// The session.
        session_id: Id,
        /// Set once the transaction ended (committed, rolled back, closed, or its session
        /// closed).
        ended: Arc<AtomicBool>,
    },
    /// An attempt of a managed transaction function.
    Managed {
        /// The session.
        session_id: Id,
        /// The transaction.
        tx: ManagedTransaction,
    },
}

fn entry(ctx: &Ctx, id: Id) -> Result<TxEntry> {
    Ok(ctx.state().transactions.get(id)?.clone())
}

/// The error for work on a transaction that already ended (Rust's `Transaction` is consumed by
/// `commit`/`rollback`, so only TestKit's ids can ask for this).
fn out_of_scope(ctx: &Ctx) -> Error {
    misuse_error(
        ctx,
        "TransactionOutOfScope",
        "the transaction already ended (committed, rolled back or closed)",
    )
}

/// The driver's `Closed` on a transaction request means the transaction can't be used any
/// more (a server failure terminated it, say): TestKit's `TransactionOutOfScope`.
fn closed_tx(error: Error) -> Error {
    match error {
        Error::Driver(mut e) if e.error_type == "Closed" => {
            e.error_type = "TransactionOutOfScope".to_owned();
            Error::Driver(e)
        }
        other => other,
    }
}

/// `TransactionRun` → `Result`.
pub async fn run(ctx: &Ctx, request: TransactionRun) -> Result<Response> {
    let query = Query::new(
        request.cypher,
        to_value_map(request.params.unwrap_or_default())?,
    );
    let result = match entry(ctx, request.tx_id)? {
        TxEntry::Explicit { ended, .. } if ended.load(Ordering::Acquire) => {
            return Err(out_of_scope(ctx));
        }
        TxEntry::Explicit { session_id, .. } => ask(ctx, session_id, |a| Command::TxRun(query, a))
            .await
            .map_err(closed_tx)?,
        TxEntry::Managed { tx, .. } => tx.run(query).await.map_err(|e| driver_error(ctx, e))?,
    };
    Ok(crate::handlers::result::register(ctx, result))
}

async fn end(
    ctx: &Ctx,
    id: Id,
    what: &'static str,
    command: fn(crate::handlers::session::AnswerUnit) -> Command,
) -> Result<Response> {
    match entry(ctx, id)? {
        // Closing an ended transaction is a no-op; committing or rolling it back is misuse.
        TxEntry::Explicit { ended, .. } if ended.load(Ordering::Acquire) => {
            if what == "TransactionClose" {
                Ok(Response::Transaction { id })
            } else {
                Err(out_of_scope(ctx))
            }
        }
        TxEntry::Explicit { session_id, .. } => {
            ask(ctx, session_id, command).await.map_err(closed_tx)?;
            Ok(Response::Transaction { id })
        }
        TxEntry::Managed { .. } => Err(Error::Backend(format!(
            "{what} on a managed transaction (the driver commits or rolls it back)"
        ))),
    }
}

/// `TransactionCommit` → `Transaction`.
pub async fn commit(ctx: &Ctx, request: TransactionCommit) -> Result<Response> {
    end(ctx, request.tx_id, "TransactionCommit", Command::TxCommit).await
}

/// `TransactionRollback` → `Transaction`.
pub async fn rollback(ctx: &Ctx, request: TransactionRollback) -> Result<Response> {
    end(
        ctx,
        request.tx_id,
        "TransactionRollback",
        Command::TxRollback,
    )
    .await
}

/// `TransactionClose` → `Transaction`.
pub async fn close(ctx: &Ctx, request: TransactionClose) -> Result<Response> {
    end(ctx, request.tx_id, "TransactionClose", Command::TxClose).await
}
