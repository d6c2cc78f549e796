//! The blocking API: the async driver behind plain function calls.
//!
//! Every type here wraps its async counterpart and waits for it on one
//! runtime the whole process shares (started on first use, one worker
//! thread: the pools have background work and connections need their IO
//! driven). Results are [`Iterator`]s that pull batches as they go.
//!
//! Call it from ordinary threads, and also from a tokio runtime's blocking
//! threads (`spawn_blocking`) or even async code (there each call waits on
//! a helper thread, and the async API is the better fit).
//!
//! ```no_run
//! use quiver::blocking::Driver;
//! use quiver::{params, AuthToken, SessionConfig};
//!
//! fn main() -> quiver::Result<()> {
//!     let driver = Driver::new("neo4j://localhost:7687", AuthToken::basic("neo4j", "password"))?;
//!     let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
//!     session.execute_write(|tx| {
//!         tx.run(("CREATE (:Person {name: $name})", params! { "name" => "Alice" }))?;
//!         Ok(())
//!     })?;
//!     for record in session.run("MATCH (p:Person) RETURN p.name AS name")? {
//!         println!("{}", record?.get::<String>("name")?);
//!     }
//!     driver.close();
//!     Ok(())
//! }
//! ```

use std::future::Future;
use std::sync::{Arc, OnceLock};

use crate::bookmarks::{BookmarkManager, Bookmarks};
use crate::config::Config;
use crate::eager::EagerResult;
use crate::error::{Error, ErrorKind, Result};
use crate::graph::Graph;
use crate::record::Record;
use crate::session_config::{AccessMode, SessionConfig, TransactionConfig};
use crate::summary::{Query, ResultSummary, ServerInfo};
use crate::{Address, AuthToken, PoolMetrics};

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> =
        OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("quiver-blocking")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Error::new(
                ErrorKind::Configuration,
                format!("the blocking API's runtime could not start: {e}"),
            )
        })
}

tokio::task_local! {
    /// Set around work the blocking API runs for a thread of a current-thread
    /// runtime, which waits meanwhile.
    static WAITING_CURRENT_THREAD: bool;
}

/// Whether this work runs for a blocking call made on a current-thread
/// runtime's thread, which waits for it (and so drives no IO meanwhile).
pub(crate) fn for_waiting_current_thread() -> bool {
    WAITING_CURRENT_THREAD.try_with(|w| *w).unwrap_or(false)
}

