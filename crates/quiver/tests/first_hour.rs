//! Issue 16: the manual's examples, ported to Rust, just work. Parameters
//! of every kind travel as the matching Cypher type, against the scripted
//! stub server.

mod common;

use common::*;
use quiver::{ErrorKind, Query, SessionConfig, Value};

#[tokio::test]
async fn unsigned_and_byte_parameters_travel_as_integers_and_bytes() {
    let server = stub(
        r##"C: RUN "RETURN $n, $len, $b, $s, $bb" {"n": 5, "len": 3, "b": {"#": "01 02 03"}, "s": {"#": "04"}, "bb": {"#": "ff"}} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["b"]}
   RECORD [{"#": "01 02 03"}]
   SUCCESS {"type": "r"}
"##,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let items = ["a", "b", "c"];
    let query = Query::from("RETURN $n, $len, $b, $s, $bb")
        .param("n", 5u64)
        .param("len", items.len())
        .param("b", vec![1u8, 2, 3])
        .param("s", &[4u8][..])
        .param("bb", bytes::Bytes::from_static(&[0xff]));
    let record = session.run(query).await.unwrap().single().await.unwrap();
    assert_eq!(record.get::<Vec<u8>>("b").unwrap(), [1, 2, 3]);
    assert_eq!(record.get::<&[u8]>("b").unwrap(), [1, 2, 3]);
    assert_eq!(
        record.get::<Value>("b").unwrap(),
        Value::Bytes(vec![1, 2, 3])
    );
    session.close().await.unwrap();
    finish(driver, server).await;
}

#[tokio::test]
async fn an_unsigned_parameter_beyond_i64_fails_before_anything_is_sent() {
    // Nothing but the connection's prelude is scripted: a RUN would fail the script.
    let server = stub("").await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let e = session
        .run(Query::from("RETURN $n").param("n", u64::MAX))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Serialization);
    assert!(e.to_string().contains("'n'"), "{e}");
    let e = driver
        .execute_query("RETURN $n")
        .param("n", u128::MAX)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Serialization);
    // Graph values are refused the same way (issue 16, item 10).
    let e = session
        .run(Query::from("RETURN $n").param("n", quiver::Node::default()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Serialization);
    assert!(e.to_string().contains("graph values"), "{e}");
    session.close().await.unwrap();
    driver.close().await;
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Meeting {
    #[serde(with = "quiver::serde::temporal")]
    day: chrono::NaiveDate,
    #[serde(with = "quiver::serde::temporal")]
    length: chrono::TimeDelta,
}

#[tokio::test]
async fn chrono_values_travel_as_cypher_temporal_types() {
    // 2024-05-17 is day 19860 of the epoch; 10:00 is 36000 s after midnight.
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE (m:Meeting {day: $day, length: $length, at: $at}) RETURN m.day AS day, m.length AS length, m.at AS at" {"day": {"@date": [19860]}, "length": {"@duration": [0, 0, 2700, 0]}, "at": {"@local_datetime": [1715940000, 0]}} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["day", "length", "at"]}
   RECORD [{"@date": [19860]}, {"@duration": [0, 0, 2700, 0]}, {"@local_datetime": [1715940000, 0]}]
   SUCCESS {"type": "rw"}
C: COMMIT
S: SUCCESS {"bookmark": "bm1"}
"#,
    )
    .await;
    let driver = driver(&server);
    let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 17).unwrap();
    let at = day.and_hms_opt(10, 0, 0).unwrap();
    let meeting = Meeting {
        day,
        length: chrono::TimeDelta::minutes(45),
    };
    let result = driver
        .execute_query("CREATE (m:Meeting {day: $day, length: $length, at: $at}) RETURN m.day AS day, m.length AS length, m.at AS at")
        .params_from(&meeting)
        .unwrap()
        .param("at", at)
        .await
        .unwrap();
    let record = &result.records[0];
    assert_eq!(record.get::<chrono::NaiveDate>("day").unwrap(), day);
    assert_eq!(record.get::<chrono::NaiveDateTime>("at").unwrap(), at);
    assert_eq!(
        record.get::<chrono::TimeDelta>("length").unwrap(),
        chrono::TimeDelta::minutes(45)
    );
    assert_eq!(record.to::<Meeting>().unwrap(), meeting);
    finish(driver, server).await;
}

