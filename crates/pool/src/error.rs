//! The crate's one error type.

use std::time::Duration;

use crate::{AccessMode, Address};

/// What went wrong acquiring a connection or routing. `E` is the
/// connection's own error type (the [`Manager`](crate::Manager)'s).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E> {
    /// Opening a connection failed.
    #[error("could not connect to {address}: {source}")]
    Connect {
        /// The server.
        address: Address,
        /// The connection's error.
        #[source]
        source: E,
    },
    /// Opening a connection took longer than the connection timeout.
    #[error("connecting to {address} timed out after {timeout:?}")]
    ConnectTimeout {
        /// The server.
        address: Address,
        /// The configured connection timeout.
        timeout: Duration,
    },
    /// No connection became available within the acquisition timeout.
    #[error(
        "timed out after {timeout:?} waiting for a connection to {address} \
         (in use: {in_use}, idle: {idle}, waiting: {waiting}, max size: {max_size})"
    )]
    AcquisitionTimeout {
        /// The server.
        address: Address,
        /// The configured acquisition timeout.
        timeout: Duration,
        /// Connections in use when the wait ended.
        in_use: usize,
        /// Idle connections when the wait ended.
        idle: usize,
        /// Other acquirers waiting when the wait ended.
        waiting: usize,
        /// The pool's maximum size.
        max_size: usize,
    },
    /// The pool (or the driver) is closed.
    #[error("the connection pool for {address} is closed")]
    Closed {
        /// The server.
        address: Address,
    },
    /// A server failed while serving routing or a liveness check.
    #[error("server {address} failed: {source}")]
    Server {
        /// The server.
        address: Address,
        /// The connection's error.
        #[source]
        source: E,
    },
    /// No router answered with usable routing information.
    #[error("unable to retrieve routing information for database {}", db_name(.database))]
    RoutingUnavailable {
        /// The database asked for.
        database: Option<String>,
        /// Why the last router tried gave nothing (unreachable, a TLS or
        /// server error), if one was reached at all.
        #[source]
        last_error: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// An address could not be resolved (DNS).
    #[error("could not resolve {address}: {source}")]
    Resolve {
        /// The address.
        address: Address,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// A router answered ROUTE with a table that can't be used.
    #[error("the routing table from {address} is unusable: {reason}")]
    UnusableRoutingTable {
        /// The router.
        address: Address,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The routing table names no server for the requested access mode.
    #[error("no {mode:?} server is available for database {}", db_name(.database))]
    NoServerForMode {
        /// What was asked for.
        mode: AccessMode,
        /// The database.
        database: Option<String>,
        /// Why the last server of that mode tried could not be reached (it
        /// left the table then), if one was tried at all.
        #[source]
        last_error: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
}

fn db_name(db: &Option<String>) -> &str {
    db.as_deref().unwrap_or("<home>")
}

impl<E> Error<E> {
    /// The connection's own error, when this error wraps one.
    pub fn connection_error(&self) -> Option<&E> {
        match self {
            Self::Connect { source, .. } | Self::Server { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The server this error is about, if one.
    pub fn address(&self) -> Option<&Address> {
        match self {
            Self::Connect { address, .. }
            | Self::ConnectTimeout { address, .. }
            | Self::AcquisitionTimeout { address, .. }
            | Self::Closed { address }
            | Self::Server { address, .. }
            | Self::Resolve { address, .. }
            | Self::UnusableRoutingTable { address, .. } => Some(address),
            _ => None,
        }
    }

    /// Whether the failure is about reaching a server (unavailable, refused,
    /// timed out, no routing): work may succeed if retried later. Errors the
    /// connection itself reports say nothing here; ask the connection error.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::ConnectTimeout { .. }
                | Self::RoutingUnavailable { .. }
                | Self::NoServerForMode { .. }
        )
    }
}
