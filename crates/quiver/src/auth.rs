//! Auth token managers: credentials that can change while the driver runs.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bookmarks::BoxFuture;
use crate::error::{Error, Result, TOKEN_EXPIRED};
use crate::AuthToken;
use crate::{Clock, SystemClock};

const UNAUTHORIZED: &str = "Neo.ClientError.Security.Unauthorized";

/// Supplies the driver's credentials, and is told when the server rejects
/// them so it can provide new ones.
///
/// The driver asks [`get_auth`](Self::get_auth) whenever it opens or
/// re-authenticates a connection. When the server answers with a security
/// error, the driver calls
/// [`handle_security_error`](Self::handle_security_error); if that returns
/// `true` the error is retryable and a transaction function tries again with
/// fresh credentials.
///
/// Implementations must not use the driver themselves (that could deadlock)
/// and must always return credentials of the same identity.
pub trait AuthTokenManager: Send + Sync {
    /// The credentials to use now.
    fn get_auth(&self) -> BoxFuture<'_, Result<AuthToken>>;

    /// Called when the server rejected `auth` with `error`. Returns whether
    /// the manager handled it (new credentials will come from
    /// [`get_auth`](Self::get_auth)).
    fn handle_security_error<'a>(
        &'a self,
        auth: &'a AuthToken,
        error: &'a Error,
    ) -> BoxFuture<'a, Result<bool>>;
}

/// Always the same credentials; handles no error. What a driver built from
/// a plain [`AuthToken`] uses.
#[derive(Debug, Clone)]
pub struct StaticAuthTokenManager {
    auth: AuthToken,
}

impl StaticAuthTokenManager {
    /// A manager always returning `auth`.
    pub fn new(auth: AuthToken) -> Self {
        StaticAuthTokenManager { auth }
    }
}

impl AuthTokenManager for StaticAuthTokenManager {
    fn get_auth(&self) -> BoxFuture<'_, Result<AuthToken>> {
        Box::pin(std::future::ready(Ok(self.auth.clone())))
    }

    fn handle_security_error<'a>(
        &'a self,
        _: &'a AuthToken,
        _: &'a Error,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(std::future::ready(Ok(false)))
    }
}

/// Credentials that may expire after a while, as returned by a bearer token
/// provider.
#[derive(Debug, Clone)]
pub struct ExpiringAuth {
    auth: AuthToken,
    expires_in: Option<Duration>,
}

impl ExpiringAuth {
    /// Credentials that do not expire by time.
    pub fn new(auth: AuthToken) -> Self {
        ExpiringAuth {
            auth,
            expires_in: None,
        }
    }

    /// Makes the credentials expire this long after the provider returned
    /// them. Leave a margin so that a new token is fetched before the server
    /// rejects the old one.
    pub fn expires_in(mut self, duration: Duration) -> Self {
        self.expires_in = Some(duration);
        self
    }

    /// The credentials.
    pub fn auth(&self) -> &AuthToken {
        &self.auth
    }
}

type Provider = Box<dyn Fn() -> BoxFuture<'static, Result<ExpiringAuth>> + Send + Sync>;

struct Current {
    auth: AuthToken,
    expires_at: Option<Instant>,
}

/// Caches credentials from a provider function and calls it again when they
/// expire or the server rejects them. Build it with
/// [`basic`](Self::basic) (password rotation) or [`bearer`](Self::bearer)
/// (expiring tokens).
///
/// ```
/// use std::time::Duration;
/// use quiver::{AuthToken, ExpiringAuth, RefreshingAuthTokenManager};
///
/// let manager = RefreshingAuthTokenManager::bearer(|| async {
///     let token = String::from("a fresh SSO token");
///     Ok(ExpiringAuth::new(AuthToken::bearer(token)).expires_in(Duration::from_secs(50)))
/// });
/// # let _ = manager;
/// ```
pub struct RefreshingAuthTokenManager {
    provider: Provider,
    handled_codes: &'static [&'static str],
    clock: Arc<dyn Clock>,
    current: tokio::sync::Mutex<Option<Current>>,
}

impl RefreshingAuthTokenManager {
    /// For basic auth with rotating passwords: the provider is called first
    /// and whenever the server answers `Neo.ClientError.Security.Unauthorized`
    /// for the current credentials. A wrong password is thus retried with the
    /// provider's next answer instead of failing at once.
    pub fn basic<F, Fut>(provider: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AuthToken>> + Send + 'static,
    {
        let provider: Provider = Box::new(move || {
            let fut = provider();
            Box::pin(async move { fut.await.map(ExpiringAuth::new) })
        });
        RefreshingAuthTokenManager::with_provider(provider, &[UNAUTHORIZED])
    }

    /// For tokens that expire: the provider is called first, when its
    /// credentials have expired, and whenever the server answers
    /// `Neo.ClientError.Security.TokenExpired` or `Unauthorized` for them.
    pub fn bearer<F, Fut>(provider: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ExpiringAuth>> + Send + 'static,
    {
        let provider: Provider = Box::new(move || Box::pin(provider()));
        RefreshingAuthTokenManager::with_provider(provider, &[TOKEN_EXPIRED, UNAUTHORIZED])
    }

    fn with_provider(provider: Provider, handled_codes: &'static [&'static str]) -> Self {
        RefreshingAuthTokenManager {
            provider,
            handled_codes,
            clock: Arc::new(SystemClock),
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// Reads expiry times from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    async fn refresh(&self, slot: &mut Option<Current>) -> Result<AuthToken> {
        let fresh = (self.provider)().await.inspect_err(|e| {
            tracing::error!(error = %e, "the auth token provider failed");
        })?;
        let now = self.clock.now();
        let expires_at = fresh.expires_in.map(|d| now.checked_add(d).unwrap_or(now));
        *slot = Some(Current {
            auth: fresh.auth.clone(),
            expires_at,
        });
        Ok(fresh.auth)
    }
}

impl fmt::Debug for RefreshingAuthTokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingAuthTokenManager")
            .field("handled_codes", &self.handled_codes)
            .finish_non_exhaustive()
    }
}

