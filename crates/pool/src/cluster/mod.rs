//! The driver-side piece: pools for every server plus the routing tables.
//! The decisions are the pure routing functions ([`RoutingTables`], [`select_least_connected`]); this module
//! only does the IO around them.

mod config;
mod manager;
mod request;

pub use config::RoutingConfig;
pub use manager::{FailureKind, RouteRequest, RoutingManager};
pub use request::{AcquireRequest, Acquired};

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use quiver_bolt::AuthToken;

use crate::resolve::{resolve_all, BoxFuture};
use crate::{
    select_least_connected, AccessMode, Address, Clock, Error, HomeDbCache, HomeDbKey, Pool,
    PoolConfig, PoolMetrics, Pooled, RouteReply, RoutingContext, RoutingTable, RoutingTables,
    SystemClock,
};

/// Every pool of a driver plus, for `neo4j://`, the routing tables. Cheap
/// to clone; clones share everything.
///
/// ```no_run
/// # async fn demo<M: quiver_pool::RoutingManager>(manager: M) -> Result<(), quiver_pool::Error<M::Error>> {
/// use quiver_pool::{AccessMode, AcquireRequest, Address, ClusterPools, PoolConfig, RoutingConfig};
/// let cluster = ClusterPools::routing(
///     Address::parse("cluster.example.com").unwrap(),
///     manager,
///     PoolConfig::default(),
///     RoutingConfig::default(),
/// );
/// let acquired = cluster.acquire(&AcquireRequest::new(AccessMode::Write)).await?;
/// println!("writing to {:?} on {:?}", acquired.database, acquired.connection.address());
/// # Ok(()) }
/// ```
pub struct ClusterPools<M: RoutingManager> {
    inner: Arc<Inner<M>>,
}

impl<M: RoutingManager> Clone for ClusterPools<M> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<M: RoutingManager> fmt::Debug for ClusterPools<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterPools")
            .field("initial", &self.inner.initial)
            .field("routing", &self.inner.routing)
            .finish()
    }
}

