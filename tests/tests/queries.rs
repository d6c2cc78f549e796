//! `execute_query` (readers and writers routing, bookmarks, transformers)
//! and serde mapping between user types and parameters and records.

use std::collections::BTreeMap;

use quiver::{params, Driver, EagerResult, Node, RoutingControl, SessionConfig};
use quiver_tests::{execute, server, unique, Gap};
use serde::{Deserialize, Serialize};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_query_routes_writers_and_readers() {
    let Some(server) = server() else { return };
    // Through the routing scheme: the server's ROUTE answer decides.
    let driver = Driver::new(&server.routing_uri(), server.auth()).expect("driver");
    let label = unique("Routed");
    let written = driver
        .execute_query(format!(
            "CREATE (n:{label} {{name: $name}}) RETURN n.name AS name"
        ))
        .param("name", "Ada")
        .routing(RoutingControl::Writers)
        .run()
        .await
        .expect("write on a writer");
    assert_eq!(written.keys.as_ref(), ["name"]);
    assert_eq!(written.records.len(), 1);
    assert_eq!(written.summary.counters().nodes_created(), 1);

    // The driver's query bookmark manager chains the read after the write.
    let read = driver
        .execute_query(format!("MATCH (n:{label}) RETURN n.name AS name"))
        .routing(RoutingControl::Readers)
        .run()
        .await
        .expect("read on a reader");
    assert_eq!(read.records.len(), 1);
    assert_eq!(read.records[0].get::<&str>("name").expect("name"), "Ada");
    assert!(!read.summary.counters().contains_updates());

    // A transformer sees the live result and picks what it needs.
    let names: Vec<String> = driver
        .execute_query(format!("MATCH (n:{label}) RETURN n.name AS name"))
        .routing(RoutingControl::Readers)
        .run_with(|mut result| async move { result.collect_as::<(String,)>().await })
        .await
        .expect("transformer")
        .into_iter()
        .map(|(n,)| n)
        .collect();
    assert_eq!(names, ["Ada"]);

    // Without the bookmark manager, and IntoFuture.
    let EagerResult { records, .. } = driver
        .execute_query(format!("MATCH (n:{label}) DELETE n"))
        .bookmark_manager(None)
        .await
        .expect("clean up");
    assert!(records.is_empty());
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_query_on_a_direct_uri_and_a_named_database() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    for routing in [RoutingControl::Readers, RoutingControl::Writers] {
        let got = driver
            .execute_query("UNWIND range(1, 3) AS x RETURN x * $k AS y")
            .param("k", 10)
            .routing(routing)
            .database("neo4j")
            .run()
            .await
            .expect("query");
        let ys: Vec<i64> = got.records.iter().map(|r| r.get("y").expect("y")).collect();
        assert_eq!(ys, [10, 20, 30], "{routing:?}");
        if server.lacks(Gap::NoDatabaseInSummary, "summary.database()") {
            assert_eq!(got.summary.database(), None, "the gap closed: update Gap");
        } else {
            assert_eq!(got.summary.database(), Some("neo4j"));
        }
    }
    driver.close().await;
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Address {
    city: String,
    zip: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Person {
    name: String,
    age: i64,
    height: f64,
    active: bool,
    tags: Vec<String>,
    nickname: Option<String>,
    address: Address,
}

fn alice() -> Person {
    Person {
        name: "Alice".into(),
        age: 33,
        height: 1.72,
        active: true,
        tags: vec!["admin".into(), "ünï".into()],
        nickname: None,
        address: Address {
            city: "Malmö".into(),
            zip: Some("211 20".into()),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serde_maps_user_structs_both_ways() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let mut session = driver.session(SessionConfig::default());

    // A struct as the parameter map; a record back into the struct.
    let query = quiver::Query::from(
        "RETURN $name AS name, $age AS age, $height AS height, $active AS active, \
         $tags AS tags, $nickname AS nickname, $address AS address",
    )
    .params_from(&alice())
    .expect("params from a struct");
    let back: Person = session
        .run(query)
        .await
        .expect("run")
        .single()
        .await
        .expect("single")
        .to()
        .expect("record into Person");
    assert_eq!(back, alice());

    // A struct as one parameter value, and a map column into a struct.
    let record = session
        .run((
            "RETURN $p AS p, $p.address AS a",
            params! {
                "p" => quiver::Value::Map(quiver::to_params(&alice()).expect("to_params")),
            },
        ))
        .await
        .expect("run")
        .single()
        .await
        .expect("single");
    assert_eq!(record.get::<Person>("p").expect("map into Person"), alice());
    assert_eq!(
        record.get::<Address>("a").expect("map into Address"),
        alice().address
    );

    // Many records into a Vec of structs, tuples, maps and borrowed strings.
    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        x: i64,
        label: String,
    }
    let rows: Vec<Row> = session
        .run("UNWIND range(1, 3) AS x RETURN x, 'n' + toString(x) AS label")
        .await
        .expect("run")
        .collect_as()
        .await
        .expect("rows");
    assert_eq!(
        rows[2],
        Row {
            x: 3,
            label: "n3".into()
        }
    );
    let record = session
        .run("RETURN 'borrowed' AS s, {a: 1, b: 2} AS m, [1, 2] AS l")
        .await
        .expect("run")
        .single()
        .await
        .expect("single");
    assert_eq!(record.get::<&str>("s").expect("&str"), "borrowed");
    assert_eq!(
        record.get::<BTreeMap<String, i64>>("m").expect("map"),
        BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)])
    );
    assert_eq!(record.get::<(i64, i64)>("l").expect("tuple"), (1, 2));
    assert_eq!(record.get_at::<Vec<i64>>(2).expect("by index"), [1, 2]);
    assert!(record.get::<i64>("s").is_err(), "a string is no integer");
    assert!(record.get::<i64>("missing").is_err(), "no such key");

    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_into_a_user_struct() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("SerdeNode");
    #[derive(Debug, Deserialize, PartialEq)]
    struct Small {
        name: String,
        age: i64,
    }
    let got = driver
        .execute_query(format!(
            "CREATE (n:{label} {{name: 'Bo', age: 7}}) RETURN n, properties(n) AS p"
        ))
        .run()
        .await
        .expect("create");
    let record = &got.records[0];
    let node: Node = record.get("n").expect("node");
    assert_eq!(node.labels, [label.as_str()]);
    assert_eq!(
        record.get::<Small>("p").expect("properties into a struct"),
        Small {
            name: "Bo".into(),
            age: 7
        }
    );
    execute(&driver, format!("MATCH (n:{label}) DELETE n"), "clean up").await;
    driver.close().await;
}

