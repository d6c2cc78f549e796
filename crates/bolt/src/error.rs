//! The crate's one error type, and the server failure it can carry.

use std::fmt;
use std::time::Duration;

use crate::state::ServerState;
use crate::version::Version;

/// Everything that can go wrong on a Bolt connection.
///
/// Errors that leave the connection unusable mark it defunct (see
/// [`Error::is_fatal`]); a [`Error::Server`] failure only needs a RESET.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered a request with FAILURE.
    #[error("{0}")]
    Server(Box<ServerError>),
    /// The server ignored the request: an earlier one failed (or a RESET is under
    /// way). The connection needs a RESET; it is not broken.
    #[error("the server ignored the request after an earlier failure")]
    Ignored,
    /// The server broke the protocol: an unexpected or undecodable message.
    #[error("Bolt protocol violation: {0}")]
    Protocol(String),
    /// PackStream could not decode a reply (the connection is defunct).
    #[error("PackStream: {0}")]
    PackStream(#[from] quiver_packstream::Error),
    /// A request could not be encoded (e.g. a UUID parameter before Bolt 6.1); the
    /// connection is unaffected.
    #[error("cannot encode the request: {0}")]
    Encode(quiver_packstream::Error),
    /// Reading from or writing to the socket failed.
    #[error("connection IO: {0}")]
    Io(#[from] std::io::Error),
    /// The server closed the connection.
    #[error("the server closed the connection")]
    ConnectionClosed,
    /// The connection's [`CloseSignal`](crate::CloseSignal) was given (the
    /// driver is closing).
    #[error("the connection was closed by the client")]
    Closed,
    /// Establishing the transport (TCP, and TLS) took longer than the connect timeout.
    #[error("connecting timed out after {0:?}")]
    ConnectTimeout(Duration),
    /// No reply within the read timeout: the server's
    /// `connection.recv_timeout_seconds` hint or the client's own
    /// ([`ConnectionConfigBuilder::read_timeout`](crate::ConnectionConfigBuilder::read_timeout)).
    #[error("no reply from the server within {0:?}")]
    ReadTimeout(Duration),
    /// Setting up TLS failed (bad certificate file, rejected certificate, ...).
    #[error("TLS: {0}")]
    Tls(String),
    /// Client and server share no protocol version.
    #[error("the server supports none of the offered Bolt versions")]
    NoCommonVersion,
    /// The feature needs a newer protocol version than the one negotiated.
    #[error("{feature} needs a newer Bolt version than {version}")]
    Unsupported {
        /// What was asked for.
        feature: &'static str,
        /// The negotiated version.
        version: Version,
    },
    /// The request is not allowed in the connection's current state (a client bug).
    #[error("{request} is not allowed in state {state:?}")]
    InvalidState {
        /// The request's name.
        request: &'static str,
        /// The state it was refused in.
        state: ServerState,
    },
    /// `recv` was called with no reply outstanding.
    #[error("no request is waiting for a reply")]
    NothingPending,
    /// The connection is defunct (an earlier error broke it) and can't be used.
    #[error("the connection is defunct")]
    Defunct,
    /// The address could not be resolved or is invalid.
    #[error("address {address}: {reason}")]
    Address {
        /// The address as given.
        address: String,
        /// Why it failed.
        reason: String,
    },
    /// Invalid configuration.
    #[error("configuration: {0}")]
    Config(String),
}

impl Error {
    /// Whether the error leaves the connection defunct (everything but a server
    /// failure, a refused-in-state request and an unsupported feature).
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            Error::Server(_)
                | Error::Encode(_)
                | Error::Ignored
                | Error::InvalidState { .. }
                | Error::Unsupported { .. }
                | Error::NothingPending
                | Error::Config(_)
        )
    }

    /// The server failure, if this is one.
    pub fn as_server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the server or network may still be reachable: the failure came from a
    /// connection problem (IO, closed, timeouts) rather than from the protocol.
    pub fn is_connection_error(&self) -> bool {
        matches!(
            self,
            Error::Io(_)
                | Error::ConnectionClosed
                | Error::ConnectTimeout(_)
                | Error::ReadTimeout(_)
                | Error::Address { .. }
        )
    }
}

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Self {
        Error::Server(Box::new(e))
    }
}

/// The classification part of a Neo4j status code
/// (`Neo.<Classification>.<Category>.<Title>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Classification {
    /// `ClientError`: the request was wrong; changing it may help.
    ClientError,
    /// `TransientError`: retrying later may help.
    TransientError,
    /// `DatabaseError`: the database failed.
    DatabaseError,
}

/// The code of an expired authorization, which is classified as transient.
pub const AUTHORIZATION_EXPIRED: &str = "Neo.ClientError.Security.AuthorizationExpired";

