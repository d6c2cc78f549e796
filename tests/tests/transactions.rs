//! Auto-commit, explicit transactions (commit, rollback, drop), transaction
//! functions, and bookmarks chaining sessions; async and blocking.

use quiver::{
    bookmark_manager, params, AccessMode, Bookmarks, Driver, Error, ErrorKind, SessionConfig,
    TransactionConfig,
};
use quiver_tests::{
    consume, consume_blocking, execute, execute_first, server, single, unique, Gap,
};

async fn count(driver: &Driver, label: &str) -> i64 {
    execute_first(
        driver,
        format!("MATCH (n:{label}) RETURN count(n) AS c"),
        "c",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_commit_writes_are_visible_at_once() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("AutoCommit");
    let mut session = driver.session(SessionConfig::default());
    let summary = consume(
        &mut session,
        (format!("CREATE (:{label} {{i: $i}})"), params! { "i" => 1 }),
        "run",
    )
    .await;
    assert_eq!(summary.counters().nodes_created(), 1);
    let bookmarks = session.last_bookmarks().await;
    if server.lacks(
        Gap::NoAutoCommitBookmarks,
        "a bookmark after an auto-commit write",
    ) {
        assert!(bookmarks.is_empty(), "the gap closed: update Gap");
    } else {
        assert!(
            !bookmarks.is_empty(),
            "an auto-commit write leaves a bookmark"
        );
    }
    session.close().await.expect("close");
    let mut reader = driver.session(SessionConfig::builder().bookmarks(bookmarks).build());
    let n: i64 = single(
        &mut reader,
        format!("MATCH (n:{label}) RETURN count(n) AS c"),
        "c",
    )
    .await;
    assert_eq!(n, 1);
    reader.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_commit_and_rollback() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let kept = unique("Committed");
    let gone = unique("RolledBack");
    let mut session = driver.session(SessionConfig::default());

    let mut tx = session
        .begin_transaction(TransactionConfig::new().with_metadata_entry("app", "quiver-tests"))
        .await
        .expect("begin");
    tx.run(format!("CREATE (:{kept} {{i: 1}})"))
        .await
        .expect("first write");
    let mut result = tx
        .run(format!("CREATE (:{kept} {{i: 2}}) RETURN 2 AS i"))
        .await
        .expect("second write");
    assert_eq!(
        result
            .single()
            .await
            .expect("single")
            .get::<i64>("i")
            .expect("i"),
        2
    );
    // Inside the transaction, its own writes are visible.
    let inside: i64 = tx
        .run(format!("MATCH (n:{kept}) RETURN count(n) AS c"))
        .await
        .expect("run")
        .single()
        .await
        .expect("single")
        .get("c")
        .expect("c");
    assert_eq!(inside, 2);
    // Outside, not yet.
    assert_eq!(
        count(&driver, &kept).await,
        0,
        "uncommitted writes are isolated"
    );
    tx.commit().await.expect("commit");
    assert_eq!(count(&driver, &kept).await, 2);

    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .await
        .expect("begin");
    tx.run(format!("CREATE (:{gone})")).await.expect("write");
    tx.run(format!("MATCH (n:{kept}) DETACH DELETE n"))
        .await
        .expect("delete");
    tx.rollback().await.expect("rollback");
    assert_eq!(
        count(&driver, &gone).await,
        0,
        "a rolled-back write is gone"
    );
    assert_eq!(
        count(&driver, &kept).await,
        2,
        "a rolled-back delete is undone"
    );

    // A transaction dropped without commit rolls back too, and the session
    // goes on.
    {
        let mut tx = session
            .begin_transaction(TransactionConfig::default())
            .await
            .expect("begin");
        tx.run(format!("CREATE (:{gone})")).await.expect("write");
    }
    assert_eq!(
        count(&driver, &gone).await,
        0,
        "a dropped transaction rolls back"
    );
    let one: i64 = single(&mut session, "RETURN 1 AS one", "one").await;
    assert_eq!(one, 1);

    consume(
        &mut session,
        format!("MATCH (n:{kept}) DELETE n"),
        "clean up",
    )
    .await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_functions_commit_or_roll_back() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("TxFunction");
    let mut session = driver.session(SessionConfig::default());

    let created: i64 = session
        .execute_write(|tx| {
            let label = label.clone();
            async move {
                tx.run(format!("CREATE (:{label} {{i: 1}}), (:{label} {{i: 2}})"))
                    .await?;
                tx.run(format!("MATCH (n:{label}) RETURN count(n) AS c"))
                    .await?
                    .single()
                    .await?
                    .get("c")
            }
        })
        .await
        .expect("write function");
    assert_eq!(created, 2);

    let sum: i64 = session
        .execute_read(|tx| {
            let label = label.clone();
            async move {
                tx.run(format!("MATCH (n:{label}) RETURN sum(n.i) AS s"))
                    .await?
                    .single()
                    .await?
                    .get("s")
            }
        })
        .await
        .expect("read function");
    assert_eq!(sum, 3);

    // An application error rolls the work back, is not retried, and comes
    // back as it was.
    let mut attempts = 0;
    let err = session
        .execute_write(|tx| {
            attempts += 1;
            let label = label.clone();
            async move {
                tx.run(format!("CREATE (:{label} {{i: 100}})")).await?;
                Err::<(), _>(Error::user("the business rule says no"))
            }
        })
        .await
        .expect_err("the function failed");
    assert_eq!(err.kind(), ErrorKind::User);
    assert_eq!(attempts, 1, "user errors are not retried");
    assert_eq!(
        count(&driver, &label).await,
        2,
        "the failed function's write is gone"
    );

    // With metadata and a timeout.
    let n: i64 = session
        .execute_with_config(
            AccessMode::Read,
            TransactionConfig::new()
                .with_metadata_entry("purpose", "test")
                .with_timeout(std::time::Duration::from_secs(10)),
            |tx| {
                let label = label.clone();
                async move {
                    tx.run(format!("MATCH (n:{label}) RETURN count(n) AS c"))
                        .await?
                        .single()
                        .await?
                        .get("c")
                }
            },
        )
        .await
        .expect("configured function");
    assert_eq!(n, 2);

    consume(
        &mut session,
        format!("MATCH (n:{label}) DELETE n"),
        "clean up",
    )
    .await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookmarks_chain_two_sessions() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Bookmarked");

    let mut writer = driver.session(SessionConfig::default());
    writer
        .execute_write(|tx| {
            let label = label.clone();
            async move {
                tx.run(format!("CREATE (:{label} {{v: 'first'}})"))
                    .await?
                    .consume()
                    .await?;
                Ok(())
            }
        })
        .await
        .expect("write");
    let first = writer.last_bookmarks().await;
    assert!(!first.is_empty(), "a committed write leaves a bookmark");
    writer
        .execute_write(|tx| {
            let label = label.clone();
            async move {
                tx.run(format!("CREATE (:{label} {{v: 'second'}})"))
                    .await?
                    .consume()
                    .await?;
                Ok(())
            }
        })
        .await
        .expect("second write");
    let second = writer.last_bookmarks().await;
    assert!(!second.is_empty());
    assert_ne!(first, second, "each commit moves the bookmark on");
    writer.close().await.expect("close");

    // A second session starting from the writer's bookmarks sees both writes.
    let mut reader = driver.session(
        SessionConfig::builder()
            .bookmarks(second.clone())
            .default_access_mode(AccessMode::Read)
            .build(),
    );
    let seen: Vec<String> = reader
        .execute_read(|tx| {
            let label = label.clone();
            async move {
                tx.run(format!("MATCH (n:{label}) RETURN n.v AS v ORDER BY v"))
                    .await?
                    .collect_as::<(String,)>()
                    .await
                    .map(|rows| rows.into_iter().map(|(v,)| v).collect())
            }
        })
        .await
        .expect("read");
    assert_eq!(seen, ["first", "second"]);
    let after_read = reader.last_bookmarks().await;
    assert!(
        !after_read.is_empty(),
        "a session keeps its bookmarks after a read"
    );
    reader.close().await.expect("close");

    // Sessions sharing a bookmark manager chain without passing bookmarks.
    let manager = bookmark_manager(Bookmarks::new(), None, None);
    let mut a = driver.session(
        SessionConfig::builder()
            .bookmark_manager(manager.clone())
            .build(),
    );
    a.execute_write(|tx| {
        let label = label.clone();
        async move {
            tx.run(format!("CREATE (:{label} {{v: 'third'}})"))
                .await?
                .consume()
                .await?;
            Ok(())
        }
    })
    .await
    .expect("write through the manager");
    a.close().await.expect("close");
    let mut b = driver.session(SessionConfig::builder().bookmark_manager(manager).build());
    let n: i64 = single(
        &mut b,
        format!("MATCH (n:{label}) RETURN count(n) AS c"),
        "c",
    )
    .await;
    assert_eq!(n, 3);
    b.close().await.expect("close");

    execute(&driver, format!("MATCH (n:{label}) DELETE n"), "clean up").await;
    driver.close().await;
}

#[test]
fn blocking_transactions() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    let label = unique("BlockingTx");
    let count = |driver: &quiver::blocking::Driver| -> i64 {
        driver
            .execute_query(format!("MATCH (n:{label}) RETURN count(n) AS c"))
            .run()
            .expect("count")
            .records[0]
            .get("c")
            .expect("c")
    };
    let mut session = driver.session(SessionConfig::default());

    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .expect("begin");
    tx.run(format!("CREATE (:{label})")).expect("write");
    tx.commit().expect("commit");
    assert_eq!(count(&driver), 1);

    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .expect("begin");
    tx.run(format!("CREATE (:{label})")).expect("write");
    tx.rollback().expect("rollback");
    assert_eq!(count(&driver), 1, "rolled back");

    let created: i64 = session
        .execute_write(|tx| {
            tx.run(format!("CREATE (:{label}) RETURN 1 AS one"))?
                .single()?
                .get("one")
        })
        .expect("write function");
    assert_eq!(created, 1);
    let bookmarks = session.last_bookmarks();
    assert!(!bookmarks.is_empty());
    session.close().expect("close");

    let mut reader = driver.session(SessionConfig::builder().bookmarks(bookmarks).build());
    let n: i64 = reader
        .execute_read(|tx| {
            tx.run(format!("MATCH (n:{label}) RETURN count(n) AS c"))?
                .single()?
                .get("c")
        })
        .expect("read function");
    assert_eq!(n, 2);
    let rows: Vec<i64> = reader
        .run("UNWIND [3, 1, 2] AS x RETURN x ORDER BY x")
        .expect("run")
        .map(|r| r.and_then(|r| r.get("x")))
        .collect::<quiver::Result<_>>()
        .expect("iterate");
    assert_eq!(rows, [1, 2, 3]);
    consume_blocking(
        &mut reader,
        format!("MATCH (n:{label}) DELETE n"),
        "clean up",
    );
    reader.close().expect("close");
    driver.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_timeout_and_metadata() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());

    // Metadata travels with BEGIN and the server can tell it back.
    let config = TransactionConfig::new()
        .with_metadata_entry("app", "quiver-tests")
        .with_metadata_entry("n", 3);
    if !server.lacks(Gap::NoTransactionMetadataProcedure, "tx.getMetaData() echo") {
        let mut tx = session
            .begin_transaction(config.clone())
            .await
            .expect("begin");
        let meta: std::collections::BTreeMap<String, quiver::Value> = tx
            .run("CALL tx.getMetaData() YIELD metadata RETURN metadata")
            .await
            .expect("run")
            .single()
            .await
            .expect("single")
            .get("metadata")
            .expect("metadata");
        assert_eq!(meta.get("app"), Some(&quiver::Value::from("quiver-tests")));
        assert_eq!(meta.get("n"), Some(&quiver::Value::from(3)));
        tx.commit().await.expect("commit");
    } else {
        // The metadata is still sent and accepted.
        let mut tx = session
            .begin_transaction(config)
            .await
            .expect("begin with metadata");
        tx.run("RETURN 1")
            .await
            .expect("run")
            .consume()
            .await
            .expect("consume");
        tx.commit().await.expect("commit");
    }

    // A query running past its transaction's timeout is stopped.
    let slow = "UNWIND range(1, 20000000) AS i WITH i WHERE i % 10000000 = 0 RETURN count(i) AS c";
    let timed = TransactionConfig::new().with_timeout(std::time::Duration::from_millis(1));
    if !server.lacks(
        Gap::NoTransactionTimeout,
        "a 1 ms transaction timeout stops a slow query",
    ) {
        let outcome = match session.run_with_config(slow, timed).await {
            Err(e) => Err(e),
            Ok(mut r) => r.consume().await.map(|_| ()),
        };
        let err = outcome.expect_err("the transaction timed out");
        assert!(
            err.code()
                .is_some_and(|c| c.contains("TransactionTimedOut")),
            "{err}"
        );
        assert!(!err.is_retryable());
    } else {
        // The timeout is sent and accepted: a quick query succeeds.
        session
            .run_with_config("RETURN 1", timed)
            .await
            .expect("run with a timeout")
            .consume()
            .await
            .expect("consume");
    }
    session.close().await.expect("close");
    driver.close().await;
}
