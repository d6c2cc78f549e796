//! Evidence for the `Optimization:*` flags the backend advertises: one strict script (no
//! automatic RESET, one connection, every pipelined group sent before the server answers),
//! in the shape of TestKit's optimization scripts, played through the backend.
//!
//! * HELLO and LOGON are one client group (the stub answers only after both).
//! * `AuthPipelining`: a user switch's LOGOFF and LOGON go with the next RUN and PULL, in one
//!   write (the user-switch test at the end).
//! * `PullPipelining`: RUN and PULL are one group.
//! * `ExecuteQueryPipelining`: BEGIN, RUN and PULL of `ExecuteQuery` are one group.
//! * `ImplicitDefaultArguments`: write mode, the default database and empty metadata are left
//!   out (`BEGIN {}`, `RUN ... {} {}`), and no `qid` is sent.
//! * `ConnectionReuse`: the three units of work share the script's single connection.
//! * `MinimalResets`: no RESET anywhere (the stub fails on any message it does not expect).
//!
//! Also `Liveness.Check` (with fake time) and `ConnectionAcquisitionTimeout`.

mod common;

use common::{record, Client};
use quiver_test_support::stub::{BlockingStubServer, Script};
use serde_json::json;

/// No automatic answers: HELLO and LOGON as one group.
const STRICT_LOGIN: &str = r#"!: BOLT 5.4

C: HELLO {"user_agent": "*", "bolt_agent": "*"}
   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
   SUCCESS {}
"#;

/// An optional GOODBYE at the end.
const MAYBE_GOODBYE: &str = r#"{?
    C: GOODBYE
    S: <EXIT>
?}
"#;

/// [`STRICT_LOGIN`], `body`, [`MAYBE_GOODBYE`].
fn strict(body: &str) -> BlockingStubServer {
    let text = format!("{STRICT_LOGIN}{body}{MAYBE_GOODBYE}");
    BlockingStubServer::start(Script::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
        .unwrap()
}

const SCRIPT: &str = r#"C: RUN "RETURN 1 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r", "bookmark": "bm1"}
C: BEGIN {"bookmarks": ["bm1"]}
S: SUCCESS {}
C: RUN "RETURN 2 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm2"}
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 3 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [3]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm3"}
"#;

#[test]
fn pipelined_minimal_messages_on_one_connection_without_resets() {
    let server = strict(SCRIPT);
    let mut c = Client::start();
    let driver_id = c.new_driver(&format!("bolt://{}", server.addr()), json!({}));
    let session_id = c.new_session(&driver_id, json!({}));

    let result_id = c.run(&session_id, "RETURN 1 AS n");
    assert_eq!(c.next(&result_id), record(&[1]));
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
    assert_eq!(c.next(&result_id), record(&[2]));
    let r = c.request(json!({"name": "TransactionCommit", "data": {"txId": tx_id}}));
    assert_eq!(r["name"], "Transaction", "{r}");
    let r = c.close_session(&session_id);
    assert_eq!(r["name"], "Session", "{r}");

    let r = c.request(json!({"name": "ExecuteQuery", "data": {
        "driverId": driver_id, "cypher": "RETURN 3 AS n", "params": null, "config": {}}}));
    assert_eq!(r["name"], "EagerResult", "{r}");
    assert_eq!(r["data"]["records"], json!([{"values": [common::int(3)]}]));

    c.close_driver(&driver_id);
    let report = server.finish().unwrap();
    assert_eq!(report.connections().len(), 1, "ConnectionReuse");
    let conn = &report.connections()[0];
    assert!(conn.pipelined(&["HELLO", "LOGON"]), "HELLO+LOGON");
    assert!(conn.pipelined(&["RUN", "PULL"]), "PullPipelining");
    assert!(
        !conn.pipelined(&["BEGIN", "RUN"]),
        "EagerTransactionBegin: BEGIN's reply comes before the first RUN"
    );
    assert!(
        !conn.received().iter().any(|m| m.starts_with("RESET")),
        "MinimalResets: {:?}",
        conn.received()
    );
}

const LIVENESS_SCRIPT: &str = r#"C: RUN "RETURN 1 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: RUN "RETURN 2 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r"}
C: RESET
S: SUCCESS {}
C: RUN "RETURN 3 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [3]
   SUCCESS {"type": "r"}
"#;

