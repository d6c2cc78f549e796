//! Large results stream: records reach the caller as they are read, whatever
//! the fetch size, and nothing is lost on the way. Served by the bench
//! server (`quiver_test_support::bench_server`), which answers `INTS n` with
//! rows 0..n.

mod common;

use common::bench_driver;
use quiver::{Config, FetchSize, SessionConfig};
use quiver_test_support::bench_server::BenchServer;

const ROWS: i64 = 200_000;

async fn read_all(fetch: FetchSize) -> (i64, i64, usize) {
    let server = BenchServer::start().expect("bench server");
    let config = Config::builder().fetch_size(fetch).build().unwrap();
    let driver = bench_driver(&server, config);
    let mut session = driver.session(SessionConfig::default());
    let mut result = session.run(format!("INTS {ROWS}")).await.unwrap();
    let first = result.next().await.unwrap().unwrap();
    let buffered_at_first = result.buffered_count();
    let (mut count, mut sum) = (1i64, first.get_at::<i64>(0).unwrap());
    let mut expected = 1i64;
    while let Some(record) = result.next().await {
        let i = record.unwrap().get_at::<i64>(0).unwrap();
        assert_eq!(i, expected, "rows come in order, none lost");
        expected += 1;
        count += 1;
        sum += i;
    }
    let summary = result.consume().await.unwrap();
    assert_eq!(summary.server().protocol_version().0, 5);
    driver.close().await;
    (count, sum, buffered_at_first)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_all_streams_instead_of_buffering_the_whole_result() {
    let (count, sum, buffered) = read_all(FetchSize::All).await;
    assert_eq!(count, ROWS);
    assert_eq!(sum, ROWS * (ROWS - 1) / 2);
    // 200,000 rows are ~400 KB on the wire: more than one read. The first
    // record is handed out after the first read(s), not after the last.
    assert!(
        (buffered as i64) < ROWS / 2,
        "{buffered} records were buffered before the first was handed out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_of_the_fetch_size_arrive_whole_and_in_order() {
    let (count, sum, buffered) = read_all(FetchSize::Records(5_000)).await;
    assert_eq!(count, ROWS);
    assert_eq!(sum, ROWS * (ROWS - 1) / 2);
    assert!((buffered as i64) < 5_000, "{buffered}");
}