impl Classification {
    /// Parses the classification name used in status codes.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ClientError" => Some(Classification::ClientError),
            "TransientError" => Some(Classification::TransientError),
            "DatabaseError" => Some(Classification::DatabaseError),
            _ => None,
        }
    }

    /// The name used in status codes, e.g. `"ClientError"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::ClientError => "ClientError",
            Classification::TransientError => "TransientError",
            Classification::DatabaseError => "DatabaseError",
        }
    }

    /// The classification of a server error, by the official drivers' rules:
    /// the second part of a well-formed `code` (four parts), else the GQL
    /// diagnostic record's `_classification`; an expired authorization
    /// ([`AUTHORIZATION_EXPIRED`]) is transient, since a fresh logon with the
    /// same credentials fixes it.
    ///
    /// ```
    /// use quiver_bolt::Classification;
    ///
    /// let of = |code| Classification::of_status(code, None);
    /// assert_eq!(of("Neo.ClientError.Statement.SyntaxError"), Some(Classification::ClientError));
    /// assert_eq!(of("Neo.ClientError.Security.AuthorizationExpired"), Some(Classification::TransientError));
    /// assert_eq!(of("Neo.Bogus"), None);
    /// assert_eq!(
    ///     Classification::of_status("Neo.Bogus", Some("TRANSIENT_ERROR")),
    ///     Some(Classification::TransientError)
    /// );
    /// ```
    pub fn of_status(code: &str, gql_classification: Option<&str>) -> Option<Self> {
        if code == AUTHORIZATION_EXPIRED {
            return Some(Classification::TransientError);
        }
        let mut parts = code.split('.');
        if parts.clone().count() == 4 {
            if let Some(c) = parts.nth(1).and_then(Classification::from_name) {
                return Some(c);
            }
        }
        match gql_classification? {
            "CLIENT_ERROR" => Some(Classification::ClientError),
            "TRANSIENT_ERROR" => Some(Classification::TransientError),
            "DATABASE_ERROR" => Some(Classification::DatabaseError),
            _ => None,
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A FAILURE from the server.
///
/// Bolt 5.7+ sends GQL errors: `gql_status`, `description`, `diagnostic_record` and a
/// `cause` chain; earlier versions send only `code` and `message` (the GQL fields are
/// then `None`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerError {
    /// The Neo4j status code, e.g. `Neo.ClientError.Statement.SyntaxError`.
    pub code: String,
    /// The message, for humans.
    pub message: String,
    /// The GQLSTATUS code, e.g. `42001` (5.7+).
    pub gql_status: Option<String>,
    /// The GQL status description (5.7+).
    pub description: Option<String>,
    /// The GQL diagnostic record (5.7+).
    pub diagnostic_record: Option<quiver_packstream::Map>,
    /// The error that caused this one (5.7+).
    pub cause: Option<Box<ServerError>>,
}

impl ServerError {
    /// An error from a code and message (the pre-5.7 shape).
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let code = code.into();
        ServerError {
            code,
            message: message.into(),
            gql_status: None,
            description: None,
            diagnostic_record: None,
            cause: None,
        }
    }

    /// The classification, by [`Classification::of_status`].
    pub fn classification(&self) -> Option<Classification> {
        Classification::of_status(&self.code, self.gql_classification())
    }

    /// The GQL classification from the diagnostic record (`_classification`, e.g.
    /// `CLIENT_ERROR`), if the server sent one.
    pub fn gql_classification(&self) -> Option<&str> {
        match self.diagnostic_record.as_ref()?.get("_classification")? {
            quiver_packstream::Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Iterates over this error and its causes.
    pub fn chain(&self) -> impl Iterator<Item = &ServerError> {
        std::iter::successors(Some(self), |e| e.cause.as_deref())
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(status) = &self.gql_status {
            write!(f, " (GQLSTATUS {status})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_from_code() {
        let of = |code| Classification::of_status(code, None);
        assert_eq!(
            of("Neo.ClientError.Statement.SyntaxError"),
            Some(Classification::ClientError)
        );
        assert_eq!(
            of("Neo.TransientError.Transaction.DeadlockDetected"),
            Some(Classification::TransientError)
        );
        assert_eq!(
            of("Neo.DatabaseError.General.UnknownError"),
            Some(Classification::DatabaseError)
        );
        assert_eq!(
            of(AUTHORIZATION_EXPIRED),
            Some(Classification::TransientError)
        );
        assert_eq!(of("x"), None);
        assert_eq!(of("Neo.ClientError.Statement"), None);
        assert_eq!(
            Classification::of_status("Neo.Other.A.B", Some("DATABASE_ERROR")),
            Some(Classification::DatabaseError)
        );
        let e = ServerError::new("Neo.ClientError.Statement.SyntaxError", "m");
        assert_eq!(e.classification(), Some(Classification::ClientError));
    }

    #[test]
    fn fatality() {
        assert!(!Error::from(ServerError::new("Neo.ClientError.X.Y", "m")).is_fatal());
        assert!(Error::ConnectionClosed.is_fatal());
        assert!(Error::Protocol("x".into()).is_fatal());
    }
}
