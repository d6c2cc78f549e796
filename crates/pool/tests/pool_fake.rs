//! Pool behaviour against fake connections: no sockets, tokio time paused
//! where waiting is involved, a manual clock for lifetimes and idle times.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quiver_pool::{Address, ConnectionHealth, Error, FakeClock, Manager, Pool, PoolConfig};

#[derive(Debug)]
struct FakeConn {
    id: usize,
    health: ConnectionHealth,
}

#[derive(Debug, thiserror::Error)]
#[error("fake failure: {0}")]
struct FakeError(String);

#[derive(Debug, Default)]
struct Fake {
    connects: AtomicUsize,
    fail_connects: Mutex<HashSet<usize>>,
    connect_delay: Mutex<Duration>,
    reset_fails: AtomicBool,
    reset_hangs: AtomicBool,
    log: Mutex<Vec<String>>,
}

impl Fake {
    fn log(&self, s: String) {
        self.log.lock().unwrap().push(s);
    }
    fn events(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// The manager shares its state with the test through an `Arc`.
#[derive(Debug, Clone, Default)]
struct FakeManager(Arc<Fake>);

impl Manager for FakeManager {
    type Connection = FakeConn;
    type Error = FakeError;

    async fn connect(&self, _address: &Address) -> Result<FakeConn, FakeError> {
        let n = self.0.connects.fetch_add(1, Ordering::SeqCst) + 1;
        let delay = *self.0.connect_delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if self.0.fail_connects.lock().unwrap().contains(&n) {
            self.0.log(format!("connect {n} failed"));
            return Err(FakeError(format!("connect {n}")));
        }
        self.0.log(format!("connect {n}"));
        Ok(FakeConn {
            id: n,
            health: ConnectionHealth::Ready,
        })
    }

    async fn reset(&self, conn: &mut FakeConn) -> Result<(), FakeError> {
        tokio::task::yield_now().await;
        self.0.log(format!("reset {}", conn.id));
        if self.0.reset_hangs.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if self.0.reset_fails.load(Ordering::SeqCst) {
            conn.health = ConnectionHealth::Broken;
            return Err(FakeError("reset".into()));
        }
        conn.health = ConnectionHealth::Ready;
        Ok(())
    }

    fn health(&self, conn: &FakeConn) -> ConnectionHealth {
        conn.health
    }

    async fn close(&self, conn: FakeConn) {
        self.0.log(format!("close {}", conn.id));
    }
}

fn pool_with(config: PoolConfig) -> (Pool<FakeManager>, Arc<Fake>, FakeClock) {
    let manager = FakeManager::default();
    let state = Arc::clone(&manager.0);
    let clock = FakeClock::new();
    let pool = Pool::with_clock(
        Address::new("fake", 7687),
        Arc::new(manager),
        config,
        Arc::new(clock.clone()),
    );
    (pool, state, clock)
}

/// Lets spawned background work (resets, goodbyes) run.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn idle_connections_are_reused_lifo() {
    let (pool, fake, _) = pool_with(PoolConfig::default());
    let a = pool.acquire().await.unwrap();
    let b = pool.acquire().await.unwrap();
    let c = pool.acquire().await.unwrap();
    assert_eq!((a.id, b.id, c.id), (1, 2, 3));
    drop(a);
    drop(b);
    drop(c);
    assert_eq!(pool.metrics().idle, 3);
    let first = pool.acquire().await.unwrap();
    let second = pool.acquire().await.unwrap();
    assert_eq!(
        (first.id, second.id),
        (3, 2),
        "most recently released first"
    );
    assert_eq!(fake.connects.load(Ordering::SeqCst), 3);
    let m = pool.metrics();
    assert_eq!((m.in_use, m.idle, m.created, m.acquired), (2, 1, 3, 5));
}

#[tokio::test(start_paused = true)]
async fn exhaustion_ends_in_acquisition_timeout_naming_address_and_state() {
    let config = PoolConfig::default()
        .with_max_size(2)
        .with_acquisition_timeout(Duration::from_secs(5));
    let (pool, _, _) = pool_with(config);
    let _a = pool.acquire().await.unwrap();
    let _b = pool.acquire().await.unwrap();
    let started = tokio::time::Instant::now();
    let err = pool.acquire().await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    match &err {
        Error::AcquisitionTimeout {
            address,
            in_use,
            max_size,
            ..
        } => {
            assert_eq!(address, &Address::new("fake", 7687));
            assert_eq!((*in_use, *max_size), (2, 2));
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("fake:7687") && text.contains("in use: 2"),
        "{text}"
    );
    assert_eq!(
        pool.metrics().waiting,
        0,
        "a timed-out waiter stops counting"
    );
}

#[tokio::test]
async fn expired_connections_are_closed_not_reused() {
    let config = PoolConfig::default().with_max_lifetime(Some(Duration::from_secs(3600)));
    let (pool, fake, clock) = pool_with(config);
    drop(pool.acquire().await.unwrap());
    clock.tick(Duration::from_secs(1800));
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1, "still young");
    drop(c);
    clock.tick(Duration::from_secs(1800));
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 2, "an hour old: replaced");
    settle().await;
    assert!(
        fake.events().contains(&"close 1".to_owned()),
        "{:?}",
        fake.events()
    );
    // Expiry is also checked when a connection is given back.
    clock.tick(Duration::from_secs(3600));
    drop(c);
    settle().await;
    assert_eq!(pool.metrics().idle, 0);
    assert!(fake.events().contains(&"close 2".to_owned()));
}

