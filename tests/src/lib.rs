//! Quiver's integration suite (`tests/*.rs`) runs against a real Bolt server;
//! this library holds what its test files share: where the server is
//! ([`server`]), what it lacks ([`Gap`]), names that keep tests apart
//! ([`unique`]), one-line query helpers ([`run`]), and a way for the quickstart to start the embedded server
//! ([`embedded`]).
//!
//! # Which server
//!
//! `cargo xtask test --suite integration` starts the embedded server (or uses
//! `NEO4J_URI`) and runs `cargo test -p quiver-tests` with `NEO4J_URI`,
//! `NEO4J_USER`, `NEO4J_PASSWORD` and `QUIVER_SERVER_KIND` set. Run by hand:
//!
//! ```sh
//! set -a; eval "$(cargo xtask server start)"; set +a
//! cargo test -p quiver-tests
//! cargo xtask server stop
//! ```
//!
//! Without `NEO4J_URI` every test fails and says how to run it, so a
//! forgotten server never looks like a green suite. `QUIVER_SKIP_INTEGRATION=1`
//! is the one explicit way to skip them (each test then says it skipped).
//!
//! # Server gaps
//!
//! A test that needs what a server lacks asks [`Server::lacks`] with the
//! [`Gap`] by name: on that server the check is skipped and the gap is
//! written to stderr (not captured by the test harness); against Neo4j the
//! test runs in full. Where cheap, the test also checks that the gap still
//! behaves as documented, so a server that fixes it gets noticed.

#![warn(missing_docs)]

pub mod embedded;
pub mod run;
mod server;

pub use run::{consume, consume_blocking, execute, execute_first, single};
pub use server::{server, unique, Gap, Server, ServerKind};
