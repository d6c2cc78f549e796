//! The soak: 16 tasks doing random reads, writes and transactions through
//! the fault proxy, which injects random faults, for `QUIVER_SOAK_SECS`
//! seconds against the server of `NEO4J_URI` (`cargo xtask soak --secs N`
//! starts the embedded one). At the end, read directly (not through the
//! proxy): every write reported committed is in the database, none
//! reported failed (or rolled back) is, and no connection is left in use.
//!
//! Ignored by default (it needs a server): `cargo xtask soak --secs 60`.

use std::collections::BTreeSet;
use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quiver::{params, AuthToken, Config, Driver, ErrorKind, SessionConfig, TransactionConfig};
use quiver_test_support::proxy::{Action, Direction, FaultProxy};

const TASKS: u64 = 16;
/// The longest one operation may take before it counts as hung.
const OP_BOUND: Duration = Duration::from_secs(30);

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default)]
struct Ledger {
    committed: BTreeSet<i64>,
    failed: BTreeSet<i64>,
    unknown: BTreeSet<i64>,
}

#[derive(Default)]
struct Counts {
    ops: AtomicU64,
    reads: AtomicU64,
    writes: AtomicU64,
    transactions: AtomicU64,
    errors: AtomicU64,
    attempts: AtomicU64,
    managed: AtomicU64,
    hung: AtomicU64,
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn driver(uri: &str, auth: AuthToken, pool: usize) -> Driver {
    Driver::builder(uri)
        .auth(auth)
        .config(
            Config::builder()
                .max_connection_pool_size(pool)
                .connection_timeout(Duration::from_secs(2))
                .connection_acquisition_timeout(Duration::from_secs(10))
                .max_transaction_retry_time(Duration::from_secs(10))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

const CREATE: &str = "CREATE (:QuiverSoak {run: $run, id: $id})";

/// One random operation; records what it says happened to its writes.
async fn operation(
    driver: &Driver,
    run: &str,
    rng: &mut Rng,
    next_id: &AtomicU64,
    ledger: &Mutex<Ledger>,
    counts: &Counts,
) {
    let new_id = || i64::try_from(next_id.fetch_add(1, Ordering::Relaxed)).unwrap();
    let mut session = driver.session(SessionConfig::default());
    match rng.below(4) {
        0 => {
            counts.reads.fetch_add(1, Ordering::Relaxed);
            let read = async {
                session
                    .run((
                        "MATCH (n:QuiverSoak) WHERE n.run = $run RETURN count(n) AS c",
                        params! { "run" => run },
                    ))
                    .await?
                    .consume()
                    .await
            };
            if read.await.is_err() {
                counts.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        1 => {
            // Auto-commit: an error after the query left may or may not
            // have committed.
            counts.writes.fetch_add(1, Ordering::Relaxed);
            let id = new_id();
            let write = async {
                session
                    .run((CREATE, params! { "run" => run, "id" => id }))
                    .await?
                    .consume()
                    .await
            };
            let outcome = write.await;
            let mut l = ledger.lock().unwrap();
            match outcome {
                Ok(_) => l.committed.insert(id),
                Err(_) => {
                    counts.errors.fetch_add(1, Ordering::Relaxed);
                    l.unknown.insert(id)
                }
            };
        }
        2 => {
            // Explicit: two writes, then commit or (one time in four)
            // roll back.
            counts.transactions.fetch_add(1, Ordering::Relaxed);
            let ids = [new_id(), new_id()];
            let rollback = rng.below(4) == 0;
            let mut reached_commit = false;
            let tx = async {
                let mut tx = session
                    .begin_transaction(TransactionConfig::default())
                    .await?;
                for id in ids {
                    tx.run((CREATE, params! { "run" => run, "id" => id }))
                        .await?
                        .consume()
                        .await?;
                }
                if rollback {
                    tx.rollback().await
                } else {
                    reached_commit = true;
                    tx.commit().await
                }
            };
            let outcome = tx.await;
            let mut l = ledger.lock().unwrap();
            for id in ids {
                match &outcome {
                    Ok(()) if !rollback => l.committed.insert(id),
                    Ok(()) => l.failed.insert(id),
                    Err(e) if e.kind() == ErrorKind::CommitUnknown => l.unknown.insert(id),
                    // Lost before COMMIT was sent: the server rolls back.
                    Err(_) if !reached_commit => l.failed.insert(id),
                    Err(_) => l.unknown.insert(id),
                };
            }
            if outcome.is_err() {
                counts.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        _ => {
            counts.transactions.fetch_add(1, Ordering::Relaxed);
            counts.managed.fetch_add(1, Ordering::Relaxed);
            let id = new_id();
            let attempts = &counts.attempts;
            let outcome = session
                .execute_write(|tx| {
                    attempts.fetch_add(1, Ordering::Relaxed);
                    async move {
                        tx.run((CREATE, params! { "run" => run, "id" => id }))
                            .await?
                            .consume()
                            .await
                    }
                })
                .await;
            let mut l = ledger.lock().unwrap();
            match outcome {
                Ok(_) => l.committed.insert(id),
                Err(e) if e.kind() == ErrorKind::CommitUnknown => {
                    counts.errors.fetch_add(1, Ordering::Relaxed);
                    l.unknown.insert(id)
                }
                Err(_) => {
                    counts.errors.fetch_add(1, Ordering::Relaxed);
                    l.failed.insert(id)
                }
            };
        }
    }
    let _ = session.close().await;
}

/// Random faults until `deadline`; how many.
async fn inject(proxy: &FaultProxy, deadline: Instant, seed: u64) -> u64 {
    let mut rng = Rng(seed | 1);
    let mut faults = 0;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100 + rng.below(400))).await;
        faults += 1;
        let direction = if rng.below(2) == 0 {
            Direction::ToClient
        } else {
            Direction::ToServer
        };
        match rng.below(6) {
            0 => proxy.reset_all(),
            1 => proxy.arm(direction, rng.below(2000), Action::Reset),
            2 => proxy.arm(direction, rng.below(2000), Action::Close),
            3 => proxy.stall(),
            4 => proxy.delay(Duration::from_millis(1 + rng.below(10))),
            _ => proxy.refuse(),
        }
        tokio::time::sleep(Duration::from_millis(50 + rng.below(300))).await;
        proxy.restore();
    }
    proxy.restore();
    faults
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a server: cargo xtask soak --secs N"]
async fn soak() {
    let uri = std::env::var("NEO4J_URI").expect("NEO4J_URI names the server to soak");
    let user = env("NEO4J_USER", "neo4j");
    let password = env("NEO4J_PASSWORD", "");
    let secs: u64 = env("QUIVER_SOAK_SECS", "10")
        .parse()
        .expect("QUIVER_SOAK_SECS");
    let seed: u64 = env("QUIVER_SOAK_SEED", "0").parse().unwrap_or(0);
    let seed = if seed == 0 {
        u64::from(std::process::id()) ^ 0x9E37_79B9_7F4A_7C15
    } else {
        seed
    };
    let host_port = uri
        .split("://")
        .nth(1)
        .unwrap_or(&uri)
        .trim_end_matches('/');
    let upstream = host_port
        .to_socket_addrs()
        .expect("NEO4J_URI's address")
        .find(|a| a.is_ipv4())
        .expect("an IPv4 address");
    let proxy = FaultProxy::start(upstream).await.unwrap();
    let auth = AuthToken::basic(user, password);
    let soaked = driver(&proxy.uri(), auth.clone(), 8);
    let run = format!("soak-{}-{seed}", std::process::id());
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let counts = Arc::new(Counts::default());
    let next_id = Arc::new(AtomicU64::new(1));
    let deadline = Instant::now() + Duration::from_secs(secs);
    eprintln!(
        "soak: {TASKS} tasks for {secs} s against {uri} through {}, seed {seed}",
        proxy.addr()
    );

    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let (driver, run, ledger, counts, next_id) = (
            soaked.clone(),
            run.clone(),
            Arc::clone(&ledger),
            Arc::clone(&counts),
            Arc::clone(&next_id),
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng((seed ^ (t + 1).wrapping_mul(0x2545_F491_4F6C_DD1D)) | 1);
            while Instant::now() < deadline {
                counts.ops.fetch_add(1, Ordering::Relaxed);
                let op = operation(&driver, &run, &mut rng, &next_id, &ledger, &counts);
                if tokio::time::timeout(OP_BOUND, op).await.is_err() {
                    counts.hung.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let faults = inject(&proxy, deadline, seed).await;
    for task in tasks {
        task.await.expect("a soak task panicked");
    }

    // Nothing stuck in use on the soaked driver.
    let start = Instant::now();
    while soaked
        .metrics()
        .iter()
        .any(|(_, m)| m.in_use > 0 || m.waiting > 0)
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "left in use: {:?}",
            soaked.metrics()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let metrics = soaked.metrics();
    soaked.close().await;
    let start = Instant::now();
    while proxy.stats().open > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "connections left open: {:?}",
            proxy.stats()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Read back directly.
    let direct = driver(&uri, auth, 2);
    let mut session = direct.session(SessionConfig::default());
    let rows = session
        .run((
            "MATCH (n:QuiverSoak) WHERE n.run = $run RETURN n.id AS id",
            params! { "run" => run.as_str() },
        ))
        .await
        .unwrap()
        .list()
        .await
        .unwrap();
    let present: BTreeSet<i64> = rows.iter().map(|r| r.get::<i64>("id").unwrap()).collect();
    // Clean up (best effort).
    let _ = session
        .run((
            "MATCH (n:QuiverSoak) WHERE n.run = $run DELETE n",
            params! { "run" => run.as_str() },
        ))
        .await;
    let _ = session.close().await;
    direct.close().await;

    let l = ledger.lock().unwrap();
    let lost: Vec<_> = l.committed.difference(&present).collect();
    let ghosts: Vec<_> = l.failed.intersection(&present).collect();
    let unknown_present = l.unknown.intersection(&present).count();
    let managed = counts.managed.load(Ordering::Relaxed);
    let attempts = counts.attempts.load(Ordering::Relaxed);
    eprintln!(
        "soak: {} operations ({} reads, {} auto-commit writes, {} transactions of which {managed} managed), \
         {faults} faults injected ({:?}), {} errors seen, {} retries, {} hung; \
         writes: {} committed, {} failed or rolled back, {} unknown ({unknown_present} of them present); \
         losses: {}, ghosts: {}; pools: {metrics:?}",
        counts.ops.load(Ordering::Relaxed),
        counts.reads.load(Ordering::Relaxed),
        counts.writes.load(Ordering::Relaxed),
        counts.transactions.load(Ordering::Relaxed),
        proxy.stats(),
        counts.errors.load(Ordering::Relaxed),
        attempts.saturating_sub(managed),
        counts.hung.load(Ordering::Relaxed),
        l.committed.len(),
        l.failed.len(),
        l.unknown.len(),
        lost.len(),
        ghosts.len(),
    );
    assert!(
        lost.is_empty(),
        "writes reported committed are missing: {lost:?}"
    );
    assert!(
        ghosts.is_empty(),
        "writes reported failed are present: {ghosts:?}"
    );
    assert_eq!(counts.hung.load(Ordering::Relaxed), 0, "operations hung");
    assert!(!l.committed.is_empty(), "nothing was committed");
}
