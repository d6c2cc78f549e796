//! A fault-injecting TCP proxy, on `127.0.0.1`, between a client under test
//! and a server (a stub, the bench server, a real database).
//!
//! Faults are switched at run time, from the test, and apply to connections
//! already open as well as new ones:
//!
//! | call | effect |
//! |---|---|
//! | [`FaultProxy::arm`] | after `n` more bytes in a direction, [`Action::Close`] (FIN), [`Action::Reset`] (RST) or [`Action::Stall`] (one-shot) |
//! | [`FaultProxy::stall`] | black hole: nothing is forwarded, nothing closed |
//! | [`FaultProxy::delay`] | wait before forwarding each read |
//! | [`FaultProxy::refuse`] | new connections are reset at once |
//! | [`FaultProxy::corrupt`] | change random bytes (seeded) in a direction |
//! | [`FaultProxy::reset_all`] | reset every open connection |
//! | [`FaultProxy::restore`] | clear every fault (stalled connections go on) |
//!
//! [`FaultProxy::stats`] counts connections and bytes.
//!
//! ```no_run
//! use quiver_test_support::proxy::{Action, Direction, FaultProxy};
//!
//! # async fn demo(upstream: std::net::SocketAddr) -> std::io::Result<()> {
//! let proxy = FaultProxy::start(upstream).await?;
//! let uri = proxy.uri(); // "bolt://127.0.0.1:<port>"
//! // The next byte the server sends resets the connection it is on.
//! proxy.arm(Direction::ToClient, 0, Action::Reset);
//! // ... drive the client against uri ...
//! proxy.restore();
//! assert!(proxy.stats().connections >= 1);
//! # let _ = uri; Ok(())
//! # }
//! ```

mod conn;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use state::Shared;
pub use state::{Action, Direction, Stats};

/// The proxy: listens on `127.0.0.1:0` and forwards each connection to the
/// upstream address, applying the faults in force. Dropping it stops
/// accepting and ends every connection.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on an OS-assigned port of `127.0.0.1`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new());
        let accept = tokio::spawn(conn::accept_loop(listener, upstream, Arc::clone(&shared)));
        Ok(FaultProxy {
            addr,
            shared,
            accept,
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `bolt://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("bolt://{}", self.addr)
    }

    /// After `bytes` more bytes have been forwarded in `direction` (over all
    /// connections), applies `action` to the connection that carried them.
    /// `0` acts on the next byte, forwarding none of it. One-shot: the fault
    /// is disarmed once it fires. Arming again replaces it.
    pub fn arm(&self, direction: Direction, bytes: u64, action: Action) {
        self.shared
            .update(|s| s.trigger = Some((direction, bytes, action)));
    }

    /// Black-holes every connection: nothing is forwarded and nothing is
    /// closed until [`restore`](Self::restore). New connections are
    /// accepted but get nothing either.
    pub fn stall(&self) {
        self.shared.update(|s| s.stalled = true);
    }

    /// Waits `delay` before forwarding each read (both directions).
    pub fn delay(&self, delay: Duration) {
        self.shared.update(|s| s.delay = Some(delay));
    }

    /// Changes about one byte in `one_in` going `direction` (xor with a
    /// random non-zero byte), from a generator seeded with `seed`: the same
    /// seed and traffic give the same changes. Until
    /// [`restore`](Self::restore).
    pub fn corrupt(&self, direction: Direction, one_in: u32, seed: u64) {
        self.shared.update(|s| {
            s.corrupt = Some(state::Corrupt {
                direction,
                one_in: u64::from(one_in.max(1)),
                // xorshift needs a non-zero state.
                rng: seed | 1,
            });
        });
    }

    /// Resets every new connection as soon as it is accepted.
    pub fn refuse(&self) {
        self.shared.update(|s| s.refuse = true);
    }

    /// Resets every connection open now (new ones are not affected).
    pub fn reset_all(&self) {
        self.shared.update(|s| s.kill_generation += 1);
    }

    /// Clears every fault: stalled connections go on, new connections are
    /// accepted, an armed trigger is disarmed.
    pub fn restore(&self) {
        self.shared.update(|s| {
            s.stalled = false;
            s.delay = None;
            s.refuse = false;
            s.trigger = None;
            s.corrupt = None;
        });
    }

    /// Whether an armed trigger is still waiting to fire.
    pub fn armed(&self) -> bool {
        self.shared.with(|s| s.trigger.is_some())
    }

    /// Counts so far.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.shared.update(|s| {
            s.kill_generation += 1;
            s.shutdown = true;
        });
    }
}

#[cfg(test)]
mod tests;
