//! Driver configuration, with the official drivers' defaults.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use quiver_bolt::{
    MinimumSeverity, NotificationClassification, NotificationFilter, TrustStrategy,
};

use crate::error::{Error, Result};
use crate::uri::{ConnectionUri, SchemeSecurity};
use crate::{Address, BoxFuture};

/// The user agent sent to the server unless configured: `quiver/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("quiver/", env!("CARGO_PKG_VERSION"));

/// How many records a result asks the server for at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchSize {
    /// At most this many records per batch (more than zero).
    Records(u64),
    /// Everything at once.
    All,
}

impl FetchSize {
    /// The `n` of a Bolt `PULL` message: the batch size, or -1 for all.
    pub fn as_bolt_n(self) -> i64 {
        match self {
            FetchSize::Records(n) => i64::try_from(n).unwrap_or(i64::MAX),
            FetchSize::All => -1,
        }
    }
}

impl Default for FetchSize {
    /// 1000 records, as the official drivers.
    fn default() -> Self {
        FetchSize::Records(1000)
    }
}

/// A client certificate for mutual TLS.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientCertificate {
    certificate: PathBuf,
    private_key: PathBuf,
    password: Option<String>,
}

impl ClientCertificate {
    /// A certificate chain (PEM) and its private key (PEM).
    pub fn new(certificate: impl Into<PathBuf>, private_key: impl Into<PathBuf>) -> Self {
        ClientCertificate {
            certificate: certificate.into(),
            private_key: private_key.into(),
            password: None,
        }
    }

    /// The password of an encrypted private key.
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// The certificate file.
    pub fn certificate(&self) -> &PathBuf {
        &self.certificate
    }

    /// The private key file.
    pub fn private_key(&self) -> &PathBuf {
        &self.private_key
    }

    /// The private key's password.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("certificate", &self.certificate)
            .field("private_key", &self.private_key)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The TLS settings that apply once the URI scheme and the configuration are
/// combined; `None` from [`Config::tls_for`] means plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsSettings {
    /// The certificates trusted.
    pub trust: TrustStrategy,
    /// The client certificate presented, if any.
    pub client_certificate: Option<ClientCertificate>,
}

/// A function resolving the address the driver was created with into the
/// addresses to try, ahead of DNS (for routing drivers).
pub type Resolver = Arc<dyn Fn(&Address) -> Vec<Address> + Send + Sync>;

/// An asynchronous address resolver: the addresses to try for one address.
/// Used for the custom resolver ([`ConfigBuilder::resolver_async`]) and the
/// DNS step ([`ConfigBuilder::dns_resolver_async`]); a failure is an empty
/// list.
pub type AsyncResolver = Arc<dyn Fn(Address) -> BoxFuture<'static, Vec<Address>> + Send + Sync>;

/// The driver's configuration. Build it with [`Config::builder`]; the
/// defaults are the official drivers'.
///
/// ```
/// use std::time::Duration;
/// use quiver::Config;
///
/// let config = Config::builder()
///     .max_connection_pool_size(50)
///     .connection_acquisition_timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(config.max_connection_pool_size(), 50);
/// assert_eq!(config.fetch_size(), quiver::FetchSize::Records(1000));
/// # Ok::<(), quiver::Error>(())
/// ```
#[derive(Clone)]
pub struct Config {
    max_connection_pool_size: usize,
    connection_acquisition_timeout: Duration,
    connection_timeout: Duration,
    connection_read_timeout: Option<Duration>,
    max_nesting_depth: usize,
    max_message_size: usize,
    max_connection_lifetime: Option<Duration>,
    liveness_check_timeout: Option<Duration>,
    max_transaction_retry_time: Duration,
    fetch_size: FetchSize,
    keep_alive: bool,
    user_agent: String,
    encrypted: Option<bool>,
    trust: Option<TrustStrategy>,
    client_certificate: Option<ClientCertificate>,
    resolver: Option<Resolver>,
    async_resolver: Option<AsyncResolver>,
    dns_resolver: Option<AsyncResolver>,
    notification_filter: NotificationFilter,
    telemetry_disabled: bool,
}

