//! Routing as pure data and logic: tables, ROUTE replies, server selection,
//! the home-database cache and the routing context. No IO here.

mod context;
mod home_db;
mod reply;
mod select;
mod table;
mod tables;

pub use context::{RoutingContext, RoutingContextError};
pub use home_db::{HomeDbCache, HomeDbKey};
pub use reply::{RouteReply, RouteReplyError};
pub use select::select_least_connected;
pub use table::RoutingTable;
pub use tables::RoutingTables;

/// Whether work reads or writes: readers serve the first, the writer the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessMode {
    /// Served by readers.
    Read,
    /// Served by writers.
    Write,
}