#[tokio::test]
async fn liveness_check_runs_only_after_idle_threshold() {
    let config = PoolConfig::default().with_liveness_check_after(Some(Duration::from_secs(10)));
    let (pool, fake, clock) = pool_with(config);
    drop(pool.acquire().await.unwrap());
    clock.tick(Duration::from_secs(5));
    drop(pool.acquire().await.unwrap());
    assert!(!fake.events().iter().any(|e| e.starts_with("reset")));
    clock.tick(Duration::from_secs(10));
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1);
    assert_eq!(fake.events().last().map(String::as_str), Some("reset 1"));
    drop(c);
    // A failing check discards the connection and a new one is opened.
    clock.tick(Duration::from_secs(10));
    fake.reset_fails.store(true, Ordering::SeqCst);
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 2);
    assert_eq!(pool.metrics().closed, 1);
}

#[tokio::test]
async fn a_guard_tells_whether_its_connection_was_reused_unchecked() {
    let config = PoolConfig::default().with_liveness_check_after(Some(Duration::from_secs(10)));
    let (pool, _, clock) = pool_with(config);
    let fresh = pool.acquire().await.unwrap();
    assert!(!fresh.reused_without_check(), "opened for this acquire");
    drop(fresh);
    let reused = pool.acquire().await.unwrap();
    assert!(
        reused.reused_without_check(),
        "straight from the idle stack"
    );
    drop(reused);
    clock.tick(Duration::from_secs(10));
    let checked = pool.acquire().await.unwrap();
    assert_eq!(checked.id, 1);
    assert!(!checked.reused_without_check(), "the pool's check reset it");
}

#[tokio::test]
async fn liveness_check_off_by_default() {
    let (pool, fake, clock) = pool_with(PoolConfig::default());
    drop(pool.acquire().await.unwrap());
    clock.tick(Duration::from_secs(600));
    drop(pool.acquire().await.unwrap());
    assert_eq!(fake.events(), ["connect 1"]);
}

#[tokio::test]
async fn waiters_are_served_in_arrival_order() {
    let (pool, _, _) = pool_with(PoolConfig::default().with_max_size(1));
    let held = pool.acquire().await.unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for name in ["first", "second", "third", "fourth"] {
        let p = pool.clone();
        let order = Arc::clone(&order);
        let expected_waiting = pool.metrics().waiting + 1;
        tasks.push(tokio::spawn(async move {
            let c = p.acquire().await.unwrap();
            order.lock().unwrap().push(name);
            tokio::task::yield_now().await;
            drop(c);
        }));
        while pool.metrics().waiting < expected_waiting {
            tokio::task::yield_now().await;
        }
    }
    drop(held);
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        *order.lock().unwrap(),
        ["first", "second", "third", "fourth"]
    );
}