/// Waits for `fut` on the shared runtime. Outside any runtime, on this
/// thread. Inside one (async code, a `spawn_blocking` thread), tokio forbids
/// nesting: the future runs on a scoped helper thread while this one waits,
/// and a multi-threaded runtime's worker hands its other tasks over first
/// (`block_in_place`).
pub(crate) fn wait<T: Send>(fut: impl Future<Output = Result<T>> + Send) -> Result<T> {
    let rt = runtime()?;
    let Ok(current) = tokio::runtime::Handle::try_current() else {
        return rt.block_on(fut);
    };
    if current.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
        let on_helper = move || {
            std::thread::scope(|scope| match scope.spawn(move || rt.block_on(fut)).join() {
                Ok(out) => out,
                Err(panic) => std::panic::resume_unwind(panic),
            })
        };
        return tokio::task::block_in_place(on_helper);
    }
    // A current-thread runtime's thread: connections the driver opened on
    // that runtime get no IO while it waits here, so work that would need
    // one is refused (see `crate::session`), not left hanging.
    let fut = WAITING_CURRENT_THREAD.scope(true, fut);
    std::thread::scope(|scope| match scope.spawn(move || rt.block_on(fut)).join() {
        Ok(out) => out,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// The blocking [`crate::Driver`]: cheap to clone, shared across threads.
#[derive(Clone, Debug)]
pub struct Driver {
    inner: crate::Driver,
}

impl Driver {
    /// See [`crate::Driver::new`].
    pub fn new(uri: &str, auth: AuthToken) -> Result<Driver> {
        Ok(Driver {
            inner: crate::Driver::new(uri, auth)?,
        })
    }

    /// See [`crate::Driver::with_config`].
    pub fn with_config(uri: &str, auth: AuthToken, config: Config) -> Result<Driver> {
        Ok(Driver {
            inner: crate::Driver::with_config(uri, auth, config)?,
        })
    }

    /// Wraps an async driver (built with [`crate::Driver::builder`], say).
    ///
    /// A driver that has run async work on a current-thread tokio runtime
    /// keeps connections whose IO that runtime drives. Called from that
    /// runtime's thread, the blocking API would wait for IO only the waiting
    /// thread can do: such calls fail at once with
    /// [`ErrorKind::Unsupported`] instead of hanging. Use the async API
    /// there, or a multi-thread runtime.
    pub fn from_async(driver: crate::Driver) -> Driver {
        Driver { inner: driver }
    }

    /// The async driver behind this one.
    pub fn as_async(&self) -> &crate::Driver {
        &self.inner
    }

    /// A new session; see [`crate::Driver::session`].
    pub fn session(&self, config: SessionConfig) -> Session {
        Session {
            inner: self.inner.session(config),
        }
    }

    /// Runs one query with retries and returns its records; see
    /// [`crate::Driver::execute_query`] and [`ExecuteQuery`].
    ///
    /// ```no_run
    /// # fn demo(driver: quiver::blocking::Driver) -> quiver::Result<()> {
    /// let result = driver.execute_query("RETURN 1 AS x").database("neo4j").run()?;
    /// assert_eq!(result.records[0].get::<i64>("x")?, 1);
    /// # Ok(()) }
    /// ```
    pub fn execute_query(&self, query: impl Into<Query>) -> ExecuteQuery<'_> {
        ExecuteQuery {
            inner: self.inner.execute_query(query),
        }
    }

    /// See [`crate::Driver::query_bookmark_manager`].
    pub fn query_bookmark_manager(&self) -> Arc<dyn BookmarkManager> {
        self.inner.query_bookmark_manager()
    }

    /// See [`crate::Driver::verify_connectivity`].
    pub fn verify_connectivity(&self) -> Result<()> {
        wait(self.inner.verify_connectivity())
    }

    /// See [`crate::Driver::verify_authentication`].
    pub fn verify_authentication(&self, auth: AuthToken) -> Result<bool> {
        wait(self.inner.verify_authentication(auth))
    }

    /// See [`crate::Driver::server_info`].
    pub fn server_info(&self) -> Result<ServerInfo> {
        wait(self.inner.server_info())
    }

    /// See [`crate::Driver::supports_multi_db`].
    pub fn supports_multi_db(&self) -> Result<bool> {
        wait(self.inner.supports_multi_db())
    }

    /// See [`crate::Driver::supports_session_auth`].
    pub fn supports_session_auth(&self) -> Result<bool> {
        wait(self.inner.supports_session_auth())
    }

    /// See [`crate::Driver::is_encrypted`].
    pub fn is_encrypted(&self) -> bool {
        self.inner.is_encrypted()
    }

    /// See [`crate::Driver::config`].
    pub fn config(&self) -> &Config {
        self.inner.config()
    }

    /// See [`crate::Driver::routing_table`].
    pub fn routing_table(&self, database: Option<&str>) -> Option<crate::RoutingTable> {
        self.inner.routing_table(database)
    }

    /// See [`crate::Driver::update_routing_table`].
    pub fn update_routing_table(
        &self,
        database: Option<&str>,
        bookmarks: &Bookmarks,
    ) -> Result<crate::RoutingTable> {
        wait(self.inner.update_routing_table(database, bookmarks))
    }

    /// See [`crate::Driver::metrics`].
    pub fn metrics(&self) -> Vec<(Address, PoolMetrics)> {
        self.inner.metrics()
    }

    /// See [`crate::Driver::close`].
    pub fn close(&self) {
        let _ = wait(async {
            self.inner.close().await;
            Ok(())
        });
    }
}

/// The blocking [`crate::ExecuteQuery`].
#[derive(Debug)]
#[must_use = "an ExecuteQuery does nothing until run"]
pub struct ExecuteQuery<'d> {
    inner: crate::ExecuteQuery<'d>,
}

