//! Large results stream in batches of the fetch size; partial reads,
//! peeking, discarding and interleaved results.

use std::time::Instant;

use quiver::{Config, ErrorKind, FetchSize, SessionConfig, TransactionConfig};
use quiver_tests::{server, single, unique};

const ROWS: i64 = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100k_row_result_streams_with_a_small_fetch_size() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let fetch = 500;
    let mut session = driver.session(
        SessionConfig::builder()
            .fetch_size(FetchSize::Records(fetch))
            .build(),
    );
    let started = Instant::now();
    let mut result = session
        .run(format!(
            "UNWIND range(1, {ROWS}) AS i RETURN i, 'row ' + toString(i) AS s"
        ))
        .await
        .expect("run");
    assert_eq!(result.keys(), ["i", "s"]);
    let first = result.next().await.expect("a record").expect("ok");
    assert_eq!(first.get::<i64>("i").expect("i"), 1);
    assert!(
        result.buffered_count() < fetch as usize,
        "records come in batches of the fetch size, {} buffered",
        result.buffered_count()
    );
    let mut expected = 2;
    let mut sum = 1;
    while let Some(record) = result.next().await {
        let record = record.expect("record");
        let (i, s): (i64, &str) = (record.get("i").expect("i"), record.get("s").expect("s"));
        assert_eq!(i, expected, "in order");
        assert_eq!(s, format!("row {i}"));
        assert!(result.buffered_count() < fetch as usize);
        expected += 1;
        sum += i;
    }
    assert_eq!(expected - 1, ROWS);
    assert_eq!(sum, ROWS * (ROWS + 1) / 2);
    let summary = result.consume().await.expect("summary");
    assert!(!summary.counters().contains_updates());
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 60, "100k rows took {elapsed:?}");
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_fetch_size_and_the_stream_trait() {
    let Some(server) = server() else { return };
    let config = Config::builder()
        .fetch_size(FetchSize::Records(100))
        .build()
        .expect("config");
    let driver = server.driver_with(config);
    let mut session = driver.session(SessionConfig::default());
    let result = session
        .run("UNWIND range(1, 2500) AS i RETURN i")
        .await
        .expect("run");
    // QueryResult is a futures Stream.
    use futures_util::StreamExt;
    let values: Vec<i64> = result
        .map(|r| r.and_then(|r| r.get::<i64>("i")))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<quiver::Result<_>>()
        .expect("stream");
    assert_eq!(values.len(), 2500);
    assert_eq!(values.last(), Some(&2500));

    // Everything at once.
    let mut all = driver.session(SessionConfig::builder().fetch_size(FetchSize::All).build());
    let n = all
        .run("UNWIND range(1, 3000) AS i RETURN i")
        .await
        .expect("run")
        .list()
        .await
        .expect("list")
        .len();
    assert_eq!(n, 3000);
    all.close().await.expect("close");
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_reads_peek_fetch_and_discard() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(
        SessionConfig::builder()
            .fetch_size(FetchSize::Records(10))
            .build(),
    );
    let mut result = session
        .run("UNWIND range(1, 50000) AS i RETURN i")
        .await
        .expect("run");
    let peeked: i64 = result
        .peek()
        .await
        .expect("peek")
        .expect("a record")
        .get("i")
        .expect("i");
    assert_eq!(peeked, 1);
    let batch = result.fetch(25).await.expect("fetch");
    assert_eq!(batch.len(), 25);
    assert_eq!(
        batch[0].get::<i64>("i").expect("i"),
        1,
        "peek does not consume"
    );
    assert_eq!(batch[24].get::<i64>("i").expect("i"), 25);
    // Consuming the rest discards it on the server instead of pulling it.
    let started = Instant::now();
    let summary = result.consume().await.expect("consume");
    assert!(started.elapsed().as_secs() < 10);
    assert!(!summary.counters().contains_updates());
    assert!(!result.is_open());
    assert!(result.next().await.is_none() || !result.is_open());

    // The session goes on; a new auto-commit query after an unread one.
    let _unread = session
        .run("UNWIND range(1, 1000) AS i RETURN i")
        .await
        .expect("run");
    let n: i64 = single(&mut session, "RETURN 7 AS n", "n").await;
    assert_eq!(n, 7);
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interleaved_results_in_one_transaction() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(
        SessionConfig::builder()
            .fetch_size(FetchSize::Records(7))
            .build(),
    );
    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .await
        .expect("begin");
    let mut a = tx
        .run("UNWIND range(1, 100) AS i RETURN i")
        .await
        .expect("a");
    let first_a = a.next().await.expect("a record").expect("ok");
    // A second query buffers what is left of the first.
    let mut b = tx
        .run("UNWIND range(101, 200) AS i RETURN i")
        .await
        .expect("b");
    let bs: Vec<i64> = b
        .collect_as::<(i64,)>()
        .await
        .expect("b rows")
        .into_iter()
        .map(|(i,)| i)
        .collect();
    let rest_a: Vec<i64> = a
        .collect_as::<(i64,)>()
        .await
        .expect("a rows")
        .into_iter()
        .map(|(i,)| i)
        .collect();
    assert_eq!(first_a.get::<i64>("i").expect("i"), 1);
    assert_eq!(rest_a, (2..=100).collect::<Vec<_>>());
    assert_eq!(bs, (101..=200).collect::<Vec<_>>());
    tx.commit().await.expect("commit");
    session.close().await.expect("close");
    driver.close().await;
}

