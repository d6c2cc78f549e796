//! Routing behaviour against a fake cluster: servers that are up or down and
//! answer ROUTE from a script, a manual clock for TTLs. No sockets.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quiver_pool::{
    AccessMode, AcquireRequest, Address, ClusterPools, ConnectionHealth, Error, FailureKind,
    FakeClock, FnResolver, HomeDbKey, Manager, PoolConfig, RouteReply, RouteRequest, RoutingConfig,
    RoutingManager,
};

#[derive(Debug)]
struct Conn {
    address: Address,
    health: ConnectionHealth,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind:?} from {address}")]
struct FakeError {
    kind: FailureKind,
    address: Address,
}

#[derive(Debug, Clone)]
enum Answer {
    Reply(RouteReply),
    Fail(FailureKind),
}

#[derive(Debug, Default)]
struct World {
    down: Mutex<HashSet<Address>>,
    /// ROUTE answers per server; the last one repeats.
    answers: Mutex<HashMap<Address, Vec<Answer>>>,
    /// Every ROUTE served: (server, database asked for).
    routes: Mutex<Vec<(Address, Option<String>)>>,
    connects: AtomicUsize,
    /// Servers that don't resolve the home database themselves (no
    /// server-side routing); every other one does.
    no_ssr: Mutex<Vec<Address>>,
    /// The principal each ROUTE asked as (`None`: the driver's credentials).
    route_auth: Mutex<Vec<Option<String>>>,
    /// How long a ROUTE takes to answer.
    route_delay: Mutex<Duration>,
    /// How long opening a connection to a server takes.
    connect_delay: Mutex<HashMap<Address, Duration>>,
}

#[derive(Debug, Clone, Default)]
struct Fake(Arc<World>);

impl Manager for Fake {
    type Connection = Conn;
    type Error = FakeError;

    async fn connect(&self, address: &Address) -> Result<Conn, FakeError> {
        self.0.connects.fetch_add(1, Ordering::SeqCst);
        let delay = self.0.connect_delay.lock().unwrap().get(address).copied();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        if self.0.down.lock().unwrap().contains(address) {
            return Err(FakeError {
                kind: FailureKind::Unavailable,
                address: address.clone(),
            });
        }
        Ok(Conn {
            address: address.clone(),
            health: ConnectionHealth::Ready,
        })
    }
    async fn reset(&self, conn: &mut Conn) -> Result<(), FakeError> {
        conn.health = ConnectionHealth::Ready;
        Ok(())
    }
    fn health(&self, conn: &Conn) -> ConnectionHealth {
        conn.health
    }
    async fn close(&self, _conn: Conn) {}
}

impl RoutingManager for Fake {
    async fn route(
        &self,
        conn: &mut Conn,
        request: &RouteRequest<'_>,
    ) -> Result<RouteReply, FakeError> {
        assert_eq!(request.context.get("address"), Some("seed:7687"));
        let delay = *self.0.route_delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if self.0.down.lock().unwrap().contains(&conn.address) {
            conn.health = ConnectionHealth::Broken;
            return Err(FakeError {
                kind: FailureKind::Unavailable,
                address: conn.address.clone(),
            });
        }
        self.0
            .routes
            .lock()
            .unwrap()
            .push((conn.address.clone(), request.database.map(str::to_owned)));
        self.0
            .route_auth
            .lock()
            .unwrap()
            .push(request.auth.and_then(|a| a.principal()).map(str::to_owned));
        let mut answers = self.0.answers.lock().unwrap();
        let list = answers
            .get_mut(&conn.address)
            .expect("server has no ROUTE script");
        let answer = if list.len() > 1 {
            list.remove(0)
        } else {
            list[0].clone()
        };
        match answer {
            Answer::Reply(r) => Ok(r),
            Answer::Fail(kind) => Err(FakeError {
                kind,
                address: conn.address.clone(),
            }),
        }
    }
    fn classify(&self, error: &FakeError) -> FailureKind {
        error.kind
    }
    fn resolves_home_db(&self, conn: &Conn) -> bool {
        !self.0.no_ssr.lock().unwrap().contains(&conn.address)
    }
}

