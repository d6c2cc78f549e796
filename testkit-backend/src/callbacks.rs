//! Callback requests: the backend asks TestKit to run test code (a resolver, a bookmark
//! supplier, an auth token provider, ...) in the middle of serving a request.
//!
//! A handler calls one of the typed functions here (through [`Ctx`]); it sends the callback
//! request block and waits until the connection loop routes TestKit's matching `...Completed`
//! request back to it (matched by callback id). While it waits, the connection keeps reading.
//!
//! Once the driver exists, its resolver / bookmark manager / auth manager / certificate
//! provider hooks are implemented by small adapters that hold a [`Ctx`] and an object id and
//! call these functions.

use crate::connection::Ctx;
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::requests::{
    AuthTokenAndExpiration, AuthTokenManagerGetAuthCompleted,
    AuthTokenManagerHandleSecurityExceptionCompleted, AuthorizationToken,
    BasicAuthTokenProviderCompleted, BearerAuthTokenProviderCompleted, BookmarksConsumerCompleted,
    BookmarksSupplierCompleted, ClientCertificate, ClientCertificateProviderCompleted,
    DomainNameResolutionCompleted, Request, ResolverResolutionCompleted,
};
use crate::responses::Response;

/// TestKit's answer to a callback request.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum CallbackAnswer {
    ResolverResolution(ResolverResolutionCompleted),
    DomainNameResolution(DomainNameResolutionCompleted),
    BookmarksSupplier(BookmarksSupplierCompleted),
    BookmarksConsumer(BookmarksConsumerCompleted),
    AuthTokenManagerGetAuth(AuthTokenManagerGetAuthCompleted),
    AuthTokenManagerHandleSecurityException(AuthTokenManagerHandleSecurityExceptionCompleted),
    BasicAuthTokenProvider(BasicAuthTokenProviderCompleted),
    BearerAuthTokenProvider(BearerAuthTokenProviderCompleted),
    ClientCertificateProvider(ClientCertificateProviderCompleted),
}

impl CallbackAnswer {
    /// Splits callback answers from ordinary requests.
    pub fn from_request(request: Request) -> std::result::Result<Self, Box<Request>> {
        Ok(match request {
            Request::ResolverResolutionCompleted(a) => Self::ResolverResolution(a),
            Request::DomainNameResolutionCompleted(a) => Self::DomainNameResolution(a),
            Request::BookmarksSupplierCompleted(a) => Self::BookmarksSupplier(a),
            Request::BookmarksConsumerCompleted(a) => Self::BookmarksConsumer(a),
            Request::AuthTokenManagerGetAuthCompleted(a) => Self::AuthTokenManagerGetAuth(a),
            Request::AuthTokenManagerHandleSecurityExceptionCompleted(a) => {
                Self::AuthTokenManagerHandleSecurityException(a)
            }
            Request::BasicAuthTokenProviderCompleted(a) => Self::BasicAuthTokenProvider(a),
            Request::BearerAuthTokenProviderCompleted(a) => Self::BearerAuthTokenProvider(a),
            Request::ClientCertificateProviderCompleted(a) => Self::ClientCertificateProvider(a),
            other => return Err(Box::new(other)),
        })
    }

    /// The callback request id this answers.
    pub fn request_id(&self) -> Id {
        match self {
            Self::ResolverResolution(a) => a.request_id,
            Self::DomainNameResolution(a) => a.request_id,
            Self::BookmarksSupplier(a) => a.request_id,
            Self::BookmarksConsumer(a) => a.request_id,
            Self::AuthTokenManagerGetAuth(a) => a.request_id,
            Self::AuthTokenManagerHandleSecurityException(a) => a.request_id,
            Self::BasicAuthTokenProvider(a) => a.request_id,
            Self::BearerAuthTokenProvider(a) => a.request_id,
            Self::ClientCertificateProvider(a) => a.request_id,
        }
    }

    /// The request name of this answer.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ResolverResolution(_) => "ResolverResolutionCompleted",
            Self::DomainNameResolution(_) => "DomainNameResolutionCompleted",
            Self::BookmarksSupplier(_) => "BookmarksSupplierCompleted",
            Self::BookmarksConsumer(_) => "BookmarksConsumerCompleted",
            Self::AuthTokenManagerGetAuth(_) => "AuthTokenManagerGetAuthCompleted",
            Self::AuthTokenManagerHandleSecurityException(_) => {
                "AuthTokenManagerHandleSecurityExceptionCompleted"
            }
            Self::BasicAuthTokenProvider(_) => "BasicAuthTokenProviderCompleted",
            Self::BearerAuthTokenProvider(_) => "BearerAuthTokenProviderCompleted",
            Self::ClientCertificateProvider(_) => "ClientCertificateProviderCompleted",
        }
    }
}

fn wrong(id: Id, expected: &'static str, got: &CallbackAnswer) -> Error {
    Error::WrongCallbackAnswer {
        request_id: id,
        expected,
        got: got.name(),
    }
}

