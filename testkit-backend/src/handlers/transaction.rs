//! Transaction requests: explicit transactions through their session's actor, managed ones
//! (an attempt of a transaction function) directly.

use quiver::{ManagedTransaction, Query};

use crate::connection::Ctx;
use crate::convert::to_value_map;
use crate::error::{Error, Result};
use crate::handlers::session::{ask, Command};
use crate::ids::Id;
use crate::reports::driver_error;
use crate::requests::{TransactionClose, TransactionCommit, TransactionRollback, TransactionRun};
use crate::responses::Response;

/// A transaction TestKit can run queries in.
#[derive(Debug, Clone)]
pub enum TxEntry {
    /// `SessionBeginTransaction`'s: served by its session's actor.
    Explicit {
        /// The session.
        session_id: Id,
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

/// `TransactionRun` → `Result`.
pub async fn run(ctx: &Ctx, request: TransactionRun) -> Result<Response> {
    let query = Query::new(
        request.cypher,
        to_value_map(request.params.unwrap_or_default())?,
    );
    let result = match entry(ctx, request.tx_id)? {
        TxEntry::Explicit { session_id } => {
            ask(ctx, session_id, |a| Command::TxRun(query, a)).await?
        }
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
        TxEntry::Explicit { session_id } => {
            ask(ctx, session_id, command).await?;
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
