//! Nodes, relationships and paths come back whole, with element ids that
//! find them again; serde maps them into user types.

use quiver::{params, Node, Path, Relationship, SessionConfig, Value};
use quiver_tests::{consume, consume_blocking, execute, server, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_relationships_and_paths_with_element_ids() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("GraphPerson");
    let rel = unique("KNOWS");
    let mut session = driver.session(SessionConfig::default());
    let record = session
        .run((
            format!(
                "CREATE (a:{label}:Extra {{name: 'Alice', age: 33}})\
                 -[r:{rel} {{since: 2020}}]->(b:{label} {{name: 'Bob'}}) \
                 RETURN a, r, b"
            ),
            params! {},
        ))
        .await
        .expect("create")
        .single()
        .await
        .expect("one record");
    let a: Node = record.get("a").expect("a is a node");
    let b: Node = record.get("b").expect("b is a node");
    let r: Relationship = record.get("r").expect("r is a relationship");

    assert!(
        a.has_label(&label) && a.has_label("Extra"),
        "labels {:?}",
        a.labels
    );
    assert_eq!(a.get("name"), Some(&Value::from("Alice")));
    assert_eq!(a.get("age"), Some(&Value::from(33)));
    assert!(!a.element_id.is_empty() && !b.element_id.is_empty());
    assert_ne!(a.element_id, b.element_id);
    assert_eq!(r.rel_type, rel);
    assert_eq!(r.get("since"), Some(&Value::from(2020)));
    assert!(!r.element_id.is_empty());
    assert_eq!(r.start_node_element_id, a.element_id);
    assert_eq!(r.end_node_element_id, b.element_id);
    assert_eq!((r.start_node_id, r.end_node_id), (a.id, b.id));

    // The element ids find the same entities again.
    let again = session
        .run((
            "MATCH (x)-[y]->(z) WHERE elementId(x) = $a AND elementId(y) = $r \
             RETURN x.name AS x, z.name AS z, elementId(z) AS zid",
            params! { "a" => a.element_id.clone(), "r" => r.element_id.clone() },
        ))
        .await
        .expect("match by element id")
        .single()
        .await
        .expect("found by element id");
    assert_eq!(again.get::<String>("x").expect("x"), "Alice");
    assert_eq!(again.get::<String>("z").expect("z"), "Bob");
    assert_eq!(again.get::<String>("zid").expect("zid"), b.element_id);

    // A path, walked forwards and backwards.
    let mut result = session
        .run(format!(
            "MATCH p = (:{label} {{name: 'Alice'}})-[:{rel}]->(:{label}) RETURN p \
             UNION ALL \
             MATCH p = (:{label} {{name: 'Bob'}})<-[:{rel}]-(:{label}) RETURN p"
        ))
        .await
        .expect("paths");
    let forward: Path = result
        .next()
        .await
        .expect("a path")
        .expect("ok")
        .get("p")
        .expect("p");
    let backward: Path = result
        .next()
        .await
        .expect("two paths")
        .expect("ok")
        .get("p")
        .expect("p");
    assert!(result.next().await.is_none());

    let steps = forward.segments().expect("well formed");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].start.element_id, a.element_id);
    assert_eq!(steps[0].end.element_id, b.element_id);
    assert_eq!(steps[0].relationship.element_id, r.element_id);
    assert_eq!(steps[0].relationship.rel_type, rel);
    assert!(steps[0].forward);

    let steps = backward.segments().expect("well formed");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].start.element_id, b.element_id);
    assert_eq!(steps[0].end.element_id, a.element_id);
    assert!(!steps[0].forward, "Bob <-[r]- Alice walks r backwards");

    // The result's graph view gathers what the records hold, once each.
    let graph = session
        .run(format!(
            "MATCH (x:{label})-[y]->(z) RETURN x, y, z, [x, z] AS again"
        ))
        .await
        .expect("graph query")
        .graph()
        .await
        .expect("graph");
    assert_eq!(graph.nodes().len(), 2, "{graph:?}");
    assert_eq!(graph.relationships().len(), 1);
    assert!(graph.node(&a.element_id).is_some());
    assert!(graph.relationship(&r.element_id).is_some());

    consume(
        &mut session,
        format!("MATCH (n:{label}) DETACH DELETE n"),
        "clean up",
    )
    .await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_longer_path_keeps_its_order() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Chain");
    let got = driver
        .execute_query(format!(
            "CREATE p = (:{label} {{i: 0}})-[:NEXT]->(:{label} {{i: 1}})<-[:NEXT]-(:{label} {{i: 2}})\
             -[:NEXT]->(:{label} {{i: 3}}) RETURN p"
        ))
        .run()
        .await
        .expect("create path");
    let path: Path = got.records[0].get("p").expect("p");
    let steps = path.segments().expect("well formed");
    let order: Vec<i64> = std::iter::once(steps[0].start)
        .chain(steps.iter().map(|s| s.end))
        .map(|n| match n.get("i") {
            Some(Value::Integer(i)) => *i,
            other => panic!("i = {other:?}"),
        })
        .collect();
    assert_eq!(order, [0, 1, 2, 3]);
    let directions: Vec<bool> = steps.iter().map(|s| s.forward).collect();
    assert_eq!(directions, [true, false, true]);
    execute(
        &driver,
        format!("MATCH (n:{label}) DETACH DELETE n"),
        "clean up",
    )
    .await;
    driver.close().await;
}

#[test]
fn blocking_nodes() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    let label = unique("BlockingNode");
    let mut session = driver.session(SessionConfig::default());
    let node: Node = session
        .run(format!("CREATE (n:{label} {{k: 'v'}}) RETURN n"))
        .and_then(|mut r| r.single())
        .and_then(|r| r.get("n"))
        .expect("node");
    assert!(node.has_label(&label));
    assert!(!node.element_id.is_empty());
    let graph = session
        .run(format!("MATCH (n:{label}) RETURN n"))
        .and_then(|mut r| r.graph())
        .expect("graph");
    assert_eq!(graph.nodes().len(), 1);
    consume_blocking(
        &mut session,
        format!("MATCH (n:{label}) DELETE n"),
        "clean up",
    );
    session.close().expect("close");
    driver.close();
}