fn a(s: &str) -> Address {
    Address::parse(s).unwrap()
}

fn reply(ttl: i64, db: &str, routers: &[&str], readers: &[&str], writers: &[&str]) -> Answer {
    Answer::Reply(
        RouteReply::from_parts(
            ttl,
            Some(db),
            [
                ("ROUTE", routers.to_vec()),
                ("READ", readers.to_vec()),
                ("WRITE", writers.to_vec()),
            ],
        )
        .unwrap(),
    )
}

struct Setup {
    cluster: ClusterPools<Fake>,
    world: Arc<World>,
    clock: FakeClock,
}

fn setup(routing: RoutingConfig) -> Setup {
    setup_with(routing, PoolConfig::default())
}

fn setup_with(routing: RoutingConfig, pool: PoolConfig) -> Setup {
    let fake = Fake::default();
    let world = Arc::clone(&fake.0);
    let clock = FakeClock::new();
    let identity_dns = Arc::new(FnResolver::new(|a: &Address| vec![a.clone()]));
    let cluster = ClusterPools::with_clock(
        a("seed"),
        Arc::new(fake),
        pool,
        routing.with_dns(identity_dns),
        Arc::new(clock.clone()),
        true,
    );
    Setup {
        cluster,
        world,
        clock,
    }
}

fn script(world: &World, server: &str, answers: Vec<Answer>) {
    world.answers.lock().unwrap().insert(a(server), answers);
}

fn routes(world: &World) -> Vec<String> {
    world
        .routes
        .lock()
        .unwrap()
        .iter()
        .map(|(a, db)| format!("{a} {}", db.as_deref().unwrap_or("-")))
        .collect()
}

/// A reply naming the [`THREE`] servers.
fn three(ttl: i64, db: &str) -> Answer {
    reply(ttl, db, THREE.0, THREE.1, THREE.2)
}

const THREE: (&[&str], &[&str], &[&str]) = (
    &["r1:7687", "r2:7687", "r3:7687"],
    &["r2:7687", "r3:7687"],
    &["r1:7687"],
);

#[tokio::test]
async fn three_member_cluster_routes_by_mode_and_load() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "neo4j")]);
    let w = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Write))
        .await
        .unwrap();
    assert_eq!(w.connection.address(), &a("r1"));
    assert_eq!(
        w.database.as_deref(),
        Some("neo4j"),
        "home database resolved by ROUTE"
    );
    let read = AcquireRequest::new(AccessMode::Read).database(Some("neo4j"));
    let r1 = s.cluster.acquire(&read).await.unwrap();
    let r2 = s.cluster.acquire(&read).await.unwrap();
    let mut readers = vec![
        r1.connection.address().to_string(),
        r2.connection.address().to_string(),
    ];
    readers.sort();
    assert_eq!(
        readers,
        ["r2:7687", "r3:7687"],
        "least connected spreads the load"
    );
    drop(r1);
    // r1's reader is now idle and less loaded: it is chosen again.
    let r3 = s.cluster.acquire(&read).await.unwrap();
    assert_ne!(r3.connection.address(), r2.connection.address());
    // Home db resolution asked once without a db; the named db was fresh.
    assert_eq!(routes(&s.world), ["seed:7687 -"]);
}

#[tokio::test]
async fn table_is_refreshed_when_ttl_runs_out() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(10, "db")]);
    script(&s.world, "r1:7687", vec![three(10, "db")]);
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));
    drop(s.cluster.acquire(&req).await.unwrap());
    s.clock.tick(Duration::from_secs(9));
    drop(s.cluster.acquire(&req).await.unwrap());
    assert_eq!(routes(&s.world).len(), 1);
    s.clock.tick(Duration::from_secs(1));
    drop(s.cluster.acquire(&req).await.unwrap());
    // The table had writers, so a known router (not the seed) is asked.
    assert_eq!(routes(&s.world), ["seed:7687 db", "r1:7687 db"]);
}

