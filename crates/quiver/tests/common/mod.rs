//! Shared helpers: scripts with the usual prelude, drivers on stub servers.
#![allow(dead_code)]

use std::sync::Arc;

use quiver::{AuthToken, Config, Driver, FakeClock};
use quiver_test_support::bench_server::BenchServer;
use quiver_test_support::proxy::FaultProxy;
use quiver_test_support::stub::{Script, StubServer};

/// Handshake, HELLO and LOGON on Bolt 5.4; RESET and GOODBYE answered
/// wherever they come.
pub const PRELUDE: &str = r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {}
"#;

pub fn script(body: &str) -> Script {
    let text = format!("{PRELUDE}{body}");
    Script::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub fn raw_script(text: &str) -> Script {
    Script::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub async fn stub(body: &str) -> StubServer {
    StubServer::start(script(body)).await.unwrap()
}

pub fn auth() -> AuthToken {
    AuthToken::basic("neo4j", "pass")
}

/// A driver for `uri` (a proxy, say) with [`auth`] and `config`.
pub fn driver_at(uri: &str, config: Config) -> Driver {
    Driver::builder(uri)
        .auth(auth())
        .config(config)
        .build()
        .unwrap()
}

/// A direct driver on the bench server (which takes any credentials).
pub fn bench_driver(server: &BenchServer, config: Config) -> Driver {
    driver_at(&format!("bolt://{}", server.addr()), config)
}

/// A blocking driver on the bench server.
pub fn bench_blocking_driver(server: &BenchServer) -> quiver::blocking::Driver {
    quiver::blocking::Driver::new(&format!("bolt://{}", server.addr()), auth()).unwrap()
}

/// The bench server behind a fault proxy, and a driver through the proxy.
pub struct Rig {
    // Kept alive for the test's length.
    pub _server: BenchServer,
    pub proxy: FaultProxy,
    pub driver: Driver,
}

pub async fn proxy_rig(config: Config) -> Rig {
    let server = BenchServer::start().unwrap();
    let proxy = FaultProxy::start(server.addr()).await.unwrap();
    let driver = driver_at(&proxy.uri(), config);
    Rig {
        _server: server,
        proxy,
        driver,
    }
}

/// A direct driver on `server` with one connection at most (tests know
/// which connection plays the script).
pub fn driver(server: &StubServer) -> Driver {
    driver_with(server, Config::builder(), None)
}

pub fn driver_with(
    server: &StubServer,
    config: quiver::ConfigBuilder,
    clock: Option<FakeClock>,
) -> Driver {
    let config = config.max_connection_pool_size(1).build().unwrap();
    let mut b = Driver::builder(&format!("bolt://{}", server.addr()))
        .auth(auth())
        .config(config);
    if let Some(c) = clock {
        b = b.clock(Arc::new(c));
    }
    b.build().unwrap()
}

/// Closes the driver and checks the script was played.
pub async fn finish(driver: Driver, server: StubServer) -> quiver_test_support::stub::Report {
    driver.close().await;
    server.finish().await.unwrap_or_else(|e| panic!("{e}"))
}

/// Waits until every connection of the driver is back in its pool.
pub async fn until_idle(driver: &Driver) {
    for _ in 0..200 {
        if driver.metrics().iter().all(|(_, m)| m.in_use == 0) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("connections still in use: {:?}", driver.metrics());
}

/// [`driver`] with this fetch size.
pub fn fetching_driver(server: &StubServer, fetch_size: u64) -> Driver {
    driver_with(
        server,
        Config::builder().fetch_size(quiver::FetchSize::Records(fetch_size)),
        None,
    )
}

/// Runs `query` in `session`, which must give exactly one record, and reads
/// its field `key`.
pub async fn single<T: serde::de::DeserializeOwned>(
    session: &mut quiver::Session,
    query: &str,
    key: &str,
) -> T {
    session
        .run(query)
        .await
        .unwrap()
        .single()
        .await
        .unwrap()
        .get(key)
        .unwrap()
}

/// A transaction function (write) runs `RETURN 1 AS x` in `session` and gets 1.
pub async fn write_returns_one(session: &mut quiver::Session) {
    let x: i64 = session
        .execute_write(|tx| async move { tx.run("RETURN 1 AS x").await?.single().await?.get("x") })
        .await
        .unwrap();
    assert_eq!(x, 1);
}

/// Begins a transaction with the default config.
pub async fn begin(session: &mut quiver::Session) -> quiver::Transaction<'_> {
    session
        .begin_transaction(quiver::TransactionConfig::default())
        .await
        .unwrap()
}

/// Every message down the `source()` chain, the error's own first.
pub fn chain(err: &quiver::Error) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut next = std::error::Error::source(err);
    while let Some(e) = next {
        out.push(e.to_string());
        next = e.source();
    }
    out
}
