//! Cancellation: the futures of run, next, commit, close and transaction
//! functions dropped at every await point (step k for every k, by counting
//! the polls that return `Pending`), each time followed by a check that the
//! pool's next connection is clean (a query gets exactly its own rows) and
//! that no connection is left in use.

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use quiver::{Config, Driver, FetchSize, SessionConfig, TransactionConfig};
use quiver_test_support::bench_server::BenchServer;
use quiver_test_support::proxy::FaultProxy;

use common::*;

/// The most steps a cancelled operation is given before the loop expects
/// it to have finished.
const MAX_STEPS: usize = 400;

/// Polls `fut` until it is ready or has returned `Pending` `k` times, then
/// drops it. `Some` when it finished.
async fn cancel_after<F: Future>(k: usize, fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut pending = 0;
    std::future::poll_fn(move |cx| match fut.as_mut().poll(cx) {
        Poll::Ready(v) => Poll::Ready(Some(v)),
        Poll::Pending => {
            pending += 1;
            if pending >= k {
                Poll::Ready(None)
            } else {
                Poll::Pending
            }
        }
    })
    .await
}

async fn rig() -> Rig {
    let config = Config::builder()
        // One connection: the next query gets the cancelled one's
        // connection if it went back to the pool.
        .max_connection_pool_size(1)
        .connection_timeout(Duration::from_secs(2))
        .connection_acquisition_timeout(Duration::from_secs(3))
        .fetch_size(FetchSize::Records(10))
        .build()
        .unwrap();
    let rig = proxy_rig(config).await;
    // Every read of the driver waits: each is a step where it can be
    // cancelled.
    rig.proxy.delay(Duration::from_millis(1));
    rig
}

impl Rig {
    /// Closes the driver: every connection it opened is closed (none left
    /// behind in a task nobody awaits).
    async fn finish(self) {
        self.driver.close().await;
        let start = Instant::now();
        while self.proxy.stats().open > 0 {
            assert!(
                start.elapsed() < Duration::from_secs(3),
                "connections left open: {:?}",
                self.proxy.stats()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// The pool's next connection is clean and nothing is left in use.
async fn check_clean(driver: &Driver, what: &str, k: usize) {
    let check = async {
        let mut session = driver.session(SessionConfig::default());
        let rows = session.run("INTS 3").await?.list().await?;
        let one: i64 = session.run("RETURN 1").await?.single().await?.get("1")?;
        session.close().await?;
        Ok::<_, quiver::Error>((rows.len(), one))
    };
    let got = tokio::time::timeout(Duration::from_secs(5), check)
        .await
        .unwrap_or_else(|_| panic!("{what} cancelled at step {k}: the next query hung"));
    match got {
        Ok(got) => assert_eq!(got, (3, 1), "{what} cancelled at step {k}"),
        Err(e) => panic!("{what} cancelled at step {k}: the next query failed: {e}"),
    }
    let start = Instant::now();
    loop {
        let metrics = driver.metrics();
        if metrics.iter().all(|(_, m)| m.in_use == 0 && m.waiting == 0) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{what} cancelled at step {k}: still in use: {metrics:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs `op` cancelled at step 1, 2, ... until it finishes uncancelled,
/// checking the driver after each. Returns the number of steps it took.
async fn every_step<F, Fut>(driver: &Driver, what: &str, mut op: F) -> usize
where
    F: FnMut() -> Fut,
    Fut: Future<Output = quiver::Result<()>>,
{
    for k in 1..=MAX_STEPS {
        let done = cancel_after(k, op()).await;
        check_clean(driver, what, k).await;
        if let Some(result) = done {
            result.unwrap_or_else(|e| panic!("{what} uncancelled failed: {e}"));
            return k;
        }
    }
    panic!("{what} did not finish in {MAX_STEPS} steps");
}

#[tokio::test]
async fn cancelled_connect_and_auto_commit_run() {
    let r = rig().await;
    // The first time also cancels the connection's opening.
    let steps = every_step(&r.driver, "run", || async {
        let mut session = r.driver.session(SessionConfig::default());
        session.run("INTS 25").await?;
        Ok(())
    })
    .await;
    assert!(steps > 1, "nothing was cancelled");
    r.finish().await;
}

#[tokio::test]
async fn cancelled_connect_from_a_cold_pool() {
    // A new driver each time: the cancelled step is in connect, handshake,
    // HELLO or LOGON.
    let server = BenchServer::start().unwrap();
    let proxy = FaultProxy::start(server.addr()).await.unwrap();
    for k in 1..=MAX_STEPS {
        let driver = driver_at(
            &proxy.uri(),
            Config::builder()
                .max_connection_pool_size(1)
                .build()
                .unwrap(),
        );
        let done = cancel_after(k, driver.verify_connectivity()).await;
        check_clean(&driver, "verify_connectivity", k).await;
        driver.close().await;
        if let Some(result) = done {
            result.unwrap();
            assert!(k > 1);
            return;
        }
    }
    panic!("verify_connectivity did not finish");
}

#[tokio::test]
async fn cancelled_next_in_a_stream() {
    let r = rig().await;
    let steps = every_step(&r.driver, "next", || async {
        let mut session = r.driver.session(SessionConfig::default());
        let mut result = session.run("INTS 45").await?;
        let mut n = 0;
        while let Some(record) = result.next().await {
            record?;
            n += 1;
        }
        assert_eq!(n, 45);
        Ok(())
    })
    .await;
    assert!(steps > 5, "{steps}");
    r.finish().await;
}

#[tokio::test]
async fn cancelled_explicit_transaction_and_commit() {
    let r = rig().await;
    every_step(&r.driver, "commit", || async {
        let mut session = r.driver.session(SessionConfig::default());
        let mut tx = session
            .begin_transaction(TransactionConfig::default())
            .await?;
        tx.run("INTS 15").await?.consume().await?;
        tx.commit().await?;
        session.close().await
    })
    .await;
    r.finish().await;
}

#[tokio::test]
async fn cancelled_commit_alone() {
    let r = rig().await;
    for k in 1..=MAX_STEPS {
        let mut session = r.driver.session(SessionConfig::default());
        let mut tx = begin(&mut session).await;
        tx.run("RETURN 1").await.unwrap().consume().await.unwrap();
        let done = cancel_after(k, tx.commit()).await;
        drop(session);
        check_clean(&r.driver, "commit alone", k).await;
        if let Some(result) = done {
            result.unwrap();
            break;
        }
    }
    r.finish().await;
}

#[tokio::test]
async fn cancelled_close_of_a_session_and_a_transaction() {
    let r = rig().await;
    every_step(&r.driver, "session close", || async {
        let mut session = r.driver.session(SessionConfig::default());
        // An open result: close must consume it.
        session.run("INTS 35").await?;
        session.close().await
    })
    .await;
    every_step(&r.driver, "transaction close", || async {
        let mut session = r.driver.session(SessionConfig::default());
        let mut tx = session
            .begin_transaction(TransactionConfig::default())
            .await?;
        tx.run("INTS 35").await?;
        tx.close().await?;
        session.close().await
    })
    .await;
    r.finish().await;
}

#[tokio::test]
async fn cancelled_transaction_function() {
    let r = rig().await;
    every_step(&r.driver, "execute_write", || async {
        let mut session = r.driver.session(SessionConfig::default());
        let n = session
            .execute_write(|tx| async move { Ok(tx.run("INTS 12").await?.list().await?.len()) })
            .await?;
        assert_eq!(n, 12);
        session.close().await
    })
    .await;
    r.finish().await;
}
