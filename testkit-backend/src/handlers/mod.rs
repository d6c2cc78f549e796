//! Request handlers, one module per group of requests.
//!
//! Every handler takes the connection's [`Ctx`] and its typed request and returns the response
//! (or an [`Error`], which becomes `DriverError`/`FrontendError`/`BackendError`). Handlers that
//! need the driver answer `BackendError("not supported yet: <request>")` until the driver is
//! wired in; each says in its module what it will do.

use crate::connection::{Ctx, HandlerFuture, Reply};
use crate::error::{Error, Result};
use crate::requests::Request;
use crate::responses::Response;

pub mod auth;
pub mod bookmarks;
pub mod certificates;
pub mod control;
pub mod driver;
pub mod result;
pub mod session;
pub mod time;
pub mod transaction;

/// The production [`crate::connection::Dispatch`]: routes a request to its handler.
pub fn dispatch(ctx: Ctx, request: Request) -> HandlerFuture {
    Box::pin(handle(ctx, request))
}

async fn handle(ctx: Ctx, request: Request) -> Result<Reply> {
    let response: Response = match request {
        // test control
        Request::StartTest(r) => control::start_test(&ctx, r),
        Request::StartSubTest(r) => control::start_subtest(&ctx, r),
        Request::GetFeatures(r) => control::get_features(&ctx, r),
        // driver
        Request::NewDriver(r) => driver::new_driver(&ctx, r).await?,
        Request::DriverClose(r) => driver::driver_close(&ctx, r).await?,
        Request::VerifyConnectivity(r) => driver::verify_connectivity(&ctx, r).await?,
        Request::VerifyAuthentication(r) => driver::verify_authentication(&ctx, r).await?,
        Request::GetServerInfo(r) => driver::get_server_info(&ctx, r).await?,
        Request::CheckMultiDBSupport(r) => driver::check_multi_db_support(&ctx, r).await?,
        Request::CheckSessionAuthSupport(r) => driver::check_session_auth_support(&ctx, r).await?,
        Request::CheckDriverIsEncrypted(r) => driver::check_driver_is_encrypted(&ctx, r).await?,
        Request::ExecuteQuery(r) => driver::execute_query(&ctx, r).await?,
        Request::GetConnectionPoolMetrics(r) => {
            driver::get_connection_pool_metrics(&ctx, r).await?
        }
        Request::GetRoutingTable(r) => driver::get_routing_table(&ctx, r).await?,
        Request::ForcedRoutingTableUpdate(r) => {
            driver::forced_routing_table_update(&ctx, r).await?
        }
        // session
        Request::NewSession(r) => session::new_session(&ctx, r).await?,
        Request::SessionClose(r) => session::session_close(&ctx, r).await?,
        Request::SessionRun(r) => session::session_run(&ctx, r).await?,
        Request::SessionBeginTransaction(r) => session::begin_transaction(&ctx, r).await?,
        Request::SessionReadTransaction(r) => return session::read_transaction(&ctx, r).await,
        Request::SessionWriteTransaction(r) => return session::write_transaction(&ctx, r).await,
        Request::SessionLastBookmarks(r) => session::last_bookmarks(&ctx, r).await?,
        Request::RetryablePositive(r) => return session::retryable_positive(&ctx, r).await,
        Request::RetryableNegative(r) => return session::retryable_negative(&ctx, r).await,
        // transaction
        Request::TransactionRun(r) => transaction::run(&ctx, r).await?,
        Request::TransactionCommit(r) => transaction::commit(&ctx, r).await?,
        Request::TransactionRollback(r) => transaction::rollback(&ctx, r).await?,
        Request::TransactionClose(r) => transaction::close(&ctx, r).await?,
        // result
        Request::ResultNext(r) => result::next(&ctx, r).await?,
        Request::ResultSingle(r) => result::single(&ctx, r).await?,
        Request::ResultSingleOptional(r) => result::single_optional(&ctx, r).await?,
        Request::ResultPeek(r) => result::peek(&ctx, r).await?,
        Request::ResultList(r) => result::list(&ctx, r).await?,
        Request::ResultConsume(r) => result::consume(&ctx, r).await?,
        Request::CypherTypeField(r) => result::cypher_type_field(&ctx, r).await?,
        // auth token managers
        Request::NewAuthTokenManager(r) => auth::new_auth_token_manager(&ctx, r),
        Request::NewBasicAuthTokenManager(r) => auth::new_basic_auth_token_manager(&ctx, r),
        Request::NewBearerAuthTokenManager(r) => auth::new_bearer_auth_token_manager(&ctx, r),
        Request::AuthTokenManagerClose(r) => auth::close(&ctx, r)?,
        // client certificate providers
        Request::NewClientCertificateProvider(r) => certificates::new_provider(&ctx, r),
        Request::ClientCertificateProviderClose(r) => certificates::close(&ctx, r)?,
        // bookmark managers
        Request::NewBookmarkManager(r) => bookmarks::new_bookmark_manager(&ctx, r)?,
        Request::BookmarkManagerClose(r) => bookmarks::close(&ctx, r)?,
        // fake time
        Request::FakeTimeInstall(r) => time::install(&ctx, r)?,
        Request::FakeTimeTick(r) => time::tick(&ctx, r)?,
        Request::FakeTimeUninstall(r) => time::uninstall(&ctx, r)?,
        // callback answers never get here: the connection routes them to the waiting handler
        other @ (Request::AuthTokenManagerGetAuthCompleted(_)
        | Request::AuthTokenManagerHandleSecurityExceptionCompleted(_)
        | Request::BasicAuthTokenProviderCompleted(_)
        | Request::BearerAuthTokenProviderCompleted(_)
        | Request::ClientCertificateProviderCompleted(_)
        | Request::BookmarksSupplierCompleted(_)
        | Request::BookmarksConsumerCompleted(_)
        | Request::ResolverResolutionCompleted(_)
        | Request::DomainNameResolutionCompleted(_)) => {
            return Err(Error::Backend(format!(
                "callback answer {} reached the dispatcher",
                other.name()
            )))
        }
    };
    Ok(Reply::Respond(response))
}

/// The honest answer of a handler that needs the driver.
pub(crate) fn not_yet<T>(request: &'static str) -> Result<T> {
    Err(Error::NotSupportedYet(request))
}
