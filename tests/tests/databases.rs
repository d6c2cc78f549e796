//! Several databases on one server (`neo4j` and `otherdb` on the embedded
//! server; on Neo4j Enterprise `otherdb` must exist, see below).

use quiver::{Driver, RoutingControl, SessionConfig};
use quiver_tests::{consume_blocking, server, single, unique, Gap, Server, ServerKind};

/// The second database: `QUIVER_OTHER_DATABASE`, else `otherdb`, which the
/// embedded server has and which is created on a Neo4j server that lacks it.
/// `None` (said on stderr) where there can be only one database (Neo4j
/// Community).
async fn other_database(server: &Server) -> Option<String> {
    if let Ok(name) = std::env::var("QUIVER_OTHER_DATABASE") {
        return Some(name);
    }
    let name = "otherdb".to_owned();
    if server.kind == ServerKind::ArcadeDb {
        return Some(name);
    }
    let driver = server.driver();
    let created = driver
        .execute_query(format!("CREATE DATABASE {name} IF NOT EXISTS WAIT"))
        .database("system")
        .run()
        .await;
    driver.close().await;
    match created {
        Ok(_) => Some(name),
        Err(e) => {
            server.skipped(
                "a single database",
                &format!(
                    "a second database ({name} cannot be created: {e}; \
                     set QUIVER_OTHER_DATABASE to one that exists)"
                ),
            );
            None
        }
    }
}

async fn count_in(driver: &Driver, database: &str, label: &str) -> i64 {
    driver
        .execute_query(format!("MATCH (n:{label}) RETURN count(n) AS c"))
        .database(database)
        .routing(RoutingControl::Readers)
        .run()
        .await
        .unwrap_or_else(|e| panic!("count in {database}: {e}"))
        .records[0]
        .get("c")
        .expect("c")
}

async fn create_in(driver: &Driver, database: &str, label: &str) {
    let mut session = driver.session(SessionConfig::builder().database(database).build());
    session
        .execute_write(|tx| {
            let label = label.to_owned();
            async move {
                tx.run(format!("CREATE (:{label})"))
                    .await?
                    .consume()
                    .await?;
                Ok(())
            }
        })
        .await
        .unwrap_or_else(|e| panic!("write in {database}: {e}"));
    session.close().await.expect("close");
}

async fn clean(server: &Server, database: &str, label: &str) {
    let driver = server.driver();
    driver
        .execute_query(format!("MATCH (n:{label}) DELETE n"))
        .database(database)
        .run()
        .await
        .unwrap_or_else(|e| panic!("clean up {database}: {e}"));
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn databases_are_separate() {
    let Some(server) = server() else { return };
    let Some(other) = other_database(&server).await else {
        return;
    };
    let label = unique("PerDatabase");
    // One driver (one pool) per database: separate connections, so this
    // holds even on a server whose connections stick to a database.
    let main = server.driver();
    let second = server.driver();
    assert!(main.supports_multi_db().await.expect("supports_multi_db"));

    create_in(&second, &other, &label).await;
    create_in(&second, &other, &label).await;
    create_in(&main, "neo4j", &label).await;
    assert_eq!(
        count_in(&second, &other, &label).await,
        2,
        "{other} holds its two"
    );
    assert_eq!(
        count_in(&main, "neo4j", &label).await,
        1,
        "neo4j holds its one"
    );

    // The default (home) database is `neo4j`.
    let mut session = main.session(SessionConfig::default());
    let n: i64 = single(
        &mut session,
        format!("MATCH (n:{label}) RETURN count(n) AS c"),
        "c",
    )
    .await;
    assert_eq!(n, 1, "the home database is neo4j");
    session.close().await.expect("close");
    main.close().await;
    second.close().await;
    clean(&server, "neo4j", &label).await;
    clean(&server, &other, &label).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_driver_switches_databases() {
    let Some(server) = server() else { return };
    if server.lacks(
        Gap::DatabaseSticksToConnection,
        "one pooled driver alternating between two databases",
    ) {
        return;
    }
    let Some(other) = other_database(&server).await else {
        return;
    };
    let label = unique("Switching");
    let driver = server.driver();
    for round in 0..3 {
        create_in(&driver, "neo4j", &label).await;
        assert_eq!(count_in(&driver, "neo4j", &label).await, round + 1);
        assert_eq!(count_in(&driver, &other, &label).await, 0, "round {round}");
    }
    driver.close().await;
    clean(&server, "neo4j", &label).await;
}

#[test]
fn blocking_session_on_another_database() {
    let Some(server) = server() else { return };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime to find the second database");
    let Some(other) = runtime.block_on(other_database(&server)) else {
        return;
    };
    drop(runtime);
    let label = unique("BlockingOther");
    let driver = server.blocking_driver();
    let mut session = driver.session(SessionConfig::builder().database(&other).build());
    session
        .execute_write(|tx| tx.run(format!("CREATE (:{label})"))?.consume())
        .expect("write");
    let n: i64 = session
        .run(format!("MATCH (n:{label}) RETURN count(n) AS c"))
        .and_then(|mut r| r.single())
        .and_then(|r| r.get("c"))
        .expect("read");
    assert_eq!(n, 1);
    consume_blocking(
        &mut session,
        format!("MATCH (n:{label}) DELETE n"),
        "clean up",
    );
    session.close().expect("close");
    driver.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_tables_per_database() {
    let Some(server) = server() else { return };
    let Some(other) = other_database(&server).await else {
        return;
    };
    let driver = Driver::new(&server.routing_uri(), server.auth()).expect("driver");
    for database in ["neo4j", other.as_str()] {
        let got = driver
            .execute_query("RETURN 1 AS x")
            .database(database)
            .routing(RoutingControl::Readers)
            .run()
            .await
            .unwrap_or_else(|e| panic!("{database} through neo4j://: {e}"));
        assert_eq!(got.records.len(), 1);
    }
    let err = driver
        .execute_query("RETURN 1 AS x")
        .database("no_such_database_here")
        .run()
        .await
        .expect_err("no routing table for a missing database");
    assert_eq!(err.kind(), quiver::ErrorKind::Client, "{err}");
    assert_eq!(
        err.code(),
        Some("Neo.ClientError.Database.DatabaseNotFound"),
        "{err}"
    );
    driver.close().await;
}
