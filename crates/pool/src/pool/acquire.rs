//! Taking a connection from the pool: a synchronous first step that serves
//! the common case (a free slot and a ready idle connection), and a timed
//! path for everything that needs waiting or IO.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::TryAcquireError;

use super::metrics::Waiting;
use super::{ConnectionHealth, Idle, Inner, Manager, Meta, Pool, Pooled, Slot};
use crate::Error;

/// The outcome of an acquire's synchronous first step.
enum Step<M: Manager> {
    /// Finished without waiting: a ready connection, or the pool is closed.
    Done(Result<Pooled<M>, Error<M::Error>>),
    /// The rest needs waiting or IO, under the acquisition timeout.
    Wait(Wait<M>),
}

/// Where the timed path starts.
enum Wait<M: Manager> {
    /// No free slot: queue for one (first come, first served).
    Queue,
    /// A slot is held; the connection still needs a check or opening.
    Held(Slot<M>, Next<M::Connection>),
}

/// What a held slot gets next from the idle stack.
enum Next<C> {
    /// A connection that may be handed out as is.
    Ready(Idle<C>),
    /// A connection idle long enough to need a liveness check first.
    Check(Idle<C>),
    /// Nothing usable is idle: open a connection.
    Connect,
}

impl<M: Manager> Pool<M> {
    /// A connection: the most recently released idle one that is still
    /// good, or a new one. Waits in line (first come, first served) when
    /// all `max_size` slots are taken, up to the acquisition timeout.
    ///
    /// When a slot is free and a ready idle connection is there (the
    /// common case), it is taken at once: no timer, no allocation. Waiting
    /// for a slot, opening a connection and liveness checks run under the
    /// acquisition timeout.
    pub async fn acquire(&self) -> Result<Pooled<M>, Error<M::Error>> {
        self.acquire_within(self.inner.config.acquisition_timeout())
            .await
    }

    /// [`acquire`](Self::acquire) with a time limit of the caller's instead
    /// of the configured acquisition timeout (what is left of a budget
    /// spread over several acquires, say).
    pub async fn acquire_within(&self, timeout: Duration) -> Result<Pooled<M>, Error<M::Error>> {
        let wait = match self.inner.first_step() {
            Step::Done(result) => return result,
            Step::Wait(wait) => wait,
        };
        // Boxed: the timed path's state (timer, connect future) stays out
        // of the future every acquire builds and moves. Built in a
        // statement of its own: a temporary of the awaiting statement would
        // keep its full size in this future.
        let timed = Box::pin(self.inner.acquire_timed(wait, timeout));
        timed.await
    }
}

