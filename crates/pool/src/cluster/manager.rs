//! What the router needs from a connection beyond pooling.

use std::future::Future;

use quiver_bolt::AuthToken;

use crate::{Manager, RouteReply, RoutingContext};

/// How a connection error bears on routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The server could not be reached or the connection broke: the server
    /// leaves every routing table and its pool is cleared.
    Unavailable,
    /// The server reported the database unavailable on it
    /// (`DatabaseUnavailable`): it leaves every routing table, but the
    /// connection itself is sound and goes back to the pool after a reset.
    DatabaseUnavailable,
    /// The server is no longer the writer (NotALeader,
    /// ForbiddenOnReadOnlyDatabase, ...): it leaves the writers of the
    /// database.
    NotALeader,
    /// The database does not exist: its table is dropped and the error goes
    /// to the user.
    DatabaseNotFound,
    /// Not a server problem the router can route around (authentication,
    /// invalid bookmarks, bad arguments): routing stops and the error goes to
    /// the user.
    Fatal,
    /// Anything else: during discovery the next router is tried.
    Other,
}

/// The arguments of one ROUTE request.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RouteRequest<'a> {
    /// The routing context (URI query plus `address`).
    pub context: &'a RoutingContext,
    /// The database (`None`: the user's home database).
    pub database: Option<&'a str>,
    /// The user to impersonate.
    pub impersonated_user: Option<&'a str>,
    /// Bookmarks the routing information must reflect.
    pub bookmarks: &'a [String],
    /// Session-level credentials to ask as (`None`: the driver's): the
    /// home database is the user's, so the connection must be logged on
    /// as that user first.
    pub auth: Option<&'a AuthToken>,
}

/// A [`Manager`] whose connections can fetch routing information.
pub trait RoutingManager: Manager {
    /// Sends ROUTE on `connection` and returns the routing information.
    fn route(
        &self,
        connection: &mut Self::Connection,
        request: &RouteRequest<'_>,
    ) -> impl Future<Output = Result<RouteReply, Self::Error>> + Send;

    /// How `error` bears on routing.
    fn classify(&self, error: &Self::Error) -> FailureKind;

    /// Whether the server on `connection` resolves the home database
    /// itself and reports the one it used (Bolt 5.8+ with server-side
    /// routing), so a cached home database may stand in for a ROUTE.
    /// `false` unless a manager says otherwise.
    fn resolves_home_db(&self, connection: &Self::Connection) -> bool {
        let _ = connection;
        false
    }
}
