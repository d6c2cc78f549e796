//! Time as the driver sees it: a monotonic clock and a way to sleep, both
//! replaceable so that tests (and the testkit backend) can fake time. One
//! clock serves the pool and the router (routing table TTLs, connection
//! lifetimes, idle times) and the facade above it (retry backoff, token
//! expiry).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::resolve::BoxFuture;

/// The driver's source of time. Timeouts on waiting (acquisition, reads)
/// use tokio's timer, which tests can pause and advance separately.
///
/// [`SystemClock`] is the real one. [`FakeClock`] lets tests move time by
/// hand: its sleeps return at once and advance it.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;

    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock: [`Instant::now`] and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        // The timer is made when the future is first polled, on the runtime that polls it:
        // a caller outside any runtime (the blocking API) may create the future.
        Box::pin(async move { tokio::time::sleep(duration).await })
    }
}

/// A clock that only moves when told to: by [`tick`](FakeClock::tick) or by
/// sleeping, which returns at once after advancing the clock. It records the
/// sleeps it was asked for.
///
/// ```
/// use std::time::Duration;
/// use quiver_pool::{Clock, FakeClock};
///
/// let clock = FakeClock::new();
/// let t0 = clock.now();
/// clock.tick(Duration::from_secs(5));
/// assert_eq!(clock.now() - t0, Duration::from_secs(5));
/// ```
#[derive(Clone, Default)]
pub struct FakeClock {
    state: Arc<Mutex<FakeState>>,
}

#[derive(Default)]
struct FakeState {
    base: Option<Instant>,
    elapsed: Duration,
    sleeps: Vec<Duration>,
}

impl FakeClock {
    /// A fake clock frozen at the current instant.
    pub fn new() -> Self {
        let clock = FakeClock::default();
        clock.lock().base = Some(Instant::now());
        clock
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock forward.
    pub fn tick(&self, duration: Duration) {
        let mut s = self.lock();
        s.elapsed = s.elapsed.saturating_add(duration);
    }

    /// The sleeps requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }
}

impl fmt::Debug for FakeClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("FakeClock")
            .field("elapsed", &s.elapsed)
            .field("sleeps", &s.sleeps.len())
            .finish()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        let mut s = self.lock();
        let base = *s.base.get_or_insert_with(Instant::now);
        base.checked_add(s.elapsed).unwrap_or(base)
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        {
            let mut s = self.lock();
            s.sleeps.push(duration);
            s.elapsed = s.elapsed.saturating_add(duration);
        }
        Box::pin(std::future::ready(()))
    }
}