async fn read_all(result: &mut quiver::QueryResult) -> quiver::Result<()> {
    while let Some(r) = result.next().await {
        r?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_cancelled_midway_leaves_the_driver_usable() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Cancelled");
    let mut session = driver.session(
        SessionConfig::builder()
            .fetch_size(FetchSize::Records(10))
            .build(),
    );
    let endless = "UNWIND range(1, 5000000) AS i RETURN i";
    // Auto-commit: the next query runs (on a fresh connection).
    let cancelled = tokio::time::timeout(std::time::Duration::from_millis(150), async {
        let mut result = session.run(endless).await?;
        read_all(&mut result).await
    })
    .await;
    assert!(
        cancelled.is_err(),
        "5M rows in 10-row batches outlast 150 ms"
    );
    let n: i64 = single(&mut session, "RETURN 1 AS n", "n").await;
    assert_eq!(n, 1);

    // In a transaction: it can't go on and commits nothing, the session can.
    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .await
        .expect("begin");
    tx.run(format!("CREATE (:{label})"))
        .await
        .expect("write")
        .consume()
        .await
        .expect("consume");
    let cancelled = tokio::time::timeout(std::time::Duration::from_millis(150), async {
        let mut result = tx.run(endless).await?;
        read_all(&mut result).await
    })
    .await;
    assert!(cancelled.is_err());
    let err = tx
        .commit()
        .await
        .expect_err("a cancelled transaction can't commit");
    assert_eq!(err.kind(), ErrorKind::Closed, "{err}");
    let count: i64 = single(
        &mut session,
        format!("MATCH (n:{label}) RETURN count(n) AS c"),
        "c",
    )
    .await;
    assert_eq!(
        count, 0,
        "the cancelled transaction's write was not committed"
    );
    session.close().await.expect("close");
    for (address, metrics) in driver.metrics() {
        assert_eq!(metrics.in_use, 0, "{address}: {metrics:?}");
    }
    driver.close().await;
}

#[test]
fn blocking_100k_rows() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    let mut session = driver.session(
        SessionConfig::builder()
            .fetch_size(FetchSize::Records(1000))
            .build(),
    );
    let mut count = 0i64;
    let mut last = 0i64;
    for record in session
        .run(format!("UNWIND range(1, {ROWS}) AS i RETURN i"))
        .expect("run")
    {
        last = record.and_then(|r| r.get("i")).expect("record");
        count += 1;
    }
    assert_eq!((count, last), (ROWS, ROWS));
    session.close().expect("close");
    driver.close();
}