#[tokio::test]
async fn dead_reader_is_skipped_and_removed() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    s.world.down.lock().unwrap().insert(a("r2"));
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));
    for _ in 0..3 {
        let c = s.cluster.acquire(&req).await.unwrap();
        assert_eq!(c.connection.address(), &a("r3"));
    }
    let table = s.cluster.routing_table(Some("db")).unwrap();
    assert_eq!(table.readers(), &[a("r3")]);
    assert!(
        !table.routers().contains(&a("r2")),
        "removed from every role"
    );
}

#[tokio::test]
async fn leader_switch_drops_old_writer_and_refreshes() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    let switched = reply(300, "db", THREE.0, &["r1:7687", "r3:7687"], &["r2:7687"]);
    script(&s.world, "r1:7687", vec![switched.clone()]);
    script(&s.world, "r2:7687", vec![switched.clone()]);
    let req = AcquireRequest::new(AccessMode::Write).database(Some("db"));
    let w = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(w.connection.address(), &a("r1"));
    // The server answered NotALeader to a write.
    let err = FakeError {
        kind: FailureKind::NotALeader,
        address: a("r1"),
    };
    s.cluster.on_error(&a("r1"), Some("db"), &err);
    drop(w);
    let table = s.cluster.routing_table(Some("db")).unwrap();
    assert!(table.writers().is_empty());
    assert_eq!(table.readers().len(), 2, "readers untouched");
    let w = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(w.connection.address(), &a("r2"));
    assert_eq!(routes(&s.world).len(), 2);
}

#[tokio::test]
async fn all_routers_down_falls_back_to_resolver() {
    let resolved = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&resolved);
    let resolver = FnResolver::new(move |addr: &Address| {
        log.lock().unwrap().push(addr.to_string());
        vec![a("backup1"), a("backup2")]
    });
    let s = setup(RoutingConfig::default().with_resolver(Some(Arc::new(resolver))));
    script(&s.world, "backup1:7687", vec![three(10, "db")]);
    script(
        &s.world,
        "backup2:7687",
        vec![reply(
            10,
            "db",
            &["backup2:7687"],
            &["backup2:7687"],
            &["backup2:7687"],
        )],
    );
    let req = AcquireRequest::new(AccessMode::Write).database(Some("db"));
    let w = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(w.connection.address(), &a("r1"));
    drop(w);
    s.clock.tick(Duration::from_secs(10));
    s.world
        .down
        .lock()
        .unwrap()
        .extend([a("r1"), a("r2"), a("r3"), a("backup1")]);
    let w = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(w.connection.address(), &a("backup2"));
    assert_eq!(*resolved.lock().unwrap(), ["seed:7687", "seed:7687"]);
    assert_eq!(routes(&s.world), ["backup1:7687 db", "backup2:7687 db"]);
}

#[tokio::test]
async fn no_router_at_all_is_routing_unavailable() {
    let s = setup(RoutingConfig::default());
    s.world.down.lock().unwrap().insert(a("seed"));
    let err = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RoutingUnavailable { .. }), "{err}");
    assert!(err.is_unavailable());
}

#[tokio::test]
async fn unusable_reply_is_skipped() {
    let s = setup(RoutingConfig::default());
    // First table is good; after expiry r1 answers without readers, r2 well.
    script(&s.world, "seed:7687", vec![three(1, "db")]);
    script(
        &s.world,
        "r1:7687",
        vec![reply(1, "db", THREE.0, &[], THREE.2)],
    );
    script(
        &s.world,
        "r2:7687",
        vec![reply(60, "db", &["r2:7687"], &["r2:7687"], &["r2:7687"])],
    );
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));
    drop(s.cluster.acquire(&req).await.unwrap());
    s.clock.tick(Duration::from_secs(1));
    let c = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(c.connection.address(), &a("r2"));
    assert_eq!(
        routes(&s.world),
        ["seed:7687 db", "r1:7687 db", "r2:7687 db"]
    );
}

