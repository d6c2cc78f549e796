//! Authentication tokens. Credentials never appear in `Debug` output or logs.

use std::fmt;
use std::sync::Arc;

use quiver_packstream::{Map, Value};

use crate::message::fields::Field;

/// An authentication token, sent in HELLO (before 5.1) or LOGON (5.1+).
///
/// Cheap to clone (the parts are shared), since every unit of work compares
/// and hands on the token its connection should carry.
///
/// ```
/// use quiver_bolt::AuthToken;
///
/// let token = AuthToken::basic("neo4j", "secret");
/// assert_eq!(token.scheme(), "basic");
/// assert!(!format!("{token:?}").contains("secret"));
/// ```
#[derive(Clone)]
pub struct AuthToken(Arc<Parts>);

#[derive(Clone, PartialEq)]
struct Parts {
    scheme: String,
    principal: Option<String>,
    credentials: Option<String>,
    realm: Option<String>,
    parameters: Option<Map>,
}

impl PartialEq for AuthToken {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl AuthToken {
    fn from_parts(parts: Parts) -> Self {
        AuthToken(Arc::new(parts))
    }

    /// No authentication (`scheme: "none"`).
    pub fn none() -> Self {
        Self::from_parts(Parts::with_scheme("none"))
    }

    /// User name and password.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self::from_parts(Parts {
            principal: Some(user.into()),
            credentials: Some(password.into()),
            ..Parts::with_scheme("basic")
        })
    }

    /// User name and password in a realm (e.g. an LDAP realm).
    pub fn basic_with_realm(
        user: impl Into<String>,
        password: impl Into<String>,
        realm: impl Into<String>,
    ) -> Self {
        Self::from_parts(Parts {
            principal: Some(user.into()),
            credentials: Some(password.into()),
            realm: Some(realm.into()),
            ..Parts::with_scheme("basic")
        })
    }

    /// A bearer token (SSO, e.g. a JWT).
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::from_parts(Parts {
            credentials: Some(token.into()),
            ..Parts::with_scheme("bearer")
        })
    }

    /// A base64 encoded Kerberos ticket.
    pub fn kerberos(base64_ticket: impl Into<String>) -> Self {
        Self::from_parts(Parts {
            principal: Some(String::new()),
            credentials: Some(base64_ticket.into()),
            ..Parts::with_scheme("kerberos")
        })
    }

    /// A token for a custom authentication plugin; empty parts are left out.
    pub fn custom(
        scheme: impl Into<String>,
        principal: impl Into<String>,
        credentials: impl Into<String>,
        realm: Option<String>,
        parameters: Option<Map>,
    ) -> Self {
        let principal = principal.into();
        let credentials = credentials.into();
        Self::from_parts(Parts {
            scheme: scheme.into(),
            principal: Some(principal),
            credentials: (!credentials.is_empty()).then_some(credentials),
            realm: realm.filter(|r| !r.is_empty()),
            parameters: parameters.filter(|p| !p.is_empty()),
        })
    }

    /// The scheme: `none`, `basic`, `bearer`, `kerberos` or a custom one.
    pub fn scheme(&self) -> &str {
        &self.0.scheme
    }

    /// The principal (user name), if any.
    pub fn principal(&self) -> Option<&str> {
        self.0.principal.as_deref()
    }

    /// The realm, if any.
    pub fn realm(&self) -> Option<&str> {
        self.0.realm.as_deref()
    }

    /// Appends the token's entries to a map being written.
    pub(crate) fn push_fields<'a>(&'a self, out: &mut Vec<(&'static str, Field<'a>)>) {
        out.push(("scheme", Field::Str(&self.0.scheme)));
        if let Some(p) = &self.0.principal {
            out.push(("principal", Field::Str(p)));
        }
        if let Some(c) = &self.0.credentials {
            out.push(("credentials", Field::Str(c)));
        }
        if let Some(r) = &self.0.realm {
            out.push(("realm", Field::Str(r)));
        }
        if let Some(p) = &self.0.parameters {
            out.push(("parameters", Field::Map(p)));
        }
    }

    /// The token as a map, with the credentials redacted (for logs and tests).
    pub fn redacted_map(&self) -> Map {
        let mut m = Map::new();
        m.insert("scheme".into(), Value::String(self.0.scheme.clone()));
        if let Some(p) = &self.0.principal {
            m.insert("principal".into(), Value::String(p.clone()));
        }
        if self.0.credentials.is_some() {
            m.insert("credentials".into(), Value::String("*******".into()));
        }
        if let Some(r) = &self.0.realm {
            m.insert("realm".into(), Value::String(r.clone()));
        }
        m
    }
}

impl Parts {
    fn with_scheme(scheme: &str) -> Self {
        Parts {
            scheme: scheme.to_owned(),
            principal: None,
            credentials: None,
            realm: None,
            parameters: None,
        }
    }
}

impl Default for AuthToken {
    fn default() -> Self {
        Self::none()
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthToken")
            .field("scheme", &self.0.scheme)
            .field("principal", &self.0.principal)
            .field(
                "credentials",
                &self.0.credentials.as_ref().map(|_| "*******"),
            )
            .field("realm", &self.0.realm)
            .field("parameters", &self.0.parameters.as_ref().map(|p| p.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_credentials() {
        for t in [
            AuthToken::basic("u", "hunter2"),
            AuthToken::bearer("hunter2"),
            AuthToken::kerberos("hunter2"),
            AuthToken::custom("x", "u", "hunter2", Some("r".into()), None),
        ] {
            let dbg = format!("{t:?}");
            assert!(!dbg.contains("hunter2"), "{dbg}");
            assert!(dbg.contains("*******"));
            assert!(!format!("{:?}", t.redacted_map()).contains("hunter2"));
        }
    }

    #[test]
    fn fields_per_scheme() {
        let t = AuthToken::basic_with_realm("u", "p", "ldap");
        let mut f = Vec::new();
        t.push_fields(&mut f);
        let keys: Vec<_> = f.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["scheme", "principal", "credentials", "realm"]);
        let none = AuthToken::none();
        let mut f = Vec::new();
        none.push_fields(&mut f);
        assert_eq!(f.len(), 1);
        let custom = AuthToken::custom("s", "", "", None, Some(Map::new()));
        let mut f = Vec::new();
        custom.push_fields(&mut f);
        assert_eq!(f.len(), 2);
    }
}
