//! TestKit's driver, session and transaction settings as the facade's configuration.
//!
//! These are pure mappings (no driver needed); the handlers that create drivers, sessions and
//! transactions call them. Settings the facade cannot express yet are refused with
//! `BackendError("not supported yet: ...")` rather than silently dropped.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use quiver::{
    Address, AuthTokenManager, Bookmarks, Config, FetchSize, MinimumSeverity,
    NotificationClassification, NotificationFilter, SessionConfig, StaticAuthTokenManager,
    TransactionConfig, TrustStrategy,
};
use serde_json::Number;

use crate::auth_tokens::to_auth_token;
use crate::callbacks;
use crate::connection::{Ctx, WeakCtx};
use crate::convert::to_value_map;
use crate::error::{Error, Result};
use crate::presence::Presence;
use crate::requests::{AccessMode, ClientCertificate, CypherMap, NewDriver, NewSession};

/// Where TestKit's images keep the CA certificates named in `trustedCertificates`
/// (TestKit sends file names; every backend resolves them in this directory).
pub const CUSTOM_CA_DIR: &str = "/usr/local/share/custom-ca-certificates";

/// What `NewDriver` asks for, ready for the driver's constructor.
pub struct DriverSetup {
    /// The URI.
    pub uri: String,
    /// The configuration.
    pub config: Config,
    /// The auth: a static token or one of TestKit's managers.
    pub auth: Arc<dyn AuthTokenManager>,
}

impl std::fmt::Debug for DriverSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverSetup")
            .field("uri", &self.uri)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn millis(value: i64, what: &str) -> Result<Duration> {
    u64::try_from(value)
        .map(Duration::from_millis)
        .map_err(|_| Error::Backend(format!("{what} must not be negative, got {value}")))
}

/// Builds the driver's setup from `NewDriver`. Configuration errors the facade reports are
/// driver errors (TestKit expects them as `DriverError`).
pub fn driver_setup(ctx: &Ctx, request: &NewDriver) -> Result<DriverSetup> {
    if request.client_certificate_provider_id.is_some() {
        return Err(Error::NotSupportedYet(
            "clientCertificateProviderId (quiver loads a client certificate once per driver; \
             it cannot rotate it)",
        ));
    }
    let mut b = Config::builder();
    if request.resolver_registered == Some(true) {
        let weak = ctx.downgrade();
        b = b.resolver_async(move |address: Address| {
            let weak = weak.clone();
            async move { testkit_resolve(&weak, &address).await }
        });
    }
    if request.domain_name_resolver_registered == Some(true) {
        let weak = ctx.downgrade();
        b = b.dns_resolver_async(move |address: Address| {
            let weak = weak.clone();
            async move { testkit_dns(&weak, &address).await }
        });
    }
    if let Some(agent) = &request.user_agent {
        b = b.user_agent(agent.clone());
    }
    if let Some(ms) = request.connection_timeout_ms {
        b = b.connection_timeout(millis(ms, "connectionTimeoutMs")?);
    }
    if let Some(n) = request.fetch_size {
        b = b.fetch_size(fetch_size(n)?);
    }
    if let Some(ms) = request.max_tx_retry_time_ms {
        b = b.max_transaction_retry_time(millis(ms, "maxTxRetryTimeMs")?);
    }
    if let Presence::Value(on) = request.encrypted {
        b = b.encrypted(on);
    }
    match &request.trusted_certificates {
        Presence::Absent => {}
        Presence::Null => b = b.trust(TrustStrategy::SystemCertificates),
        Presence::Value(files) if files.is_empty() => b = b.trust(TrustStrategy::All),
        Presence::Value(files) => {
            b = b.trust(TrustStrategy::CustomCertificates(
                files
                    .iter()
                    .map(|f| PathBuf::from(CUSTOM_CA_DIR).join(f))
                    .collect(),
            ));
        }
    }
    if let Some(ms) = request.liveness_check_timeout_ms {
        b = b.liveness_check_timeout(Some(millis(ms, "livenessCheckTimeoutMs")?));
    }
    match request.max_connection_lifetime_ms {
        Presence::Absent => {}
        // Null or negative: connections live forever.
        Presence::Null => b = b.max_connection_lifetime(None),
        Presence::Value(ms) if ms < 0 => b = b.max_connection_lifetime(None),
        Presence::Value(ms) => {
            b = b.max_connection_lifetime(Some(millis(ms, "maxConnectionLifetimeMs")?));
        }
    }
    if let Some(size) = request.max_connection_pool_size {
        let size = usize::try_from(size).map_err(|_| {
            Error::Backend(format!(
                "maxConnectionPoolSize must not be negative, got {size}"
            ))
        })?;
        b = b.max_connection_pool_size(size);
    }
    if let Some(ms) = request.connection_acquisition_timeout_ms {
        b = b.connection_acquisition_timeout(millis(ms, "connectionAcquisitionTimeoutMs")?);
    }
    if let Some(filter) = notification_filter(
        &request.notifications_min_severity,
        &request.notifications_disabled_categories,
    )? {
        b = b.notification_filter(filter);
    }
    if let Presence::Value(off) = request.telemetry_disabled {
        b = b.telemetry_disabled(off);
    }
    if let Some(cert) = &request.client_certificate {
        b = b.client_certificate(client_certificate(cert));
    }
    let config = b
        .build()
        .map_err(|e| crate::reports::driver_error(ctx, e))?;
    let auth: Arc<dyn AuthTokenManager> =
        match (&request.auth_token_manager_id, &request.authorization_token) {
            (Some(id), _) => ctx.state().auth_managers.get(*id)?.manager.clone(),
            (None, Some(token)) => Arc::new(StaticAuthTokenManager::new(to_auth_token(token))),
            (None, None) => Arc::new(StaticAuthTokenManager::new(quiver::AuthToken::none())),
        };
    Ok(DriverSetup {
        uri: request.uri.clone(),
        config,
        auth,
    })
}