#[tokio::test]
async fn fatal_and_database_not_found_stop_discovery() {
    let s = setup(RoutingConfig::default());
    script(
        &s.world,
        "seed:7687",
        vec![Answer::Fail(FailureKind::DatabaseNotFound)],
    );
    let req = AcquireRequest::new(AccessMode::Read).database(Some("nope"));
    let err = s.cluster.acquire(&req).await.unwrap_err();
    assert_eq!(
        err.connection_error().map(|e| e.kind),
        Some(FailureKind::DatabaseNotFound)
    );
    assert!(s.cluster.routing_table(Some("nope")).is_none());
    script(
        &s.world,
        "seed:7687",
        vec![Answer::Fail(FailureKind::Fatal)],
    );
    let err = s.cluster.acquire(&req).await.unwrap_err();
    assert_eq!(
        err.connection_error().map(|e| e.kind),
        Some(FailureKind::Fatal)
    );
    assert_eq!(routes(&s.world).len(), 2);
}

#[tokio::test]
async fn database_not_found_during_work_forgets_the_table() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));
    let c = s.cluster.acquire(&req).await.unwrap();
    let err = FakeError {
        kind: FailureKind::DatabaseNotFound,
        address: a("r2"),
    };
    s.cluster.on_error(c.connection.address(), Some("db"), &err);
    assert!(s.cluster.routing_table(Some("db")).is_none());
}

#[tokio::test]
async fn home_db_cache_skips_the_resolution_round_trip() {
    let s = setup(RoutingConfig::default().with_home_db_cache(Duration::from_secs(60), 100));
    script(&s.world, "seed:7687", vec![three(300, "alice_db")]);
    let req = AcquireRequest::new(AccessMode::Read)
        .impersonated_user(Some("alice"))
        .use_home_db_cache(true);
    let c = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(c.database.as_deref(), Some("alice_db"));
    let c = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(c.database.as_deref(), Some("alice_db"));
    assert_eq!(
        routes(&s.world),
        ["seed:7687 -"],
        "second acquire used the cache"
    );
    // Without the flag, the home database is resolved again.
    let _ = s
        .cluster
        .acquire(&req.use_home_db_cache(false))
        .await
        .unwrap();
    assert_eq!(routes(&s.world).len(), 2);
    // A 5.8 server reported another home database for bob.
    s.cluster
        .record_home_database(HomeDbKey::User("bob".into()), "alice_db");
    let bob = AcquireRequest::new(AccessMode::Read)
        .impersonated_user(Some("bob"))
        .use_home_db_cache(true);
    assert_eq!(
        s.cluster.acquire(&bob).await.unwrap().database.as_deref(),
        Some("alice_db")
    );
    assert_eq!(routes(&s.world).len(), 2);
}

#[tokio::test]
async fn route_asks_as_the_session_user() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    let bob = quiver_bolt::AuthToken::basic("bob", "pw");
    let req = AcquireRequest::new(AccessMode::Read).session_auth(Some(&bob));
    drop(s.cluster.acquire(&req).await.unwrap());
    drop(s.cluster.acquire(&req.session_auth(None)).await.unwrap());
    assert_eq!(
        *s.world.route_auth.lock().unwrap(),
        [Some("bob".to_owned()), None]
    );
}

#[tokio::test]
async fn database_unavailable_forgets_the_server_but_keeps_its_connections() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));
    let c = s.cluster.acquire(&req).await.unwrap();
    let reader = c.connection.address().clone();
    let unavailable = FakeError {
        kind: FailureKind::DatabaseUnavailable,
        address: reader.clone(),
    };
    s.cluster.on_error(&reader, Some("db"), &unavailable);
    drop(c);
    let table = s.cluster.routing_table(Some("db")).unwrap();
    assert!(!table.readers().contains(&reader));
    assert!(
        !table.routers().contains(&reader),
        "forgotten in every role"
    );
    assert_eq!(s.cluster.pool_metrics(&reader).unwrap().idle, 1, "kept");
    // A broken connection, by contrast, clears the server's pool.
    let other = s.cluster.acquire(&req).await.unwrap();
    let other_address = other.connection.address().clone();
    assert_ne!(other_address, reader);
    let lost = FakeError {
        kind: FailureKind::Unavailable,
        address: other_address.clone(),
    };
    s.cluster.on_error(&other_address, Some("db"), &lost);
    drop(other);
    assert_eq!(s.cluster.pool_metrics(&other_address).unwrap().idle, 0);
}

