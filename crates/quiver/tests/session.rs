//! Sessions, transactions and results against the scripted stub server.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use futures_util::TryStreamExt;
use quiver::{
    params, Bookmarks, Config, DefaultBookmarkManager, ErrorKind, FakeClock, FetchSize, Query,
    SessionConfig, TransactionConfig,
};
use quiver_test_support::stub::StubServer;

#[tokio::test]
async fn auto_commit_run_pipelines_run_and_pull() {
    let server = stub(
        r#"C: RUN "RETURN $x AS x" {"x": 1} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"], "t_first": 3}
   RECORD [1]
   SUCCESS {"type": "r", "bookmark": "bm1", "t_last": 4, "db": "neo4j"}
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let mut result = session
        .run(("RETURN $x AS x", params! { "x" => 1 }))
        .await
        .unwrap();
    assert_eq!(result.keys(), ["x"]);
    let record = result.next().await.unwrap().unwrap();
    assert_eq!(record.get::<i64>("x").unwrap(), 1);
    assert!(result.next().await.is_none());
    let summary = result.consume().await.unwrap();
    assert_eq!(summary.database(), Some("neo4j"));
    assert_eq!(summary.query().text(), "RETURN $x AS x");
    assert_eq!(
        summary.result_available_after(),
        Some(Duration::from_millis(3))
    );
    assert_eq!(
        session.last_bookmarks().await,
        Bookmarks::from_raw_values(["bm1"])
    );
    session.close().await.unwrap();
    let report = finish(driver, server).await;
    let conn = report.connection(0).unwrap();
    assert!(
        conn.arrived_together(&["RUN", "PULL"]),
        "{:?}",
        conn.received()
    );
}

#[tokio::test]
async fn auto_commit_carries_transaction_config_and_session_settings() {
    let server = stub(
        r#"C: RUN "RETURN 1" {} {"bookmarks": ["bm0"], "tx_timeout": 5000, "tx_metadata": {"app": "t"}, "mode": "r", "db": "movies"}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
   SUCCESS {"type": "r"}
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(
        SessionConfig::builder()
            .database("movies")
            .default_access_mode(quiver::AccessMode::Read)
            .bookmarks(Bookmarks::from_raw_values(["bm0"]))
            .build(),
    );
    let config = TransactionConfig::new()
        .with_timeout(Duration::from_secs(5))
        .with_metadata_entry("app", "t");
    let summary = session
        .run_with_config("RETURN 1", config)
        .await
        .unwrap()
        .consume()
        .await
        .unwrap();
    assert_eq!(summary.query().text(), "RETURN 1");
    // No new bookmark: the session keeps the one it had.
    assert!(session.last_bookmarks().await.contains("bm0"));
    finish(driver, server).await;
}

const TX_CREATE: &str = r#"C: BEGIN {"bookmarks": ["bm0"]}
S: SUCCESS {}
C: RUN "CREATE (n) RETURN n.x AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [7]
   SUCCESS {"type": "w"}
"#;

#[tokio::test]
async fn explicit_transaction_commits_with_bookmarks_in_begin() {
    let server = stub(&format!(
        "{TX_CREATE}C: COMMIT\nS: SUCCESS {{\"bookmark\": \"bm1\"}}\n"
    ))
    .await;
    let driver = driver(&server);
    let mut session = driver.session(
        SessionConfig::builder()
            .bookmarks(Bookmarks::from_raw_values(["bm0"]))
            .build(),
    );
    let mut tx = begin(&mut session).await;
    let mut result = tx.run("CREATE (n) RETURN n.x AS x").await.unwrap();
    assert_eq!(result.single().await.unwrap().get::<i64>("x").unwrap(), 7);
    tx.commit().await.unwrap();
    assert_eq!(
        session.last_bookmarks().await,
        Bookmarks::from_raw_values(["bm1"])
    );
    let report = finish(driver, server).await;
    // BEGIN is confirmed before the transaction is handed out; RUN and PULL
    // travel together.
    let conn = report.connection(0).unwrap();
    assert!(!conn.arrived_together(&["BEGIN", "RUN"]));
    assert!(conn.arrived_together(&["RUN", "PULL"]));
}

#[tokio::test]
async fn explicit_transaction_rolls_back() {
    let server = stub(&format!("{TX_CREATE}C: ROLLBACK\nS: SUCCESS {{}}\n")).await;
    let driver = driver(&server);
    let mut session = driver.session(
        SessionConfig::builder()
            .bookmarks(Bookmarks::from_raw_values(["bm0"]))
            .build(),
    );
    let mut tx = begin(&mut session).await;
    let mut result = tx.run("CREATE (n) RETURN n.x AS x").await.unwrap();
    tx.rollback().await.unwrap();
    // The result was not read inside its transaction.
    let err = result.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultOutOfScope);
    assert!(!result.is_open());
    assert!(session.last_bookmarks().await.contains("bm0"));
    finish(driver, server).await;
}

#[tokio::test]
async fn commit_goes_right_behind_a_pull_all() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "UNWIND [1, 2] AS x RETURN x" {} {}
   PULL {"n": -1}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm1"}
"#,
    )
    .await;
    let driver = driver_with(&server, Config::builder().fetch_size(FetchSize::All), None);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    tx.run("UNWIND [1, 2] AS x RETURN x").await.unwrap();
    tx.commit().await.unwrap();
    assert!(session.last_bookmarks().await.contains("bm1"));
    finish(driver, server).await;
}

