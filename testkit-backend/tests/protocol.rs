//! The backend over real TCP, as TestKit talks to it: framed requests in, framed responses out.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::{start_backend, Client};
use serde_json::{json, Value};

fn backend_error_msg(response: &Value) -> String {
    assert_eq!(response["name"], "BackendError", "{response}");
    response["data"]["msg"].as_str().unwrap().to_owned()
}

#[test]
fn get_features_lists_exactly_the_advertised_features() {
    let mut c = Client::start();
    let r = c.request(json!({"name": "GetFeatures", "data": {}}));
    assert_eq!(r["name"], "FeatureList");
    let got: Vec<String> = serde_json::from_value(r["data"]["features"].clone()).unwrap();
    let want: Vec<String> = testkit_backend::features::FEATURES
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn start_test_and_subtest_run_by_default() {
    let mut c = Client::start();
    let r = c.request(json!({"name": "StartTest", "data": {
        "testName": "stub.basic_query.test_basic_query.TestBasicQuery.test_5x0_populates_node_element_id_with_string"}}));
    assert_eq!(r, json!({"name": "RunTest", "data": {}}));
    let r = c.request(json!({"name": "StartSubTest", "data": {
        "testName": "neo4j.datatypes.test_temporal_types.TestDataTypes.test_should_echo_all_timezone_ids",
        "subtestArguments": {"tz_id": "Europe/Stockholm"}}}));
    assert_eq!(r, json!({"name": "RunTest", "data": {}}));
}

#[test]
fn bad_requests_get_backend_errors_and_the_connection_keeps_working() {
    let mut c = Client::start();

    let msg = backend_error_msg(&c.request(json!({"name": "Frobnicate", "data": {}})));
    assert!(msg.contains("unknown request type: Frobnicate"), "{msg}");

    c.send_raw("#request begin\n{\"name\": \"GetFeatures\", \"data\": \n#request end\n");
    let msg = backend_error_msg(&c.recv());
    assert!(msg.contains("malformed request"), "{msg}");

    let msg = backend_error_msg(&c.request(json!({"name": "SessionClose", "data": {}})));
    assert!(
        msg.contains("invalid SessionClose request") && msg.contains("sessionId"),
        "{msg}"
    );

    let msg = backend_error_msg(&c.request(json!(["not", "an", "object"])));
    assert!(msg.contains("malformed request"), "{msg}");

    // A block opened inside a block: reported, then the inner block is served.
    c.send_raw("#request begin\n{\n#request begin\n{\"name\": \"GetFeatures\", \"data\": {}}\n#request end\n");
    let msg = backend_error_msg(&c.recv());
    assert!(msg.contains("broken request framing"), "{msg}");
    assert_eq!(c.recv()["name"], "FeatureList");

    // Still alive.
    let r = c.request(json!({"name": "GetFeatures", "data": {}}));
    assert_eq!(r["name"], "FeatureList");
}

#[test]
fn noise_outside_blocks_and_multi_line_json_are_fine() {
    let mut c = Client::start();
    c.send_raw("some log line\n\n#request begin\n{\n  \"name\": \"GetFeatures\",\n  \"data\": {}\n}\n#request end\n");
    assert_eq!(c.recv()["name"], "FeatureList");
}

#[test]
fn requests_on_unknown_objects_are_backend_errors() {
    let mut c = Client::start();
    for (name, data, kind) in [
        (
            "SessionRun",
            json!({"sessionId": 1, "cypher": "RETURN 1", "params": {}}),
            "session",
        ),
        ("ResultNext", json!({"resultId": 2}), "result"),
        ("TransactionCommit", json!({"txId": 3}), "transaction"),
        ("VerifyConnectivity", json!({"driverId": 4}), "driver"),
        ("RetryablePositive", json!({"sessionId": 5}), "session"),
    ] {
        let r = c.request(json!({"name": name, "data": data}));
        let msg = backend_error_msg(&r);
        assert!(
            msg.starts_with(&format!("unknown {kind} id")),
            "{name}: {msg}"
        );
    }
}

#[test]
fn unsupported_requests_say_so() {
    let mut c = Client::start();
    let r = c.request(json!({"name": "CypherTypeField", "data": {
        "resultId": 0, "recordKey": "n", "type": "Node", "field": "labels"}}));
    assert_eq!(backend_error_msg(&r), "not supported yet: CypherTypeField");
    // Client certificate rotation: quiver loads a driver's certificate once.
    let r = c.request(json!({"name": "NewDriver", "data": {
        "uri": "bolt://127.0.0.1:9", "authorizationToken": null,
        "clientCertificateProviderId": 1}}));
    assert!(
        backend_error_msg(&r).starts_with("not supported yet: clientCertificateProviderId"),
        "{r}"
    );
}

#[test]
fn fake_time_install_tick_uninstall() {
    let mut c = Client::start();
    let ack = json!({"name": "FakeTimeAck", "data": {}});
    let msg =
        backend_error_msg(&c.request(json!({"name": "FakeTimeTick", "data": {"incrementMs": 5}})));
    assert!(msg.contains("without FakeTimeInstall"), "{msg}");
    assert_eq!(
        c.request(json!({"name": "FakeTimeInstall", "data": {}})),
        ack
    );
    assert_eq!(
        c.request(json!({"name": "FakeTimeTick", "data": {"incrementMs": 1000}})),
        ack
    );
    let msg =
        backend_error_msg(&c.request(json!({"name": "FakeTimeTick", "data": {"incrementMs": -1}})));
    assert!(msg.contains("negative"), "{msg}");
    assert_eq!(
        c.request(json!({"name": "FakeTimeUninstall", "data": {}})),
        ack
    );
}

#[test]
fn callback_owners_get_ids_and_close() {
    let mut c = Client::start();
    let mut ids = Vec::new();
    for (request, response) in [
        ("NewAuthTokenManager", "AuthTokenManager"),
        ("NewBasicAuthTokenManager", "BasicAuthTokenManager"),
        ("NewBearerAuthTokenManager", "BearerAuthTokenManager"),
    ] {
        let r = c.request(json!({"name": request, "data": {}}));
        assert_eq!(r["name"], response);
        ids.push(r["data"]["id"].clone());
    }
    // One id space for all three kinds.
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_ne!(ids[0], ids[2]);
    // Close answers `AuthTokenManager` whatever the kind; closing twice is an error.
    let r = c.request(json!({"name": "AuthTokenManagerClose", "data": {"id": ids[1]}}));
    assert_eq!(
        r,
        json!({"name": "AuthTokenManager", "data": {"id": ids[1]}})
    );
    let msg = backend_error_msg(
        &c.request(json!({"name": "AuthTokenManagerClose", "data": {"id": ids[1]}})),
    );
    assert!(msg.contains("unknown auth token manager id"), "{msg}");

    let r = c.request(json!({"name": "NewBookmarkManager", "data": {
        "initialBookmarks": ["bm1"], "bookmarksSupplierRegistered": true,
        "bookmarksConsumerRegistered": true}}));
    assert_eq!(r["name"], "BookmarkManager", "{r}");
    let r = c.request(json!({"name": "NewBookmarkManager", "data": {
        "initialBookmarks": ["bm1"], "bookmarksSupplierRegistered": false,
        "bookmarksConsumerRegistered": false}}));
    assert_eq!(r["name"], "BookmarkManager");
    let bm = r["data"]["id"].clone();
    let r = c.request(json!({"name": "BookmarkManagerClose", "data": {"id": bm}}));
    assert_eq!(r, json!({"name": "BookmarkManager", "data": {"id": bm}}));

    let r = c.request(json!({"name": "NewClientCertificateProvider", "data": {}}));
    assert_eq!(r["name"], "ClientCertificateProvider");
    let cp = r["data"]["id"].clone();
    let r = c.request(json!({"name": "ClientCertificateProviderClose", "data": {"id": cp}}));
    assert_eq!(
        r,
        json!({"name": "ClientCertificateProvider", "data": {"id": cp}})
    );
}

#[test]
fn stray_callback_answer_is_an_error_not_a_crash() {
    let mut c = Client::start();
    let msg = backend_error_msg(&c.request(json!({"name": "ResolverResolutionCompleted",
        "data": {"requestId": 12345, "addresses": []}})));
    assert!(msg.contains("12345"), "{msg}");
    assert_eq!(
        c.request(json!({"name": "GetFeatures", "data": {}}))["name"],
        "FeatureList"
    );
}

#[test]
fn connections_are_served_one_after_another() {
    let addr = start_backend();
    for _ in 0..3 {
        let mut c = Client::connect(addr);
        let r = c.request(json!({"name": "NewAuthTokenManager", "data": {}}));
        assert_eq!(r["name"], "AuthTokenManager");
        drop(c);
    }
    // Objects do not survive their connection.
    let mut c = Client::connect(addr);
    let msg =
        backend_error_msg(&c.request(json!({"name": "AuthTokenManagerClose", "data": {"id": 0}})));
    assert!(msg.contains("unknown auth token manager id 0"), "{msg}");
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_binds_port_zero_and_says_where() {
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_testkit-backend"))
            .args(["--host", "127.0.0.1", "--port", "0"])
            .env_remove("TEST_BACKEND_PORT")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("Listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    let mut c = Client::connect(addr);
    assert_eq!(
        c.request(json!({"name": "GetFeatures", "data": {}}))["name"],
        "FeatureList"
    );
}

#[test]
fn binary_rejects_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_testkit-backend"))
        .args(["--port", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port"));
}
