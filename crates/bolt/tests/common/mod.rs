//! Shared helpers for the stub-script tests.
#![allow(dead_code)]

use std::time::Duration;

use quiver_bolt::packstream::{Map, Value};
use quiver_bolt::{
    Address, AuthToken, Connection, ConnectionConfig, Params, Pull, Request, Response, Run,
    Success, TxExtra, Version,
};
use quiver_test_support::stub::{Report, Script, StubServer};

/// A config with basic auth and a short connect timeout.
pub fn config() -> ConnectionConfig {
    ConnectionConfig::builder()
        .auth(AuthToken::basic("neo4j", "pass"))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// The HELLO (and LOGON) lines a client of `version` must send, with the server's
/// answers. `hello_extra` is added to the HELLO pattern (e.g. `, "routing": {...}`).
pub fn login(version: Version, hello_extra: &str, hints: &str) -> String {
    let (maj, min) = (version.major, version.minor);
    let server = format!(r#"{{"server": "Neo4j/5.26.0", "connection_id": "bolt-7"{hints}}}"#);
    let auth = r#""scheme": "basic", "principal": "neo4j", "credentials": "pass""#;
    match (maj, min) {
        (4, 4) => format!(
            "C: HELLO {{\"user_agent\": \"*\", {auth}, \"patch_bolt\": [\"utc\"]{hello_extra}}}\n\
             S: SUCCESS {server}\n"
        ),
        (5, 0) => format!(
            "C: HELLO {{\"user_agent\": \"*\", {auth}{hello_extra}}}\nS: SUCCESS {server}\n"
        ),
        (5, 1) | (5, 2) => format!(
            "C: HELLO {{\"user_agent\": \"*\"{hello_extra}}}\n   LOGON {{{auth}}}\n\
             S: SUCCESS {server}\n   SUCCESS {{}}\n"
        ),
        _ => format!(
            "C: HELLO {{\"user_agent\": \"*\", \"bolt_agent\": {{\"product\": \"*\", \"...\": \"\"}}{hello_extra}}}\n\
             \x20  LOGON {{{auth}}}\n\
             S: SUCCESS {server}\n   SUCCESS {{}}\n"
        ),
    }
}

/// `!: BOLT x.y` plus the login lines plus `body`.
pub fn script(version: Version, body: &str) -> Script {
    let text = format!("!: BOLT {version}\n{}{body}", login(version, "", ""));
    Script::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A script given whole (no login lines added).
pub fn raw_script(text: &str) -> Script {
    Script::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub async fn start(script: Script) -> StubServer {
    StubServer::start(script).await.unwrap()
}

/// A stub playing [`script`]`(version, body)` and a connection to it.
pub async fn stub_and_connect(version: Version, body: &str) -> (StubServer, Connection) {
    let server = start(script(version, body)).await;
    let c = connect(&server).await;
    (server, c)
}

pub async fn connect(server: &StubServer) -> Connection {
    connect_with(server, &config()).await
}

pub async fn connect_with(server: &StubServer, config: &ConnectionConfig) -> Connection {
    Connection::connect(&Address::from(server.addr()), config)
        .await
        .unwrap()
}

/// Connecting to `server` with `config` fails: the error.
pub async fn connect_err(server: &StubServer, config: &ConnectionConfig) -> quiver_bolt::Error {
    Connection::connect(&Address::from(server.addr()), config)
        .await
        .map(|_| ())
        .unwrap_err()
}

/// A RUN of `query` with `params` and no extras.
pub fn run_with<'a>(query: &'a str, params: &'a Map) -> Run<'a> {
    Run {
        query,
        params: Params::Map(params),
        extra: TxExtra::default(),
    }
}

/// Sends `run` and PULL ALL and flushes them (no reply read).
pub async fn send_run_pull(c: &mut Connection, run: Run<'_>) {
    c.send(&Request::Run(run)).unwrap();
    c.send(&Request::Pull(Pull::ALL)).unwrap();
    c.flush().await.unwrap();
}

/// Reads records until the summary; returns (records as values, summary).
pub async fn read_result(c: &mut Connection) -> (Vec<Vec<Value>>, Success) {
    let mut rows = Vec::new();
    loop {
        match c.recv().await.unwrap() {
            Response::Record(r) => rows.push(r.values(c.options()).unwrap()),
            other => return (rows, other.into_success().unwrap()),
        }
    }
}

/// Says GOODBYE, then waits for the stub to finish its script; returns its report.
pub async fn goodbye(mut c: Connection, server: StubServer) -> Report {
    c.goodbye().await;
    server.finish().await.unwrap()
}
