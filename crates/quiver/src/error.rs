//! The one error type of the driver, and what it can tell about a failure.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// A specialized [`Result`](std::result::Result) whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Server codes that are rewritten before the driver classifies them, as the
/// official drivers do.
///
/// `Terminated` and `LockClientStopped` became client errors in Neo4j 5.0; a
/// 4.4 server still calls them transient but they mean the transaction was
/// stopped on purpose and must not be retried.
const CODE_REWRITES: &[(&str, &str)] = &[
    (
        "Neo.TransientError.Transaction.Terminated",
        "Neo.ClientError.Transaction.Terminated",
    ),
    (
        "Neo.TransientError.Transaction.LockClientStopped",
        "Neo.ClientError.Transaction.LockClientStopped",
    ),
];

pub use quiver_bolt::Classification;
/// Server code telling that the credentials of a connection are no longer
/// valid; re-authenticating with the same credentials fixes it, so the
/// official drivers treat it as transient.
pub(crate) use quiver_bolt::AUTHORIZATION_EXPIRED;
/// Server code telling that a (bearer) token expired.
pub(crate) const TOKEN_EXPIRED: &str = "Neo.ClientError.Security.TokenExpired";

/// What went wrong, broadly: the category to branch on.
///
/// Get it with [`Error::kind`]. Finer detail comes from [`Error::code`],
/// [`Error::gql_status`] and [`Error::as_server_error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No server could be reached or none could serve the request (all
    /// routers down, connection refused, connection lost outside a commit).
    /// Retryable.
    ServiceUnavailable,
    /// The server the work was bound to can no longer serve it (it lost its
    /// leader role, the connection broke mid transaction). Retryable on
    /// another connection.
    SessionExpired,
    /// The server refused the credentials.
    Authentication,
    /// The authentication token expired; refresh it (an auth token manager
    /// does this for you, in which case the error is retryable).
    TokenExpired,
    /// The server refused the request as the client's fault: a syntax error,
    /// a constraint violation, a missing permission, an unknown database...
    Client,
    /// The server could not serve the request right now: a deadlock, a
    /// database that is starting... Retrying may succeed.
    Transient,
    /// The server failed while serving the request.
    Database,
    /// The connection was lost while committing: the transaction may or may
    /// not have been committed. Never retried.
    CommitUnknown,
    /// A result was read after it was consumed (by
    /// [`consume`](crate::QueryResult::consume), or by its session before
    /// other work).
    ResultConsumed,
    /// A result was read after its transaction ended (committed, rolled
    /// back or closed): read results inside their transaction.
    ResultOutOfScope,
    /// A result was expected to hold exactly one record, and it did not.
    ResultNotSingle,
    /// The driver, session or transaction configuration (or the URI) is
    /// invalid.
    Configuration,
    /// The server broke the Bolt protocol or sent something the driver cannot
    /// understand.
    Protocol,
    /// A client-side time limit ran out (acquiring a connection from the pool,
    /// for instance).
    Timeout,
    /// A driver, session or transaction was used after it was closed.
    Closed,
    /// A value from the server could not be converted into the requested Rust
    /// type.
    Deserialization,
    /// A Rust value could not be converted into query parameters.
    Serialization,
    /// The server does not support what was asked (impersonation on an old
    /// server, for instance).
    Unsupported,
    /// An error raised by application code: inside a transaction function, a
    /// bookmark manager or a resolver. See [`Error::user`].
    User,
}

