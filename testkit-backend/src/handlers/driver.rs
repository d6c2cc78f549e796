//! Driver requests, served by a `quiver::Driver` per `NewDriver`.
//!
//! * `NewDriver`: [`crate::driver_setup::driver_setup`] gives the URI, the `quiver::Config`
//!   and the auth manager (static token or TestKit's manager by id); the driver also gets the
//!   connection's clock so fake time reaches it. Stored in `State::drivers`.
//! * `DriverClose`, `VerifyConnectivity` → `Driver{id}`; `GetServerInfo` → `ServerInfo`;
//!   `VerifyAuthentication` → `DriverIsAuthenticated` (without a token: the driver's own);
//!   `CheckMultiDBSupport`, `CheckSessionAuthSupport`, `CheckDriverIsEncrypted`;
//!   `ExecuteQuery` → `EagerResult`; `GetConnectionPoolMetrics` → `ConnectionPoolMetrics`.
//! * `GetRoutingTable` → `RoutingTable` (the driver's copy of a database's table);
//!   `ForcedRoutingTableUpdate` → `Driver` (a ROUTE now, fresh table or not).
//! * Every driver error goes through [`crate::reports::driver_error`], which stores it under a
//!   fresh id for `RetryableNegative`.

use std::sync::Arc;

use quiver::{AuthTokenManager, Bookmarks, Query, RoutingControl};

use crate::auth_tokens::to_auth_token;
use crate::connection::Ctx;
use crate::convert::to_value_map;
use crate::driver_setup::{driver_setup, transaction_config};
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::presence::Presence;
use crate::reports::{self, driver_error};
use crate::requests::{
    AccessMode, BookmarkManagerChoice, CheckDriverIsEncrypted, CheckMultiDBSupport,
    CheckSessionAuthSupport, DriverClose, ExecuteQuery, ForcedRoutingTableUpdate,
    GetConnectionPoolMetrics, GetRoutingTable, GetServerInfo, NewDriver, VerifyAuthentication,
    VerifyConnectivity,
};
use crate::responses::Response;

/// A driver TestKit created.
#[derive(Clone)]
pub struct DriverEntry {
    /// The driver.
    pub driver: quiver::Driver,
    /// Its auth, for `VerifyAuthentication` without a token.
    pub auth: Arc<dyn AuthTokenManager>,
}

impl std::fmt::Debug for DriverEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverEntry")
            .field("driver", &self.driver)
            .finish_non_exhaustive()
    }
}

fn driver(ctx: &Ctx, id: Id) -> Result<quiver::Driver> {
    Ok(ctx.state().drivers.get(id)?.driver.clone())
}

/// `NewDriver` → `Driver`.
pub async fn new_driver(ctx: &Ctx, request: NewDriver) -> Result<Response> {
    let setup = driver_setup(ctx, &request)?;
    let driver = quiver::Driver::builder(&setup.uri)
        .auth_manager(Arc::clone(&setup.auth))
        .config(setup.config)
        .clock(ctx.clock().shared())
        .build()
        .map_err(|e| {
            if e.kind() == quiver::ErrorKind::Configuration {
                crate::reports::driver_error_as(ctx, e, "ConnectionConfigParseError")
            } else {
                driver_error(ctx, e)
            }
        })?;
    let id = ctx.next_id();
    ctx.state().drivers.insert(
        id,
        DriverEntry {
            driver,
            auth: setup.auth,
        },
    );
    Ok(Response::Driver { id })
}

/// `DriverClose` → `Driver`. The entry stays (TestKit may still ask whether it is encrypted).
pub async fn driver_close(ctx: &Ctx, request: DriverClose) -> Result<Response> {
    driver(ctx, request.driver_id)?.close().await;
    Ok(Response::Driver {
        id: request.driver_id,
    })
}

/// `VerifyConnectivity` → `Driver`.
pub async fn verify_connectivity(ctx: &Ctx, request: VerifyConnectivity) -> Result<Response> {
    driver(ctx, request.driver_id)?
        .verify_connectivity()
        .await
        .map_err(|e| driver_error(ctx, e))?;
    Ok(Response::Driver {
        id: request.driver_id,
    })
}

/// `VerifyAuthentication` → `DriverIsAuthenticated`.
pub async fn verify_authentication(ctx: &Ctx, request: VerifyAuthentication) -> Result<Response> {
    let (driver, auth) = {
        let state = ctx.state();
        let entry = state.drivers.get(request.driver_id)?;
        (entry.driver.clone(), Arc::clone(&entry.auth))
    };
    let token = match &request.authorization_token {
        Some(token) => to_auth_token(token),
        None => auth.get_auth().await.map_err(|e| driver_error(ctx, e))?,
    };
    let authenticated = driver
        .verify_authentication(token)
        .await
        .map_err(|e| driver_error(ctx, e))?;
    Ok(Response::DriverIsAuthenticated {
        id: request.driver_id,
        authenticated,
    })
}

/// `GetServerInfo` → `ServerInfo`.
pub async fn get_server_info(ctx: &Ctx, request: GetServerInfo) -> Result<Response> {
    let info = driver(ctx, request.driver_id)?
        .server_info()
        .await
        .map_err(|e| driver_error(ctx, e))?;
    Ok(Response::ServerInfo(reports::server_info(&info)))
}

