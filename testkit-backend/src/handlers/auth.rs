//! Auth token managers. Each manager TestKit creates becomes a driver-side manager right away
//! ([`crate::auth_tokens::auth_token_manager`]): the custom kind asks TestKit on every
//! `get_auth`/`handle_security_error`; basic and bearer are the facade's refreshing managers
//! around TestKit's provider callback. All three kinds share one id space; `NewDriver` picks
//! the manager by `authTokenManagerId`.

use crate::auth_tokens::auth_token_manager;
use crate::connection::Ctx;
use crate::error::Result;
use crate::ids::Id;
use crate::requests::{
    AuthTokenManagerClose, NewAuthTokenManager, NewBasicAuthTokenManager, NewBearerAuthTokenManager,
};
use crate::responses::Response;
use crate::state::{AuthManagerEntry, AuthManagerKind};

fn register(ctx: &Ctx, kind: AuthManagerKind) -> Id {
    let id = ctx.next_id();
    let manager = auth_token_manager(ctx.downgrade(), id, kind, ctx.clock().shared());
    ctx.state()
        .auth_managers
        .insert(id, AuthManagerEntry { kind, manager });
    id
}

/// `NewAuthTokenManager` → `AuthTokenManager`.
pub fn new_auth_token_manager(ctx: &Ctx, _request: NewAuthTokenManager) -> Response {
    Response::AuthTokenManager {
        id: register(ctx, AuthManagerKind::Custom),
    }
}

/// `NewBasicAuthTokenManager` → `BasicAuthTokenManager`.
pub fn new_basic_auth_token_manager(ctx: &Ctx, _request: NewBasicAuthTokenManager) -> Response {
    Response::BasicAuthTokenManager {
        id: register(ctx, AuthManagerKind::Basic),
    }
}

/// `NewBearerAuthTokenManager` → `BearerAuthTokenManager`.
pub fn new_bearer_auth_token_manager(ctx: &Ctx, _request: NewBearerAuthTokenManager) -> Response {
    Response::BearerAuthTokenManager {
        id: register(ctx, AuthManagerKind::Bearer),
    }
}

/// `AuthTokenManagerClose` → `AuthTokenManager` (whatever the kind).
pub fn close(ctx: &Ctx, request: AuthTokenManagerClose) -> Result<Response> {
    ctx.state().auth_managers.remove(request.id)?;
    Ok(Response::AuthTokenManager { id: request.id })
}