const PEOPLE: &str = r#"C: RUN "MATCH (p:Person) RETURN p.name AS name, p.age AS age" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["name", "age"]}
   RECORD ["Alice", 42]
   RECORD ["Bob", null]
   SUCCESS {"type": "r"}
"#;
const PEOPLE_QUERY: &str = "MATCH (p:Person) RETURN p.name AS name, p.age AS age";

#[tokio::test]
async fn result_and_record_shortcuts() {
    let server = stub(&PEOPLE.repeat(5)).await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());

    let names: Vec<String> = session
        .run(PEOPLE_QUERY)
        .await
        .unwrap()
        .value()
        .await
        .unwrap();
    assert_eq!(names, ["Alice", "Bob"]);
    let ages: Vec<Option<i64>> = session
        .run(PEOPLE_QUERY)
        .await
        .unwrap()
        .column("age")
        .await
        .unwrap();
    assert_eq!(ages, [Some(42), None]);
    let values = session
        .run(PEOPLE_QUERY)
        .await
        .unwrap()
        .values()
        .await
        .unwrap();
    assert_eq!(
        values,
        [
            vec![Value::from("Alice"), Value::from(42)],
            vec![Value::from("Bob"), Value::Null]
        ]
    );
    let data = session
        .run(PEOPLE_QUERY)
        .await
        .unwrap()
        .data()
        .await
        .unwrap();
    assert_eq!(data[0]["name"], Value::from("Alice"));
    assert_eq!(data[1]["age"], Value::Null);

    let records = session
        .run(PEOPLE_QUERY)
        .await
        .unwrap()
        .list()
        .await
        .unwrap();
    assert_eq!(records[0].get_opt::<i64>("age").unwrap(), Some(42));
    assert_eq!(records[1].get_opt::<i64>("age").unwrap(), None);
    assert_eq!(records[1].get_opt::<i64>("height").unwrap(), None);
    assert_eq!(records[1].get_or("age", -1i64).unwrap(), -1);
    assert_eq!(records[1].data().unwrap()["name"], Value::from("Bob"));
    session.close().await.unwrap();
    finish(driver, server).await;
}

#[test]
fn blocking_result_shortcuts() {
    use quiver_test_support::stub::BlockingStubServer;
    let server = BlockingStubServer::start(script(&PEOPLE.repeat(3))).unwrap();
    let driver = quiver::blocking::Driver::with_config(
        &format!("bolt://{}", server.addr()),
        auth(),
        quiver::Config::builder()
            .max_connection_pool_size(1)
            .build()
            .unwrap(),
    )
    .unwrap();
    let mut session = driver.session(SessionConfig::default());
    let names: Vec<String> = session.run(PEOPLE_QUERY).unwrap().value().unwrap();
    assert_eq!(names, ["Alice", "Bob"]);
    let ages: Vec<Option<i64>> = session.run(PEOPLE_QUERY).unwrap().column("age").unwrap();
    assert_eq!(ages, [Some(42), None]);
    let data = session.run(PEOPLE_QUERY).unwrap().data().unwrap();
    assert_eq!(data[1]["name"], Value::from("Bob"));
    session.close().unwrap();
    driver.close();
}

