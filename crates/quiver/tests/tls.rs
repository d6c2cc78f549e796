//! TLS through the public API against the stub server over TLS, with
//! certificates made at run time by rcgen: a chain from a custom CA
//! accepted (bolt and neo4j with `encrypted` and a CA file), the same
//! chain and a self-signed one rejected by `+s` (system roots) and
//! accepted by `+ssc`, the wrong hostname and an expired certificate
//! rejected, mutual TLS with a client certificate accepted and without
//! one rejected.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use quiver::{AuthToken, ClientCertificate, Config, ConfigBuilder, Driver, TrustStrategy};
use quiver_test_support::stub::{Script, StubServer};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn ca() -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    Ca { cert, key }
}

struct Leaf {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Leaf {
    fn der(&self) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        (
            self.cert.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der())),
        )
    }
}

/// A leaf for `names` signed by `ca` (self-signed without one); `expired`
/// puts its validity in the past.
fn leaf(names: &[&str], ca: Option<&Ca>, expired: bool) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    if expired {
        params.not_before = rcgen::date_time_ymd(2019, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    let cert = match ca {
        Some(ca) => params.signed_by(&key, &ca.cert, &ca.key).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Leaf { cert, key }
}

fn server_tls(leaf: &Leaf, client_ca: Option<&Ca>) -> Arc<ServerConfig> {
    let (cert, key) = leaf.der();
    let client_ca = client_ca.map(|ca| ca.cert.der().clone());
    quiver_test_support::tls::server_config(vec![cert], key, client_ca).unwrap()
}

/// A directory of its own for one test's PEM files.
fn pem_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "quiver-tls-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_pem(dir: &std::path::Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

/// A fresh CA, a PEM directory of its own, and the CA's certificate written there.
fn ca_on_disk() -> (Ca, PathBuf, PathBuf) {
    let ca = ca();
    let dir = pem_dir();
    let ca_file = write_pem(&dir, "ca.pem", &ca.cert.pem());
    (ca, dir, ca_file)
}

/// Encrypted, trusting only the CA certificate in `ca_file`.
fn trusting(ca_file: PathBuf) -> ConfigBuilder {
    Config::builder()
        .encrypted(true)
        .trust(TrustStrategy::CustomCertificates(vec![ca_file]))
}

fn bolt_local(port: u16) -> String {
    format!("bolt://127.0.0.1:{port}")
}

const QUERY: &str = r#"C: RUN "RETURN 1 AS x" {} {}
   PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r"}
"#;

async fn tls_stub(tls: Arc<ServerConfig>, script: Script) -> StubServer {
    StubServer::builder()
        .script(script)
        .tls(tls)
        .client_timeout(Duration::from_secs(5))
        .start()
        .await
        .unwrap()
}

fn driver_for(uri: &str, config: ConfigBuilder) -> Driver {
    Driver::builder(uri)
        .auth(AuthToken::basic("neo4j", "pass"))
        .config(
            config
                .max_connection_pool_size(1)
                .connection_timeout(Duration::from_secs(3))
                .connection_acquisition_timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

async fn return_one(driver: &Driver) -> quiver::Result<i64> {
    let mut session = driver.session(quiver::SessionConfig::default());
    let x = session
        .run("RETURN 1 AS x")
        .await?
        .single()
        .await?
        .get::<i64>("x")?;
    session.close().await?;
    Ok(x)
}

/// The stub plays `QUERY` over TLS and the driver gets its row.
async fn accepted(tls: Arc<ServerConfig>, uri: impl Fn(u16) -> String, config: ConfigBuilder) {
    let server = tls_stub(tls, script(QUERY)).await;
    let driver = driver_for(&uri(server.addr().port()), config);
    assert!(driver.is_encrypted());
    assert_eq!(return_one(&driver).await.unwrap(), 1);
    let report = finish(driver, server).await;
    assert!(report.connection(0).unwrap().tls);
}

/// The driver refuses the server's certificate: a clear error, nothing in
/// use.
async fn rejected(
    tls: Arc<ServerConfig>,
    uri: impl Fn(u16) -> String,
    config: ConfigBuilder,
) -> quiver::Error {
    let server = tls_stub(tls, script(QUERY)).await;
    let driver = driver_for(&uri(server.addr().port()), config);
    let err = tokio::time::timeout(Duration::from_secs(10), driver.verify_connectivity())
        .await
        .expect("hung")
        .unwrap_err();
    until_idle(&driver).await;
    driver.close().await;
    // The stub's script was not played: its report fails by design.
    assert!(server.finish().await.is_err());
    err
}

fn assert_tls_error(err: &quiver::Error, needle: &str) {
    let text = format!("{err} {err:?}").to_lowercase();
    assert!(
        text.contains(needle),
        "expected `{needle}` in: {err} / {err:?}"
    );
}

#[tokio::test]
async fn a_chain_from_a_custom_ca_file_is_accepted() {
    let (ca, _dir, ca_file) = ca_on_disk();
    let server_cert = leaf(&["127.0.0.1"], Some(&ca), false);
    accepted(
        server_tls(&server_cert, None),
        bolt_local,
        trusting(ca_file),
    )
    .await;
}

#[tokio::test]
async fn plus_s_trusts_system_roots_only() {
    // A chain from our own CA and a self-signed certificate: neither is
    // known to the system roots.
    let ca = ca();
    for cert in [
        leaf(&["127.0.0.1"], Some(&ca), false),
        leaf(&["127.0.0.1"], None, false),
    ] {
        let err = rejected(
            server_tls(&cert, None),
            |port| format!("bolt+s://127.0.0.1:{port}"),
            Config::builder(),
        )
        .await;
        assert_eq!(err.kind(), quiver::ErrorKind::ServiceUnavailable, "{err}");
        assert_tls_error(&err, "certificate");
    }
}

#[tokio::test]
async fn plus_ssc_accepts_a_self_signed_certificate() {
    let cert = leaf(&["127.0.0.1"], None, false);
    accepted(
        server_tls(&cert, None),
        |port| format!("bolt+ssc://127.0.0.1:{port}"),
        Config::builder(),
    )
    .await;
}

#[tokio::test]
async fn neo4j_plus_s_rejects_a_self_signed_certificate() {
    let cert = leaf(&["127.0.0.1"], None, false);
    let err = rejected(
        server_tls(&cert, None),
        |port| format!("neo4j+s://127.0.0.1:{port}"),
        Config::builder(),
    )
    .await;
    assert_eq!(err.kind(), quiver::ErrorKind::ServiceUnavailable, "{err}");
    // The routing error's source chain names the certificate error that
    // made the router unusable.
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    assert!(
        chain
            .iter()
            .any(|s| s.to_lowercase().contains("certificate")),
        "{err}: {chain:?}"
    );
}

#[tokio::test]
async fn neo4j_with_a_custom_ca_routes_and_reads_over_tls() {
    let (ca, _dir, ca_file) = ca_on_disk();
    let cert = leaf(&["127.0.0.1"], Some(&ca), false);
    let listener = StubServer::bind().await.unwrap();
    let me = listener.addr().to_string();
    let router = Script::parse_with_vars(
        &format!(
            r##"{PRELUDE}!: CONNECTIONS ANY
{{*
    C: ROUTE *
    S: SUCCESS {{"rt": {{"ttl": 300, "db": "neo4j", "servers": [{{"addresses": ["#ME#"], "role": "ROUTE"}}, {{"addresses": ["#ME#"], "role": "READ"}}, {{"addresses": ["#ME#"], "role": "WRITE"}}]}}}}
*}}
{{*
    C: RUN "RETURN 1 AS x" {{}} {{"db": "neo4j"}}
       PULL {{"n": 1000}}
    S: SUCCESS {{"fields": ["x"]}}
       RECORD [1]
       SUCCESS {{"type": "r"}}
*}}
"##
        ),
        &[("ME", me.as_str())],
    )
    .unwrap();
    let server = StubServer::builder()
        .script(router)
        .tls(server_tls(&cert, None))
        .start_on(listener);
    let driver = driver_for(&format!("neo4j://{me}"), trusting(ca_file));
    assert_eq!(return_one(&driver).await.unwrap(), 1);
    let report = finish(driver, server).await;
    assert!(report.connections().iter().all(|c| c.tls));
}

#[tokio::test]
async fn the_wrong_hostname_is_rejected() {
    let (ca, _dir, ca_file) = ca_on_disk();
    // Valid chain, but for another name than the one connected to.
    let cert = leaf(&["db.example.com"], Some(&ca), false);
    let err = rejected(server_tls(&cert, None), bolt_local, trusting(ca_file)).await;
    assert_tls_error(&err, "certificate");
}

#[tokio::test]
async fn an_expired_certificate_is_rejected() {
    let (ca, _dir, ca_file) = ca_on_disk();
    let cert = leaf(&["127.0.0.1"], Some(&ca), true);
    let err = rejected(server_tls(&cert, None), bolt_local, trusting(ca_file)).await;
    assert_tls_error(&err, "expired");
}

#[tokio::test]
async fn mutual_tls_with_a_client_certificate_is_accepted_and_without_one_rejected() {
    let (ca, dir, ca_file) = ca_on_disk();
    let server_cert = leaf(&["127.0.0.1"], Some(&ca), false);
    let client = leaf(&["client"], Some(&ca), false);
    let client_cert = write_pem(&dir, "client.pem", &client.cert.pem());
    let client_key = write_pem(&dir, "client.key", &client.key.serialize_pem());
    let tls = server_tls(&server_cert, Some(&ca));
    accepted(
        Arc::clone(&tls),
        bolt_local,
        trusting(ca_file.clone())
            .client_certificate(ClientCertificate::new(client_cert, client_key)),
    )
    .await;
    let err = rejected(tls, bolt_local, trusting(ca_file)).await;
    assert!(
        matches!(
            err.kind(),
            quiver::ErrorKind::ServiceUnavailable | quiver::ErrorKind::SessionExpired
        ),
        "{err}"
    );
}
