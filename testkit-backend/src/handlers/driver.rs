//! Driver requests. Each needs a `quiver::Driver`; until the facade lands they answer
//! `BackendError("not supported yet: <request>")`.
//!
//! To wire in (per request):
//! * `NewDriver`: [`crate::driver_setup::driver_setup`] gives the URI, the `quiver::Config`
//!   and the auth manager (static token or TestKit's manager by id); build the driver with the
//!   facade's builder (`auth_manager`, `config`, and `clock(ctx.clock().shared())` so fake time
//!   reaches it), store it in a `drivers` registry in [`crate::state::State`] and answer
//!   `Driver{id}`. Errors from the builder go through [`crate::reports::driver_error`].
//! * `DriverClose`, `VerifyConnectivity`, `ForcedRoutingTableUpdate` → `Driver{id}`;
//!   `GetServerInfo` → `ServerInfo` ([`crate::reports::server_info`]);
//!   `VerifyAuthentication` → `DriverIsAuthenticated`; `CheckMultiDBSupport` →
//!   `MultiDBSupport`; `CheckSessionAuthSupport` → `SessionAuthSupport`;
//!   `CheckDriverIsEncrypted` → `DriverIsEncrypted`; `ExecuteQuery` → `EagerResult`
//!   ([`crate::reports::eager_result`]); `GetRoutingTable` → `RoutingTable`;
//!   `GetConnectionPoolMetrics` → `ConnectionPoolMetrics`.
//! * Every driver error: `Err(reports::driver_error(ctx, e))`, which stores it under a fresh
//!   id for `RetryableNegative`.

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
