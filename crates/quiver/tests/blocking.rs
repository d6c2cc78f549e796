//! The blocking API from plain threads and from a runtime's blocking thread.

mod common;

use common::{auth, PRELUDE};
use quiver::blocking::Driver;
use quiver::{params, Config, ErrorKind, FetchSize, SessionConfig, TransactionConfig};
use quiver_test_support::stub::{BlockingStubServer, Script};

fn server(body: &str) -> BlockingStubServer {
    let text = format!("{PRELUDE}{body}");
    BlockingStubServer::start(Script::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}")))
        .unwrap()
}

fn driver(server: &BlockingStubServer, fetch: FetchSize) -> Driver {
    let config = Config::builder()
        .max_connection_pool_size(1)
        .fetch_size(fetch)
        .build()
        .unwrap();
    Driver::with_config(&format!("bolt://{}", server.addr()), auth(), config).unwrap()
}

const BODY: &str = r#"C: RUN "UNWIND range(1, 3) AS x RETURN x" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
   SUCCESS {"type": "r", "bookmark": "bm1"}
C: BEGIN {"bookmarks": ["bm1"]}
S: SUCCESS {}
C: RUN "CREATE (:Person {name: $name})" {"name": "Alice"} {}
   PULL {"n": 2}
S: SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm2"}
C: BEGIN {"bookmarks": ["bm2"]}
S: SUCCESS {}
C: RUN "RETURN 1 AS one" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["one"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
"#;

fn exercise(driver: &Driver) {
    let mut session = driver.session(SessionConfig::default());
    let xs: Vec<i64> = session
        .run("UNWIND range(1, 3) AS x RETURN x")
        .unwrap()
        .map(|r| r.unwrap().get::<i64>("x").unwrap())
        .collect();
    assert_eq!(xs, [1, 2, 3]);
    session
        .execute_write(|tx| {
            tx.run((
                "CREATE (:Person {name: $name})",
                params! { "name" => "Alice" },
            ))?
            .consume()?;
            Ok(())
        })
        .unwrap();
    assert!(session.last_bookmarks().contains("bm2"));
    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .unwrap();
    let mut result = tx.run("RETURN 1 AS one").unwrap();
    assert_eq!(result.single().unwrap().get::<i64>("one").unwrap(), 1);
    tx.rollback().unwrap();
    let err = result.next().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultOutOfScope);
    session.close().unwrap();
}

#[test]
fn blocking_api_runs_and_iterates_without_async() {
    let server = server(BODY);
    let driver = driver(&server, FetchSize::Records(2));
    exercise(&driver);
    driver.close();
    server.finish().unwrap();
}

#[test]
fn blocking_api_works_on_a_runtime_blocking_thread() {
    let server = server(BODY);
    let driver = driver(&server, FetchSize::Records(2));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let d = driver.clone();
    rt.block_on(async move {
        tokio::task::spawn_blocking(move || exercise(&d))
            .await
            .unwrap();
    });
    driver.close();
    server.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_api_inside_async_code_does_not_panic() {
    // The stub's own blocking handle must live outside the runtime.
    let server = std::thread::spawn(|| server(REPEATED)).join().unwrap();
    let driver = driver(&server, FetchSize::Records(2));
    // Straight from async code (on the test's runtime), and from a worker.
    exercise_some(&driver);
    let d = driver.clone();
    tokio::spawn(async move { exercise_some(&d) })
        .await
        .unwrap();
    driver.close();
    std::thread::spawn(move || server.finish().unwrap())
        .join()
        .unwrap();
}

const REPEATED: &str = r#"{*
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
*}
"#;

fn exercise_some(driver: &Driver) {
    let mut session = driver.session(SessionConfig::default());
    let xs: Vec<i64> = session
        .run("RETURN 1 AS x")
        .unwrap()
        .map(|r| r.unwrap().get("x").unwrap())
        .collect();
    assert_eq!(xs, [1]);
    session.close().unwrap();
}