impl ErrorKind {
    /// Whether an error of this kind may succeed when the work is retried:
    /// the one rule the driver's retries, [`Error::is_retryable`] and
    /// [`ServerError::is_retryable`] follow (the lower crates only carry
    /// data: codes, classifications, and the pool's routing reactions).
    /// Transient errors, lost sessions and unavailable services are.
    ///
    /// ```
    /// use quiver::ErrorKind;
    ///
    /// assert!(ErrorKind::Transient.is_retryable());
    /// assert!(!ErrorKind::Client.is_retryable());
    /// ```
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::ServiceUnavailable | ErrorKind::SessionExpired | ErrorKind::Transient
        )
    }

    /// A few words naming the kind, used at the start of [`Error`]'s message.
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::ServiceUnavailable => "the database service is unavailable",
            ErrorKind::SessionExpired => "the session can no longer use its server",
            ErrorKind::Authentication => "authentication failed",
            ErrorKind::TokenExpired => "the authentication token expired",
            ErrorKind::Client => "the server rejected the request",
            ErrorKind::Transient => "the server could not serve the request for now",
            ErrorKind::Database => "the database failed to serve the request",
            ErrorKind::CommitUnknown => {
                "the connection was lost during commit, so whether the transaction was committed is unknown"
            }
            ErrorKind::ResultConsumed => "the result was already consumed",
            ErrorKind::ResultOutOfScope => "the result's transaction already ended",
            ErrorKind::ResultNotSingle => "the result does not hold exactly one record",
            ErrorKind::Configuration => "the configuration is invalid",
            ErrorKind::Protocol => "the server broke the Bolt protocol",
            ErrorKind::Timeout => "a time limit ran out",
            ErrorKind::Closed => "a closed driver, session, transaction or result was used",
            ErrorKind::Deserialization => "a value could not be converted to the requested type",
            ErrorKind::Serialization => "a value could not be converted to query parameters",
            ErrorKind::Unsupported => "the server does not support this",
            ErrorKind::User => "application code failed",
        }
    }
}

/// An error reported by the server in a `FAILURE` message.
///
/// Newer servers (Bolt 5.7+) add GQL status information and may nest the
/// error that caused this one ([`ServerError::cause`]).
///
/// ```
/// use quiver::ServerError;
///
/// let e = ServerError::new("Neo.ClientError.Statement.SyntaxError", "Invalid input 'RETRUN'");
/// assert_eq!(e.category(), Some("Statement"));
/// assert_eq!(e.title(), Some("SyntaxError"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ServerError {
    code: String,
    message: String,
    gql_status: Option<String>,
    gql_status_description: Option<String>,
    diagnostic_record: Option<crate::Map>,
    cause: Option<Box<ServerError>>,
}

