//! Connection pooling and cluster routing for Quiver.
//!
//! - [`Pool`]: the connections to one server, generic over a [`Manager`].
//! - Routing as pure logic: [`RoutingTable`], [`RoutingTables`],
//!   [`RouteReply`], [`select_least_connected`], [`HomeDbCache`],
//!   [`RoutingContext`]; no IO, tested from data.
//! - [`ClusterPools`]: the pools of every server plus the routing tables,
//!   for `neo4j://` (routing) and `bolt://` (direct) drivers.
#![warn(missing_docs)]

mod bolt;
mod clock;
mod cluster;
mod error;
mod pool;
mod resolve;
mod routing;

pub use bolt::{classify as classify_bolt_error, classify_code, BoltManager};
pub use clock::{Clock, FakeClock, SystemClock};
pub use cluster::{
    AcquireRequest, Acquired, ClusterPools, FailureKind, RouteRequest, RoutingConfig,
    RoutingManager,
};
pub use error::Error;
pub use pool::{ConnectionHealth, Manager, Pool, PoolConfig, PoolMetrics, Pooled};
pub use quiver_bolt::{Address, DEFAULT_PORT};
pub use resolve::{BoxFuture, DnsResolver, FnResolver, Resolver};
pub use routing::{
    select_least_connected, AccessMode, HomeDbCache, HomeDbKey, RouteReply, RouteReplyError,
    RoutingContext, RoutingContextError, RoutingTable, RoutingTables,
};
