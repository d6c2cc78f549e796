//! Routing and pooling against scripted Bolt servers on 127.0.0.1 (the stub
//! server of quiver-test-support) through real `quiver_bolt` connections.
//!
//! The stub binds its own port, so a ROUTE reply can only name servers that
//! were started before the router that sends it: each test starts its
//! servers from the last one referred to, back to the seed router.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quiver_bolt::{Connection, ConnectionConfig, Pull, Request, Response, Run};
use quiver_packstream::Value;
use quiver_pool::{
    AccessMode, AcquireRequest, Address, BoltManager, ClusterPools, FakeClock, FnResolver,
    PoolConfig, RoutingConfig,
};
use quiver_test_support::stub::{Script, StubServer};

const PRELUDE: &str = r#"!: BOLT 5.4
!: AUTO RESET GOODBYE
C: HELLO *
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON *
S: SUCCESS {}
"#;

/// A script serving `connections` connections, each playing `body` after
/// HELLO/LOGON.
fn script(connections: usize, body: &str) -> Script {
    let text = format!("!: CONNECTIONS {connections}\n{PRELUDE}{body}");
    Script::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

async fn stub(connections: usize, body: &str) -> StubServer {
    StubServer::start(script(connections, body)).await.unwrap()
}

/// Direct (no routing) pools on `server` that read time from `clock`.
fn direct_with_clock(
    server: &StubServer,
    pool_config: PoolConfig,
    clock: &FakeClock,
) -> ClusterPools<BoltManager> {
    ClusterPools::with_clock(
        parse(&addr(server)),
        Arc::new(manager()),
        pool_config,
        RoutingConfig::default(),
        Arc::new(clock.clone()),
        false,
    )
}

fn addr(server: &StubServer) -> String {
    server.addr().to_string()
}

fn list(addresses: &[&str]) -> String {
    addresses
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `C: ROUTE ...` answered with a routing table.
fn route(ttl: u64, db: &str, routers: &[&str], readers: &[&str], writers: &[&str]) -> String {
    format!(
        "C: ROUTE *\nS: SUCCESS {{\"rt\": {{\"ttl\": {ttl}, \"db\": \"{db}\", \"servers\": [\
         {{\"role\": \"ROUTE\", \"addresses\": [{}]}}, \
         {{\"role\": \"READ\", \"addresses\": [{}]}}, \
         {{\"role\": \"WRITE\", \"addresses\": [{}]}}]}}}}\n",
        list(routers),
        list(readers),
        list(writers)
    )
}

/// `C: RUN "<query>"` + PULL answered with one record holding `value`.
fn query(q: &str, value: i64) -> String {
    format!(
        "C: RUN \"{q}\" \"*\" \"*\"\n   PULL \"*\"\n\
         S: SUCCESS {{\"fields\": [\"x\"]}}\n   RECORD [{value}]\n   SUCCESS {{\"type\": \"r\"}}\n"
    )
}

/// Runs `q` and returns the single integer it returns.
async fn run(conn: &mut Connection, q: &str) -> Result<i64, quiver_bolt::Error> {
    conn.send(&Request::Run(Run::new(q)))?;
    conn.send(&Request::Pull(Pull::ALL))?;
    conn.flush().await?;
    conn.recv().await?.into_success()?;
    let mut out = None;
    loop {
        match conn.recv().await? {
            Response::Record(r) => {
                if let Some(Value::Integer(v)) = r.values(conn.options())?.first() {
                    out = Some(*v);
                }
            }
            other => {
                other.into_success()?;
                break;
            }
        }
    }
    Ok(out.unwrap_or(-1))
}

fn manager() -> BoltManager {
    let config = ConnectionConfig::builder()
        .connect_timeout(Some(Duration::from_secs(5)))
        .build()
        .unwrap();
    BoltManager::new(config)
}

/// A port nothing listens on (bound, then released).
fn dead_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let a: SocketAddr = l.local_addr().unwrap();
    drop(l);
    a.to_string()
}

fn parse(a: &str) -> Address {
    Address::parse(a).unwrap()
}

fn cluster(seed: &str, clock: &FakeClock, routing: RoutingConfig) -> ClusterPools<BoltManager> {
    ClusterPools::with_clock(
        parse(seed),
        Arc::new(manager()),
        PoolConfig::default(),
        routing,
        Arc::new(clock.clone()),
        true,
    )
}

async fn finish(servers: Vec<StubServer>) {
    for s in servers {
        let a = s.addr();
        if let Err(e) = s.finish().await {
            panic!("stub {a}: {e}");
        }
    }
}

#[tokio::test]
async fn three_member_cluster_one_writer_two_readers() {
    let writer = stub(1, &query("CREATE ()", 1)).await;
    let reader1 = stub(1, &query("MATCH (n) RETURN n", 2)).await;
    let reader2 = stub(1, &query("MATCH (n) RETURN n", 3)).await;
    let (w, r1, r2) = (addr(&writer), addr(&reader1), addr(&reader2));
    let router = stub(1, &route(300, "neo4j", &[&w, &r1, &r2], &[&r1, &r2], &[&w])).await;
    let clock = FakeClock::new();
    let cluster = cluster(&addr(&router), &clock, RoutingConfig::default());

    let mut write = cluster
        .acquire(&AcquireRequest::new(AccessMode::Write))
        .await
        .unwrap();
    assert_eq!(write.database.as_deref(), Some("neo4j"));
    assert_eq!(write.connection.address(), &parse(&w));
    assert_eq!(run(&mut write.connection, "CREATE ()").await.unwrap(), 1);

    let read = AcquireRequest::new(AccessMode::Read).database(Some("neo4j"));
    let mut a = cluster.acquire(&read).await.unwrap();
    let mut b = cluster.acquire(&read).await.unwrap();
    let mut got = vec![
        run(&mut a.connection, "MATCH (n) RETURN n").await.unwrap(),
        run(&mut b.connection, "MATCH (n) RETURN n").await.unwrap(),
    ];
    got.sort();
    assert_eq!(got, [2, 3], "one read on each reader");
    drop((write, a, b));
    cluster.close().await;
    finish(vec![writer, reader1, reader2, router]).await;
}

#[tokio::test]
async fn routing_table_is_refreshed_when_its_ttl_runs_out() {
    let reader = stub(1, &format!("{}{}", query("R", 1), query("R", 2))).await;
    let r = addr(&reader);
    let second_router = stub(1, &route(300, "db", &[&r], &[&r], &[&r])).await;
    let s2 = addr(&second_router);
    let seed = stub(1, &route(10, "db", &[&s2], &[&r], &[&r])).await;
    let clock = FakeClock::new();
    let cluster = cluster(&addr(&seed), &clock, RoutingConfig::default());
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));

    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(run(&mut c.connection, "R").await.unwrap(), 1);
    drop(c);
    clock.tick(Duration::from_secs(10));
    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(run(&mut c.connection, "R").await.unwrap(), 2);
    assert_eq!(
        cluster.routing_table(Some("db")).unwrap().ttl(),
        Duration::from_secs(300)
    );
    drop(c);
    cluster.close().await;
    finish(vec![reader, second_router, seed]).await;
}

