//! `QueryResult::list` takes what the server still holds with one PULL for
//! all of it, whatever the fetch size (TestKit's `ResultListFetchAll`).

mod common;

use common::*;
use quiver::SessionConfig;

#[tokio::test]
async fn list_pulls_the_rest_at_once() {
    let server = stub(
        r#"C: RUN "UNWIND range(1, 5) AS x RETURN x" {} {}
   PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   RECORD [2]
   SUCCESS {"has_more": true}
C: PULL {"n": -1}
S: RECORD [3]
   RECORD [4]
   RECORD [5]
   SUCCESS {"type": "r", "bookmark": "bm1"}
"#,
    )
    .await;
    let driver = fetching_driver(&server, 2);
    let mut session = driver.session(SessionConfig::default());
    let mut result = session
        .run("UNWIND range(1, 5) AS x RETURN x")
        .await
        .unwrap();
    let first = result.next().await.unwrap().unwrap();
    assert_eq!(first.get::<i64>("x").unwrap(), 1);
    let rest = result.list().await.unwrap();
    let xs: Vec<i64> = rest.iter().map(|r| r.get("x").unwrap()).collect();
    assert_eq!(xs, [2, 3, 4, 5]);
    assert!(session.last_bookmarks().await.contains("bm1"));
    let report = finish(driver, server).await;
    let received = report.connection(0).unwrap().received();
    let pulls: Vec<&&str> = received.iter().filter(|m| m.starts_with("PULL")).collect();
    assert_eq!(pulls.len(), 2, "{received:?}");
}
