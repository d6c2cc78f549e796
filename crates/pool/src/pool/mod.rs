//! One pool per server address: a semaphore of `max_size` slots (FIFO-fair
//! waiters), a LIFO stack of idle connections, and a guard that gives the
//! connection back on `Drop`.

mod config;
mod guard;
mod manager;
mod metrics;

pub use config::PoolConfig;
pub use guard::Pooled;
pub use manager::{ConnectionHealth, Manager};
pub use metrics::PoolMetrics;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Address, Clock, Error, SystemClock};
use metrics::{Counters, Waiting};

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
    semaphore: Arc<Semaphore>,
    idle: Mutex<Vec<Idle<M::Connection>>>,
    closed: AtomicBool,
    generation: AtomicU64,
    counters: Counters,
    /// The runtime of the first acquire: background resets and goodbyes run
    /// there even when a guard is dropped outside any runtime (blocking API).
    runtime: OnceLock<tokio::runtime::Handle>,
}

struct Idle<C> {
    conn: C,
    meta: Meta,
    since: Instant,
}

/// Bookkeeping that travels with a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    created_at: Instant,
    generation: u64,
}

/// A held slot of the pool: the semaphore permit plus the in-use count.
pub(crate) struct Slot<M: Manager> {
    _permit: OwnedSemaphorePermit,
    inner: Arc<Inner<M>>,
}

impl<M: Manager> Slot<M> {
    fn new(permit: OwnedSemaphorePermit, inner: Arc<Inner<M>>) -> Self {
        inner.counters.in_use.fetch_add(1, Ordering::Relaxed);
        Self {
            _permit: permit,
            inner,
        }
    }
}

impl<M: Manager> Drop for Slot<M> {
    fn drop(&mut self) {
        self.inner.counters.in_use.fetch_sub(1, Ordering::Relaxed);
    }
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
        let semaphore = Arc::new(Semaphore::new(config.max_size()));
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
                counters: Counters::default(),
                runtime: OnceLock::new(),
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

    /// A connection: the most recently released idle one that is still
    /// good, or a new one. Waits in line (first come, first served) when
    /// all `max_size` slots are taken, up to the acquisition timeout.
    pub async fn acquire(&self) -> Result<Pooled<M>, Error<M::Error>> {
        let started = tokio::time::Instant::now();
        let timeout = self.inner.config.acquisition_timeout();
        let result = match tokio::time::timeout(timeout, self.acquire_inner()).await {
            Ok(result) => result,
            Err(_) => {
                let m = self.metrics();
                Err(Error::AcquisitionTimeout {
                    address: self.inner.address.clone(),
                    timeout,
                    in_use: m.in_use,
                    idle: m.idle,
                    waiting: m.waiting,
                    max_size: self.inner.config.max_size(),
                })
            }
        };
        if result.is_ok() {
            self.inner.counters.record_acquisition(started.elapsed());
        }
        result
    }

    async fn acquire_inner(&self) -> Result<Pooled<M>, Error<M::Error>> {
        let inner = &self.inner;
        if inner.runtime.get().is_none() {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                let _ = inner.runtime.set(handle);
            }
        }
        if self.is_closed() {
            return Err(inner.closed_error());
        }
        let permit = {
            let _waiting = Waiting::new(&inner.counters.waiting);
            Arc::clone(&inner.semaphore)
                .acquire_owned()
                .await
                .map_err(|_| inner.closed_error())?
        };
        let slot = Slot::new(permit, Arc::clone(inner));
        while let Some(idle) = inner.pop_idle() {
            let now = inner.clock.now();
            if !inner.reusable(&idle.meta, now) {
                inner.dispose(idle.conn, true);
                continue;
            }
            if inner.manager.health(&idle.conn) != ConnectionHealth::Ready {
                inner.dispose(idle.conn, false);
                continue;
            }
            let mut conn = idle.conn;
            let needs_check = inner
                .config
                .liveness_check_after()
                .is_some_and(|after| now.saturating_duration_since(idle.since) >= after);
            if needs_check {
                if let Err(e) = inner.manager.reset(&mut conn).await {
                    tracing::debug!(address = %inner.address, error = %e, "liveness check failed");
                    inner.dispose(conn, false);
                    continue;
                }
            }
            return Ok(Pooled::new(conn, idle.meta, slot));
        }
        let connect = inner.manager.connect(&inner.address);
        let timeout = inner.config.connect_timeout();
        match tokio::time::timeout(timeout, connect).await {
            Ok(Ok(conn)) => {
                inner.counters.created.fetch_add(1, Ordering::Relaxed);
                let meta = Meta {
                    created_at: inner.clock.now(),
                    generation: inner.generation.load(Ordering::Acquire),
                };
                Ok(Pooled::new(conn, meta, slot))
            }
            Ok(Err(source)) => {
                inner
                    .counters
                    .failed_to_create
                    .fetch_add(1, Ordering::Relaxed);
                Err(Error::Connect {
                    address: inner.address.clone(),
                    source,
                })
            }
            Err(_) => {
                inner
                    .counters
                    .failed_to_create
                    .fetch_add(1, Ordering::Relaxed);
                Err(Error::ConnectTimeout {
                    address: inner.address.clone(),
                    timeout,
                })
            }
        }
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

