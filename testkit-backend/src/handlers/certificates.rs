//! Client certificate providers. The backend keeps each provider TestKit creates; the callback
//! is [`crate::callbacks::provide_client_certificate`].
//!
//! To wire in: `NewDriver` with `clientCertificateProviderId` builds the driver's provider from
//! an adapter holding a [`Ctx`] and the id.

use crate::connection::Ctx;
use crate::error::Result;
use crate::requests::{ClientCertificateProviderClose, NewClientCertificateProvider};
use crate::responses::Response;
use crate::state::CertificateProviderEntry;

/// `NewClientCertificateProvider` → `ClientCertificateProvider`.
pub fn new_provider(ctx: &Ctx, _request: NewClientCertificateProvider) -> Response {
    let id = ctx.next_id();
    ctx.state()
        .certificate_providers
        .insert(id, CertificateProviderEntry::default());
    Response::ClientCertificateProvider { id }
}

/// `ClientCertificateProviderClose` → `ClientCertificateProvider`.
pub fn close(ctx: &Ctx, request: ClientCertificateProviderClose) -> Result<Response> {
    ctx.state().certificate_providers.remove(request.id)?;
    Ok(Response::ClientCertificateProvider { id: request.id })
}
