#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod address;
mod agent;
mod auth;
mod close;
pub mod codec;
mod config;
mod connection;
mod error;
pub mod handshake;
pub mod message;
pub mod state;
mod tls;
mod transport;
mod version;

pub use address::{Address, DEFAULT_PORT};
pub use agent::{BoltAgent, DEFAULT_PRODUCT};
pub use auth::AuthToken;
pub use close::CloseSignal;
pub use codec::BoltCodec;
pub use config::{ConnectionConfig, ConnectionConfigBuilder, DEFAULT_CONNECT_TIMEOUT};
pub use connection::Connection;
pub use error::{Classification, Error, Result, ServerError, AUTHORIZATION_EXPIRED};
pub use message::{
    AccessMode, Begin, MinimumSeverity, NotificationClassification, NotificationFilter, Params,
    Pull, Record, Request, Response, Route, Run, Success, TelemetryApi, TxExtra,
};
pub use state::{RequestKind, ServerState};
pub use tls::{TlsConfig, TrustStrategy};
pub use version::Version;

/// Re-exported so users name one PackStream.
pub use quiver_packstream as packstream;