impl ServerError {
    /// A server error from its Neo4j status code and message.
    ///
    /// The code is normalised as the official drivers do:
    /// `Neo.TransientError.Transaction.Terminated` and
    /// `Neo.TransientError.Transaction.LockClientStopped` (Neo4j 4.4 and
    /// older) become their `ClientError` 5.0 names.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let mut code = code.into();
        if let Some((_, new)) = CODE_REWRITES.iter().find(|(old, _)| *old == code) {
            code = (*new).to_owned();
        }
        ServerError {
            code,
            message: message.into(),
            gql_status: None,
            gql_status_description: None,
            diagnostic_record: None,
            cause: None,
        }
    }

    /// Adds the GQL status (five characters, e.g. `"42001"`) and its
    /// description.
    pub fn with_gql_status(
        mut self,
        gql_status: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.gql_status = Some(gql_status.into());
        self.gql_status_description = Some(description.into());
        self
    }

    /// Adds the GQL diagnostic record.
    pub fn with_diagnostic_record(mut self, record: crate::Map) -> Self {
        self.diagnostic_record = Some(record);
        self
    }

    /// Adds the error that caused this one.
    pub fn with_cause(mut self, cause: ServerError) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }

    /// Fills in what a server older than Bolt 5.7 (or a terse newer one) leaves out, as the
    /// official drivers do: GQL status `50N42` ("unexpected error") with a description
    /// carrying the message, and the diagnostic record's default `OPERATION` (`""`),
    /// `OPERATION_CODE` (`"0"`) and `CURRENT_SCHEMA` (`"/"`).
    pub(crate) fn with_gql_defaults(mut self) -> Self {
        if self.gql_status.is_none() {
            self.gql_status = Some("50N42".to_owned());
            self.gql_status_description = Some(format!(
                "error: general processing exception - unexpected error. {}",
                self.message
            ));
        }
        let record = self.diagnostic_record.get_or_insert_with(crate::Map::new);
        for (key, default) in [
            ("OPERATION", ""),
            ("OPERATION_CODE", "0"),
            ("CURRENT_SCHEMA", "/"),
        ] {
            record
                .entry(key.to_owned())
                .or_insert_with(|| crate::Value::String(default.to_owned()));
        }
        self
    }

    /// The Neo4j status code, e.g. `Neo.ClientError.Statement.SyntaxError`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The server's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn code_part(&self, index: usize) -> Option<&str> {
        let mut parts = self.code.split('.');
        if parts.clone().count() != 4 {
            return None;
        }
        parts.nth(index)
    }

    /// The classification from the status code, if the code is well formed
    /// and names a known one.
    ///
    /// `Neo.ClientError.Security.AuthorizationExpired` is reported as
    /// [`Classification::TransientError`], as the official drivers do: a
    /// fresh authentication with the same credentials fixes it.
    pub fn classification(&self) -> Option<Classification> {
        Classification::of_status(&self.code, self.gql_classification())
    }

    /// The category from the status code (`Statement` in
    /// `Neo.ClientError.Statement.SyntaxError`).
    pub fn category(&self) -> Option<&str> {
        self.code_part(2)
    }

    /// The title from the status code (`SyntaxError` in
    /// `Neo.ClientError.Statement.SyntaxError`).
    pub fn title(&self) -> Option<&str> {
        self.code_part(3)
    }

    /// The GQL status code, from servers that send one (Bolt 5.7+).
    pub fn gql_status(&self) -> Option<&str> {
        self.gql_status.as_deref()
    }

    /// The GQL status description, from servers that send one.
    pub fn gql_status_description(&self) -> Option<&str> {
        self.gql_status_description.as_deref()
    }

    /// The GQL diagnostic record, from servers that send one.
    pub fn diagnostic_record(&self) -> Option<&crate::Map> {
        self.diagnostic_record.as_ref()
    }

    /// The raw GQL classification from the diagnostic record
    /// (`CLIENT_ERROR`, `TRANSIENT_ERROR`, `DATABASE_ERROR`).
    pub fn gql_classification(&self) -> Option<&str> {
        match self.diagnostic_record.as_ref()?.get("_classification")? {
            crate::Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The server error that caused this one, if the server sent it.
    pub fn cause(&self) -> Option<&ServerError> {
        self.cause.as_deref()
    }

    /// The kind of driver error this server error maps to.
    pub fn kind(&self) -> ErrorKind {
        match self.code.as_str() {
            "Neo.ClientError.Security.Unauthorized"
            | "Neo.ClientError.Security.AuthorizationFailed"
            | "Neo.ClientError.Security.CredentialsExpired" => return ErrorKind::Authentication,
            TOKEN_EXPIRED => return ErrorKind::TokenExpired,
            // The server lost its leader role or the database became read
            // only on it: the work must move to another server.
            "Neo.ClientError.Cluster.NotALeader"
            | "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase" => {
                return ErrorKind::SessionExpired
            }
            _ => {}
        }
        match self.classification() {
            Some(Classification::ClientError) => ErrorKind::Client,
            Some(Classification::TransientError) => ErrorKind::Transient,
            // Unknown codes are database errors, as in the official drivers.
            Some(Classification::DatabaseError | _) | None => ErrorKind::Database,
        }
    }

    /// Whether retrying the transaction may succeed, by the official drivers'
    /// rules: transient errors (except the ones a client stopped on purpose,
    /// which this type files as client errors), expired authorizations, and
    /// leader switches.
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message.trim_end_matches(['.', ' ']);
        write!(f, "{message} (code {}", self.code)?;
        if let Some(gql) = &self.gql_status {
            write!(f, ", GQL status {gql}")?;
        }
        f.write_str(")")
    }
}

impl StdError for ServerError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn StdError + 'static))
    }
}