impl<M: Manager> Inner<M> {
    /// Everything an acquire can do without waiting.
    fn first_step(self: &Arc<Self>) -> Step<M> {
        if self.runtime.get().is_none() {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                let _ = self.runtime.set(handle);
            }
        }
        if self.closed.load(Ordering::Acquire) {
            return Step::Done(Err(self.closed_error()));
        }
        // Released permits are handed to queued waiters directly, so a free
        // one here means nobody is in line before us.
        match self.semaphore.try_acquire() {
            Ok(permit) => permit.forget(),
            Err(TryAcquireError::NoPermits) => return Step::Wait(Wait::Queue),
            Err(TryAcquireError::Closed) => return Step::Done(Err(self.closed_error())),
        }
        let slot = Slot::taken(self);
        match self.next_idle() {
            Next::Ready(idle) => {
                self.counters.record_immediate_acquisition();
                Step::Done(Ok(Pooled::new(idle.conn, idle.meta, slot, true)))
            }
            next => Step::Wait(Wait::Held(slot, next)),
        }
    }

    /// Pops idle connections until one may be used; expired, retired and
    /// unhealthy ones are disposed of on the way.
    fn next_idle(&self) -> Next<M::Connection> {
        while let Some(mut idle) = self.pop_idle() {
            let now = self.clock.now();
            if !self.reusable(&idle.meta, now) {
                self.dispose(idle.conn, true);
                continue;
            }
            if self.manager.health(&idle.conn) != ConnectionHealth::Ready {
                self.dispose(idle.conn, false);
                continue;
            }
            if !self.manager.check_idle(&mut idle.conn) {
                tracing::debug!(address = %self.address, "an idle connection was closed or sent unasked bytes");
                self.dispose(idle.conn, false);
                continue;
            }
            let needs_check = self
                .config
                .liveness_check_after()
                .is_some_and(|after| now.saturating_duration_since(idle.since) >= after);
            return if needs_check {
                Next::Check(idle)
            } else {
                Next::Ready(idle)
            };
        }
        Next::Connect
    }

    fn pop_idle(&self) -> Option<Idle<M::Connection>> {
        self.lock_idle().pop()
    }

    /// The rest of an acquire, bounded by the acquisition timeout.
    async fn acquire_timed(
        self: &Arc<Self>,
        wait: Wait<M>,
        timeout: Duration,
    ) -> Result<Pooled<M>, Error<M::Error>> {
        if timeout.is_zero() {
            // No time at all (a spent budget): start nothing. A connection
            // that only wanted its liveness check goes back unchecked.
            if let Wait::Held(slot, next) = wait {
                if let Next::Check(idle) | Next::Ready(idle) = next {
                    self.lock_idle().push(idle);
                }
                // Free again before the error counts what is in use.
                drop(slot);
            }
            return Err(self.timeout_error(timeout));
        }
        let started = tokio::time::Instant::now();
        match tokio::time::timeout(timeout, self.acquire_waiting(wait)).await {
            Ok(result) => {
                if result.is_ok() {
                    self.counters.record_acquisition(started.elapsed());
                }
                result
            }
            Err(_) => Err(self.timeout_error(timeout)),
        }
    }

    fn timeout_error(&self, timeout: Duration) -> Error<M::Error> {
        let m = self.metrics();
        Error::AcquisitionTimeout {
            address: self.address.clone(),
            timeout,
            in_use: m.in_use,
            idle: m.idle,
            waiting: m.waiting,
            max_size: self.config.max_size(),
        }
    }

    async fn acquire_waiting(
        self: &Arc<Self>,
        wait: Wait<M>,
    ) -> Result<Pooled<M>, Error<M::Error>> {
        let (slot, mut next) = match wait {
            Wait::Held(slot, next) => (slot, next),
            Wait::Queue => {
                let permit = {
                    let _waiting = Waiting::new(&self.counters.waiting);
                    self.semaphore
                        .acquire()
                        .await
                        .map_err(|_| self.closed_error())?
                };
                permit.forget();
                (Slot::taken(self), self.next_idle())
            }
        };
        loop {
            match next {
                Next::Ready(idle) => return Ok(Pooled::new(idle.conn, idle.meta, slot, true)),
                // The check's and the connect's futures are boxed when they
                // start: a task queued for a slot holds only the wait's
                // small state (many tasks waiting on a full pool each hold
                // one of these).
                Next::Check(mut idle) => match Box::pin(self.manager.reset(&mut idle.conn)).await {
                    Ok(()) => return Ok(Pooled::new(idle.conn, idle.meta, slot, false)),
                    Err(e) => {
                        tracing::debug!(address = %self.address, error = %e, "liveness check failed");
                        self.dispose(idle.conn, false);
                    }
                },
                Next::Connect => return Box::pin(self.connect(slot)).await,
            }
            next = self.next_idle();
        }
    }

    /// Opens a connection for a held slot, under the connection timeout.
    async fn connect(&self, slot: Slot<M>) -> Result<Pooled<M>, Error<M::Error>> {
        let timeout = self.config.connect_timeout();
        match tokio::time::timeout(timeout, self.manager.connect(&self.address)).await {
            Ok(Ok(conn)) => {
                self.counters.created.fetch_add(1, Ordering::Relaxed);
                let meta = Meta {
                    created_at: self.clock.now(),
                    generation: self.generation.load(Ordering::Acquire),
                    auth_generation: self.auth_generation.load(Ordering::Acquire),
                };
                Ok(Pooled::new(Box::new(conn), meta, slot, false).opened())
            }
            Ok(Err(source)) => {
                self.counters
                    .failed_to_create
                    .fetch_add(1, Ordering::Relaxed);
                Err(Error::Connect {
                    address: self.address.clone(),
                    source,
                })
            }
            Err(_) => {
                self.counters
                    .failed_to_create
                    .fetch_add(1, Ordering::Relaxed);
                Err(Error::ConnectTimeout {
                    address: self.address.clone(),
                    timeout,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bolt::BoltManager;
    use crate::PoolConfig;

    #[test]
    fn a_task_waiting_for_a_slot_holds_a_small_future() {
        // What every task queued on a full pool keeps while it waits (W7 in
        // the bench: 480 of 512 tasks at a time). Connecting (TCP, TLS, the
        // handshake, HELLO) and the liveness check are boxed when they
        // start, not carried by every waiter: 608 bytes, 2,504 before.
        let manager = BoltManager::new(quiver_bolt::ConnectionConfig::default());
        let pool = Pool::new(
            crate::Address::new("localhost", 7687),
            manager,
            PoolConfig::default(),
        );
        let waiting = pool
            .inner
            .acquire_timed(Wait::Queue, Duration::from_secs(1));
        let size = std::mem::size_of_val(&waiting);
        assert!(size <= 1024, "a waiting acquire is {size} bytes");
    }
}
