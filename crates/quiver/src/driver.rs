//! The driver: connection pools, routing and the entry points of the API.

use std::fmt;
use std::sync::Arc;

use quiver_bolt::Error as BoltError;
use quiver_pool::{
    ClusterPools, PoolConfig, PoolMetrics, Resolver as PoolResolver, RoutingConfig, RoutingContext,
    RoutingTable,
};

use crate::auth::{AuthTokenManager, StaticAuthTokenManager};
use crate::bookmarks::{BookmarkManager, Bookmarks, DefaultBookmarkManager};
use crate::config::{AsyncResolver, Config};
use crate::error::{Error, ErrorKind, Result};
use crate::manager::DriverManager;
use crate::session::Session;
use crate::session_config::{AccessMode, SessionConfig};
use crate::summary::ServerInfo;
use crate::uri::ConnectionUri;
use crate::{Address, AuthToken};
use crate::{Clock, SystemClock};

pub use crate::execute_query::ExecuteQuery;

/// What sessions share: the pools, the credentials, the settings.
pub(crate) struct DriverInner {
    pub(crate) pools: ClusterPools<DriverManager>,
    pub(crate) auth: Arc<dyn AuthTokenManager>,
    /// The token, when the driver was built with fixed credentials: sessions
    /// skip the manager then.
    pub(crate) static_auth: Option<AuthToken>,
    pub(crate) config: Config,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) query_bookmark_manager: Arc<dyn BookmarkManager>,
    /// Async work ran on a current-thread runtime: some connections may be
    /// driven by it (see `blocking::Driver::from_async`).
    pub(crate) used_on_current_thread: std::sync::atomic::AtomicBool,
    uri: ConnectionUri,
}

impl DriverInner {
    /// The driver's credentials now: the fixed token, or the manager's
    /// (which new connections then log on with).
    pub(crate) async fn current_auth(&self) -> Result<AuthToken> {
        if let Some(fixed) = &self.static_auth {
            return Ok(fixed.clone());
        }
        let current = self.auth.get_auth().await?;
        self.pools.manager().set_auth(&current);
        Ok(current)
    }
}

/// A Neo4j driver: the pools of connections to a server or a cluster, and
/// the sessions that borrow them.
///
/// Create one per application and share it: it is `Clone + Send + Sync`,
/// and clones are cheap handles on the same pools.
///
/// ```no_run
/// use quiver::{AuthToken, Driver, SessionConfig};
///
/// # async fn demo() -> quiver::Result<()> {
/// let driver = Driver::new("neo4j://localhost:7687", AuthToken::basic("neo4j", "password"))?;
/// driver.verify_connectivity().await?;
///
/// // The simplest way to run a query: retried on transient failures,
/// // records in memory.
/// let result = driver
///     .execute_query("MATCH (p:Person) RETURN p.name AS name")
///     .database("neo4j")
///     .run()
///     .await?;
/// for record in &result.records {
///     println!("{}", record.get::<&str>("name")?);
/// }
///
/// // Sessions for everything else.
/// let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
/// session.run("CREATE (:Person {name: 'Alice'})").await?.consume().await?;
/// session.close().await?;
/// driver.close().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Driver {
    pub(crate) inner: Arc<DriverInner>,
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("uri", &self.inner.uri.to_string())
            .field("routing", &self.inner.pools.is_routing())
            .finish_non_exhaustive()
    }
}

impl Driver {
    /// A driver for `uri` (`bolt`, `bolt+s`, `bolt+ssc`, `neo4j`, `neo4j+s`
    /// or `neo4j+ssc`) with the default configuration.
    ///
    /// No connection is opened yet; use
    /// [`verify_connectivity`](Self::verify_connectivity) to check the
    /// server is there.
    pub fn new(uri: &str, auth: AuthToken) -> Result<Driver> {
        Driver::builder(uri).auth(auth).build()
    }

    /// A driver with a configuration of your own.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use quiver::{AuthToken, Config, Driver};
    ///
    /// let config = Config::builder()
    ///     .max_connection_pool_size(20)
    ///     .connection_acquisition_timeout(Duration::from_secs(10))
    ///     .build()?;
    /// let driver = Driver::with_config("neo4j://localhost", AuthToken::none(), config)?;
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn with_config(uri: &str, auth: AuthToken, config: Config) -> Result<Driver> {
        Driver::builder(uri).auth(auth).config(config).build()
    }