#[test]
fn blocking_execute_query_and_serde() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    let got = driver
        .execute_query("RETURN $name AS name, $address AS address")
        .params(quiver::to_params(&alice()).expect("params"))
        .routing(RoutingControl::Readers)
        .run()
        .expect("query");
    #[derive(Deserialize)]
    struct Two {
        name: String,
        address: Address,
    }
    let two: Two = got.records[0].to().expect("record into struct");
    assert_eq!(two.name, "Alice");
    assert_eq!(two.address, alice().address);
    driver.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_by_key_index_and_iteration() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let got = execute(
        &driver,
        "RETURN 1 AS one, 'two' AS `the second`, null AS nothing, [3] AS `ключ`",
        "query",
    )
    .await;
    assert_eq!(got.keys.as_ref(), ["one", "the second", "nothing", "ключ"]);
    let record = &got.records[0];
    assert_eq!(record.len(), 4);
    assert_eq!(record.keys(), got.keys.as_ref());
    assert_eq!(record.index_of("the second"), Some(1));
    assert!(record.contains_key("ключ") && !record.contains_key("four"));
    assert_eq!(record.get::<Option<i64>>("nothing").expect("null"), None);
    assert_eq!(record.get::<Option<i64>>("one").expect("some"), Some(1));
    assert_eq!(
        record.values().expect("values"),
        [
            quiver::Value::from(1),
            quiver::Value::from("two"),
            quiver::Value::Null,
            quiver::Value::List(vec![3.into()]),
        ]
    );
    let keys: Vec<&str> = record.iter().map(|f| f.key()).collect();
    assert_eq!(keys, ["one", "the second", "nothing", "ключ"]);
    let (one, two, nothing, list): (i64, String, Option<String>, Vec<i64>) =
        record.to().expect("a tuple in order");
    assert_eq!(
        (one, two.as_str(), nothing, list),
        (1, "two", None, vec![3])
    );
    assert!(record.field("one").is_some() && record.field_at(4).is_none());
    driver.close().await;
}