/// TestKit's resolver for `address` (`ResolverResolutionRequired`). A failed callback or an
/// address TestKit gives that does not parse is logged and left out (the driver then has
/// fewer or no addresses to try, and says so).
async fn testkit_resolve(weak: &WeakCtx, address: &Address) -> Vec<Address> {
    let answer = match weak.upgrade() {
        Ok(ctx) => callbacks::resolve_address(&ctx, &address.to_string()).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(addresses) => addresses
            .iter()
            .filter_map(|a| match Address::parse(a) {
                Ok(parsed) => Some(parsed),
                Err(e) => {
                    tracing::warn!(address = %a, error = %e, "resolver gave a bad address");
                    None
                }
            })
            .collect(),
        Err(e) => {
            tracing::warn!(%address, error = %e, "resolver callback failed");
            Vec::new()
        }
    }
}

/// TestKit's domain name resolver for `address`'s host (`DomainNameResolutionRequired`):
/// TestKit answers with IPs; each keeps `address`'s port.
async fn testkit_dns(weak: &WeakCtx, address: &Address) -> Vec<Address> {
    let answer = match weak.upgrade() {
        Ok(ctx) => callbacks::resolve_domain_name(&ctx, address.host()).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(ips) => ips
            .into_iter()
            .map(|ip| Address::new(ip, address.port()))
            .collect(),
        Err(e) => {
            tracing::warn!(%address, error = %e, "domain name resolver callback failed");
            Vec::new()
        }
    }
}

fn fetch_size(n: i64) -> Result<FetchSize> {
    if n < 0 {
        return Ok(FetchSize::All);
    }
    // 0 stays 0: the facade refuses it as a configuration error, as TestKit expects.
    Ok(FetchSize::Records(u64::try_from(n).unwrap_or(0)))
}

fn client_certificate(cert: &ClientCertificate) -> quiver::ClientCertificate {
    let ClientCertificate::ClientCertificate {
        certfile,
        keyfile,
        password,
    } = cert;
    let c = quiver::ClientCertificate::new(certfile, keyfile);
    match password {
        Some(p) => c.with_password(p.clone()),
        None => c,
    }
}