#[tokio::test]
async fn a_second_run_buffers_the_first_result() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "A" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": -1}
S: RECORD [3]
   SUCCESS {"type": "r"}
C: RUN "B" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["y"]}
   RECORD [10]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm1"}
"#,
    )
    .await;
    let driver = fetching_driver(&server, 2);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    let mut a = tx.run("A").await.unwrap();
    let mut b = tx.run("B").await.unwrap();
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Y {
        y: i64,
    }
    let ys: Vec<Y> = b.collect_as().await.unwrap();
    assert_eq!(ys, [Y { y: 10 }]);
    let xs: Vec<i64> = a
        .list()
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("x").unwrap())
        .collect();
    assert_eq!(xs, [1, 2, 3]);
    tx.commit().await.unwrap();
    finish(driver, server).await;
}

#[tokio::test]
async fn single_is_strict() {
    let server = stub(
        r#"C: RUN "TWO" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"type": "r"}
C: RUN "NONE" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   SUCCESS {"type": "r"}
C: RUN "ONE" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let err = session
        .run("TWO")
        .await
        .unwrap()
        .single()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultNotSingle);
    let err = session
        .run("NONE")
        .await
        .unwrap()
        .single()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultNotSingle);
    let one = session.run("ONE").await.unwrap().single().await.unwrap();
    assert_eq!(one.get::<i64>("x").unwrap(), 1);
    finish(driver, server).await;
}

#[tokio::test]
async fn fetch_size_back_pressure_pulls_as_records_are_consumed() {
    let server = stub(
        r#"C: RUN "UNWIND range(1, 5) AS x RETURN x" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   RECORD [4]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [5]
   SUCCESS {"type": "r", "bookmark": "bm1"}
"#,
    )
    .await;
    let driver = fetching_driver(&server, 2);
    let mut session = driver.session(SessionConfig::default());
    let mut result = session
        .run("UNWIND range(1, 5) AS x RETURN x")
        .await
        .unwrap();
    let first = result.fetch(2).await.unwrap();
    assert_eq!(first.len(), 2);
    // Nothing more was asked for yet: the batch is used up.
    assert_eq!(result.buffered_count(), 0);
    let peeked = result
        .peek()
        .await
        .unwrap()
        .unwrap()
        .get::<i64>("x")
        .unwrap();
    assert_eq!(peeked, 3);
    assert_eq!(result.buffered_count(), 2);
    let rest: Vec<quiver::Record> = (&mut result).try_collect().await.unwrap();
    assert_eq!(rest.len(), 3);
    assert!(session.last_bookmarks().await.contains("bm1"));
    let report = finish(driver, server).await;
    let received = report.connection(0).unwrap().received();
    assert_eq!(
        received.iter().filter(|m| m.starts_with("PULL")).count(),
        3,
        "{received:?}"
    );
}

