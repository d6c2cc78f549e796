//! A user switch (session-level credentials on a connection logged on as
//! someone else) costs no round trip of its own: LOGOFF and LOGON leave with
//! the work's first request; a refused LOGON fails the work and closes the
//! connection, whose credentials are unknown then.

mod common;

use common::*;
use quiver::{AuthToken, ErrorKind, SessionConfig};
use quiver_test_support::stub::StubServer;

fn jane() -> SessionConfig {
    SessionConfig::builder()
        .auth(AuthToken::basic("jane", "secret"))
        .build()
}

/// A query as the driver's user, so the pool holds a connection logged on as neo4j (a new
/// connection for a session with its own credentials would log on as that user at once).
async fn returns_zero(driver: &quiver::Driver) {
    let mut session = driver.session(SessionConfig::default());
    let x: i64 = single(&mut session, "RETURN 0 AS x", "x").await;
    assert_eq!(x, 0);
    session.close().await.unwrap();
}

#[tokio::test]
async fn logoff_and_logon_leave_with_the_first_request() {
    let server = stub(
        r#"C: RUN "RETURN 0 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [0]
   SUCCESS {"type": "r"}
C: LOGOFF
   LOGON {"scheme": "basic", "principal": "jane", "credentials": "secret"}
   RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: LOGOFF
   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
   BEGIN {}
S: SUCCESS {}
   SUCCESS {}
   SUCCESS {}
C: RUN "RETURN 2 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
"#,
    )
    .await;
    let driver = driver(&server);
    returns_zero(&driver).await;
    // Jane's auto-commit query on the connection logged on as neo4j.
    let mut session = driver.session(jane());
    let record = session.run("RETURN 1 AS x").await.unwrap().single().await;
    assert_eq!(record.unwrap().get::<i64>("x").unwrap(), 1);
    session.close().await.unwrap();
    // Back to the driver's user, in a transaction.
    let mut session = driver.session(SessionConfig::default());
    let x: i64 = session
        .execute_write(|tx| async move { tx.run("RETURN 2 AS x").await?.single().await?.get("x") })
        .await
        .unwrap();
    assert_eq!(x, 2);
    session.close().await.unwrap();
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 1);
    let conn = &report.connections()[0];
    assert!(
        conn.arrived_together(&["LOGOFF", "LOGON", "RUN", "PULL"]),
        "LOGOFF, LOGON, RUN and PULL in one write"
    );
    assert!(
        conn.arrived_together(&["LOGOFF", "LOGON", "BEGIN"]),
        "LOGOFF, LOGON and BEGIN in one write"
    );
}

#[tokio::test]
async fn a_refused_logon_fails_the_work_and_closes_the_connection() {
    let refused = script(
        r#"C: RUN "RETURN 0 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [0]
   SUCCESS {"type": "r"}
C: LOGOFF
   LOGON {"scheme": "basic", "principal": "jane", "credentials": "secret"}
   RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "wrong password"}
   <EXIT>
"#,
    );
    let fresh = script(
        r#"C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
"#,
    );
    let server = StubServer::start_many(vec![refused, fresh]).await.unwrap();
    let driver = driver(&server);
    returns_zero(&driver).await;
    let mut session = driver.session(jane());
    let err = session.run("RETURN 1 AS x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert!(!err.is_retryable());
    session.close().await.unwrap();
    // The pool holds one connection at most: the refused one was closed,
    // so this gets a new one, logged on as the driver's user.
    let mut session = driver.session(SessionConfig::default());
    let record = session.run("RETURN 1 AS x").await.unwrap().single().await;
    assert_eq!(record.unwrap().get::<i64>("x").unwrap(), 1);
    session.close().await.unwrap();
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 2);
}