/// A notification filter from TestKit's two fields; `None` when both are absent.
pub fn notification_filter(
    min_severity: &Presence<String>,
    disabled: &Presence<Vec<String>>,
) -> Result<Option<NotificationFilter>> {
    if !min_severity.is_present() && !disabled.is_present() {
        return Ok(None);
    }
    let mut filter = NotificationFilter::default();
    if let Some(s) = min_severity.value() {
        filter = filter.with_minimum_severity(match s.as_str() {
            "OFF" => MinimumSeverity::Off,
            "WARNING" => MinimumSeverity::Warning,
            "INFORMATION" => MinimumSeverity::Information,
            other => {
                return Err(Error::Backend(format!(
                    "unknown notificationsMinSeverity {other:?}"
                )))
            }
        });
    }
    if let Some(categories) = disabled.value() {
        // An empty list stays one: the server is told to disable no category.
        let classes = categories
            .iter()
            .map(|c| classification(c))
            .collect::<Result<Vec<_>>>()?;
        filter = filter.with_disabled_classifications(classes);
    }
    Ok(Some(filter))
}

fn classification(name: &str) -> Result<NotificationClassification> {
    Ok(match name {
        "HINT" => NotificationClassification::Hint,
        "UNRECOGNIZED" => NotificationClassification::Unrecognized,
        "UNSUPPORTED" => NotificationClassification::Unsupported,
        "PERFORMANCE" => NotificationClassification::Performance,
        "DEPRECATION" => NotificationClassification::Deprecation,
        "SECURITY" => NotificationClassification::Security,
        "TOPOLOGY" => NotificationClassification::Topology,
        "GENERIC" => NotificationClassification::Generic,
        "SCHEMA" => NotificationClassification::Schema,
        other => {
            return Err(Error::Backend(format!(
                "unknown notification category {other:?}"
            )))
        }
    })
}

/// The session configuration from `NewSession`.
pub fn session_config(ctx: &Ctx, request: &NewSession) -> Result<SessionConfig> {
    let mut b = SessionConfig::builder().default_access_mode(match request.access_mode {
        AccessMode::Read => quiver::AccessMode::Read,
        AccessMode::Write => quiver::AccessMode::Write,
    });
    if let Some(db) = &request.database {
        b = b.database(db.clone());
    }
    if let Some(bookmarks) = &request.bookmarks {
        b = b.bookmarks(Bookmarks::from_raw_values(bookmarks.iter().cloned()));
    }
    if let Some(n) = request.fetch_size {
        b = b.fetch_size(fetch_size(n)?);
    }
    if let Some(user) = &request.impersonated_user {
        b = b.impersonated_user(user.clone());
    }
    if let Some(filter) = notification_filter(
        &request.notifications_min_severity,
        &request.notifications_disabled_categories,
    )? {
        b = b.notification_filter(filter);
    }
    if let Some(id) = request.bookmark_manager_id {
        let manager = ctx.state().bookmark_managers.get(id)?.manager.clone();
        b = b.bookmark_manager(manager);
    }
    if let Some(token) = &request.authorization_token {
        b = b.auth(to_auth_token(token));
    }
    Ok(b.build())
}

