//! A routing driver (`neo4j://`) against a stub cluster: a router, a
//! reader and a writer, each on its own port.

mod common;

use std::time::Duration;

use common::*;
use quiver::{Config, Driver, ErrorKind, FakeClock, SessionConfig};
use quiver_test_support::stub::StubServer;

fn route(readers: &[&str], writers: &[&str], router: &str) -> String {
    let list = |a: &[&str]| {
        a.iter()
            .map(|x| format!("\"{x}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "C: ROUTE *\nS: SUCCESS {{\"rt\": {{\"ttl\": 300, \"db\": \"neo4j\", \"servers\": [\
         {{\"role\": \"ROUTE\", \"addresses\": [\"{router}\"]}}, \
         {{\"role\": \"READ\", \"addresses\": [{}]}}, \
         {{\"role\": \"WRITE\", \"addresses\": [{}]}}]}}}}\n",
        list(readers),
        list(writers)
    )
}

fn routing_driver(router: &StubServer, clock: Option<FakeClock>) -> Driver {
    let config = Config::builder()
        .max_connection_pool_size(1)
        .build()
        .unwrap();
    let mut b = Driver::builder(&format!("neo4j://{}", router.addr()))
        .auth(auth())
        .config(config);
    if let Some(c) = clock {
        b = b.clock(std::sync::Arc::new(c));
    }
    b.build().unwrap()
}

#[tokio::test]
async fn reads_go_to_readers_and_writes_to_writers() {
    let reader = stub(
        r#"C: BEGIN {"mode": "r", "db": "neo4j"}
S: SUCCESS {}
C: RUN "MATCH (n) RETURN count(n) AS n" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [3]
   SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "r1"}
C: RESET
S: SUCCESS {}
"#,
    )
    .await;
    let writer = stub(
        r#"C: BEGIN {"bookmarks": ["r1"], "db": "neo4j"}
S: SUCCESS {}
C: RUN "CREATE ()" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "w1"}
"#,
    )
    .await;
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let table = route(
        &[&reader.addr().to_string()],
        &[&writer.addr().to_string()],
        &router_addr,
    );
    // Once for "neo4j", once for the home database (server_info).
    let router = router_listener.start(script(&format!("{table}{table}")));
    let driver = routing_driver(&router, None);
    let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
    let n: i64 = session
        .execute_read(|tx| async move {
            tx.run("MATCH (n) RETURN count(n) AS n")
                .await?
                .single()
                .await?
                .get("n")
        })
        .await
        .unwrap();
    assert_eq!(n, 3);
    session
        .execute_write(|tx| async move { tx.run("CREATE ()").await?.consume().await })
        .await
        .unwrap();
    assert!(session.last_bookmarks().await.contains("w1"));
    // The reader's pooled connection is checked (the RESET above) first.
    let info = driver.server_info().await.unwrap();
    assert_eq!(info.address().to_string(), reader.addr().to_string());
    driver.close().await;
    router.finish().await.unwrap();
    reader.finish().await.unwrap();
    writer.finish().await.unwrap();
}

#[tokio::test]
async fn a_lost_connection_in_a_routing_transaction_is_session_expired() {
    let writer = stub(
        r#"C: BEGIN {"db": "neo4j"}
S: SUCCESS {}
C: RUN "CREATE ()" {} {}
   PULL {"n": 1000}
S: <KILL>
"#,
    )
    .await;
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let w = writer.addr().to_string();
    let router = router_listener.start(script(&format!(
        "{}{}",
        route(&[&w], &[&w], &router_addr),
        route(&[&w], &[], &router_addr)
    )));
    let driver = routing_driver(&router, None);
    let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
    let mut tx = begin(&mut session).await;
    let err = tx.run("CREATE ()").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionExpired, "{err}");
    assert!(err.is_retryable());
    // The transaction is done for.
    let again = tx.run("CREATE ()").await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::SessionExpired);
    drop(tx);
    // The dead server left the routing table: no writer remains.
    let err = tokio::time::timeout(Duration::from_secs(5), session.run("RETURN 1"))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ServiceUnavailable | ErrorKind::SessionExpired
        ),
        "{err}"
    );
    driver.close().await;
    writer.finish().await.unwrap();
    router.finish().await.unwrap();
}

