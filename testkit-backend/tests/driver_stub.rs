//! TestKit's view of a whole query: driver, session, run, records, summary, close, through the
//! backend over TCP, against the project's scripted Bolt stub server.

mod common;

use common::Client;
use quiver_test_support::stub::{BlockingStubServer, Script};
use serde_json::{json, Value};

/// Bolt 5.4 login (RESET answered whenever sent), then `body`, then an optional GOODBYE.
const PRELUDE: &str = r#"!: BOLT 5.4
!: AUTO RESET

C: HELLO {"user_agent": "*", "...": ""}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {}
"#;

fn stub(body: &str) -> BlockingStubServer {
    let text = format!("{PRELUDE}{body}{{?\n    C: GOODBYE\n    S: <EXIT>\n?}}\n");
    BlockingStubServer::start(Script::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
        .unwrap()
}

const SCRIPT: &str = r#"C: RUN "RETURN $x AS x" {"x": 1} {"...": ""}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"], "t_first": 5}
   RECORD [1]
   SUCCESS {"type": "r", "bookmark": "bm1", "db": "neo4j", "t_last": 2}
"#;

#[test]
fn driver_session_run_next_consume_close() {
    let stub = stub(SCRIPT);
    let mut c = Client::start();

    let r = c.request(json!({"name": "NewDriver", "data": {
        "uri": format!("bolt://{}", stub.addr()),
        "authorizationToken": {"name": "AuthorizationToken", "data": {
            "scheme": "basic", "principal": "neo4j", "credentials": "pass"}},
        "authTokenManagerId": null, "userAgent": null, "resolverRegistered": false,
        "domainNameResolverRegistered": false, "connectionTimeoutMs": null,
        "fetchSize": null, "maxTxRetryTimeMs": null, "livenessCheckTimeoutMs": null,
        "maxConnectionPoolSize": null, "connectionAcquisitionTimeoutMs": null,
        "clientCertificate": null, "clientCertificateProviderId": null}}));
    assert_eq!(r["name"], "Driver", "{r}");
    let driver_id = r["data"]["id"].clone();

    let r = c.request(json!({"name": "NewSession", "data": {
        "driverId": driver_id, "accessMode": "w", "bookmarks": null, "database": null,
        "fetchSize": null, "impersonatedUser": null}}));
    assert_eq!(r["name"], "Session", "{r}");
    let session_id = r["data"]["id"].clone();

    let r = c.request(json!({"name": "SessionRun", "data": {
        "sessionId": session_id, "cypher": "RETURN $x AS x",
        "params": {"x": {"name": "CypherInt", "data": {"value": 1}}}, "txMeta": null}}));
    assert_eq!(r["name"], "Result", "{r}");
    assert_eq!(r["data"]["keys"], json!(["x"]));
    let result_id = r["data"]["id"].clone();

    let r = c.next(&result_id);
    assert_eq!(
        r,
        json!({"name": "Record", "data": {"values": [{"name": "CypherInt", "data": {"value": 1}}]}})
    );
    let r = c.next(&result_id);
    assert_eq!(r, json!({"name": "NullRecord", "data": {}}));

    let r = c.request(json!({"name": "ResultConsume", "data": {"resultId": result_id}}));
    assert_eq!(r["name"], "Summary", "{r}");
    assert_eq!(r["data"]["queryType"], "r");
    assert_eq!(r["data"]["database"], "neo4j");
    assert_eq!(r["data"]["query"]["text"], "RETURN $x AS x");
    assert_eq!(r["data"]["resultAvailableAfter"], 5);
    assert_eq!(r["data"]["serverInfo"]["protocolVersion"], "5.4");
    assert_eq!(r["data"]["serverInfo"]["agent"], "Neo4j/5.20.0");

    let r = c.request(json!({"name": "SessionLastBookmarks", "data": {"sessionId": session_id}}));
    assert_eq!(
        r,
        json!({"name": "Bookmarks", "data": {"bookmarks": ["bm1"]}})
    );

    let r = c.close_session(&session_id);
    assert_eq!(r, json!({"name": "Session", "data": {"id": session_id}}));
    let r = c.close_driver(&driver_id);
    assert_eq!(r, json!({"name": "Driver", "data": {"id": driver_id}}));

    stub.finish().unwrap();
}

#[test]
fn driver_errors_come_back_as_driver_errors() {
    // Nothing listens there: connecting fails with ServiceUnavailable.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = free.local_addr().unwrap();
    drop(free);
    let mut c = Client::start();
    let r = c.request(json!({"name": "NewDriver", "data": {
        "uri": format!("bolt://{dead}"),
        "authorizationToken": {"name": "AuthorizationToken", "data": {"scheme": "none"}},
        "connectionTimeoutMs": 2000}}));
    let driver_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "VerifyConnectivity", "data": {"driverId": driver_id}}));
    assert_eq!(r["name"], "DriverError", "{r}");
    // TestKit's name (driver `rust`) for a connection that could not be had.
    assert_eq!(r["data"]["errorType"], "Disconnect");
    assert_eq!(r["data"]["retryable"], true);
    assert!(r["data"]["id"].is_u64());
}

