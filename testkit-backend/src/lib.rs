//! The Neo4j TestKit backend for Quiver: a TCP server that speaks TestKit's protocol and
//! drives the driver on its behalf.
//!
//! Layers, bottom up:
//! * [`framing`]: `#request begin`/`#request end` blocks in, `#response ...` blocks out;
//! * [`requests`], [`responses`], [`cypher`]: every message and the Cypher value encoding,
//!   as typed serde enums; [`convert`]: Cypher values to and from `quiver_packstream::Value`;
//! * [`connection`]: one connection's loop, a task per request (panics become
//!   `BackendError`s), callback requests with [`callbacks`], per-connection [`state`];
//! * [`handlers`]: one module per request group; [`features`]: the feature list and skips;
//!   [`reports`]: driver errors, records and summaries as TestKit wants them.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! println!("listening on {}", listener.local_addr()?);
//! testkit_backend::run(listener).await
//! # }
//! ```
#![warn(missing_docs)]

pub mod auth_tokens;
pub mod callbacks;
pub mod clock;
pub mod connection;
pub mod convert;
pub mod cypher;
pub mod driver_setup;
pub mod error;
pub mod features;
pub mod framing;
pub mod handlers;
pub mod ids;
pub mod presence;
pub mod reports;
pub mod requests;
pub mod responses;
pub mod state;

use std::io;

use tokio::net::TcpListener;

/// Default address TestKit connects to.
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// Default port TestKit connects to.
pub const DEFAULT_PORT: u16 = 9876;

/// Accepts TestKit connections forever and serves them one after another (TestKit opens one
/// per test and never two at once). Errors of a single connection end only that connection.
pub async fn run(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _peer) = listener.accept().await?;
        // Small blocks, one at a time: do not wait for Nagle.
        let _ = stream.set_nodelay(true);
        let _ = connection::serve_connection(stream).await;
    }
}
