//! Hostile input through the public API: a stub server answers a query
//! with forged bytes (4 GB string header, a list of 2^32 - 1 items, deep
//! nesting, unknown message and structure tags, a record with the wrong
//! number of fields, SUCCESS with wrong metadata types). Each gives a clear
//! error (no panic, no hang, no huge allocation) and leaves no connection in
//! use; where the stream can no longer be trusted, the connection is not
//! reused.

mod common;

use std::time::Duration;

use common::*;
use quiver::{Driver, ErrorKind, SessionConfig};
use quiver_test_support::stub::StubServer;

/// A message body as one chunk plus the end marker, in `<RAW>` notation.
fn raw_message(body: &[u8]) -> String {
    let mut bytes = u16::try_from(body.len()).unwrap().to_be_bytes().to_vec();
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(&[0, 0]);
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("<RAW> {}", hex.join(" "))
}

/// RECORD [value]: `B1 71 91 <value>`.
fn record_of(value: &[u8]) -> String {
    let mut body = vec![0xB1, 0x71, 0x91];
    body.extend_from_slice(value);
    raw_message(&body)
}

const RUN: &str = r#"C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
"#;

/// Runs `RETURN 1 AS x` in a session of its own, which it closes: the one
/// record, which must be there.
async fn the_record(driver: &Driver) -> quiver::Record {
    let mut session = driver.session(SessionConfig::default());
    let record = session
        .run("RETURN 1 AS x")
        .await
        .unwrap()
        .single()
        .await
        .unwrap();
    session.close().await.unwrap();
    record
}

/// Runs `RETURN 1 AS x` and reads every record: the first error, within a
/// bound.
async fn query_error(driver: &Driver) -> quiver::Error {
    let work = async {
        let mut session = driver.session(SessionConfig::default());
        let mut result = session.run("RETURN 1 AS x").await?;
        while let Some(record) = result.next().await {
            let record = record?;
            // Reading the value is part of the query.
            let _: quiver::Value = record.get("x")?;
        }
        result.consume().await?;
        session.close().await?;
        quiver::Result::Ok(())
    };
    match tokio::time::timeout(Duration::from_secs(5), work).await {
        Err(_) => panic!("the driver hung on hostile input"),
        Ok(Ok(())) => panic!("hostile input was accepted"),
        Ok(Err(e)) => e,
    }
}

async fn hostile(after_run: &str) -> (quiver::Error, Driver, StubServer) {
    let server = stub(&format!("{RUN}{after_run}\n")).await;
    let driver = driver(&server);
    let err = query_error(&driver).await;
    until_idle(&driver).await;
    (err, driver, server)
}

async fn end(driver: Driver, server: StubServer) {
    driver.close().await;
    // Whether the stub saw its script to the end depends on where the
    // driver gave up; the driver's side is what these tests check.
    let _ = server.finish().await;
}

fn assert_protocol(err: &quiver::Error) {
    assert!(
        matches!(err.kind(), ErrorKind::Protocol | ErrorKind::Deserialization),
        "{:?}: {err}",
        err.kind()
    );
}

#[tokio::test]
async fn a_string_with_a_4_gb_length_header() {
    let (err, driver, server) = hostile(&format!(
        "S: SUCCESS {{\"fields\": [\"x\"]}}\n   {}\n   SUCCESS {{\"type\": \"r\"}}",
        record_of(&[0xD2, 0xFF, 0xFF, 0xFF, 0xFF, b'a'])
    ))
    .await;
    assert_protocol(&err);
    end(driver, server).await;
}