impl AuthTokenManager for RefreshingAuthTokenManager {
    fn get_auth(&self) -> BoxFuture<'_, Result<AuthToken>> {
        Box::pin(async move {
            let mut slot = self.current.lock().await;
            let now = self.clock.now();
            match &*slot {
                Some(c) if c.expires_at.is_none_or(|at| now < at) => Ok(c.auth.clone()),
                _ => {
                    tracing::debug!("refreshing credentials from the auth token provider");
                    self.refresh(&mut slot).await
                }
            }
        })
    }

    fn handle_security_error<'a>(
        &'a self,
        auth: &'a AuthToken,
        error: &'a Error,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let Some(code) = error.code() else {
                return Ok(false);
            };
            if !self.handled_codes.contains(&code) {
                return Ok(false);
            }
            let mut slot = self.current.lock().await;
            // Only refresh if nobody did since `auth` was handed out.
            if slot.as_ref().is_some_and(|c| &c.auth == auth) {
                tracing::debug!(code, "refreshing credentials after a security error");
                self.refresh(&mut slot).await?;
            }
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServerError;
    use crate::FakeClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn block_on<F: Future>(fut: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(fut)
    }

    fn server(code: &str) -> Error {
        Error::server(ServerError::new(code, "no"))
    }

    #[test]
    fn static_manager_handles_nothing() {
        let m = StaticAuthTokenManager::new(AuthToken::basic("u", "p"));
        block_on(async {
            assert_eq!(m.get_auth().await.unwrap(), AuthToken::basic("u", "p"));
            let e = server(UNAUTHORIZED);
            assert!(!m
                .handle_security_error(&AuthToken::basic("u", "p"), &e)
                .await
                .unwrap());
        });
    }

    #[test]
    fn basic_manager_refreshes_on_unauthorized_only() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = Arc::clone(&calls);
        let m = RefreshingAuthTokenManager::basic(move || {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move { Ok(AuthToken::basic("u", format!("p{n}"))) }
        });
        block_on(async {
            let first = m.get_auth().await.unwrap();
            assert_eq!(first, AuthToken::basic("u", "p0"));
            assert_eq!(m.get_auth().await.unwrap(), first, "cached");
            assert_eq!(calls.load(Ordering::SeqCst), 1);

            let expired = server(TOKEN_EXPIRED);
            assert!(!m.handle_security_error(&first, &expired).await.unwrap());
            assert_eq!(calls.load(Ordering::SeqCst), 1);

            let unauthorized = server(UNAUTHORIZED);
            assert!(m
                .handle_security_error(&first, &unauthorized)
                .await
                .unwrap());
            assert_eq!(calls.load(Ordering::SeqCst), 2);
            assert_eq!(m.get_auth().await.unwrap(), AuthToken::basic("u", "p1"));
            // A stale token's error does not refresh again, but is handled.
            assert!(m
                .handle_security_error(&first, &unauthorized)
                .await
                .unwrap());
            assert_eq!(calls.load(Ordering::SeqCst), 2);
            assert!(!m
                .handle_security_error(&first, &Error::user("not a server error"))
                .await
                .unwrap());
        });
    }

    #[test]
    fn bearer_manager_refreshes_when_expired_by_time_or_by_server() {
        let clock = FakeClock::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = Arc::clone(&calls);
        let m = RefreshingAuthTokenManager::bearer(move || {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(ExpiringAuth::new(AuthToken::bearer(format!("t{n}")))
                    .expires_in(Duration::from_secs(10)))
            }
        })
        .with_clock(Arc::new(clock.clone()));
        block_on(async {
            assert_eq!(m.get_auth().await.unwrap(), AuthToken::bearer("t0"));
            clock.tick(Duration::from_secs(9));
            assert_eq!(m.get_auth().await.unwrap(), AuthToken::bearer("t0"));
            clock.tick(Duration::from_secs(1));
            assert_eq!(m.get_auth().await.unwrap(), AuthToken::bearer("t1"));
            let e = server(TOKEN_EXPIRED);
            assert!(m
                .handle_security_error(&AuthToken::bearer("t1"), &e)
                .await
                .unwrap());
            assert_eq!(m.get_auth().await.unwrap(), AuthToken::bearer("t2"));
            assert_eq!(calls.load(Ordering::SeqCst), 3);
        });
    }

    #[test]
    fn provider_errors_reach_the_caller() {
        let m = RefreshingAuthTokenManager::basic(|| async { Err(Error::user("vault is down")) });
        let e = block_on(m.get_auth()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::User);
    }
}
