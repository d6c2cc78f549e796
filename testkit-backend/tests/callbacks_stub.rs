//! Requests whose answers need TestKit's callbacks (resolvers, bookmark supplier/consumer) or
//! the routing-table hooks, and the result and authentication requests, through the backend
//! against the project's stub server.

mod common;

use common::{int, record, Client};
use quiver_test_support::stub::{BlockingStubServer, Script};
use serde_json::{json, Value};

const PRELUDE: &str = r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {}
"#;

fn stub(body: &str) -> BlockingStubServer {
    let text = format!("{PRELUDE}{body}");
    BlockingStubServer::start(Script::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
        .unwrap()
}

const ROUTE_SCRIPT: &str = r#"C: ROUTE {"address": "testkit.local:9999"} ["bm0"] {"db": "adb"}
S: SUCCESS {"rt": {"ttl": 300, "db": "adb", "servers": [
     {"role": "ROUTE", "addresses": ["router.example:7687"]},
     {"role": "READ", "addresses": ["reader1.example:7687", "reader2.example:7687"]},
     {"role": "WRITE", "addresses": ["writer.example:7687"]}]}}
"#;

#[test]
fn resolvers_ask_testkit_and_routing_table_is_forced_and_fetched() {
    let router = stub(&ROUTE_SCRIPT.replace("\n     ", " "));
    let port = router.addr().port();
    let mut c = Client::start();
    let driver_id = c.new_driver(
        "neo4j://testkit.local:9999",
        json!({"resolverRegistered": true, "domainNameResolverRegistered": true}),
    );

    let (r, callbacks) = c.request_answering(
        json!({"name": "ForcedRoutingTableUpdate", "data": {
            "driverId": driver_id, "database": "adb", "bookmarks": ["bm0"]}}),
        |cb| match cb["name"].as_str() {
            Some("ResolverResolutionRequired") => json!({
                "name": "ResolverResolutionCompleted",
                "data": {"requestId": cb["data"]["id"],
                         "addresses": [format!("resolved.local:{port}")]}}),
            Some("DomainNameResolutionRequired") => json!({
                "name": "DomainNameResolutionCompleted",
                "data": {"requestId": cb["data"]["id"], "addresses": ["127.0.0.1"]}}),
            other => panic!("unexpected callback {other:?}"),
        },
    );
    assert_eq!(r, json!({"name": "Driver", "data": {"id": driver_id}}));
    let names: Vec<_> = callbacks.iter().map(|cb| cb["name"].clone()).collect();
    assert_eq!(
        names,
        [
            json!("ResolverResolutionRequired"),
            json!("DomainNameResolutionRequired")
        ]
    );
    // The custom resolver gets the URI's address, the DNS step the host it resolved to.
    assert_eq!(callbacks[0]["data"]["address"], "testkit.local:9999");
    assert_eq!(callbacks[1]["data"]["name"], "resolved.local");

    let r = c.request(json!({"name": "GetRoutingTable", "data": {
        "driverId": driver_id, "database": "adb"}}));
    assert_eq!(
        r,
        json!({"name": "RoutingTable", "data": {
            "database": "adb", "ttl": 300,
            "routers": ["router.example:7687"],
            "readers": ["reader1.example:7687", "reader2.example:7687"],
            "writers": ["writer.example:7687"]}})
    );
    // A database the driver has no table for: it knows no server for it, an empty table
    // (TestKit checks the lists after a failed update).
    let r = c.request(json!({"name": "GetRoutingTable", "data": {
        "driverId": driver_id, "database": "other"}}));
    assert_eq!(
        r,
        json!({"name": "RoutingTable", "data": {
            "database": "other", "ttl": 0, "routers": [], "readers": [], "writers": []}})
    );

    c.close_driver(&driver_id);
    router.finish().unwrap();
}

#[test]
fn direct_driver_refuses_a_forced_routing_table_update() {
    let mut c = Client::start();
    let driver_id = c.new_driver("bolt://127.0.0.1:9", json!({}));
    let r = c.request(json!({"name": "ForcedRoutingTableUpdate", "data": {
        "driverId": driver_id, "database": null, "bookmarks": null}}));
    assert_eq!(r["name"], "DriverError", "{r}");
    assert_eq!(r["data"]["errorType"], "ConfigError", "{r}");
}

const BOOKMARKS_SCRIPT: &str = r#"C: RUN "RETURN 1 AS n" {} {"bookmarks": ["bm0", "ext"]}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r", "bookmark": "bm1"}
C: RUN "RETURN 2 AS n" {} {"bookmarks": ["bm1", "ext2"]}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [2]
   SUCCESS {"type": "r", "bookmark": "bm2"}
"#;

#[test]
fn bookmark_manager_supplier_and_consumer_ask_testkit() {
    let server = stub(BOOKMARKS_SCRIPT);
    let mut c = Client::start();
    let r = c.request(json!({"name": "NewBookmarkManager", "data": {
        "initialBookmarks": ["bm0"],
        "bookmarksSupplierRegistered": true, "bookmarksConsumerRegistered": true}}));
    assert_eq!(r["name"], "BookmarkManager", "{r}");
    let manager_id = r["data"]["id"].clone();
    let driver_id = c.new_driver(&format!("bolt://{}", server.addr()), json!({}));
    let session_id = c.new_session(&driver_id, json!({"bookmarkManagerId": manager_id}));

    let mut supplied = ["ext", "ext2"].into_iter();
    let mut all_callbacks: Vec<Value> = Vec::new();
    let mut answer = |cb: &Value| -> Value {
        assert_eq!(cb["data"]["bookmarkManagerId"], manager_id, "{cb}");
        match cb["name"].as_str() {
            Some("BookmarksSupplierRequest") => json!({
                "name": "BookmarksSupplierCompleted",
                "data": {"requestId": cb["data"]["id"],
                         "bookmarks": [supplied.next().unwrap()]}}),
            Some("BookmarksConsumerRequest") => json!({
                "name": "BookmarksConsumerCompleted",
                "data": {"requestId": cb["data"]["id"]}}),
            other => panic!("unexpected callback {other:?}"),
        }
    };
    for (query, n) in [("RETURN 1 AS n", 1), ("RETURN 2 AS n", 2)] {
        let (r, cbs) = c.request_answering(
            json!({"name": "SessionRun", "data": {
                "sessionId": session_id, "cypher": query, "params": null}}),
            &mut answer,
        );
        all_callbacks.extend(cbs);
        assert_eq!(r["name"], "Result", "{r}");
        let result_id = r["data"]["id"].clone();
        let (r, cbs) = c.request_answering(
            json!({"name": "ResultNext", "data": {"resultId": result_id}}),
            &mut answer,
        );
        all_callbacks.extend(cbs);
        assert_eq!(r, record(&[n]));
        let (r, cbs) = c.request_answering(
            json!({"name": "ResultConsume", "data": {"resultId": result_id}}),
            &mut answer,
        );
        all_callbacks.extend(cbs);
        assert_eq!(r["name"], "Summary", "{r}");
    }
    let seen: Vec<(Value, Value)> = all_callbacks
        .iter()
        .map(|cb| (cb["name"].clone(), cb["data"]["bookmarks"].clone()))
        .collect();
    // Supplied bookmarks are sent but not kept: the consumer sees the manager's own set.
    assert_eq!(
        seen,
        [
            (json!("BookmarksSupplierRequest"), Value::Null),
            (json!("BookmarksConsumerRequest"), json!(["bm1"])),
            (json!("BookmarksSupplierRequest"), Value::Null),
            (json!("BookmarksConsumerRequest"), json!(["bm2"])),
        ]
    );

    c.close_session(&session_id);
    c.close_driver(&driver_id);
    server.finish().unwrap();
}

const RESULTS_SCRIPT: &str = r#"C: RUN "RETURN two" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"type": "r"}
C: RUN "RETURN one" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [7]
   SUCCESS {"type": "r"}
C: RUN "RETURN none" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   SUCCESS {"type": "r"}
"#;

#[test]
fn peek_single_and_single_optional() {
    let server = stub(RESULTS_SCRIPT);
    let mut c = Client::start();
    let driver_id = c.new_driver(&format!("bolt://{}", server.addr()), json!({}));
    let session_id = c.new_session(&driver_id, json!({}));

    let two = c.run(&session_id, "RETURN two");
    let peek = json!({"name": "ResultPeek", "data": {"resultId": two}});
    assert_eq!(c.request(peek.clone()), record(&[1]));
    assert_eq!(
        c.request(peek),
        record(&[1]),
        "peek does not take the record"
    );
    let optional = json!({"name": "ResultSingleOptional", "data": {"resultId": two}});
    let r = c.request(optional.clone());
    assert_eq!(r["name"], "RecordOptional", "{r}");
    assert_eq!(r["data"]["record"]["values"], json!([int(1)]));
    let warnings = r["data"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{r}");
    assert!(warnings[0].as_str().unwrap().contains("multiple"), "{r}");
    // The result is used up: nothing more, and no warning.
    assert_eq!(
        c.request(optional),
        json!({"name": "RecordOptional", "data": {"record": null, "warnings": []}})
    );

    let one = c.run(&session_id, "RETURN one");
    assert_eq!(
        c.request(json!({"name": "ResultSingle", "data": {"resultId": one}})),
        record(&[7])
    );

    let none = c.run(&session_id, "RETURN none");
    assert_eq!(
        c.request(json!({"name": "ResultPeek", "data": {"resultId": none}})),
        json!({"name": "NullRecord", "data": {}})
    );
    assert_eq!(
        c.request(json!({"name": "ResultSingleOptional", "data": {"resultId": none}})),
        json!({"name": "RecordOptional", "data": {"record": null, "warnings": []}})
    );

    c.close_session(&session_id);
    c.close_driver(&driver_id);
    server.finish().unwrap();
}

/// A cold check logs the new connection on with the checked credentials (one LOGON); the
/// next check switches that pooled connection.
const VERIFY_AUTH_SCRIPT: &str = r#"C: LOGOFF
   LOGON {"scheme": "basic", "principal": "jane", "credentials": "wrong"}
S: SUCCESS {}
   FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "no"}
S: <EXIT>
"#;

#[test]
fn verify_authentication_answers_yes_and_no() {
    let prelude = PRELUDE.replace(
        r#""principal": "neo4j", "credentials": "pass""#,
        r#""principal": "jane", "credentials": "right""#,
    );
    let text = format!("{prelude}{VERIFY_AUTH_SCRIPT}");
    let server = BlockingStubServer::start(Script::parse(&text).unwrap()).unwrap();
    let mut c = Client::start();
    let driver_id = c.new_driver(&format!("bolt://{}", server.addr()), json!({}));
    for (password, expected) in [("right", true), ("wrong", false)] {
        let r = c.request(json!({"name": "VerifyAuthentication", "data": {
            "driverId": driver_id,
            "authorizationToken": {"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "jane", "credentials": password}}}}));
        assert_eq!(
            r,
            json!({"name": "DriverIsAuthenticated", "data": {
                "id": driver_id, "authenticated": expected}}),
            "{password}"
        );
    }
    c.close_driver(&driver_id);
    server.finish().unwrap();
}

#[test]
fn negative_transaction_timeout_is_a_driver_error() {
    let mut c = Client::start();
    let driver_id = c.new_driver("bolt://127.0.0.1:9", json!({}));
    let session_id = c.new_session(&driver_id, json!({}));
    let r = c.request(json!({"name": "SessionRun", "data": {
        "sessionId": session_id, "cypher": "RETURN 1", "params": null, "timeout": -1}}));
    assert_eq!(r["name"], "DriverError", "{r}");
    assert_eq!(r["data"]["errorType"], "ConfigError", "{r}");
}

const BEARER_SCRIPT: &str = r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "bearer", "credentials": "tok"}
S: SUCCESS {}
{*
C: RESET
S: SUCCESS {}
*}
"#;

#[test]
fn fake_time_reaches_the_driver_bearer_token_expiry() {
    let server = BlockingStubServer::start(Script::parse(BEARER_SCRIPT).unwrap()).unwrap();
    let mut c = Client::start();
    let ack = json!({"name": "FakeTimeAck", "data": {}});
    assert_eq!(
        c.request(json!({"name": "FakeTimeInstall", "data": {}})),
        ack
    );
    let r = c.request(json!({"name": "NewBearerAuthTokenManager", "data": {}}));
    let manager_id = r["data"]["id"].clone();
    let r = c.request(json!({"name": "NewDriver", "data": {
        "uri": format!("bolt://{}", server.addr()),
        "authorizationToken": null, "authTokenManagerId": manager_id}}));
    let driver_id = r["data"]["id"].clone();
    let verify = json!({"name": "VerifyConnectivity", "data": {"driverId": driver_id}});
    let answer = |cb: &Value| {
        assert_eq!(cb["name"], "BearerAuthTokenProviderRequest", "{cb}");
        json!({"name": "BearerAuthTokenProviderCompleted", "data": {
            "requestId": cb["data"]["id"],
            "auth": {"name": "AuthTokenAndExpiration", "data": {
                "auth": {"name": "AuthorizationToken", "data": {
                    "scheme": "bearer", "credentials": "tok"}},
                "expiresInMs": 10_000}}}})
    };
    let mut provider_calls = Vec::new();
    for tick_ms in [None, Some(1_000), Some(60_000)] {
        if let Some(ms) = tick_ms {
            assert_eq!(
                c.request(json!({"name": "FakeTimeTick", "data": {"incrementMs": ms}})),
                ack
            );
        }
        let (r, callbacks) = c.request_answering(verify.clone(), answer);
        assert_eq!(r, json!({"name": "Driver", "data": {"id": driver_id}}));
        provider_calls.push(callbacks.len());
    }
    // Asked first, not again while the token is fresh (fake time 1 s), again once the fake
    // clock passed its expiry (61 s) although no real time went by.
    assert_eq!(provider_calls, [1, 0, 1]);
    c.close_driver(&driver_id);
    server.finish().unwrap();
}
