//! `Driver::execute_query`: one query, retried, records in memory.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::sync::Arc;

use serde::Serialize;

use crate::bookmarks::{BookmarkManager, BoxFuture};
use crate::driver::Driver;
use crate::eager::EagerResult;
use crate::error::Result;
use crate::result::QueryResult;
use crate::session::Session;
use crate::session_config::{RoutingControl, SessionConfig, TransactionConfig};
use crate::summary::Query;
use crate::transaction::ManagedTransaction;
use crate::{AuthToken, Map, Value};

/// A query for [`Driver::execute_query`], with its options. Run it with
/// [`run`](Self::run) (or `.await` it) for an [`EagerResult`], or with
/// [`run_with`](Self::run_with) and a result transformer of your own.
///
/// Defaults: routed to writers, the home database, the driver's
/// [query bookmark manager](Driver::query_bookmark_manager), no
/// impersonation.
///
/// ```no_run
/// # async fn demo(driver: quiver::Driver) -> quiver::Result<()> {
/// use quiver::{params, RoutingControl};
///
/// // A result transformer: the first record's `name`, if any.
/// let name: Option<String> = driver
///     .execute_query("MATCH (p:Person) WHERE p.age > $age RETURN p.name AS name LIMIT 1")
///     .params(params! { "age" => 30 })
///     .routing(RoutingControl::Readers)
///     .database("neo4j")
///     .run_with(|mut result| async move {
///         match result.next().await {
///             Some(record) => Ok(Some(record?.get::<String>("name")?)),
///             None => Ok(None),
///         }
///     })
///     .await?;
/// # let _ = name; Ok(()) }
/// ```
#[must_use = "an ExecuteQuery does nothing until run or awaited"]
pub struct ExecuteQuery<'d> {
    driver: &'d Driver,
    query: Query,
    routing: RoutingControl,
    database: Option<String>,
    impersonated_user: Option<String>,
    bookmark_manager: Option<Arc<dyn BookmarkManager>>,
    tx_config: TransactionConfig,
    auth: Option<AuthToken>,
}

impl fmt::Debug for ExecuteQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecuteQuery")
            .field("query", &self.query.text())
            .field("routing", &self.routing)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl<'d> ExecuteQuery<'d> {
    pub(crate) fn new(driver: &'d Driver, query: Query) -> Self {
        ExecuteQuery {
            bookmark_manager: Some(driver.query_bookmark_manager()),
            driver,
            query,
            routing: RoutingControl::Writers,
            database: None,
            impersonated_user: None,
            tx_config: TransactionConfig::default(),
            auth: None,
        }
    }

    /// Adds one parameter; see [`Query::param`] (unsigned integers are
    /// checked into `i64`).
    pub fn param<V>(mut self, key: impl Into<String>, value: V) -> Self
    where
        V: TryInto<Value>,
        V::Error: std::fmt::Display,
    {
        self.query = self.query.param(key, value);
        self
    }

    /// Adds parameters from a map ([`params!`](crate::params)).
    pub fn params(mut self, params: Map) -> Self {
        self.query = self.query.params(params);
        self
    }

    /// Adds parameters from any `Serialize` struct or map.
    pub fn params_from<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self> {
        self.query = self.query.params_from(value)?;
        Ok(self)
    }

    /// Readers or writers (default: writers).
    pub fn routing(mut self, routing: RoutingControl) -> Self {
        self.routing = routing;
        self
    }

    /// The database (default: the user's home database). Naming it saves a
    /// round trip.
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// Runs the query as another user.
    pub fn impersonated_user(mut self, user: impl Into<String>) -> Self {
        self.impersonated_user = Some(user.into());
        self
    }

    /// The bookmark manager chaining this query with others (`None`: no
    /// causal chaining).
    pub fn bookmark_manager(mut self, manager: Option<Arc<dyn BookmarkManager>>) -> Self {
        self.bookmark_manager = manager;
        self
    }

    /// Transaction metadata and timeout.
    pub fn transaction_config(mut self, config: TransactionConfig) -> Self {
        self.tx_config = config;
        self
    }

    /// Credentials for this query only (Bolt 5.1+).
    pub fn auth(mut self, auth: AuthToken) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Runs the query and returns keys, records and summary.
    pub async fn run(self) -> Result<EagerResult> {
        self.run_with(|mut result| async move { result.to_eager_result().await })
            .await
    }

    /// Runs the query and hands its result to `transformer` inside the
    /// transaction; returns what the transformer returns. The transformer
    /// runs again when the transaction is retried.
    pub async fn run_with<F, Fut, T>(self, mut transformer: F) -> Result<T>
    where
        F: FnMut(QueryResult) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.query.check()?;
        let mut session = self.driver.session(self.session_config());
        let read = self.routing == RoutingControl::Readers;
        let mut retrier = session.retrier();
        let mut telemetry =
            crate::session::TelemetryOnce::new(quiver_bolt::TelemetryApi::ExecuteQuery);
        loop {
            let error = match session
                .open_tx(
                    read,
                    &self.tx_config,
                    &mut telemetry,
                    crate::session::Begin::WithFirstQuery,
                )
                .await
            {
                Ok((shared, sent)) => {
                    let tx = ManagedTransaction::new(Arc::clone(&shared), session.fetch_n());
                    let outcome = match tx.run(self.query.clone()).await {
                        Ok(result) => transformer(result).await,
                        Err(e) => Err(e),
                    };
                    let ended = session.end_managed(&shared, &sent, outcome).await;
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
}

impl ExecuteQuery<'_> {
    /// The session the query runs in: its database, user, bookmark manager
    /// and credentials.
    fn session_config(&self) -> SessionConfig {
        let mut config = SessionConfig::builder();
        if let Some(db) = &self.database {
            config = config.database(db.clone());
        }
        if let Some(user) = &self.impersonated_user {
            config = config.impersonated_user(user.clone());
        }
        if let Some(m) = &self.bookmark_manager {
            config = config.bookmark_manager(Arc::clone(m));
        }
        if let Some(a) = &self.auth {
            config = config.auth(a.clone());
        }
        config.build()
    }

    /// What the blocking API's `run_with` runs: the session, the query,
    /// whether it goes to readers, and the transaction config.
    pub(crate) fn into_parts(self) -> Result<(Session, Query, bool, TransactionConfig)> {
        self.query.check()?;
        let session = self.driver.session(self.session_config());
        let read = self.routing == RoutingControl::Readers;
        Ok((session, self.query, read, self.tx_config))
    }
}

impl<'d> IntoFuture for ExecuteQuery<'d> {
    type Output = Result<EagerResult>;
    type IntoFuture = BoxFuture<'d, Result<EagerResult>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
