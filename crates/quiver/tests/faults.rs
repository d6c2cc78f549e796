//! Network faults through the public API: a fault proxy between the driver
//! and a server (the bench server, or a scripted stub), faults during
//! connect, HELLO, RUN, a streaming PULL and COMMIT, with auto-commit,
//! explicit and managed transactions. Every test ends with no connection
//! in use. Timeouts are short: the whole file runs in seconds.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quiver::{AuthToken, Config, Driver, ErrorKind, FetchSize, SessionConfig};
use quiver_test_support::proxy::{Action, Direction, FaultProxy};
use quiver_test_support::stub::{Script, StubServer};

use common::{begin, driver_at, proxy_rig, Rig};

/// Bolt handshake reply: the 4 bytes of the agreed version.
const HANDSHAKE_REPLY: u64 = 4;

fn config() -> quiver::ConfigBuilder {
    Config::builder()
        .max_connection_pool_size(2)
        .connection_timeout(Duration::from_millis(500))
        .connection_acquisition_timeout(Duration::from_secs(2))
        .max_transaction_retry_time(Duration::from_secs(5))
}

async fn rig_with(config: quiver::ConfigBuilder) -> Rig {
    proxy_rig(config.build().unwrap()).await
}

async fn rig() -> Rig {
    rig_with(config()).await
}

/// Waits until no connection is in use, then checks nothing is stuck.
async fn no_leak(driver: &Driver) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        if driver
            .metrics()
            .iter()
            .all(|(_, m)| m.in_use == 0 && m.waiting == 0)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("connections still in use: {:?}", driver.metrics());
}

async fn return_one(driver: &Driver) -> quiver::Result<i64> {
    let mut session = driver.session(SessionConfig::default());
    let x = session
        .run("RETURN 1")
        .await?
        .single()
        .await?
        .get::<i64>("1");
    session.close().await?;
    x
}

async fn managed_return_one(driver: &Driver, attempts: &Arc<AtomicUsize>) -> quiver::Result<i64> {
    let mut session = driver.session(SessionConfig::default());
    let a = Arc::clone(attempts);
    let x = session
        .execute_write(move |tx| {
            a.fetch_add(1, Ordering::SeqCst);
            async move { tx.run("RETURN 1").await?.single().await?.get::<i64>("1") }
        })
        .await;
    session.close().await?;
    x
}

fn is_connection_loss(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::ServiceUnavailable | ErrorKind::SessionExpired
    )
}

#[tokio::test]
async fn the_rig_works_without_faults() {
    let r = rig().await;
    assert_eq!(return_one(&r.driver).await.unwrap(), 1);
    no_leak(&r.driver).await;
    assert_eq!(r.proxy.stats().connections, 1);
    r.driver.close().await;
}

#[tokio::test]
async fn refused_connections_fail_auto_commit_and_a_transaction_function_waits_them_out() {
    let r = rig().await;
    r.proxy.refuse();
    let err = return_one(&r.driver).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable, "{err}");
    assert!(err.is_retryable());

    let proxy = &r.proxy;
    let attempts = Arc::new(AtomicUsize::new(0));
    let restore = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        proxy.restore();
    };
    let (x, ()) = tokio::join!(managed_return_one(&r.driver, &attempts), restore);
    assert_eq!(x.unwrap(), 1);
    assert!(r.proxy.stats().refused >= 2, "{:?}", r.proxy.stats());
    no_leak(&r.driver).await;
    r.driver.close().await;
}

#[tokio::test]
async fn a_connection_reset_during_hello_is_retried_by_a_transaction_function() {
    let r = rig().await;
    // Handshake answered, HELLO's reply reset.
    r.proxy
        .arm(Direction::ToClient, HANDSHAKE_REPLY, Action::Reset);
    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(managed_return_one(&r.driver, &attempts).await.unwrap(), 1);
    assert!(!r.proxy.armed());
    assert_eq!(r.proxy.stats().killed, 1);
    assert_eq!(r.proxy.stats().connections, 2);
    no_leak(&r.driver).await;
    r.driver.close().await;
}

