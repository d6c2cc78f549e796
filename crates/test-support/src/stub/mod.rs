//! The scripted Bolt stub server.
//!
//! A [`StubServer`] listens on `127.0.0.1` and plays a [`Script`] against
//! each connection: it checks what the client sends against the `C:` lines
//! and sends the `S:` lines. [`StubServer::finish`] fails the test when
//! something did not match or a required line was never played, naming the
//! line. The script syntax is described in the crate's README and at the
//! crate root.
//!
//! The stub has its own chunking and handshake code: it exists to test
//! `quiver-bolt`, so it must not share its bugs.

mod blocking;
mod chunk;
mod conn;
mod data;
mod error;
mod handshake;
mod notation;
mod pattern;
mod player;
mod report;
mod script;
mod server;
mod stream;
mod wire;

pub use blocking::BlockingStubServer;
pub use error::{Failure, StubError};
pub use handshake::Handshake;
pub use report::{ConnectionReport, Event, EventKind, Report};
pub use script::Script;
pub use server::{StubListener, StubServer, StubServerBuilder};