#[tokio::test]
async fn a_list_of_2_pow_32_minus_1_items() {
    let (err, driver, server) = hostile(&format!(
        "S: SUCCESS {{\"fields\": [\"x\"]}}\n   {}\n   SUCCESS {{\"type\": \"r\"}}",
        record_of(&[0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    ))
    .await;
    assert_protocol(&err);
    end(driver, server).await;
}

#[tokio::test]
async fn a_map_with_a_forged_size() {
    let (err, driver, server) = hostile(&format!(
        "S: SUCCESS {{\"fields\": [\"x\"]}}\n   {}\n   SUCCESS {{\"type\": \"r\"}}",
        record_of(&[0xDA, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, b'k', 0x01])
    ))
    .await;
    assert_protocol(&err);
    end(driver, server).await;
}

#[tokio::test]
async fn deep_nesting_is_refused_without_overflowing_the_stack() {
    // 60 000 nested one-item lists: far deeper than any real value.
    let mut value = vec![0x91; 60_000];
    value.push(0x01);
    let (err, driver, server) = hostile(&format!(
        "S: SUCCESS {{\"fields\": [\"x\"]}}\n   {}\n   SUCCESS {{\"type\": \"r\"}}",
        record_of(&value)
    ))
    .await;
    assert_protocol(&err);
    end(driver, server).await;
}

/// A structure the driver does not know is kept as it came (tag and
/// fields), as the official drivers do: a value, not an error or a panic.
#[tokio::test]
async fn an_unknown_structure_tag_in_a_record_is_kept_raw() {
    let server = stub(&format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   {}\n   SUCCESS {{\"type\": \"r\"}}\n",
        record_of(&[0xB1, 0x99, 0x01])
    ))
    .await;
    let driver = driver(&server);
    let record = the_record(&driver).await;
    match record.get::<quiver::Value>("x").unwrap() {
        quiver::Value::Structure(s) => {
            assert_eq!(s.tag, 0x99);
            assert_eq!(s.fields, vec![quiver::Value::Integer(1)]);
        }
        other => panic!("{other:?}"),
    }
    finish(driver, server).await;
}

#[tokio::test]
async fn an_unknown_message_tag() {
    let (err, driver, server) = hostile(&format!("S: {}", raw_message(&[0xB0, 0x55]))).await;
    assert_protocol(&err);
    assert!(format!("{err:?}").contains("0x55"), "{err:?}");
    end(driver, server).await;
}

#[tokio::test]
async fn a_message_that_is_not_a_structure() {
    let (err, driver, server) = hostile(&format!("S: {}", raw_message(&[0x01, 0x02, 0x03]))).await;
    assert_protocol(&err);
    end(driver, server).await;
}

#[tokio::test]
async fn a_record_with_the_wrong_number_of_fields() {
    let (err, driver, server) = hostile(
        r#"S: SUCCESS {"fields": ["x"]}
   RECORD [1, 2]
   SUCCESS {"type": "r"}"#,
    )
    .await;
    assert_protocol(&err);
    let text = err.to_string();
    assert!(text.contains('2') && text.contains('1'), "{text}");
    end(driver, server).await;
}

#[tokio::test]
async fn a_record_with_too_few_fields() {
    let (err, driver, server) = hostile(
        r#"S: SUCCESS {"fields": ["x", "y"]}
   RECORD [1]
   SUCCESS {"type": "r"}"#,
    )
    .await;
    assert_protocol(&err);
    end(driver, server).await;
}

// A `fields` that is not a list of strings is a protocol error.
#[tokio::test]
async fn success_with_fields_of_the_wrong_type() {
    let (err, driver, server) = hostile(
        r#"S: SUCCESS {"fields": 5}
   SUCCESS {"type": "r"}"#,
    )
    .await;
    assert_protocol(&err);
    end(driver, server).await;
}

// A `fields` that is not a list of strings is a protocol error.
#[tokio::test]
async fn success_with_field_names_that_are_not_strings() {
    let (err, driver, server) = hostile(
        r#"S: SUCCESS {"fields": [1, 2]}
   SUCCESS {"type": "r"}"#,
    )
    .await;
    assert_protocol(&err);
    end(driver, server).await;
}

#[tokio::test]
async fn a_summary_with_metadata_of_the_wrong_types_is_not_a_panic() {
    let server = stub(&format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"], \"t_first\": \"soon\"}}\n   RECORD [1]\n   SUCCESS {{\"type\": 7, \"bookmark\": 3, \"db\": [], \"t_last\": -5, \"stats\": \"many\", \"notifications\": 1}}\n"
    ))
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let outcome = tokio::time::timeout(Duration::from_secs(5), async {
        let mut result = session.run("RETURN 1 AS x").await?;
        result.consume().await
    })
    .await
    .expect("hung");
    // Either a protocol error, or a summary that ignores what it cannot
    // read: never a panic, never garbage.
    match outcome {
        Err(e) => assert_protocol(&e),
        Ok(summary) => {
            assert_eq!(summary.result_available_after(), None);
            assert_eq!(summary.result_consumed_after(), None);
        }
    }
    drop(session);
    until_idle(&driver).await;
    end(driver, server).await;
}

#[tokio::test]
async fn hello_success_with_wrong_metadata_types() {
    let server = StubServer::start(raw_script(
        r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": 5, "connection_id": ["x"], "hints": "none"}
C: LOGON *
S: SUCCESS {}
{?
    C: RUN "RETURN 1 AS x" {} {}
       PULL {"n": 1000}
    S: SUCCESS {"fields": ["x"]}
       RECORD [1]
       SUCCESS {"type": "r"}
?}
"#,
    ))
    .await
    .unwrap();
    let driver = driver(&server);
    let outcome = tokio::time::timeout(Duration::from_secs(5), async {
        let mut session = driver.session(SessionConfig::default());
        session
            .run("RETURN 1 AS x")
            .await?
            .single()
            .await?
            .get::<i64>("x")
    })
    .await
    .expect("hung");
    match outcome {
        Err(e) => assert_protocol(&e),
        Ok(x) => assert_eq!(x, 1),
    }
    until_idle(&driver).await;
    end(driver, server).await;
}

/// After a framing-level error the connection is not reused: the next query
/// runs on a new connection (the stub's second script).
#[tokio::test]
async fn a_connection_with_an_unreadable_message_is_not_reused() {
    let first = script(&format!("{RUN}S: {}\n", raw_message(&[0xB0, 0x55])));
    let second = script(&format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\n"
    ));
    let server = StubServer::start_many(vec![first, second]).await.unwrap();
    let driver = driver(&server);
    let err = query_error(&driver).await;
    assert_protocol(&err);
    until_idle(&driver).await;
    let mut session = driver.session(SessionConfig::default());
    let x: i64 = single(&mut session, "RETURN 1 AS x", "x").await;
    assert_eq!(x, 1);
    session.close().await.unwrap();
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 2);
}