#[tokio::test]
async fn home_database_is_pinned_per_session_and_cached_with_server_side_routing() {
    let prelude = PRELUDE.replace("!: BOLT 5.4", "!: BOLT 5.8").replace(
        r#""connection_id": "bolt-1"}"#,
        r#""connection_id": "bolt-1", "hints": {"ssr.enabled": true}}"#,
    );
    let tx = |begin: &str, bookmark: &str| {
        format!(
            "C: BEGIN {begin}\nS: SUCCESS {{\"db\": \"neo4j\"}}\n\
             C: RUN \"CREATE ()\" {{}} {{}}\n   PULL {{\"n\": 1000}}\n\
             S: SUCCESS {{\"fields\": []}}\n   SUCCESS {{\"type\": \"w\"}}\n\
             C: COMMIT\nS: SUCCESS {{\"bookmark\": \"{bookmark}\"}}\n"
        )
    };
    // Session 1: the home database is unknown, ROUTE resolves it and the
    // session names it from then on. Session 2 trusts the cache: no ROUTE,
    // no db sent (the server resolves it); it pins what the server reported.
    let server_body = format!(
        "{}{}{}{}",
        tx(r#"{"db": "neo4j"}"#, "b1"),
        tx(r#"{"bookmarks": ["b1"], "db": "neo4j"}"#, "b2"),
        tx("{}", "b3"),
        tx(r#"{"bookmarks": ["b3"], "db": "neo4j"}"#, "b4"),
    );
    let server = StubServer::start(raw_script(&format!("{prelude}{server_body}")))
        .await
        .unwrap();
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let s = server.addr().to_string();
    let router = router_listener.start(raw_script(&format!(
        "{prelude}{}",
        route(&[&s], &[&s], &router_addr)
    )));
    let driver = routing_driver(&router, None);
    let mut s1 = driver.session(SessionConfig::default());
    write(&mut s1).await;
    write(&mut s1).await;
    let mut s2 = driver.session(SessionConfig::default());
    write(&mut s2).await;
    write(&mut s2).await;
    assert!(s2.last_bookmarks().await.contains("b4"));
    driver.close().await;
    server.finish().await.unwrap();
    router.finish().await.unwrap();
}

#[tokio::test]
async fn without_server_side_routing_the_home_database_is_resolved_by_route_per_session() {
    // Bolt 5.8 but no `ssr.enabled` hint: the cache is not trusted.
    let prelude = PRELUDE.replace("!: BOLT 5.4", "!: BOLT 5.8");
    let begin = |bookmarks: &str, bookmark: &str| {
        format!(
            "C: BEGIN {{{bookmarks}\"db\": \"neo4j\"}}\nS: SUCCESS {{}}\n\
             C: RUN \"CREATE ()\" {{}} {{}}\n   PULL {{\"n\": 1000}}\n\
             S: SUCCESS {{\"fields\": []}}\n   SUCCESS {{\"type\": \"w\"}}\n\
             C: COMMIT\nS: SUCCESS {{\"bookmark\": \"{bookmark}\"}}\n"
        )
    };
    let server = StubServer::start(raw_script(&format!(
        "{prelude}{}{}",
        begin("", "b1"),
        begin("", "b2")
    )))
    .await
    .unwrap();
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let s = server.addr().to_string();
    let table = route(&[&s], &[&s], &router_addr);
    let router = router_listener.start(raw_script(&format!("{prelude}{table}{table}")));
    let driver = routing_driver(&router, None);
    for _ in 0..2 {
        let mut session = driver.session(SessionConfig::default());
        write(&mut session).await;
    }
    driver.close().await;
    server.finish().await.unwrap();
    router.finish().await.unwrap();
}

async fn write(session: &mut quiver::Session) {
    session
        .execute_write(|tx| async move {
            tx.run("CREATE ()").await?.consume().await?;
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_demoted_leader_is_dropped_and_the_work_retried_on_the_new_one() {
    let work = |begin: &str| {
        format!("C: BEGIN {begin}\nS: SUCCESS {{}}\nC: RUN \"CREATE ()\" {{}} {{}}\n   PULL {{\"n\": 1000}}\n")
    };
    let new_leader = stub(&format!(
        "{}S: SUCCESS {{\"fields\": []}}\n   SUCCESS {{\"type\": \"w\"}}\n\
         C: COMMIT\nS: SUCCESS {{\"bookmark\": \"w2\"}}\n",
        work(r#"{"db": "neo4j"}"#)
    ))
    .await;
    let old_leader = stub(&format!(
        "{}S: FAILURE {{\"code\": \"Neo.ClientError.Cluster.NotALeader\", \"message\": \"no\"}}\n   IGNORED\n",
        work(r#"{"db": "neo4j"}"#)
    ))
    .await;
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let (old, new) = (old_leader.addr().to_string(), new_leader.addr().to_string());
    let router = router_listener.start(script(&format!(
        "{}{}",
        route(&[&old], &[&old], &router_addr),
        route(&[&new], &[&new], &router_addr)
    )));
    let clock = FakeClock::new();
    let driver = routing_driver(&router, Some(clock.clone()));
    let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
    session
        .execute_write(|tx| async move { tx.run("CREATE ()").await?.consume().await })
        .await
        .unwrap();
    assert!(session.last_bookmarks().await.contains("w2"));
    assert_eq!(clock.sleeps().len(), 1);
    driver.close().await;
    router.finish().await.unwrap();
    old_leader.finish().await.unwrap();
    new_leader.finish().await.unwrap();
}

/// With a bookmark manager on a routing driver, the manager (and so its
/// supplier) is asked once for the routing table and once more for BEGIN;
/// the supplier's bookmarks go with both and never enter the manager.
#[tokio::test]
async fn supplied_bookmarks_go_with_route_and_begin_and_stay_out_of_the_manager() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use quiver::{BookmarkManager, Bookmarks, DefaultBookmarkManager};

    let writer = stub(
        r#"C: BEGIN {"bookmarks": ["adb:bm1", "extra", "s2"], "db": "neo4j"}
S: SUCCESS {}
C: RUN "CREATE ()" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": []}
   SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm1"}
"#,
    )
    .await;
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let w = writer.addr().to_string();
    let table = route(&[&w], &[&w], &router_addr).replacen(
        "C: ROUTE *",
        r#"C: ROUTE "*" ["adb:bm1", "extra", "s1"] {"db": "neo4j"}"#,
        1,
    );
    let router = router_listener.start(script(&table));
    let driver = routing_driver(&router, None);
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let manager = Arc::new(
        DefaultBookmarkManager::builder()
            .initial_bookmarks(Bookmarks::from_raw_values(["adb:bm1"]))
            .supplier(move || {
                let n = c.fetch_add(1, Ordering::SeqCst) + 1;
                Bookmarks::from_raw_values(["extra".to_owned(), format!("s{n}")])
            })
            .build(),
    );
    let mut session = driver.session(
        SessionConfig::builder()
            .database("neo4j")
            .bookmark_manager(manager.clone())
            .build(),
    );
    session
        .execute_write(|tx| async move { tx.run("CREATE ()").await?.consume().await })
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(manager.current(), Bookmarks::from_raw_values(["bm1"]));
    let next = manager.get_bookmarks().await.unwrap();
    assert_eq!(next, Bookmarks::from_raw_values(["bm1", "extra", "s3"]));
    driver.close().await;
    router.finish().await.unwrap();
    writer.finish().await.unwrap();
}

#[tokio::test]
async fn the_home_database_is_asked_for_as_the_session_user() {
    // The home database is jane's: the ROUTE that resolves it goes on a
    // connection logged on as jane, not with the driver's credentials.
    let jane = quiver::AuthToken::basic("jane", "secret");
    let as_jane = PRELUDE.replace(
        r#""principal": "neo4j", "credentials": "pass""#,
        r#""principal": "jane", "credentials": "secret""#,
    );
    let reader = StubServer::start(raw_script(&format!(
        r#"{as_jane}C: RUN "RETURN 1 AS x" {{}} {{"db": "janedb", "mode": "r"}}
   PULL {{"n": 1000}}
S: SUCCESS {{"fields": ["x"]}}
   RECORD [1]
   SUCCESS {{"type": "r"}}
"#
    )))
    .await
    .unwrap();
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let r = reader.addr().to_string();
    let table = route(&[&r], &[&r], &router_addr).replace("\"neo4j\"", "\"janedb\"");
    let router = router_listener.start(raw_script(&format!("{as_jane}{table}")));
    let driver = routing_driver(&router, None);
    let mut session = driver.session(
        SessionConfig::builder()
            .auth(jane)
            .default_access_mode(quiver::AccessMode::Read)
            .build(),
    );
    let mut result = session.run("RETURN 1 AS x").await.unwrap();
    let x: i64 = result.single().await.unwrap().get("x").unwrap();
    assert_eq!(x, 1);
    session.close().await.unwrap();
    driver.close().await;
    router.finish().await.unwrap();
    reader.finish().await.unwrap();
}

/// An auth token manager that counts `get_auth` and hands out `neo4j`/`pass`.
struct CountingAuth(std::sync::atomic::AtomicUsize);

impl quiver::AuthTokenManager for CountingAuth {
    fn get_auth(&self) -> quiver::BoxFuture<'_, quiver::Result<quiver::AuthToken>> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { Ok(auth()) })
    }

    fn handle_security_error<'a>(
        &'a self,
        _: &'a quiver::AuthToken,
        _: &'a quiver::Error,
    ) -> quiver::BoxFuture<'a, quiver::Result<bool>> {
        Box::pin(async { Ok(false) })
    }
}

/// With an auth token manager, a unit of work asks it once for itself and once more for
/// the routing table it fetches, as the official drivers do (one ask per connection taken
/// from the pool).
#[tokio::test]
async fn the_auth_token_manager_is_asked_for_the_work_and_for_the_routing_fetch() {
    let reader = stub(
        r#"C: RUN "RETURN 1 AS n" {} {"mode": "r", "db": "neo4j"}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
   RECORD [1]
   SUCCESS {"type": "r"}
"#,
    )
    .await;
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let r = reader.addr().to_string();
    let router = router_listener.start(script(&route(&[&r], &[&r], &router_addr)));
    let manager = std::sync::Arc::new(CountingAuth(Default::default()));
    let driver = Driver::builder(&format!("neo4j://{}", router.addr()))
        .auth_manager(
            std::sync::Arc::clone(&manager) as std::sync::Arc<dyn quiver::AuthTokenManager>
        )
        .build()
        .unwrap();
    let mut session = driver.session(
        SessionConfig::builder()
            .database("neo4j")
            .default_access_mode(quiver::AccessMode::Read)
            .build(),
    );
    let n: i64 = single(&mut session, "RETURN 1 AS n", "n").await;
    assert_eq!(n, 1);
    assert_eq!(manager.0.load(std::sync::atomic::Ordering::SeqCst), 2);
    driver.close().await;
    reader.finish().await.unwrap();
    router.finish().await.unwrap();
}

/// A user switch on a warm routing driver: the router connection and the reader connection
/// both switch from the driver's user to the session's (LOGOFF and LOGON), and back.
#[tokio::test]
async fn a_user_switch_switches_the_router_and_the_reader_connections() {
    let jane = r#"{"scheme": "basic", "principal": "jane", "credentials": "secret"}"#;
    let neo4j = r#"{"scheme": "basic", "principal": "neo4j", "credentials": "pass"}"#;
    let run = |n: u8, db: &str| {
        format!(
            "RUN \"RETURN {n} AS x\" {{}} {{\"db\": \"{db}\", \"mode\": \"r\"}}\n   PULL {{\"n\": 1000}}"
        )
    };
    let rows = |n: u8| {
        format!("SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [{n}]\n   SUCCESS {{\"type\": \"r\"}}")
    };
    let reader = stub(&format!(
        "C: {}\nS: {}\nC: LOGOFF\n   LOGON {jane}\n   {}\nS: SUCCESS {{}}\n   SUCCESS {{}}\n   {}\n\
         C: LOGOFF\n   LOGON {neo4j}\n   {}\nS: SUCCESS {{}}\n   SUCCESS {{}}\n   {}\n",
        run(1, "neo4j"),
        rows(1),
        run(2, "janedb"),
        rows(2),
        run(3, "neo4j"),
        rows(3)
    ))
    .await;
    let router_listener = StubServer::bind().await.unwrap();
    let router_addr = router_listener.addr().to_string();
    let r = reader.addr().to_string();
    let table = route(&[&r], &[&r], &router_addr);
    let jane_table = table.replace("\"neo4j\"", "\"janedb\"");
    let router = router_listener.start(script(&format!(
        "{table}C: LOGOFF\n   LOGON {jane}\nS: SUCCESS {{}}\n   SUCCESS {{}}\n{jane_table}\
         C: LOGOFF\n   LOGON {neo4j}\nS: SUCCESS {{}}\n   SUCCESS {{}}\n{table}"
    )));
    let driver = routing_driver(&router, None);
    for (n, auth) in [
        (1, None),
        (2, Some(quiver::AuthToken::basic("jane", "secret"))),
        (3, None),
    ] {
        let mut config = SessionConfig::builder().default_access_mode(quiver::AccessMode::Read);
        if let Some(a) = auth {
            config = config.auth(a);
        }
        let mut session = driver.session(config.build());
        let x: i64 = single(&mut session, &format!("RETURN {n} AS x"), "x").await;
        assert_eq!(x, i64::from(n));
        session.close().await.unwrap();
    }
    driver.close().await;
    let report = router.finish().await.unwrap();
    // The router's switch leaves with its ROUTE (a server may wait for the ROUTE before
    // it answers the switch).
    assert!(report
        .connection(0)
        .unwrap()
        .arrived_together(&["LOGOFF", "LOGON", "ROUTE"]));
    reader.finish().await.unwrap();
}