/// Runs TestKit's resolver for `address`; returns the addresses it gave.
pub async fn resolve_address(ctx: &Ctx, address: &str) -> Result<Vec<String>> {
    let address = address.to_owned();
    let (id, answer) = ctx
        .callback(|id| Response::ResolverResolutionRequired { id, address })
        .await?;
    match answer {
        CallbackAnswer::ResolverResolution(a) => Ok(a.addresses),
        other => Err(wrong(id, "ResolverResolutionCompleted", &other)),
    }
}

/// Runs TestKit's domain name resolver for `name`.
pub async fn resolve_domain_name(ctx: &Ctx, name: &str) -> Result<Vec<String>> {
    let name = name.to_owned();
    let (id, answer) = ctx
        .callback(|id| Response::DomainNameResolutionRequired { id, name })
        .await?;
    match answer {
        CallbackAnswer::DomainNameResolution(a) => Ok(a.addresses),
        other => Err(wrong(id, "DomainNameResolutionCompleted", &other)),
    }
}

/// Runs bookmark manager `manager`'s supplier.
pub async fn supply_bookmarks(ctx: &Ctx, manager: Id) -> Result<Vec<String>> {
    let (id, answer) = ctx
        .callback(|id| Response::BookmarksSupplierRequest {
            id,
            bookmark_manager_id: manager,
        })
        .await?;
    match answer {
        CallbackAnswer::BookmarksSupplier(a) => Ok(a.bookmarks),
        other => Err(wrong(id, "BookmarksSupplierCompleted", &other)),
    }
}

/// Runs bookmark manager `manager`'s consumer with its new bookmarks.
pub async fn consume_bookmarks(ctx: &Ctx, manager: Id, bookmarks: Vec<String>) -> Result<()> {
    let (id, answer) = ctx
        .callback(|id| Response::BookmarksConsumerRequest {
            id,
            bookmark_manager_id: manager,
            bookmarks,
        })
        .await?;
    match answer {
        CallbackAnswer::BookmarksConsumer(_) => Ok(()),
        other => Err(wrong(id, "BookmarksConsumerCompleted", &other)),
    }
}

/// Calls custom auth token manager `manager`'s `get_auth`.
pub async fn get_auth(ctx: &Ctx, manager: Id) -> Result<AuthorizationToken> {
    let (id, answer) = ctx
        .callback(|id| Response::AuthTokenManagerGetAuthRequest {
            id,
            auth_token_manager_id: manager,
        })
        .await?;
    match answer {
        CallbackAnswer::AuthTokenManagerGetAuth(a) => Ok(a.auth),
        other => Err(wrong(id, "AuthTokenManagerGetAuthCompleted", &other)),
    }
}

/// Calls custom auth token manager `manager`'s `handle_security_exception`; returns `handled`.
pub async fn handle_security_exception(
    ctx: &Ctx,
    manager: Id,
    auth: AuthorizationToken,
    error_code: String,
) -> Result<bool> {
    let (id, answer) = ctx
        .callback(
            |id| Response::AuthTokenManagerHandleSecurityExceptionRequest {
                id,
                auth_token_manager_id: manager,
                auth,
                error_code,
            },
        )
        .await?;
    match answer {
        CallbackAnswer::AuthTokenManagerHandleSecurityException(a) => Ok(a.handled),
        other => Err(wrong(
            id,
            "AuthTokenManagerHandleSecurityExceptionCompleted",
            &other,
        )),
    }
}

/// Calls basic auth token manager `manager`'s provider.
pub async fn provide_basic_auth(ctx: &Ctx, manager: Id) -> Result<AuthorizationToken> {
    let (id, answer) = ctx
        .callback(|id| Response::BasicAuthTokenProviderRequest {
            id,
            basic_auth_token_manager_id: manager,
        })
        .await?;
    match answer {
        CallbackAnswer::BasicAuthTokenProvider(a) => Ok(a.auth),
        other => Err(wrong(id, "BasicAuthTokenProviderCompleted", &other)),
    }
}

/// Calls bearer auth token manager `manager`'s provider; returns the token and its lifetime
/// in milliseconds (`None`: never expires).
pub async fn provide_bearer_auth(
    ctx: &Ctx,
    manager: Id,
) -> Result<(AuthorizationToken, Option<i64>)> {
    let (id, answer) = ctx
        .callback(|id| Response::BearerAuthTokenProviderRequest {
            id,
            bearer_auth_token_manager_id: manager,
        })
        .await?;
    match answer {
        CallbackAnswer::BearerAuthTokenProvider(a) => {
            let AuthTokenAndExpiration::AuthTokenAndExpiration {
                auth,
                expires_in_ms,
            } = a.auth;
            Ok((auth, expires_in_ms))
        }
        other => Err(wrong(id, "BearerAuthTokenProviderCompleted", &other)),
    }
}

/// Calls client certificate provider `provider`; returns `(has_update, certificate)`.
pub async fn provide_client_certificate(
    ctx: &Ctx,
    provider: Id,
) -> Result<(bool, ClientCertificate)> {
    let (id, answer) = ctx
        .callback(|id| Response::ClientCertificateProviderRequest {
            id,
            client_certificate_provider_id: provider,
        })
        .await?;
    match answer {
        CallbackAnswer::ClientCertificateProvider(a) => Ok((a.has_update, a.client_certificate)),
        other => Err(wrong(id, "ClientCertificateProviderCompleted", &other)),
    }
}