#[tokio::test]
async fn home_db_from_the_cache_is_marked_and_a_route_is_not() {
    let s = setup(RoutingConfig::default().with_home_db_cache(Duration::from_secs(60), 100));
    script(&s.world, "seed:7687", vec![three(300, "db1")]);
    let req = AcquireRequest::new(AccessMode::Read).use_home_db_cache(true);
    let first = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(first.database.as_deref(), Some("db1"));
    assert!(!first.home_db_from_cache, "resolved by ROUTE: to be pinned");
    let second = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(second.database.as_deref(), Some("db1"));
    assert!(second.home_db_from_cache, "the server resolves it");
    assert_eq!(routes(&s.world), ["seed:7687 -"]);
}

#[tokio::test]
async fn session_basic_principal_and_impersonated_user_share_the_cache() {
    let s = setup(RoutingConfig::default().with_home_db_cache(Duration::from_secs(60), 100));
    script(
        &s.world,
        "seed:7687",
        vec![three(300, "bobdb"), three(300, "other")],
    );
    let basic = quiver_bolt::AuthToken::basic("bob", "pw");
    let as_session = AcquireRequest::new(AccessMode::Read)
        .session_auth(Some(&basic))
        .use_home_db_cache(true);
    assert!(
        !s.cluster
            .acquire(&as_session)
            .await
            .unwrap()
            .home_db_from_cache
    );
    let impersonating = AcquireRequest::new(AccessMode::Read)
        .impersonated_user(Some("bob"))
        .use_home_db_cache(true);
    let c = s.cluster.acquire(&impersonating).await.unwrap();
    assert!(c.home_db_from_cache);
    assert_eq!(c.database.as_deref(), Some("bobdb"));
    // Another scheme with the same principal is another user.
    let custom = quiver_bolt::AuthToken::custom("special", "bob", "pw", None, None);
    let c = s
        .cluster
        .acquire(&as_session.session_auth(Some(&custom)))
        .await
        .unwrap();
    assert!(!c.home_db_from_cache);
    assert_eq!(c.database.as_deref(), Some("other"));
    // The driver's own credentials are a key of their own too.
    let c = s
        .cluster
        .acquire(&as_session.session_auth(None))
        .await
        .unwrap();
    assert!(!c.home_db_from_cache);
    assert_eq!(routes(&s.world).len(), 3);
}

#[tokio::test]
async fn cached_home_db_with_a_stale_table_is_resolved_again_without_naming_it() {
    let s = setup(RoutingConfig::default().with_home_db_cache(Duration::from_secs(600), 100));
    script(
        &s.world,
        "seed:7687",
        vec![three(10, "db1"), three(10, "db2")],
    );
    let req = AcquireRequest::new(AccessMode::Read).use_home_db_cache(true);
    drop(s.cluster.acquire(&req).await.unwrap());
    s.clock.tick(Duration::from_secs(11));
    let c = s.cluster.acquire(&req).await.unwrap();
    assert!(!c.home_db_from_cache);
    assert_eq!(c.database.as_deref(), Some("db2"), "the home db moved");
    let asked: Vec<String> = routes(&s.world);
    assert_eq!(asked.len(), 2);
    assert!(
        asked[1].ends_with(" -"),
        "home db asked for, not db1: {asked:?}"
    );
}

