//! Connection configuration, built once and shared by every connection of a pool.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use quiver_packstream::Map;
use rustls::ClientConfig;

use crate::agent::BoltAgent;
use crate::auth::AuthToken;
use crate::codec::DEFAULT_MAX_MESSAGE_SIZE;
use crate::error::Error;
use crate::message::NotificationFilter;
use crate::tls::TlsConfig;
use crate::version::Version;

/// Default connect timeout (TCP, TLS, handshake and HELLO together).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a connection needs to open: built by [`ConnectionConfig::builder`].
///
/// Cheap to clone (the TLS configuration is shared).
///
/// ```
/// use std::time::Duration;
/// use quiver_bolt::{AuthToken, ConnectionConfig, Version};
///
/// let config = ConnectionConfig::builder()
///     .auth(AuthToken::basic("neo4j", "password"))
///     .connect_timeout(Duration::from_secs(5))
///     .versions(&[Version::V5_8, Version::V4_4])
///     .build()?;
/// assert_eq!(config.versions(), &[Version::V5_8, Version::V4_4]);
/// # Ok::<(), quiver_bolt::Error>(())
/// ```
#[derive(Clone)]
pub struct ConnectionConfig {
    pub(crate) user_agent: String,
    pub(crate) bolt_agent: BoltAgent,
    pub(crate) auth: AuthToken,
    pub(crate) tls: Option<Arc<ClientConfig>>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) routing: Option<Map>,
    pub(crate) notifications: NotificationFilter,
    pub(crate) telemetry: bool,
    pub(crate) versions: Vec<Version>,
    pub(crate) manifest_handshake: bool,
    pub(crate) keep_alive: bool,
    pub(crate) max_message_size: usize,
    pub(crate) read_buffer_size: usize,
    pub(crate) close_signal: crate::CloseSignal,
    pub(crate) max_nesting_depth: usize,
}

impl fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("user_agent", &self.user_agent)
            .field("bolt_agent", &self.bolt_agent)
            .field("auth", &self.auth)
            .field("tls", &self.tls.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("routing", &self.routing)
            .field("notifications", &self.notifications)
            .field("telemetry", &self.telemetry)
            .field("versions", &self.versions)
            .field("manifest_handshake", &self.manifest_handshake)
            .field("keep_alive", &self.keep_alive)
            .finish()
    }
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        let bolt_agent = BoltAgent::default();
        ConnectionConfig {
            user_agent: bolt_agent.user_agent(),
            bolt_agent,
            auth: AuthToken::none(),
            tls: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: None,
            routing: None,
            notifications: NotificationFilter::default(),
            telemetry: true,
            versions: Version::SUPPORTED.to_vec(),
            manifest_handshake: true,
            keep_alive: true,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            read_buffer_size: 64 * 1024,
            close_signal: crate::CloseSignal::new(),
            max_nesting_depth: quiver_packstream::DEFAULT_MAX_DEPTH,
        }
    }
}

impl ConnectionConfig {
    /// A builder with the defaults: no auth, no TLS, every supported version, 30 s
    /// connect timeout, keep-alive and telemetry on.
    pub fn builder() -> ConnectionConfigBuilder {
        ConnectionConfigBuilder {
            config: ConnectionConfig::default(),
            tls: None,
        }
    }

    /// The user agent sent in HELLO.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
    /// The bolt agent sent in HELLO (5.3+).
    pub fn bolt_agent(&self) -> &BoltAgent {
        &self.bolt_agent
    }
    /// The auth token new connections log on with.
    pub fn auth(&self) -> &AuthToken {
        &self.auth
    }
    /// Whether connections use TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }
    /// The connect timeout.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }
    /// How deep values from the server may nest (lists, maps, structures).
    pub fn max_nesting_depth(&self) -> usize {
        self.max_nesting_depth
    }
    /// The signal that ends every connection opened with this configuration.
    pub fn close_signal(&self) -> &crate::CloseSignal {
        &self.close_signal
    }
    /// The client's read timeout (`None`, the default: only the server's
    /// `connection.recv_timeout_seconds` hint bounds reads).
    pub fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout
    }
    /// The routing context sent in HELLO (`None`: direct connection).
    pub fn routing_context(&self) -> Option<&Map> {
        self.routing.as_ref()
    }
    /// The connection-wide notification filter.
    pub fn notification_filter(&self) -> &NotificationFilter {
        &self.notifications
    }
    /// Whether the client may send TELEMETRY.
    pub fn telemetry_enabled(&self) -> bool {
        self.telemetry
    }
    /// The versions offered in the handshake.
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// A copy with another auth token (the pool's per-session auth).
    pub fn with_auth(&self, auth: AuthToken) -> Self {
        ConnectionConfig {
            auth,
            ..self.clone()
        }
    }
}

