//! At DEBUG the driver logs each Bolt message with its fields (query text,
//! bookmarks, database, metadata), parameters only at TRACE, and never
//! credentials (issue 16, item 8).

mod common;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use quiver::{params, AuthToken, SessionConfig};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

const SECRET: &str = "pa55-w0rd-XYZ";
const PARAM: &str = "param-value-123";

/// Keeps the driver's events up to `max` level.
#[derive(Clone)]
struct Capture {
    max: Level,
    text: Arc<Mutex<String>>,
    next_id: Arc<AtomicU64>,
}

struct Collect<'a>(&'a mut String);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        *meta.level() <= self.max
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let target = event.metadata().target();
        if target.starts_with("quiver") && !target.starts_with("quiver_test_support") {
            let mut text = self.text.lock().unwrap();
            let _ = write!(text, "\n{} {target}:", event.metadata().level());
            event.record(&mut Collect(&mut text));
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

async fn run_logged(max: Level) -> String {
    let capture = Capture {
        max,
        text: Arc::default(),
        next_id: Arc::default(),
    };
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = quiver_test_support::stub::StubServer::start(raw_script(&format!(
        r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {{"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}}
C: LOGON {{"scheme": "basic", "principal": "neo4j", "credentials": "{SECRET}"}}
S: SUCCESS {{}}
C: BEGIN {{"bookmarks": ["bm-7"], "db": "movies", "tx_metadata": {{"app": "logs"}}}}
S: SUCCESS {{}}
C: RUN "RETURN $p AS p" {{"p": "{PARAM}"}} {{}}
   PULL {{"n": 1000}}
S: SUCCESS {{"fields": ["p"]}}
   RECORD ["{PARAM}"]
   SUCCESS {{"type": "r"}}
C: COMMIT
S: SUCCESS {{"bookmark": "bm-8"}}
"#
    )))
    .await
    .unwrap();
    let driver = quiver::Driver::builder(&format!("bolt://{}", server.addr()))
        .auth(AuthToken::basic("neo4j", SECRET))
        .config(
            quiver::Config::builder()
                .max_connection_pool_size(1)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let mut session = driver.session(
        SessionConfig::builder()
            .database("movies")
            .bookmarks(quiver::Bookmarks::from_raw_values(["bm-7"]))
            .build(),
    );
    let config = quiver::TransactionConfig::new().with_metadata_entry("app", "logs");
    session
        .execute_write_with(config, |tx| async move {
            tx.run(("RETURN $p AS p", params! { "p" => PARAM }))
                .await?
                .consume()
                .await?;
            Ok(())
        })
        .await
        .unwrap();
    session.close().await.unwrap();
    finish(driver, server).await;
    let text = capture.text.lock().unwrap().clone();
    text
}

// Current-thread runtimes: every task runs where the capture is the default.
#[tokio::test(flavor = "current_thread")]
async fn debug_shows_messages_with_their_fields_but_not_parameters() {
    let logs = run_logged(Level::DEBUG).await;
    for wanted in ["C: BEGIN", "C: RUN", "C: PULL", "C: COMMIT", "S: SUCCESS"] {
        assert!(logs.contains(wanted), "no {wanted}:\n{logs}");
    }
    assert!(logs.contains("RETURN $p AS p"), "no query text:\n{logs}");
    assert!(logs.contains("bm-7"), "no bookmarks:\n{logs}");
    assert!(logs.contains("movies"), "no database:\n{logs}");
    assert!(logs.contains("bm-8"), "no SUCCESS metadata:\n{logs}");
    assert!(!logs.contains(PARAM), "parameters at DEBUG:\n{logs}");
    assert!(!logs.contains(SECRET), "credentials in the logs:\n{logs}");
}

#[tokio::test(flavor = "current_thread")]
async fn trace_adds_parameters_and_still_no_credentials() {
    let logs = run_logged(Level::TRACE).await;
    assert!(logs.contains(PARAM), "no parameters at TRACE:\n{logs}");
    assert!(!logs.contains(SECRET), "credentials in the logs:\n{logs}");
}