#[tokio::test]
async fn a_server_without_server_side_routing_falls_back_to_route() {
    let s = setup(RoutingConfig::default().with_home_db_cache(Duration::from_secs(60), 100));
    script(
        &s.world,
        "seed:7687",
        vec![three(300, "homedb1"), three(300, "homedb2")],
    );
    let read = AcquireRequest::new(AccessMode::Read).use_home_db_cache(true);
    drop(s.cluster.acquire(&read).await.unwrap());
    // The writer does not resolve home databases itself.
    s.world.no_ssr.lock().unwrap().push(a("r1"));
    let write = AcquireRequest::new(AccessMode::Write).use_home_db_cache(true);
    let w = s.cluster.acquire(&write).await.unwrap();
    assert_eq!(w.connection.address(), &a("r1"));
    assert!(!w.home_db_from_cache, "resolved by ROUTE after all");
    assert_eq!(w.database.as_deref(), Some("homedb2"));
    assert_eq!(routes(&s.world), ["seed:7687 -", "seed:7687 -"]);
    assert_eq!(
        s.world.connects.load(Ordering::SeqCst),
        4,
        "seed twice (in no table, its pool is dropped), reader, writer once: \
         the writer's connection was reused"
    );
    drop(w);
    // While such a server is known, the cache is not trusted at all.
    let r = s.cluster.acquire(&read).await.unwrap();
    assert!(!r.home_db_from_cache);
    assert_eq!(routes(&s.world).len(), 3);
}

#[tokio::test(start_paused = true)]
async fn acquisition_timeout_covers_the_fallback_as_a_whole() {
    let s = setup_with(
        RoutingConfig::default().with_home_db_cache(Duration::from_secs(60), 100),
        PoolConfig::default().with_acquisition_timeout(Duration::from_secs(2)),
    );
    let moved = reply(300, "homedb2", THREE.0, THREE.1, &["r3:7687"]);
    script(&s.world, "seed:7687", vec![three(300, "homedb1"), moved]);
    let read = AcquireRequest::new(AccessMode::Read).use_home_db_cache(true);
    drop(s.cluster.acquire(&read).await.unwrap());
    s.world.no_ssr.lock().unwrap().push(a("r1"));
    for w in ["r1", "r3"] {
        let delay = Duration::from_millis(1100);
        s.world.connect_delay.lock().unwrap().insert(a(w), delay);
    }
    let write = AcquireRequest::new(AccessMode::Write).use_home_db_cache(true);
    // Each connection alone fits in the timeout; together they don't.
    let err = s.cluster.acquire(&write).await.unwrap_err();
    assert!(
        matches!(&err, Error::AcquisitionTimeout { address, timeout, .. }
            if *address == a("r3") && *timeout < Duration::from_secs(1)),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn routing_is_not_counted_against_the_work_connection() {
    let s = setup_with(
        RoutingConfig::default(),
        PoolConfig::default().with_acquisition_timeout(Duration::from_secs(2)),
    );
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    // A slow router connection (within its own timeout), a slow ROUTE, a
    // slow reader connection: 1.5 s + 4 s + 1.5 s, each under 2 s.
    let delays = [("seed", 1500), ("r2", 1500), ("r3", 1500)];
    for (server, ms) in delays {
        let delay = Duration::from_millis(ms);
        s.world
            .connect_delay
            .lock()
            .unwrap()
            .insert(a(server), delay);
    }
    *s.world.route_delay.lock().unwrap() = Duration::from_secs(4);
    let req = AcquireRequest::new(AccessMode::Read).database(Some("db"));
    let started = tokio::time::Instant::now();
    s.cluster.acquire(&req).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(7));
}

#[tokio::test]
async fn no_writer_means_session_expired_style_error_after_refresh() {
    let s = setup(RoutingConfig::default());
    script(
        &s.world,
        "seed:7687",
        vec![reply(300, "db", THREE.0, THREE.1, &[])],
    );
    script(
        &s.world,
        "r1:7687",
        vec![reply(300, "db", THREE.0, THREE.1, &[])],
    );
    let err = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Write).database(Some("db")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NoServerForMode {
                mode: AccessMode::Write,
                ..
            }
        ),
        "{err}"
    );
    // The table without writers was kept: reads work without a new ROUTE.
    let n = routes(&s.world).len();
    let _ = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Read).database(Some("db")))
        .await
        .unwrap();
    assert_eq!(routes(&s.world).len(), n);
}