#[tokio::test]
async fn dead_reader_is_skipped() {
    let live = stub(1, &format!("{}{}", query("R", 7), query("R", 8))).await;
    let (dead, ok) = (dead_address(), addr(&live));
    let router = stub(1, &route(300, "db", &[&ok], &[&dead, &ok], &[&ok])).await;
    let clock = FakeClock::new();
    let cluster = cluster(&addr(&router), &clock, RoutingConfig::default());
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));
    for expected in [7, 8] {
        let mut c = cluster.acquire(&req).await.unwrap();
        assert_eq!(c.connection.address(), &parse(&ok));
        assert_eq!(run(&mut c.connection, "R").await.unwrap(), expected);
    }
    let table = cluster.routing_table(Some("db")).unwrap();
    assert_eq!(table.readers(), &[parse(&ok)], "dead reader removed");
    cluster.close().await;
    finish(vec![live, router]).await;
}

#[tokio::test]
async fn leader_switch_moves_writes_to_the_new_leader() {
    let not_a_leader = concat!(
        "C: RUN \"W\" \"*\" \"*\"\n",
        "   PULL \"*\"\n",
        "S: FAILURE {\"code\": \"Neo.ClientError.Cluster.NotALeader\", \"message\": \"not leader\"}\n",
        "   IGNORED\n",
    );
    let old_leader = stub(1, not_a_leader).await;
    let new_leader = stub(1, &query("W", 5)).await;
    let (old, new) = (addr(&old_leader), addr(&new_leader));
    let second_router = stub(1, &route(300, "db", &[&old], &[&old], &[&new])).await;
    let s2 = addr(&second_router);
    let seed = stub(1, &route(300, "db", &[&s2], &[&old], &[&old])).await;
    let clock = FakeClock::new();
    let cluster = cluster(&addr(&seed), &clock, RoutingConfig::default());
    let req = AcquireRequest::new(AccessMode::Write).database(Some("db"));

    let mut c = cluster.acquire(&req).await.unwrap();
    let err = run(&mut c.connection, "W").await.unwrap_err();
    cluster.on_error(&parse(&old), Some("db"), &err);
    drop(c);
    assert!(cluster
        .routing_table(Some("db"))
        .unwrap()
        .writers()
        .is_empty());
    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(c.connection.address(), &parse(&new));
    assert_eq!(run(&mut c.connection, "W").await.unwrap(), 5);
    drop(c);
    cluster.close().await;
    finish(vec![old_leader, new_leader, second_router, seed]).await;
}