const TX_SCRIPT: &str = r#"C: BEGIN {"...": ""}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
{{
    C: COMMIT
    S: SUCCESS {"bookmark": "bm2"}
----
    C: ROLLBACK
    S: SUCCESS {}
}}
"#;

fn driver_and_session(c: &mut Client, stub: &BlockingStubServer) -> (Value, Value) {
    let driver_id = c.new_driver(&format!("bolt://{}", stub.addr()), json!({}));
    let r = c.request(json!({"name": "NewSession", "data": {
        "driverId": driver_id, "accessMode": "w"}}));
    assert_eq!(r["name"], "Session", "{r}");
    (driver_id, r["data"]["id"].clone())
}

fn run_in_managed_tx(c: &mut Client, session_id: &Value) {
    let r = c.request(json!({"name": "SessionWriteTransaction", "data": {
        "sessionId": session_id, "txMeta": null}}));
    assert_eq!(r["name"], "RetryableTry", "{r}");
    let tx_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "TransactionRun", "data": {
        "txId": tx_id, "cypher": "RETURN 1 AS x", "params": {}}}));
    assert_eq!(r["name"], "Result", "{r}");
    let result_id = r["data"]["id"].clone();
    let r = c.next(&result_id);
    assert_eq!(r["name"], "Record", "{r}");
}

#[test]
fn managed_transaction_commits_on_retryable_positive() {
    let stub = stub(TX_SCRIPT);
    let mut c = Client::start();
    let (driver_id, session_id) = driver_and_session(&mut c, &stub);
    run_in_managed_tx(&mut c, &session_id);
    let r = c.request(json!({"name": "RetryablePositive", "data": {"sessionId": session_id}}));
    assert_eq!(r, json!({"name": "RetryableDone", "data": {}}));
    let r = c.request(json!({"name": "SessionLastBookmarks", "data": {"sessionId": session_id}}));
    assert_eq!(
        r,
        json!({"name": "Bookmarks", "data": {"bookmarks": ["bm2"]}})
    );
    c.close_session(&session_id);
    c.close_driver(&driver_id);
    stub.finish().unwrap();
}

#[test]
fn managed_transaction_fails_on_retryable_negative() {
    let stub = stub(TX_SCRIPT);
    let mut c = Client::start();
    let (driver_id, session_id) = driver_and_session(&mut c, &stub);
    run_in_managed_tx(&mut c, &session_id);
    let r = c.request(json!({"name": "RetryableNegative", "data": {
        "sessionId": session_id, "errorId": ""}}));
    assert_eq!(r["name"], "FrontendError", "{r}");
    c.close_session(&session_id);
    c.close_driver(&driver_id);
    stub.finish().unwrap();
}