#[tokio::test]
async fn a_connection_closed_during_hello_fails_auto_commit_cleanly() {
    let r = rig().await;
    r.proxy
        .arm(Direction::ToServer, HANDSHAKE_REPLY + 2, Action::Close);
    let err = return_one(&r.driver).await.unwrap_err();
    assert!(is_connection_loss(err.kind()), "{err}");
    no_leak(&r.driver).await;
    // The fault is gone: the next query works.
    assert_eq!(return_one(&r.driver).await.unwrap(), 1);
    no_leak(&r.driver).await;
    r.driver.close().await;
}

#[tokio::test]
async fn a_connection_lost_on_run_fails_auto_commit_and_the_pool_recovers() {
    for action in [Action::Close, Action::Reset] {
        let r = rig().await;
        r.driver.verify_connectivity().await.unwrap();
        // The RUN never reaches the server.
        r.proxy.arm(Direction::ToServer, 0, action);
        let err = return_one(&r.driver).await.unwrap_err();
        assert!(is_connection_loss(err.kind()), "{action:?}: {err}");
        no_leak(&r.driver).await;
        assert_eq!(return_one(&r.driver).await.unwrap(), 1);
        no_leak(&r.driver).await;
        r.driver.close().await;
    }
}

#[tokio::test]
async fn a_connection_lost_on_run_in_a_transaction_function_is_retried() {
    let r = rig().await;
    r.driver.verify_connectivity().await.unwrap();
    r.proxy.arm(Direction::ToServer, 0, Action::Reset);
    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(managed_return_one(&r.driver, &attempts).await.unwrap(), 1);
    // Either the liveness of the pooled connection failed before the work
    // ran, or the work ran once, failed, and ran again.
    assert!((1..=2).contains(&attempts.load(Ordering::SeqCst)));
    no_leak(&r.driver).await;
    r.driver.close().await;
}

#[tokio::test]
async fn a_stream_cut_midway_gives_an_error_not_a_hang() {
    let r = rig_with(config().fetch_size(FetchSize::Records(100))).await;
    r.driver.verify_connectivity().await.unwrap();
    let mut session = r.driver.session(SessionConfig::default());
    let mut result = session.run("INTS 1000").await.unwrap();
    let mut got = 0;
    // The first batch is read; cut during a later one.
    for _ in 0..100 {
        result.next().await.unwrap().unwrap();
        got += 1;
    }
    r.proxy.arm(Direction::ToClient, 200, Action::Reset);
    let outcome = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match result.next().await {
                Some(Ok(_)) => got += 1,
                Some(Err(e)) => return Some(e),
                None => return None,
            }
        }
    })
    .await
    .expect("the stream hung");
    let err = outcome.expect("the stream ended without an error");
    assert!(is_connection_loss(err.kind()), "{err}");
    assert!(got < 1000);
    drop(result);
    let _ = session.close().await;
    no_leak(&r.driver).await;
    assert_eq!(return_one(&r.driver).await.unwrap(), 1);
    r.driver.close().await;
}

#[tokio::test]
async fn a_connection_lost_during_an_explicit_commit_is_commit_unknown() {
    let r = rig().await;
    let mut session = r.driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    tx.run("RETURN 1").await.unwrap().consume().await.unwrap();
    // COMMIT reaches the server; its reply does not come back.
    r.proxy.arm(Direction::ToClient, 0, Action::Reset);
    let err = tx.commit().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CommitUnknown, "{err}");
    assert!(!err.is_retryable());
    let _ = session.close().await;
    no_leak(&r.driver).await;
    assert_eq!(return_one(&r.driver).await.unwrap(), 1);
    r.driver.close().await;
}

