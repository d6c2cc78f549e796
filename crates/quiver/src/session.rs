//! Sessions: causally chained units of work on borrowed connections.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use quiver_bolt::TelemetryApi;
use quiver_pool::{AccessMode as PoolMode, AcquireRequest, HomeDbKey, Pooled};

use crate::bookmarks::Bookmarks;
use crate::conn::{BookmarkSink, Conn, Shared, TxParams};
use crate::driver::{pool_error, DriverInner};
use crate::error::{Error, ErrorKind, Result};
use crate::manager::{AcquireAuth, DriverManager, ACQUIRE_AUTH};
use crate::result::QueryResult;
use crate::retry::{Jitter, RetryDecision, RetryPolicy, RetryState};
use crate::session_config::{AccessMode, SessionConfig, TransactionConfig};
use crate::summary::{Query, ServerInfo};
use crate::transaction::{ManagedTransaction, Transaction};
use crate::AuthToken;

/// A sequence of transactions, each seeing the writes of the ones before
/// (bookmarks pass from one to the next).
///
/// Get one from [`Driver::session`](crate::Driver::session). A session is
/// cheap; it borrows a connection from the pool for each transaction and
/// gives it back after. It is not meant to be shared between tasks.
///
/// Three ways to run queries:
///
/// - [`execute_read`](Self::execute_read) /
///   [`execute_write`](Self::execute_write): transaction functions, retried
///   on transient failures (the robust choice);
/// - [`begin_transaction`](Self::begin_transaction): an explicit
///   transaction you commit or roll back;
/// - [`run`](Self::run): an auto-commit query (one query, one transaction,
///   no retries).
///
/// ```no_run
/// use quiver::{params, Driver, SessionConfig};
///
/// # async fn demo(driver: Driver) -> quiver::Result<()> {
/// let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
/// let names: Vec<String> = session
///     .execute_read(|tx| async move {
///         let mut result = tx
///             .run(("MATCH (p:Person) WHERE p.age > $age RETURN p.name AS name",
///                   params! { "age" => 30 }))
///             .await?;
///         let mut names = Vec::new();
///         while let Some(record) = result.next().await {
///             names.push(record?.get::<String>("name")?);
///         }
///         Ok(names)
///     })
///     .await?;
/// session.close().await?;
/// # let _ = names; Ok(()) }
/// ```
pub struct Session {
    driver: Arc<DriverInner>,
    config: SessionConfig,
    bookmarks: Bookmarks,
    database: Option<String>,
    /// The database of the routing table the last connection came from
    /// (the cached home database while `database` is not pinned yet).
    routed_db: Option<String>,
    fetch_n: i64,
    last_auto: Option<Shared>,
    closed: bool,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("database", &self.database)
            .field("bookmarks", &self.bookmarks)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

/// Decides retries of one transaction function.
pub(crate) struct Retrier {
    state: RetryState,
    jitter: Jitter,
    clock: Arc<dyn crate::Clock>,
}

impl Retrier {
    pub(crate) fn new(policy: RetryPolicy, clock: Arc<dyn crate::Clock>) -> Self {
        Retrier {
            state: policy.start(),
            jitter: Jitter::new(),
            clock,
        }
    }

    /// How long to wait before the next attempt, or `None` to give up.
    pub(crate) fn after(&mut self, error: &Error) -> Option<Duration> {
        match self
            .state
            .on_failure(error, self.clock.now(), self.jitter.next())
        {
            RetryDecision::RetryAfter(d) => {
                tracing::debug!(retries = self.state.retries(), delay = ?d, error = %error,
                    "retrying the transaction function");
                Some(d)
            }
            _ => None,
        }
    }

    pub(crate) fn sleep(&self, d: Duration) -> crate::bookmarks::BoxFuture<'static, ()> {
        self.clock.sleep(d)
    }
}

/// When a transaction's BEGIN is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Begin {
    /// Before the transaction is handed out (explicit transactions and transaction
    /// functions: a refused BEGIN fails there, before any user code runs).
    Confirmed,
    /// With the first query, in one round trip (work the driver runs itself).
    WithFirstQuery,
}