#[tokio::test]
async fn direct_mode_uses_one_pool_and_never_routes() {
    let fake = Fake::default();
    let world = Arc::clone(&fake.0);
    let cluster = ClusterPools::direct(a("single:7687"), fake, PoolConfig::default());
    assert!(!cluster.is_routing());
    let c = cluster
        .acquire(&AcquireRequest::new(AccessMode::Write).database(Some("x")))
        .await
        .unwrap();
    assert_eq!(c.connection.address(), &a("single"));
    assert_eq!(c.database.as_deref(), Some("x"));
    drop(c);
    let _ = cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap();
    assert!(routes(&world).is_empty());
    assert_eq!(world.connects.load(Ordering::SeqCst), 1);
    assert_eq!(cluster.metrics().len(), 1);
    cluster.close().await;
    let err = cluster
        .acquire(&AcquireRequest::new(AccessMode::Read))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Closed { .. }));
}

#[tokio::test]
async fn direct_mode_acquires_share_the_pool_the_cluster_reports_and_clears() {
    let fake = Fake::default();
    let world = Arc::clone(&fake.0);
    let cluster = ClusterPools::direct(a("single:7687"), fake, PoolConfig::default());
    assert!(
        cluster.metrics().is_empty(),
        "the pool is made on first use"
    );
    let request = AcquireRequest::new(AccessMode::Read);
    drop(cluster.acquire(&request).await.unwrap());
    drop(cluster.acquire(&request).await.unwrap());
    let m = cluster.pool_metrics(&a("single")).unwrap();
    assert_eq!((m.acquired, m.created, m.idle, m.in_use), (2, 1, 1, 0));
    cluster.on_connection_failure(&a("single"));
    assert_eq!(cluster.pool_metrics(&a("single")).unwrap().idle, 0);
    let c = cluster.acquire(&request).await.unwrap();
    assert_eq!(
        world.connects.load(Ordering::SeqCst),
        2,
        "cleared: a new one"
    );
    assert_eq!(cluster.pool_metrics(&a("single")).unwrap().in_use, 1);
    drop(c);
    assert_eq!(cluster.metrics().len(), 1);
}

#[tokio::test]
async fn named_database_keeps_its_name_when_the_server_answers_an_alias_target() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "real")]);
    let req = AcquireRequest::new(AccessMode::Read).database(Some("alias"));
    let c = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(c.database.as_deref(), Some("alias"));
    let _ = s.cluster.acquire(&req).await.unwrap();
    assert_eq!(
        routes(&s.world).len(),
        1,
        "the table is found under the name asked for"
    );
    assert!(s.cluster.routing_table(Some("alias")).is_some());
}

#[tokio::test]
async fn pool_metrics_per_address() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    let req = AcquireRequest::new(AccessMode::Write).database(Some("db"));
    let c = s.cluster.acquire(&req).await.unwrap();
    let m = s.cluster.pool_metrics(&a("r1")).unwrap();
    assert_eq!((m.in_use, m.idle), (1, 0));
    drop(c);
    let m = s.cluster.pool_metrics(&a("r1")).unwrap();
    assert_eq!((m.in_use, m.idle, m.created), (0, 1, 1));
    assert!(s.cluster.pool_metrics(&a("nowhere")).is_none());
}

#[tokio::test]
async fn new_database_asks_the_seed_first_then_known_routers() {
    let s = setup(RoutingConfig::default());
    script(&s.world, "seed:7687", vec![three(300, "db")]);
    script(&s.world, "r1:7687", vec![three(300, "other")]);
    let _ = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Read).database(Some("db")))
        .await
        .unwrap();
    // The seed goes away; a database never seen before is still routable.
    s.world.down.lock().unwrap().insert(a("seed"));
    let c = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Read).database(Some("other")))
        .await
        .unwrap();
    assert_eq!(c.database.as_deref(), Some("other"));
    assert_eq!(routes(&s.world), ["seed:7687 db", "r1:7687 other"]);
}