/// `CheckMultiDBSupport` → `MultiDBSupport`.
pub async fn check_multi_db_support(ctx: &Ctx, request: CheckMultiDBSupport) -> Result<Response> {
    let available = driver(ctx, request.driver_id)?
        .supports_multi_db()
        .await
        .map_err(|e| driver_error(ctx, e))?;
    Ok(Response::MultiDBSupport {
        id: request.driver_id,
        available,
    })
}

/// `CheckSessionAuthSupport` → `SessionAuthSupport`.
pub async fn check_session_auth_support(
    ctx: &Ctx,
    request: CheckSessionAuthSupport,
) -> Result<Response> {
    let available = driver(ctx, request.driver_id)?
        .supports_session_auth()
        .await
        .map_err(|e| driver_error(ctx, e))?;
    Ok(Response::SessionAuthSupport {
        id: request.driver_id,
        available,
    })
}

/// `CheckDriverIsEncrypted` → `DriverIsEncrypted`.
pub async fn check_driver_is_encrypted(
    ctx: &Ctx,
    request: CheckDriverIsEncrypted,
) -> Result<Response> {
    Ok(Response::DriverIsEncrypted {
        encrypted: driver(ctx, request.driver_id)?.is_encrypted(),
    })
}

/// `ExecuteQuery` → `EagerResult`.
pub async fn execute_query(ctx: &Ctx, request: ExecuteQuery) -> Result<Response> {
    let driver = driver(ctx, request.driver_id)?;
    let params = to_value_map(request.params.unwrap_or_default())?;
    let config = request.config;
    let mut q = driver.execute_query(Query::new(request.cypher, params));
    if let Some(db) = config.database {
        q = q.database(db);
    }
    if let Some(routing) = config.routing {
        q = q.routing(match routing {
            AccessMode::Read => RoutingControl::Readers,
            AccessMode::Write => RoutingControl::Writers,
        });
    }
    if let Some(user) = config.impersonated_user {
        q = q.impersonated_user(user);
    }
    match config.bookmark_manager_id {
        Presence::Absent | Presence::Null => {}
        Presence::Value(BookmarkManagerChoice::Disabled) => q = q.bookmark_manager(None),
        Presence::Value(BookmarkManagerChoice::Manager(id)) => {
            let manager = ctx.state().bookmark_managers.get(id)?.manager.clone();
            q = q.bookmark_manager(Some(manager));
        }
    }
    q = q.transaction_config(transaction_config(ctx, config.tx_meta, &config.timeout)?);
    if let Some(token) = &config.authorization_token {
        q = q.auth(to_auth_token(token));
    }
    let result = q.run().await.map_err(|e| driver_error(ctx, e))?;
    reports::eager_result(&result)
}

/// `GetConnectionPoolMetrics` → `ConnectionPoolMetrics`.
pub async fn get_connection_pool_metrics(
    ctx: &Ctx,
    request: GetConnectionPoolMetrics,
) -> Result<Response> {
    let metrics = driver(ctx, request.driver_id)?.metrics();
    let found = metrics
        .iter()
        .find(|(address, _)| address.to_string() == request.address);
    let (in_use, idle) = found.map_or((0, 0), |(_, m)| (m.in_use, m.idle));
    let count =
        |n: usize| u64::try_from(n).map_err(|_| Error::Backend("pool size overflow".into()));
    Ok(Response::ConnectionPoolMetrics {
        in_use: count(in_use)?,
        idle: count(idle)?,
    })
}

/// `GetRoutingTable` → `RoutingTable`. A database without a table (or a direct driver) is a
/// backend error: TestKit only asks after the driver routed for it.
pub async fn get_routing_table(ctx: &Ctx, request: GetRoutingTable) -> Result<Response> {
    let driver = driver(ctx, request.driver_id)?;
    // No table for the database (never fetched, or no router answered with
    // usable information): the driver knows no server for it, as an empty
    // table says.
    let Some(table) = driver.routing_table(request.database.as_deref()) else {
        return Ok(Response::RoutingTable {
            database: request.database,
            ttl: 0,
            routers: Vec::new(),
            readers: Vec::new(),
            writers: Vec::new(),
        });
    };
    let names = |list: &[quiver::Address]| list.iter().map(ToString::to_string).collect();
    Ok(Response::RoutingTable {
        database: table.database().map(str::to_owned),
        ttl: i64::try_from(table.ttl().as_secs()).unwrap_or(i64::MAX),
        routers: names(table.routers()),
        readers: names(table.readers()),
        writers: names(table.writers()),
    })
}

/// `ForcedRoutingTableUpdate` → `Driver`.
pub async fn forced_routing_table_update(
    ctx: &Ctx,
    request: ForcedRoutingTableUpdate,
) -> Result<Response> {
    let bookmarks = Bookmarks::from_raw_values(request.bookmarks.unwrap_or_default());
    driver(ctx, request.driver_id)?
        .update_routing_table(request.database.as_deref(), &bookmarks)
        .await
        .map_err(|e| driver_error(ctx, e))?;
    Ok(Response::Driver {
        id: request.driver_id,
    })
}
