//! BEGIN confirmed before work starts, and what security failures do to the pool and the
//! auth token manager (against the scripted stub server).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use quiver::{
    AuthToken, AuthTokenManager, Config, Driver, Error, ErrorKind, SessionConfig, TransactionConfig,
};
use quiver_test_support::stub::StubServer;

const BEGIN_FAILS: &str = r#"C: BEGIN {}
S: FAILURE {"code": "Neo.ClientError.MadeUp.Code", "message": "no"}
"#;

/// A BEGIN the server refuses fails `begin_transaction` itself.
#[tokio::test]
async fn a_refused_begin_fails_begin_transaction() {
    let server = stub(BEGIN_FAILS).await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let err = session
        .begin_transaction(TransactionConfig::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Neo.ClientError.MadeUp.Code"));
    session.close().await.unwrap();
    finish(driver, server).await;
}

/// A transaction function is never called when BEGIN fails for good.
#[tokio::test]
async fn a_transaction_function_does_not_run_when_begin_fails() {
    let server = stub(BEGIN_FAILS).await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let err = session
        .execute_write(move |tx| {
            c.fetch_add(1, Ordering::SeqCst);
            async move { tx.run("RETURN 1").await?.consume().await }
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Neo.ClientError.MadeUp.Code"));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    finish(driver, server).await;
}

/// `AuthorizationExpired` on one connection makes every connection to that server stale:
/// one in use finishes its work and is closed when given back; the next work opens a new
/// connection.
#[tokio::test]
async fn authorization_expired_retires_every_connection_to_the_server() {
    let streaming = script(
        r#"C: RUN "INFINITE" {} {}
   PULL {"n": 1}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {"type": "r"}
"#,
    );
    let expiring = script(
        r#"C: RUN "EXPIRED" {} {}
   PULL {"n": 1}
S: FAILURE {"code": "Neo.ClientError.Security.AuthorizationExpired", "message": "expired"}
   IGNORED
"#,
    );
    let fresh = script(
        r#"C: RUN "AFTER" {} {}
   PULL {"n": 1}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r"}
"#,
    );
    let server = StubServer::start_many(vec![streaming, expiring, fresh])
        .await
        .unwrap();
    let driver = driver_at(
        &server.uri(),
        Config::builder()
            .max_connection_pool_size(2)
            .fetch_size(quiver::FetchSize::Records(1))
            .build()
            .unwrap(),
    );
    let mut s1 = driver.session(SessionConfig::default());
    let mut s2 = driver.session(SessionConfig::default());
    let mut r1 = s1.run("INFINITE").await.unwrap();
    r1.next().await.unwrap().unwrap();
    let err = match s2.run("EXPIRED").await {
        Ok(mut r) => r.next().await.unwrap().unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Security.AuthorizationExpired")
    );
    assert!(err.is_retryable());
    s2.close().await.unwrap();
    // The connection in use still serves its session.
    s1.close().await.unwrap();
    until_idle(&driver).await;
    let mut s3 = driver.session(SessionConfig::default());
    let n: i64 = single(&mut s3, "AFTER", "n").await;
    assert_eq!(n, 2);
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 3);
}

/// Counts what the driver tells it; handles every security error.
struct Counting {
    handled: AtomicUsize,
}

impl AuthTokenManager for Counting {
    fn get_auth(&self) -> quiver::BoxFuture<'_, quiver::Result<AuthToken>> {
        Box::pin(async { Ok(auth()) })
    }

    fn handle_security_error<'a>(
        &'a self,
        _: &'a AuthToken,
        _: &'a Error,
    ) -> quiver::BoxFuture<'a, quiver::Result<bool>> {
        self.handled.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(true) })
    }
}

/// Any `Neo.ClientError.Security.*` failure is reported to the auth token manager, and one
/// it handled is retryable.
#[tokio::test]
async fn every_security_error_goes_to_the_auth_token_manager() {
    let server = stub(
        r#"C: RUN "RETURN 1" {} {}
   PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Security.MadeUp", "message": "no"}
   IGNORED
"#,
    )
    .await;
    let manager = Arc::new(Counting {
        handled: AtomicUsize::new(0),
    });
    let driver = Driver::builder(&server.uri())
        .auth_manager(Arc::clone(&manager) as Arc<dyn AuthTokenManager>)
        .config(
            Config::builder()
                .max_connection_pool_size(1)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let mut session = driver.session(SessionConfig::default());
    let err = match session.run("RETURN 1").await {
        Ok(mut r) => r.consume().await.unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(err.code(), Some("Neo.ClientError.Security.MadeUp"));
    assert_eq!(err.kind(), ErrorKind::Client);
    assert!(err.is_retryable(), "handled by the manager");
    assert_eq!(manager.handled.load(Ordering::SeqCst), 1);
    session.close().await.unwrap();
    finish(driver, server).await;
}

/// `execute_query` runs its own query right behind BEGIN: the two leave together, in one
/// round trip (TestKit's ExecuteQueryPipelining).
#[tokio::test]
async fn execute_query_sends_begin_with_its_query() {
    let server = stub(
        r#"C: BEGIN {}
   RUN "RETURN 1 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
"#,
    )
    .await;
    let driver = driver(&server);
    let result = driver.execute_query("RETURN 1 AS n").run().await.unwrap();
    assert_eq!(result.records.len(), 1);
    let report = finish(driver, server).await;
    assert!(report
        .connection(0)
        .unwrap()
        .arrived_together(&["BEGIN", "RUN", "PULL"]));
}