#[test]
fn explicit_transaction_commit() {
    let stub = stub(TX_SCRIPT);
    let mut c = Client::start();
    let (driver_id, session_id) = driver_and_session(&mut c, &stub);
    let r = c.request(json!({"name": "SessionBeginTransaction", "data": {
        "sessionId": session_id, "txMeta": null}}));
    assert_eq!(r["name"], "Transaction", "{r}");
    let tx_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "TransactionRun", "data": {
        "txId": tx_id, "cypher": "RETURN 1 AS x", "params": {}}}));
    let result_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "ResultList", "data": {"resultId": result_id}}));
    assert_eq!(
        r,
        json!({"name": "RecordList", "data": {"records": [
            {"values": [{"name": "CypherInt", "data": {"value": 1}}]}]}})
    );
    let r = c.request(json!({"name": "TransactionCommit", "data": {"txId": tx_id}}));
    assert_eq!(r, json!({"name": "Transaction", "data": {"id": tx_id}}));
    c.close_session(&session_id);
    c.close_driver(&driver_id);
    stub.finish().unwrap();
}

/// Closing a session whose transaction is still open rolls the transaction back and
/// succeeds; the session's bookmarks can be read meanwhile; the ended transaction refuses
/// work as out of scope and closes again quietly.
#[test]
fn closing_a_session_rolls_back_its_open_transaction() {
    let stub = stub(
        r#"C: BEGIN {"...": ""}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
"#,
    );
    let mut c = Client::start();
    let (driver_id, session_id) = driver_and_session(&mut c, &stub);
    let r = c.request(json!({"name": "SessionBeginTransaction", "data": {
        "sessionId": session_id, "txMeta": null}}));
    let tx_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "TransactionRun", "data": {
        "txId": tx_id, "cypher": "RETURN 1 AS x", "params": {}}}));
    assert_eq!(r["name"], "Result", "{r}");
    let r = c.request(json!({"name": "SessionLastBookmarks", "data": {"sessionId": session_id}}));
    assert_eq!(r, json!({"name": "Bookmarks", "data": {"bookmarks": []}}));
    let r = c.request(json!({"name": "SessionClose", "data": {"sessionId": session_id}}));
    assert_eq!(r["name"], "Session", "{r}");
    for request in ["TransactionRun", "TransactionCommit", "TransactionRollback"] {
        let r = c.request(json!({"name": request, "data": {
            "txId": tx_id, "cypher": "RETURN 1 AS x", "params": {}}}));
        assert_eq!(r["name"], "DriverError", "{request}: {r}");
        assert_eq!(
            r["data"]["errorType"], "TransactionOutOfScope",
            "{request}: {r}"
        );
    }
    let r = c.request(json!({"name": "TransactionClose", "data": {"txId": tx_id}}));
    assert_eq!(r["name"], "Transaction", "{r}");
    c.close_driver(&driver_id);
    stub.finish().unwrap();
}

/// A failure the server sent is TestKit's `ServerError`, with the server's message byte for
/// byte and its code.
#[test]
fn server_failures_keep_their_message_and_code() {
    let stub = stub(
        r#"C: RUN "RETURN 1 AS x" {} {"...": ""}
   PULL {"n": 1000}
S: FAILURE {"code": "Neo.TransientError.General.TransactionMemoryLimit", "message": "A thing happened..."}
   IGNORED
"#,
    );
    let mut c = Client::start();
    let (driver_id, session_id) = driver_and_session(&mut c, &stub);
    let r = c.request(json!({"name": "SessionRun", "data": {
        "sessionId": session_id, "cypher": "RETURN 1 AS x", "params": {}}}));
    let r = if r["name"] == "Result" {
        c.next(&r["data"]["id"])
    } else {
        r
    };
    assert_eq!(r["name"], "DriverError", "{r}");
    assert_eq!(r["data"]["errorType"], "ServerError");
    assert_eq!(r["data"]["msg"], "A thing happened...");
    assert_eq!(
        r["data"]["code"],
        "Neo.TransientError.General.TransactionMemoryLimit"
    );
    assert_eq!(r["data"]["retryable"], true);
    c.close_session(&session_id);
    c.close_driver(&driver_id);
    stub.finish().unwrap();
}

/// Login only.
const INFO_SCRIPT: &str = "";

