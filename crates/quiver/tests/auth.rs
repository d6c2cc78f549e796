//! Auth token managers: credentials refreshed when the server says they
//! expired, and session-level credentials.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use quiver::{
    AuthToken, Config, Driver, ErrorKind, ExpiringAuth, FakeClock, RefreshingAuthTokenManager,
    SessionConfig,
};
use quiver_test_support::stub::StubServer;

const TX_OK: &str = r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
"#;

#[tokio::test]
async fn an_expired_bearer_token_is_refreshed_and_the_work_retried() {
    let server = StubServer::start(raw_script(&format!(
        r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {{"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}}
C: LOGON {{"scheme": "bearer", "credentials": "t1"}}
S: SUCCESS {{}}
C: BEGIN {{}}
S: SUCCESS {{}}
C: RUN "RETURN 1 AS x" {{}} {{}}
   PULL {{"n": 1000}}
S: FAILURE {{"code": "Neo.ClientError.Security.TokenExpired", "message": "expired"}}
   IGNORED
C: LOGOFF
   LOGON {{"scheme": "bearer", "credentials": "t2"}}
S: SUCCESS {{}}
   SUCCESS {{}}
{TX_OK}"#
    )))
    .await
    .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let manager = RefreshingAuthTokenManager::bearer(move || {
        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(ExpiringAuth::new(AuthToken::bearer(format!("t{n}")))) }
    });
    let clock = FakeClock::new();
    let driver = Driver::builder(&format!("bolt://{}", server.addr()))
        .auth_manager(Arc::new(manager))
        .config(
            Config::builder()
                .max_connection_pool_size(1)
                .build()
                .unwrap(),
        )
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let mut session = driver.session(SessionConfig::default());
    write_returns_one(&mut session).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(clock.sleeps().len(), 1);
    finish(driver, server).await;
}

#[tokio::test]
async fn wrong_credentials_are_an_authentication_error() {
    let server = StubServer::start(raw_script(
        r#"!: BOLT 5.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "bad credentials"}
"#,
    ))
    .await
    .unwrap();
    let driver = driver(&server);
    let err = driver.verify_connectivity().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert!(!err.is_retryable());
    driver.close().await;
    server.finish().await.unwrap();
}

#[tokio::test]
async fn session_auth_logs_a_new_connection_on_as_the_session_user() {
    // No log-on as the driver's user first: the session's credentials go with HELLO/LOGON.
    let prelude = PRELUDE.replace(
        r#""principal": "neo4j", "credentials": "pass""#,
        r#""principal": "jane", "credentials": "secret""#,
    );
    let server = StubServer::start(raw_script(&format!("{prelude}{TX_OK}")))
        .await
        .unwrap();
    let driver = driver(&server);
    let mut session = driver.session(
        SessionConfig::builder()
            .auth(AuthToken::basic("jane", "secret"))
            .build(),
    );
    write_returns_one(&mut session).await;
    finish(driver, server).await;
}

#[tokio::test]
async fn verify_authentication_answers_yes_or_no() {
    // The first check opens a connection logged on with the checked credentials; the
    // second switches that pooled connection to the next ones.
    let prelude = PRELUDE.replace(
        r#""principal": "neo4j", "credentials": "pass""#,
        r#""principal": "jane", "credentials": "right""#,
    );
    let server = StubServer::start(raw_script(&format!(
        "{prelude}{}",
        r#"C: LOGOFF
   LOGON {"scheme": "basic", "principal": "jane", "credentials": "wrong"}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "no"}
S: <EXIT>
"#
    )))
    .await
    .unwrap();
    let driver = driver(&server);
    assert!(driver
        .verify_authentication(AuthToken::basic("jane", "right"))
        .await
        .unwrap());
    assert!(!driver
        .verify_authentication(AuthToken::basic("jane", "wrong"))
        .await
        .unwrap());
    driver.close().await;
    server.finish().await.unwrap();
}

#[tokio::test]
async fn authorization_expired_is_retried_on_a_fresh_connection() {
    let failing = script(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Security.AuthorizationExpired", "message": "expired"}
   IGNORED
"#,
    );
    let server = StubServer::start_many(vec![failing, script(TX_OK)])
        .await
        .unwrap();
    let clock = FakeClock::new();
    let driver = driver_with(&server, Config::builder(), Some(clock.clone()));
    let mut session = driver.session(SessionConfig::default());
    write_returns_one(&mut session).await;
    assert_eq!(clock.sleeps().len(), 1);
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 2);
}

/// A check with the credentials a pooled connection already holds still asks the server:
/// the connection logs on again with them.
#[tokio::test]
async fn verify_authentication_asks_the_server_even_with_the_same_credentials() {
    let server = stub(
        r#"C: LOGOFF
   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {}
   SUCCESS {}
"#,
    )
    .await;
    let driver = driver(&server);
    // Warm the pool with a connection logged on as the driver's user.
    driver.verify_connectivity().await.unwrap();
    assert!(driver
        .verify_authentication(AuthToken::basic("neo4j", "pass"))
        .await
        .unwrap());
    driver.close().await;
    server.finish().await.unwrap();
}
