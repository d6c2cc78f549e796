//! Conversions between the driver's types and `quiver-bolt`'s.

use quiver_bolt::{AuthToken, ConnectionConfig, TlsConfig};

use crate::config::Config;
use crate::error::{Error, ErrorKind, ServerError};
use crate::uri::ConnectionUri;
use crate::{Map, Value};

impl From<quiver_bolt::ServerError> for ServerError {
    fn from(e: quiver_bolt::ServerError) -> Self {
        let mut out = ServerError::new(e.code, e.message);
        if let Some(status) = e.gql_status {
            out = out.with_gql_status(status, e.description.unwrap_or_default());
        }
        if let Some(record) = e.diagnostic_record {
            out = out.with_diagnostic_record(record);
        }
        if let Some(cause) = e.cause {
            out = out.with_cause(ServerError::from(*cause));
        }
        out.with_gql_defaults()
    }
}

impl Error {
    /// Sorts a connection's error into the driver's kinds. A lost connection
    /// becomes [`ErrorKind::ServiceUnavailable`]; the session layer turns it
    /// into [`ErrorKind::SessionExpired`] or [`ErrorKind::CommitUnknown`]
    /// where the official drivers do.
    pub(crate) fn from_bolt(e: quiver_bolt::Error) -> Self {
        match e {
            quiver_bolt::Error::Server(server) => Error::server(ServerError::from(*server)),
            other => {
                let (kind, message) = classify(&other);
                Error::new(kind, message).with_source(other)
            }
        }
    }
}

fn classify(e: &quiver_bolt::Error) -> (ErrorKind, &'static str) {
    use quiver_bolt::Error as B;
    use quiver_packstream::ErrorKind as PsKind;
    match e {
        B::Server(_) | B::Protocol(_) => (ErrorKind::Protocol, "the connection failed"),
        B::PackStream(_) => (
            ErrorKind::Protocol,
            "a message could not be encoded or decoded",
        ),
        B::Closed => (ErrorKind::Closed, "the driver was closed"),
        B::Io(_) | B::ConnectionClosed | B::ReadTimeout(_) | B::Defunct => {
            (ErrorKind::ServiceUnavailable, "the connection was lost")
        }
        B::ConnectTimeout(_) | B::Tls(_) | B::NoCommonVersion | B::Address { .. } => (
            ErrorKind::ServiceUnavailable,
            "no connection to the server could be established",
        ),
        B::Unsupported { .. } => (ErrorKind::Unsupported, ""),
        // A parameter the negotiated protocol cannot carry (a UUID before
        // Bolt 6.1, a vector before 6.0): nothing was sent, the session goes on.
        B::Encode(e) if matches!(e.kind(), PsKind::UnsupportedByProtocol(_)) => {
            (ErrorKind::Unsupported, "")
        }
        B::Encode(_) => (ErrorKind::Serialization, ""),
        B::Config(_) => (ErrorKind::Configuration, ""),
        // A request out of order is a driver bug, not the server's fault,
        // but it is as unrecoverable for the connection.
        _ => (
            ErrorKind::Protocol,
            "the driver used the connection out of order",
        ),
    }
}

