//! Connecting: connectivity, authentication, server info, async and blocking.

use quiver::{AuthToken, Driver, ErrorKind, SessionConfig};
use quiver_tests::{execute, server, single, Gap};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_connectivity_and_server_info() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    driver
        .verify_connectivity()
        .await
        .expect("verify_connectivity");
    assert!(!driver.is_encrypted(), "a bolt:// URI is not encrypted");

    let info = driver.server_info().await.expect("server_info");
    assert!(!info.agent().is_empty(), "the server names its agent");
    let version = info.protocol_version();
    assert!(version >= (4, 4), "negotiated Bolt {version:?}, want 4.4+");
    if !server.lacks(Gap::NoBolt55, "Bolt 5.5+ negotiation") {
        assert!(
            version >= (5, 5),
            "Neo4j 5.x negotiates 5.5+, got {version:?}"
        );
    }
    assert!(
        server.uri.ends_with(&info.address().port().to_string()),
        "server_info address {} vs {}",
        info.address(),
        server.uri
    );
    assert!(driver.supports_multi_db().await.expect("supports_multi_db"));
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_authentication_accepts_and_refuses() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    if !driver
        .supports_session_auth()
        .await
        .expect("supports_session_auth")
    {
        panic!("the server negotiated no Bolt 5.1+: no session auth");
    }
    assert!(driver
        .verify_authentication(server.auth())
        .await
        .expect("right credentials"));
    assert!(!driver
        .verify_authentication(server.unknown_user())
        .await
        .expect("wrong credentials answer false, not an error"));
    // The driver still works after a refused probe.
    driver.verify_connectivity().await.expect("still connects");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_gives_the_authentication_kind() {
    let Some(server) = server() else { return };
    let driver = Driver::new(
        &server.uri,
        AuthToken::basic(&server.user, "wrong-password"),
    )
    .expect("driver");
    let err = driver
        .verify_connectivity()
        .await
        .expect_err("a wrong password is refused");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert!(!err.is_retryable());
    driver.close().await;
    // A query fails the same way, and says so in words (an unknown user
    // from here on: Neo4j locks a user out after 3 failed logins).
    let driver = Driver::new(&server.uri, server.unknown_user()).expect("driver");
    let mut session = driver.session(SessionConfig::default());
    let err = session
        .run("RETURN 1")
        .await
        .expect_err("a query with a wrong password fails");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert!(
        err.to_string().to_lowercase().contains("auth"),
        "the message names authentication: {err}"
    );
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_auth_overrides_the_driver_credentials() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut refused = driver.session(SessionConfig::builder().auth(server.unknown_user()).build());
    let err = refused
        .run("RETURN 1")
        .await
        .expect_err("the session's credentials are wrong");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    drop(refused);
    let mut accepted = driver.session(SessionConfig::builder().auth(server.auth()).build());
    let n: i64 = single(&mut accepted, "RETURN 3 AS n", "n").await;
    assert_eq!(n, 3);
    accepted.close().await.expect("close");
    // The driver's own sessions are unaffected by either.
    driver.verify_connectivity().await.expect("still connects");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_uri_connects_too() {
    let Some(server) = server() else { return };
    if !server.uri.starts_with("bolt") {
        return;
    }
    let driver = Driver::new(&server.routing_uri(), server.auth()).expect("driver");
    driver
        .verify_connectivity()
        .await
        .expect("neo4j:// routes through the server's ROUTE answer");
    let got = execute(&driver, "RETURN 40 + 2 AS n", "query").await;
    assert_eq!(got.records[0].get::<i64>("n").expect("n"), 42);
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_gives_service_unavailable() {
    let Some(server) = server() else { return };
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = quiver::Config::builder()
        .connection_timeout(std::time::Duration::from_secs(2))
        .max_transaction_retry_time(std::time::Duration::from_millis(500))
        .build()
        .expect("config");
    let driver = Driver::with_config(&format!("bolt://127.0.0.1:{port}"), server.auth(), config)
        .expect("driver");
    let started = std::time::Instant::now();
    let err = driver
        .verify_connectivity()
        .await
        .expect_err("nothing listens");
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable, "{err}");
    assert!(err.is_retryable());
    // A transaction function retries it until the retry time runs out.
    let err = driver
        .execute_query("RETURN 1")
        .run()
        .await
        .expect_err("still nothing");
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable, "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    driver.close().await;
}

#[test]
fn blocking_connects_and_refuses_wrong_passwords() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    driver.verify_connectivity().expect("verify_connectivity");
    let info = driver.server_info().expect("server_info");
    assert!(info.protocol_version() >= (4, 4));
    assert!(driver
        .verify_authentication(server.auth())
        .expect("verify_authentication"));
    let mut session = driver.session(SessionConfig::default());
    let n: i64 = session
        .run("RETURN 1 + 1 AS n")
        .and_then(|mut r| r.single())
        .and_then(|r| r.get("n"))
        .expect("query");
    assert_eq!(n, 2);
    session.close().expect("close");
    driver.close();

    let bad = quiver::blocking::Driver::new(&server.uri, server.unknown_user()).expect("driver");
    let err = bad.verify_connectivity().expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    bad.close();
}