/// The second script: `RETURN 1 AS x` answered as it should be.
fn answers_one() -> quiver_test_support::stub::Script {
    script(&format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\n"
    ))
}

/// Two queries, one after the other, each reading `x`.
async fn two_queries(driver: &Driver) -> (i64, i64) {
    let work = async {
        let mut session = driver.session(SessionConfig::default());
        let a: i64 = single(&mut session, "RETURN 1 AS x", "x").await;
        session.close().await.unwrap();
        until_idle(driver).await;
        // Unasked bytes still on their way arrive meanwhile.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut session = driver.session(SessionConfig::default());
        let b: i64 = single(&mut session, "RETURN 1 AS x", "x").await;
        session.close().await.unwrap();
        (a, b)
    };
    tokio::time::timeout(Duration::from_secs(10), work)
        .await
        .expect("hung")
}

/// RECORDs after the final SUCCESS, in the same write: the query's own
/// reply is good, but the connection is not pooled; the next, unrelated
/// query runs on a new one and succeeds.
#[tokio::test]
async fn records_after_the_summary_close_the_connection() {
    let first = script(&format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\n   RECORD [2]\n   RECORD [3]\n"
    ));
    let server = StubServer::start_many(vec![first, answers_one()])
        .await
        .unwrap();
    let driver = driver(&server);
    assert_eq!(two_queries(&driver).await, (1, 1));
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 2);
}

/// The same unasked RECORDs arriving once the connection is back in the pool:
/// the pool's check on handing it out finds them and opens a new one.
#[tokio::test]
async fn records_arriving_while_pooled_close_the_connection() {
    let first = script(&format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\nS: <SLEEP 0.1>\n   RECORD [2]\n"
    ));
    let server = StubServer::start_many(vec![first, answers_one()])
        .await
        .unwrap();
    let driver = driver(&server);
    assert_eq!(two_queries(&driver).await, (1, 1));
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 2);
}

