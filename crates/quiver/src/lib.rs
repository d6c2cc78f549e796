//! Quiver: a fast, async-first Neo4j driver for Rust, with serde mapping.
//!
//! This crate (`quiver-neo4j` on crates.io, `quiver` in code) is what
//! applications use. It brings together the PackStream codec
//! (`quiver-packstream`), Bolt connections (`quiver-bolt`) and connection
//! pools with cluster routing (`quiver-pool`), and re-exports what users
//! need, so that `use quiver::...` is enough.
//!
//! # Quickstart
//!
//! ```no_run
//! use quiver::{AuthToken, Driver, SessionConfig};
//!
//! #[tokio::main]
//! async fn main() -> quiver::Result<()> {
//!     // One driver per application: it holds the connection pools.
//!     let driver = Driver::new("neo4j://localhost:7687", AuthToken::basic("neo4j", "password"))?;
//!     driver.verify_connectivity().await?;
//!
//!     // One query, retried on transient failures, records in memory.
//!     driver
//!         .execute_query("MERGE (p:Person {name: $name})")
//!         .param("name", "Alice")
//!         .database("neo4j")
//!         .await?;
//!
//!     // Sessions for more: transaction functions, explicit transactions,
//!     // auto-commit queries, streaming results.
//!     let mut session = driver.session(SessionConfig::builder().database("neo4j").build());
//!     let names: Vec<String> = session
//!         .execute_read(|tx| async move {
//!             let mut result = tx.run("MATCH (p:Person) RETURN p.name AS name").await?;
//!             let mut names = Vec::new();
//!             while let Some(record) = result.next().await {
//!                 names.push(record?.get("name")?);
//!             }
//!             Ok(names)
//!         })
//!         .await?;
//!     println!("{names:?}");
//!     session.close().await?;
//!     driver.close().await;
//!     Ok(())
//! }
//! ```
//!
//! Without async, the same through [`blocking`]:
//!
//! ```no_run
//! use quiver::blocking::Driver;
//! use quiver::{AuthToken, SessionConfig};
//!
//! let driver = Driver::new("bolt://localhost:7687", AuthToken::basic("neo4j", "password"))?;
//! let mut session = driver.session(SessionConfig::default());
//! for record in session.run("UNWIND range(1, 3) AS x RETURN x")? {
//!     println!("{}", record?.get::<i64>("x")?);
//! }
//! # Ok::<(), quiver::Error>(())
//! ```
//!
//! # The API
//!
//! - [`Driver`]: built from a URI ([`ConnectionUri`]: `bolt`, `bolt+s`,
//!   `bolt+ssc`, `neo4j`, `neo4j+s`, `neo4j+ssc`), credentials ([`AuthToken`]
//!   or an [`AuthTokenManager`]) and a [`Config`]. Cheap to clone.
//!   [`Driver::execute_query`] runs one query; [`Driver::session`] opens a
//!   [`Session`].
//! - [`Session`]: [`execute_read`](Session::execute_read) /
//!   [`execute_write`](Session::execute_write) (transaction functions, the
//!   robust choice: retried with exponential backoff per [`RetryPolicy`]),
//!   [`begin_transaction`](Session::begin_transaction) ([`Transaction`]),
//!   [`run`](Session::run) (auto-commit), [`last_bookmarks`](Session::last_bookmarks).
//!   Bookmarks chain a session's transactions; [`Bookmarks`] and a
//!   [`BookmarkManager`] chain sessions.
//! - [`QueryResult`]: a [`Stream`](futures_util::Stream) of [`Record`]s
//!   pulled in batches of the fetch size, with [`single`](QueryResult::single),
//!   [`peek`](QueryResult::peek), [`consume`](QueryResult::consume)
//!   ([`ResultSummary`]), [`to_eager_result`](QueryResult::to_eager_result),
//!   [`graph`](QueryResult::graph), and the manual's shortcuts
//!   [`value`](QueryResult::value), [`column`](QueryResult::column),
//!   [`values`](QueryResult::values), [`data`](QueryResult::data).
//! - [`Record`]: decoded lazily, straight into any `Deserialize` type
//!   ([`Record::get`], [`Record::get_opt`], [`Record::to`]). Parameters
//!   come from [`params!`], [`Query::param`], any `Serialize` value
//!   ([`Query::params_from`], [`to_params`]) or a [`Map`]. chrono's dates
//!   and times and `Vec<u8>` bytes are Cypher's (see [`mod@serde`]).
//! - Analytics (optional features): `arrow` turns results into Arrow
//!   record batches, whole or streamed (`QueryResult::to_record_batch`,
//!   `record_batches`, the manual's `to_df`); `polars` into a Polars
//!   `DataFrame` (`QueryResult::to_polars`). See the `arrow` and `polars`
//!   modules.
//! - [`Error`] answers [`kind`](Error::kind), [`code`](Error::code),
//!   [`is_retryable`](Error::is_retryable).
//!
//! Query round trips are pipelined: an auto-commit query's RUN and first
//! PULL travel together, a transaction's BEGIN goes with what was queued
//! ahead of it (a user switch, telemetry) and is confirmed before the
//! transaction is handed out, and COMMIT follows the last PULL without
//! waiting where it can.
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
//!
//! # Logging
//!
//! The driver logs through [`tracing`](https://docs.rs/tracing); nothing
//! shows until the application installs a subscriber. Targets are the
//! crates' module paths: `quiver` (sessions, retries, bookmarks, auth),
//! `quiver_bolt` (connections and their messages), `quiver_pool` (pools,
//! routing, DNS). Levels:
//!
//! - `ERROR`, `WARN`: what the application should hear of (an auth token
//!   provider or a bookmark manager failing, a name that did not resolve);
//! - `DEBUG`: connections opened and lost, retries, routing, and every Bolt
//!   message with its fields, as the official drivers log them: `C: RUN`
//!   with the query text, bookmarks, database, mode and metadata, `C:
//!   BEGIN`, `C: PULL`, `S: SUCCESS` with its metadata, `S: FAILURE`;
//! - `TRACE`: adds query parameters to `C: RUN`, and handshake details.
//!
//! Credentials never appear at any level (auth tokens are redacted);
//! parameters may hold personal data, hence TRACE only.
//!
//! With `tracing-subscriber` (features `fmt` and `env-filter`):
//!
//! ```
//! use tracing_subscriber::EnvFilter;
//!
//! // Or from the environment: RUST_LOG=quiver=debug,quiver_bolt=debug
//! let filter = EnvFilter::new("warn,quiver=debug,quiver_bolt=debug,quiver_pool=info");
//! let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
//! ```
#![warn(missing_docs)]