impl ExecuteQuery<'_> {
    /// Adds one parameter; see [`crate::Query::param`].
    pub fn param<V>(self, key: impl Into<String>, value: V) -> Self
    where
        V: TryInto<crate::Value>,
        V::Error: std::fmt::Display,
    {
        ExecuteQuery {
            inner: self.inner.param(key, value),
        }
    }

    /// Adds parameters from a map.
    pub fn params(self, params: crate::Map) -> Self {
        ExecuteQuery {
            inner: self.inner.params(params),
        }
    }

    /// Adds parameters from any `Serialize` struct or map; see
    /// [`crate::ExecuteQuery::params_from`].
    pub fn params_from<T: serde::Serialize + ?Sized>(self, value: &T) -> Result<Self> {
        Ok(ExecuteQuery {
            inner: self.inner.params_from(value)?,
        })
    }

    /// Credentials for this query only (Bolt 5.1+); see [`crate::ExecuteQuery::auth`].
    pub fn auth(self, auth: AuthToken) -> Self {
        ExecuteQuery {
            inner: self.inner.auth(auth),
        }
    }

    /// Readers or writers.
    pub fn routing(self, routing: crate::RoutingControl) -> Self {
        ExecuteQuery {
            inner: self.inner.routing(routing),
        }
    }

    /// The database.
    pub fn database(self, database: impl Into<String>) -> Self {
        ExecuteQuery {
            inner: self.inner.database(database),
        }
    }

    /// Runs the query as another user.
    pub fn impersonated_user(self, user: impl Into<String>) -> Self {
        ExecuteQuery {
            inner: self.inner.impersonated_user(user),
        }
    }

    /// The bookmark manager (`None`: no causal chaining).
    pub fn bookmark_manager(self, manager: Option<Arc<dyn BookmarkManager>>) -> Self {
        ExecuteQuery {
            inner: self.inner.bookmark_manager(manager),
        }
    }

    /// Transaction metadata and timeout.
    pub fn transaction_config(self, config: TransactionConfig) -> Self {
        ExecuteQuery {
            inner: self.inner.transaction_config(config),
        }
    }

    /// Runs the query: keys, records and summary.
    pub fn run(self) -> Result<EagerResult> {
        wait(self.inner.run())
    }

    /// Runs the query and hands its result to `transformer` inside the
    /// transaction; returns what the transformer returns. The transformer
    /// runs again when the transaction is retried. See
    /// [`crate::ExecuteQuery::run_with`].
    ///
    /// ```no_run
    /// # fn demo(driver: quiver::blocking::Driver) -> quiver::Result<()> {
    /// let first: Option<String> = driver
    ///     .execute_query("MATCH (p:Person) RETURN p.name AS name")
    ///     .run_with(|mut result| match result.next() {
    ///         Some(record) => Ok(Some(record?.get("name")?)),
    ///         None => Ok(None),
    ///     })?;
    /// # let _ = first; Ok(()) }
    /// ```
    pub fn run_with<F, T>(self, mut transformer: F) -> Result<T>
    where
        F: FnMut(QueryResult) -> Result<T>,
    {
        let (inner, query, read, config) = self.inner.into_parts()?;
        let mut session = Session { inner };
        session.execute_as(
            read,
            config,
            quiver_bolt::TelemetryApi::ExecuteQuery,
            crate::session::Begin::WithFirstQuery,
            |tx| transformer(tx.run(query.clone())?),
        )
    }
}

/// The blocking [`crate::Session`].
#[derive(Debug)]
pub struct Session {
    inner: crate::Session,
}

impl Session {
    /// An auto-commit query; see [`crate::Session::run`].
    pub fn run(&mut self, query: impl Into<Query>) -> Result<QueryResult> {
        let query: Query = query.into();
        let inner = wait(self.inner.run(query))?;
        Ok(QueryResult { inner })
    }

    /// See [`crate::Session::run_with_config`].
    pub fn run_with_config(
        &mut self,
        query: impl Into<Query>,
        config: TransactionConfig,
    ) -> Result<QueryResult> {
        let query: Query = query.into();
        let inner = wait(self.inner.run_with_config(query, config))?;
        Ok(QueryResult { inner })
    }

