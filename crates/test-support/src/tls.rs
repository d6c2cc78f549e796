//! rustls server configurations for TLS stub servers (see
//! [`StubServerBuilder::tls`](crate::stub::StubServerBuilder::tls)): one
//! certificate chain and key, optionally requiring client certificates.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

/// The ring provider, the one quiver-bolt uses.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config presenting `chain` (leaf first) with `key`, for the safe
/// default protocol versions. With `client_ca`, clients must present a
/// certificate that CA signed; without, none is asked for.
///
/// ```
/// use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
/// let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
/// let config = quiver_test_support::tls::server_config(vec![certified.cert.der().clone()], key, None)?;
/// // An empty chain is refused, as rustls refuses it.
/// let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
/// assert!(quiver_test_support::tls::server_config(Vec::new(), key, None).is_err());
/// # drop(config);
/// # Ok(())
/// # }
/// ```
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    client_ca: Option<CertificateDer<'static>>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let builder =
        ServerConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| rustls::Error::General(format!("client verifier: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(builder.with_single_cert(chain, key)?))
}