    /// A builder, for credentials from an [`AuthTokenManager`] or a clock
    /// of your own.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use quiver::{AuthToken, Driver, ExpiringAuth, RefreshingAuthTokenManager};
    ///
    /// let tokens = RefreshingAuthTokenManager::bearer(|| async {
    ///     // Fetch a fresh token from your identity provider here.
    ///     Ok(ExpiringAuth::new(AuthToken::bearer("token"))
    ///         .expires_in(std::time::Duration::from_secs(3600)))
    /// });
    /// let driver = Driver::builder("neo4j+s://db.example.com")
    ///     .auth_manager(Arc::new(tokens))
    ///     .build()?;
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn builder(uri: &str) -> DriverBuilder {
        DriverBuilder {
            uri: uri.to_owned(),
            auth: Credentials::Fixed(AuthToken::none()),
            config: Config::default(),
            clock: None,
        }
    }

    /// A new session. Sessions are cheap: open one per unit of work (a
    /// request, a task) and do not share it between tasks.
    pub fn session(&self, config: SessionConfig) -> Session {
        Session::new(Arc::clone(&self.inner), config)
    }

    /// Runs one query as a transaction function (retried on transient
    /// failures) and returns its records, keys and summary: the shortest way
    /// to a result. See [`ExecuteQuery`] for the options.
    ///
    /// Retries include an unreachable server ([`ErrorKind::ServiceUnavailable`]
    /// is retryable): with the default
    /// [`max_transaction_retry_time`](crate::ConfigBuilder::max_transaction_retry_time)
    /// of 30 s, a query to a server that is down fails after about 30 s,
    /// where [`verify_connectivity`](Self::verify_connectivity) fails at
    /// once. Check connectivity at start-up, or lower the retry time:
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use quiver::{AuthToken, Config, Driver};
    ///
    /// # async fn demo() -> quiver::Result<()> {
    /// let config = Config::builder().max_transaction_retry_time(Duration::from_secs(3)).build()?;
    /// let driver = Driver::with_config("neo4j://localhost", AuthToken::basic("neo4j", "pw"), config)?;
    /// driver.verify_connectivity().await?; // fails fast when the server is down
    /// # Ok(()) }
    /// ```
    ///
    /// ```no_run
    /// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
    /// use quiver::RoutingControl;
    ///
    /// let result = driver
    ///     .execute_query("MATCH (p:Person {name: $name}) RETURN p.age AS age")
    ///     .param("name", "Alice")
    ///     .routing(RoutingControl::Readers)
    ///     .database("neo4j")
    ///     .await?;
    /// let age: i64 = result.records[0].get("age")?;
    /// # let _ = age; Ok(()) }
    /// ```
    pub fn execute_query(&self, query: impl Into<crate::Query>) -> ExecuteQuery<'_> {
        ExecuteQuery::new(self, query.into())
    }

    /// The bookmark manager [`execute_query`](Self::execute_query) uses by
    /// default; give it to sessions to chain them causally with
    /// `execute_query` calls.
    pub fn query_bookmark_manager(&self) -> Arc<dyn BookmarkManager> {
        Arc::clone(&self.inner.query_bookmark_manager)
    }

    /// Opens (or borrows) a connection to check that a server can be
    /// reached and, for `neo4j` URIs, that routing information can be
    /// fetched.
    pub async fn verify_connectivity(&self) -> Result<()> {
        self.server_info().await.map(|_| ())
    }

    /// Whether the server accepts `auth`. Needs Bolt 5.1 (Neo4j 5.5) or
    /// newer. Authentication failures give `Ok(false)`; other failures are
    /// errors.
    pub async fn verify_authentication(&self, auth: AuthToken) -> Result<bool> {
        // On a reader of the system database, as the official drivers check it.
        let mut session = self.session(
            SessionConfig::builder()
                .database("system")
                .default_access_mode(AccessMode::Read)
                .auth(auth)
                .build(),
        );
        match session.verify_credentials().await {
            Ok(()) => Ok(true),
            // The credentials are wrong, expired or not allowed: a "no". Other failures,
            // security ones included (a rate limit, say), are errors.
            Err(e)
                if matches!(
                    e.code(),
                    Some(
                        "Neo.ClientError.Security.Unauthorized"
                            | "Neo.ClientError.Security.Forbidden"
                            | "Neo.ClientError.Security.CredentialsExpired"
                            | "Neo.ClientError.Security.TokenExpired"
                    )
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// The address, agent and protocol version of a server the driver
    /// connects to (a reader, for clusters).
    pub async fn server_info(&self) -> Result<ServerInfo> {
        let mut session = self.session(
            SessionConfig::builder()
                .default_access_mode(AccessMode::Read)
                .build(),
        );
        session.probe().await
    }

    /// Whether the server supports several databases (every server this
    /// driver speaks to does: Bolt 4.0 and newer).
    pub async fn supports_multi_db(&self) -> Result<bool> {
        self.server_info()
            .await
            .map(|s| s.protocol_version() >= (4, 0))
    }

    /// Whether the server supports session-level credentials
    /// ([`SessionConfigBuilder::auth`](crate::SessionConfigBuilder::auth)):
    /// Bolt 5.1 and newer.
    pub async fn supports_session_auth(&self) -> Result<bool> {
        self.server_info()
            .await
            .map(|s| s.protocol_version() >= (5, 1))
    }

    /// Whether connections are encrypted (TLS).
    pub fn is_encrypted(&self) -> bool {
        self.inner.pools.manager().is_tls()
    }

    /// The counters of every connection pool (one per server).
    pub fn metrics(&self) -> Vec<(Address, PoolMetrics)> {
        self.inner.pools.metrics()
    }

    /// A copy of the routing table the driver holds for `database` (`None`:
    /// the table of the default database, as the server named it), or `None`
    /// when it has none: direct (`bolt://`) drivers never do. For
    /// inspection, tests and diagnostics; the driver refreshes tables itself.
    ///
    /// ```no_run
    /// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
    /// driver.verify_connectivity().await?;
    /// if let Some(table) = driver.routing_table(Some("neo4j")) {
    ///     println!("readers: {:?}, ttl {:?}", table.readers(), table.ttl());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn routing_table(&self, database: Option<&str>) -> Option<RoutingTable> {
        if !self.inner.pools.is_routing() {
            return None;
        }
        self.inner.pools.routing_table(database)
    }

    /// Fetches a new routing table for `database` now, fresh or not, waiting
    /// for `bookmarks`, and returns it. Fails with
    /// [`ErrorKind::Configuration`] on a direct (`bolt://`) driver. Meant for
    /// tests and diagnostics: the driver refreshes tables on its own when
    /// they expire.
    pub async fn update_routing_table(
        &self,
        database: Option<&str>,
        bookmarks: &Bookmarks,
    ) -> Result<RoutingTable> {
        if !self.inner.pools.is_routing() {
            return Err(Error::configuration(
                "a direct driver has no routing table to update",
            ));
        }
        // New connections log on with the driver's current credentials,
        // as for a session.
        self.inner.current_auth().await?;
        let bookmarks: Vec<String> = bookmarks.raw_values().map(str::to_owned).collect();
        self.inner
            .pools
            .update_routing_table(database, None, &bookmarks)
            .await
            .map_err(pool_error)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Closes every pool: idle connections say goodbye, work still waiting on
    /// a server (a stalled read, say) ends at once with [`ErrorKind::Closed`]
    /// and its connection is closed, connections in use are closed when
    /// given back, and new sessions fail with [`ErrorKind::Closed`].
    pub async fn close(&self) {
        // Work still waiting on a server ends first (with ErrorKind::Closed),
        // so that its connections come back and close with the rest.
        self.inner.pools.manager().close_connections();
        self.inner.pools.close().await;
    }
}

/// Where a driver's credentials come from.
enum Credentials {
    /// Always the same token.
    Fixed(AuthToken),
    /// Asked of a manager before each unit of work.
    Managed(Arc<dyn AuthTokenManager>),
}

/// Builds a [`Driver`]; get one from [`Driver::builder`].
#[must_use]
pub struct DriverBuilder {
    uri: String,
    auth: Credentials,
    config: Config,
    clock: Option<Arc<dyn Clock>>,
}

impl fmt::Debug for DriverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DriverBuilder")
            .field("uri", &self.uri)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl DriverBuilder {
    /// Fixed credentials.
    pub fn auth(mut self, auth: AuthToken) -> Self {
        self.auth = Credentials::Fixed(auth);
        self
    }

    /// Credentials that may change (see [`AuthTokenManager`]).
    pub fn auth_manager(mut self, manager: Arc<dyn AuthTokenManager>) -> Self {
        self.auth = Credentials::Managed(manager);
        self
    }

    /// The configuration (default: [`Config::default`]).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The clock for retry waits, routing table lifetimes and connection
    /// ages (tests and testkit pass a [`FakeClock`](crate::FakeClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The driver. Fails on an invalid URI or configuration; no connection
    /// is opened yet.
    pub fn build(self) -> Result<Driver> {
        let uri = ConnectionUri::parse(&self.uri)?;
        let (auth, static_auth): (Arc<dyn AuthTokenManager>, _) = match self.auth {
            Credentials::Fixed(token) => (
                Arc::new(StaticAuthTokenManager::new(token.clone())),
                Some(token),
            ),
            Credentials::Managed(manager) => (manager, None),
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let config = self.config;
        // With fixed credentials, connections log on with them. Else the
        // first ones log on with an empty token until a session asks the
        // auth manager (sessions do before every acquire).
        let first = static_auth.clone().unwrap_or_else(AuthToken::none);
        let connection = config.connection_config(&uri, first)?;
        let manager = DriverManager::new(connection);
        let pool_config = PoolConfig::default()
            .with_max_size(config.max_connection_pool_size())
            .with_acquisition_timeout(config.connection_acquisition_timeout())
            // The pool bounds a whole open (transport, handshake, HELLO)
            // with this; the connection timeout covers only the transport
            // (in the Bolt layer), and the rest counts against the
            // acquisition timeout, as in the official drivers.
            .with_connect_timeout(
                config
                    .connection_acquisition_timeout()
                    .max(config.connection_timeout()),
            )
            .with_max_lifetime(config.max_connection_lifetime())
            .with_liveness_check_after(config.liveness_check_timeout());
        let routing = uri.scheme().is_routing();
        let mut routing_config = RoutingConfig::default();
        if routing {
            let query: String = uri
                .routing_context()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&");
            let context = RoutingContext::from_query(&query, uri.address()).map_err(|e| {
                Error::configuration("the routing context is invalid").with_source(e)
            })?;
            routing_config = routing_config.with_context(context);
            if let Some(resolver) = config.async_resolver() {
                let custom: Arc<dyn PoolResolver> = Arc::new(ConfiguredResolver {
                    resolve: Arc::clone(resolver),
                    marks_resolved: false,
                });
                routing_config = routing_config.with_resolver(Some(custom));
            }
            if let Some(dns) = config.dns_resolver() {
                routing_config = routing_config.with_dns(Arc::new(ConfiguredResolver {
                    resolve: Arc::clone(dns),
                    marks_resolved: true,
                }));
            }
        }
        let pools = ClusterPools::with_clock(
            uri.address().clone(),
            Arc::new(manager),
            pool_config,
            routing_config,
            Arc::clone(&clock),
            routing,
        );
        Ok(Driver {
            inner: Arc::new(DriverInner {
                pools,
                auth,
                static_auth,
                config,
                clock,
                query_bookmark_manager: Arc::new(DefaultBookmarkManager::new()),
                used_on_current_thread: std::sync::atomic::AtomicBool::new(false),
                uri,
            }),
        })
    }
}

/// A resolver from the configuration, as the pool wants it.
struct ConfiguredResolver {
    resolve: AsyncResolver,
    /// The DNS step: its results keep the original host as TLS server name
    /// and are not resolved again.
    marks_resolved: bool,
}

impl fmt::Debug for ConfiguredResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfiguredResolver")
            .field("marks_resolved", &self.marks_resolved)
            .finish_non_exhaustive()
    }
}

impl PoolResolver for ConfiguredResolver {
    fn resolve<'a>(&'a self, address: &'a Address) -> crate::BoxFuture<'a, Vec<Address>> {
        Box::pin(async move {
            let found = (self.resolve)(address.clone()).await;
            if self.marks_resolved {
                found
                    .into_iter()
                    .map(|a| a.resolved_from(address))
                    .collect()
            } else {
                found
            }
        })
    }
}

/// The driver's error for a failure to get a connection from the pools.
pub(crate) fn pool_error(e: quiver_pool::Error<BoltError>) -> Error {
    use quiver_pool::Error as P;
    let kind = match &e {
        P::Connect { .. } | P::Server { .. } => {
            let address = e.address().map(ToString::to_string).unwrap_or_default();
            return match e {
                P::Connect { source, .. } | P::Server { source, .. } => {
                    let inner = Error::from_bolt(source);
                    if inner.kind() == ErrorKind::ServiceUnavailable {
                        Error::new(
                            ErrorKind::ServiceUnavailable,
                            format!("could not reach {address}"),
                        )
                        .with_source(inner)
                    } else {
                        inner
                    }
                }
                other => Error::new(ErrorKind::ServiceUnavailable, "").with_source(other),
            };
        }
        P::ConnectTimeout { .. } | P::RoutingUnavailable { .. } => ErrorKind::ServiceUnavailable,
        P::AcquisitionTimeout { .. } => ErrorKind::Timeout,
        P::Closed { .. } => ErrorKind::Closed,
        P::NoServerForMode { .. } => ErrorKind::SessionExpired,
        _ => ErrorKind::ServiceUnavailable,
    };
    let message = e.to_string();
    Error::new(kind, message).with_source(e)
}