#[tokio::test]
async fn consume_discards_what_the_server_still_holds() {
    let server = stub(
        r#"C: RUN "BIG" {} {}
   PULL {"n": 1}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {"type": "r", "bookmark": "bm9"}
"#,
    )
    .await;
    let driver = fetching_driver(&server, 1);
    let mut session = driver.session(SessionConfig::default());
    let mut result = session.run("BIG").await.unwrap();
    let summary = result.consume().await.unwrap();
    assert_eq!(summary.query().text(), "BIG");
    assert!(!result.is_open());
    assert_eq!(
        result.next().await.unwrap().unwrap_err().kind(),
        ErrorKind::ResultConsumed
    );
    assert!(session.last_bookmarks().await.contains("bm9"));
    finish(driver, server).await;
}

const DEADLOCK: &str = r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: FAILURE {"code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "deadlock"}
   IGNORED
"#;

#[tokio::test]
async fn transaction_functions_retry_transient_errors_with_backoff() {
    let server = stub(&format!(
        r#"{DEADLOCK}{DEADLOCK}C: BEGIN {{}}
S: SUCCESS {{}}
C: RUN "RETURN 1 AS x" {{}} {{}}
   PULL {{"n": 1000}}
S: SUCCESS {{"fields": ["x"]}}
   RECORD [1]
   SUCCESS {{"type": "r"}}
C: COMMIT
S: SUCCESS {{"bookmark": "bm1"}}
"#
    ))
    .await;
    let clock = FakeClock::new();
    let driver = driver_with(&server, Config::builder(), Some(clock.clone()));
    let mut session = driver.session(SessionConfig::default());
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = Arc::clone(&attempts);
    let x: i64 = session
        .execute_write(move |tx| {
            a.fetch_add(1, Ordering::SeqCst);
            async move { tx.run("RETURN 1 AS x").await?.single().await?.get("x") }
        })
        .await
        .unwrap();
    assert_eq!(x, 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "{sleeps:?}");
    // 1 s then 2 s, each within ±20 % jitter.
    assert!(sleeps[0] >= Duration::from_millis(800) && sleeps[0] <= Duration::from_millis(1200));
    assert!(sleeps[1] >= Duration::from_millis(1600) && sleeps[1] <= Duration::from_millis(2400));
    assert!(session.last_bookmarks().await.contains("bm1"));
    finish(driver, server).await;
}

#[tokio::test]
async fn transaction_functions_give_up_after_the_max_retry_time() {
    let server = stub(&format!("{DEADLOCK}{DEADLOCK}")).await;
    let clock = FakeClock::new();
    let driver = driver_with(
        &server,
        Config::builder().max_transaction_retry_time(Duration::from_millis(500)),
        Some(clock.clone()),
    );
    let mut session = driver.session(SessionConfig::default());
    let err = session
        .execute_write(|tx| async move { tx.run("RETURN 1 AS x").await?.consume().await })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(
        err.code(),
        Some("Neo.TransientError.Transaction.DeadlockDetected")
    );
    assert_eq!(clock.sleeps().len(), 1);
    finish(driver, server).await;
}

#[tokio::test]
async fn connection_lost_during_commit_is_commit_unknown_and_not_retried() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE ()" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: COMMIT
S: <EXIT>
"#,
    )
    .await;
    let clock = FakeClock::new();
    let driver = driver_with(&server, Config::builder(), Some(clock.clone()));
    let mut session = driver.session(SessionConfig::default());
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = Arc::clone(&attempts);
    let err = session
        .execute_write(move |tx| {
            a.fetch_add(1, Ordering::SeqCst);
            async move {
                tx.run("CREATE ()").await?.consume().await?;
                Ok(())
            }
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CommitUnknown, "{err}");
    assert!(!err.is_retryable());
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert!(clock.sleeps().is_empty());
    finish(driver, server).await;
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = stub(
        r#"C: BEGIN {"mode": "r"}
S: SUCCESS {}
C: RUN "RETRUN 1" {} {}
   PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input"}
   IGNORED
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let err = session
        .execute_read(|tx| async move { tx.run("RETRUN 1").await?.consume().await })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Client);
    assert_eq!(err.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    finish(driver, server).await;
}

#[tokio::test]
async fn sessions_chain_through_a_bookmark_manager() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE ()" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm1"}
C: BEGIN {"bookmarks": ["bm1"], "mode": "r"}
S: SUCCESS {}
C: RUN "MATCH (n) RETURN count(n) AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm2"}
"#,
    )
    .await;
    let driver = driver(&server);
    let manager = Arc::new(DefaultBookmarkManager::new());
    let config = SessionConfig::builder()
        .bookmark_manager(manager.clone())
        .build();
    let mut writer = driver.session(config.clone());
    writer
        .execute_write(|tx| async move {
            tx.run("CREATE ()").await?.consume().await?;
            Ok(())
        })
        .await
        .unwrap();
    writer.close().await.unwrap();
    assert!(manager.current().contains("bm1"));
    let mut reader = driver.session(config);
    let n: i64 = reader
        .execute_read(|tx| async move {
            tx.run("MATCH (n) RETURN count(n) AS n")
                .await?
                .single()
                .await?
                .get("n")
        })
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(manager.current(), Bookmarks::from_raw_values(["bm2"]));
    finish(driver, server).await;
}