#[tokio::test]
async fn all_routers_down_then_the_resolver_fallback() {
    let reader = stub(1, &format!("{}{}", query("R", 1), query("R", 2))).await;
    let r = addr(&reader);
    let (dead1, dead2, dead3) = (dead_address(), dead_address(), dead_address());
    let first = stub(1, &route(60, "db", &[&dead1, &dead2], &[&r], &[&r])).await;
    let fallback = stub(1, &route(60, "db", &[&r], &[&r], &[&r])).await;
    let resolved: Arc<Mutex<Vec<Address>>> = Arc::new(Mutex::new(vec![parse(&addr(&first))]));
    let calls = Arc::new(Mutex::new(0));
    let (list, counter) = (Arc::clone(&resolved), Arc::clone(&calls));
    let resolver = FnResolver::new(move |a: &Address| {
        assert_eq!(a.to_string(), "cluster.invalid:7687");
        *counter.lock().unwrap() += 1;
        list.lock().unwrap().clone()
    });
    let clock = FakeClock::new();
    let routing = RoutingConfig::default().with_resolver(Some(Arc::new(resolver)));
    let cluster = cluster("cluster.invalid", &clock, routing);
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));

    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(run(&mut c.connection, "R").await.unwrap(), 1);
    drop(c);
    // The table expires; both its routers are down; the resolver now
    // answers a dead address and the fallback router.
    clock.tick(Duration::from_secs(60));
    *resolved.lock().unwrap() = vec![parse(&dead3), parse(&addr(&fallback))];
    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(run(&mut c.connection, "R").await.unwrap(), 2);
    drop(c);
    assert_eq!(*calls.lock().unwrap(), 2);
    assert_eq!(
        cluster.routing_table(Some("db")).unwrap().routers(),
        &[parse(&r)]
    );
    cluster.close().await;
    finish(vec![reader, first, fallback]).await;
}

