//! Evidence for the `Optimization:*` flags the backend advertises: one strict script (no
//! automatic RESET, one connection, every pipelined group sent before the server answers),
//! in the shape of TestKit's optimization scripts, played through the backend.
//!
//! * `AuthPipelining`: HELLO and LOGON are one client group (the stub answers only after both).
//! * `PullPipelining`: RUN and PULL are one group.
//! * `ExecuteQueryPipelining`: BEGIN, RUN and PULL of `ExecuteQuery` are one group.
//! * `ImplicitDefaultArguments`: write mode, the default database and empty metadata are left
//!   out (`BEGIN {}`, `RUN ... {} {}`), and no `qid` is sent.
//! * `ConnectionReuse`: the three units of work share the script's single connection.
//! * `MinimalResets`: no RESET anywhere (the stub fails on any message it does not expect).

mod common;

use common::{record, Client};
use quiver_test_support::stub::{BlockingStubServer, Script};
use serde_json::json;

const SCRIPT: &str = r#"!: BOLT 5.4

C: HELLO {"user_agent": "*", "bolt_agent": "*"}
   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
   SUCCESS {}
C: RUN "RETURN 1 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r", "bookmark": "bm1"}
C: BEGIN {"bookmarks": ["bm1"]}
   RUN "RETURN 2 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm2"}
C: BEGIN {}
   RUN "RETURN 3 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {"fields": ["n"]}
   RECORD [3]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm3"}
{?
    C: GOODBYE
    S: <EXIT>
?}
"#;

#[test]
fn pipelined_minimal_messages_on_one_connection_without_resets() {
    let server = BlockingStubServer::start(Script::parse(SCRIPT).unwrap()).unwrap();
    let mut c = Client::start();
    let driver_id = c.new_driver(&format!("bolt://{}", server.addr()), json!({}));
    let session_id = c.new_session(&driver_id, json!({}));

    let result_id = c.run(&session_id, "RETURN 1 AS n");
    assert_eq!(
        c.request(json!({"name": "ResultNext", "data": {"resultId": result_id}})),
        record(&[1])
    );
    let r = c.request(json!({"name": "ResultConsume", "data": {"resultId": result_id}}));
    assert_eq!(r["name"], "Summary", "{r}");

    let r = c.request(json!({"name": "SessionBeginTransaction", "data": {
        "sessionId": session_id}}));
    assert_eq!(r["name"], "Transaction", "{r}");
    let tx_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "TransactionRun", "data": {
        "txId": tx_id, "cypher": "RETURN 2 AS n", "params": null}}));
    assert_eq!(r["name"], "Result", "{r}");
    let result_id = r["data"]["id"].clone();
    assert_eq!(
        c.request(json!({"name": "ResultNext", "data": {"resultId": result_id}})),
        record(&[2])
    );
    let r = c.request(json!({"name": "TransactionCommit", "data": {"txId": tx_id}}));
    assert_eq!(r["name"], "Transaction", "{r}");
    let r = c.request(json!({"name": "SessionClose", "data": {"sessionId": session_id}}));
    assert_eq!(r["name"], "Session", "{r}");

    let r = c.request(json!({"name": "ExecuteQuery", "data": {
        "driverId": driver_id, "cypher": "RETURN 3 AS n", "params": null, "config": {}}}));
    assert_eq!(r["name"], "EagerResult", "{r}");
    assert_eq!(r["data"]["records"], json!([{"values": [common::int(3)]}]));

    c.request(json!({"name": "DriverClose", "data": {"driverId": driver_id}}));
    let report = server.finish().unwrap();
    assert_eq!(report.connections().len(), 1, "ConnectionReuse");
    let conn = &report.connections()[0];
    assert!(conn.pipelined(&["HELLO", "LOGON"]), "AuthPipelining");
    assert!(conn.pipelined(&["RUN", "PULL"]), "PullPipelining");
    assert!(
        conn.pipelined(&["BEGIN", "RUN", "PULL"]),
        "BEGIN pipelining"
    );
    assert!(
        !conn.received().iter().any(|m| m.starts_with("RESET")),
        "MinimalResets: {:?}",
        conn.received()
    );
}
