//! A failure to reach or route carries its cause: `source()` leads to what
//! actually went wrong (DNS, an unusable routing table, a refused connection).

mod common;

use std::time::Duration;

use common::*;
use quiver::{Config, Driver, ErrorKind, SessionConfig};

fn quick() -> Config {
    Config::builder()
        .max_transaction_retry_time(Duration::ZERO)
        .connection_acquisition_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn run_error(driver: &Driver) -> quiver::Error {
    let mut session = driver.session(SessionConfig::default());
    let outcome = tokio::time::timeout(Duration::from_secs(10), session.run("RETURN 1"))
        .await
        .expect("hung");
    match outcome {
        Ok(_) => panic!("the query ran"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn a_dns_failure_on_a_routing_driver_is_the_source() {
    let driver = driver_at("neo4j://no-such-host.invalid:7687", quick());
    let err = run_error(&driver).await;
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ServiceUnavailable | ErrorKind::SessionExpired
        ),
        "{err}"
    );
    let chain = chain(&err);
    assert!(chain.len() >= 3, "{chain:?}");
    assert!(
        chain
            .iter()
            .any(|m| m.contains("could not resolve no-such-host.invalid:7687")),
        "{chain:?}"
    );
    driver.close().await;
}

#[tokio::test]
async fn a_dns_failure_on_a_direct_driver_is_the_source() {
    let driver = driver_at("bolt://no-such-host.invalid:7687", quick());
    let err = run_error(&driver).await;
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable, "{err}");
    assert!(chain(&err).len() >= 2, "{:?}", chain(&err));
    driver.close().await;
}

#[tokio::test]
async fn an_unusable_routing_table_is_the_source() {
    // A table without readers, from the only router.
    let router = stub(
        "C: ROUTE *\nS: SUCCESS {\"rt\": {\"ttl\": 300, \"db\": \"neo4j\", \"servers\": [\
         {\"role\": \"ROUTE\", \"addresses\": [\"127.0.0.1:9\"]}, \
         {\"role\": \"WRITE\", \"addresses\": [\"127.0.0.1:9\"]}]}}\n",
    )
    .await;
    let driver = driver_at(&format!("neo4j://{}", router.addr()), quick());
    let err = run_error(&driver).await;
    let chain = chain(&err);
    assert!(
        chain
            .iter()
            .any(|m| m.contains("unusable") && m.contains("no readers")),
        "{chain:?}"
    );
    driver.close().await;
    let _ = router.finish().await;
}

#[tokio::test]
async fn a_refused_router_is_the_source() {
    // Nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let driver = driver_at(&format!("neo4j://127.0.0.1:{port}"), quick());
    let err = run_error(&driver).await;
    let chain = chain(&err);
    assert!(chain.len() >= 3, "{chain:?}");
    assert!(
        chain.iter().any(|m| m.contains(&port.to_string())),
        "{chain:?}"
    );
    driver.close().await;
}
