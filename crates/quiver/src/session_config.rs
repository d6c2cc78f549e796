//! Session and transaction configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::bookmarks::{BookmarkManager, Bookmarks};
use crate::config::{FetchSize, NotificationFilter};
use crate::AuthToken;
use crate::{Map, Value};

/// Whether work is meant for a writer or may go to a reader.
///
/// On a cluster, it decides which server a session's connection goes to; it
/// does not restrict what the queries may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AccessMode {
    /// Reads only: may be served by followers and read replicas.
    Read,
    /// Writes (the default): served by the leader.
    #[default]
    Write,
}

/// Whether `execute_query` sends its query to a reader or to a writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RoutingControl {
    /// A reader: a follower or read replica (or any server of a single
    /// instance).
    Readers,
    /// A writer (the default): the leader.
    #[default]
    Writers,
}

impl From<RoutingControl> for AccessMode {
    fn from(r: RoutingControl) -> Self {
        match r {
            RoutingControl::Readers => AccessMode::Read,
            RoutingControl::Writers => AccessMode::Write,
        }
    }
}

/// How a session works: database, access mode, bookmarks and more. The
/// defaults suit most uses.
///
/// ```
/// use quiver::{AccessMode, Bookmarks, SessionConfig};
///
/// let config = SessionConfig::builder()
///     .database("neo4j")
///     .default_access_mode(AccessMode::Read)
///     .bookmarks(Bookmarks::from_raw_values(["bm:1"]))
///     .build();
/// assert_eq!(config.database(), Some("neo4j"));
/// ```
#[derive(Clone, Default)]
pub struct SessionConfig {
    database: Option<String>,
    default_access_mode: AccessMode,
    bookmarks: Bookmarks,
    bookmark_manager: Option<Arc<dyn BookmarkManager>>,
    fetch_size: Option<FetchSize>,
    impersonated_user: Option<String>,
    notification_filter: Option<NotificationFilter>,
    auth: Option<AuthToken>,
}

impl SessionConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> SessionConfigBuilder {
        SessionConfigBuilder {
            config: SessionConfig::default(),
        }
    }

    /// The database; `None` uses the server's default database (resolved
    /// once, at some cost: name it when you can).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The access mode of auto-commit queries and explicit transactions
    /// (default [`AccessMode::Write`]).
    pub fn default_access_mode(&self) -> AccessMode {
        self.default_access_mode
    }

    /// The bookmarks the first transaction waits for.
    pub fn bookmarks(&self) -> &Bookmarks {
        &self.bookmarks
    }

    /// The bookmark manager shared with other sessions, if any.
    pub fn bookmark_manager(&self) -> Option<&Arc<dyn BookmarkManager>> {
        self.bookmark_manager.as_ref()
    }

    /// The records fetched per batch; `None` uses the driver's.
    pub fn fetch_size(&self) -> Option<FetchSize> {
        self.fetch_size
    }

    /// The user whose security context the work runs in, if any.
    pub fn impersonated_user(&self) -> Option<&str> {
        self.impersonated_user.as_deref()
    }

    /// The notification filter; `None` uses the driver's.
    pub fn notification_filter(&self) -> Option<&NotificationFilter> {
        self.notification_filter.as_ref()
    }

    /// The credentials the session's work runs with; `None` uses the
    /// driver's.
    pub fn auth(&self) -> Option<&AuthToken> {
        self.auth.as_ref()
    }
}

impl fmt::Debug for SessionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionConfig")
            .field("database", &self.database)
            .field("default_access_mode", &self.default_access_mode)
            .field("bookmarks", &self.bookmarks)
            .field("bookmark_manager", &self.bookmark_manager.is_some())
            .field("fetch_size", &self.fetch_size)
            .field("impersonated_user", &self.impersonated_user)
            .field("notification_filter", &self.notification_filter)
            .field("auth", &self.auth)
            .finish()
    }
}

/// Builds a [`SessionConfig`].
#[must_use]
#[derive(Debug, Clone)]
pub struct SessionConfigBuilder {
    config: SessionConfig,
}

impl SessionConfigBuilder {
    /// The database to use.
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.config.database = Some(database.into());
        self
    }

    /// The access mode of auto-commit queries and explicit transactions.
    pub fn default_access_mode(mut self, mode: AccessMode) -> Self {
        self.config.default_access_mode = mode;
        self
    }

    /// The bookmarks the first transaction waits for.
    pub fn bookmarks(mut self, bookmarks: Bookmarks) -> Self {
        self.config.bookmarks = bookmarks;
        self
    }

    /// A bookmark manager shared with other sessions.
    pub fn bookmark_manager(mut self, manager: Arc<dyn BookmarkManager>) -> Self {
        self.config.bookmark_manager = Some(manager);
        self
    }

    /// The records fetched per batch.
    pub fn fetch_size(mut self, size: FetchSize) -> Self {
        self.config.fetch_size = Some(size);
        self
    }

    /// Runs the work as another user (the driver's user needs the
    /// permission).
    pub fn impersonated_user(mut self, user: impl Into<String>) -> Self {
        self.config.impersonated_user = Some(user.into());
        self
    }

    /// The notification filter for this session.
    pub fn notification_filter(mut self, filter: NotificationFilter) -> Self {
        self.config.notification_filter = Some(filter);
        self
    }

    /// Runs the session's work with other credentials than the driver's
    /// (needs Bolt 5.1 or later). Cheaper than a second driver, dearer than
    /// impersonation: connections re-authenticate as needed.
    pub fn auth(mut self, auth: AuthToken) -> Self {
        self.config.auth = Some(auth);
        self
    }

    /// The configuration.
    pub fn build(self) -> SessionConfig {
        self.config
    }
}

