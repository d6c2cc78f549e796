//! Pool settings.

use std::time::Duration;

/// Settings of each per-address pool. Defaults: max size 100, acquisition
/// timeout 60 s, connection timeout 30 s, max lifetime 1 h, no liveness
/// check.
///
/// ```
/// use quiver_pool::PoolConfig;
/// use std::time::Duration;
/// let config = PoolConfig::default()
///     .with_max_size(10)
///     .with_liveness_check_after(Some(Duration::from_secs(30)));
/// assert_eq!(config.max_size(), 10);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PoolConfig {
    max_size: usize,
    acquisition_timeout: Duration,
    connect_timeout: Duration,
    max_lifetime: Option<Duration>,
    liveness_check_after: Option<Duration>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_size: 100,
            acquisition_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(30),
            max_lifetime: Some(Duration::from_secs(3600)),
            liveness_check_after: None,
        }
    }
}

impl PoolConfig {
    /// Most connections open at once per address (at least 1).
    pub fn with_max_size(mut self, max_size: usize) -> Self {
        self.max_size = max_size.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        self
    }

    /// How long an acquire may wait in all, opening a connection included.
    pub fn with_acquisition_timeout(mut self, timeout: Duration) -> Self {
        self.acquisition_timeout = timeout;
        self
    }

    /// How long opening one connection may take.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Connections older than this are closed instead of reused (`None`: no
    /// limit).
    pub fn with_max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// Connections idle longer than this are checked with a reset round trip
    /// before reuse (`None`: never; `Some(ZERO)`: always).
    pub fn with_liveness_check_after(mut self, idle: Option<Duration>) -> Self {
        self.liveness_check_after = idle;
        self
    }

    /// See [`with_max_size`](Self::with_max_size).
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// See [`with_acquisition_timeout`](Self::with_acquisition_timeout).
    pub fn acquisition_timeout(&self) -> Duration {
        self.acquisition_timeout
    }

    /// See [`with_connect_timeout`](Self::with_connect_timeout).
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// See [`with_max_lifetime`](Self::with_max_lifetime).
    pub fn max_lifetime(&self) -> Option<Duration> {
        self.max_lifetime
    }

    /// See [`with_liveness_check_after`](Self::with_liveness_check_after).
    pub fn liveness_check_after(&self) -> Option<Duration> {
        self.liveness_check_after
    }
}
