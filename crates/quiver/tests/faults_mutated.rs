//! Server-side fuzzing: the bench server's replies pass through the fault
//! proxy, which changes random bytes (seeded, so a failure names the seed
//! that reproduces it) while the driver connects and runs queries and
//! transactions. A bounded loop; each query bounded by a timeout. No panic,
//! no hang, no connection left in use, and a corrupted stream is reported
//! as a protocol error (or as the loss of a connection the driver closed).

mod common;

use std::time::{Duration, Instant};

use quiver::{Config, Driver, ErrorKind, FetchSize, SessionConfig};
use quiver_test_support::bench_server::BenchServer;
use quiver_test_support::proxy::{Direction, FaultProxy};

use common::driver_at;

const SEEDS: u64 = 60;

async fn work(driver: &Driver) -> quiver::Result<usize> {
    let mut session = driver.session(SessionConfig::default());
    let rows = session.run("ROWS 20").await?.list().await?.len();
    let n = session
        .execute_write(|tx| async move { Ok(tx.run("NODES 5").await?.list().await?.len()) })
        .await?;
    session.close().await?;
    Ok(rows + n)
}

async fn no_leak(driver: &Driver, seed: u64) {
    let start = Instant::now();
    while driver
        .metrics()
        .iter()
        .any(|(_, m)| m.in_use > 0 || m.waiting > 0)
    {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "seed {seed}: left in use: {:?}",
            driver.metrics()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn mutated_replies_give_errors_never_panics_hangs_or_leaks() {
    let server = BenchServer::start().unwrap();
    let proxy = FaultProxy::start(server.addr()).await.unwrap();
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for seed in 1..=SEEDS {
        let driver = driver_at(
            &proxy.uri(),
            Config::builder()
                .max_connection_pool_size(2)
                .connection_timeout(Duration::from_millis(500))
                .connection_acquisition_timeout(Duration::from_secs(1))
                // A mutated stream may well be retried: keep it short.
                .max_transaction_retry_time(Duration::from_millis(300))
                .fetch_size(FetchSize::Records(7))
                .build()
                .unwrap(),
        );
        // One byte in 300 changed: most runs meet a handful of mutations.
        proxy.corrupt(Direction::ToClient, 300, seed);
        // A mutated chunk length can leave the driver waiting for bytes the
        // server will never send, as a slow server would (without a
        // recv_timeout hint, nothing tells them apart): the bound is the
        // caller's timeout, after which the dropped work must leave nothing
        // behind.
        let Ok(outcome) = tokio::time::timeout(Duration::from_secs(1), work(&driver)).await else {
            *outcomes
                .entry("waiting (timed out by the test)".to_owned())
                .or_default() += 1;
            proxy.restore();
            no_leak(&driver, seed).await;
            driver.close().await;
            continue;
        };
        let key = match &outcome {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{:?}", e.kind()),
        };
        if let Err(e) = &outcome {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::Protocol
                        | ErrorKind::Deserialization
                        | ErrorKind::ServiceUnavailable
                        | ErrorKind::SessionExpired
                        | ErrorKind::Client
                        | ErrorKind::Transient
                        | ErrorKind::Database
                        | ErrorKind::Authentication
                        | ErrorKind::CommitUnknown
                        | ErrorKind::Timeout
                ),
                "seed {seed}: {e:?}"
            );
        }
        *outcomes.entry(key).or_default() += 1;
        proxy.restore();
        no_leak(&driver, seed).await;
        tokio::time::timeout(Duration::from_secs(5), driver.close())
            .await
            .unwrap_or_else(|_| panic!("seed {seed}: close hung"));
    }
    eprintln!(
        "outcomes over {SEEDS} seeds: {outcomes:?}; {:?}",
        proxy.stats()
    );
    assert!(proxy.stats().corrupted > 0);
    // The corruption did reach the decoder, and was called what it is.
    assert!(
        outcomes.get("Protocol").copied().unwrap_or(0) > 0,
        "{outcomes:?}"
    );
}
