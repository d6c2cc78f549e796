//! Auth token managers. The backend keeps each manager TestKit creates (all three kinds share
//! one id space); the callbacks to TestKit are in [`crate::callbacks`] (`get_auth`,
//! `handle_security_exception`, `provide_basic_auth`, `provide_bearer_auth`).
//!
//! To wire in: when the facade has its auth manager API, `NewDriver`/`NewSession` look the
//! entry up and build the driver's manager from an adapter that holds a [`Ctx`] and the id and
//! calls those functions (basic/bearer: the driver's own caching managers around the adapter
//! as provider).

use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{
    AuthTokenManagerClose, NewAuthTokenManager, NewBasicAuthTokenManager, NewBearerAuthTokenManager,
};
use crate::responses::Response;
use crate::state::{AuthManagerEntry, AuthManagerKind};

fn register(ctx: &Ctx, kind: AuthManagerKind) -> crate::ids::Id {
    let id = ctx.next_id();
    ctx.state()
        .auth_managers
        .insert(id, AuthManagerEntry { kind });
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
