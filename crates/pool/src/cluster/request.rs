//! What an acquire asks for, and what it gets.

use quiver_bolt::AuthToken;

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
    pub(crate) session_auth: Option<&'a AuthToken>,
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
            session_auth: None,
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

    /// The session-level credentials, if the work does not run with the
    /// driver's: they name the user whose home database is meant when no
    /// user is impersonated (see [`HomeDbKey::for_session`](crate::HomeDbKey::for_session)).
    pub fn session_auth(mut self, auth: Option<&'a AuthToken>) -> Self {
        self.session_auth = auth;
        self
    }

    /// Bookmarks the routing information must reflect.
    pub fn bookmarks(mut self, bookmarks: &'a [String]) -> Self {
        self.bookmarks = bookmarks;
        self
    }

    /// Trust the home-database cache instead of a ROUTE round trip when no
    /// database is named. It is only used when every server met so far
    /// resolves the home database itself (Bolt 5.8+ with server-side
    /// routing) and the cached database's routing table is fresh; a
    /// connection whose server does not falls back to a ROUTE. Work on a
    /// connection got this way names no database: the server resolves it
    /// and reports the one it used (see [`Acquired::home_db_from_cache`]).
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
///
/// When the home database came from the cache (`home_db_from_cache`), it
/// is the table the connection was chosen from, not a name to send: the
/// server resolves the home database itself then, and says which it used.
/// Otherwise a home database was just resolved by ROUTE, and work should
/// name it explicitly.
#[derive(Debug)]
#[non_exhaustive]
pub struct Acquired<M: Manager> {
    /// The connection.
    pub connection: Pooled<M>,
    /// The database.
    pub database: Option<String>,
    /// Whether `database` is a cached home database (see above).
    pub home_db_from_cache: bool,
}
