//! A routed acquire is bounded however many servers fail to answer, and
//! when none can be reached its error leads, by `source()`, to why (issue
//! 15, items 3 and 6).
//!
//! A "silent" server accepts TCP (the kernel completes the handshake for a
//! listener nobody accepts on) and never says a word.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::*;
use quiver::{Address, Config, Driver, ErrorKind, SessionConfig};
use quiver_test_support::stub::StubServer;

/// `n` listeners that accept TCP and never answer, kept open by the caller.
fn silent(n: usize) -> Vec<TcpListener> {
    (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect()
}

/// `n` addresses nothing listens on (bound, then released).
fn refusing(n: usize) -> Vec<String> {
    let held: Vec<_> = silent(n);
    held.iter()
        .map(|l| l.local_addr().unwrap().to_string())
        .collect()
}

fn addresses(listeners: &[TcpListener]) -> Vec<String> {
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().to_string())
        .collect()
}

/// A ROUTE reply: `router` routes and reads, `writers` write.
fn route(router: &str, writers: &[String]) -> String {
    let writers = writers
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "C: ROUTE *\nS: SUCCESS {{\"rt\": {{\"ttl\": 300, \"db\": \"neo4j\", \"servers\": [\
         {{\"role\": \"ROUTE\", \"addresses\": [\"{router}\"]}}, \
         {{\"role\": \"READ\", \"addresses\": [\"{router}\"]}}, \
         {{\"role\": \"WRITE\", \"addresses\": [{writers}]}}]}}}}\n"
    )
}

/// An acquisition timeout of 1 s, no retries.
fn one_second() -> quiver::ConfigBuilder {
    Config::builder()
        .max_transaction_retry_time(Duration::ZERO)
        .connection_acquisition_timeout(Duration::from_secs(1))
}

/// A write on `neo4j`: its error and how long it took to come.
async fn write_error(driver: &Driver) -> (quiver::Error, Duration) {
    let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(200), session.run("CREATE ()"))
        .await
        .expect("the acquire hung");
    let took = started.elapsed();
    match outcome {
        Ok(_) => panic!("the write ran"),
        Err(e) => (e, took),
    }
}

/// A router with a table naming `writers`, and a driver on it.
async fn cluster(writers: &[String], config: Config) -> (StubServer, Driver) {
    let listener = StubServer::bind().await.unwrap();
    let addr = listener.addr().to_string();
    let router = listener.start(script(&route(&addr, writers)));
    let driver = driver_at(&format!("neo4j://{addr}"), config);
    (router, driver)
}

/// Five writers that accept TCP and never answer: one acquisition timeout
/// (1 s) for all of them, not one each (5 s).
#[tokio::test]
async fn five_silent_writers_take_one_acquisition_timeout_in_all() {
    let writers = silent(5);
    let (router, driver) = cluster(&addresses(&writers), one_second().build().unwrap()).await;
    let (err, took) = write_error(&driver).await;
    println!("five silent writers: {took:?}: {err}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "took {took:?}: {err}"
    );
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Timeout | ErrorKind::ServiceUnavailable | ErrorKind::SessionExpired
        ),
        "{err}"
    );
    driver.close().await;
    router.finish().await.unwrap();
}

/// Five routers (the initial address resolves to them) that accept TCP and
/// never answer: the routing table's fetch gives up after one acquisition
/// timeout for all of them (1 s), not one each (5 s), and says why.
#[tokio::test]
async fn five_silent_routers_take_one_acquisition_timeout_in_all() {
    let routers = silent(5);
    let resolved: Vec<Address> = addresses(&routers)
        .iter()
        .map(|a| Address::parse(a).unwrap())
        .collect();
    let config = one_second()
        .resolver(move |_| resolved.clone())
        .build()
        .unwrap();
    let driver = driver_at("neo4j://cluster.invalid:7687", config);
    let (err, took) = write_error(&driver).await;
    println!("five silent routers: {took:?}: {err}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "took {took:?}: {err}"
    );
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable, "{err}");
    let chain = chain(&err);
    assert!(chain.iter().any(|m| m.contains("timed out")), "{chain:?}");
    driver.close().await;
}

/// Every writer refuses the connection: the error (the table has no writer
/// left: SessionExpired) leads by `source()` to the last refusal.
#[tokio::test]
async fn writers_that_all_refuse_are_the_source() {
    let writers = refusing(3);
    let (router, driver) = cluster(&writers, one_second().build().unwrap()).await;
    let (err, _) = write_error(&driver).await;
    assert_eq!(err.kind(), ErrorKind::SessionExpired, "{err}");
    assert!(err.is_retryable());
    let chain = chain(&err);
    assert!(chain.len() >= 3, "{chain:?}");
    assert!(
        chain
            .iter()
            .any(|m| m.contains("could not connect") && writers.iter().any(|w| m.contains(w))),
        "{chain:?}"
    );
    driver.close().await;
    router.finish().await.unwrap();
}

/// By hand (the figure, 150 s at 7acdb2c): five silent writers with
/// the default configuration (acquisition timeout 60 s).
/// `cargo test -p quiver-neo4j --test acquisition_bounds -- --ignored --nocapture`
#[tokio::test]
#[ignore = "a measurement, run by hand (a minute)"]
async fn five_silent_writers_with_defaults_by_hand() {
    let writers = silent(5);
    let config = Config::builder()
        .max_transaction_retry_time(Duration::ZERO)
        .build()
        .unwrap();
    let (router, driver) = cluster(&addresses(&writers), config).await;
    let (err, took) = write_error(&driver).await;
    println!("five silent writers, defaults: {took:?}: {err}");
    driver.close().await;
    drop(router);
}
