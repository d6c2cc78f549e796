//! Counters a user can read.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// A snapshot of one pool's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolMetrics {
    /// Connections handed out (or being opened, reset or checked for a user).
    pub in_use: usize,
    /// Connections waiting in the pool.
    pub idle: usize,
    /// Acquirers waiting for a free slot.
    pub waiting: usize,
    /// Connections opened so far.
    pub created: u64,
    /// Connections closed or discarded so far.
    pub closed: u64,
    /// Connection attempts that failed or timed out.
    pub failed_to_create: u64,
    /// Successful acquisitions.
    pub acquired: u64,
    /// Total time successful acquisitions spent waiting (for a slot, for a
    /// connection to open, for a liveness check); one served at once from
    /// an idle connection adds nothing.
    pub acquisition_time: Duration,
}

impl PoolMetrics {
    /// Mean time of a successful acquisition.
    pub fn mean_acquisition_time(&self) -> Option<Duration> {
        let n = u32::try_from(self.acquired).ok().filter(|n| *n > 0)?;
        Some(self.acquisition_time / n)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) in_use: AtomicUsize,
    pub(crate) waiting: AtomicUsize,
    pub(crate) created: AtomicU64,
    pub(crate) closed: AtomicU64,
    pub(crate) failed_to_create: AtomicU64,
    pub(crate) acquired: AtomicU64,
    pub(crate) acquisition_nanos: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self, idle: usize) -> PoolMetrics {
        PoolMetrics {
            in_use: self.in_use.load(Ordering::Relaxed),
            idle,
            waiting: self.waiting.load(Ordering::Relaxed),
            created: self.created.load(Ordering::Relaxed),
            closed: self.closed.load(Ordering::Relaxed),
            failed_to_create: self.failed_to_create.load(Ordering::Relaxed),
            acquired: self.acquired.load(Ordering::Relaxed),
            acquisition_time: Duration::from_nanos(self.acquisition_nanos.load(Ordering::Relaxed)),
        }
    }

    /// An acquisition served at once (no timer was read).
    pub(crate) fn record_immediate_acquisition(&self) {
        self.acquired.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_acquisition(&self, took: Duration) {
        self.acquired.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.acquisition_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// Counts one waiter for as long as it lives (a dropped acquire future
/// stops counting).
pub(crate) struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    pub(crate) fn new(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