#[tokio::test]
async fn a_connection_lost_during_a_managed_commit_is_commit_unknown_and_not_retried() {
    let r = rig().await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let mut session = r.driver.session(SessionConfig::default());
    let a = Arc::clone(&attempts);
    let proxy = &r.proxy;
    let err = session
        .execute_write(move |tx| {
            a.fetch_add(1, Ordering::SeqCst);
            async move {
                tx.run("RETURN 1").await?.consume().await?;
                // What the server says next is COMMIT's reply: lose it.
                proxy.arm(Direction::ToClient, 0, Action::Close);
                Ok(())
            }
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CommitUnknown, "{err}");
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert!(!r.proxy.armed());
    let _ = session.close().await;
    no_leak(&r.driver).await;
    r.driver.close().await;
}

/// The proxy accepts TCP and then forwards nothing: the connection
/// timeout (transport only) is met, and the stalled handshake is given up
/// on by the acquisition timeout (2 s in [`config`]).
#[tokio::test]
async fn a_black_holed_server_times_out_at_connect_within_the_acquisition_timeout() {
    let r = rig().await;
    r.proxy.stall();
    let start = Instant::now();
    let err = return_one(&r.driver).await.unwrap_err();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(4), "took {took:?}: {err}");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ServiceUnavailable | ErrorKind::Timeout
        ),
        "{err}"
    );
    no_leak(&r.driver).await;
    r.proxy.restore();
    assert_eq!(return_one(&r.driver).await.unwrap(), 1);
    r.driver.close().await;
}

/// A Bolt handshake slower than the connection timeout is fine while the
/// acquisition timeout lasts: the connection timeout covers the transport.
#[tokio::test]
async fn a_handshake_slower_than_the_connection_timeout_succeeds_within_the_acquisition_timeout() {
    let script = Script::parse(
        r#"!: BOLT 5.4
!: HANDSHAKE_DELAY 0.6
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
   RECORD [1]
   SUCCESS {"type": "r"}
"#,
    )
    .unwrap();
    let server = StubServer::start(script).await.unwrap();
    let driver = driver_at(
        &format!("bolt://{}", server.addr()),
        Config::builder()
            .connection_timeout(Duration::from_millis(200))
            .connection_acquisition_timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    );
    assert_eq!(return_one(&driver).await.unwrap(), 1);
    driver.close().await;
    server.finish().await.unwrap();
}

#[tokio::test]
async fn a_transaction_function_outlasts_a_stall_that_clears() {
    let r = rig().await;
    r.proxy.stall();
    let proxy = &r.proxy;
    let restore = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        proxy.restore();
    };
    let attempts = Arc::new(AtomicUsize::new(0));
    let (x, ()) = tokio::join!(managed_return_one(&r.driver, &attempts), restore);
    assert_eq!(x.unwrap(), 1);
    no_leak(&r.driver).await;
    r.driver.close().await;
}

#[tokio::test]
async fn slow_reads_are_only_slow() {
    let r = rig().await;
    r.proxy.delay(Duration::from_millis(20));
    let mut session = r.driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    let rows = tx.run("INTS 50").await.unwrap().list().await.unwrap();
    assert_eq!(rows.len(), 50);
    tx.commit().await.unwrap();
    session.close().await.unwrap();
    no_leak(&r.driver).await;
    r.driver.close().await;
}

#[tokio::test]
async fn every_open_connection_reset_at_once_is_replaced() {
    let r = rig().await;
    // Two pooled connections.
    let (a, b) = tokio::join!(return_one(&r.driver), return_one(&r.driver));
    assert_eq!((a.unwrap(), b.unwrap()), (1, 1));
    r.proxy.reset_all();
    let attempts = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        assert_eq!(managed_return_one(&r.driver, &attempts).await.unwrap(), 1);
    }
    no_leak(&r.driver).await;
    r.driver.close().await;
}

/// A stub behind the proxy whose HELLO reply carries a 1 s receive timeout
/// hint: a server that stops answering mid-query is given up on in time.
#[tokio::test]
async fn a_server_stalled_mid_query_times_out_by_the_recv_timeout_hint() {
    let script = Script::parse(
        r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"connection.recv_timeout_seconds": 1}}
C: LOGON *
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
   PULL {"n": 1000}
S: <SLEEP 3>
"#,
    )
    .unwrap();
    let server = StubServer::builder()
        .script(script)
        .client_timeout(Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let proxy = FaultProxy::start(server.addr()).await.unwrap();
    let driver = driver_at(&proxy.uri(), config().build().unwrap());
    let start = Instant::now();
    let err = return_one(&driver).await.unwrap_err();
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(900), "took {took:?}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert!(
        is_connection_loss(err.kind()) || err.kind() == ErrorKind::Timeout,
        "{err}"
    );
    no_leak(&driver).await;
    driver.close().await;
    drop(proxy);
    // The stub's connection was cut mid-script: its report fails by design.
    let _ = server.finish().await;
}