#[tokio::test]
async fn connection_given_back_mid_exchange_is_reset_before_reuse() {
    let (pool, fake, _) = pool_with(PoolConfig::default().with_max_size(1));
    let mut c = pool.acquire().await.unwrap();
    c.health = ConnectionHealth::NeedsReset; // e.g. a result left half-read
    drop(c);
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1);
    assert_eq!(c.health, ConnectionHealth::Ready);
    assert_eq!(fake.events(), ["connect 1", "reset 1"]);
}

#[tokio::test]
async fn dropped_future_mid_use_never_leaks_a_dirty_connection() {
    let (pool, fake, _) = pool_with(PoolConfig::default().with_max_size(1));
    let task = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut c = pool.acquire().await.unwrap();
            c.health = ConnectionHealth::NeedsReset;
            std::future::pending::<()>().await;
        })
    };
    while pool.metrics().created == 0 {
        tokio::task::yield_now().await;
    }
    task.abort();
    let _ = task.await;
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.health, ConnectionHealth::Ready);
    assert!(fake.events().contains(&"reset 1".to_owned()));
    assert_eq!(pool.metrics().in_use, 1);
}

#[tokio::test]
async fn failed_reset_on_return_discards() {
    let (pool, fake, _) = pool_with(PoolConfig::default().with_max_size(1));
    fake.reset_fails.store(true, Ordering::SeqCst);
    let mut c = pool.acquire().await.unwrap();
    c.health = ConnectionHealth::NeedsReset;
    drop(c);
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 2);
    assert_eq!(pool.metrics().closed, 1);
}

#[tokio::test]
async fn broken_and_discarded_connections_are_not_pooled() {
    let (pool, _, _) = pool_with(PoolConfig::default());
    let mut c = pool.acquire().await.unwrap();
    c.health = ConnectionHealth::Broken;
    drop(c);
    let mut c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 2);
    c.discard();
    drop(c);
    let m = pool.metrics();
    assert_eq!((m.idle, m.in_use, m.closed), (0, 0, 2));
}

#[tokio::test]
async fn nth_connect_failure_is_reported_and_counted() {
    let (pool, fake, _) = pool_with(PoolConfig::default());
    fake.fail_connects.lock().unwrap().insert(2);
    let _a = pool.acquire().await.unwrap();
    let err = pool.acquire().await.unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(
        err.connection_error().map(|e| e.0.as_str()),
        Some("connect 2")
    );
    let _c = pool.acquire().await.unwrap();
    let m = pool.metrics();
    assert_eq!((m.created, m.failed_to_create, m.in_use), (2, 1, 2));
}

#[tokio::test(start_paused = true)]
async fn slow_connect_hits_connect_timeout() {
    let config = PoolConfig::default().with_connect_timeout(Duration::from_secs(2));
    let (pool, fake, _) = pool_with(config);
    *fake.connect_delay.lock().unwrap() = Duration::from_secs(10);
    let err = pool.acquire().await.unwrap_err();
    assert!(matches!(err, Error::ConnectTimeout { .. }), "{err:?}");
    assert!(err.is_unavailable());
    assert_eq!(pool.metrics().in_use, 0, "slot released");
}

#[tokio::test(start_paused = true)]
async fn close_fails_waiters_at_once_and_later_acquires() {
    let (pool, fake, _) = pool_with(PoolConfig::default().with_max_size(2));
    let idle = pool.acquire().await.unwrap();
    let held = pool.acquire().await.unwrap();
    drop(idle);
    let _busy = pool.acquire().await.unwrap(); // takes the idle one back
    let waiter = {
        let pool = pool.clone();
        tokio::spawn(async move { pool.acquire().await })
    };
    while pool.metrics().waiting == 0 {
        tokio::task::yield_now().await;
    }
    let started = tokio::time::Instant::now();
    pool.close().await;
    let err = waiter.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    assert_eq!(started.elapsed(), Duration::ZERO, "failed at once");
    assert!(matches!(
        pool.acquire().await.unwrap_err(),
        Error::Closed { .. }
    ));
    assert!(pool
        .acquire()
        .await
        .unwrap_err()
        .to_string()
        .contains("closed"));
    drop(held);
    settle().await;
    assert!(
        fake.events().contains(&"close 2".to_owned()),
        "{:?}",
        fake.events()
    );
}