/// The error of every fallible operation of the driver.
///
/// Branch on [`kind`](Error::kind); ask [`is_retryable`](Error::is_retryable)
/// to decide on a retry; read the server's details through
/// [`code`](Error::code), [`classification`](Error::classification),
/// [`gql_status`](Error::gql_status) and
/// [`as_server_error`](Error::as_server_error). The message text is meant
/// for people and is not a stable API.
///
/// ```
/// use quiver::{Error, ErrorKind};
///
/// fn report(e: &Error) {
///     match e.kind() {
///         ErrorKind::Client => eprintln!("fix the query: {e}"),
///         _ if e.is_retryable() => eprintln!("try again later: {e}"),
///         _ => eprintln!("failed: {e}"),
///     }
/// }
/// # report(&Error::user("boom"));
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Option<Cow<'static, str>>,
    server: Option<ServerError>,
    source: Option<BoxError>,
    retryable: Option<bool>,
}

impl Error {
    fn from_inner(inner: Inner) -> Self {
        Error {
            inner: Box::new(inner),
        }
    }

    /// An error of the given kind with a message completing the kind's
    /// description.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error::from_inner(Inner {
            kind,
            message: Some(message.into()),
            server: None,
            source: None,
            retryable: None,
        })
    }

    /// Attaches the lower level error that caused this one.
    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Overrides whether the error is retryable: a token expiry handled by an
    /// auth token manager becomes retryable, for instance.
    #[allow(dead_code)] // used once sessions are wired
    pub(crate) fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = Some(retryable);
        self
    }

    /// A configuration error.
    pub(crate) fn configuration(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Configuration, message)
    }

    /// An error raised by application code, for instance inside a transaction
    /// function, a bookmark manager or a resolver: any `std::error::Error +
    /// Send + Sync + 'static`, or a message. It is never retried, and it is
    /// the [`source`](StdError::source) of the result, to downcast.
    ///
    /// A driver error that reaches it boxed (from a helper returning
    /// `Box<dyn Error + Send + Sync>`, say) comes out as it was, still
    /// retryable if it was.
    ///
    /// In a transaction function, `?` converts the driver's own errors; map
    /// yours with `.map_err(Error::user)?`:
    ///
    /// ```no_run
    /// use quiver::{Error, ErrorKind};
    ///
    /// # async fn demo(session: &mut quiver::Session) -> quiver::Result<()> {
    /// let result = session
    ///     .execute_write(|tx| async move {
    ///         let text: String = tx.run("RETURN '12x' AS n").await?.single().await?.get("n")?;
    ///         let n: i64 = text.parse().map_err(Error::user)?; // ParseIntError
    ///         Ok(n)
    ///     })
    ///     .await;
    /// let e = result.unwrap_err(); // rolled back, not retried
    /// assert_eq!(e.kind(), ErrorKind::User);
    /// assert!(std::error::Error::source(&e).unwrap().is::<std::num::ParseIntError>());
    /// # Ok(()) }
    /// ```
    ///
    /// ```
    /// use quiver::{Error, ErrorKind};
    ///
    /// let e = Error::user("the account is overdrawn");
    /// assert_eq!(e.kind(), ErrorKind::User);
    /// assert!(!e.is_retryable());
    /// assert_eq!(e.to_string(), "application code failed: the account is overdrawn");
    /// ```
    pub fn user(error: impl Into<BoxError>) -> Self {
        match error.into().downcast::<Error>() {
            Ok(driver) => *driver,
            Err(other) => Error::from_inner(Inner {
                kind: ErrorKind::User,
                message: None,
                server: None,
                source: Some(other),
                retryable: None,
            }),
        }
    }

    /// An error reported by the server.
    ///
    /// ```
    /// use quiver::{Error, ErrorKind, ServerError};
    ///
    /// let e = Error::server(ServerError::new(
    ///     "Neo.TransientError.Transaction.DeadlockDetected",
    ///     "Deadlock",
    /// ));
    /// assert_eq!(e.kind(), ErrorKind::Transient);
    /// assert!(e.is_retryable());
    /// ```
    pub fn server(error: ServerError) -> Self {
        Error::from_inner(Inner {
            kind: error.kind(),
            message: None,
            server: Some(error),
            source: None,
            retryable: None,
        })
    }

    /// The connection was lost while waiting for the answer to a `COMMIT`.
    #[allow(dead_code)] // used once transactions are wired
    pub(crate) fn commit_unknown(source: impl Into<BoxError>) -> Self {
        Error::new(ErrorKind::CommitUnknown, "").with_source(source)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The server error behind this error, if the server reported it.
    pub fn as_server_error(&self) -> Option<&ServerError> {
        self.inner.server.as_ref()
    }

    /// The Neo4j status code, if the server reported the error, e.g.
    /// `Neo.ClientError.Statement.SyntaxError`.
    pub fn code(&self) -> Option<&str> {
        self.inner.server.as_ref().map(ServerError::code)
    }

    /// The classification of the server's status code, if the server reported
    /// the error.
    pub fn classification(&self) -> Option<Classification> {
        self.inner.server.as_ref()?.classification()
    }

    /// The GQL status code, if the server reported the error and sent one.
    pub fn gql_status(&self) -> Option<&str> {
        self.inner.server.as_ref()?.gql_status()
    }

    /// Whether the server refused the request for a security reason (its code is
    /// `Neo.ClientError.Security.*`): what an [`AuthTokenManager`](crate::AuthTokenManager)
    /// is told about.
    pub fn is_security_error(&self) -> bool {
        self.code()
            .is_some_and(|c| c.starts_with("Neo.ClientError.Security."))
    }

    /// Whether retrying the work may succeed.
    ///
    /// True for transient server errors (but not for
    /// `Neo.ClientError.Transaction.Terminated` and `LockClientStopped`),
    /// expired authorizations, leader switches, lost connections and
    /// unavailable services; never for [`ErrorKind::CommitUnknown`].
    /// Transaction functions retry exactly these errors.
    pub fn is_retryable(&self) -> bool {
        self.inner
            .retryable
            .unwrap_or_else(|| self.inner.kind.is_retryable())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        if let Some(m) = &self.inner.message {
            d.field("message", m);
        }
        if let Some(s) = &self.inner.server {
            d.field("server", s);
        }
        if let Some(s) = &self.inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        if let Some(server) = &inner.server {
            return write!(f, "{}: {server}", inner.kind.describe());
        }
        f.write_str(inner.kind.describe())?;
        match &inner.message {
            Some(m) if !m.is_empty() => write!(f, ": {m}"),
            _ => match &inner.source {
                Some(source) => write!(f, ": {source}"),
                None => Ok(()),
            },
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        if let Some(s) = &self.inner.source {
            return Some(&**s as &(dyn StdError + 'static));
        }
        self.inner
            .server
            .as_ref()?
            .cause()
            .map(|c| c as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: &str) -> Error {
        Error::server(ServerError::new(code, "boom"))
    }

    #[test]
    fn transient_errors_are_retryable() {
        let e = server("Neo.TransientError.Transaction.DeadlockDetected");
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert_eq!(e.classification(), Some(Classification::TransientError));
        assert!(e.is_retryable());
        let e = server("Neo.TransientError.General.DatabaseUnavailable");
        assert!(e.is_retryable());
    }

    #[test]
    fn terminated_and_lock_client_stopped_are_rewritten_and_not_retryable() {
        for (old, new) in CODE_REWRITES {
            let e = server(old);
            assert_eq!(e.code(), Some(*new));
            assert_eq!(e.kind(), ErrorKind::Client);
            assert_eq!(e.classification(), Some(Classification::ClientError));
            assert!(!e.is_retryable(), "{old}");
        }
        // The 5.0 names too.
        assert!(!server("Neo.ClientError.Transaction.Terminated").is_retryable());
    }

    #[test]
    fn authorization_expired_is_transient() {
        let e = server(AUTHORIZATION_EXPIRED);
        assert_eq!(e.classification(), Some(Classification::TransientError));
        assert!(e.is_retryable());
    }

    #[test]
    fn leader_switch_is_session_expired_and_retryable() {
        for code in [
            "Neo.ClientError.Cluster.NotALeader",
            "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
        ] {
            let e = server(code);
            assert_eq!(e.kind(), ErrorKind::SessionExpired);
            assert_eq!(e.code(), Some(code));
            assert!(e.is_retryable());
        }
    }

    #[test]
    fn auth_errors() {
        let e = server("Neo.ClientError.Security.Unauthorized");
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert!(!e.is_retryable());
        let e = server(TOKEN_EXPIRED);
        assert_eq!(e.kind(), ErrorKind::TokenExpired);
        assert!(!e.is_retryable());
        assert!(e.with_retryable(true).is_retryable());
    }

    #[test]
    fn client_database_and_unknown_codes() {
        assert_eq!(
            server("Neo.ClientError.Statement.SyntaxError").kind(),
            ErrorKind::Client
        );
        assert!(!server("Neo.ClientError.Statement.SyntaxError").is_retryable());
        assert_eq!(
            server("Neo.DatabaseError.General.UnknownError").kind(),
            ErrorKind::Database
        );
        let odd = server("Neo.Weird");
        assert_eq!(odd.kind(), ErrorKind::Database);
        assert_eq!(odd.classification(), None);
        assert_eq!(odd.as_server_error().unwrap().category(), None);
        assert!(!odd.is_retryable());
    }

    #[test]
    fn gql_classification_is_used_when_the_code_has_none() {
        let mut diag = crate::Map::new();
        diag.insert(
            "_classification".to_owned(),
            crate::Value::String("TRANSIENT_ERROR".to_owned()),
        );
        let e = ServerError::new("Neo.Unknown", "later")
            .with_gql_status("50N00", "error: general processing exception")
            .with_diagnostic_record(diag);
        assert_eq!(e.gql_classification(), Some("TRANSIENT_ERROR"));
        let e = Error::server(e);
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert_eq!(e.gql_status(), Some("50N00"));
        assert!(e.is_retryable());
    }

    #[test]
    fn driver_errors_retryability() {
        assert!(Error::new(ErrorKind::ServiceUnavailable, "no routers").is_retryable());
        assert!(Error::new(ErrorKind::SessionExpired, "gone").is_retryable());
        assert!(!Error::commit_unknown(std::io::Error::other("reset")).is_retryable());
        assert!(!Error::configuration("bad").is_retryable());
        assert!(!Error::user("mine").is_retryable());
    }

    #[test]
    fn display_is_a_sentence_and_the_chain_is_kept() {
        let cause = ServerError::new("Neo.ClientError.Statement.ArgumentError", "inner cause.");
        let e = Error::server(
            ServerError::new(
                "Neo.ClientError.Statement.SyntaxError",
                "Invalid input 'RETRUN'.",
            )
            .with_gql_status("42001", "syntax error")
            .with_cause(cause),
        );
        assert_eq!(
            e.to_string(),
            "the server rejected the request: Invalid input 'RETRUN' \
             (code Neo.ClientError.Statement.SyntaxError, GQL status 42001)"
        );
        let source = e.source().expect("cause");
        assert_eq!(
            source.to_string(),
            "inner cause (code Neo.ClientError.Statement.ArgumentError)"
        );

        let io = std::io::Error::other("connection reset by peer");
        let e = Error::commit_unknown(io);
        assert_eq!(
            e.to_string(),
            "the connection was lost during commit, so whether the transaction was \
             committed is unknown: connection reset by peer"
        );
        assert!(e.source().is_some());
        assert_eq!(
            Error::configuration("unknown URI scheme 'http'").to_string(),
            "the configuration is invalid: unknown URI scheme 'http'"
        );
    }

    #[test]
    fn user_errors_keep_theirs_and_unwrap_the_drivers() {
        let e = Error::user("12x".parse::<i64>().unwrap_err());
        assert_eq!(e.kind(), ErrorKind::User);
        assert!(!e.is_retryable());
        assert!(e.source().unwrap().is::<std::num::ParseIntError>());

        let boxed: BoxError = Box::new(server("Neo.TransientError.Transaction.DeadlockDetected"));
        let e = Error::user(boxed);
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert!(e.is_retryable());
    }

    #[test]
    fn error_is_small_send_and_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