/// The transaction configuration from `txMeta` and `timeout`.
///
/// Absent and `null` timeouts both leave the timeout to the server: the official drivers send
/// no `tx_timeout` in either case, so one "unset" state is enough. A negative timeout is the
/// driver's `DriverError` (the facade refuses it as a configuration error), as TestKit expects.
pub fn transaction_config(
    ctx: &Ctx,
    tx_meta: Option<CypherMap>,
    timeout: &Presence<Number>,
) -> Result<TransactionConfig> {
    let mut config = TransactionConfig::new();
    if let Some(meta) = tx_meta {
        config = config.with_metadata(to_value_map(meta)?);
    }
    if let Some(ms) = timeout.value() {
        let ms = ms
            .as_f64()
            .ok_or_else(|| Error::Backend(format!("timeout {ms} is not a number")))?;
        config = config
            .try_with_timeout_millis(ms)
            .map_err(|e| crate::reports::driver_error(ctx, e))?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p<T>(v: Option<T>) -> Presence<T> {
        v.map_or(Presence::Absent, Presence::Value)
    }

    #[test]
    fn notification_filters() {
        assert!(notification_filter(&Presence::Absent, &Presence::Absent)
            .unwrap()
            .is_none());
        let f = notification_filter(
            &p(Some("WARNING".to_owned())),
            &p(Some(vec!["HINT".to_owned(), "GENERIC".to_owned()])),
        )
        .unwrap()
        .unwrap();
        assert_eq!(f.minimum_severity(), Some(MinimumSeverity::Warning));
        assert_eq!(f.disabled_classifications().map(|s| s.len()), Some(2));
        assert!(notification_filter(&p(Some("LOUD".to_owned())), &Presence::Absent).is_err());
        // An empty disabled list is kept (the server is told to disable nothing).
        let none_disabled = notification_filter(&Presence::Absent, &p(Some(vec![])))
            .unwrap()
            .unwrap();
        assert_eq!(
            none_disabled.disabled_classifications().map(|s| s.len()),
            Some(0)
        );
        assert!(notification_filter(&Presence::Absent, &p(Some(vec!["NOPE".into()]))).is_err());
    }

    #[test]
    fn transaction_configs() {
        let meta: CypherMap = [("k".to_owned(), crate::cypher::CypherValue::int(1))].into();
        let ctx = crate::connection::tests_support::test_ctx();
        let c = transaction_config(&ctx, Some(meta), &Presence::Value(Number::from(1500))).unwrap();
        assert_eq!(c.timeout(), Some(Duration::from_millis(1500)));
        assert_eq!(c.metadata().get("k"), Some(&quiver::Value::Integer(1)));
        let c = transaction_config(&ctx, None, &Presence::Null).unwrap();
        assert_eq!(c.timeout(), None);
        // A negative timeout is the driver's configuration error, stored for TestKit.
        match transaction_config(&ctx, None, &Presence::Value(Number::from(-1))) {
            Err(Error::Driver(e)) => {
                assert_eq!(e.error_type, "ConfigError");
                assert!(ctx.state().errors.contains(e.id));
            }
            other => panic!("{other:?}"),
        }
    }

    fn new_driver(extra: serde_json::Value) -> NewDriver {
        let mut data = serde_json::json!({
            "uri": "neo4j://127.0.0.1:9001",
            "authorizationToken": {"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "neo4j", "credentials": "pass"}},
        });
        if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
            d.extend(e.clone());
        }
        serde_json::from_value(data).unwrap()
    }

    #[test]
    fn driver_settings_map_to_config() {
        let ctx = crate::connection::tests_support::test_ctx();
        let setup = driver_setup(
            &ctx,
            &new_driver(serde_json::json!({
                "userAgent": "tk/1", "connectionTimeoutMs": 1500, "fetchSize": -1,
                "maxTxRetryTimeMs": 2000, "encrypted": true,
                "trustedCertificates": ["ca.crt"], "livenessCheckTimeoutMs": 0,
                "maxConnectionLifetimeMs": 60000, "maxConnectionPoolSize": 7,
                "connectionAcquisitionTimeoutMs": 3000, "telemetryDisabled": true,
                "notificationsMinSeverity": "OFF",
            })),
        )
        .unwrap();
        let c = &setup.config;
        assert_eq!(setup.uri, "neo4j://127.0.0.1:9001");
        assert_eq!(c.user_agent(), "tk/1");
        assert_eq!(c.connection_timeout(), Duration::from_millis(1500));
        assert_eq!(c.fetch_size(), FetchSize::All);
        assert_eq!(c.max_transaction_retry_time(), Duration::from_secs(2));
        assert_eq!(c.encrypted(), Some(true));
        assert_eq!(
            c.trust(),
            Some(&TrustStrategy::CustomCertificates(vec![PathBuf::from(
                CUSTOM_CA_DIR
            )
            .join("ca.crt")]))
        );
        assert_eq!(c.liveness_check_timeout(), Some(Duration::ZERO));
        assert_eq!(c.max_connection_lifetime(), Some(Duration::from_secs(60)));
        assert_eq!(c.max_connection_pool_size(), 7);
        assert_eq!(c.connection_acquisition_timeout(), Duration::from_secs(3));
        assert!(c.telemetry_disabled());
        assert_eq!(
            c.notification_filter().minimum_severity(),
            Some(MinimumSeverity::Off)
        );

        let trust_all = driver_setup(
            &ctx,
            &new_driver(serde_json::json!({"trustedCertificates": []})),
        )
        .unwrap();
        assert_eq!(trust_all.config.trust(), Some(&TrustStrategy::All));
        let system = driver_setup(
            &ctx,
            &new_driver(serde_json::json!({"trustedCertificates": null})),
        )
        .unwrap();
        assert_eq!(
            system.config.trust(),
            Some(&TrustStrategy::SystemCertificates)
        );
        let default = driver_setup(&ctx, &new_driver(serde_json::json!({}))).unwrap();
        assert_eq!(default.config.trust(), None);
        assert_eq!(default.config.encrypted(), None);
    }

    #[test]
    fn driver_setting_errors() {
        let ctx = crate::connection::tests_support::test_ctx();
        // The facade refuses a zero fetch size: a driver error, stored for TestKit.
        match driver_setup(&ctx, &new_driver(serde_json::json!({"fetchSize": 0}))) {
            Err(Error::Driver(e)) => {
                assert_eq!(e.error_type, "ConfigError");
                assert!(ctx.state().errors.contains(e.id));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            driver_setup(
                &ctx,
                &new_driver(serde_json::json!({"authTokenManagerId": 99}))
            ),
            Err(Error::UnknownId { .. })
        ));
        let resolving = driver_setup(
            &ctx,
            &new_driver(serde_json::json!({"resolverRegistered": true,
                "domainNameResolverRegistered": true})),
        )
        .unwrap();
        assert!(resolving.config.async_resolver().is_some());
        assert!(resolving.config.dns_resolver().is_some());
        assert!(matches!(
            driver_setup(
                &ctx,
                &new_driver(serde_json::json!({"clientCertificateProviderId": 1}))
            ),
            Err(Error::NotSupportedYet(_))
        ));
        assert!(matches!(
            driver_setup(
                &ctx,
                &new_driver(serde_json::json!({"connectionTimeoutMs": -5}))
            ),
            Err(Error::Backend(_))
        ));
    }

    #[test]
    fn driver_auth_from_manager() {
        let ctx = crate::connection::tests_support::test_ctx();
        let crate::responses::Response::BasicAuthTokenManager { id } =
            crate::handlers::auth::new_basic_auth_token_manager(
                &ctx,
                crate::requests::NewBasicAuthTokenManager {},
            )
        else {
            panic!()
        };
        let registered = ctx.state().auth_managers.get(id).unwrap().manager.clone();
        let setup = driver_setup(
            &ctx,
            &new_driver(serde_json::json!({"authorizationToken": null, "authTokenManagerId": id})),
        )
        .unwrap();
        assert!(Arc::ptr_eq(&setup.auth, &registered));
    }

    #[test]
    fn session_settings_map_to_config() {
        let ctx = crate::connection::tests_support::test_ctx();
        let crate::responses::Response::BookmarkManager { id } =
            crate::handlers::bookmarks::new_bookmark_manager(
                &ctx,
                serde_json::from_value(serde_json::json!({"initialBookmarks": ["a"]})).unwrap(),
            )
            .unwrap()
        else {
            panic!()
        };
        let request: NewSession = serde_json::from_value(serde_json::json!({
            "driverId": 0, "accessMode": "r", "bookmarks": ["b1", "b2"], "database": "movies",
            "fetchSize": 5, "impersonatedUser": "alice", "bookmarkManagerId": id,
            "authorizationToken": {"name": "AuthorizationToken", "data": {
                "scheme": "bearer", "credentials": "t"}},
        }))
        .unwrap();
        let c = session_config(&ctx, &request).unwrap();
        assert_eq!(c.default_access_mode(), quiver::AccessMode::Read);
        assert_eq!(c.database(), Some("movies"));
        assert_eq!(c.bookmarks().len(), 2);
        assert_eq!(c.fetch_size(), Some(FetchSize::Records(5)));
        assert_eq!(c.impersonated_user(), Some("alice"));
        assert!(c.bookmark_manager().is_some());
        assert_eq!(c.auth(), Some(&quiver::AuthToken::bearer("t")));
    }

    #[test]
    fn fetch_sizes() {
        assert_eq!(fetch_size(-1).unwrap(), FetchSize::All);
        assert_eq!(fetch_size(10).unwrap(), FetchSize::Records(10));
    }
}