    /// An explicit transaction; see [`crate::Session::begin_transaction`].
    pub fn begin_transaction(&mut self, config: TransactionConfig) -> Result<Transaction<'_>> {
        let inner = wait(self.inner.begin_transaction(config))?;
        Ok(Transaction { inner: Some(inner) })
    }

    /// A read transaction function, retried on transient failures; see
    /// [`crate::Session::execute_read`]. Errors of your own go through
    /// [`Error::user`](crate::Error::user), never retried:
    ///
    /// ```no_run
    /// # fn demo(session: &mut quiver::blocking::Session) -> quiver::Result<()> {
    /// let n: i64 = session.execute_read(|tx| {
    ///     let text: String = tx.run("RETURN '12' AS n")?.single()?.get("n")?;
    ///     text.parse().map_err(quiver::Error::user)
    /// })?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub fn execute_read<T>(
        &mut self,
        work: impl FnMut(&ManagedTransaction) -> Result<T>,
    ) -> Result<T> {
        self.execute(true, TransactionConfig::default(), work)
    }

    /// A write transaction function; see [`crate::Session::execute_write`].
    pub fn execute_write<T>(
        &mut self,
        work: impl FnMut(&ManagedTransaction) -> Result<T>,
    ) -> Result<T> {
        self.execute(false, TransactionConfig::default(), work)
    }

    /// See [`crate::Session::execute_read_with`].
    pub fn execute_read_with<T>(
        &mut self,
        config: TransactionConfig,
        work: impl FnMut(&ManagedTransaction) -> Result<T>,
    ) -> Result<T> {
        self.execute(true, config, work)
    }

    /// See [`crate::Session::execute_write_with`].
    pub fn execute_write_with<T>(
        &mut self,
        config: TransactionConfig,
        work: impl FnMut(&ManagedTransaction) -> Result<T>,
    ) -> Result<T> {
        self.execute(false, config, work)
    }

    /// A transaction function with metadata and a timeout.
    pub fn execute_with_config<T>(
        &mut self,
        mode: AccessMode,
        config: TransactionConfig,
        work: impl FnMut(&ManagedTransaction) -> Result<T>,
    ) -> Result<T> {
        self.execute(mode == AccessMode::Read, config, work)
    }

    fn execute<T>(
        &mut self,
        read: bool,
        config: TransactionConfig,
        work: impl FnMut(&ManagedTransaction) -> Result<T>,
    ) -> Result<T> {
        self.execute_as(
            read,
            config,
            quiver_bolt::TelemetryApi::ManagedTransaction,
            crate::session::Begin::Confirmed,
            work,
        )
    }

    /// The retry loop of transaction functions and `execute_query`.
    fn execute_as<T>(
        &mut self,
        read: bool,
        config: TransactionConfig,
        api: quiver_bolt::TelemetryApi,
        begin: crate::session::Begin,
        mut work: impl FnMut(&ManagedTransaction) -> Result<T>,
    ) -> Result<T> {
        let mut retrier = self.inner.retrier();
        let mut telemetry = crate::session::TelemetryOnce::new(api);
        loop {
            let error = match wait(self.inner.open_tx(read, &config, &mut telemetry, begin)) {
                Ok((shared, sent)) => {
                    let tx = ManagedTransaction {
                        inner: crate::ManagedTransaction::new(
                            Arc::clone(&shared),
                            self.inner.fetch_n(),
                        ),
                    };
                    let ended = match work(&tx) {
                        Ok(v) => wait(self.inner.commit_managed(&shared, &sent)).map(|()| v),
                        Err(e) => {
                            let _ = wait(async {
                                crate::session::rollback_managed(&shared).await;
                                Ok(())
                            });
                            Err(e)
                        }
                    };
                    let _ = wait(async {
                        telemetry.after_attempt(&shared).await;
                        Ok(())
                    });
                    match ended {
                        Ok(v) => return Ok(v),
                        Err(e) => e,
                    }
                }
                Err(e) => e,
            };
            match retrier.after(&error) {
                Some(delay) => {
                    let sleep = retrier.sleep(delay);
                    let _ = wait(async {
                        sleep.await;
                        Ok(())
                    });
                }
                None => return Err(error),
            }
        }
    }

    /// See [`crate::Session::last_bookmarks`].
    pub fn last_bookmarks(&mut self) -> Bookmarks {
        wait(async { Ok(self.inner.last_bookmarks().await) }).unwrap_or_default()
    }

    /// See [`crate::Session::close`].
    pub fn close(&mut self) -> Result<()> {
        wait(self.inner.close())
    }
}

/// The blocking [`crate::Transaction`]. Dropped without commit, it rolls
/// back.
#[derive(Debug)]
pub struct Transaction<'s> {
    inner: Option<crate::Transaction<'s>>,
}

