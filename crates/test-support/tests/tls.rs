//! The stub over TLS, with a certificate made by rcgen and a rustls client.

use std::sync::Arc;

use quiver_test_support::stub::{Script, StubServer};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config for `localhost` and the certificate a client must trust.
fn server_config() -> (Arc<rustls::ServerConfig>, CertificateDer<'static>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let config = quiver_test_support::tls::server_config(vec![cert.clone()], key, None).unwrap();
    (config, cert)
}

fn connector(trusted: CertificateDer<'static>) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// A TLS stub that answers one RESET.
async fn reset_stub(config: Arc<rustls::ServerConfig>) -> StubServer {
    StubServer::builder()
        .script(Script::parse("!: BOLT 5.4\nC: RESET\nS: SUCCESS {}\n").unwrap())
        .tls(config)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn plays_a_script_inside_tls() {
    let (config, cert) = server_config();
    let server = reset_stub(config).await;
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = connector(cert).connect(name, tcp).await.unwrap();
    let mut hello = vec![0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5];
    hello.extend([0; 12]);
    tls.write_all(&hello).await.unwrap();
    let mut answer = [0u8; 4];
    tls.read_exact(&mut answer).await.unwrap();
    assert_eq!(answer, [0, 0, 4, 5]);
    tls.write_all(&[0, 2, 0xB0, 0x0F, 0, 0]).await.unwrap();
    let mut reply = [0u8; 7];
    tls.read_exact(&mut reply).await.unwrap();
    assert_eq!(reply, [0, 3, 0xB1, 0x70, 0xA0, 0, 0]);
    let report = server.finish().await.unwrap();
    assert!(report.connection(0).unwrap().tls);
}

#[tokio::test]
async fn a_client_that_rejects_the_certificate_fails_the_connection() {
    let (config, cert) = server_config();
    let server = reset_stub(config).await;
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let wrong = ServerName::try_from("db.example.com").unwrap();
    let error = connector(cert).connect(wrong, tcp).await.unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
    let error = server.finish().await.unwrap_err().to_string();
    assert!(error.contains("TLS handshake failed"), "{error}");
}
