//! Credentials never appear in logs or in `Debug` output: the driver's
//! `tracing` output is captured at TRACE level (every event and span field,
//! through a small subscriber of our own) while it connects, authenticates,
//! fails to authenticate and runs queries, and is searched for the secret.

mod common;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use quiver::{AuthToken, ClientCertificate, Config, Driver, ErrorKind, SessionConfig};
use quiver_test_support::stub::StubServer;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const SECRET: &str = "s3cr3t-P4ssw0rd";

/// Keeps every field of every event and span from the driver's crates
/// (not the stub server's, which logs what the client sent on purpose).
#[derive(Clone, Default)]
struct Capture {
    text: Arc<Mutex<String>>,
    next_id: Arc<AtomicU64>,
}

impl Capture {
    fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    fn ours(meta: &Metadata<'_>) -> bool {
        let target = meta.target();
        target.starts_with("quiver") && !target.starts_with("quiver_test_support")
    }
}

struct Collect<'a>(&'a mut String);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        if Capture::ours(span.metadata()) {
            let mut text = self.text.lock().unwrap();
            let _ = write!(text, "\nspan {}:", span.metadata().name());
            span.record(&mut Collect(&mut text));
        }
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut text = self.text.lock().unwrap();
        text.push_str("\nspan record:");
        values.record(&mut Collect(&mut text));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if Capture::ours(event.metadata()) {
            let mut text = self.text.lock().unwrap();
            let _ = write!(
                text,
                "\n{} {}:",
                event.metadata().level(),
                event.metadata().target()
            );
            event.record(&mut Collect(&mut text));
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn driver_on(server: &StubServer, auth: AuthToken) -> Driver {
    Driver::builder(&format!("bolt://{}", server.addr()))
        .auth(auth)
        .config(
            Config::builder()
                .max_connection_pool_size(1)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} shows the secret:\n{text}");
}

// Current-thread runtimes: every task of the test runs on the thread whose
// default subscriber is the capture.
#[tokio::test(flavor = "current_thread")]
async fn a_refused_login_logs_no_password() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = StubServer::start(raw_script(
        r#"!: BOLT 5.4
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."}
{?
    C: GOODBYE
?}
"#,
    ))
    .await
    .unwrap();
    let driver = driver_on(&server, AuthToken::basic("neo4j", SECRET));
    let err = driver.verify_connectivity().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_no_secret("the error", &format!("{err} {err:?}"));
    driver.close().await;
    let _ = server.finish().await;
    let logs = capture.text();
    // The capture did see the connection being made.
    assert!(logs.len() > 100, "too little captured:\n{logs}");
    assert_no_secret("the TRACE logs", &logs);
}

#[tokio::test(flavor = "current_thread")]
async fn a_session_with_queries_logs_no_password_and_no_token() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = StubServer::start(raw_script(&format!(
        r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {{"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}}
C: LOGON {{"scheme": "basic", "principal": "neo4j", "credentials": "{SECRET}"}}
S: SUCCESS {{}}
C: RUN "RETURN 1 AS x" {{}} {{}}
   PULL {{"n": 1000}}
S: SUCCESS {{"fields": ["x"]}}
   RECORD [1]
   SUCCESS {{"type": "r"}}
C: LOGOFF
   LOGON {{"scheme": "bearer", "credentials": "{SECRET}-token"}}
S: SUCCESS {{}}
   SUCCESS {{}}
C: RUN "RETURN 1 AS x" {{}} {{}}
   PULL {{"n": 1000}}
S: SUCCESS {{"fields": ["x"]}}
   RECORD [1]
   SUCCESS {{"type": "r"}}
"#
    )))
    .await
    .unwrap();
    let driver = driver_on(&server, AuthToken::basic("neo4j", SECRET));
    let mut session = driver.session(SessionConfig::default());
    let x: i64 = single(&mut session, "RETURN 1 AS x", "x").await;
    assert_eq!(x, 1);
    session.close().await.unwrap();
    // Session auth: the connection re-authenticates with a token.
    let mut session = driver.session(
        SessionConfig::builder()
            .auth(AuthToken::bearer(format!("{SECRET}-token")))
            .build(),
    );
    session
        .run("RETURN 1 AS x")
        .await
        .unwrap()
        .consume()
        .await
        .unwrap();
    session.close().await.unwrap();
    finish(driver, server).await;
    let logs = capture.text();
    assert!(
        logs.contains("LOGON") || logs.contains("logon") || logs.len() > 200,
        "{logs}"
    );
    assert_no_secret("the TRACE logs", &logs);
}

#[test]
fn debug_output_shows_no_secret() {
    for token in [
        AuthToken::basic("neo4j", SECRET),
        AuthToken::bearer(SECRET),
        AuthToken::kerberos(SECRET),
        AuthToken::custom("custom", "me", SECRET, None, None),
    ] {
        assert_no_secret("AuthToken's Debug", &format!("{token:?} {token:#?}"));
    }
    let config = Config::builder()
        .client_certificate(ClientCertificate::new("cert.pem", "key.pem").with_password(SECRET))
        .build()
        .unwrap();
    assert_no_secret("Config's Debug", &format!("{config:?} {config:#?}"));
    let builder = Driver::builder("bolt://127.0.0.1:7687")
        .auth(AuthToken::basic("neo4j", SECRET))
        .config(config.clone());
    assert_no_secret("DriverBuilder's Debug", &format!("{builder:?}"));
    let driver = Driver::builder("bolt://127.0.0.1:7687")
        .auth(AuthToken::basic("neo4j", SECRET))
        .build()
        .unwrap();
    assert_no_secret("Driver's Debug", &format!("{driver:?} {driver:#?}"));
    let session_config = SessionConfig::builder()
        .auth(AuthToken::basic("neo4j", SECRET))
        .build();
    assert_no_secret("SessionConfig's Debug", &format!("{session_config:?}"));
}

/// The capture itself works: an event with the secret from a `quiver`
/// target is seen (so the searches above can fail).
#[test]
fn the_capture_would_see_a_leak() {
    let capture = Capture::default();
    {
        let _guard = tracing::subscriber::set_default(capture.clone());
        tracing::trace!(target: "quiver_bolt::probe", credentials = SECRET, "leak");
        tracing::trace!(target: "quiver_test_support::stub", credentials = "stub-only");
    }
    let text = capture.text();
    assert!(text.contains(SECRET), "{text}");
    assert!(!text.contains("stub-only"), "{text}");
}
