//! Routing settings.

use std::sync::Arc;
use std::time::Duration;

use crate::{DnsResolver, Resolver, RoutingContext};

/// Settings of a routing driver. Defaults: empty routing context (the
/// initial address is added), tables purged 30 s after expiry, home-database
/// cache entries valid 5 s (at most 10 000), no custom resolver, system DNS.
///
/// ```
/// use quiver_pool::{Address, FnResolver, RoutingConfig};
/// use std::sync::Arc;
/// let config = RoutingConfig::default()
///     .with_resolver(Some(Arc::new(FnResolver::new(|a: &Address| vec![a.clone()]))));
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RoutingConfig {
    pub(crate) context: Option<RoutingContext>,
    pub(crate) purge_delay: Duration,
    pub(crate) home_db_ttl: Duration,
    pub(crate) home_db_max_entries: usize,
    pub(crate) resolver: Option<Arc<dyn Resolver>>,
    pub(crate) dns: Arc<dyn Resolver>,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            context: None,
            purge_delay: Duration::from_secs(30),
            home_db_ttl: Duration::from_secs(5),
            home_db_max_entries: 10_000,
            resolver: None,
            dns: Arc::new(DnsResolver),
        }
    }
}

impl RoutingConfig {
    /// The routing context sent with ROUTE (build it with
    /// [`RoutingContext::from_query`]); by default only `address`.
    pub fn with_context(mut self, context: RoutingContext) -> Self {
        self.context = Some(context);
        self
    }

    /// How long after expiry an unused table is dropped.
    pub fn with_purge_delay(mut self, delay: Duration) -> Self {
        self.purge_delay = delay;
        self
    }

    /// How long a cached home database is trusted, and how many are kept.
    pub fn with_home_db_cache(mut self, ttl: Duration, max_entries: usize) -> Self {
        self.home_db_ttl = ttl;
        self.home_db_max_entries = max_entries;
        self
    }

    /// The custom resolver for the initial address (used before DNS).
    pub fn with_resolver(mut self, resolver: Option<Arc<dyn Resolver>>) -> Self {
        self.resolver = resolver;
        self
    }

    /// The DNS step (replace it for tests or testkit's domain-name resolver).
    pub fn with_dns(mut self, dns: Arc<dyn Resolver>) -> Self {
        self.dns = dns;
        self
    }
}