struct Inner<M: RoutingManager> {
    initial: Address,
    routing: bool,
    manager: Arc<M>,
    pool_config: PoolConfig,
    config: RoutingConfig,
    context: RoutingContext,
    clock: Arc<dyn Clock>,
    pools: Mutex<HashMap<Address, Pool<M>>>,
    /// Direct mode: the initial address's pool (also in `pools`), kept at
    /// hand so an acquire needs no map lookup, hashing or clone.
    direct: OnceLock<Pool<M>>,
    tables: Mutex<RoutingTables>,
    home_db: Mutex<HomeDbCache>,
    /// Whether each server met resolves the home database itself, and how
    /// many do not (the cache is only trusted while none is known).
    ssr: Mutex<HashMap<Address, bool>>,
    non_ssr_servers: AtomicUsize,
    refresh: tokio::sync::Mutex<()>,
    round_robin: [AtomicUsize; 2],
    closed: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<M: RoutingManager> ClusterPools<M> {
    /// A direct (`bolt://`) driver: one pool, no routing.
    pub fn direct(address: Address, manager: M, pool_config: PoolConfig) -> Self {
        Self::build(
            address,
            Arc::new(manager),
            pool_config,
            RoutingConfig::default(),
            Arc::new(SystemClock),
            false,
        )
    }

    /// A routing (`neo4j://`) driver seeded with `address`.
    pub fn routing(
        address: Address,
        manager: M,
        pool_config: PoolConfig,
        config: RoutingConfig,
    ) -> Self {
        Self::build(
            address,
            Arc::new(manager),
            pool_config,
            config,
            Arc::new(SystemClock),
            true,
        )
    }

    /// Either kind, with a shared manager and a clock of your own (tests,
    /// testkit's fake time).
    pub fn with_clock(
        address: Address,
        manager: Arc<M>,
        pool_config: PoolConfig,
        config: RoutingConfig,
        clock: Arc<dyn Clock>,
        routing: bool,
    ) -> Self {
        Self::build(address, manager, pool_config, config, clock, routing)
    }

    fn build(
        initial: Address,
        manager: Arc<M>,
        pool_config: PoolConfig,
        config: RoutingConfig,
        clock: Arc<dyn Clock>,
        routing: bool,
    ) -> Self {
        let context = config
            .context
            .clone()
            .unwrap_or_else(|| RoutingContext::for_address(&initial));
        let tables = RoutingTables::new(config.purge_delay);
        let home_db = HomeDbCache::new(config.home_db_ttl, config.home_db_max_entries);
        Self {
            inner: Arc::new(Inner {
                initial,
                routing,
                manager,
                pool_config,
                config,
                context,
                clock,
                pools: Mutex::new(HashMap::new()),
                direct: OnceLock::new(),
                tables: Mutex::new(tables),
                home_db: Mutex::new(home_db),
                ssr: Mutex::new(HashMap::new()),
                non_ssr_servers: AtomicUsize::new(0),
                refresh: tokio::sync::Mutex::new(()),
                round_robin: [AtomicUsize::new(0), AtomicUsize::new(0)],
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// Whether this is a routing driver.
    pub fn is_routing(&self) -> bool {
        self.inner.routing
    }

    /// The address the driver was created with.
    pub fn initial_address(&self) -> &Address {
        &self.inner.initial
    }

    /// The manager shared by every pool.
    pub fn manager(&self) -> &Arc<M> {
        &self.inner.manager
    }

    /// A connection for `request`: in routing mode, to the least busy server
    /// of the right role, refreshing the routing table first when stale.
    ///
    /// In direct mode this is the pool's own acquire (served synchronously
    /// when a ready connection is idle); the only allocation is the copy of
    /// the database name, when one is named.
    pub async fn acquire(
        &self,
        request: &AcquireRequest<'_>,
    ) -> Result<Acquired<M>, Error<M::Error>> {
        if !self.inner.routing {
            // No `?` in the awaiting statements: its 112-byte temporary
            // would live across the await, in this future.
            let fallback;
            let pool = match self.inner.direct.get() {
                Some(pool) if !pool.is_closed() && !self.inner.closed.load(Ordering::Acquire) => {
                    pool
                }
                _ => {
                    fallback = self.direct_pool()?;
                    &fallback
                }
            };
            let connection = pool.acquire().await?;
            return Ok(Acquired {
                connection,
                database: request.database.map(str::to_owned),
                home_db_from_cache: false,
            });
        }
        // Boxed: the routed path's state (ROUTE, DNS, connects) stays out of
        // the future every acquire builds and moves.
        let routed: BoxFuture<'_, _> = Box::pin(self.acquire_routed(request));
        routed.await
    }

    /// [`acquire`](Self::acquire) in routing mode. The acquisition timeout
    /// is one budget for the connections the work may get (the cached home
    /// database's and a fallback's together, every server of the mode tried
    /// in turn); routing has one of its own, as long, for the connections to
    /// every router it tries (the ROUTE round trips are not counted, as in
    /// the official drivers). So silent servers cost one timeout for all the
    /// routers and one for all the servers of the mode, however many there
    /// are.
    async fn acquire_routed(
        &self,
        request: &AcquireRequest<'_>,
    ) -> Result<Acquired<M>, Error<M::Error>> {
        let mut budget = self.inner.pool_config.acquisition_timeout();
        let key = HomeDbKey::for_session(request.impersonated_user, request.session_auth);
        if request.database.is_none() && request.use_home_db_cache {
            let cached = self
                .acquire_cached_home(request, key.as_ref(), &mut budget)
                .await?;
            if let Some(acquired) = cached {
                return Ok(acquired);
            }
        }
        // The table for the database must be fresh for the request's mode;
        // `database` becomes the name it is kept under (the resolved home
        // database when none is named).
        let mut database = request.database.map(str::to_owned);
        if database.is_none() || !self.is_fresh(database.as_deref(), request.mode) {
            let mut routing_budget = self.inner.pool_config.acquisition_timeout();
            database = self
                .refresh_stale(database, request, key.as_ref(), &mut routing_budget)
                .await?;
        }
        let connection = self
            .acquire_in_table(database.as_deref(), request.mode, &mut budget)
            .await?;
        Ok(Acquired {
            connection,
            database,
            home_db_from_cache: false,
        })
    }

    /// The home database from the cache, when every server met so far
    /// resolves it by itself and the cached database's table is fresh: a
    /// connection from that table. `None`: resolve by ROUTE instead (also
    /// when the connection's server turns out not to resolve it).
    async fn acquire_cached_home(
        &self,
        request: &AcquireRequest<'_>,
        key: Option<&HomeDbKey>,
        budget: &mut Duration,
    ) -> Result<Option<Acquired<M>>, Error<M::Error>> {
        let Some(key) = key else { return Ok(None) };
        if self.inner.non_ssr_servers.load(Ordering::Acquire) > 0 {
            return Ok(None);
        }
        let cached = lock(&self.inner.home_db)
            .get(key, self.inner.clock.now())
            .map(str::to_owned);
        let Some(database) = cached else {
            return Ok(None);
        };
        if !self.is_fresh(Some(&database), request.mode) {
            return Ok(None);
        }
        let connection = self
            .acquire_in_table(Some(&database), request.mode, budget)
            .await?;
        if !self.inner.manager.resolves_home_db(&connection) {
            tracing::debug!(address = %connection.address(), %database,
                "server does not resolve the home database itself, resolving it by ROUTE");
            return Ok(None);
        }
        Ok(Some(Acquired {
            connection,
            database: Some(database),
            home_db_from_cache: true,
        }))
    }

    /// A connection to a server of `database`'s table for `mode`, within
    /// what is left of `budget` (the time spent comes off it); unreachable
    /// servers leave the table on the way. When none is left, the error
    /// says why the last one tried could not be reached.
    async fn acquire_in_table(
        &self,
        database: Option<&str>,
        mode: AccessMode,
        budget: &mut Duration,
    ) -> Result<Pooled<M>, Error<M::Error>> {
        let mut last_error = None;
        loop {
            let Some(address) = self.select(database, mode) else {
                return Err(Error::NoServerForMode {
                    mode,
                    database: database.map(str::to_owned),
                    last_error: last_error.map(|e: Error<M::Error>| Box::new(e) as _),
                });
            };
            let pool = self.pool_for(&address)?;
            let started = tokio::time::Instant::now();
            let acquired = pool.acquire_within(*budget).await;
            *budget = budget.saturating_sub(started.elapsed());
            match acquired {
                Ok(connection) => {
                    self.note_ssr(&address, self.inner.manager.resolves_home_db(&connection));
                    return Ok(connection);
                }
                Err(e) if self.is_unreachable(&e) => {
                    tracing::debug!(%address, error = %e, "server unreachable, trying another");
                    self.on_connection_failure(&address);
                    last_error = Some(e);
                }
                // The pool was retired by a concurrent table update: select again.
                Err(Error::Closed { .. }) if !self.inner.closed.load(Ordering::Acquire) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Records whether `address`'s server resolves the home database
    /// itself; the cache is only trusted while all of them do.
    fn note_ssr(&self, address: &Address, resolves: bool) {
        let mut known = lock(&self.inner.ssr);
        let before = known.get(address).copied();
        if before == Some(resolves) {
            return;
        }
        known.insert(address.clone(), resolves);
        match (before, resolves) {
            (Some(false), true) => {
                self.inner.non_ssr_servers.fetch_sub(1, Ordering::AcqRel);
            }
            (None | Some(true), false) => {
                self.inner.non_ssr_servers.fetch_add(1, Ordering::AcqRel);
            }
            _ => {}
        }
    }

    /// Forgets what was noted of `address`'s server (its pool is gone).
    fn forget_ssr(&self, address: &Address) {
        if lock(&self.inner.ssr).remove(address) == Some(false) {
            self.inner.non_ssr_servers.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Direct mode: the initial address's pool, from the map (created if
    /// need be; an error once the driver is closed), remembered for the
    /// next acquire.
    #[cold]
    fn direct_pool(&self) -> Result<Pool<M>, Error<M::Error>> {
        let pool = self.pool_for(&self.inner.initial)?;
        let _ = self.inner.direct.set(pool.clone());
        Ok(pool)
    }

    /// The server of `database`'s table for `mode` with the fewest
    /// connections in use. The table is read in place (locks: tables, then
    /// pools) and only the chosen address is copied; the scan stops at the
    /// first idle server, so a selection costs one pool lookup per server at
    /// most and one when an idle one comes first.
    fn select(&self, database: Option<&str>, mode: AccessMode) -> Option<Address> {
        let counter = match mode {
            AccessMode::Read => &self.inner.round_robin[0],
            AccessMode::Write => &self.inner.round_robin[1],
        };
        let start = counter.fetch_add(1, Ordering::Relaxed);
        let tables = lock(&self.inner.tables);
        let candidates = tables.get(database)?.servers_for(mode);
        let pools = lock(&self.inner.pools);
        let in_use = |a: &Address| pools.get(a).map_or(0, Pool::in_use);
        select_least_connected(candidates, start, in_use).cloned()
    }

    fn is_unreachable(&self, e: &Error<M::Error>) -> bool {
        match e {
            Error::ConnectTimeout { .. } => true,
            Error::Connect { source, .. } => {
                self.inner.manager.classify(source) == FailureKind::Unavailable
            }
            _ => false,
        }
    }

    fn is_fresh(&self, database: Option<&str>, mode: AccessMode) -> bool {
        lock(&self.inner.tables).is_fresh(database, mode, self.inner.clock.now())
    }

    /// A stale (or missing) table for `database`: refreshes it, one refresh
    /// at a time, unless another one made it fresh meanwhile. Returns the
    /// name the table is kept under.
    async fn refresh_stale(
        &self,
        database: Option<String>,
        request: &AcquireRequest<'_>,
        key: Option<&HomeDbKey>,
        budget: &mut Duration,
    ) -> Result<Option<String>, Error<M::Error>> {
        let _refreshing = self.inner.refresh.lock().await;
        if database.is_some() && self.is_fresh(database.as_deref(), request.mode) {
            return Ok(database);
        }
        let table = self
            .refresh(
                database.as_deref(),
                request.impersonated_user,
                request.session_auth,
                request.bookmarks,
                key,
                budget,
            )
            .await?;
        Ok(table.database().map(str::to_owned))
    }

    /// Fetches a new routing table for `database` now, fresh or not (the
    /// table is stored and returned). The connections to the routers tried
    /// share one acquisition timeout.
    pub async fn update_routing_table(
        &self,
        database: Option<&str>,
        impersonated_user: Option<&str>,
        bookmarks: &[String],
    ) -> Result<RoutingTable, Error<M::Error>> {
        let key = HomeDbKey::for_session(impersonated_user, None);
        let _refreshing = self.inner.refresh.lock().await;
        let mut budget = self.inner.pool_config.acquisition_timeout();
        let key = key.as_ref();
        self.refresh(
            database,
            impersonated_user,
            None,
            bookmarks,
            key,
            &mut budget,
        )
        .await
    }

    /// Asks the routers for `database`'s table, acquiring their connections
    /// within what is left of `budget` (the time spent comes off it).
    async fn refresh(
        &self,
        database: Option<&str>,
        impersonated_user: Option<&str>,
        auth: Option<&AuthToken>,
        bookmarks: &[String],
        key: Option<&HomeDbKey>,
        budget: &mut Duration,
    ) -> Result<RoutingTable, Error<M::Error>> {
        let initial = self.inner.initial.clone();
        // A database without a table (or the home database) asks the
        // initial address first, like the official drivers, but may still
        // fall back on the routers other tables know.
        let (routers, prefer_initial) = {
            let tables = lock(&self.inner.tables);
            match tables.get(database) {
                Some(t) if !t.routers().is_empty() => {
                    (t.routers().to_vec(), t.initialized_without_writers())
                }
                _ => (tables.routers_for(database), true),
            }
        };
        let request = RouteRequest {
            context: &self.inner.context,
            database,
            impersonated_user,
            bookmarks,
            auth,
        };
        let mut reply = None;
        let mut last_error = None;
        if prefer_initial {
            reply = self
                .fetch_via_initial(&request, &mut last_error, budget)
                .await?;
        }
        if reply.is_none() {
            for router in routers.iter().filter(|r| **r != initial) {
                reply = self
                    .fetch(router, &request, &mut last_error, budget)
                    .await?;
                if reply.is_some() {
                    break;
                }
            }
        }
        if reply.is_none() && !prefer_initial {
            reply = self
                .fetch_via_initial(&request, &mut last_error, budget)
                .await?;
        }
        let Some(reply) = reply else {
            return Err(Error::RoutingUnavailable {
                database: database.map(str::to_owned),
                last_error: last_error.map(|e| Box::new(e) as _),
            });
        };
        let now = self.inner.clock.now();
        let mut table = RoutingTable::from_reply(reply, now);
        // A named database keeps its name (the server may answer with the
        // target of an alias); `None` takes the home database's name.
        if database.is_some() || table.database().is_none() {
            table.set_database(database.map(str::to_owned));
        }
        if database.is_none() {
            if let (Some(key), Some(home)) = (key, table.database()) {
                lock(&self.inner.home_db).insert(key.clone(), home, now);
            }
        }
        lock(&self.inner.tables).insert(table.clone(), now);
        self.drop_unused_pools();
        tracing::debug!(database = ?table.database(), routers = ?table.routers(),
            readers = ?table.readers(), writers = ?table.writers(), "routing table updated");
        Ok(table)
    }

    async fn fetch_via_initial(
        &self,
        request: &RouteRequest<'_>,
        last_error: &mut Option<Error<M::Error>>,
        budget: &mut Duration,
    ) -> Result<Option<RouteReply>, Error<M::Error>> {
        let custom = self.inner.config.resolver.as_deref();
        let (addresses, failure) =
            resolve_all(custom, &*self.inner.config.dns, &self.inner.initial).await;
        if let Some((address, source)) = failure {
            *last_error = Some(Error::Resolve { address, source });
        }
        for address in &addresses {
            if let Some(reply) = self.fetch(address, request, last_error, budget).await? {
                return Ok(Some(reply));
            }
        }
        Ok(None)
    }

    /// One ROUTE against `router`, its connection acquired within what is
    /// left of `budget`: `Ok(None)` means try the next router (why this one
    /// gave nothing goes to `last_error`).
    async fn fetch(
        &self,
        router: &Address,
        request: &RouteRequest<'_>,
        last_error: &mut Option<Error<M::Error>>,
        budget: &mut Duration,
    ) -> Result<Option<RouteReply>, Error<M::Error>> {
        let pool = self.pool_for(router)?;
        let started = tokio::time::Instant::now();
        let acquired = pool.acquire_within(*budget).await;
        *budget = budget.saturating_sub(started.elapsed());
        let mut conn = match acquired {
            Ok(c) => c,
            Err(e) => {
                if let Some(source) = e.connection_error() {
                    if self.inner.manager.classify(source) == FailureKind::Fatal {
                        return Err(e);
                    }
                }
                if matches!(e, Error::Closed { .. }) && self.inner.closed.load(Ordering::Acquire) {
                    return Err(e);
                }
                tracing::debug!(%router, error = %e, "router unreachable");
                if self.is_unreachable(&e) {
                    self.on_connection_failure(router);
                }
                *last_error = Some(e);
                return Ok(None);
            }
        };
        self.note_ssr(router, self.inner.manager.resolves_home_db(&conn));
        match self.inner.manager.route(&mut conn, request).await {
            Ok(reply) if reply.is_usable() => Ok(Some(reply)),
            Ok(_) => {
                tracing::debug!(%router, "routing information without routers or readers, skipped");
                *last_error = Some(Error::UnusableRoutingTable {
                    address: router.clone(),
                    reason: "it names no routers or no readers",
                });
                Ok(None)
            }
            Err(e) => match self.inner.manager.classify(&e) {
                FailureKind::Fatal => Err(Error::Server {
                    address: router.clone(),
                    source: e,
                }),
                FailureKind::DatabaseNotFound => {
                    if let Some(db) = request.database {
                        self.forget_database(db);
                    }
                    Err(Error::Server {
                        address: router.clone(),
                        source: e,
                    })
                }
                FailureKind::Unavailable | FailureKind::DatabaseUnavailable => {
                    tracing::debug!(%router, error = %e, "router failed");
                    conn.discard();
                    drop(conn);
                    self.on_connection_failure(router);
                    *last_error = Some(Error::Server {
                        address: router.clone(),
                        source: e,
                    });
                    Ok(None)
                }
                _ => {
                    tracing::debug!(%router, error = %e, "router answered with an error");
                    *last_error = Some(Error::Server {
                        address: router.clone(),
                        source: e,
                    });
                    Ok(None)
                }
            },
        }
    }

    fn pool_for(&self, address: &Address) -> Result<Pool<M>, Error<M::Error>> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::Closed {
                address: address.clone(),
            });
        }
        let mut pools = lock(&self.inner.pools);
        let pool = pools.entry(address.clone()).or_insert_with(|| {
            Pool::with_clock(
                address.clone(),
                Arc::clone(&self.inner.manager),
                self.inner.pool_config.clone(),
                Arc::clone(&self.inner.clock),
            )
        });
        Ok(pool.clone())
    }

    /// Closes (in the background) the pools of servers no table names any
    /// more and that have nothing in use.
    fn drop_unused_pools(&self) {
        let tables = lock(&self.inner.tables);
        let mut pools = lock(&self.inner.pools);
        let unused: Vec<Address> = pools
            .iter()
            .filter(|(a, p)| !tables.contains_server(a) && p.in_use() == 0)
            .map(|(a, _)| a.clone())
            .collect();
        drop(tables);
        for a in unused {
            self.forget_ssr(&a);
            if let Some(pool) = pools.remove(&a) {
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    rt.spawn(async move { pool.close().await });
                }
            }
        }
    }

    /// A server could not be reached or its connection broke: it leaves
    /// every routing table and its idle connections are dropped.
    pub fn on_connection_failure(&self, address: &Address) {
        lock(&self.inner.tables).remove_server(address);
        if let Some(pool) = lock(&self.inner.pools).get(address) {
            pool.clear();
        }
    }

    /// Every connection to `address` is stale (a server said a connection's authorization
    /// expired, which holds for all of them): idle ones are dropped, ones in use are
    /// discarded when given back. Routing tables are left alone.
    pub fn clear_connections(&self, address: &Address) {
        if let Some(pool) = lock(&self.inner.pools).get(address) {
            pool.clear();
        }
    }

    /// The server said a connection's credentials expired, which holds for all of
    /// them: every connection to `address` logs on again before its next use
    /// ([`Pool::expire_auth`](crate::Pool::expire_auth)).
    pub fn expire_auth(&self, address: &Address) {
        if let Some(pool) = lock(&self.inner.pools).get(address) {
            pool.expire_auth();
        }
    }

    /// A server reported the database unavailable: it leaves every routing
    /// table; its connections stay pooled (they are sound).
    pub fn on_database_unavailable(&self, address: &Address) {
        lock(&self.inner.tables).remove_server(address);
    }

    /// A writer refused a write (NotALeader, ForbiddenOnReadOnlyDatabase):
    /// it leaves the writers of `database`.
    pub fn on_write_failure(&self, address: &Address, database: Option<&str>) {
        lock(&self.inner.tables).remove_writer(database, address);
    }

    /// Drops `database`'s routing table and any home-database cache entry
    /// pointing at it.
    pub fn forget_database(&self, database: &str) {
        lock(&self.inner.tables).forget(Some(database));
        lock(&self.inner.home_db).forget_database(database);
    }

    /// Applies the routing consequences of an error a connection to
    /// `address` reported while working on `database`.
    pub fn on_error(&self, address: &Address, database: Option<&str>, error: &M::Error) {
        if !self.inner.routing {
            return;
        }
        match self.inner.manager.classify(error) {
            FailureKind::Unavailable => self.on_connection_failure(address),
            FailureKind::DatabaseUnavailable => self.on_database_unavailable(address),
            FailureKind::NotALeader => self.on_write_failure(address, database),
            FailureKind::DatabaseNotFound => {
                if let Some(db) = database {
                    self.forget_database(db);
                }
            }
            _ => {}
        }
    }

    /// Records the home database a server reported (Bolt 5.8+ BEGIN/RUN
    /// replies) so later requests without a database skip the resolution.
    pub fn record_home_database(&self, key: HomeDbKey, database: &str) {
        lock(&self.inner.home_db).insert(key, database, self.inner.clock.now());
    }

    /// A copy of `database`'s routing table.
    pub fn routing_table(&self, database: Option<&str>) -> Option<RoutingTable> {
        lock(&self.inner.tables).get(database).cloned()
    }

    /// The counters of `address`'s pool, if there is one.
    pub fn pool_metrics(&self, address: &Address) -> Option<PoolMetrics> {
        lock(&self.inner.pools).get(address).map(Pool::metrics)
    }

    /// The counters of every pool.
    pub fn metrics(&self) -> Vec<(Address, PoolMetrics)> {
        let mut out: Vec<_> = lock(&self.inner.pools)
            .iter()
            .map(|(a, p)| (a.clone(), p.metrics()))
            .collect();
        out.sort_by_key(|x| x.0.to_string());
        out
    }

    /// Closes every pool: waiters fail at once, idle connections say
    /// GOODBYE, later acquires fail with [`Error::Closed`].
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        let pools: Vec<Pool<M>> = lock(&self.inner.pools).drain().map(|(_, p)| p).collect();
        for p in pools {
            p.close().await;
        }
    }
}
