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
#[derive(Debug, Clone)]
pub struct AuthManagerEntry {
    /// Its kind.
    pub kind: AuthManagerKind,
}

/// A client certificate provider created by TestKit (calls back on every `provide`).
#[derive(Debug, Clone, Default)]
pub struct CertificateProviderEntry {}

/// A bookmark manager created by TestKit.
#[derive(Debug, Clone)]
pub struct BookmarkManagerEntry {
    /// Bookmarks it starts with.
    pub initial_bookmarks: Vec<String>,
    /// Whether it calls TestKit's supplier.
    pub supplier_registered: bool,
    /// Whether it calls TestKit's consumer.
    pub consumer_registered: bool,
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
            auth_managers: Registry::new("auth token manager"),
            certificate_providers: Registry::new("client certificate provider"),
            bookmark_managers: Registry::new("bookmark manager"),
            errors: Registry::new("error"),
        }
    }
}