/// Keep-alive NOOP chunks between replies are not unasked bytes: the
/// connection stays pooled and serves the next query.
#[tokio::test]
async fn noops_after_the_summary_keep_the_connection() {
    let body = format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\n   <NOOP>\n   <NOOP>\n{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [1]\n   SUCCESS {{\"type\": \"r\"}}\n"
    );
    let server = stub(&body).await;
    let driver = driver(&server);
    assert_eq!(two_queries(&driver).await, (1, 1));
    let report = finish(driver, server).await;
    assert_eq!(report.connections().len(), 1);
}

/// A server that answers every PULL with `has_more: true` and no record: the
/// result fails with a protocol error after a bounded number of round trips
/// instead of pulling for ever.
#[tokio::test]
async fn endless_empty_batches_end_the_result() {
    let server = stub(&format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   SUCCESS {{\"has_more\": true}}\n{{*\nC: PULL {{\"n\": 1000}}\nS: SUCCESS {{\"has_more\": true}}\n*}}\n"
    ))
    .await;
    let driver = driver(&server);
    let started = std::time::Instant::now();
    let err = query_error(&driver).await;
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.to_string().contains("with none"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    until_idle(&driver).await;
    end(driver, server).await;
}

/// A server that stops answering after RUN: `driver.close()` ends the query
/// waiting on it (ErrorKind::Closed), so no task is left stuck on the
/// connection, and the close itself returns.
#[tokio::test]
async fn closing_the_driver_ends_work_stalled_on_a_server() {
    let server = stub(&format!("{RUN}S: <SLEEP 60>\n")).await;
    let driver = driver(&server);
    let d = driver.clone();
    let stuck = tokio::spawn(async move {
        let mut session = d.session(SessionConfig::default());
        session.run("RETURN 1 AS x").await.map(|_| ())
    });
    // Let it reach the stalled read.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!stuck.is_finished());
    tokio::time::timeout(Duration::from_secs(5), driver.close())
        .await
        .expect("close hung");
    let outcome = tokio::time::timeout(Duration::from_secs(5), stuck)
        .await
        .expect("the stalled query outlived driver.close()")
        .unwrap();
    let err = outcome.expect_err("the query can't have succeeded");
    assert_eq!(err.kind(), ErrorKind::Closed, "{err}");
    assert!(!err.is_retryable());
    // The stub is still asleep; it is dropped, not finished.
    drop(server);
}

/// A stall with `connection_read_timeout` set: the query fails within the
/// bound as a lost connection (retryable), and the connection is not reused.
async fn stall_times_out(after_run: &str) {
    stall_times_out_after(after_run, Duration::from_millis(300)).await;
}

/// [`stall_times_out`] with a read timeout of `timeout`: how long the
/// query took to fail.
async fn stall_times_out_after(after_run: &str, timeout: Duration) -> Duration {
    let server = stub(&format!("{RUN}{after_run}S: <SLEEP 10>\n")).await;
    let driver = driver_with(
        &server,
        quiver::Config::builder().connection_read_timeout(Some(timeout)),
        None,
    );
    let started = std::time::Instant::now();
    let err = query_error(&driver).await;
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable, "{err}");
    assert!(err.is_retryable(), "{err}");
    assert!(took >= timeout && took < timeout * 3, "{took:?}");
    until_idle(&driver).await;
    assert_eq!(
        driver
            .metrics()
            .into_iter()
            .map(|(_, m)| m.idle)
            .sum::<usize>(),
        0
    );
    driver.close().await;
    drop(server);
    took
}

#[tokio::test]
async fn a_stall_after_run_times_out() {
    stall_times_out("").await;
}

#[tokio::test]
async fn a_stall_after_five_records_times_out() {
    stall_times_out(
        "S: SUCCESS {\"fields\": [\"x\"]}\n   RECORD [1]\n   RECORD [2]\n   RECORD [3]\n   RECORD [4]\n   RECORD [5]\n",
    )
    .await;
}

#[tokio::test]
async fn a_stall_mid_chunk_times_out() {
    // The RUN reply, then half of a RECORD's chunk.
    stall_times_out("S: SUCCESS {\"fields\": [\"x\"]}\n   <RAW> 00 04 B1 71\n").await;
}

/// `depth` one-item lists around the int 1, as a record of one field.
fn nested_record(depth: usize) -> String {
    let mut value = vec![0x91; depth];
    value.push(0x01);
    record_of(&value)
}

/// Lists nested 129 deep (as a real server may send): the default limit
/// (128) refuses them with a message that says so, and a driver configured
/// for more reads them.
#[tokio::test]
async fn nesting_beyond_the_limit_says_so_and_the_limit_is_configurable() {
    let body = format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   {}\n   SUCCESS {{\"type\": \"r\"}}\n",
        nested_record(129)
    );
    let (err, driver, server) = hostile(&body[RUN.len()..]).await;
    assert!(
        err.to_string()
            .contains("nesting deeper than the limit of 128"),
        "{err}"
    );
    end(driver, server).await;

    let server = stub(&body).await;
    let driver = driver_with(
        &server,
        quiver::Config::builder().max_nesting_depth(200),
        None,
    );
    let record = the_record(&driver).await;
    let mut value = record.get::<quiver::Value>("x").unwrap();
    let mut depth = 0;
    while let quiver::Value::List(mut items) = value {
        depth += 1;
        value = items.pop().unwrap();
    }
    assert_eq!((depth, value), (129, quiver::Value::Integer(1)));
    finish(driver, server).await;
}

/// A record of 2,000 bytes: refused, by name, with a limit of 1,000 bytes
/// set in `quiver::Config` (the connection is not reused), and read with the
/// default limit (512 MiB).
#[tokio::test]
async fn the_message_size_limit_is_configurable() {
    // A string of 2,000 bytes: D1 07 D0 <2,000 bytes>.
    let mut value = vec![0xD1, 0x07, 0xD0];
    value.extend(std::iter::repeat_n(b'a', 2000));
    let body = format!(
        "{RUN}S: SUCCESS {{\"fields\": [\"x\"]}}\n   {}\n   SUCCESS {{\"type\": \"r\"}}\n",
        record_of(&value)
    );
    let server = stub(&body).await;
    let limited = driver_with(
        &server,
        quiver::Config::builder().max_message_size(1000),
        None,
    );
    let err = query_error(&limited).await;
    assert_protocol(&err);
    let mut messages = vec![err.to_string()];
    let mut next = std::error::Error::source(&err);
    while let Some(e) = next {
        messages.push(e.to_string());
        next = e.source();
    }
    assert!(
        messages
            .iter()
            .any(|m| m.contains("message larger than the limit of 1000 bytes")),
        "{messages:?}"
    );
    until_idle(&limited).await;
    assert_eq!(
        limited.metrics().iter().map(|(_, m)| m.idle).sum::<usize>(),
        0
    );
    end(limited, server).await;

    let server = stub(&body).await;
    let driver = driver(&server);
    let record = the_record(&driver).await;
    assert_eq!(record.get::<String>("x").unwrap().len(), 2000);
    finish(driver, server).await;
}

/// By hand (issue 15, item 1): time to fail of each stall with a read
/// timeout of 2 s.
/// `cargo test -p quiver-neo4j --test faults_hostile -- --ignored --nocapture stalls_with`
#[tokio::test]
#[ignore = "a measurement, run by hand (6 s)"]
async fn stalls_with_a_two_second_read_timeout_by_hand() {
    let two = Duration::from_secs(2);
    let cases = [
        ("after RUN", String::new()),
        (
            "after 5 records",
            "S: SUCCESS {\"fields\": [\"x\"]}\n   RECORD [1]\n   RECORD [2]\n   RECORD [3]\n   RECORD [4]\n   RECORD [5]\n".to_owned(),
        ),
        (
            "mid-chunk",
            "S: SUCCESS {\"fields\": [\"x\"]}\n   <RAW> 00 04 B1 71\n".to_owned(),
        ),
    ];
    for (name, after_run) in cases {
        let took = stall_times_out_after(&after_run, two).await;
        println!("stall {name}: failed after {took:?}");
    }
}
