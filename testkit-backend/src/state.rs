//! Per-connection object state: every object TestKit created during one test, by id.
//!
//! TestKit opens one connection per test and drops it afterwards, so everything here lives and
//! dies with the connection.
//!
//! To add a kind of object (when the driver is wired in): add a `Registry<Entry>` field for it,
//! e.g. `drivers: Registry<DriverEntry>` holding a `quiver::Driver` plus what the backend needs
//! to remember about it (such as whether TestKit registered a resolver). Entries that are used
//! across `.await` points (sessions, transactions, results) should be shared handles
//! (`Arc<tokio::sync::Mutex<_>>`): clone the handle out of the registry, drop the state lock,
//! then await.

use std::fmt;
use std::sync::Arc;

use crate::ids::Registry;
use crate::responses::DriverError;

/// Which kind of auth token manager TestKit created; the kinds share one id space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthManagerKind {
    /// `NewAuthTokenManager`: `get_auth` and `handle_security_exception` call back to TestKit.
    Custom,
    /// `NewBasicAuthTokenManager`: a password-rotation manager around TestKit's provider.
    Basic,
    /// `NewBearerAuthTokenManager`: an expiring-token manager around TestKit's provider.
    Bearer,
}

/// An auth token manager created by TestKit.
#[derive(Clone)]
pub struct AuthManagerEntry {
    /// Its kind.
    pub kind: AuthManagerKind,
    /// The driver-side manager (shared by every driver TestKit gives it to).
    pub manager: Arc<dyn quiver::AuthTokenManager>,
}

impl fmt::Debug for AuthManagerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthManagerEntry")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A client certificate provider created by TestKit (calls back on every `provide`).
#[derive(Debug, Clone, Default)]
pub struct CertificateProviderEntry {}

/// A bookmark manager created by TestKit.
#[derive(Clone)]
pub struct BookmarkManagerEntry {
    /// The driver-side manager (shared by every session TestKit gives it to).
    pub manager: Arc<dyn quiver::BookmarkManager>,
}

impl fmt::Debug for BookmarkManagerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BookmarkManagerEntry")
            .finish_non_exhaustive()
    }
}

/// A driver error the backend reported, kept so that `RetryableNegative` can refer to it.
#[derive(Debug)]
pub struct StoredError {
    /// What TestKit was sent.
    pub response: DriverError,
    /// The error itself, until a managed transaction function takes it to fail with it.
    pub error: Option<quiver::Error>,
}

/// All objects of one connection.
#[derive(Debug)]
pub struct State {
    /// Drivers.
    pub drivers: Registry<crate::handlers::driver::DriverEntry>,
    /// Sessions (their actors' channels).
    pub sessions: Registry<crate::handlers::session::SessionEntry>,
    /// Explicit and managed transactions.
    pub transactions: Registry<crate::handlers::transaction::TxEntry>,
    /// Results.
    pub results: Registry<crate::handlers::result::ResultEntry>,
    /// Auth token managers (all three kinds).
    pub auth_managers: Registry<AuthManagerEntry>,
    /// Client certificate providers.
    pub certificate_providers: Registry<CertificateProviderEntry>,
    /// Bookmark managers.
    pub bookmark_managers: Registry<BookmarkManagerEntry>,
    /// Driver errors reported to TestKit.
    pub errors: Registry<StoredError>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            drivers: Registry::new("driver"),
            sessions: Registry::new("session"),
            transactions: Registry::new("transaction"),
            results: Registry::new("result"),
            auth_managers: Registry::new("auth token manager"),
            certificate_providers: Registry::new("client certificate provider"),
            bookmark_managers: Registry::new("bookmark manager"),
            errors: Registry::new("error"),
        }
    }
}