/// By hand (issue 15, item 3): a routing table of 20,000 writers that all
/// refuse connections, and one write acquire that tries them until none is
/// left. Prints the time it took (on a current-thread runtime: CPU time).
/// `cargo test -p quiver-pool --release --test cluster_fake -- --ignored --nocapture twenty_thousand`
#[tokio::test]
#[ignore = "a measurement, run by hand"]
async fn twenty_thousand_refusing_writers_by_hand() {
    let s = setup(RoutingConfig::default());
    let writers: Vec<String> = (0..20_000).map(|i| format!("w{i}:7687")).collect();
    let writers: Vec<&str> = writers.iter().map(String::as_str).collect();
    script(
        &s.world,
        "seed:7687",
        vec![reply(300, "db", &["seed:7687"], &["seed:7687"], &writers)],
    );
    s.world
        .down
        .lock()
        .unwrap()
        .extend(writers.iter().map(|w| a(w)));
    let started = std::time::Instant::now();
    let err = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Write).database(Some("db")))
        .await
        .unwrap_err();
    println!(
        "20,000 refusing writers: {:?}, {} connects: {err}",
        started.elapsed(),
        s.world.connects.load(Ordering::SeqCst)
    );
}

/// Routers that each take 1.5 s to refuse: the fetch of the table tries
/// them within one acquisition timeout (2 s) for all of them, not one each
/// (4.5 s), and says why the last one gave nothing.
#[tokio::test(start_paused = true)]
async fn routers_share_one_acquisition_timeout() {
    let routers = [a("x1"), a("x2"), a("x3")];
    let resolved = routers.to_vec();
    let s = setup_with(
        RoutingConfig::default().with_resolver(Some(Arc::new(FnResolver::new(
            move |_: &Address| resolved.clone(),
        )))),
        PoolConfig::default().with_acquisition_timeout(Duration::from_secs(2)),
    );
    for r in &routers {
        let delay = Duration::from_millis(1500);
        s.world
            .connect_delay
            .lock()
            .unwrap()
            .insert(r.clone(), delay);
        s.world.down.lock().unwrap().insert(r.clone());
    }
    let started = tokio::time::Instant::now();
    let err = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Read).database(Some("db")))
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(2), "{err}");
    let Error::RoutingUnavailable {
        last_error: Some(last),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(last.to_string().contains("timed out"), "{last}");
    // x1 refused after 1.5 s, x2 ran out of time, x3 had none left.
    assert_eq!(s.world.connects.load(Ordering::SeqCst), 2);
}

/// Every writer refuses: the error for the mode carries the last refusal.
#[tokio::test]
async fn no_writer_left_after_refusals_says_why() {
    let s = setup(RoutingConfig::default());
    script(
        &s.world,
        "seed:7687",
        vec![reply(
            300,
            "db",
            &["seed:7687"],
            &["seed:7687"],
            &["w1:7687", "w2:7687"],
        )],
    );
    s.world.down.lock().unwrap().extend([a("w1"), a("w2")]);
    let err = s
        .cluster
        .acquire(&AcquireRequest::new(AccessMode::Write).database(Some("db")))
        .await
        .unwrap_err();
    let Error::NoServerForMode {
        last_error: Some(last),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    let last = last.to_string();
    assert!(last.starts_with("could not connect to w"), "{last}");
}

/// A spent budget: an acquire with no time left starts no connection and
/// holds no slot.
#[tokio::test]
async fn a_spent_budget_starts_nothing_and_holds_no_slot() {
    let fake = Fake::default();
    let world = Arc::clone(&fake.0);
    let pool = quiver_pool::Pool::new(a("w1"), fake, PoolConfig::default());
    let err = pool.acquire_within(Duration::ZERO).await.unwrap_err();
    assert!(
        matches!(err, Error::AcquisitionTimeout { in_use: 0, .. }),
        "{err:?}"
    );
    assert_eq!(world.connects.load(Ordering::SeqCst), 0);
    assert_eq!(pool.in_use(), 0);
    // With time, the same pool connects.
    drop(pool.acquire().await.unwrap());
    assert_eq!(world.connects.load(Ordering::SeqCst), 1);
}
