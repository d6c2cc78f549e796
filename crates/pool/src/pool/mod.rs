//! One pool per server address: a semaphore of `max_size` slots (FIFO-fair
//! waiters), a LIFO stack of idle connections, and a guard that gives the
//! connection back on `Drop`.
//!
//! The common case costs no timer and no allocation: an acquire that finds
//! a free slot and a ready idle connection takes both synchronously
//! ([`acquire`](Pool::acquire)'s fast path); only one that must wait, open
//! a connection or check one goes through the timed (boxed) path. A ready
//! connection given back goes straight onto the idle stack.

mod acquire;
mod config;
mod guard;
mod manager;
mod metrics;
mod release;
mod slot;

pub use config::PoolConfig;
pub use guard::Pooled;
pub use manager::{ConnectionHealth, Manager};
pub use metrics::PoolMetrics;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use tokio::sync::Semaphore;

use crate::{Address, Clock, Error, SystemClock};
use metrics::Counters;
use release::give_back;
use slot::Slot;

/// A pool of connections to one address. Cheap to clone; clones share the
/// pool.
///
/// ```no_run
/// # async fn demo<M: quiver_pool::Manager>(manager: M) -> Result<(), quiver_pool::Error<M::Error>> {
/// use quiver_pool::{Address, Pool, PoolConfig};
/// let pool = Pool::new(Address::new("localhost", 7687), manager, PoolConfig::default());
/// let conn = pool.acquire().await?; // derefs to M::Connection
/// drop(conn); // back to the pool (reset first if it was left mid-exchange)
/// pool.close().await;
/// # Ok(()) }
/// ```
pub struct Pool<M: Manager> {
    inner: Arc<Inner<M>>,
}

impl<M: Manager> Clone for Pool<M> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<M: Manager> fmt::Debug for Pool<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("address", &self.inner.address)
            .field("metrics", &self.metrics())
            .finish()
    }
}

pub(crate) struct Inner<M: Manager> {
    pub(crate) address: Address,
    manager: Arc<M>,
    config: PoolConfig,
    clock: Arc<dyn Clock>,
    /// `max_size` permits; a held one is a [`Slot`]. Released permits go to
    /// queued waiters first, so a free permit means nobody is queued.
    semaphore: Semaphore,
    idle: Mutex<Vec<Idle<M::Connection>>>,
    closed: AtomicBool,
    generation: AtomicU64,
    /// Bumped when the server says the credentials of its connections expired: a
    /// connection logged on before must log on again before its next use.
    auth_generation: AtomicU64,
    counters: Counters,
    /// The runtime of the first acquire: background resets and goodbyes run
    /// there even when a guard is dropped outside any runtime (blocking API).
    runtime: OnceLock<tokio::runtime::Handle>,
    /// How many given-back connections a background task is resetting:
    /// closing the pool waits for them, so their GOODBYE goes out before
    /// `close` returns.
    resetting: tokio::sync::watch::Sender<usize>,
}

struct Idle<C> {
    conn: Box<C>,
    meta: Meta,
    since: Instant,
}

/// Bookkeeping that travels with a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    created_at: Instant,
    generation: u64,
    auth_generation: u64,
}

impl<M: Manager> Pool<M> {
    /// A pool for `address` using the system clock.
    pub fn new(address: Address, manager: M, config: PoolConfig) -> Self {
        Self::with_clock(address, Arc::new(manager), config, Arc::new(SystemClock))
    }

    /// A pool sharing `manager` and reading time from `clock`.
    pub fn with_clock(
        address: Address,
        manager: Arc<M>,
        config: PoolConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let semaphore = Semaphore::new(config.max_size());
        Self {
            inner: Arc::new(Inner {
                address,
                manager,
                config,
                clock,
                semaphore,
                idle: Mutex::new(Vec::new()),
                closed: AtomicBool::new(false),
                generation: AtomicU64::new(0),
                auth_generation: AtomicU64::new(0),
                counters: Counters::default(),
                runtime: OnceLock::new(),
                resetting: tokio::sync::watch::Sender::new(0),
            }),
        }
    }

    /// The server this pool connects to.
    pub fn address(&self) -> &Address {
        &self.inner.address
    }

    /// The pool's settings.
    pub fn config(&self) -> &PoolConfig {
        &self.inner.config
    }

    /// Connections currently handed out (used for least-connected selection).
    pub fn in_use(&self) -> usize {
        self.inner.counters.in_use.load(Ordering::Relaxed)
    }

    /// A snapshot of the counters.
    pub fn metrics(&self) -> PoolMetrics {
        self.inner.metrics()
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Drops every idle connection without a goodbye (the server is deemed
    /// gone) and marks connections in use now so they are discarded when
    /// given back. The pool stays open.
    pub fn clear(&self) {
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        let idle = std::mem::take(&mut *self.inner.lock_idle());
        for i in idle {
            self.inner.dispose(i.conn, false);
        }
    }

    /// Marks every connection of the pool, idle or in use, as logged on with
    /// expired credentials: each is handed out with
    /// [`Pooled::auth_expired`](crate::Pooled::auth_expired) set until it logs on again.
    pub fn expire_auth(&self) {
        self.inner.auth_generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Closes the pool: waiters fail at once, idle connections are closed
    /// (GOODBYE where possible), connections in use are closed when given
    /// back, and later acquires fail with [`Error::Closed`].
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.semaphore.close();
        let idle = std::mem::take(&mut *self.inner.lock_idle());
        let limit = self.inner.config.connect_timeout();
        for i in idle {
            let _ = tokio::time::timeout(limit, self.inner.manager.close(*i.conn)).await;
            self.inner.counters.closed.fetch_add(1, Ordering::Relaxed);
        }
        // Connections given back mid-exchange are still being reset (each
        // bounded by the same limit); they close themselves once the pool
        // is closed, and this waits for that.
        let mut resetting = self.inner.resetting.subscribe();
        let _ = tokio::time::timeout(limit, resetting.wait_for(|n| *n == 0)).await;
    }
}

impl<M: Manager> Inner<M> {
    fn metrics(&self) -> PoolMetrics {
        let idle = self.lock_idle().len();
        self.counters.snapshot(idle)
    }

    fn lock_idle(&self) -> MutexGuard<'_, Vec<Idle<M::Connection>>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn closed_error(&self) -> Error<M::Error> {
        Error::Closed {
            address: self.address.clone(),
        }
    }

    /// Whether a connection may go (back) into service at `now`.
    fn reusable(&self, meta: &Meta, now: Instant) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        if meta.generation != self.generation.load(Ordering::Acquire) {
            return false;
        }
        match self.config.max_lifetime() {
            Some(max) => now.saturating_duration_since(meta.created_at) < max,
            None => true,
        }
    }

    /// Ends a connection; politely (in a background task, when a runtime is
    /// there) if `goodbye`.
    fn dispose(&self, conn: Box<M::Connection>, goodbye: bool) {
        self.counters.closed.fetch_add(1, Ordering::Relaxed);
        if goodbye {
            if let Some(rt) = self.runtime() {
                let manager = Arc::clone(&self.manager);
                let limit = self.config.connect_timeout();
                rt.spawn(async move {
                    let _ = tokio::time::timeout(limit, manager.close(*conn)).await;
                });
                return;
            }
        }
        drop(conn);
    }

    fn runtime(&self) -> Option<tokio::runtime::Handle> {
        tokio::runtime::Handle::try_current()
            .ok()
            .or_else(|| self.runtime.get().cloned())
    }
}
