//! What an acquire asks for, and what it gets.

use crate::{AccessMode, Manager, Pooled};

/// The arguments of [`ClusterPools::acquire`](crate::ClusterPools::acquire).
///
/// ```
/// use quiver_pool::{AccessMode, AcquireRequest};
/// let bookmarks = vec!["bm:1".to_owned()];
/// let req = AcquireRequest::new(AccessMode::Write)
///     .database(Some("movies"))
///     .bookmarks(&bookmarks);
/// assert_eq!(req.database_name(), Some("movies"));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AcquireRequest<'a> {
    pub(crate) mode: AccessMode,
    pub(crate) database: Option<&'a str>,
    pub(crate) impersonated_user: Option<&'a str>,
    pub(crate) auth_key: Option<&'a str>,
    pub(crate) bookmarks: &'a [String],
    pub(crate) use_home_db_cache: bool,
}

impl<'a> AcquireRequest<'a> {
    /// A request for `mode` on the home database, no bookmarks.
    pub fn new(mode: AccessMode) -> Self {
        Self {
            mode,
            database: None,
            impersonated_user: None,
            auth_key: None,
            bookmarks: &[],
            use_home_db_cache: false,
        }
    }

    /// The database (`None`: the user's home database, resolved by ROUTE or
    /// taken from the home-database cache).
    pub fn database(mut self, database: Option<&'a str>) -> Self {
        self.database = database;
        self
    }

    /// The user to impersonate (also the home-database cache key).
    pub fn impersonated_user(mut self, user: Option<&'a str>) -> Self {
        self.impersonated_user = user;
        self
    }

    /// A key for session-level credentials (home-database cache key when no
    /// user is impersonated; never the secret itself).
    pub fn auth_key(mut self, key: Option<&'a str>) -> Self {
        self.auth_key = key;
        self
    }

    /// Bookmarks the routing information must reflect.
    pub fn bookmarks(mut self, bookmarks: &'a [String]) -> Self {
        self.bookmarks = bookmarks;
        self
    }

    /// Trust the home-database cache instead of a ROUTE round trip when no
    /// database is named (servers on Bolt 5.8+ report the database actually
    /// used, so a stale guess is corrected).
    pub fn use_home_db_cache(mut self, yes: bool) -> Self {
        self.use_home_db_cache = yes;
        self
    }

    /// The access mode.
    pub fn mode(&self) -> AccessMode {
        self.mode
    }

    /// The database asked for.
    pub fn database_name(&self) -> Option<&'a str> {
        self.database
    }
}

/// A pooled connection chosen for a request, and the database it serves
/// (the resolved home database when none was named; in direct mode the
/// database asked for).
#[derive(Debug)]
#[non_exhaustive]
pub struct Acquired<M: Manager> {
    /// The connection.
    pub connection: Pooled<M>,
    /// The database.
    pub database: Option<String>,
}