    /// Closes the pool: waiters fail at once, idle connections are closed
    /// (GOODBYE where possible), connections in use are closed when given
    /// back, and later acquires fail with [`Error::Closed`].
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.semaphore.close();
        let idle = std::mem::take(&mut *self.inner.lock_idle());
        for i in idle {
            let limit = self.inner.config.connect_timeout();
            let _ = tokio::time::timeout(limit, self.inner.manager.close(i.conn)).await;
            self.inner.counters.closed.fetch_add(1, Ordering::Relaxed);
        }
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

    fn pop_idle(&self) -> Option<Idle<M::Connection>> {
        self.lock_idle().pop()
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
    fn dispose(self: &Arc<Self>, conn: M::Connection, goodbye: bool) {
        self.counters.closed.fetch_add(1, Ordering::Relaxed);
        if goodbye {
            if let Some(rt) = self.runtime() {
                let manager = Arc::clone(&self.manager);
                let limit = self.config.connect_timeout();
                rt.spawn(async move {
                    let _ = tokio::time::timeout(limit, manager.close(conn)).await;
                });
                return;
            }
        }
        drop(conn);
    }

    /// Takes a connection back from a guard.
    pub(crate) fn give_back(
        self: &Arc<Self>,
        mut conn: M::Connection,
        meta: Meta,
        slot: Slot<M>,
        discard: bool,
    ) {
        let health = self.manager.health(&conn);
        if discard || health == ConnectionHealth::Broken {
            self.dispose(conn, false);
            return;
        }
        if !self.reusable(&meta, self.clock.now()) {
            self.dispose(conn, health == ConnectionHealth::Ready);
            return;
        }
        match health {
            ConnectionHealth::Ready => {
                self.push_idle(conn, meta);
                drop(slot);
            }
            _ => {
                let Some(rt) = self.runtime() else {
                    self.dispose(conn, false);
                    return;
                };
                let this = Arc::clone(self);
                rt.spawn(async move {
                    // Bounded: a server that never answers must not hold the
                    // slot for ever.
                    let limit = this.config.connect_timeout();
                    let result = tokio::time::timeout(limit, this.manager.reset(&mut conn)).await;
                    let ready = this.manager.health(&conn) == ConnectionHealth::Ready;
                    match result {
                        Ok(Ok(())) if ready && this.reusable(&meta, this.clock.now()) => {
                            this.push_idle(conn, meta)
                        }
                        Ok(Ok(())) => this.dispose(conn, ready),
                        Ok(Err(e)) => {
                            tracing::debug!(address = %this.address, error = %e, "reset of a returned connection failed");
                            this.dispose(conn, false);
                        }
                        Err(_) => {
                            tracing::debug!(address = %this.address, "reset of a returned connection timed out");
                            this.dispose(conn, false);
                        }
                    }
                    drop(slot);
                });
            }
        }
    }

    fn runtime(&self) -> Option<tokio::runtime::Handle> {
        tokio::runtime::Handle::try_current()
            .ok()
            .or_else(|| self.runtime.get().cloned())
    }

    fn push_idle(&self, conn: M::Connection, meta: Meta) {
        let since = self.clock.now();
        self.lock_idle().push(Idle { conn, meta, since });
    }
}