#[tokio::test]
async fn a_dropped_session_with_an_open_transaction_is_reset() {
    let server = StubServer::start(raw_script(
        r#"!: BOLT 5.4
!: AUTO GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: SUCCESS {}
C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE ()" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": []}
C: RESET
S: SUCCESS {"type": "w"}
   SUCCESS {}
"#,
    ))
    .await
    .unwrap();
    let driver = driver(&server);
    {
        let mut session = driver.session(SessionConfig::default());
        let mut tx = begin(&mut session).await;
        let _result = tx.run("CREATE ()").await.unwrap();
        // Neither committed nor closed.
    }
    until_idle(&driver).await;
    let report = finish(driver, server).await;
    assert!(report.connection(0).unwrap().received().contains(&"RESET"));
}

#[tokio::test]
async fn execute_query_returns_an_eager_result_and_chains_bookmarks() {
    let server = stub(
        r#"C: BEGIN {"db": "neo4j"}
S: SUCCESS {}
C: RUN "RETURN $x AS x" {"x": 1} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm1"}
C: BEGIN {"bookmarks": ["bm1"], "mode": "r", "db": "neo4j"}
S: SUCCESS {}
C: RUN "RETURN 2 AS y" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["y"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm2"}
"#,
    )
    .await;
    let driver = driver(&server);
    let result = driver
        .execute_query(Query::from("RETURN $x AS x"))
        .param("x", 1)
        .database("neo4j")
        .await
        .unwrap();
    assert_eq!(&*result.keys, ["x"]);
    assert_eq!(result.records[0].get::<i64>("x").unwrap(), 1);
    let y: i64 = driver
        .execute_query("RETURN 2 AS y")
        .routing(quiver::RoutingControl::Readers)
        .database("neo4j")
        .run_with(|mut r| async move { r.single().await?.get("y") })
        .await
        .unwrap();
    assert_eq!(y, 2);
    assert!(driver
        .query_bookmark_manager()
        .get_bookmarks()
        .await
        .unwrap()
        .contains("bm2"));
    finish(driver, server).await;
}

#[test]
fn handles_and_futures_can_cross_threads() {
    fn send<T: Send>(_: &T) {}
    fn shared<T: Send + Sync + Clone>() {}
    shared::<quiver::Driver>();
    let driver = quiver::Driver::new("bolt://127.0.0.1:9", auth()).unwrap();
    let mut session = driver.session(SessionConfig::default());
    send(&session);
    send(&session.run("RETURN 1"));
    send(&session.begin_transaction(TransactionConfig::default()));
    send(&session.execute_write(|tx| async move { tx.run("RETURN 1").await?.consume().await }));
    send(&driver.execute_query("RETURN 1").run());
    fn result_is_send(r: quiver::QueryResult) -> impl Send {
        r
    }
    let _ = result_is_send;
}

#[tokio::test]
async fn telemetry_goes_ahead_of_the_work_when_the_server_asks() {
    let server = StubServer::start(raw_script(
        r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"telemetry.enabled": true}}
C: LOGON *
S: SUCCESS {}
C: TELEMETRY 0
   BEGIN {}
S: SUCCESS {}
   SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
C: TELEMETRY 2
   RUN "RETURN 2 AS x" {} {"bookmarks": ["b1"]}
   PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["x"]}
   RECORD [2]
   SUCCESS {"type": "r"}
"#,
    ))
    .await
    .unwrap();
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    write_returns_one(&mut session).await;
    let y: i64 = single(&mut session, "RETURN 2 AS x", "x").await;
    assert_eq!(y, 2);
    let report = finish(driver, server).await;
    assert!(report
        .connection(0)
        .unwrap()
        .arrived_together(&["TELEMETRY", "BEGIN"]));
}