/// Builder for [`ConnectionConfig`].
#[derive(Debug)]
pub struct ConnectionConfigBuilder {
    config: ConnectionConfig,
    tls: Option<TlsConfig>,
}

impl ConnectionConfigBuilder {
    /// How deep values from the server may nest (default
    /// [`DEFAULT_MAX_DEPTH`](quiver_packstream::DEFAULT_MAX_DEPTH), 128);
    /// deeper ones fail with "nesting deeper than the limit".
    pub fn max_nesting_depth(mut self, depth: usize) -> Self {
        self.config.max_nesting_depth = depth;
        self
    }
    /// The [`CloseSignal`](crate::CloseSignal) connections opened with this
    /// configuration obey (default: one of their own, never given).
    pub fn close_signal(mut self, signal: crate::CloseSignal) -> Self {
        self.config.close_signal = signal;
        self
    }
    /// The user agent (default: `quiver/<version> Rust (<os>)`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.config.user_agent = ua.into();
        self
    }
    /// The bolt agent (default: product `quiver/<version>`, this platform).
    pub fn bolt_agent(mut self, agent: BoltAgent) -> Self {
        self.config.bolt_agent = agent;
        self
    }
    /// The auth token (default: none).
    pub fn auth(mut self, auth: AuthToken) -> Self {
        self.config.auth = auth;
        self
    }
    /// Encrypt with these TLS settings.
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }
    /// Use an already built rustls configuration (shared between drivers).
    pub fn rustls_config(mut self, config: Arc<ClientConfig>) -> Self {
        self.tls = None;
        self.config.tls = Some(config);
        self
    }
    /// The connect timeout: how long establishing the transport to one address (TCP,
    /// and TLS if configured) may take; `None` waits forever. The Bolt handshake and
    /// HELLO are not part of it (see [`read_timeout`](Self::read_timeout)).
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.connect_timeout = timeout.into();
        self
    }
    /// The longest a connection waits on one read from the server, the
    /// handshake's included (default `None`: reads are bounded only by the
    /// server's `connection.recv_timeout_seconds` hint). With both, the
    /// smaller one holds. A read that times out makes the connection
    /// defunct with [`Error::ReadTimeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use quiver_bolt::ConnectionConfig;
    ///
    /// let config = ConnectionConfig::builder()
    ///     .read_timeout(Duration::from_secs(30))
    ///     .build()?;
    /// assert_eq!(config.read_timeout(), Some(Duration::from_secs(30)));
    /// # Ok::<(), quiver_bolt::Error>(())
    /// ```
    pub fn read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.read_timeout = timeout.into();
        self
    }
    /// The routing context to send in HELLO (`neo4j://` URLs: address and query parameters).
    pub fn routing_context(mut self, routing: Option<Map>) -> Self {
        self.config.routing = routing;
        self
    }
    /// Connection-wide notification filters (Bolt 5.2+).
    pub fn notification_filter(mut self, filter: NotificationFilter) -> Self {
        self.config.notifications = filter;
        self
    }
    /// Allow TELEMETRY messages (default on; the server must also enable them).
    pub fn telemetry(mut self, on: bool) -> Self {
        self.config.telemetry = on;
        self
    }
    /// The versions to offer (default: every supported one).
    pub fn versions(mut self, versions: &[Version]) -> Self {
        self.config.versions = versions.to_vec();
        self
    }
    /// Offer the 5.7+ manifest handshake (default on).
    pub fn manifest_handshake(mut self, on: bool) -> Self {
        self.config.manifest_handshake = on;
        self
    }
    /// TCP keep-alive with the OS's timings (default on).
    pub fn keep_alive(mut self, on: bool) -> Self {
        self.config.keep_alive = on;
        self
    }
    /// Refuse messages larger than this (default 512 MiB).
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }
    /// Size of the read buffer once replies come in bulk (default 64 KiB):
    /// a connection starts with 8 KiB (or this, if smaller) and moves to
    /// this size when a read fills the room it had, so connections that
    /// only carry small replies stay small.
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.config.read_buffer_size = bytes.max(1024);
        self
    }

    /// Checks the settings and builds the TLS configuration.
    pub fn build(self) -> Result<ConnectionConfig, Error> {
        let mut config = self.config;
        if !config.versions.iter().any(|v| v.is_supported()) {
            return Err(Error::Config(format!(
                "none of the versions {:?} is supported",
                config.versions
            )));
        }
        if let Some(tls) = self.tls {
            config.tls = Some(tls.build()?);
        }
        Ok(config)
    }
}
