//! Explicit and managed transactions.

use std::fmt;

use crate::bookmarks::Bookmarks;
use crate::conn::Shared;
use crate::error::Result;
use crate::result::QueryResult;
use crate::session::Session;
use crate::summary::Query;

async fn run_on(shared: &Shared, query: Query, fetch_n: i64) -> Result<QueryResult> {
    query.check()?;
    let mut conn = shared.lock().await;
    let open = conn.open_flag();
    let (id, keys) = conn.run(query, fetch_n, None).await?;
    Ok(QueryResult::new(shared.clone(), id, keys, fetch_n, open))
}

/// An explicit transaction: run queries, then [`commit`](Self::commit) or
/// [`rollback`](Self::rollback).
///
/// It borrows its session, so the session can't start other work
/// meanwhile. Results share the transaction's connection: starting a new
/// query buffers what is left of the previous result, and a result read
/// after the transaction ended fails with
/// [`ErrorKind::ResultOutOfScope`](crate::ErrorKind::ResultOutOfScope).
///
/// Dropping a transaction that was neither committed nor rolled back rolls
/// it back (the connection goes back to the pool, which resets it).
///
/// ```no_run
/// use quiver::{params, TransactionConfig};
///
/// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
/// let mut tx = session.begin_transaction(TransactionConfig::default()).await?;
/// let mut result = tx.run(("MATCH (a:Account {id: $id}) RETURN a.balance AS balance",
///                          params! { "id" => 1 })).await?;
/// let balance: i64 = result.single().await?.get("balance")?;
/// if balance >= 10 {
///     tx.run(("MATCH (a:Account {id: $id}) SET a.balance = a.balance - 10",
///             params! { "id" => 1 })).await?;
///     tx.commit().await?;
/// } else {
///     tx.rollback().await?;
/// }
/// # Ok(()) }
/// ```
pub struct Transaction<'s> {
    session: &'s mut Session,
    shared: Shared,
    sent: Bookmarks,
    done: bool,
}

impl fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'s> Transaction<'s> {
    pub(crate) fn new(session: &'s mut Session, shared: Shared, sent: Bookmarks) -> Self {
        Transaction {
            session,
            shared,
            sent,
            done: false,
        }
    }

    /// Runs a query in the transaction (RUN and the first PULL in one round
    /// trip).
    pub async fn run(&mut self, query: impl Into<Query>) -> Result<QueryResult> {
        run_on(&self.shared, query.into(), self.session.fetch_n()).await
    }

    /// Commits: what is left of an open result is discarded, and COMMIT
    /// goes right behind the last PULL where it can. The new bookmark
    /// becomes the session's.
    pub async fn commit(mut self) -> Result<()> {
        self.done = true;
        let committed = self.shared.lock().await.commit().await;
        self.session.note_home_db_of(&self.shared);
        let bookmark = committed?;
        self.session.on_commit(&self.sent, bookmark).await;
        Ok(())
    }

    /// Rolls back.
    pub async fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.shared.lock().await.rollback().await
    }

    /// Rolls back unless already committed or rolled back.
    pub async fn close(self) -> Result<()> {
        self.rollback().await
    }

    /// Whether the transaction can still run queries: it was not committed,
    /// rolled back or closed, and no failure ended it (a lost connection, an
    /// error from the server). One that is not open can still be rolled
    /// back or closed, which gives its connection back.
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let mut tx = session.begin_transaction(Default::default()).await?;
    /// if tx.run("RETURN 1").await.is_err() && !tx.is_open() {
    ///     tx.close().await?;
    ///     // The session may begin another one now.
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_open(&self) -> bool {
        // A result reading from the connection holds its lock: the
        // transaction is in use, so open.
        !self.done && self.shared.try_lock().map_or(true, |c| c.is_usable())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            if let Ok(mut conn) = self.shared.try_lock() {
                conn.abandon();
            }
        }
    }
}

/// The transaction a transaction function gets: it can only run queries;
/// the driver commits, rolls back and retries.
///
/// ```no_run
/// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
/// session
///     .execute_write(|tx: quiver::ManagedTransaction| async move {
///         tx.run("CREATE (:Marker)").await?.consume().await?;
///         Ok(())
///     })
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ManagedTransaction {
    shared: Shared,
    fetch_n: i64,
}

impl fmt::Debug for ManagedTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedTransaction").finish_non_exhaustive()
    }
}

impl ManagedTransaction {
    pub(crate) fn new(shared: Shared, fetch_n: i64) -> Self {
        ManagedTransaction { shared, fetch_n }
    }

    /// Runs a query in the transaction.
    pub async fn run(&self, query: impl Into<Query>) -> Result<QueryResult> {
        run_on(&self.shared, query.into(), self.fetch_n).await
    }
}
