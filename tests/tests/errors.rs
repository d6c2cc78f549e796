//! Server errors come back with the right kinds and codes, and the session
//! (and its connection) stays usable afterwards; result misuse errors.

use quiver::Bookmarks;
use quiver::{
    params, Classification, Driver, ErrorKind, Query, Session, SessionConfig, TransactionConfig,
};
use quiver_tests::{consume, server, single, unique, Gap};

async fn still_works(session: &mut Session) {
    let n: i64 = single(session, "RETURN 41 + 1 AS n", "n").await;
    assert_eq!(n, 42);
}

/// Runs `query` to its end, which must fail (with RUN or a later PULL):
/// the error.
async fn run_err(session: &mut Session, query: impl Into<Query>, what: &str) -> quiver::Error {
    match session.run(query).await {
        Err(e) => e,
        Ok(mut r) => r.consume().await.expect_err(what),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syntax_error() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());
    // The error may come with RUN or with the first PULL: either way it
    // surfaces before the records do.
    let err = run_err(&mut session, "RETURN 1 +* 2 AS nope", "a syntax error").await;
    assert_eq!(err.kind(), ErrorKind::Client, "{err}");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Statement.SyntaxError"),
        "{err}"
    );
    assert_eq!(err.classification(), Some(Classification::ClientError));
    assert!(!err.is_retryable());
    let server_error = err.as_server_error().expect("from the server");
    assert!(!server_error.message().is_empty());
    assert!(
        err.to_string().contains("SyntaxError") || err.to_string().contains(server_error.message()),
        "{err}"
    );
    still_works(&mut session).await;

    // In an explicit transaction: the transaction is done for, the session
    // is not.
    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .await
        .expect("begin");
    let err = match tx.run("RETURN 1 +* 2").await {
        Err(e) => e,
        Ok(mut r) => r.consume().await.expect_err("a syntax error"),
    };
    assert_eq!(err.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    drop(tx);
    still_works(&mut session).await;

    // In a transaction function: not retried, same error.
    let mut attempts = 0;
    let err = session
        .execute_read(|tx| {
            attempts += 1;
            async move { tx.run("RETURN 1 +* 2").await?.consume().await }
        })
        .await
        .expect_err("a syntax error");
    assert_eq!(err.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    assert_eq!(attempts, 1, "client errors are not retried");
    still_works(&mut session).await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_parameter() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());
    let err = run_err(
        &mut session,
        ("RETURN $missing AS m", params! { "other" => 1 }),
        "a missing parameter",
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::Client, "{err}");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Statement.ParameterMissing"),
        "{err}"
    );
    still_works(&mut session).await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn constraint_violation() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Unique");
    let constraint = unique("uniq");
    driver
        .execute_query(format!(
            "CREATE CONSTRAINT {constraint} IF NOT EXISTS FOR (n:{label}) REQUIRE n.k IS UNIQUE"
        ))
        .run()
        .await
        .expect("create constraint");
    let mut session = driver.session(SessionConfig::default());
    session
        .run(format!("CREATE (:{label} {{k: 1}})"))
        .await
        .expect("first")
        .consume()
        .await
        .expect("first node");

    let err = run_err(
        &mut session,
        format!("CREATE (:{label} {{k: 1}})"),
        "a duplicate",
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::Client, "{err}");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Schema.ConstraintValidationFailed"),
        "{err}"
    );
    still_works(&mut session).await;

    // In a transaction function: rolled back, not retried; what the
    // function wrote before the violation is gone.
    let mut attempts = 0;
    let err = session
        .execute_write(|tx| {
            attempts += 1;
            let label = label.clone();
            async move {
                tx.run(format!("CREATE (:{label} {{k: 2}})"))
                    .await?
                    .consume()
                    .await?;
                tx.run(format!("CREATE (:{label} {{k: 1}})"))
                    .await?
                    .consume()
                    .await
            }
        })
        .await
        .expect_err("a duplicate");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Schema.ConstraintValidationFailed"),
        "{err}"
    );
    assert_eq!(attempts, 1);
    let ks: Vec<i64> = session
        .run(format!("MATCH (n:{label}) RETURN n.k AS k"))
        .await
        .expect("read")
        .collect_as::<(i64,)>()
        .await
        .expect("rows")
        .into_iter()
        .map(|(k,)| k)
        .collect();
    assert_eq!(ks, [1], "the failed transaction left nothing behind");

    consume(
        &mut session,
        format!("MATCH (n:{label}) DELETE n"),
        "clean up",
    )
    .await;
    consume(
        &mut session,
        format!("DROP CONSTRAINT {constraint}"),
        "drop constraint",
    )
    .await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arithmetic_error_and_unknown_procedure() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());
    let err = run_err(&mut session, "RETURN 1 / 0 AS x", "division by zero").await;
    assert_eq!(err.kind(), ErrorKind::Client, "{err}");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Statement.ArithmeticError"),
        "{err}"
    );
    still_works(&mut session).await;

    let err = run_err(
        &mut session,
        "CALL no.such.procedure()",
        "no such procedure",
    )
    .await;
    if server.lacks(
        Gap::UnknownProcedureIsDatabaseError,
        "ProcedureNotFound code",
    ) {
        assert_eq!(
            err.code(),
            Some("Neo.DatabaseError.General.UnknownError"),
            "the gap changed: {err}"
        );
        assert_eq!(err.kind(), ErrorKind::Database);
    } else {
        assert_eq!(
            err.code(),
            Some("Neo.ClientError.Procedure.ProcedureNotFound"),
            "{err}"
        );
        assert_eq!(err.kind(), ErrorKind::Client);
    }
    assert!(!err.is_retryable());
    still_works(&mut session).await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_bookmark_is_refused() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(
        SessionConfig::builder()
            .bookmarks(Bookmarks::from_raw_values(["not-a-bookmark"]))
            .build(),
    );
    let outcome = match session.run("RETURN 1 AS x").await {
        Err(e) => Err(e),
        Ok(mut r) => r.consume().await.map(|_| ()),
    };
    if server.lacks(
        Gap::BookmarksNotValidated,
        "InvalidBookmark for a malformed bookmark",
    ) {
        outcome.expect("the gap changed: the bookmark was refused");
    } else {
        let err = outcome.expect_err("a malformed bookmark");
        assert_eq!(err.kind(), ErrorKind::Client, "{err}");
        assert_eq!(
            err.code(),
            Some("Neo.ClientError.Transaction.InvalidBookmark"),
            "{err}"
        );
    }
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_misuse_is_reported() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());

    let err = session
        .run("UNWIND [1, 2] AS x RETURN x")
        .await
        .expect("run")
        .single()
        .await
        .expect_err("two records");
    assert_eq!(err.kind(), ErrorKind::ResultNotSingle);
    let err = session
        .run("UNWIND [] AS x RETURN x")
        .await
        .expect("run")
        .single()
        .await
        .expect_err("no record");
    assert_eq!(err.kind(), ErrorKind::ResultNotSingle);

    // A result read after its transaction ended.
    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .await
        .expect("begin");
    let mut result = tx
        .run("UNWIND range(1, 10) AS x RETURN x")
        .await
        .expect("run");
    let first = result.next().await.expect("a record").expect("ok");
    assert_eq!(first.get::<i64>("x").expect("x"), 1);
    tx.commit().await.expect("commit");
    assert!(!result.is_open());
    match result.next().await {
        None => {}
        Some(Err(e)) => assert_eq!(e.kind(), ErrorKind::ResultOutOfScope, "{e}"),
        Some(Ok(r)) => panic!("a record after commit: {r:?}"),
    }
    still_works(&mut session).await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_database_and_closed_driver() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(
        SessionConfig::builder()
            .database("no_such_database_here")
            .build(),
    );
    let err = run_err(&mut session, "RETURN 1", "no such database").await;
    assert_eq!(err.kind(), ErrorKind::Client, "{err}");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Database.DatabaseNotFound"),
        "{err}"
    );
    drop(session);

    let closed = Driver::new(&server.uri, server.auth()).expect("driver");
    closed.close().await;
    let err = closed.verify_connectivity().await.expect_err("closed");
    assert_eq!(err.kind(), ErrorKind::Closed, "{err}");
    driver.close().await;
}

#[test]
fn blocking_errors() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    let mut session = driver.session(SessionConfig::default());
    let err = session
        .run("RETURN 1 +* 2")
        .and_then(|mut r| r.consume())
        .expect_err("syntax error");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Statement.SyntaxError"),
        "{err}"
    );
    let n: i64 = session
        .run("RETURN 2 AS n")
        .and_then(|mut r| r.single())
        .and_then(|r| r.get("n"))
        .expect("usable after the error");
    assert_eq!(n, 2);
    session.close().expect("close");
    driver.close();
}