impl Config {
    /// A builder starting from the defaults.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config::default(),
        }
    }

    /// The most connections kept per server (default 100).
    pub fn max_connection_pool_size(&self) -> usize {
        self.max_connection_pool_size
    }

    /// How long getting a connection may take in all (default 60 s):
    /// waiting for one from a full pool, or opening a new one (handshake
    /// and logon included). Must be more than zero: [`build`](ConfigBuilder::build)
    /// refuses zero.
    pub fn connection_acquisition_timeout(&self) -> Duration {
        self.connection_acquisition_timeout
    }

    /// How long establishing a new connection's transport (TCP, and TLS)
    /// may take (default 30 s). The Bolt handshake and logon that follow
    /// count against the
    /// [`connection_acquisition_timeout`](Self::connection_acquisition_timeout).
    pub fn connection_timeout(&self) -> Duration {
        self.connection_timeout
    }

    /// The client's bound on each read from a server (default `None`: only
    /// the server's `connection.recv_timeout_seconds` hint bounds reads).
    pub fn connection_read_timeout(&self) -> Option<Duration> {
        self.connection_read_timeout
    }

    /// How deep values from the server may nest (default 128).
    pub fn max_nesting_depth(&self) -> usize {
        self.max_nesting_depth
    }

    /// The largest message the server may send, in bytes (default 512 MiB).
    pub fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// How long a connection may live before it is replaced (default 1 h;
    /// `None`: forever).
    pub fn max_connection_lifetime(&self) -> Option<Duration> {
        self.max_connection_lifetime
    }

    /// Idle time after which a pooled connection is checked with a `RESET`
    /// before use (default `None`: never; zero: always).
    pub fn liveness_check_timeout(&self) -> Option<Duration> {
        self.liveness_check_timeout
    }

    /// How long transaction functions keep retrying (default 30 s).
    pub fn max_transaction_retry_time(&self) -> Duration {
        self.max_transaction_retry_time
    }

    /// Records fetched per batch (default 1000).
    pub fn fetch_size(&self) -> FetchSize {
        self.fetch_size
    }

    /// Whether TCP keep-alive is on (default on).
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// The user agent sent to the server (default `quiver/<version>`).
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The explicit encryption setting, if any (only with `bolt` and `neo4j`
    /// URIs).
    pub fn encrypted(&self) -> Option<bool> {
        self.encrypted
    }

    /// The explicit trust setting, if any.
    pub fn trust(&self) -> Option<&TrustStrategy> {
        self.trust.as_ref()
    }

    /// The client certificate for mutual TLS, if any.
    pub fn client_certificate(&self) -> Option<&ClientCertificate> {
        self.client_certificate.as_ref()
    }

    /// The custom address resolver, if one was set with
    /// [`ConfigBuilder::resolver`] (a synchronous function).
    pub fn resolver(&self) -> Option<&Resolver> {
        self.resolver.as_ref()
    }

    /// The custom address resolver, synchronous
    /// ([`ConfigBuilder::resolver`]) or not
    /// ([`ConfigBuilder::resolver_async`]), if any.
    pub fn async_resolver(&self) -> Option<&AsyncResolver> {
        self.async_resolver.as_ref()
    }

    /// The resolver replacing the system's DNS lookup, if any.
    pub fn dns_resolver(&self) -> Option<&AsyncResolver> {
        self.dns_resolver.as_ref()
    }

    /// The driver-wide notification filter.
    pub fn notification_filter(&self) -> &NotificationFilter {
        &self.notification_filter
    }

    /// Whether the driver does not send API usage telemetry (default: it
    /// sends it, to servers that ask).
    pub fn telemetry_disabled(&self) -> bool {
        self.telemetry_disabled
    }

    /// Combines the URI scheme with the encryption settings: the TLS settings
    /// to connect with, or `None` for plain text.
    ///
    /// As in the official drivers, `+s` and `+ssc` schemes fix the security
    /// themselves, so setting `encrypted` or `trust` with them is an error.
    /// A client certificate works with any encrypted setup.
    ///
    /// ```
    /// use quiver::{Config, ConnectionUri, TrustStrategy};
    ///
    /// let uri: ConnectionUri = "neo4j+ssc://db".parse()?;
    /// let tls = Config::default().tls_for(&uri)?.expect("encrypted");
    /// assert_eq!(tls.trust, TrustStrategy::All);
    ///
    /// let plain: ConnectionUri = "bolt://db".parse()?;
    /// assert!(Config::default().tls_for(&plain)?.is_none());
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn tls_for(&self, uri: &ConnectionUri) -> Result<Option<TlsSettings>> {
        let trust = match uri.scheme().security() {
            SchemeSecurity::Configurable => {
                if !self.encrypted.unwrap_or(false) {
                    if self.client_certificate.is_some() {
                        return Err(Error::configuration(
                            "a client certificate needs an encrypted connection: use a +s or +ssc scheme or set encrypted",
                        ));
                    }
                    return Ok(None);
                }
                self.trust.clone().unwrap_or_default()
            }
            security => {
                if self.encrypted.is_some() || self.trust.is_some() {
                    return Err(Error::configuration(format!(
                        "the encrypted and trust settings can only be used with the bolt and neo4j schemes; \
                         the {} scheme already sets them",
                        uri.scheme()
                    )));
                }
                if security == SchemeSecurity::SelfSignedTls {
                    TrustStrategy::All
                } else {
                    TrustStrategy::SystemCertificates
                }
            }
        };
        Ok(Some(TlsSettings {
            trust,
            client_certificate: self.client_certificate.clone(),
        }))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_connection_pool_size: 100,
            connection_acquisition_timeout: Duration::from_secs(60),
            connection_timeout: Duration::from_secs(30),
            connection_read_timeout: None,
            max_nesting_depth: quiver_packstream::DEFAULT_MAX_DEPTH,
            max_message_size: quiver_bolt::codec::DEFAULT_MAX_MESSAGE_SIZE,
            max_connection_lifetime: Some(Duration::from_secs(3600)),
            liveness_check_timeout: None,
            max_transaction_retry_time: Duration::from_secs(30),
            fetch_size: FetchSize::default(),
            keep_alive: true,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            encrypted: None,
            trust: None,
            client_certificate: None,
            resolver: None,
            async_resolver: None,
            dns_resolver: None,
            notification_filter: NotificationFilter::default(),
            telemetry_disabled: false,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("max_connection_pool_size", &self.max_connection_pool_size)
            .field(
                "connection_acquisition_timeout",
                &self.connection_acquisition_timeout,
            )
            .field("connection_timeout", &self.connection_timeout)
            .field("connection_read_timeout", &self.connection_read_timeout)
            .field("max_nesting_depth", &self.max_nesting_depth)
            .field("max_message_size", &self.max_message_size)
            .field("max_connection_lifetime", &self.max_connection_lifetime)
            .field("liveness_check_timeout", &self.liveness_check_timeout)
            .field(
                "max_transaction_retry_time",
                &self.max_transaction_retry_time,
            )
            .field("fetch_size", &self.fetch_size)
            .field("keep_alive", &self.keep_alive)
            .field("user_agent", &self.user_agent)
            .field("encrypted", &self.encrypted)
            .field("trust", &self.trust)
            .field("client_certificate", &self.client_certificate)
            .field("resolver", &self.async_resolver.is_some())
            .field("dns_resolver", &self.dns_resolver.is_some())
            .field("notification_filter", &self.notification_filter)
            .field("telemetry_disabled", &self.telemetry_disabled)
            .finish()
    }
}

