//! The pool's connection manager: real Bolt connections opened with the
//! credentials the driver's auth token manager hands out at the time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use quiver_bolt::{AuthToken, Connection, ConnectionConfig, Error as BoltError};
use quiver_pool::{
    Address, BoltManager, ConnectionHealth, FailureKind, Manager, RouteReply, RouteRequest,
    RoutingManager,
};

use crate::auth::AuthTokenManager;

/// The credentials of one acquisition, for the connections the pool opens or routes with
/// while serving it (set with [`ACQUIRE_AUTH`]`.scope(..)` around the pool's acquire).
#[derive(Clone)]
pub(crate) enum AcquireAuth {
    /// A session's own credentials: new connections log on with them, and a router
    /// connection switches to them before ROUTE.
    Session(AuthToken),
    /// The driver's, as handed out for this acquisition: new connections log on with them;
    /// a routing table fetch asks the manager (if any) again, as the official drivers do
    /// for every connection they take from the pool.
    Driver {
        token: AuthToken,
        manager: Option<Arc<dyn AuthTokenManager>>,
        /// Set when a pooled connection was given up for holding other credentials: the
        /// one opened instead asks the manager afresh, as the official drivers do.
        replaced: Arc<AtomicBool>,
    },
}

impl AcquireAuth {
    /// The credentials for the driver's user, from `manager` when the driver has one.
    pub(crate) fn driver(token: AuthToken, manager: Option<Arc<dyn AuthTokenManager>>) -> Self {
        AcquireAuth::Driver {
            token,
            manager,
            replaced: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The credentials a connection opened now logs on with.
    async fn for_connect(&self) -> AuthToken {
        if let AcquireAuth::Driver {
            replaced,
            manager: Some(_),
            ..
        } = self
        {
            if replaced.swap(false, Ordering::AcqRel) {
                return self.for_route().await;
            }
        }
        self.token().clone()
    }

    fn token(&self) -> &AuthToken {
        match self {
            AcquireAuth::Session(t) | AcquireAuth::Driver { token: t, .. } => t,
        }
    }

    /// The credentials a router connection should hold for ROUTE now.
    async fn for_route(&self) -> AuthToken {
        match self {
            AcquireAuth::Session(t)
            | AcquireAuth::Driver {
                token: t,
                manager: None,
                ..
            } => t.clone(),
            AcquireAuth::Driver {
                token,
                manager: Some(m),
                ..
            } => match m.get_auth().await {
                Ok(t) => t,
                Err(e) => {
                    tracing::debug!(error = %e, "the auth token manager failed; routing with the credentials at hand");
                    token.clone()
                }
            },
        }
    }
}

tokio::task_local! {
    /// The credentials of the acquisition under way on this task.
    pub(crate) static ACQUIRE_AUTH: AcquireAuth;
}

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

    /// Ends every connection's wait on its server (the driver is closing).
    pub(crate) fn close_connections(&self) {
        self.base.close_signal().close();
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.base.is_tls()
    }
}

impl Manager for DriverManager {
    type Connection = Connection;
    type Error = BoltError;

    async fn connect(&self, address: &Address) -> Result<Connection, BoltError> {
        let auth = match ACQUIRE_AUTH.try_with(AcquireAuth::clone) {
            Ok(acquire) => acquire.for_connect().await,
            Err(_) => self.current_auth(),
        };
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
        let health = self.bolt.health(connection);
        // A connection that can't switch users (Bolt < 5.1) logged on as someone else than
        // the acquisition under way can't serve it: the pool closes it and opens one with
        // the right credentials.
        if health == ConnectionHealth::Ready && !connection.version().has_logon() {
            // (Only for the driver's credentials: session credentials need Bolt 5.1, and
            // the session says so on the connection it gets.)
            let stale = ACQUIRE_AUTH.try_with(|a| match a {
                AcquireAuth::Driver {
                    token, replaced, ..
                } if token != connection.auth() => {
                    replaced.store(true, Ordering::Release);
                    true
                }
                _ => false,
            });
            if stale == Ok(true) {
                return ConnectionHealth::Broken;
            }
        }
        health
    }

    fn check_idle(&self, connection: &mut Connection) -> bool {
        self.bolt.check_idle(connection)
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
            current = match ACQUIRE_AUTH.try_with(AcquireAuth::clone) {
                Ok(acquire) => acquire.for_route().await,
                Err(_) => self.current_auth(),
            };
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