/// Two connections for a retried unit of work whose api is `api` (0: a
/// transaction function, 3: `execute_query`): the first dies before it
/// answers the TELEMETRY; the second answers it, then fails BEGIN with a
/// transient error; the third attempt (same connection) must not send
/// TELEMETRY again. A transaction function waits for BEGIN's reply before it
/// runs; `execute_query` sends BEGIN, RUN and PULL together.
fn telemetry_retry_scripts(api: u8) -> Vec<quiver_test_support::stub::Script> {
    let hello = r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"telemetry.enabled": true}}
C: LOGON *
S: SUCCESS {}
"#;
    let run = "RUN \"RETURN 1 AS x\" {} {}\n   PULL {\"n\": 1000}";
    let (dies, answers) = if api == 3 {
        (
            format!("{hello}C: TELEMETRY {api}\n   BEGIN {{}}\n   {run}\nS: <EXIT>\n"),
            format!(
                "{hello}C: TELEMETRY {api}\n   BEGIN {{}}\n   {run}\n\
                 S: SUCCESS {{}}\n   FAILURE {{\"code\": \"Neo.TransientError.General.PleaseRetry\", \"message\": \"again\"}}\n   IGNORED\n   IGNORED\n\
                 C: BEGIN {{}}\n   {run}\n\
                 S: SUCCESS {{}}\n   SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\n\
                 C: COMMIT\nS: SUCCESS {{\"bookmark\": \"b1\"}}\n"
            ),
        )
    } else {
        (
            format!("{hello}C: TELEMETRY {api}\n   BEGIN {{}}\nS: <EXIT>\n"),
            format!(
                "{hello}C: TELEMETRY {api}\n   BEGIN {{}}\n\
                 S: SUCCESS {{}}\n   FAILURE {{\"code\": \"Neo.TransientError.General.PleaseRetry\", \"message\": \"again\"}}\n\
                 C: BEGIN {{}}\nS: SUCCESS {{}}\n\
                 C: {run}\n\
                 S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\n\
                 C: COMMIT\nS: SUCCESS {{\"bookmark\": \"b1\"}}\n"
            ),
        )
    };
    vec![raw_script(&dies), raw_script(&answers)]
}

#[tokio::test]
async fn a_retried_transaction_function_resends_telemetry_that_was_never_answered() {
    let server = StubServer::start_many(telemetry_retry_scripts(0))
        .await
        .unwrap();
    let clock = FakeClock::new();
    let driver = driver_with(&server, Config::builder(), Some(clock.clone()));
    let mut session = driver.session(SessionConfig::default());
    write_returns_one(&mut session).await;
    assert_eq!(clock.sleeps().len(), 2, "three attempts");
    let report = finish(driver, server).await;
    let telemetry = |i| {
        report
            .connection(i)
            .unwrap()
            .received()
            .iter()
            .filter(|m| m.starts_with("TELEMETRY"))
            .count()
    };
    assert_eq!((telemetry(0), telemetry(1)), (1, 1));
}

