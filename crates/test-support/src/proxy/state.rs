//! The faults in force, shared by the proxy handle and its connections.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;

/// Which way bytes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Direction {
    /// From the client to the server.
    ToServer,
    /// From the server to the client.
    ToClient,
    /// Either way.
    Both,
}

impl Direction {
    pub(crate) fn covers(self, other: Direction) -> bool {
        self == Direction::Both || self == other
    }
}

/// What an armed trigger does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Close both sides cleanly (FIN).
    Close,
    /// Reset both sides (RST).
    Reset,
    /// Black-hole every connection, as [`FaultProxy::stall`](super::FaultProxy::stall).
    Stall,
}

/// Counts of what went through the proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Connections accepted (refused ones included).
    pub connections: u64,
    /// Connections open now.
    pub open: u64,
    /// Connections reset at once because of [`FaultProxy::refuse`](super::FaultProxy::refuse).
    pub refused: u64,
    /// Connections ended by a fault (trigger or reset_all).
    pub killed: u64,
    /// Bytes forwarded to the server.
    pub bytes_to_server: u64,
    /// Bytes forwarded to the client.
    pub bytes_to_client: u64,
    /// Bytes changed by [`FaultProxy::corrupt`](super::FaultProxy::corrupt).
    pub corrupted: u64,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) stalled: bool,
    pub(crate) delay: Option<Duration>,
    pub(crate) refuse: bool,
    pub(crate) trigger: Option<(Direction, u64, Action)>,
    pub(crate) kill_generation: u64,
    pub(crate) shutdown: bool,
    /// Corrupt bytes going this way, about one in `one_in`, from this
    /// xorshift state.
    pub(crate) corrupt: Option<Corrupt>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Corrupt {
    pub(crate) direction: Direction,
    pub(crate) one_in: u64,
    pub(crate) rng: u64,
}

impl Corrupt {
    fn next(&mut self) -> u64 {
        // xorshift64: the state is never zero (see FaultProxy::corrupt).
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }

    /// Changes some bytes of `data` in place; how many.
    pub(crate) fn apply(&mut self, data: &mut [u8]) -> usize {
        let mut changed = 0;
        for b in data.iter_mut() {
            if self.next() % self.one_in == 0 {
                // Never a no-op: xor with a non-zero byte.
                *b ^= (self.next() % 255 + 1) as u8;
                changed += 1;
            }
        }
        changed
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    pub(crate) connections: AtomicU64,
    pub(crate) open: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) killed: AtomicU64,
    pub(crate) bytes_to_server: AtomicU64,
    pub(crate) bytes_to_client: AtomicU64,
    pub(crate) corrupted: AtomicU64,
}

impl Shared {
    pub(crate) fn new() -> Self {
        Shared {
            state: Mutex::new(State::default()),
            changed: watch::channel(0).0,
            connections: AtomicU64::new(0),
            open: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            killed: AtomicU64::new(0),
            bytes_to_server: AtomicU64::new(0),
            bytes_to_client: AtomicU64::new(0),
            corrupted: AtomicU64::new(0),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-made
        // (every update is a few assignments): go on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.lock())
    }

    /// Changes the state and wakes every connection to look at it.
    pub(crate) fn update(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.lock());
        self.changed.send_modify(|g| *g = g.wrapping_add(1));
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub(crate) fn stats(&self) -> Stats {
        Stats {
            connections: self.connections.load(Ordering::Relaxed),
            open: self.open.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            killed: self.killed.load(Ordering::Relaxed),
            bytes_to_server: self.bytes_to_server.load(Ordering::Relaxed),
            bytes_to_client: self.bytes_to_client.load(Ordering::Relaxed),
            corrupted: self.corrupted.load(Ordering::Relaxed),
        }
    }
}
