//! Several results open in one explicit transaction, and what a transaction the server
//! terminated still allows (against the scripted stub server).

mod common;

use common::*;
use quiver::{ErrorKind, SessionConfig};

/// A query started while an earlier result of the same transaction still has records on
/// the server leaves that result open there: the earlier one is pulled later by its `qid`,
/// the latest one without (`list` asks for all that is left).
#[tokio::test]
async fn a_later_query_leaves_the_earlier_result_open_on_the_server() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "OUTER" {} {}
   PULL {"n": 1}
S: SUCCESS {"fields": ["x"], "qid": 1}
   RECORD ["1_1"]
   SUCCESS {"has_more": true}
C: RUN "INNER" {} {}
   PULL {"n": 1}
S: SUCCESS {"fields": ["x"], "qid": 2}
   RECORD ["2_1"]
   SUCCESS {"has_more": true}
C: PULL {"n": 1}
S: RECORD ["2_2"]
   SUCCESS {}
C: PULL {"n": -1, "qid": 1}
S: RECORD ["1_2"]
   SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm"}
"#,
    )
    .await;
    let driver = fetching_driver(&server, 1);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    let mut outer = tx.run("OUTER").await.unwrap();
    let first = outer.next().await.unwrap().unwrap();
    assert_eq!(first.get::<String>("x").unwrap(), "1_1");
    let mut inner = tx.run("INNER").await.unwrap();
    let mut seen = Vec::new();
    while let Some(r) = inner.next().await {
        seen.push(r.unwrap().get::<String>("x").unwrap());
    }
    assert_eq!(seen, ["2_1", "2_2"]);
    let rest: Vec<String> = outer
        .list()
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("x").unwrap())
        .collect();
    assert_eq!(rest, ["1_2"]);
    tx.commit().await.unwrap();
    finish(driver, server).await;
}

/// An earlier result left open is discarded (by its `qid`) before COMMIT.
#[tokio::test]
async fn commit_discards_results_left_open() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "FIRST" {} {}
   PULL {"n": 1}
S: SUCCESS {"fields": ["x"], "qid": 1}
   RECORD [1]
   SUCCESS {"has_more": true}
C: RUN "SECOND" {} {}
   PULL {"n": 1}
S: SUCCESS {"fields": ["x"], "qid": 2}
   RECORD [2]
   SUCCESS {}
C: DISCARD {"n": -1, "qid": 1}
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm"}
"#,
    )
    .await;
    let driver = fetching_driver(&server, 1);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    let mut first = tx.run("FIRST").await.unwrap();
    first.next().await.unwrap().unwrap();
    let mut second = tx.run("SECOND").await.unwrap();
    second.consume().await.unwrap();
    tx.commit().await.unwrap();
    // Read after its transaction ended: out of scope, not "consumed".
    let err = first.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultOutOfScope, "{err}");
    finish(driver, server).await;
}

const FAIL_ON_SECOND_RUN: &str = r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "FIRST" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["n"], "qid": 1}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: RUN "invalid" {} {}
   PULL {"n": 2}
S: FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input..."}
   IGNORED
"#;

/// After the server failed a query, the earlier result reports that same failure (code and
/// message byte for byte), and new work on the transaction is refused as closed.
#[tokio::test]
async fn a_terminated_transaction_reports_the_failure_and_refuses_new_work() {
    let server = stub(FAIL_ON_SECOND_RUN).await;
    let driver = fetching_driver(&server, 2);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    let mut first = tx.run("FIRST").await.unwrap();
    let err = tx.run("invalid").await.unwrap_err();
    assert_eq!(err.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    assert_eq!(err.as_server_error().unwrap().message(), "Invalid input...");

    // The earlier result: its buffered records, then the same server error.
    let err = first.consume().await.unwrap_err();
    assert_eq!(err.code(), Some("Neo.ClientError.Statement.SyntaxError"));

    let err = tx.run("RETURN 1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed, "{err}");
    assert!(err.to_string().contains("closed"), "{err}");
    let err = tx.commit().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed, "{err}");
    session.close().await.unwrap();
    finish(driver, server).await;
}

/// A result consumed inside its transaction is out of scope once the transaction ended; one
/// consumed while the transaction is open says it was consumed.
#[tokio::test]
async fn consumed_and_out_of_scope_are_told_apart() {
    let server = stub(
        r#"C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1 AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"], "qid": 1}
   RECORD [1]
   SUCCESS {}
C: ROLLBACK
S: SUCCESS {}
"#,
    )
    .await;
    let driver = driver(&server);
    let mut session = driver.session(SessionConfig::default());
    let mut tx = begin(&mut session).await;
    let mut result = tx.run("RETURN 1 AS n").await.unwrap();
    result.consume().await.unwrap();
    let err = result.peek().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultConsumed, "{err}");
    tx.rollback().await.unwrap();
    let err = result.peek().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResultOutOfScope, "{err}");
    finish(driver, server).await;
}
