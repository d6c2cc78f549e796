//! Result summaries: counters after writes, query types, EXPLAIN and PROFILE
//! plans, timings, server and query echo, notifications.

use quiver::summary::QueryType;
use quiver::{params, SessionConfig, Value};
use quiver_tests::{consume, server, unique, Gap};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_after_writes() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Counted");
    let extra = unique("Extra");
    let mut session = driver.session(SessionConfig::default());

    let query =
        format!("CREATE (a:{label} {{x: 1, y: 2}})-[:R {{w: 1}}]->(b:{label}) SET a:{extra}");
    let summary = consume(&mut session, (query.clone(), params! {}), "create").await;
    let c = summary.counters();
    assert_eq!(c.nodes_created(), 2, "{c:?}");
    assert_eq!(c.relationships_created(), 1, "{c:?}");
    assert_eq!(c.properties_set(), 3, "{c:?}");
    assert_eq!(c.labels_added(), 3, "{c:?}");
    assert_eq!(
        c.nodes_deleted() + c.relationships_deleted() + c.labels_removed(),
        0
    );
    assert!(c.contains_updates());
    assert!(!c.contains_system_updates());
    assert!(
        matches!(
            summary.query_type(),
            Some(QueryType::WriteOnly | QueryType::ReadWrite)
        ),
        "{:?}",
        summary.query_type()
    );
    assert_eq!(summary.query().text(), query);
    assert!(summary.server().protocol_version() >= (4, 4));
    assert!(!summary.server().agent().is_empty());

    let summary = consume(
        &mut session,
        format!("MATCH (a:{extra}) REMOVE a:{extra} SET a.x = null"),
        "update",
    )
    .await;
    assert_eq!(
        summary.counters().labels_removed(),
        1,
        "{:?}",
        summary.counters()
    );
    assert_eq!(
        summary.counters().properties_set(),
        1,
        "{:?}",
        summary.counters()
    );

    let summary = consume(
        &mut session,
        format!("MATCH (a:{label}) DETACH DELETE a"),
        "delete",
    )
    .await;
    assert_eq!(
        summary.counters().nodes_deleted(),
        2,
        "{:?}",
        summary.counters()
    );
    assert_eq!(
        summary.counters().relationships_deleted(),
        1,
        "{:?}",
        summary.counters()
    );

    // A read changes nothing, says it is a read, and echoes its parameters.
    let summary = consume(
        &mut session,
        ("RETURN $a AS a", params! { "a" => 5 }),
        "read",
    )
    .await;
    assert!(!summary.counters().contains_updates());
    assert_eq!(summary.query_type(), Some(QueryType::ReadOnly));
    assert_eq!(summary.query().parameters().get("a"), Some(&Value::from(5)));
    assert!(summary.result_available_after().is_some());
    assert!(summary.result_consumed_after().is_some());
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_counters() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Indexed");
    let name = unique("idx");
    let summary = driver
        .execute_query(format!(
            "CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.k)"
        ))
        .run()
        .await
        .expect("create index")
        .summary;
    assert_eq!(
        summary.counters().indexes_added(),
        1,
        "{:?}",
        summary.counters()
    );
    assert!(summary.counters().contains_updates());
    let summary = driver
        .execute_query(format!("DROP INDEX {name}"))
        .run()
        .await
        .expect("drop index")
        .summary;
    assert_eq!(
        summary.counters().indexes_removed(),
        1,
        "{:?}",
        summary.counters()
    );
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_and_profile_plans() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Planned");
    driver
        .execute_query(format!(
            "UNWIND range(1, 5) AS i CREATE (:{label} {{i: i}})"
        ))
        .run()
        .await
        .expect("data");
    let mut session = driver.session(SessionConfig::default());

    // EXPLAIN: a plan, no records, no profile.
    let mut result = session
        .run(format!(
            "EXPLAIN MATCH (n:{label}) WHERE n.i > 2 RETURN n.i AS i"
        ))
        .await
        .expect("explain");
    assert!(result.next().await.is_none(), "EXPLAIN runs nothing");
    let summary = result.consume().await.expect("consume");
    let plan = summary.plan().expect("EXPLAIN gives a plan");
    assert!(summary.profile().is_none());
    assert!(!plan.operator_type().is_empty());
    if server.lacks(Gap::OpaquePlans, "EXPLAIN operator tree") {
        assert!(
            plan.arguments().contains_key("string-representation"),
            "the gap changed shape: {plan:?}"
        );
    } else {
        assert!(
            plan.operator_type().starts_with("ProduceResults"),
            "{plan:?}"
        );
        assert!(plan.identifiers().iter().any(|i| i == "i"), "{plan:?}");
        assert!(!plan.children().is_empty(), "{plan:?}");
    }

    // PROFILE: the records and a profiled plan.
    let mut result = session
        .run(format!(
            "PROFILE MATCH (n:{label}) WHERE n.i > 2 RETURN n.i AS i"
        ))
        .await
        .expect("profile");
    let mut rows = 0;
    while let Some(r) = result.next().await {
        r.expect("record");
        rows += 1;
    }
    assert_eq!(rows, 3);
    let summary = result.consume().await.expect("consume");
    let profile = summary.profile().expect("PROFILE gives a profile");
    assert!(!profile.operator_type().is_empty());
    if !server.lacks(Gap::OpaquePlans, "PROFILE operator tree and statistics") {
        assert!(
            profile.operator_type().starts_with("ProduceResults"),
            "{profile:?}"
        );
        assert_eq!(profile.records(), 3, "{profile:?}");
        fn hits(p: &quiver::summary::ProfiledPlan) -> i64 {
            p.db_hits() + p.children().iter().map(hits).sum::<i64>()
        }
        assert!(hits(profile) > 0, "{profile:?}");
    }
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
async fn notifications_for_a_cartesian_product() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let (a, b) = (unique("CartA"), unique("CartB"));
    let summary = driver
        .execute_query(format!("EXPLAIN MATCH (x:{a}), (y:{b}) RETURN x, y"))
        .run()
        .await
        .expect("explain")
        .summary;
    if server.lacks(Gap::NoNotifications, "cartesian product notification") {
        assert!(
            summary.notifications().is_empty(),
            "the gap closed: update Gap"
        );
    } else {
        assert!(
            summary
                .notifications()
                .iter()
                .any(|n| n.code().contains("CartesianProduct")),
            "{:?}",
            summary.notifications()
        );
    }
    driver.close().await;
}
