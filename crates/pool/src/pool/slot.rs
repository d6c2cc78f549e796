//! One held place of the pool: a semaphore permit plus the in-use count.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Inner, Manager};

/// A held slot of the pool. The semaphore permit behind it is forgotten
/// when taken and given back (`add_permits(1)`) when the slot is dropped,
/// so the slot needs no reference of its own to the semaphore: one `Arc` of
/// the pool, which a guard needs anyway.
pub(crate) struct Slot<M: Manager> {
    pub(super) inner: Arc<Inner<M>>,
    held: bool,
}

impl<M: Manager> Slot<M> {
    /// Accounts for a permit just taken (and forgotten) from `inner`'s
    /// semaphore.
    pub(super) fn taken(inner: &Arc<Inner<M>>) -> Self {
        inner.counters.in_use.fetch_add(1, Ordering::Relaxed);
        Self {
            inner: Arc::clone(inner),
            held: true,
        }
    }

    /// Moves the slot into a new guard (a background task); `self` then
    /// releases nothing when dropped.
    pub(super) fn hand_over(&mut self) -> Self {
        let held = std::mem::replace(&mut self.held, false);
        Self {
            inner: Arc::clone(&self.inner),
            held,
        }
    }
}

impl<M: Manager> Drop for Slot<M> {
    fn drop(&mut self) {
        if self.held {
            self.inner.counters.in_use.fetch_sub(1, Ordering::Relaxed);
            // A waiter queued on the semaphore is handed the permit
            // directly (first come, first served); after `close` nobody
            // can take it.
            self.inner.semaphore.add_permits(1);
        }
    }
}
