//! The pool's connection manager: real Bolt connections opened with the
//! credentials the driver's auth token manager hands out at the time.

use std::sync::{Arc, Mutex, PoisonError};

use quiver_bolt::{AuthToken, Connection, ConnectionConfig, Error as BoltError};
use quiver_pool::{
    Address, BoltManager, ConnectionHealth, FailureKind, Manager, RouteReply, RouteRequest,
    RoutingManager,
};

use crate::clock::Clock;

/// Opens connections with the base connection settings and the latest
/// credentials (sessions refresh them from the auth token manager before
/// each acquire, so a failing provider reports its own error there).
#[derive(Debug)]
pub(crate) struct DriverManager {
    base: ConnectionConfig,
    bolt: BoltManager,
    auth: Mutex<AuthToken>,
}

impl DriverManager {
    pub(crate) fn new(base: ConnectionConfig) -> Self {
        let auth = base.auth().clone();
        DriverManager {
            bolt: BoltManager::new(base.clone()),
            base,
            auth: Mutex::new(auth),
        }
    }

    /// The credentials new connections log on with.
    pub(crate) fn set_auth(&self, auth: &AuthToken) {
        let mut current = self.auth.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != *auth {
            *current = auth.clone();
        }
    }

    fn current_auth(&self) -> AuthToken {
        self.auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.base.is_tls()
    }
}

impl Manager for DriverManager {
    type Connection = Connection;
    type Error = BoltError;

    async fn connect(&self, address: &Address) -> Result<Connection, BoltError> {
        let auth = self.current_auth();
        if auth == *self.base.auth() {
            self.bolt.connect(address).await
        } else {
            BoltManager::new(self.base.with_auth(auth))
                .connect(address)
                .await
        }
    }

    async fn reset(&self, connection: &mut Connection) -> Result<(), BoltError> {
        self.bolt.reset(connection).await
    }

    fn health(&self, connection: &Connection) -> ConnectionHealth {
        self.bolt.health(connection)
    }

    async fn close(&self, connection: Connection) {
        self.bolt.close(connection).await
    }
}

impl RoutingManager for DriverManager {
    async fn route(
        &self,
        connection: &mut Connection,
        request: &RouteRequest<'_>,
    ) -> Result<RouteReply, BoltError> {
        // Without session credentials, ask as the driver's current user.
        let current;
        let mut request = *request;
        if request.auth.is_none() {
            current = self.current_auth();
            request.auth = Some(&current);
        }
        self.bolt.route(connection, &request).await
    }

    fn classify(&self, error: &BoltError) -> FailureKind {
        quiver_pool::classify_bolt_error(error)
    }

    fn resolves_home_db(&self, connection: &Connection) -> bool {
        self.bolt.resolves_home_db(connection)
    }
}

/// The driver's clock, as the pool's (one injectable clock drives both).
#[derive(Debug)]
pub(crate) struct PoolClock(pub(crate) Arc<dyn Clock>);

impl quiver_pool::Clock for PoolClock {
    fn now(&self) -> std::time::Instant {
        self.0.now()
    }
}
