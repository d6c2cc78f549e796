//! The backend's one error type, and how each kind of error reaches TestKit.
//!
//! * [`Error::Driver`]: an error the driver raised; TestKit gets a `DriverError` carrying the id
//!   under which the backend stored the error (so `RetryableNegative` can hand it back).
//! * [`Error::Frontend`]: an error raised by "user code" (TestKit's side); TestKit gets a
//!   `FrontendError`.
//! * everything else is a bug or gap in the backend; TestKit gets a `BackendError`.

use std::io;

use crate::ids::Id;
use crate::responses::{DriverError, Response};

/// Everything that can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request the backend parses but cannot serve yet (the driver is not wired in).
    #[error("not supported yet: {0}")]
    NotSupportedYet(&'static str),
    /// A request referred to an object id the backend does not know.
    #[error("unknown {kind} id {id}")]
    UnknownId {
        /// What kind of object was looked up ("driver", "session", ...).
        kind: &'static str,
        /// The id that was not found.
        id: Id,
    },
    /// The request block was not a JSON object of the form `{"name": ..., "data": {...}}`.
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    /// The request's `name` is not one the backend knows.
    #[error("unknown request type: {0}")]
    UnknownRequest(String),
    /// The request's `name` is known but its `data` does not fit.
    #[error("invalid {name} request: {reason}")]
    InvalidRequest {
        /// The request's name.
        name: String,
        /// What serde said.
        reason: String,
    },
    /// The task serving a request panicked.
    #[error("backend panicked while serving {request}: {message}")]
    Panicked {
        /// The request's name.
        request: &'static str,
        /// The panic payload if it was a string.
        message: String,
    },
    /// A `...Completed` callback answer arrived that no handler waits for.
    #[error("unexpected callback answer {name} for request id {request_id}")]
    UnexpectedCallbackAnswer {
        /// The answer's request name.
        name: &'static str,
        /// The callback request id it refers to.
        request_id: Id,
    },
    /// A callback answer of the wrong kind arrived for a pending callback request.
    #[error("callback request {request_id} expected {expected}, got {got}")]
    WrongCallbackAnswer {
        /// The callback request id.
        request_id: Id,
        /// The answer kind that was expected.
        expected: &'static str,
        /// The answer kind that came.
        got: &'static str,
    },
    /// A value could not be converted between TestKit's JSON encoding and a driver value.
    #[error("cannot convert value: {0}")]
    Value(String),
    /// The TestKit connection is gone (e.g. while waiting for a callback answer).
    #[error("connection to TestKit closed")]
    ConnectionClosed,
    /// An I/O error on the TestKit connection.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// Any other backend bug.
    #[error("{0}")]
    Backend(String),
    /// An error raised by TestKit's side ("user code"), answered with `FrontendError`.
    #[error("frontend error: {0}")]
    Frontend(String),
    /// An error raised by the driver, already stored under its id, answered with `DriverError`.
    #[error("driver error: {}", .0.msg)]
    Driver(Box<DriverError>),
}

impl Error {
    /// The response TestKit should see for this error.
    pub fn into_response(self) -> Response {
        match self {
            Error::Frontend(msg) => Response::FrontendError { msg },
            Error::Driver(err) => Response::DriverError(err),
            other => Response::BackendError {
                msg: other.to_string(),
            },
        }
    }
}

/// Result type used across the backend.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_responses() {
        let backend = Error::NotSupportedYet("NewDriver").into_response();
        assert_eq!(
            serde_json::to_value(&backend).unwrap(),
            serde_json::json!({"name": "BackendError", "data": {"msg": "not supported yet: NewDriver"}})
        );
        let frontend = Error::Frontend("boom".into()).into_response();
        assert_eq!(
            serde_json::to_value(&frontend).unwrap(),
            serde_json::json!({"name": "FrontendError", "data": {"msg": "boom"}})
        );
    }
}