#[tokio::test]
async fn a_retried_execute_query_resends_telemetry_that_was_never_answered() {
    let server = StubServer::start_many(telemetry_retry_scripts(3))
        .await
        .unwrap();
    let clock = FakeClock::new();
    let driver = driver_with(&server, Config::builder(), Some(clock.clone()));
    let result = driver.execute_query("RETURN 1 AS x").await.unwrap();
    assert_eq!(result.records.len(), 1);
    assert_eq!(clock.sleeps().len(), 2, "three attempts");
    finish(driver, server).await;
}

/// A transaction whose connection is lost is no longer open; closing it
/// frees the session for the next one.
#[tokio::test]
async fn a_transaction_that_lost_its_connection_is_not_open() {
    let server = StubServer::start_many(vec![
        script(
            r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: <EXIT>
"#,
        ),
        script(
            r#"C: BEGIN {}
S: SUCCESS {}
C: ROLLBACK
S: SUCCESS {}
"#,
        ),
    ])
    .await
    .unwrap();
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    assert!(tx.is_open());
    let err = tx.run("RETURN 1 AS x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable, "{err}");
    assert!(!tx.is_open());
    tx.close().await.unwrap();
    let tx = begin(&mut session).await;
    assert!(tx.is_open());
    tx.rollback().await.unwrap();
    finish(driver, server).await;
}

#[tokio::test]
async fn a_cancelled_read_ends_the_transaction_cleanly() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "SLOW" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   <SLEEP 0.5>
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    let mut result = tx.run("SLOW").await.unwrap();
    let timed_out = tokio::time::timeout(Duration::from_millis(50), result.next()).await;
    assert!(timed_out.is_err());
    // No hang, no reply taken for another request's: a clear error.
    let err = tx.run("NEXT").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed, "{err}");
    drop(tx);
    until_idle(&driver).await;
    finish(driver, server).await;
}

#[tokio::test]
async fn a_dropped_session_and_unread_result_give_the_connection_back_reset() {
    let server = StubServer::start(raw_script(
        r#"!: BOLT 5.4
!: AUTO GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: SUCCESS {}
C: RUN "UNWIND range(1, 10) AS x RETURN x" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: RESET
S: SUCCESS {}
"#,
    ))
    .await
    .unwrap();
    let driver = fetching_driver(&server, 2);
    {
        let mut session = driver.session(SessionConfig::default());
        let mut result = session
            .run("UNWIND range(1, 10) AS x RETURN x")
            .await
            .unwrap();
        assert!(result.next().await.unwrap().is_ok());
    }
    until_idle(&driver).await;
    let m = &driver.metrics()[0].1;
    assert_eq!((m.in_use, m.idle), (0, 1));
    finish(driver, server).await;
}

#[tokio::test]
async fn starting_a_transaction_consumes_the_open_auto_commit_result() {
    let server = stub(
        r#"C: RUN "UNWIND range(1, 10) AS x RETURN x" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {"type": "r", "bookmark": "bm1"}
C: BEGIN {"bookmarks": ["bm1"]}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["1"]}
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
"#,
    )
    .await;
    let driver = fetching_driver(&server, 2);
    let mut session = driver.session(SessionConfig::default());
    let mut result = session
        .run("UNWIND range(1, 10) AS x RETURN x")
        .await
        .unwrap();
    let mut tx = begin(&mut session).await;
    tx.run("RETURN 1").await.unwrap();
    tx.rollback().await.unwrap();
    let err = result.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultConsumed, "{err}");
    // The summary is still there.
    assert_eq!(
        result.consume().await.unwrap().query().text(),
        "UNWIND range(1, 10) AS x RETURN x"
    );
    finish(driver, server).await;
}
