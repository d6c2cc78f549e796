//! The pool's [`Manager`] for real Bolt connections.

use quiver_bolt::{Connection, ConnectionConfig, Error as BoltError};
use quiver_packstream::{Map, Value};

use crate::{
    Address, ConnectionHealth, FailureKind, Manager, RouteReply, RouteRequest, RoutingManager,
};

/// Opens [`quiver_bolt::Connection`]s with one [`ConnectionConfig`] (auth,
/// TLS, user agent, timeouts), resets them with RESET, closes them with
/// GOODBYE and fetches routing tables with ROUTE.
///
/// ```no_run
/// use quiver_bolt::ConnectionConfig;
/// use quiver_pool::{Address, BoltManager, ClusterPools, PoolConfig, RoutingConfig};
/// # fn demo() -> Result<(), quiver_bolt::Error> {
/// let manager = BoltManager::new(ConnectionConfig::builder().build()?);
/// let cluster = ClusterPools::routing(
///     Address::new("localhost", 7687),
///     manager,
///     PoolConfig::default(),
///     RoutingConfig::default(),
/// );
/// # let _ = cluster; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct BoltManager {
    config: ConnectionConfig,
}

impl BoltManager {
    /// A manager opening connections with `config`.
    pub fn new(config: ConnectionConfig) -> Self {
        Self { config }
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }
}

/// Where to dial. A resolved address is dialled by its IP, except with TLS:
/// the certificate must be checked against the name it was resolved from,
/// so the connection dials that name (Bolt then tries each of its IPs).
fn dial_address(address: &Address, tls: bool) -> Address {
    if tls && address.is_resolved() {
        Address::new(address.server_name(), address.port())
    } else {
        address.clone()
    }
}

impl Manager for BoltManager {
    type Connection = Connection;
    type Error = BoltError;

    async fn connect(&self, address: &Address) -> Result<Connection, BoltError> {
        let dial = dial_address(address, self.config.is_tls());
        Connection::connect(&dial, &self.config).await
    }

    async fn reset(&self, connection: &mut Connection) -> Result<(), BoltError> {
        connection.reset().await
    }

    fn health(&self, connection: &Connection) -> ConnectionHealth {
        if connection.is_defunct() {
            ConnectionHealth::Broken
        } else if connection.is_idle() {
            ConnectionHealth::Ready
        } else {
            ConnectionHealth::NeedsReset
        }
    }

    fn check_idle(&self, connection: &mut Connection) -> bool {
        connection.check_idle_now()
    }

    async fn close(&self, mut connection: Connection) {
        connection.goodbye().await;
    }
}

impl RoutingManager for BoltManager {
    async fn route(
        &self,
        connection: &mut Connection,
        request: &RouteRequest<'_>,
    ) -> Result<RouteReply, BoltError> {
        let context: Map = request
            .context
            .iter()
            .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
            .collect();
        // The home database is the user's: ask as the user the work runs as (a switch
        // goes with the ROUTE, in one write).
        let auth = request.auth.unwrap_or(self.config.auth());
        let rt = connection
            .route_as(
                auth,
                &context,
                request.bookmarks,
                request.database,
                request.impersonated_user,
            )
            .await?;
        RouteReply::from_rt(&rt).map_err(|e| BoltError::Protocol(e.to_string()))
    }

    fn classify(&self, error: &BoltError) -> FailureKind {
        classify(error)
    }

    fn resolves_home_db(&self, connection: &Connection) -> bool {
        connection.ssr_enabled()
    }
}

/// How a Bolt error bears on routing (the rules of the official drivers).
pub fn classify(error: &BoltError) -> FailureKind {
    let Some(server) = error.as_server_error() else {
        return match error {
            BoltError::Config(_)
            | BoltError::Unsupported { .. }
            | BoltError::InvalidState { .. } => FailureKind::Fatal,
            _ => FailureKind::Unavailable,
        };
    };
    classify_code(&server.code)
}

/// How a Neo4j status code bears on routing.
pub fn classify_code(code: &str) -> FailureKind {
    match code {
        "Neo.ClientError.Cluster.NotALeader"
        | "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase" => FailureKind::NotALeader,
        "Neo.ClientError.Database.DatabaseNotFound" => FailureKind::DatabaseNotFound,
        "Neo.TransientError.General.DatabaseUnavailable" => FailureKind::DatabaseUnavailable,
        "Neo.ClientError.Security.AuthorizationExpired" => FailureKind::Other,
        "Neo.ClientError.Transaction.InvalidBookmark"
        | "Neo.ClientError.Transaction.InvalidBookmarkMixture"
        | "Neo.ClientError.Statement.TypeError"
        | "Neo.ClientError.Statement.ArgumentError"
        | "Neo.ClientError.Request.Invalid" => FailureKind::Fatal,
        c if c.starts_with("Neo.ClientError.Security.") => FailureKind::Fatal,
        _ => FailureKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_from_table() {
        let cases = [
            (
                "Neo.ClientError.Cluster.NotALeader",
                FailureKind::NotALeader,
            ),
            (
                "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
                FailureKind::NotALeader,
            ),
            (
                "Neo.ClientError.Database.DatabaseNotFound",
                FailureKind::DatabaseNotFound,
            ),
            (
                "Neo.TransientError.General.DatabaseUnavailable",
                FailureKind::DatabaseUnavailable,
            ),
            ("Neo.ClientError.Security.Unauthorized", FailureKind::Fatal),
            (
                "Neo.ClientError.Security.AuthorizationExpired",
                FailureKind::Other,
            ),
            (
                "Neo.ClientError.Transaction.InvalidBookmark",
                FailureKind::Fatal,
            ),
            ("Neo.ClientError.Statement.SyntaxError", FailureKind::Other),
            (
                "Neo.TransientError.Transaction.Terminated",
                FailureKind::Other,
            ),
        ];
        for (code, kind) in cases {
            assert_eq!(classify_code(code), kind, "{code}");
        }
    }

    #[test]
    fn tls_dials_the_name_an_address_was_resolved_from() {
        let name = Address::new("db.example.com", 7687);
        let ip = Address::new("10.0.0.1", 7687).resolved_from(&name);
        assert_eq!(dial_address(&ip, false).host(), "10.0.0.1");
        assert_eq!(dial_address(&ip, true).host(), "db.example.com");
        assert_eq!(dial_address(&name, true).host(), "db.example.com");
        assert!(dial_address(&ip, false).is_resolved());
        assert!(!dial_address(&ip, true).is_resolved());
    }

    #[test]
    fn connection_errors_are_unavailable() {
        assert_eq!(
            classify(&BoltError::ConnectionClosed),
            FailureKind::Unavailable
        );
        assert_eq!(
            classify(&BoltError::ConnectTimeout(std::time::Duration::from_secs(
                1
            ))),
            FailureKind::Unavailable
        );
        assert_eq!(classify(&BoltError::Config("x".into())), FailureKind::Fatal);
        let server = BoltError::from(quiver_bolt::ServerError::new(
            "Neo.ClientError.Cluster.NotALeader",
            "no",
        ));
        assert_eq!(classify(&server), FailureKind::NotALeader);
    }
}