/// A blocking transaction function retried from a plain thread: the backoff's sleep is made
/// outside any runtime and must still work (it used to panic with "there is no reactor
/// running").
#[test]
fn blocking_transaction_functions_retry_from_a_plain_thread() {
    let server = server(
        r#"C: BEGIN {}
S: FAILURE {"code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "deadlock"}
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
"#,
    );
    let driver = driver(&server, FetchSize::Records(1000));
    let mut session = driver.session(SessionConfig::default());
    let mut attempts = 0;
    let x: i64 = session
        .execute_write(|tx| {
            attempts += 1;
            tx.run("RETURN 1 AS x")?.single()?.get("x")
        })
        .unwrap();
    assert_eq!(x, 1);
    assert_eq!(
        attempts, 1,
        "BEGIN failed before the function ran the first time"
    );
    session.close().unwrap();
    driver.close();
    server.finish().unwrap();
}

/// The blocking `ExecuteQuery` takes parameters from a struct and per-query credentials, and
/// the blocking result has `single_optional`, as the async ones do.
#[test]
fn blocking_execute_query_params_from_auth_and_single_optional() {
    let server = server(
        r#"C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"type": "r"}
C: LOGOFF
   LOGON {"scheme": "basic", "principal": "jane", "credentials": "secret"}
   BEGIN {}
   RUN "RETURN $name AS name" {"name": "Alice"} {}
   PULL {"n": 1000}
S: SUCCESS {}
   SUCCESS {}
   SUCCESS {}
   SUCCESS {"fields": ["name"]}
   RECORD ["Alice"]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
"#,
    );
    let driver = driver(&server, FetchSize::Records(1000));
    let mut session = driver.session(SessionConfig::default());
    let mut result = session.run("RETURN 1 AS x").unwrap();
    let optional = result.single_optional().unwrap();
    assert_eq!(optional.record.unwrap().get::<i64>("x").unwrap(), 1);
    assert_eq!(optional.warnings.len(), 1, "two records: a warning");
    session.close().unwrap();
    #[derive(serde::Serialize)]
    struct Who<'a> {
        name: &'a str,
    }
    let eager = driver
        .execute_query("RETURN $name AS name")
        .params_from(&Who { name: "Alice" })
        .unwrap()
        .auth(quiver::AuthToken::basic("jane", "secret"))
        .run()
        .unwrap();
    assert_eq!(eager.records[0].get::<String>("name").unwrap(), "Alice");
    driver.close();
    server.finish().unwrap();
}

/// An async driver used on a current-thread runtime, then wrapped for the
/// blocking API and called on that runtime's thread: its pooled connection
/// needs that very thread for IO. The call fails at once, clearly, instead
/// of hanging; the same driver still works async afterwards.
#[test]
fn blocking_on_a_current_thread_runtime_that_drives_the_connections_is_refused() {
    let server = server(
        r#"{*
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
*}
"#,
    );
    let uri = format!("bolt://{}", server.addr());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let outcome: quiver::Result<_> = rt.block_on(async move {
            let driver = quiver::Driver::new(&uri, auth()).unwrap();
            let mut session = driver.session(SessionConfig::default());
            let x: i64 = session
                .run("RETURN 1 AS x")
                .await?
                .single()
                .await?
                .get("x")?;
            assert_eq!(x, 1);
            session.close().await?;
            let blocking = Driver::from_async(driver.clone());
            let refused = blocking
                .session(SessionConfig::default())
                .run("RETURN 1 AS x")
                .map(|_| ());
            // The async API on the same runtime is unaffected.
            let mut session = driver.session(SessionConfig::default());
            let again: i64 = session
                .run("RETURN 1 AS x")
                .await?
                .single()
                .await?
                .get("x")?;
            session.close().await?;
            driver.close().await;
            quiver::Result::Ok((refused, again))
        });
        let _ = tx.send(outcome);
    });
    let outcome = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the blocking call hung");
    let (refused, again) = outcome.unwrap();
    let err = refused.expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("current-thread"), "{err}");
    assert_eq!(again, 1);
    server.finish().unwrap();
}