#[tokio::test]
async fn close_says_goodbye_to_idle_connections() {
    let (pool, fake, _) = pool_with(PoolConfig::default());
    let a = pool.acquire().await.unwrap();
    let b = pool.acquire().await.unwrap();
    drop(a);
    drop(b);
    pool.close().await;
    let events = fake.events();
    assert!(events.contains(&"close 1".to_owned()) && events.contains(&"close 2".to_owned()));
    assert_eq!(pool.metrics().idle, 0);
}

#[tokio::test]
async fn clear_drops_idle_and_retires_in_use() {
    let (pool, _, _) = pool_with(PoolConfig::default());
    let a = pool.acquire().await.unwrap();
    drop(pool.acquire().await.unwrap());
    pool.clear();
    assert_eq!(pool.metrics().idle, 0);
    drop(a);
    assert_eq!(pool.metrics().idle, 0, "old generation not pooled");
    assert_eq!(pool.acquire().await.unwrap().id, 3);
}

#[tokio::test]
async fn dropped_waiting_acquire_leaves_no_trace() {
    let (pool, _, _) = pool_with(PoolConfig::default().with_max_size(1));
    let held = pool.acquire().await.unwrap();
    let fut = pool.acquire();
    let res = tokio::time::timeout(Duration::from_millis(10), fut).await;
    assert!(res.is_err());
    assert_eq!(pool.metrics().waiting, 0);
    drop(held);
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1);
    let m = pool.metrics();
    assert_eq!(m.acquired, 2);
    assert!(m.mean_acquisition_time().is_some());
}

#[tokio::test]
async fn guard_dropped_outside_the_runtime_is_still_reset() {
    let (pool, fake, _) = pool_with(PoolConfig::default().with_max_size(1));
    let mut c = pool.acquire().await.unwrap();
    c.health = ConnectionHealth::NeedsReset;
    // e.g. the blocking API dropping a guard on a user thread
    std::thread::spawn(move || drop(c)).join().unwrap();
    let c = pool.acquire().await.unwrap();
    assert_eq!((c.id, c.health), (1, ConnectionHealth::Ready));
    assert_eq!(fake.events(), ["connect 1", "reset 1"]);
}

#[tokio::test(start_paused = true)]
async fn hanging_reset_of_a_returned_connection_frees_the_slot() {
    let config = PoolConfig::default()
        .with_max_size(1)
        .with_connect_timeout(Duration::from_secs(3));
    let (pool, fake, _) = pool_with(config);
    fake.reset_hangs.store(true, Ordering::SeqCst);
    let mut c = pool.acquire().await.unwrap();
    c.health = ConnectionHealth::NeedsReset;
    drop(c);
    let started = tokio::time::Instant::now();
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 2, "the hung connection was discarded");
    assert_eq!(started.elapsed(), Duration::from_secs(3));
}

/// Polls a future once without a runtime waker (it is polled properly
/// later with `.await`).
fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> std::task::Poll<F::Output> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    std::pin::Pin::new(f).poll(&mut cx)
}

#[tokio::test]
async fn queued_waiter_is_served_before_a_later_caller_of_the_fast_path() {
    let (pool, fake, _) = pool_with(PoolConfig::default().with_max_size(1));
    let held = pool.acquire().await.unwrap();
    let waiter = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let c = pool.acquire().await.unwrap();
            let id = c.id;
            tokio::task::yield_now().await;
            drop(c);
            id
        })
    };
    while pool.metrics().waiting == 0 {
        tokio::task::yield_now().await;
    }
    // The connection goes back onto the idle stack and its slot to the
    // waiter; a caller arriving now, before the waiter ran, must queue.
    drop(held);
    assert_eq!(pool.metrics().idle, 1);
    let mut late = Box::pin(pool.acquire());
    assert!(
        poll_once(&mut late).is_pending(),
        "the late caller jumped the queue"
    );
    assert_eq!(pool.metrics().waiting, 2);
    assert_eq!(
        waiter.await.unwrap(),
        1,
        "the waiter got the idle connection"
    );
    let c = late.await.unwrap();
    assert_eq!(c.id, 1);
    assert_eq!(fake.connects.load(Ordering::SeqCst), 1);
    let m = pool.metrics();
    assert_eq!((m.in_use, m.idle, m.waiting, m.acquired), (1, 0, 0, 3));
}

