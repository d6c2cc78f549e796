//! Driver requests. Each needs a `quiver::Driver`; until the facade lands they answer
//! `BackendError("not supported yet: <request>")`.
//!
//! To wire in (per request):
//! * `NewDriver`: build the driver config from every field (absent vs `null` matters for
//!   `encrypted`, `trustedCertificates`, `maxConnectionLifetimeMs`, `notifications*`,
//!   `telemetryDisabled`); auth from `authorizationToken` or the auth manager registered under
//!   `authTokenManagerId` (adapters over [`crate::callbacks`]); a resolver adapter calling
//!   [`crate::callbacks::resolve_address`] when `resolverRegistered`, and
//!   [`crate::callbacks::resolve_domain_name`] when `domainNameResolverRegistered`; the client
//!   certificate or the provider under `clientCertificateProviderId`; the fake clock when
//!   installed. Store it in a `drivers` registry in [`crate::state::State`] and answer
//!   `Driver{id}`.
//! * `DriverClose`, `VerifyConnectivity`, `ForcedRoutingTableUpdate` → `Driver{id}`;
//!   `GetServerInfo` → `ServerInfo`; `VerifyAuthentication` → `DriverIsAuthenticated`;
//!   `CheckMultiDBSupport` → `MultiDBSupport`; `CheckSessionAuthSupport` →
//!   `SessionAuthSupport`; `CheckDriverIsEncrypted` → `DriverIsEncrypted`; `ExecuteQuery` →
//!   `EagerResult`; `GetRoutingTable` → `RoutingTable`; `GetConnectionPoolMetrics` →
//!   `ConnectionPoolMetrics`.
//! * Driver errors: store in `State::errors` under a fresh id and return
//!   `Error::Driver(DriverError{id, ...})`.

use super::not_yet;
use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{
    CheckDriverIsEncrypted, CheckMultiDBSupport, CheckSessionAuthSupport, DriverClose,
    ExecuteQuery, ForcedRoutingTableUpdate, GetConnectionPoolMetrics, GetRoutingTable,
    GetServerInfo, NewDriver, VerifyAuthentication, VerifyConnectivity,
};
use crate::responses::Response;

/// `NewDriver` → `Driver`.
pub async fn new_driver(_ctx: &Ctx, _request: NewDriver) -> Result<Response> {
    not_yet("NewDriver")
}

/// `DriverClose` → `Driver`.
pub async fn driver_close(_ctx: &Ctx, _request: DriverClose) -> Result<Response> {
    not_yet("DriverClose")
}

/// `VerifyConnectivity` → `Driver`.
pub async fn verify_connectivity(_ctx: &Ctx, _request: VerifyConnectivity) -> Result<Response> {
    not_yet("VerifyConnectivity")
}

/// `VerifyAuthentication` → `DriverIsAuthenticated`.
pub async fn verify_authentication(_ctx: &Ctx, _request: VerifyAuthentication) -> Result<Response> {
    not_yet("VerifyAuthentication")
}

/// `GetServerInfo` → `ServerInfo`.
pub async fn get_server_info(_ctx: &Ctx, _request: GetServerInfo) -> Result<Response> {
    not_yet("GetServerInfo")
}

/// `CheckMultiDBSupport` → `MultiDBSupport`.
pub async fn check_multi_db_support(_ctx: &Ctx, _request: CheckMultiDBSupport) -> Result<Response> {
    not_yet("CheckMultiDBSupport")
}

/// `CheckSessionAuthSupport` → `SessionAuthSupport`.
pub async fn check_session_auth_support(
    _ctx: &Ctx,
    _request: CheckSessionAuthSupport,
) -> Result<Response> {
    not_yet("CheckSessionAuthSupport")
}

/// `CheckDriverIsEncrypted` → `DriverIsEncrypted`.
pub async fn check_driver_is_encrypted(
    _ctx: &Ctx,
    _request: CheckDriverIsEncrypted,
) -> Result<Response> {
    not_yet("CheckDriverIsEncrypted")
}

/// `ExecuteQuery` → `EagerResult`.
pub async fn execute_query(_ctx: &Ctx, _request: ExecuteQuery) -> Result<Response> {
    not_yet("ExecuteQuery")
}

/// `GetConnectionPoolMetrics` → `ConnectionPoolMetrics`.
pub async fn get_connection_pool_metrics(
    _ctx: &Ctx,
    _request: GetConnectionPoolMetrics,
) -> Result<Response> {
    not_yet("GetConnectionPoolMetrics")
}

/// `GetRoutingTable` → `RoutingTable`.
pub async fn get_routing_table(_ctx: &Ctx, _request: GetRoutingTable) -> Result<Response> {
    not_yet("GetRoutingTable")
}

/// `ForcedRoutingTableUpdate` → `Driver`.
pub async fn forced_routing_table_update(
    _ctx: &Ctx,
    _request: ForcedRoutingTableUpdate,
) -> Result<Response> {
    not_yet("ForcedRoutingTableUpdate")
}
