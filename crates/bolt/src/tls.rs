//! TLS settings, built once into a shared rustls client configuration.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::Error;

/// Which server certificates the driver trusts on encrypted connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TrustStrategy {
    /// Certificates signed by the operating system's certificate authorities
    /// (the default; `neo4j+s://`, `bolt+s://`).
    #[default]
    SystemCertificates,
    /// Certificates signed by the authorities in these PEM files.
    CustomCertificates(Vec<PathBuf>),
    /// Certificates signed by these authorities (DER).
    CustomCas(Vec<CertificateDer<'static>>),
    /// Any certificate, including self-signed ones (`+ssc`). Encrypts, and
    /// signatures are checked, but the server is not authenticated: an
    /// attacker in the middle goes unnoticed. For self-signed test setups.
    All,
}

/// TLS settings for connections.
///
/// ```
/// use quiver_bolt::TlsConfig;
///
/// // neo4j+s:// -> system roots, hostname checked
/// let _strict = TlsConfig::system_roots();
/// // neo4j+ssc:// -> accept any certificate
/// let lax = TlsConfig::trust_all();
/// let rustls_config = lax.build()?; // build once, share between connections
/// # let _ = rustls_config;
/// # Ok::<(), quiver_bolt::Error>(())
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    trust: TrustStrategy,
    verify_hostname: bool,
    client_cert: Option<(Vec<CertificateDer<'static>>, Arc<PrivateKeyDer<'static>>)>,
    client_cert_files: Option<(PathBuf, PathBuf)>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("trust", &self.trust)
            .field("verify_hostname", &self.verify_hostname)
            .field(
                "client_cert",
                &(self.client_cert.is_some() || self.client_cert_files.is_some()),
            )
            .finish()
    }
}

impl TlsConfig {
    /// Trust the given strategy, hostname verification on.
    pub fn new(trust: TrustStrategy) -> Self {
        TlsConfig {
            trust,
            verify_hostname: true,
            client_cert: None,
            client_cert_files: None,
        }
    }

    /// The system's roots.
    pub fn system_roots() -> Self {
        Self::new(TrustStrategy::SystemCertificates)
    }

    /// The CAs in a PEM file.
    pub fn custom_ca_file(path: impl AsRef<Path>) -> Self {
        Self::new(TrustStrategy::CustomCertificates(vec![path
            .as_ref()
            .to_owned()]))
    }

    /// These CA certificates (DER).
    pub fn custom_cas(certs: Vec<CertificateDer<'static>>) -> Self {
        Self::new(TrustStrategy::CustomCas(certs))
    }

    /// Any certificate (`+ssc`).
    pub fn trust_all() -> Self {
        Self::new(TrustStrategy::All)
    }

    /// Turns hostname verification on (default) or off.
    pub fn hostname_verification(mut self, on: bool) -> Self {
        self.verify_hostname = on;
        self
    }

    /// Mutual TLS: present this certificate chain and key.
    pub fn client_certificate(
        mut self,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Self {
        self.client_cert = Some((chain, Arc::new(key)));
        self
    }

    /// Mutual TLS: present the certificate chain and key from PEM files.
    pub fn client_certificate_files(
        mut self,
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Self {
        self.client_cert_files = Some((chain.as_ref().to_owned(), key.as_ref().to_owned()));
        self
    }

    /// Builds the rustls configuration (loads files and system roots).
    pub fn build(&self) -> Result<Arc<ClientConfig>, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?;

        let verifier: Arc<dyn ServerCertVerifier> = match &self.trust {
            TrustStrategy::All => Arc::new(TrustAll {
                provider: provider.clone(),
            }),
            trust => {
                let roots = Arc::new(load_roots(trust)?);
                let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                    .build()
                    .map_err(|e| Error::Tls(e.to_string()))?;
                if self.verify_hostname {
                    webpki
                } else {
                    Arc::new(IgnoreHostname { inner: webpki })
                }
            }
        };
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);

        let client_cert = match (&self.client_cert, &self.client_cert_files) {
            (Some((chain, key)), _) => Some((chain.clone(), key.clone_key())),
            (None, Some((chain, key))) => Some(load_client_cert(chain, key)?),
            (None, None) => None,
        };
        let config = match client_cert {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| Error::Tls(format!("client certificate: {e}")))?,
            None => builder.with_no_client_auth(),
        };
        Ok(Arc::new(config))
    }
}

fn load_roots(trust: &TrustStrategy) -> Result<RootCertStore, Error> {
    let mut roots = RootCertStore::empty();
    match trust {
        TrustStrategy::SystemCertificates => {
            let loaded = rustls_native_certs::load_native_certs();
            if loaded.certs.is_empty() {
                let why = loaded
                    .errors
                    .first()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                return Err(Error::Tls(format!(
                    "no system root certificates found {why}"
                )));
            }
            let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            if added == 0 {
                return Err(Error::Tls("no usable system root certificates".into()));
            }
        }
        TrustStrategy::CustomCertificates(paths) => {
            for path in paths {
                let certs = CertificateDer::pem_file_iter(path)
                    .map_err(|e| Error::Tls(format!("CA file {}: {e}", path.display())))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| Error::Tls(format!("CA file {}: {e}", path.display())))?;
                if certs.is_empty() {
                    return Err(Error::Tls(format!(
                        "CA file {} holds no certificate",
                        path.display()
                    )));
                }
                for c in certs {
                    roots
                        .add(c)
                        .map_err(|e| Error::Tls(format!("CA file {}: {e}", path.display())))?;
                }
            }
        }
        TrustStrategy::CustomCas(certs) => {
            for c in certs {
                roots
                    .add(c.clone())
                    .map_err(|e| Error::Tls(format!("CA certificate: {e}")))?;
            }
        }
        TrustStrategy::All => {}
    }
    Ok(roots)
}

fn load_client_cert(
    chain: &Path,
    key: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), Error> {
    let certs = CertificateDer::pem_file_iter(chain)
        .map_err(|e| Error::Tls(format!("client certificate {}: {e}", chain.display())))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Tls(format!("client certificate {}: {e}", chain.display())))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| Error::Tls(format!("client key {}: {e}", key.display())))?;
    Ok((certs, key))
}

/// Accepts any certificate but still checks the handshake signatures.
#[derive(Debug)]
struct TrustAll {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for TrustAll {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Verifies the chain like webpki but accepts a certificate for another name.
#[derive(Debug)]
struct IgnoreHostname {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for IgnoreHostname {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