#[tokio::test]
async fn fast_path_takes_a_ready_idle_connection_on_the_first_poll() {
    let (pool, fake, _) = pool_with(PoolConfig::default());
    drop(pool.acquire().await.unwrap());
    let mut fut = Box::pin(pool.acquire());
    match poll_once(&mut fut) {
        std::task::Poll::Ready(Ok(c)) => assert_eq!(c.id, 1),
        other => panic!("expected a connection at once, got {other:?}"),
    }
    let m = pool.metrics();
    assert_eq!((m.in_use, m.idle, m.acquired), (0, 1, 2));
    assert_eq!(fake.connects.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn connect_after_a_free_slot_still_obeys_the_acquisition_timeout() {
    let config = PoolConfig::default()
        .with_acquisition_timeout(Duration::from_secs(2))
        .with_connect_timeout(Duration::from_secs(30));
    let (pool, fake, _) = pool_with(config);
    *fake.connect_delay.lock().unwrap() = Duration::from_secs(10);
    let started = tokio::time::Instant::now();
    let err = pool.acquire().await.unwrap_err();
    assert!(matches!(err, Error::AcquisitionTimeout { .. }), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    assert_eq!(pool.metrics().in_use, 0, "slot released");
}

#[tokio::test(start_paused = true)]
async fn hanging_liveness_check_obeys_the_acquisition_timeout() {
    let config = PoolConfig::default()
        .with_max_size(1)
        .with_acquisition_timeout(Duration::from_secs(2))
        .with_liveness_check_after(Some(Duration::ZERO));
    let (pool, fake, _) = pool_with(config);
    drop(pool.acquire().await.unwrap());
    fake.reset_hangs.store(true, Ordering::SeqCst);
    let started = tokio::time::Instant::now();
    let err = pool.acquire().await.unwrap_err();
    assert!(matches!(err, Error::AcquisitionTimeout { .. }), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    let m = pool.metrics();
    assert_eq!((m.in_use, m.idle), (0, 0), "slot freed, connection dropped");
    fake.reset_hangs.store(false, Ordering::SeqCst);
    assert_eq!(pool.acquire().await.unwrap().id, 2);
}

#[tokio::test]
async fn ready_connection_dropped_outside_the_runtime_is_pooled_at_once() {
    let (pool, fake, _) = pool_with(PoolConfig::default().with_max_size(1));
    let c = pool.acquire().await.unwrap();
    std::thread::spawn(move || drop(c)).join().unwrap();
    let m = pool.metrics();
    assert_eq!((m.in_use, m.idle), (0, 1));
    assert_eq!(pool.acquire().await.unwrap().id, 1);
    assert_eq!(fake.events(), ["connect 1"]);
}

#[tokio::test]
async fn expire_auth_keeps_connections_but_flags_them_until_renewed() {
    let (pool, _, _) = pool_with(PoolConfig::default());
    let a = pool.acquire().await.unwrap();
    let idle = pool.acquire().await.unwrap();
    drop(idle);
    pool.expire_auth();
    // Both stay pooled: the idle one and the one in use when given back.
    assert_eq!(pool.metrics().idle, 1);
    assert!(a.auth_expired());
    drop(a);
    assert_eq!(pool.metrics().idle, 2);
    let mut b = pool.acquire().await.unwrap();
    assert!(b.auth_expired());
    b.auth_renewed();
    assert!(!b.auth_expired());
    drop(b);
    // A renewed connection comes back unflagged; one opened later never was.
    let c = pool.acquire().await.unwrap();
    let d = pool.acquire().await.unwrap();
    assert_ne!(
        c.auth_expired(),
        d.auth_expired(),
        "one of the two was renewed"
    );
}