/// Builds a [`Config`]; [`build`](ConfigBuilder::build) checks the values.
#[must_use]
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// The most connections kept per server (at least 1; default 100).
    pub fn max_connection_pool_size(mut self, size: usize) -> Self {
        self.config.max_connection_pool_size = size;
        self
    }

    /// How long getting a connection may take in all (default 60 s):
    /// waiting for one from a full pool, or opening a new one (handshake
    /// and logon included). Must be more than zero: [`build`](Self::build)
    /// refuses zero.
    pub fn connection_acquisition_timeout(mut self, timeout: Duration) -> Self {
        self.config.connection_acquisition_timeout = timeout;
        self
    }

    /// How long establishing a new connection's transport (TCP, and TLS)
    /// may take (default 30 s); the Bolt handshake and logon count against
    /// the [`connection_acquisition_timeout`](Self::connection_acquisition_timeout).
    /// Must be more than zero: [`build`](Self::build) refuses zero.
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.config.connection_timeout = timeout;
        self
    }

    /// The longest a connection waits on one read from the server
    /// (default `None`: off; `Some(0)` is refused). Servers may send their own bound in the
    /// `connection.recv_timeout_seconds` hint; with both, the smaller one
    /// holds. A read that times out ends the connection: the work on it
    /// fails as a lost connection ([`ErrorKind::ServiceUnavailable`], or
    /// [`ErrorKind::SessionExpired`] on a routing driver, or
    /// [`ErrorKind::CommitUnknown`] during a commit), and transaction
    /// functions retry it.
    ///
    /// Off by default, as in the official drivers: a server sends nothing
    /// while a query works towards its first record, so any default bound
    /// would fail long queries. Set one when queries are known to be short;
    /// [`Driver::close`](crate::Driver::close) ends stalled work either way.
    ///
    /// [`ErrorKind::ServiceUnavailable`]: crate::ErrorKind::ServiceUnavailable
    /// [`ErrorKind::SessionExpired`]: crate::ErrorKind::SessionExpired
    /// [`ErrorKind::CommitUnknown`]: crate::ErrorKind::CommitUnknown
    ///
    /// ```
    /// use std::time::Duration;
    /// use quiver::Config;
    ///
    /// let config = Config::builder()
    ///     .connection_read_timeout(Some(Duration::from_secs(30)))
    ///     .build()?;
    /// assert_eq!(config.connection_read_timeout(), Some(Duration::from_secs(30)));
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn connection_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.connection_read_timeout = timeout;
        self
    }

    /// How deep lists, maps and structures from the server may nest
    /// (default 128, at least 1). A deeper value fails to read with
    /// "nesting deeper than the limit of N" ([`ErrorKind::Protocol`]) and
    /// loses nothing else: the connection stays usable. Decoding recurses,
    /// so each level costs some stack (about 0.5 KB in release builds, 2 KB
    /// in debug ones): raise it with the stack of the threads that read in
    /// mind.
    ///
    /// [`ErrorKind::Protocol`]: crate::ErrorKind::Protocol
    ///
    /// ```
    /// let config = quiver::Config::builder().max_nesting_depth(256).build()?;
    /// assert_eq!(config.max_nesting_depth(), 256);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn max_nesting_depth(mut self, depth: usize) -> Self {
        self.config.max_nesting_depth = depth;
        self
    }

    /// The largest message the server may send, in bytes (default 512 MiB,
    /// at least 1): a larger one fails with "message larger than the limit
    /// of N bytes" ([`ErrorKind::Protocol`]) before it is read whole, and
    /// its connection is closed. A message is held once while it is read
    /// (its record's values are decoded from it), so this bounds what one
    /// reply may cost in memory.
    ///
    /// [`ErrorKind::Protocol`]: crate::ErrorKind::Protocol
    ///
    /// ```
    /// let config = quiver::Config::builder()
    ///     .max_message_size(64 * 1024 * 1024)
    ///     .build()?;
    /// assert_eq!(config.max_message_size(), 64 * 1024 * 1024);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// How long a connection may live (default 1 h; `None`: forever).
    pub fn max_connection_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.config.max_connection_lifetime = lifetime;
        self
    }

    /// Idle time after which a pooled connection is checked before use
    /// (default `None`: never; zero: always).
    pub fn liveness_check_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.liveness_check_timeout = timeout;
        self
    }

    /// How long transaction functions keep retrying (default 30 s).
    pub fn max_transaction_retry_time(mut self, time: Duration) -> Self {
        self.config.max_transaction_retry_time = time;
        self
    }

    /// Records fetched per batch (default 1000).
    pub fn fetch_size(mut self, size: FetchSize) -> Self {
        self.config.fetch_size = size;
        self
    }

    /// TCP keep-alive (default on).
    pub fn keep_alive(mut self, on: bool) -> Self {
        self.config.keep_alive = on;
        self
    }

    /// The user agent sent to the server.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.config.user_agent = agent.into();
        self
    }

    /// Encrypts connections with the plain `bolt` and `neo4j` schemes.
    pub fn encrypted(mut self, on: bool) -> Self {
        self.config.encrypted = Some(on);
        self
    }

    /// Which certificates to trust (plain `bolt` and `neo4j` schemes with
    /// encryption on).
    pub fn trust(mut self, trust: TrustStrategy) -> Self {
        self.config.trust = Some(trust);
        self
    }

    /// A client certificate for mutual TLS.
    pub fn client_certificate(mut self, certificate: ClientCertificate) -> Self {
        self.config.client_certificate = Some(certificate);
        self
    }

    /// A function resolving the initial address into the addresses to try.
    ///
    /// ```
    /// use quiver::{Address, Config};
    ///
    /// let config = Config::builder()
    ///     .resolver(|a: &Address| vec![
    ///         Address::new("a.example.com", a.port()),
    ///         Address::new("b.example.com", a.port()),
    ///     ])
    ///     .build()?;
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn resolver(
        mut self,
        resolver: impl Fn(&Address) -> Vec<Address> + Send + Sync + 'static,
    ) -> Self {
        let resolver: Resolver = Arc::new(resolver);
        let sync = Arc::clone(&resolver);
        self.config.async_resolver = Some(Arc::new(move |a: Address| {
            let out = sync(&a);
            Box::pin(std::future::ready(out)) as BoxFuture<'static, Vec<Address>>
        }));
        self.config.resolver = Some(resolver);
        self
    }

    /// An asynchronous function resolving the initial address into the
    /// addresses to try (replaces [`resolver`](Self::resolver)). Use it when
    /// resolving needs I/O, such as asking a service registry.
    ///
    /// ```
    /// use quiver::{Address, Config};
    ///
    /// let config = Config::builder()
    ///     .resolver_async(|a: Address| async move {
    ///         vec![Address::new("a.example.com", a.port())]
    ///     })
    ///     .build()?;
    /// assert!(config.async_resolver().is_some());
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn resolver_async<F, Fut>(mut self, resolver: F) -> Self
    where
        F: Fn(Address) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Vec<Address>> + Send + 'static,
    {
        self.config.resolver = None;
        self.config.async_resolver = Some(Arc::new(move |a: Address| {
            Box::pin(resolver(a)) as BoxFuture<'static, Vec<Address>>
        }));
        self
    }

    /// Replaces the system's DNS lookup of routing drivers (applied to the
    /// initial address, after the custom resolver) with an asynchronous
    /// function. An address it returns that names a host rather than an IP
    /// is still connected to by name.
    ///
    /// ```
    /// use quiver::{Address, Config};
    ///
    /// let config = Config::builder()
    ///     .dns_resolver_async(|a: Address| async move {
    ///         vec![Address::new("127.0.0.1", a.port())]
    ///     })
    ///     .build()?;
    /// assert!(config.dns_resolver().is_some());
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn dns_resolver_async<F, Fut>(mut self, resolver: F) -> Self
    where
        F: Fn(Address) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Vec<Address>> + Send + 'static,
    {
        self.config.dns_resolver = Some(Arc::new(move |a: Address| {
            Box::pin(resolver(a)) as BoxFuture<'static, Vec<Address>>
        }));
        self
    }

    /// The driver-wide notification filter.
    pub fn notification_filter(mut self, filter: NotificationFilter) -> Self {
        self.config.notification_filter = filter;
        self
    }

    /// Stops sending API usage telemetry.
    pub fn telemetry_disabled(mut self, disabled: bool) -> Self {
        self.config.telemetry_disabled = disabled;
        self
    }

    /// Checks the values and returns the configuration.
    pub fn build(self) -> Result<Config> {
        let c = &self.config;
        if c.max_connection_pool_size == 0 {
            return Err(Error::configuration(
                "max_connection_pool_size must be at least 1",
            ));
        }
        if c.fetch_size == FetchSize::Records(0) {
            return Err(Error::configuration(
                "fetch_size must be at least 1 record (or FetchSize::All)",
            ));
        }
        if c.max_nesting_depth == 0 {
            return Err(Error::configuration("max_nesting_depth must be at least 1"));
        }
        if c.max_message_size == 0 {
            return Err(Error::configuration(
                "max_message_size must be at least 1 byte",
            ));
        }
        if c.user_agent.is_empty() {
            return Err(Error::configuration("user_agent must not be empty"));
        }
        // A zero bound would fail every query; there is no "no limit" zero.
        for (name, zero) in [
            (
                "connection_acquisition_timeout",
                c.connection_acquisition_timeout.is_zero(),
            ),
            ("connection_timeout", c.connection_timeout.is_zero()),
            (
                "connection_read_timeout",
                c.connection_read_timeout.is_some_and(|t| t.is_zero()),
            ),
        ] {
            if zero {
                return Err(Error::configuration(format!(
                    "{name} must be more than zero"
                )));
            }
        }
        if let Some(TrustStrategy::CustomCertificates(files)) = &c.trust {
            if files.is_empty() {
                return Err(Error::configuration(
                    "TrustStrategy::CustomCertificates needs at least one certificate file",
                ));
            }
        }
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn zero_timeouts_are_refused_by_name() {
        let zero = Duration::ZERO;
        let cases = [
            (
                Config::builder().connection_acquisition_timeout(zero),
                "connection_acquisition_timeout",
            ),
            (
                Config::builder().connection_timeout(zero),
                "connection_timeout",
            ),
            (
                Config::builder().connection_read_timeout(Some(zero)),
                "connection_read_timeout",
            ),
        ];
        for (builder, name) in cases {
            let err = builder.build().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Configuration, "{name}");
            assert!(err.to_string().contains(name), "{err}");
        }
        let tiny = Duration::from_millis(1);
        assert!(Config::builder()
            .connection_acquisition_timeout(tiny)
            .connection_timeout(tiny)
            .connection_read_timeout(Some(tiny))
            .build()
            .is_ok());
    }

    #[test]
    fn a_zero_max_message_size_is_refused_by_name() {
        let err = Config::builder().max_message_size(0).build().unwrap_err();
        assert!(err.to_string().contains("max_message_size"), "{err}");
        let c = Config::builder().max_message_size(1).build().unwrap();
        assert_eq!(c.max_message_size(), 1);
    }

    #[test]
    fn defaults_are_the_official_ones() {
        let c = Config::default();
        assert_eq!(c.max_connection_pool_size(), 100);
        assert_eq!(c.connection_acquisition_timeout(), Duration::from_secs(60));
        assert_eq!(c.connection_timeout(), Duration::from_secs(30));
        assert_eq!(c.connection_read_timeout(), None);
        assert_eq!(c.max_message_size(), 512 * 1024 * 1024);
        assert_eq!(c.max_connection_lifetime(), Some(Duration::from_secs(3600)));
        assert_eq!(c.liveness_check_timeout(), None);
        assert_eq!(c.max_transaction_retry_time(), Duration::from_secs(30));
        assert_eq!(c.fetch_size(), FetchSize::Records(1000));
        assert!(c.keep_alive());
        assert!(c.user_agent().starts_with("quiver/"));
        assert!(!c.telemetry_disabled());
        assert!(c.resolver().is_none());
        assert_eq!(c.notification_filter(), &NotificationFilter::default());
    }

    #[test]
    fn builder_sets_everything() {
        let c = Config::builder()
            .max_connection_pool_size(7)
            .connection_acquisition_timeout(Duration::from_secs(1))
            .connection_timeout(Duration::from_secs(2))
            .connection_read_timeout(Some(Duration::from_secs(4)))
            .max_connection_lifetime(None)
            .liveness_check_timeout(Some(Duration::ZERO))
            .max_transaction_retry_time(Duration::from_secs(3))
            .fetch_size(FetchSize::All)
            .keep_alive(false)
            .user_agent("app/1")
            .telemetry_disabled(true)
            .resolver(|a: &Address| vec![a.clone()])
            .notification_filter(NotificationFilter::none())
            .build()
            .unwrap();
        assert_eq!(c.max_connection_pool_size(), 7);
        assert_eq!(c.max_connection_lifetime(), None);
        assert_eq!(c.connection_read_timeout(), Some(Duration::from_secs(4)));
        assert_eq!(c.liveness_check_timeout(), Some(Duration::ZERO));
        assert_eq!(c.fetch_size().as_bolt_n(), -1);
        assert!(!c.keep_alive());
        assert_eq!(c.user_agent(), "app/1");
        assert!(c.telemetry_disabled());
        let resolved = (c.resolver().unwrap())(&Address::new("x", 1));
        assert_eq!(resolved, vec![Address::new("x", 1)]);
        assert_eq!(
            c.notification_filter().minimum_severity(),
            Some(MinimumSeverity::Off)
        );
    }

    #[test]
    fn builder_rejects_invalid_values() {
        for b in [
            Config::builder().max_connection_pool_size(0),
            Config::builder().fetch_size(FetchSize::Records(0)),
            Config::builder().user_agent(""),
            Config::builder().trust(TrustStrategy::CustomCertificates(vec![])),
        ] {
            assert_eq!(b.build().unwrap_err().kind(), ErrorKind::Configuration);
        }
    }

    fn uri(s: &str) -> ConnectionUri {
        s.parse().unwrap()
    }

    #[test]
    fn tls_from_scheme_and_config() {
        let default = Config::default();
        assert_eq!(default.tls_for(&uri("neo4j://h")).unwrap(), None);
        assert_eq!(
            default.tls_for(&uri("bolt+s://h")).unwrap().unwrap().trust,
            TrustStrategy::SystemCertificates
        );
        assert_eq!(
            default
                .tls_for(&uri("neo4j+ssc://h"))
                .unwrap()
                .unwrap()
                .trust,
            TrustStrategy::All
        );

        let encrypted = Config::builder()
            .encrypted(true)
            .trust(TrustStrategy::CustomCertificates(vec!["ca.pem".into()]))
            .build()
            .unwrap();
        assert_eq!(
            encrypted.tls_for(&uri("bolt://h")).unwrap().unwrap().trust,
            TrustStrategy::CustomCertificates(vec!["ca.pem".into()])
        );
        let e = encrypted.tls_for(&uri("bolt+s://h")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.to_string().contains("bolt+s"));

        let off = Config::builder().encrypted(false).build().unwrap();
        assert_eq!(off.tls_for(&uri("bolt://h")).unwrap(), None);
    }

    #[test]
    fn client_certificate_needs_encryption() {
        let cert = ClientCertificate::new("c.pem", "k.pem").with_password("pw");
        assert!(!format!("{cert:?}").contains("pw"));
        let c = Config::builder()
            .client_certificate(cert.clone())
            .build()
            .unwrap();
        assert!(c.tls_for(&uri("bolt://h")).is_err());
        let tls = c.tls_for(&uri("bolt+s://h")).unwrap().unwrap();
        assert_eq!(tls.client_certificate, Some(cert));
    }

    #[test]
    fn notification_filter_values() {
        let f = NotificationFilter::default()
            .with_disabled_classification(NotificationClassification::Hint)
            .with_disabled_classification(NotificationClassification::Deprecation);
        let disabled: Vec<_> = f
            .disabled_classifications()
            .unwrap()
            .iter()
            .map(|c| c.as_bolt_str())
            .collect();
        assert_eq!(disabled, ["HINT", "DEPRECATION"]);
        assert_eq!(MinimumSeverity::Information.as_bolt_str(), "INFORMATION");
    }
}