impl<'s> Transaction<'s> {
    fn tx(&mut self) -> Result<&mut crate::Transaction<'s>> {
        match self.inner.as_mut() {
            Some(tx) => Ok(tx),
            None => Err(Error::new(
                ErrorKind::Closed,
                "the transaction is already closed",
            )),
        }
    }

    /// Runs a query in the transaction.
    pub fn run(&mut self, query: impl Into<Query>) -> Result<QueryResult> {
        let query: Query = query.into();
        let tx = self.tx()?;
        let inner = wait(tx.run(query))?;
        Ok(QueryResult { inner })
    }

    /// Commits.
    pub fn commit(mut self) -> Result<()> {
        match self.inner.take() {
            Some(tx) => wait(tx.commit()),
            None => Ok(()),
        }
    }

    /// Rolls back.
    pub fn rollback(mut self) -> Result<()> {
        match self.inner.take() {
            Some(tx) => wait(tx.rollback()),
            None => Ok(()),
        }
    }

    /// Rolls back unless committed or rolled back already.
    pub fn close(self) -> Result<()> {
        self.rollback()
    }

    /// See [`crate::Transaction::is_open`].
    pub fn is_open(&self) -> bool {
        self.inner.as_ref().is_some_and(crate::Transaction::is_open)
    }
}

/// The blocking [`crate::ManagedTransaction`].
#[derive(Debug)]
pub struct ManagedTransaction {
    inner: crate::ManagedTransaction,
}

impl ManagedTransaction {
    /// Runs a query in the transaction.
    pub fn run(&self, query: impl Into<Query>) -> Result<QueryResult> {
        let query: Query = query.into();
        let inner = wait(self.inner.run(query))?;
        Ok(QueryResult { inner })
    }
}

/// The blocking [`crate::QueryResult`]: an [`Iterator`] of records that
/// pulls a batch from the server each time its buffer runs dry.
#[derive(Debug)]
pub struct QueryResult {
    pub(crate) inner: crate::QueryResult,
}

impl QueryResult {
    /// The keys (column names).
    pub fn keys(&self) -> &[String] {
        self.inner.keys()
    }

    /// See [`crate::QueryResult::is_open`].
    pub fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    /// See [`crate::QueryResult::buffered_count`].
    pub fn buffered_count(&self) -> usize {
        self.inner.buffered_count()
    }

    /// See [`crate::QueryResult::single`].
    pub fn single(&mut self) -> Result<Record> {
        wait(self.inner.single())
    }

    /// See [`crate::QueryResult::single_optional`].
    pub fn single_optional(&mut self) -> Result<crate::OptionalRecord> {
        wait(self.inner.single_optional())
    }

    /// See [`crate::QueryResult::peek`].
    pub fn peek(&mut self) -> Result<Option<&Record>> {
        wait(self.inner.peek())
    }

    /// See [`crate::QueryResult::fetch`].
    pub fn fetch(&mut self, n: usize) -> Result<Vec<Record>> {
        wait(self.inner.fetch(n))
    }

    /// See [`crate::QueryResult::list`].
    pub fn list(&mut self) -> Result<Vec<Record>> {
        wait(self.inner.list())
    }

    /// See [`crate::QueryResult::collect_as`].
    pub fn collect_as<T: serde::de::DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for record in self.by_ref() {
            out.push(record?.to()?);
        }
        Ok(out)
    }

    /// See [`crate::QueryResult::value`].
    pub fn value<T: serde::de::DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        self.by_ref().map(|r| r?.get_at(0)).collect()
    }

    /// See [`crate::QueryResult::column`].
    pub fn column<T: serde::de::DeserializeOwned>(&mut self, key: &str) -> Result<Vec<T>> {
        self.by_ref().map(|r| r?.get(key)).collect()
    }

    /// See [`crate::QueryResult::values`].
    pub fn values(&mut self) -> Result<Vec<Vec<crate::Value>>> {
        self.by_ref().map(|r| r?.values()).collect()
    }

    /// See [`crate::QueryResult::data`].
    pub fn data(&mut self) -> Result<Vec<crate::Map>> {
        self.by_ref().map(|r| r?.data()).collect()
    }

    /// See [`crate::QueryResult::consume`].
    pub fn consume(&mut self) -> Result<ResultSummary> {
        wait(self.inner.consume())
    }

    /// See [`crate::QueryResult::to_eager_result`].
    pub fn to_eager_result(&mut self) -> Result<EagerResult> {
        wait(self.inner.to_eager_result())
    }

    /// See [`crate::QueryResult::graph`].
    pub fn graph(&mut self) -> Result<Graph> {
        wait(self.inner.graph())
    }
}

impl Iterator for QueryResult {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if let Some(r) = self.inner.next_buffered() {
            return Some(Ok(r));
        }
        match wait(async { Ok(self.inner.next().await) }) {
            Ok(item) => item,
            Err(e) => Some(Err(e)),
        }
    }
}