/// `Feature:API:Liveness.Check` with `Backend:MockTime`: a connection idle for less than the
/// liveness timeout (by the fake clock) is reused as is; one idle for longer is checked with a
/// RESET first, and that is the only RESET (`MinimalResets`).
#[test]
fn liveness_check_resets_only_connections_idle_past_the_timeout() {
    let server = strict(LIVENESS_SCRIPT);
    let mut c = Client::start();
    let ack = json!({"name": "FakeTimeAck", "data": {}});
    assert_eq!(
        c.request(json!({"name": "FakeTimeInstall", "data": {}})),
        ack
    );
    let driver_id = c.new_driver(
        &format!("bolt://{}", server.addr()),
        json!({"livenessCheckTimeoutMs": 1000}),
    );
    for (n, idle_ms) in [(1, 0), (2, 500), (3, 2000)] {
        if idle_ms > 0 {
            let r = c.request(json!({"name": "FakeTimeTick", "data": {"incrementMs": idle_ms}}));
            assert_eq!(r, ack);
        }
        c.return_n(&driver_id, json!({}), n);
    }
    c.close_driver(&driver_id);
    let report = server.finish().unwrap();
    let resets = report.connections()[0]
        .received()
        .iter()
        .filter(|m| m.starts_with("RESET"))
        .count();
    assert_eq!(resets, 1);
}

const HOLD_SCRIPT: &str = r#"!: BOLT 5.4
!: AUTO RESET GOODBYE

C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: SUCCESS {}
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
"#;

/// `Feature:API:ConnectionAcquisitionTimeout`: with the pool full (size 1, held by an open
/// transaction) a second session's run fails once the acquisition timeout passes.
#[test]
fn connection_acquisition_times_out_on_a_full_pool() {
    let server = BlockingStubServer::start(Script::parse(HOLD_SCRIPT).unwrap()).unwrap();
    let mut c = Client::start();
    let driver_id = c.new_driver(
        &format!("bolt://{}", server.addr()),
        json!({"maxConnectionPoolSize": 1, "connectionAcquisitionTimeoutMs": 200}),
    );
    let holder = c.new_session(&driver_id, json!({}));
    let r = c.request(json!({"name": "SessionBeginTransaction", "data": {"sessionId": holder}}));
    let tx_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "TransactionRun", "data": {
        "txId": tx_id, "cypher": "RETURN 1 AS n", "params": null}}));
    assert_eq!(r["name"], "Result", "{r}");

    let waiter = c.new_session(&driver_id, json!({}));
    let started = std::time::Instant::now();
    let r = c.request(json!({"name": "SessionRun", "data": {
        "sessionId": waiter, "cypher": "RETURN 2 AS n", "params": null}}));
    let waited = started.elapsed();
    assert_eq!(r["name"], "DriverError", "{r}");
    assert!(
        waited >= std::time::Duration::from_millis(150)
            && waited < std::time::Duration::from_secs(5),
        "{waited:?}"
    );

    let r = c.request(json!({"name": "TransactionRollback", "data": {"txId": tx_id}}));
    assert_eq!(r["name"], "Transaction", "{r}");
    c.close_driver(&driver_id);
    server.finish().unwrap();
}

const USER_SWITCH_SCRIPT: &str = r#"C: RUN "RETURN 1 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: LOGOFF
   LOGON {"scheme": "basic", "principal": "neo5j", "credentials": "pass++"}
S: SUCCESS {}
   SUCCESS {}
C: RUN "RETURN 2 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r"}
"#;

/// `Optimization:AuthPipelining`: a user switch goes out with the next request, LOGOFF, LOGON,
/// RUN and PULL in one write, before any reply (TestKit's `*_pipelined` user-switch scripts wait
/// for all of them).
#[test]
fn user_switch_pipelines_logoff_and_logon_with_the_run() {
    let server = strict(USER_SWITCH_SCRIPT);
    let mut c = Client::start();
    let driver_id = c.new_driver(&format!("bolt://{}", server.addr()), json!({}));
    for (n, auth) in [
        (1, None),
        (
            2,
            Some(json!({"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "neo5j", "credentials": "pass++"}})),
        ),
    ] {
        let extra = match auth {
            Some(a) => json!({"authorizationToken": a}),
            None => json!({}),
        };
        c.return_n(&driver_id, extra, n);
    }
    c.close_driver(&driver_id);
    let report = server.finish().unwrap();
    let conn = &report.connections()[0];
    assert!(conn.arrived_together(&["LOGOFF", "LOGON", "RUN", "PULL"]));
}