#[test]
fn server_info_and_encryption() {
    let stub = stub(INFO_SCRIPT);
    let mut c = Client::start();
    let driver_id = c.new_driver(&format!("bolt://{}", stub.addr()), json!({}));
    let r = c.request(json!({"name": "GetServerInfo", "data": {"driverId": driver_id}}));
    assert_eq!(
        r,
        json!({"name": "ServerInfo", "data": {
            "address": stub.addr().to_string(), "agent": "Neo4j/5.20.0",
            "protocolVersion": "5.4"}})
    );
    let r = c.request(json!({"name": "CheckDriverIsEncrypted", "data": {"driverId": driver_id}}));
    assert_eq!(
        r,
        json!({"name": "DriverIsEncrypted", "data": {"encrypted": false}})
    );
    let r = c.close_driver(&driver_id);
    assert_eq!(r["name"], "Driver");
    // Still answerable after close.
    let r = c.request(json!({"name": "CheckDriverIsEncrypted", "data": {"driverId": driver_id}}));
    assert_eq!(r["name"], "DriverIsEncrypted");
    stub.finish().unwrap();
}

const EXECUTE_QUERY_SCRIPT: &str = r#"C: BEGIN {"db": "neo4j", "tx_metadata": {"app": "tk"}, "tx_timeout": 1500, "...": ""}
S: SUCCESS {}
C: RUN "RETURN $x AS x" {"x": 1.5} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1.5]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm1"}
"#;

#[test]
fn execute_query_with_config() {
    let stub = stub(EXECUTE_QUERY_SCRIPT);
    let mut c = Client::start();
    let driver_id = c.new_driver(&format!("bolt://{}", stub.addr()), json!({}));
    let r = c.request(json!({"name": "ExecuteQuery", "data": {
        "driverId": driver_id, "cypher": "RETURN $x AS x",
        "params": {"x": {"name": "CypherFloat", "data": {"value": 1.5}}},
        "config": {"database": "neo4j", "routing": "w",
                   "txMeta": {"app": {"name": "CypherString", "data": {"value": "tk"}}},
                   "timeout": 1500}}}));
    assert_eq!(r["name"], "EagerResult", "{r}");
    assert_eq!(r["data"]["keys"], json!(["x"]));
    assert_eq!(
        r["data"]["records"],
        json!([{"values": [{"name": "CypherFloat", "data": {"value": 1.5}}]}])
    );
    assert_eq!(r["data"]["summary"]["queryType"], "r");
    c.close_driver(&driver_id);
    stub.finish().unwrap();
}

#[test]
fn auth_token_managers_ask_testkit_through_the_driver() {
    for (create, created, callback, manager_key, answer) in [
        (
            "NewAuthTokenManager",
            "AuthTokenManager",
            "AuthTokenManagerGetAuthRequest",
            "authTokenManagerId",
            "AuthTokenManagerGetAuthCompleted",
        ),
        (
            "NewBasicAuthTokenManager",
            "BasicAuthTokenManager",
            "BasicAuthTokenProviderRequest",
            "basicAuthTokenManagerId",
            "BasicAuthTokenProviderCompleted",
        ),
    ] {
        let stub = stub(INFO_SCRIPT);
        let mut c = Client::start();
        let r = c.request(json!({"name": create, "data": {}}));
        assert_eq!(r["name"], created, "{r}");
        let manager_id = r["data"]["id"].clone();
        let r = c.request(json!({"name": "NewDriver", "data": {
            "uri": format!("bolt://{}", stub.addr()),
            "authorizationToken": null, "authTokenManagerId": manager_id}}));
        let driver_id = r["data"]["id"].clone();

        c.send(json!({"name": "VerifyConnectivity", "data": {"driverId": driver_id}}));
        let cb = c.recv();
        assert_eq!(cb["name"], callback, "{cb}");
        assert_eq!(cb["data"][manager_key], manager_id);
        c.send(
            json!({"name": answer, "data": {"requestId": cb["data"]["id"],
            "auth": {"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "neo4j", "credentials": "pass"}}}}),
        );
        let r = c.recv();
        assert_eq!(r, json!({"name": "Driver", "data": {"id": driver_id}}));

        c.close_driver(&driver_id);
        stub.finish().unwrap();
    }
}