/// Metadata and timeout of one transaction (explicit, managed or
/// auto-commit).
///
/// ```
/// use std::time::Duration;
/// use quiver::TransactionConfig;
///
/// let config = TransactionConfig::new()
///     .with_timeout(Duration::from_secs(5))
///     .with_metadata_entry("app", "billing");
/// assert_eq!(config.timeout_millis(), Some(5000));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactionConfig {
    metadata: Map,
    timeout: Option<Duration>,
}

impl TransactionConfig {
    /// No metadata; the server's default timeout.
    pub fn new() -> Self {
        TransactionConfig::default()
    }

    /// Sets the metadata, shown by `SHOW TRANSACTIONS` and written to the
    /// query log.
    pub fn with_metadata(mut self, metadata: Map) -> Self {
        self.metadata = metadata;
        self
    }

    /// Adds one metadata entry.
    pub fn with_metadata_entry(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets the timeout after which the server terminates the transaction.
    /// Zero means no timeout at all, overriding the server's default.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the timeout from a number of milliseconds as an untyped caller
    /// (a configuration file, a test harness) has it. Fails with
    /// [`ErrorKind::Configuration`](crate::ErrorKind::Configuration) on a
    /// negative or non-finite value instead of sending it; zero means no
    /// timeout, as for [`with_timeout`](Self::with_timeout).
    ///
    /// ```
    /// use quiver::TransactionConfig;
    ///
    /// let c = TransactionConfig::new().try_with_timeout_millis(1500.0)?;
    /// assert_eq!(c.timeout_millis(), Some(1500));
    /// assert!(TransactionConfig::new().try_with_timeout_millis(-1.0).is_err());
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn try_with_timeout_millis(self, millis: f64) -> crate::Result<Self> {
        match Duration::try_from_secs_f64(millis / 1000.0) {
            Ok(timeout) => Ok(self.with_timeout(timeout)),
            Err(_) => Err(crate::Error::configuration(format!(
                "a transaction timeout must be a non-negative number of milliseconds, got {millis}"
            ))),
        }
    }

    /// The metadata.
    pub fn metadata(&self) -> &Map {
        &self.metadata
    }

    /// The timeout; `None` uses the server's default.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The timeout as sent to the server, in whole milliseconds, rounded up so
    /// that a sub-millisecond timeout does not turn into "no timeout".
    pub fn timeout_millis(&self) -> Option<i64> {
        self.timeout.map(|t| {
            let ms = t.as_millis();
            let ms = if t.subsec_nanos() % 1_000_000 != 0 {
                ms.saturating_add(1)
            } else {
                ms
            };
            i64::try_from(ms).unwrap_or(i64::MAX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::DefaultBookmarkManager;

    #[test]
    fn routing_control_maps_to_access_mode() {
        assert_eq!(AccessMode::from(RoutingControl::Readers), AccessMode::Read);
        assert_eq!(
            AccessMode::from(RoutingControl::default()),
            AccessMode::Write
        );
    }

    #[test]
    fn session_defaults() {
        let c = SessionConfig::default();
        assert_eq!(c.database(), None);
        assert_eq!(c.default_access_mode(), AccessMode::Write);
        assert!(c.bookmarks().is_empty());
        assert!(c.bookmark_manager().is_none());
        assert_eq!(c.fetch_size(), None);
        assert_eq!(c.impersonated_user(), None);
        assert!(c.notification_filter().is_none());
        assert!(c.auth().is_none());
    }

    #[test]
    fn session_builder() {
        let c = SessionConfig::builder()
            .database("movies")
            .default_access_mode(AccessMode::Read)
            .bookmarks(Bookmarks::from_raw_values(["a"]))
            .bookmark_manager(Arc::new(DefaultBookmarkManager::new()))
            .fetch_size(FetchSize::Records(10))
            .impersonated_user("jane")
            .notification_filter(NotificationFilter::none())
            .auth(AuthToken::basic("jane", "secret"))
            .build();
        assert_eq!(c.auth().map(AuthToken::scheme), Some("basic"));
        assert!(!format!("{c:?}").contains("secret"));
        assert_eq!(c.database(), Some("movies"));
        assert_eq!(c.default_access_mode(), AccessMode::Read);
        assert!(c.bookmarks().contains("a"));
        assert!(c.bookmark_manager().is_some());
        assert_eq!(c.fetch_size(), Some(FetchSize::Records(10)));
        assert_eq!(c.impersonated_user(), Some("jane"));
        assert!(format!("{c:?}").contains("movies"));
    }

    #[test]
    fn transaction_timeout_rounds_up_to_milliseconds() {
        let t = |d| TransactionConfig::new().with_timeout(d).timeout_millis();
        assert_eq!(TransactionConfig::new().timeout_millis(), None);
        assert_eq!(t(Duration::ZERO), Some(0));
        assert_eq!(t(Duration::from_micros(1)), Some(1));
        assert_eq!(t(Duration::from_micros(1500)), Some(2));
        assert_eq!(t(Duration::from_secs(2)), Some(2000));
    }

    #[test]
    fn transaction_metadata() {
        let c = TransactionConfig::new()
            .with_metadata_entry("a", 1i64)
            .with_metadata_entry("b", "x");
        assert_eq!(c.metadata().len(), 2);
        assert_eq!(c.metadata().get("a"), Some(&Value::from(1i64)));
    }
}