impl Config {
    /// The settings of each Bolt connection the driver opens to the server
    /// named by `uri`, authenticating with `auth`.
    #[allow(dead_code)] // used once the driver is wired
    pub(crate) fn connection_config(
        &self,
        uri: &ConnectionUri,
        auth: AuthToken,
    ) -> crate::Result<ConnectionConfig> {
        let mut b = ConnectionConfig::builder()
            .user_agent(self.user_agent())
            .auth(auth)
            .connect_timeout(self.connection_timeout())
            .read_timeout(self.connection_read_timeout())
            .max_nesting_depth(self.max_nesting_depth())
            .max_message_size(self.max_message_size())
            .keep_alive(self.keep_alive())
            .telemetry(!self.telemetry_disabled())
            .notification_filter(self.notification_filter().clone());
        if uri.scheme().is_routing() {
            let mut routing: Map = uri
                .routing_context()
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            routing.insert(
                "address".to_owned(),
                Value::String(uri.address().to_string()),
            );
            b = b.routing_context(Some(routing));
        }
        if let Some(tls) = self.tls_for(uri)? {
            let mut t = TlsConfig::new(tls.trust);
            if let Some(cert) = tls.client_certificate {
                if cert.password().is_some() {
                    return Err(Error::configuration(
                        "password-protected client certificate keys are not supported yet: decrypt the key file",
                    ));
                }
                t = t.client_certificate_files(cert.certificate(), cert.private_key());
            }
            b = b.tls(t);
        }
        b.build()
            .map_err(|e| Error::configuration("the connection settings are invalid").with_source(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ClientCertificate, MinimumSeverity, NotificationClassification};
    use crate::{NotificationFilter, TrustStrategy};
    use std::error::Error as _;

    #[test]
    fn parameters_the_protocol_cannot_carry_are_unsupported_not_protocol_errors() {
        let options = quiver_packstream::Options::for_bolt(5, 4, false);
        let uuid = quiver_packstream::Uuid::from(7_u128);
        let encode = quiver_packstream::to_vec_with(&uuid, &options).unwrap_err();
        let e = Error::from_bolt(quiver_bolt::Error::Encode(encode));
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(!e.is_retryable());
    }

    #[test]
    fn server_errors_keep_gql_details_and_causes() {
        let mut bolt = quiver_bolt::ServerError::new(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock",
        );
        bolt.gql_status = Some("50N00".into());
        bolt.description = Some("error: general processing exception".into());
        bolt.cause = Some(Box::new(quiver_bolt::ServerError::new(
            "Neo.ClientError.Statement.ArgumentError",
            "inner",
        )));
        let e = Error::from_bolt(quiver_bolt::Error::from(bolt));
        assert_eq!(e.kind(), ErrorKind::Transient);
        assert!(e.is_retryable());
        assert_eq!(e.gql_status(), Some("50N00"));
        let server = e.as_server_error().unwrap();
        assert_eq!(
            server.gql_status_description(),
            Some("error: general processing exception")
        );
        assert_eq!(server.cause().unwrap().message(), "inner");
        assert!(e.source().is_some());
    }

    #[test]
    fn connection_errors_are_service_unavailable_and_retryable() {
        for b in [
            quiver_bolt::Error::ConnectionClosed,
            quiver_bolt::Error::Io(std::io::Error::other("reset")),
            quiver_bolt::Error::NoCommonVersion,
            quiver_bolt::Error::Defunct,
        ] {
            let e = Error::from_bolt(b);
            assert_eq!(e.kind(), ErrorKind::ServiceUnavailable);
            assert!(e.is_retryable());
            assert!(e.source().is_some());
        }
        let e = Error::from_bolt(quiver_bolt::Error::Protocol("bad".into()));
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert!(!e.is_retryable());
        assert_eq!(
            Error::from_bolt(quiver_bolt::Error::Config("x".into())).kind(),
            ErrorKind::Configuration
        );
    }

    #[test]
    fn connection_config_from_driver_config() {
        let config = Config::builder()
            .user_agent("app/1")
            .notification_filter(
                NotificationFilter::default()
                    .with_minimum_severity(MinimumSeverity::Warning)
                    .with_disabled_classification(NotificationClassification::Hint),
            )
            .telemetry_disabled(true)
            .build()
            .unwrap();
        let uri: ConnectionUri = "neo4j://db:7000?region=eu".parse().unwrap();
        let c = config
            .connection_config(&uri, AuthToken::basic("u", "p"))
            .unwrap();
        assert_eq!(c.user_agent(), "app/1");
        assert!(!c.is_tls());
        assert!(!c.telemetry_enabled());
        let routing = c.routing_context().unwrap();
        assert_eq!(routing["region"], Value::from("eu"));
        assert_eq!(routing["address"], Value::from("db:7000"));
        assert_eq!(
            c.notification_filter().minimum_severity(),
            Some(MinimumSeverity::Warning)
        );

        let direct: ConnectionUri = "bolt+ssc://db".parse().unwrap();
        let c = config
            .connection_config(&direct, AuthToken::none())
            .unwrap();
        assert!(c.is_tls());
        assert!(c.routing_context().is_none());
    }

    #[test]
    fn unsupported_tls_settings_are_configuration_errors() {
        let uri: ConnectionUri = "bolt+s://db".parse().unwrap();
        let config = Config::builder()
            .client_certificate(ClientCertificate::new("c.pem", "k.pem").with_password("pw"))
            .build()
            .unwrap();
        let e = config
            .connection_config(&uri, AuthToken::none())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        let missing = Config::builder()
            .encrypted(true)
            .trust(TrustStrategy::CustomCertificates(vec![
                "/nonexistent/ca.pem".into(),
            ]))
            .build()
            .unwrap();
        let plain: ConnectionUri = "bolt://db".parse().unwrap();
        let e = missing
            .connection_config(&plain, AuthToken::none())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
    }
}