#[tokio::test]
async fn foreign_errors_in_transaction_functions_roll_back_and_are_not_retried() {
    // One attempt only: a retry would send a second BEGIN, which the script refuses.
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN '12x' AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD ["12x"]
   SUCCESS {"type": "r"}
C: ROLLBACK
S: SUCCESS {}
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let e = session
        .execute_write(|tx| async move {
            let text: String = tx
                .run("RETURN '12x' AS n")
                .await?
                .single()
                .await?
                .get("n")?;
            let n: i64 = text.parse().map_err(quiver::Error::user)?;
            Ok(n)
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::User);
    assert!(!e.is_retryable());
    assert!(std::error::Error::source(&e)
        .unwrap()
        .is::<std::num::ParseIntError>());
    session.close().await.unwrap();
    let report = finish(driver, server).await;
    assert!(report
        .connection(0)
        .unwrap()
        .received()
        .contains(&"ROLLBACK"));
}

/// The blocking `ExecuteQuery::run_with`: a result transformer, run again
/// when the transaction is retried (here a transient failure on COMMIT).
#[test]
fn blocking_execute_query_run_with_retries_the_transformer() {
    use quiver_test_support::stub::BlockingStubServer;
    let attempt = |x: i64, commit: &str| {
        format!(
            r#"C: BEGIN {{}}
   RUN "RETURN 1 AS x" {{}} {{}}
   PULL {{"n": 1000}}
S: SUCCESS {{}}
   SUCCESS {{"fields": ["x"]}}
   RECORD [{x}]
   SUCCESS {{"type": "r"}}
C: COMMIT
S: {commit}
"#
        )
    };
    let body = attempt(
        1,
        r#"FAILURE {"code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "deadlock"}"#,
    ) + &attempt(2, r#"SUCCESS {"bookmark": "b1"}"#);
    let server = BlockingStubServer::start(script(&body)).unwrap();
    let driver = quiver::blocking::Driver::with_config(
        &format!("bolt://{}", server.addr()),
        auth(),
        quiver::Config::builder()
            .max_connection_pool_size(1)
            .build()
            .unwrap(),
    )
    .unwrap();
    let mut seen = Vec::new();
    let x: i64 = driver
        .execute_query("RETURN 1 AS x")
        .run_with(|mut result| {
            let x: i64 = result.single()?.get("x")?;
            seen.push(x);
            Ok(x)
        })
        .unwrap();
    assert_eq!(x, 2);
    assert_eq!(seen, [1, 2], "the transformer ran once per attempt");
    driver.close();
    server.finish().unwrap();
}

/// On a server that is down, `execute_query` retries for the retry time and
/// no longer: the last backoff ends at it (it used to overshoot, 6.8 s for
/// 3 s).
#[tokio::test]
async fn execute_query_on_a_dead_server_retries_within_the_retry_time() {
    // A port nobody listens on.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let clock = quiver::FakeClock::new();
    let config = quiver::Config::builder()
        .max_transaction_retry_time(std::time::Duration::from_secs(3))
        .build()
        .unwrap();
    let driver = quiver::Driver::builder(&format!("bolt://{addr}"))
        .auth(auth())
        .config(config)
        .clock(std::sync::Arc::new(clock.clone()))
        .build()
        .unwrap();
    let e = driver.execute_query("RETURN 1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ServiceUnavailable);
    let sleeps = clock.sleeps();
    assert!(sleeps.len() >= 2, "{sleeps:?}");
    let waited: std::time::Duration = sleeps.iter().sum();
    assert!(waited <= std::time::Duration::from_secs(3), "{sleeps:?}");
    assert!(
        waited >= std::time::Duration::from_millis(2900),
        "{sleeps:?}"
    );
    driver.close().await;
}

/// Transaction functions take a TransactionConfig without naming the access
/// mode as a value: execute_read_with / execute_write_with.
#[tokio::test]
async fn transaction_functions_with_a_config() {
    let server = stub(
        r#"C: BEGIN {"tx_timeout": 5000, "tx_metadata": {"app": "t"}, "mode": "r"}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "b1"}
C: BEGIN {"bookmarks": ["b1"], "tx_timeout": 5000, "tx_metadata": {"app": "t"}}
S: SUCCESS {}
C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "b2"}
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let config = || {
        quiver::TransactionConfig::new()
            .with_timeout(std::time::Duration::from_secs(5))
            .with_metadata_entry("app", "t")
    };
    let read: i64 = session
        .execute_read_with(config(), |tx| async move {
            tx.run("RETURN 1 AS x").await?.single().await?.get("x")
        })
        .await
        .unwrap();
    let written: i64 = session
        .execute_write_with(config(), |tx| async move {
            tx.run("RETURN 1 AS x").await?.single().await?.get("x")
        })
        .await
        .unwrap();
    assert_eq!((read, written), (1, 1));
    session.close().await.unwrap();
    finish(driver, server).await;
}