/// The TELEMETRY of a retried unit of work: it goes with every attempt
/// until the server has answered one (an attempt whose connection died
/// before the answer sends it again; one answered is not repeated).
pub(crate) struct TelemetryOnce(Option<TelemetryApi>);

impl TelemetryOnce {
    pub(crate) fn new(api: TelemetryApi) -> Self {
        TelemetryOnce(Some(api))
    }

    /// What the next attempt queues, if anything.
    pub(crate) fn api(&self) -> Option<TelemetryApi> {
        self.0
    }

    /// Notes whether the attempt on `shared` got its TELEMETRY answered.
    pub(crate) async fn after_attempt(&mut self, shared: &Shared) {
        if shared.lock().await.telemetry_answered() {
            self.0 = None;
        }
    }
}

impl Session {
    pub(crate) fn new(driver: Arc<DriverInner>, config: SessionConfig) -> Self {
        let fetch_n = config
            .fetch_size()
            .unwrap_or_else(|| driver.config.fetch_size())
            .as_bolt_n();
        Session {
            bookmarks: config.bookmarks().clone(),
            database: config.database().map(str::to_owned),
            routed_db: None,
            driver,
            config,
            fetch_n,
            last_auto: None,
            closed: false,
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.closed {
            return Err(Error::new(ErrorKind::Closed, "the session is closed"));
        }
        Ok(())
    }

    /// Waits for the previous auto-commit query to end and takes its
    /// bookmark. What is left of its result is buffered (`keep`, before
    /// another auto-commit query) or consumed (before a transaction, on
    /// close), as the official drivers do.
    async fn finish_auto(&mut self, keep: bool) {
        if let Some(shared) = self.last_auto.take() {
            let mut conn = shared.lock().await;
            if keep {
                conn.finish_auto().await;
            } else {
                conn.consume_auto().await;
            }
            if let Some(bm) = conn.take_bookmark() {
                self.bookmarks = Bookmarks::from_raw_values([bm]);
            }
        }
    }

    /// The bookmarks a new transaction waits for: the session's plus the
    /// bookmark manager's.
    async fn tx_bookmarks(&self) -> Result<Bookmarks> {
        let mut b = self.bookmarks.clone();
        if let Some(m) = self.config.bookmark_manager() {
            b.merge(&m.get_bookmarks().await?);
        }
        Ok(b)
    }

    /// A connection for a unit of work (see
    /// [`acquire_for_work`](Self::acquire_for_work), pipelined) and the
    /// bookmarks the work waits for. With a bookmark manager on a routing
    /// driver, the manager is asked twice, as the official drivers do: for
    /// the routing table the acquisition may fetch, then again for the work
    /// itself, so that its supplier's newest bookmarks go with BEGIN (or the
    /// auto-commit RUN).
    async fn acquire_with_bookmarks(
        &mut self,
        read: bool,
    ) -> Result<(Pooled<DriverManager>, bool, Bookmarks)> {
        let first = self.tx_bookmarks().await?;
        let for_routing: Vec<String> = first.iter().map(str::to_owned).collect();
        let (pooled, reauth) = self.acquire_for_work(read, &for_routing, true).await?;
        let ask_again = self.config.bookmark_manager().is_some() && self.driver.pools.is_routing();
        let bookmarks = if ask_again {
            self.tx_bookmarks().await?
        } else {
            first
        };
        Ok((pooled, reauth, bookmarks))
    }

    /// A connection for a unit of work, logged on with the right
    /// credentials; pins the session's database on the first one.
    pub(crate) async fn acquire(
        &mut self,
        read: bool,
        bookmarks: &[String],
    ) -> Result<Pooled<DriverManager>> {
        let (pooled, queued) = self.acquire_for_work(read, bookmarks, false).await?;
        debug_assert!(!queued);
        Ok(pooled)
    }

    /// [`acquire`](Self::acquire) for a unit of work: with `pipeline`, a
    /// user switch (LOGOFF + LOGON) is only queued, to leave with the
    /// work's first request (`true` comes back then: the work reads the
    /// two replies first).
    async fn acquire_for_work(
        &mut self,
        read: bool,
        bookmarks: &[String],
        pipeline: bool,
    ) -> Result<(Pooled<DriverManager>, bool)> {
        self.check_runtime()?;
        let session_auth = self.config.auth().cloned();
        for _ in 0..3 {
            // New connections log on with the session's credentials, else the
            // driver's as the auth token manager hands them out now (asked once
            // per acquisition); pooled ones switch to them.
            let (auth, acquire_auth) = match &session_auth {
                Some(a) => (a.clone(), AcquireAuth::Session(a.clone())),
                None => {
                    let token = self.driver.current_auth().await?;
                    let manager = self
                        .driver
                        .static_auth
                        .is_none()
                        .then(|| Arc::clone(&self.driver.auth));
                    (token.clone(), AcquireAuth::driver(token, manager))
                }
            };
            let mode = if read {
                PoolMode::Read
            } else {
                PoolMode::Write
            };
            let routing = self.driver.pools.is_routing();
            // The home database is resolved once per session: from the
            // cache (the server then resolves it too and reports it, and
            // the session pins that), or by ROUTE (pinned now, and named
            // explicitly from then on).
            let unpinned = routing && self.database.is_none();
            let request = AcquireRequest::new(mode)
                .database(self.database.as_deref())
                .impersonated_user(self.config.impersonated_user())
                .session_auth(session_auth.as_ref())
                .bookmarks(bookmarks)
                .use_home_db_cache(unpinned);
            let acquiring = ACQUIRE_AUTH.scope(acquire_auth, self.driver.pools.acquire(&request));
            let acquired = match acquiring.await {
                Ok(a) => a,
                Err(e) => {
                    // A new connection's log-on refused: the auth token manager hears of it.
                    let err = pool_error(e);
                    return Err(self
                        .security_failure(session_auth.is_none(), &auth, err)
                        .await);
                }
            };
            let mut pooled = acquired.connection;
            if unpinned && !acquired.home_db_from_cache {
                self.database.clone_from(&acquired.database);
            }
            self.routed_db = acquired.database;
            if session_auth.is_some() && !pooled.version().has_logon() {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "session auth is not supported by this server: it needs Bolt 5.1 (Neo4j 5.5) or newer",
                ));
            }
            // A connection whose credentials the server said expired logs on again, with
            // the same ones if they did not change.
            if *pooled.auth() == auth && !pooled.auth_expired() {
                return Ok((pooled, false));
            }
            if pooled.version().has_logon() {
                pooled.auth_renewed();
                if pipeline {
                    pooled.queue_reauth(&auth).map_err(Error::from_bolt)?;
                    return Ok((pooled, true));
                }
                if let Err(e) = pooled.reauth(&auth).await {
                    let err = Error::from_bolt(e);
                    return Err(self
                        .security_failure(session_auth.is_none(), &auth, err)
                        .await);
                }
                return Ok((pooled, false));
            }
            // An old server can't re-authenticate: open a connection with
            // the new credentials instead.
            pooled.discard();
        }
        Err(Error::new(
            ErrorKind::ServiceUnavailable,
            "no connection with the current credentials could be obtained",
        ))
    }

    /// Refuses work that would wait for IO only a waiting thread can drive: a
    /// blocking call on a current-thread runtime's thread, with a driver whose
    /// connections that runtime may drive. Notes async use on such runtimes.
    fn check_runtime(&self) -> Result<()> {
        use std::sync::atomic::Ordering;
        let used = &self.driver.used_on_current_thread;
        if crate::blocking::for_waiting_current_thread() {
            if used.load(Ordering::Acquire) {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "the blocking API was called on a current-thread tokio runtime's thread \
                     with a driver that ran async work on such a runtime: its connections \
                     need that thread, which would wait for ever; use the async API there, \
                     or a multi-thread runtime",
                ));
            }
        } else if tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread)
        {
            used.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Has the server check the session's credentials: a connection opened for
    /// it logged on with them, one switched to them did too; a pooled one
    /// already holding them logs on with them again (LOGOFF and LOGON), so the
    /// server is asked now.
    pub(crate) async fn verify_credentials(&mut self) -> Result<()> {
        let read = self.config.default_access_mode() == AccessMode::Read;
        let (mut pooled, queued) = self.acquire_for_work(read, &[], true).await?;
        let auth = pooled.auth().clone();
        let outcome = if queued {
            // The switch was only queued: send it and read both replies.
            let c = &mut *pooled;
            async {
                c.flush().await?;
                c.recv().await?.into_success()?;
                c.recv().await?.into_success().map(|_| ())
            }
            .await
        } else if !pooled.is_new() && pooled.version().has_logon() {
            pooled.reauth(&auth).await
        } else {
            Ok(())
        };
        if let Err(e) = outcome {
            pooled.discard();
            return Err(Error::from_bolt(e));
        }
        Ok(())
    }

    /// A log-on as the driver's user (`managed`) that failed for a security reason is told
    /// to the auth token manager; one it handled becomes retryable.
    async fn security_failure(&self, managed: bool, auth: &AuthToken, err: Error) -> Error {
        if managed
            && err.is_security_error()
            && self
                .driver
                .auth
                .handle_security_error(auth, &err)
                .await
                .unwrap_or(false)
        {
            return err.with_retryable(true);
        }
        err
    }

    /// Acquires a connection and reports its server (driver probes). A
    /// connection reused from the pool unchecked is checked with a RESET
    /// first (a dead one is dropped and another one taken).
    pub(crate) async fn probe(&mut self) -> Result<ServerInfo> {
        let read = self.config.default_access_mode() == AccessMode::Read;
        loop {
            let mut pooled = self.acquire(read, &[]).await?;
            if pooled.reused_without_check() {
                if let Err(e) = pooled.reset().await {
                    tracing::debug!(address = %pooled.address(), error = %e,
                        "a pooled connection failed its check, taking another");
                    pooled.discard();
                    continue;
                }
            }
            let v = pooled.version();
            return Ok(ServerInfo::new(
                pooled.address().clone(),
                pooled.server_agent(),
                (v.major, v.minor),
            ));
        }
    }

    fn tx_params(
        &self,
        bookmarks: Vec<String>,
        config: &TransactionConfig,
        read: bool,
    ) -> TxParams {
        TxParams {
            bookmarks,
            timeout: config.timeout(),
            metadata: config.metadata().clone(),
            read,
            db: self.database.clone(),
            imp_user: self.config.impersonated_user().map(str::to_owned),
            notifications: self.config.notification_filter().cloned(),
        }
    }

    /// Pins the home database a server reported for work that named none
    /// (Bolt 5.8+), and caches it for the session's user. Reports on work
    /// that named its database change nothing.
    fn note_home_db(&mut self, conn: &Conn) {
        let Some(db) = conn.reported_db() else { return };
        if self.database.is_some() || !self.driver.pools.is_routing() {
            return;
        }
        self.database = Some(db.to_owned());
        let key = HomeDbKey::for_session(self.config.impersonated_user(), self.config.auth());
        if let Some(key) = key {
            self.driver.pools.record_home_database(key, db);
        }
    }

    /// Runs an auto-commit query: one query in its own transaction, RUN and
    /// the first PULL in one round trip. Not retried; prefer
    /// [`execute_write`](Self::execute_write) where failures may be
    /// transient.
    ///
    /// The query is text, a `(text, params)` pair or a
    /// [`Query`](crate::Query) built with parameters:
    ///
    /// ```no_run
    /// use quiver::{params, Query};
    ///
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// session.run("CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)").await?;
    /// let mut result = session
    ///     .run(("MATCH (p:Person {name: $name}) RETURN p.age AS age", params! { "name" => "Alice" }))
    ///     .await?;
    /// let age: i64 = result.single().await?.get("age")?;
    ///
    /// #[derive(serde::Serialize)]
    /// struct NewPerson<'a> { name: &'a str, age: i64 }
    /// let q = Query::from("CREATE (:Person {name: $name, age: $age})")
    ///     .params_from(&NewPerson { name: "Bob", age: 33 })?;
    /// let summary = session.run(q).await?.consume().await?;
    /// assert_eq!(summary.counters().nodes_created(), 1);
    /// # let _ = age; Ok(()) }
    /// ```
    pub async fn run(&mut self, query: impl Into<Query>) -> Result<QueryResult> {
        self.run_with_config(query, TransactionConfig::default())
            .await
    }

    /// [`run`](Self::run) with transaction metadata and a timeout.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use quiver::TransactionConfig;
    ///
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let config = TransactionConfig::new()
    ///     .with_timeout(Duration::from_secs(5))
    ///     .with_metadata_entry("app", "reports");
    /// session.run_with_config("MATCH (n) RETURN count(n)", config).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_with_config(
        &mut self,
        query: impl Into<Query>,
        config: TransactionConfig,
    ) -> Result<QueryResult> {
        let query = query.into();
        self.check_open()?;
        query.check()?;
        self.finish_auto(true).await;
        let read = self.config.default_access_mode() == AccessMode::Read;
        let (pooled, reauth, bookmarks) = self.acquire_with_bookmarks(read).await?;
        let bookmark_list: Vec<String> = bookmarks.iter().map(str::to_owned).collect();
        let params = self.tx_params(bookmark_list, &config, read);
        let mut conn = Conn::new(
            pooled,
            Arc::clone(&self.driver),
            self.routed_db.clone(),
            true,
            self.config.auth().is_none(),
        );
        conn.set_reauth_pending(reauth);
        if let Some(manager) = self.config.bookmark_manager() {
            conn.set_bookmark_sink(Some(BookmarkSink {
                manager: Arc::clone(manager),
                previous: bookmarks,
            }));
        }
        conn.telemetry(TelemetryApi::AutoCommit);
        let ran = conn.run(query, self.fetch_n, Some(&params)).await;
        self.note_home_db(&conn);
        let open = conn.open_flag();
        let (id, keys) = ran?;
        let shared = conn.into_shared();
        self.last_auto = Some(Arc::clone(&shared));
        Ok(QueryResult::new(shared, id, keys, self.fetch_n, open))
    }

    /// Opens a unit of work: a connection and a BEGIN the server accepted.
    pub(crate) async fn open_tx(
        &mut self,
        read: bool,
        config: &TransactionConfig,
        telemetry: &mut TelemetryOnce,
        begin: Begin,
    ) -> Result<(Shared, Bookmarks)> {
        self.check_open()?;
        self.finish_auto(false).await;
        let (pooled, reauth, bookmarks) = self.acquire_with_bookmarks(read).await?;
        let bookmark_list: Vec<String> = bookmarks.iter().map(str::to_owned).collect();
        let params = self.tx_params(bookmark_list, config, read);
        let mut conn = Conn::new(
            pooled,
            Arc::clone(&self.driver),
            self.routed_db.clone(),
            false,
            self.config.auth().is_none(),
        );
        conn.set_reauth_pending(reauth);
        if let Some(api) = telemetry.api() {
            conn.telemetry(api);
        }
        let begun = match begin {
            Begin::Confirmed => conn.begin(&params).await,
            Begin::WithFirstQuery => conn.begin_pipelined(&params).await,
        };
        // BEGIN's reply came after TELEMETRY's: answered now or never.
        if conn.telemetry_answered() {
            telemetry.0 = None;
        }
        self.note_home_db(&conn);
        begun?;
        Ok((conn.into_shared(), bookmarks))
    }

    /// After a commit: the new bookmark replaces the session's and goes to
    /// the bookmark manager.
    pub(crate) async fn on_commit(&mut self, sent: &Bookmarks, bookmark: Option<String>) {
        let Some(bm) = bookmark else { return };
        let new = Bookmarks::from_raw_values([bm]);
        if let Some(m) = self.config.bookmark_manager() {
            if let Err(e) = m.update_bookmarks(sent, &new).await {
                tracing::warn!(error = %e, "the bookmark manager failed to take new bookmarks");
            }
        }
        self.bookmarks = new;
    }

    pub(crate) fn note_home_db_of(&mut self, shared: &Shared) {
        if let Ok(conn) = shared.try_lock() {
            self.note_home_db(&conn);
        }
    }

    /// Begins an explicit transaction, in the session's default access mode.
    /// BEGIN's reply is awaited here, so a transaction the server refuses
    /// fails now rather than at the first query.
    ///
    /// ```no_run
    /// use quiver::{params, TransactionConfig};
    ///
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let mut tx = session.begin_transaction(TransactionConfig::default()).await?;
    /// tx.run(("MATCH (a:Account {id: $id}) SET a.balance = a.balance - 10", params! { "id" => 1 })).await?;
    /// tx.run(("MATCH (a:Account {id: $id}) SET a.balance = a.balance + 10", params! { "id" => 2 })).await?;
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    pub async fn begin_transaction(
        &mut self,
        config: TransactionConfig,
    ) -> Result<Transaction<'_>> {
        let read = self.config.default_access_mode() == AccessMode::Read;
        let (shared, sent) = self
            .open_tx(
                read,
                &config,
                &mut TelemetryOnce::new(TelemetryApi::UnmanagedTransaction),
                Begin::Confirmed,
            )
            .await?;
        Ok(Transaction::new(self, shared, sent))
    }

    /// Runs `work` in a read transaction on a reader, retrying it (with a
    /// fresh transaction) on transient failures, with exponential backoff
    /// and jitter, until the driver's max transaction retry time. `work`
    /// may run more than once: keep side effects out of it.
    ///
    /// The transaction commits when `work` returns `Ok`, and rolls back when
    /// it returns `Err`. A connection lost during COMMIT ends with
    /// [`ErrorKind::CommitUnknown`], never retried.
    ///
    /// `work` returns a [`quiver::Result`](crate::Result): `?` takes the
    /// driver's errors as they are. For errors of your own (a
    /// `ParseIntError`, an `io::Error`, any `std::error::Error + Send + Sync
    /// + 'static`), `.map_err(Error::user)?`: the transaction rolls back,
    /// the error is never retried, and it comes back as
    /// [`ErrorKind::User`] with yours as its source (see
    /// [`Error::user`](crate::Error::user)).
    ///
    /// ```no_run
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let count: i64 = session
    ///     .execute_read(|tx| async move {
    ///         tx.run("MATCH (p:Person) RETURN count(p) AS n").await?.single().await?.get("n")
    ///     })
    ///     .await?;
    /// # let _ = count; Ok(()) }
    /// ```
    pub async fn execute_read<F, Fut, T>(&mut self, work: F) -> Result<T>
    where
        F: FnMut(ManagedTransaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.execute(true, TransactionConfig::default(), work).await
    }

    /// Like [`execute_read`](Self::execute_read), on the leader (writer).
    ///
    /// ```no_run
    /// use quiver::params;
    ///
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// session
    ///     .execute_write(|tx| async move {
    ///         tx.run(("CREATE (:Person {name: $name})", params! { "name" => "Alice" })).await?;
    ///         Ok(())
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn execute_write<F, Fut, T>(&mut self, work: F) -> Result<T>
    where
        F: FnMut(ManagedTransaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.execute(false, TransactionConfig::default(), work)
            .await
    }

    /// [`execute_read`](Self::execute_read) with transaction metadata and a
    /// timeout.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use quiver::TransactionConfig;
    ///
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let config = TransactionConfig::new()
    ///     .with_timeout(Duration::from_secs(5))
    ///     .with_metadata_entry("app", "reports");
    /// let n: i64 = session
    ///     .execute_read_with(config, |tx| async move {
    ///         tx.run("MATCH (n) RETURN count(n) AS n").await?.single().await?.get("n")
    ///     })
    ///     .await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn execute_read_with<F, Fut, T>(
        &mut self,
        config: TransactionConfig,
        work: F,
    ) -> Result<T>
    where
        F: FnMut(ManagedTransaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.execute(true, config, work).await
    }

    /// [`execute_write`](Self::execute_write) with transaction metadata and
    /// a timeout.
    pub async fn execute_write_with<F, Fut, T>(
        &mut self,
        config: TransactionConfig,
        work: F,
    ) -> Result<T>
    where
        F: FnMut(ManagedTransaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.execute(false, config, work).await
    }

    /// [`execute_read`](Self::execute_read) or
    /// [`execute_write`](Self::execute_write) with transaction metadata and
    /// a timeout, the access mode as a value.
    pub async fn execute_with_config<F, Fut, T>(
        &mut self,
        mode: AccessMode,
        config: TransactionConfig,
        work: F,
    ) -> Result<T>
    where
        F: FnMut(ManagedTransaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.execute(mode == AccessMode::Read, config, work).await
    }

    pub(crate) fn retrier(&self) -> Retrier {
        Retrier::new(
            RetryPolicy::new(self.driver.config.max_transaction_retry_time()),
            Arc::clone(&self.driver.clock),
        )
    }

    async fn execute<F, Fut, T>(
        &mut self,
        read: bool,
        config: TransactionConfig,
        mut work: F,
    ) -> Result<T>
    where
        F: FnMut(ManagedTransaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut retrier = self.retrier();
        let mut telemetry = TelemetryOnce::new(TelemetryApi::ManagedTransaction);
        loop {
            let error = match self
                .open_tx(read, &config, &mut telemetry, Begin::Confirmed)
                .await
            {
                Ok((shared, sent)) => {
                    let tx = ManagedTransaction::new(Arc::clone(&shared), self.fetch_n);
                    let outcome = work(tx).await;
                    let ended = self.end_managed(&shared, &sent, outcome).await;
                    telemetry.after_attempt(&shared).await;
                    match ended {
                        Ok(v) => return Ok(v),
                        Err(e) => e,
                    }
                }
                Err(e) => e,
            };
            match retrier.after(&error) {
                Some(delay) => retrier.sleep(delay).await,
                None => return Err(error),
            }
        }
    }

    /// Commits a managed transaction whose work succeeded, rolls it back
    /// otherwise.
    pub(crate) async fn end_managed<T>(
        &mut self,
        shared: &Shared,
        sent: &Bookmarks,
        outcome: Result<T>,
    ) -> Result<T> {
        match outcome {
            Ok(v) => {
                self.commit_managed(shared, sent).await?;
                Ok(v)
            }
            Err(e) => {
                rollback_managed(shared).await;
                Err(e)
            }
        }
    }

    /// Commits a managed transaction and takes its bookmark.
    pub(crate) async fn commit_managed(&mut self, shared: &Shared, sent: &Bookmarks) -> Result<()> {
        let committed = shared.lock().await.commit().await;
        self.note_home_db_of(shared);
        let bookmark = committed?;
        self.on_commit(sent, bookmark).await;
        Ok(())
    }

    pub(crate) fn fetch_n(&self) -> i64 {
        self.fetch_n
    }

    /// The bookmarks of the last transaction this session committed (or
    /// the initial ones): give them to another session to read its writes.
    /// An auto-commit result still open is consumed first (its bookmark
    /// comes with its end).
    ///
    /// ```no_run
    /// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
    /// use quiver::SessionConfig;
    ///
    /// let mut writer = driver.session(SessionConfig::default());
    /// writer.run("CREATE (:Person {name: 'Alice'})").await?;
    /// let bookmarks = writer.last_bookmarks().await;
    /// let mut reader = driver.session(SessionConfig::builder().bookmarks(bookmarks).build());
    /// reader.run("MATCH (p:Person {name: 'Alice'}) RETURN p").await?;
    /// # Ok(()) }
    /// ```
    pub async fn last_bookmarks(&mut self) -> Bookmarks {
        self.finish_auto(false).await;
        self.bookmarks.clone()
    }

    /// Ends the session: an auto-commit result still open is consumed (its
    /// remaining records are discarded; its summary stays available) and the
    /// session refuses further work. Dropping a
    /// session without closing it is safe too: its connection goes back to
    /// the pool, which resets it.
    pub async fn close(&mut self) -> Result<()> {
        self.finish_auto(false).await;
        self.closed = true;
        Ok(())
    }
}

/// Rolls back a managed transaction whose work failed (errors are only
/// logged: the work's error is the one to report).
pub(crate) async fn rollback_managed(shared: &Shared) {
    let mut conn = shared.lock().await;
    if let Err(r) = conn.rollback().await {
        tracing::debug!(error = %r, "rollback after a failed transaction function failed");
    }
}
