//! TLS against a local rustls server with rcgen certificates: CA-signed, wrong
//! hostname, self-signed, trust-all (+ssc), custom CA file and mutual TLS.
//!
//! The server side is a minimal Bolt 5.4 responder (handshake, HELLO, LOGON) written
//! here on purpose, independent of the crate under test.

use std::sync::Arc;
use std::time::Duration;

use quiver_bolt::{
    Address, AuthToken, Connection, ConnectionConfig, Error, ServerState, TlsConfig,
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

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

/// A leaf for `names`, signed by `ca` (or self-signed without one).
fn leaf(names: &[&str], ca: Option<&Ca>) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    let cert = match ca {
        Some(ca) => params.signed_by(&key, &ca.cert, &ca.key).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    (
        cert.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

fn server_config(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    client_ca: Option<&Ca>,
) -> Arc<ServerConfig> {
    let client_ca = client_ca.map(|ca| ca.cert.der().clone());
    quiver_test_support::tls::server_config(vec![cert], key, client_ca).unwrap()
}

/// Reads one dechunked message.
async fn read_message<S: AsyncReadExt + Unpin>(s: &mut S) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let mut h = [0u8; 2];
        s.read_exact(&mut h).await?;
        let n = u16::from_be_bytes(h) as usize;
        if n == 0 {
            if out.is_empty() {
                continue;
            }
            return Ok(out);
        }
        let mut chunk = vec![0u8; n];
        s.read_exact(&mut chunk).await?;
        out.extend_from_slice(&chunk);
    }
}

fn chunk(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    v.extend_from_slice(&[0, 0]);
    v
}

fn tiny(s: &str) -> Vec<u8> {
    let mut v = vec![0x80 | s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

/// Serves one TLS connection as a Bolt 5.4 server; returns the listener address.
async fn serve(config: Arc<ServerConfig>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let Ok(mut tls) = TlsAcceptor::from(config).accept(tcp).await else {
            return;
        };
        let mut hs = [0u8; 20];
        if tls.read_exact(&mut hs).await.is_err() {
            return;
        }
        let _ = tls.write_all(&[0, 0, 4, 5]).await;
        let hello = read_message(&mut tls).await.unwrap_or_default();
        assert_eq!(&hello[..2], &[0xB1, 0x01]);
        let logon = read_message(&mut tls).await.unwrap_or_default();
        assert_eq!(&logon[..2], &[0xB1, 0x6A]);
        let mut ok = vec![0xB1, 0x70, 0xA2];
        ok.extend(tiny("server"));
        ok.extend(tiny("Neo4j/5.20.0"));
        ok.extend(tiny("connection_id"));
        ok.extend(tiny("bolt-1"));
        let mut out = chunk(&ok);
        out.extend(chunk(&[0xB1, 0x70, 0xA0]));
        let _ = tls.write_all(&out).await;
        let _ = tls.flush().await;
        // Wait for GOODBYE or close.
        let _ = read_message(&mut tls).await;
    });
    addr
}

fn config(tls: TlsConfig) -> ConnectionConfig {
    ConnectionConfig::builder()
        .auth(AuthToken::basic("neo4j", "pass"))
        .connect_timeout(Duration::from_secs(10))
        .tls(tls)
        .build()
        .unwrap()
}

#[tokio::test]
async fn ca_signed_certificate_is_accepted() {
    let ca = ca();
    let (cert, key) = leaf(&["localhost"], Some(&ca));
    let addr = serve(server_config(cert, key, None)).await;
    let cfg = config(TlsConfig::custom_cas(vec![ca.cert.der().clone()]));
    let mut c = Connection::connect(&Address::new("localhost", addr.port()), &cfg)
        .await
        .unwrap();
    assert!(c.is_encrypted());
    assert_eq!(c.server_agent(), "Neo4j/5.20.0");
    assert_eq!(c.state(), ServerState::Ready);
    c.goodbye().await;
    assert!(c.is_defunct());
}

#[tokio::test]
async fn custom_ca_file_is_accepted() {
    let ca = ca();
    let (cert, key) = leaf(&["localhost"], Some(&ca));
    let addr = serve(server_config(cert, key, None)).await;
    let path = std::env::temp_dir().join(format!("quiver-bolt-ca-{}.pem", std::process::id()));
    std::fs::write(&path, ca.cert.pem()).unwrap();
    let cfg = config(TlsConfig::custom_ca_file(&path));
    let c = Connection::connect(&Address::new("localhost", addr.port()), &cfg).await;
    let _ = std::fs::remove_file(&path);
    assert!(c.unwrap().is_encrypted());
}

#[tokio::test]
async fn missing_ca_file_fails_at_build() {
    let err = ConnectionConfig::builder()
        .tls(TlsConfig::custom_ca_file("/nonexistent/ca.pem"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err}");
}

#[tokio::test]
async fn wrong_hostname_is_rejected_unless_verification_is_off() {
    let ca = ca();
    let (cert, key) = leaf(&["db.example.com"], Some(&ca));
    let addr = serve(server_config(cert.clone(), key.clone_key(), None)).await;
    let cfg = config(TlsConfig::custom_cas(vec![ca.cert.der().clone()]));
    let err = Connection::connect(&Address::new("localhost", addr.port()), &cfg)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err}");
    assert!(err.to_string().to_lowercase().contains("name"), "{err}");

    let addr = serve(server_config(cert, key, None)).await;
    let cfg =
        config(TlsConfig::custom_cas(vec![ca.cert.der().clone()]).hostname_verification(false));
    Connection::connect(&Address::new("localhost", addr.port()), &cfg)
        .await
        .unwrap();
}

#[tokio::test]
async fn self_signed_is_rejected_by_default_and_accepted_with_trust_all() {
    let (cert, key) = leaf(&["localhost"], None);
    let other_ca = ca();
    let addr = serve(server_config(cert.clone(), key.clone_key(), None)).await;
    let cfg = config(TlsConfig::custom_cas(vec![other_ca.cert.der().clone()]));
    let err = Connection::connect(&Address::new("localhost", addr.port()), &cfg)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err}");

    // the system roots don't know it either (when the machine has any)
    if let Ok(cfg) = ConnectionConfig::builder()
        .tls(TlsConfig::system_roots())
        .build()
    {
        let addr = serve(server_config(cert.clone(), key.clone_key(), None)).await;
        let err = Connection::connect(&Address::new("localhost", addr.port()), &cfg)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{err}");
    }

    // +ssc: any certificate, any name
    let addr = serve(server_config(cert, key, None)).await;
    let cfg = config(TlsConfig::trust_all());
    let c = Connection::connect(&Address::new("127.0.0.1", addr.port()), &cfg)
        .await
        .unwrap();
    assert!(c.is_encrypted());
}

#[tokio::test]
async fn mutual_tls() {
    let ca = ca();
    let (cert, key) = leaf(&["localhost"], Some(&ca));
    let (client_cert, client_key) = leaf(&["client"], Some(&ca));
    let server = server_config(cert, key, Some(&ca));

    let addr = serve(server.clone()).await;
    let cfg = config(
        TlsConfig::custom_cas(vec![ca.cert.der().clone()])
            .client_certificate(vec![client_cert], client_key),
    );
    let c = Connection::connect(&Address::new("localhost", addr.port()), &cfg)
        .await
        .unwrap();
    assert!(c.is_encrypted());

    // without a client certificate the server refuses (TLS 1.3 reports it on first read)
    let addr = serve(server).await;
    let cfg = config(TlsConfig::custom_cas(vec![ca.cert.der().clone()]));
    let err = Connection::connect(&Address::new("localhost", addr.port()), &cfg)
        .await
        .unwrap_err();
    assert!(err.is_fatal(), "{err}");
}