#[cfg(feature = "arrow")]
pub mod arrow;
mod auth;
pub mod blocking;
mod bolt_glue;
mod bookmarks;
mod config;
mod conn;
mod driver;
mod eager;
mod error;
mod execute_query;
mod graph;
mod manager;
mod params;
#[cfg(feature = "polars")]
pub mod polars;
mod query;
mod record;
mod result;
pub mod retry;
pub mod serde;
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
pub use crate::config::{
    AsyncResolver, ClientCertificate, Config, ConfigBuilder, FetchSize, MinimumSeverity,
    NotificationClassification, NotificationFilter, Resolver, TlsSettings, TrustStrategy,
    DEFAULT_USER_AGENT,
};
pub use crate::driver::{Driver, DriverBuilder, ExecuteQuery};
pub use crate::eager::EagerResult;
pub use crate::error::{Classification, Error, ErrorKind, Result, ServerError};
pub use crate::graph::Graph;
pub use crate::params::to_params;
pub use crate::record::{Field, Fields, Record};
pub use crate::result::{OptionalRecord, QueryResult};
pub use crate::retry::{RetryDecision, RetryPolicy, RetryState};
pub use crate::session::Session;
pub use crate::session_config::{
    AccessMode, RoutingControl, SessionConfig, SessionConfigBuilder, TransactionConfig,
};
pub use crate::summary::{Query, ResultSummary, ServerInfo};
pub use crate::transaction::{ManagedTransaction, Transaction};
pub use crate::uri::{ConnectionUri, Scheme, SchemeSecurity};
pub use quiver_pool::{Address, PoolMetrics, RoutingTable, DEFAULT_PORT};
pub use quiver_pool::{Clock, FakeClock, SystemClock};

pub use quiver_bolt::AuthToken;
pub use quiver_packstream::{Map, Node, Path, Relationship, UnboundRelationship, Value};

/// The Neo4j value types: graph, temporal, spatial and more, as decoded from
/// and encoded to PackStream.
///
/// The temporal types convert to and from chrono's (see
/// [`quiver::serde`](crate::serde)), which is usually the easier way to
/// use them. Their fields hold what the wire holds:
///
/// | type | fields |
/// |---|---|
/// | [`Date`](types::Date) | `days`: days since 1970-01-01 (negative before) |
/// | [`LocalTime`](types::LocalTime) | `nanoseconds`: since midnight |
/// | [`Time`](types::Time) | `nanoseconds` since midnight, local; `tz_offset_seconds`: offset from UTC, east positive |
/// | [`LocalDateTime`](types::LocalDateTime) | `seconds` since 1970-01-01T00:00:00 of the wall clock; `nanoseconds` within the second |
/// | [`DateTime`](types::DateTime) | `seconds` since the epoch, UTC; `nanoseconds` within the second; `tz_offset_seconds` |
/// | [`DateTimeZoneId`](types::DateTimeZoneId) | `seconds` since the epoch (UTC or local: `basis`, a [`SecondsBasis`](types::SecondsBasis)); `nanoseconds`; `tz_id`, an IANA zone id |
/// | [`Duration`](types::Duration) | `months`, `days`, `seconds`, `nanoseconds`, each kept apart (a month has no fixed length) |
/// | [`Point2D`](types::Point2D) | `srid` (7203 cartesian, 4326 WGS-84), `x` (longitude), `y` (latitude) |
/// | [`Point3D`](types::Point3D) | `srid` (9157 cartesian, 4979 WGS-84), `x`, `y`, `z` (height) |
///
/// ```
/// use quiver::types::{Date, DateTime, Duration, Point2D};
/// use quiver::Value;
///
/// let d = Date { days: 19_860 }; // 2024-05-17
/// assert_eq!(Value::from(d).to_string(), "2024-05-17");
/// let t = DateTime { seconds: 0, nanoseconds: 0, tz_offset_seconds: 3600 };
/// assert_eq!(Value::from(t).to_string(), "1970-01-01T01:00:00+01:00");
/// let p = Point2D { srid: 4326, x: 18.07, y: 59.33 }; // Stockholm
/// let span = Duration { months: 1, days: 2, seconds: 3, nanoseconds: 0 };
/// assert_eq!(Value::from(span).to_string(), "P1M2DT3S");
/// # let _ = p;
/// ```
pub mod types {
    #[doc(inline)]
    pub use quiver_packstream::{
        Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Map, Node, Path,
        Point2D, Point3D, Relationship, SecondsBasis, Segment, Structure, Time,
        UnboundRelationship, UnsupportedType, Uuid, Value, ValueIndex, Vector,
    };
}