/// With `Config::connection_read_timeout` and no hint from the server, a
/// server that stops answering mid-query is given up on: the transaction
/// function's first attempt fails as a lost connection and its retry, on a
/// new connection, succeeds.
#[tokio::test]
async fn a_server_stalled_mid_query_times_out_by_the_client_read_timeout() {
    const LOGIN: &str = r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: SUCCESS {}
"#;
    let stalls = Script::parse(&format!(
        r#"{LOGIN}C: BEGIN {{}}
S: SUCCESS {{}}
C: RUN "RETURN 1" {{}} {{}}
   PULL {{"n": 1000}}
S: <SLEEP 3>
"#
    ))
    .unwrap();
    let answers = Script::parse(&format!(
        r#"{LOGIN}C: BEGIN {{}}
S: SUCCESS {{}}
C: RUN "RETURN 1" {{}} {{}}
   PULL {{"n": 1000}}
S: SUCCESS {{"fields": ["1"]}}
   RECORD [1]
   SUCCESS {{"type": "r"}}
C: COMMIT
S: SUCCESS {{"bookmark": "b1"}}
"#
    ))
    .unwrap();
    let server = StubServer::builder()
        .scripts([stalls, answers])
        .client_timeout(Duration::from_secs(5))
        .start()
        .await
        .unwrap();
    let clock = quiver::FakeClock::new();
    let driver = common::driver_with(
        &server,
        Config::builder().connection_read_timeout(Some(Duration::from_millis(300))),
        Some(clock.clone()),
    );
    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(managed_return_one(&driver, &attempts).await.unwrap(), 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(clock.sleeps().len(), 1);
    no_leak(&driver).await;
    driver.close().await;
    // The first connection was dropped mid-script: its report fails by design.
    let _ = server.finish().await;
}

/// neo4j://: the router (a stub behind the proxy) names the proxy as
/// reader and writer; the first transaction's connection is cut on RUN and
/// the transaction function is retried through a fresh routing.
#[tokio::test]
async fn neo4j_scheme_a_writer_lost_on_run_is_retried() {
    let listener = StubServer::bind().await.unwrap();
    let proxy = FaultProxy::start(listener.addr()).await.unwrap();
    let me = proxy.addr().to_string();
    let script = Script::parse_with_vars(
        r##"!: BOLT 5.4
!: AUTO RESET GOODBYE
!: CONNECTIONS ANY
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: SUCCESS {}
{*
    C: ROUTE *
    S: SUCCESS {"rt": {"ttl": 300, "db": "neo4j", "servers": [{"addresses": ["#ME#"], "role": "ROUTE"}, {"addresses": ["#ME#"], "role": "READ"}, {"addresses": ["#ME#"], "role": "WRITE"}]}}
*}
{*
    C: BEGIN *
    S: SUCCESS {}
    C: RUN "RETURN 1" {} {}
       PULL {"n": 1000}
    S: SUCCESS {"fields": ["1"]}
       RECORD [1]
       SUCCESS {"type": "w"}
    C: COMMIT
    S: SUCCESS {"bookmark": "bm1"}
*}
"##,
        &[("ME", me.as_str())],
    )
    .unwrap();
    let server = listener.start(script);
    let driver = Driver::builder(&format!("neo4j://{me}"))
        .auth(AuthToken::basic("neo4j", "pass"))
        .config(config().build().unwrap())
        .build()
        .unwrap();
    // Route first, then cut the next message the driver sends.
    driver.verify_connectivity().await.unwrap();
    proxy.arm(Direction::ToServer, 0, Action::Reset);
    let attempts = Arc::new(AtomicUsize::new(0));
    assert_eq!(managed_return_one(&driver, &attempts).await.unwrap(), 1);
    assert_eq!(proxy.stats().killed, 1);
    no_leak(&driver).await;
    driver.close().await;
    drop(proxy);
    let _ = server.finish().await;
}
