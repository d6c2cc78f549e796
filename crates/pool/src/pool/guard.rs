//! The guard handed out by the pool.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::Instant;

use super::{give_back, Manager, Meta, Slot};
use crate::Address;

/// A connection on loan from a [`Pool`](crate::Pool). Derefs to the
/// connection. Dropping it gives the connection back: ready ones go to the
/// idle stack at once (no allocation, no task), ones left mid-exchange are
/// reset in a background task first, broken ones are discarded. A
/// connection is never handed out as it was left.
pub struct Pooled<M: Manager> {
    /// Boxed once when opened, so a hand-over moves a pointer, not the
    /// connection.
    conn: Option<Box<M::Connection>>,
    meta: Meta,
    slot: Slot<M>,
    discard: bool,
    unchecked: bool,
}

impl<M: Manager> Pooled<M> {
    /// `unchecked`: taken from the idle stack without a liveness check.
    pub(crate) fn new(
        conn: Box<M::Connection>,
        meta: Meta,
        slot: Slot<M>,
        unchecked: bool,
    ) -> Self {
        Self {
            conn: Some(conn),
            meta,
            slot,
            discard: false,
            unchecked,
        }
    }

    /// Whether the connection came from the idle stack without a liveness
    /// check on the way (neither opened for this acquire nor reset by the
    /// pool's check): a caller that must know the server is there now
    /// checks it itself.
    pub fn reused_without_check(&self) -> bool {
        self.unchecked
    }

    /// The server the connection is to.
    pub fn address(&self) -> &Address {
        &self.slot.inner.address
    }

    /// When the connection was opened.
    pub fn created_at(&self) -> Instant {
        self.meta.created_at
    }

    /// Marks the connection so it is closed, not reused, when given back.
    pub fn discard(&mut self) {
        self.discard = true;
    }
}

impl<M: Manager> Deref for Pooled<M> {
    type Target = M::Connection;
    fn deref(&self) -> &M::Connection {
        // Always Some until Drop takes it.
        match &self.conn {
            Some(c) => c,
            None => unreachable_conn(),
        }
    }
}

impl<M: Manager> DerefMut for Pooled<M> {
    fn deref_mut(&mut self) -> &mut M::Connection {
        match &mut self.conn {
            Some(c) => c,
            None => unreachable_conn(),
        }
    }
}

#[cold]
fn unreachable_conn() -> ! {
    // The connection is only taken in Drop, after which no deref can happen.
    unreachable!("pooled connection used after being given back")
}

impl<M: Manager> Drop for Pooled<M> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // The slot itself is released when the field drops, after the
            // connection is back on the idle stack (or handed over).
            give_back(&mut self.slot, conn, self.meta, self.discard);
        }
    }
}

impl<M: Manager> fmt::Debug for Pooled<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pooled")
            .field("address", &self.address())
            .field("created_at", &self.meta.created_at)
            .finish()
    }
}