#[tokio::test]
async fn dropped_future_mid_result_does_not_poison_the_pool() {
    let body = "C: RUN \"BIG\" \"*\" \"*\"\n   PULL \"*\"\n\
        S: SUCCESS {\"fields\": [\"x\"]}\n   RECORD [1]\n   RECORD [2]\n   RECORD [3]\n   SUCCESS {\"type\": \"r\"}\n"
        .to_owned()
        + "C: RESET\nS: SUCCESS {}\n"
        + &query("NEXT", 42);
    let text = format!("!: BOLT 5.4\n!: AUTO GOODBYE\nC: HELLO *\nS: SUCCESS {{\"server\": \"Neo4j/5.20.0\"}}\nC: LOGON *\nS: SUCCESS {{}}\n{body}");
    let server = StubServer::start(Script::parse(&text).unwrap())
        .await
        .unwrap();
    let pool_config = PoolConfig::default().with_max_size(1);
    let cluster = ClusterPools::direct(parse(&addr(&server)), manager(), pool_config);

    let task = {
        let cluster = cluster.clone();
        tokio::spawn(async move {
            let mut c = cluster
                .acquire(&AcquireRequest::new(AccessMode::Read))
                .await
                .unwrap();
            let conn = &mut c.connection;
            conn.send(&Request::Run(Run::new("BIG"))).unwrap();
            conn.send(&Request::Pull(Pull::ALL)).unwrap();
            conn.flush().await.unwrap();
            conn.recv().await.unwrap().into_success().unwrap();
            let _first = conn.recv().await.unwrap();
            std::future::pending::<()>().await;
        })
    };
    // Wait until the task is parked mid-result, then drop it.
    for _ in 0..200 {
        if cluster
            .metrics()
            .first()
            .is_some_and(|(_, m)| m.in_use == 1 && m.created == 1)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    task.abort();
    let _ = task.await;

    let mut c = cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap();
    assert!(c.connection.is_idle(), "handed out clean");
    assert_eq!(run(&mut c.connection, "NEXT").await.unwrap(), 42);
    drop(c);
    assert_eq!(
        cluster.metrics()[0].1.created,
        1,
        "the same connection, reset"
    );
    cluster.close().await;
    let report = server.finish().await.unwrap();
    assert!(report.connection(0).unwrap().received().contains(&"RESET"));
}

#[tokio::test]
async fn liveness_check_and_goodbye_on_close() {
    let body = format!(
        "{}C: RESET\nS: SUCCESS {{}}\n{}C: GOODBYE\nS: <EXIT>\n",
        query("A", 1),
        query("B", 2)
    );
    let text = format!("!: BOLT 5.4\nC: HELLO *\nS: SUCCESS {{\"server\": \"Neo4j/5.20.0\"}}\nC: LOGON *\nS: SUCCESS {{}}\n{body}");
    let server = StubServer::start(Script::parse(&text).unwrap())
        .await
        .unwrap();
    let clock = FakeClock::new();
    let pool_config =
        PoolConfig::default().with_liveness_check_after(Some(Duration::from_secs(30)));
    let cluster = direct_with_clock(&server, pool_config, &clock);
    let req = AcquireRequest::new(AccessMode::Write);
    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(run(&mut c.connection, "A").await.unwrap(), 1);
    drop(c);
    clock.tick(Duration::from_secs(31));
    let mut c = cluster.acquire(&req).await.unwrap(); // RESET round trip first
    assert_eq!(run(&mut c.connection, "B").await.unwrap(), 2);
    drop(c);
    cluster.close().await; // GOODBYE
    server.finish().await.unwrap();
}

#[tokio::test]
async fn acquisition_timeout_on_an_exhausted_pool_names_the_address() {
    let server = stub(1, "").await;
    let pool_config = PoolConfig::default()
        .with_max_size(1)
        .with_acquisition_timeout(Duration::from_millis(200));
    let cluster = ClusterPools::direct(parse(&addr(&server)), manager(), pool_config);
    let held = cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap();
    let err = cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&addr(&server)) && text.contains("max size: 1"),
        "{text}"
    );
    drop(held);
    cluster.close().await;
    server.finish().await.unwrap();
}

#[tokio::test]
async fn connection_past_its_lifetime_is_replaced() {
    let server = stub(2, &query("Q", 1)).await;
    let clock = FakeClock::new();
    let pool_config = PoolConfig::default().with_max_lifetime(Some(Duration::from_secs(3600)));
    let cluster = direct_with_clock(&server, pool_config, &clock);
    let req = AcquireRequest::new(AccessMode::Read);
    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(run(&mut c.connection, "Q").await.unwrap(), 1);
    drop(c);
    clock.tick(Duration::from_secs(3600));
    let mut c = cluster.acquire(&req).await.unwrap();
    assert_eq!(run(&mut c.connection, "Q").await.unwrap(), 1);
    drop(c);
    let m = cluster.pool_metrics(&parse(&addr(&server))).unwrap();
    assert_eq!((m.created, m.closed), (2, 1));
    cluster.close().await;
    let report = server.finish().await.unwrap();
    assert_eq!(report.connections().len(), 2);
}

#[tokio::test]
async fn closing_the_driver_fails_waiters_at_once() {
    let server = stub(1, "").await;
    let pool_config = PoolConfig::default().with_max_size(1);
    let cluster = ClusterPools::direct(parse(&addr(&server)), manager(), pool_config);
    let held = cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap();
    let waiter = {
        let cluster = cluster.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let result = cluster
                .acquire(&AcquireRequest::new(AccessMode::Read))
                .await;
            (result.map(|_| ()), started.elapsed())
        })
    };
    let address = parse(&addr(&server));
    while cluster
        .pool_metrics(&address)
        .is_none_or(|m| m.waiting == 0)
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    cluster.close().await;
    let (result, waited) = waiter.await.unwrap();
    let err = result.unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    assert!(
        waited < Duration::from_secs(5),
        "failed at once, not at the timeout"
    );
    drop(held); // closed with GOODBYE in the background
    let later = cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap_err();
    assert!(later.to_string().contains("closed"), "{later}");
    server.finish().await.unwrap();
}
