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
    let items = vec!["a", "b", "c"];
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
    session.close().await.unwrap();
    driver.close().await;
}
