//! Quiver: a fast, async-first Neo4j driver for Rust, with serde mapping.
//!
//! This crate (`quiver-neo4j` on crates.io, `quiver` in code) is what
//! applications use. It brings together the PackStream codec
//! (`quiver-packstream`), Bolt connections (`quiver-bolt`) and connection
//! pools with cluster routing (`quiver-pool`), and re-exports what users
//! need, so that `use quiver::...` is enough.
//!
//! # What is here today
//!
//! The pure foundations that sessions and transactions are built on:
//!
//! - [`Error`] and [`ErrorKind`]: one error type that answers questions
//!   ([`Error::code`], [`Error::classification`], [`Error::gql_status`],
//!   [`Error::is_retryable`]) with the official drivers' retry rules.
//! - [`ConnectionUri`]: the `bolt`, `bolt+s`, `bolt+ssc`, `neo4j`, `neo4j+s`
//!   and `neo4j+ssc` schemes, with routing context for `neo4j` URIs.
//! - [`Config`], [`SessionConfig`] and [`TransactionConfig`], built with
//!   builders and defaulting to the official drivers' values.
//! - [`Bookmarks`], the [`BookmarkManager`] trait and
//!   [`DefaultBookmarkManager`] for causal consistency across sessions.
//! - [`AuthTokenManager`]s for credentials that rotate or expire
//!   ([`RefreshingAuthTokenManager::basic`], [`RefreshingAuthTokenManager::bearer`]).
//! - [`RetryPolicy`] (exponential backoff with jitter) over an injectable
//!   [`Clock`], so tests can fake time.
//! - [`Record`]: a row decoded lazily from the server's bytes, straight into
//!   any `Deserialize` type ([`Record::get`], [`Record::to`]).
//! - [`summary::ResultSummary`]: counters, plans, notifications and GQL
//!   statuses, parsed from the server's metadata.
//! - [`Graph`]: the nodes, relationships and paths seen in records, and
//!   [`EagerResult`], a whole result in memory.
//! - [`params!`] and [`to_params`] for query parameters, and the value types
//!   ([`Value`], [`Map`], [`Node`], ... and [`types`]).
//!
//! The driver, sessions, transactions and results come next.
//!
//! # Mapping records to your types
//!
//! ```
//! use std::sync::Arc;
//! use quiver::{params, Record, Value};
//!
//! #[derive(serde::Deserialize)]
//! struct Person {
//!     name: String,
//!     age: i64,
//! }
//!
//! // A record as a result would hand it out.
//! let keys: Arc<[String]> = Arc::from(vec!["name".to_owned(), "age".to_owned()]);
//! let record = Record::from_values(keys, vec![Value::from("Alice"), Value::from(42)])?;
//!
//! let person: Person = record.to()?;
//! assert_eq!(person.name, "Alice");
//! assert_eq!(record.get::<i64>("age")?, 42);
//!
//! // Parameters for a query.
//! let p = params! { "name" => "Alice", "age" => 42 };
//! assert_eq!(p.len(), 2);
//! # Ok::<(), quiver::Error>(())
//! ```
#![warn(missing_docs)]

mod auth;
pub mod blocking;
mod bolt_glue;
mod bookmarks;
mod clock;
mod config;
mod conn;
mod driver;
mod eager;
mod error;
mod execute_query;
mod graph;
mod manager;
mod params;
mod query;
mod record;
mod result;
pub mod retry;
mod session;
mod session_config;
pub mod summary;
mod transaction;
mod uri;

pub use crate::auth::{
    AuthTokenManager, ExpiringAuth, RefreshingAuthTokenManager, StaticAuthTokenManager,
};
pub use crate::bookmarks::{
    bookmark_manager, BookmarkManager, Bookmarks, BookmarksConsumer, BookmarksSupplier, BoxFuture,
    DefaultBookmarkManager, DefaultBookmarkManagerBuilder,
};
pub use crate::clock::{Clock, FakeClock, SystemClock};
pub use crate::config::{
    ClientCertificate, Config, ConfigBuilder, FetchSize, MinimumSeverity,
    NotificationClassification, NotificationFilter, Resolver, TlsSettings, TrustStrategy,
    DEFAULT_USER_AGENT,
};
pub use crate::driver::{Driver, DriverBuilder, ExecuteQuery};
pub use crate::eager::EagerResult;
pub use crate::error::{Classification, Error, ErrorKind, Result, ServerError};
pub use crate::graph::Graph;
pub use crate::params::to_params;
pub use crate::record::{Field, Fields, Record};
pub use crate::result::QueryResult;
pub use crate::retry::{RetryDecision, RetryPolicy, RetryState};
pub use crate::session::Session;
pub use crate::session_config::{
    AccessMode, RoutingControl, SessionConfig, SessionConfigBuilder, TransactionConfig,
};
pub use crate::summary::{Query, ResultSummary, ServerInfo};
pub use crate::transaction::{ManagedTransaction, Transaction};
pub use crate::uri::{ConnectionUri, Scheme, SchemeSecurity};
pub use quiver_pool::{Address, PoolMetrics, DEFAULT_PORT};

pub use quiver_bolt::AuthToken;
pub use quiver_packstream::{Map, Node, Path, Relationship, UnboundRelationship, Value};

/// The Neo4j value types: graph, temporal, spatial and more, as decoded from
/// and encoded to PackStream.
pub mod types {
    pub use quiver_packstream::{
        Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Map, Node, Path,
        Point2D, Point3D, Relationship, SecondsBasis, Segment, Structure, Time,
        UnboundRelationship, UnsupportedType, Uuid, Value, ValueIndex, Vector,
    };
}
