//! Parsing the URI a driver is created from.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::{Address, DEFAULT_PORT};

/// The scheme of a driver URI: whether the driver routes, and how it secures
/// its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `bolt`: one server, no encryption (unless configured).
    Bolt,
    /// `bolt+s`: one server, TLS with full certificate checks against the
    /// system's certificate authorities.
    BoltSecure,
    /// `bolt+ssc`: one server, TLS accepting any certificate (self-signed).
    BoltSelfSigned,
    /// `neo4j`: routing, no encryption (unless configured).
    Neo4j,
    /// `neo4j+s`: routing, TLS with full certificate checks.
    Neo4jSecure,
    /// `neo4j+ssc`: routing, TLS accepting any certificate (self-signed).
    Neo4jSelfSigned,
}

/// How a URI scheme asks connections to be secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemeSecurity {
    /// Plain scheme (`bolt`, `neo4j`): the driver configuration decides.
    Configurable,
    /// `+s`: TLS, certificates checked against the system's authorities.
    VerifiedTls,
    /// `+ssc`: TLS, any certificate accepted.
    SelfSignedTls,
}

impl Scheme {
    /// The scheme as written in a URI, e.g. `"neo4j+s"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Bolt => "bolt",
            Scheme::BoltSecure => "bolt+s",
            Scheme::BoltSelfSigned => "bolt+ssc",
            Scheme::Neo4j => "neo4j",
            Scheme::Neo4jSecure => "neo4j+s",
            Scheme::Neo4jSelfSigned => "neo4j+ssc",
        }
    }

    /// Whether the driver discovers a cluster and routes (`neo4j` schemes).
    pub fn is_routing(self) -> bool {
        matches!(
            self,
            Scheme::Neo4j | Scheme::Neo4jSecure | Scheme::Neo4jSelfSigned
        )
    }

    /// How the scheme asks connections to be secured.
    pub fn security(self) -> SchemeSecurity {
        match self {
            Scheme::Bolt | Scheme::Neo4j => SchemeSecurity::Configurable,
            Scheme::BoltSecure | Scheme::Neo4jSecure => SchemeSecurity::VerifiedTls,
            Scheme::BoltSelfSigned | Scheme::Neo4jSelfSigned => SchemeSecurity::SelfSignedTls,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scheme {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let scheme = match s.to_ascii_lowercase().as_str() {
            "bolt" => Scheme::Bolt,
            "bolt+s" => Scheme::BoltSecure,
            "bolt+ssc" => Scheme::BoltSelfSigned,
            "neo4j" => Scheme::Neo4j,
            "neo4j+s" => Scheme::Neo4jSecure,
            "neo4j+ssc" => Scheme::Neo4jSelfSigned,
            _ => {
                return Err(Error::configuration(format!(
                    "unsupported URI scheme '{s}': use bolt, bolt+s, bolt+ssc, neo4j, neo4j+s or neo4j+ssc"
                )))
            }
        };
        Ok(scheme)
    }
}

/// A parsed driver URI: `scheme://host[:port][?routing_context]`.
///
/// The port defaults to 7687. IPv6 hosts are written in brackets. The query
/// string is the routing context sent to the cluster; it is only allowed with
/// the `neo4j` schemes, and its key `address` is reserved for the driver.
///
/// ```
/// use quiver::{ConnectionUri, Scheme};
///
/// let uri: ConnectionUri = "neo4j+s://db.example.com?policy=europe".parse()?;
/// assert_eq!(uri.scheme(), Scheme::Neo4jSecure);
/// assert_eq!(uri.address().host(), "db.example.com");
/// assert_eq!(uri.address().port(), 7687);
/// assert_eq!(uri.routing_context().get("policy").map(String::as_str), Some("europe"));
///
/// let err = "http://localhost".parse::<ConnectionUri>().unwrap_err();
/// assert_eq!(err.kind(), quiver::ErrorKind::Configuration);
/// # Ok::<(), quiver::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionUri {
    scheme: Scheme,
    address: Address,
    routing_context: BTreeMap<String, String>,
}

impl ConnectionUri {
    /// Parses a driver URI.
    pub fn parse(uri: &str) -> Result<Self> {
        let uri = uri.trim();
        // Credentials in the URI (`user:password@host`) are refused before anything else
        // looks at it, and no part of the URI is echoed: a password may hold any character
        // ('/', '?', '#', '@'), so no later rule could tell where it ends.
        if uri.contains('@') {
            return Err(Error::configuration(
                "the URI must not hold credentials (user:password@): pass them as the driver's \
                 auth token (the URI is not repeated here, as it may hold a password)",
            ));
        }
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| {
            Error::configuration(format!(
                "'{uri}' is not a driver URI: expected scheme://host[:port], e.g. neo4j://localhost:7687"
            ))
        })?;
        let scheme: Scheme = scheme.parse()?;
        if let Some(i) = rest.find('#') {
            return Err(Error::configuration(format!(
                "the URI must not have a fragment ('{}')",
                &rest[i..]
            )));
        }
        let (before_query, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match before_query.find('/') {
            Some(i) => before_query.split_at(i),
            None => (before_query, ""),
        };
        if !path.is_empty() && path != "/" {
            return Err(Error::configuration(format!(
                "the URI must not have a path ('{path}')"
            )));
        }
        let address = parse_authority(authority)?;
        let routing_context = match query {
            None => BTreeMap::new(),
            Some("") if scheme.is_routing() => BTreeMap::new(),
            Some(q) => {
                if !scheme.is_routing() {
                    return Err(Error::configuration(format!(
                        "routing context ('?{q}') is only allowed with the neo4j, neo4j+s and neo4j+ssc schemes, not {scheme}"
                    )));
                }
                parse_routing_context(q)?
            }
        };
        Ok(ConnectionUri {
            scheme,
            address,
            routing_context,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The server address (the initial router for routing schemes).
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The routing context from the query string (without `address`, which
    /// the driver adds when it asks for a routing table).
    pub fn routing_context(&self) -> &BTreeMap<String, String> {
        &self.routing_context
    }
}

impl FromStr for ConnectionUri {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        ConnectionUri::parse(s)
    }
}

impl fmt::Display for ConnectionUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.address)?;
        let mut sep = '?';
        for (k, v) in &self.routing_context {
            write!(f, "{sep}{}={}", percent_encode(k), percent_encode(v))?;
            sep = '&';
        }
        Ok(())
    }
}

fn parse_authority(authority: &str) -> Result<Address> {
    if authority.is_empty() {
        return Err(Error::configuration("the URI has no host"));
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| {
            Error::configuration(format!("unclosed '[' in the URI host '{authority}'"))
        })?;
        if host.is_empty() || !host.contains(':') {
            return Err(Error::configuration(format!(
                "'[{host}]' is not an IPv6 address"
            )));
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| {
                Error::configuration(format!("unexpected '{p}' after the IPv6 host"))
            })?),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, _)) if host.contains(':') => {
                return Err(Error::configuration(format!(
                    "IPv6 hosts must be written in brackets, e.g. [{authority}]:7687"
                )))
            }
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(Error::configuration("the URI has no host"));
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '[' | ']' | '\\'))
    {
        return Err(Error::configuration(format!(
            "'{host}' is not a valid host name"
        )));
    }
    let port = match port {
        None | Some("") => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(0) | Err(_) => {
                return Err(Error::configuration(format!(
                    "'{p}' is not a valid port (1 to 65535)"
                )))
            }
            Ok(n) => n,
        },
    };
    Ok(Address::new(host, port))
}

fn parse_routing_context(query: &str) -> Result<BTreeMap<String, String>> {
    let mut context = BTreeMap::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            Error::configuration(format!(
                "invalid routing context '{pair}': expected key=value"
            ))
        })?;
        let key = percent_decode(key)?;
        let value = percent_decode(value)?;
        if key.is_empty() || value.is_empty() {
            return Err(Error::configuration(format!(
                "invalid routing context '{pair}': keys and values must not be empty"
            )));
        }
        if key == "address" {
            return Err(Error::configuration(
                "the routing context key 'address' is reserved for the driver",
            ));
        }
        if context.contains_key(&key) {
            return Err(Error::configuration(format!(
                "the routing context key '{key}' is given more than once"
            )));
        }
        context.insert(key, value);
    }
    Ok(context)
}

fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        Error::configuration(format!("invalid percent-encoding in '{s}'"))
                    })?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .map_err(|_| Error::configuration(format!("'{s}' does not decode to UTF-8 text")))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn parse(s: &str) -> ConnectionUri {
        ConnectionUri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn fails(s: &str) -> String {
        let e = ConnectionUri::parse(s).expect_err(s);
        assert_eq!(e.kind(), ErrorKind::Configuration);
        e.to_string()
    }

    #[test]
    fn every_scheme() {
        for (s, scheme, routing, security) in [
            ("bolt", Scheme::Bolt, false, SchemeSecurity::Configurable),
            (
                "bolt+s",
                Scheme::BoltSecure,
                false,
                SchemeSecurity::VerifiedTls,
            ),
            (
                "bolt+ssc",
                Scheme::BoltSelfSigned,
                false,
                SchemeSecurity::SelfSignedTls,
            ),
            ("neo4j", Scheme::Neo4j, true, SchemeSecurity::Configurable),
            (
                "neo4j+s",
                Scheme::Neo4jSecure,
                true,
                SchemeSecurity::VerifiedTls,
            ),
            (
                "neo4j+ssc",
                Scheme::Neo4jSelfSigned,
                true,
                SchemeSecurity::SelfSignedTls,
            ),
        ] {
            let uri = parse(&format!("{s}://localhost:7000"));
            assert_eq!(uri.scheme(), scheme);
            assert_eq!(uri.scheme().as_str(), s);
            assert_eq!(uri.scheme().is_routing(), routing);
            assert_eq!(uri.scheme().security(), security);
            assert_eq!(uri.address(), &Address::new("localhost", 7000));
        }
        assert_eq!(parse("NEO4J://x").scheme(), Scheme::Neo4j);
    }

    #[test]
    fn default_port_and_trailing_slash() {
        assert_eq!(parse("bolt://db.local").address().port(), 7687);
        assert_eq!(parse("bolt://db.local:").address().port(), 7687);
        assert_eq!(parse("bolt://db.local/").address().host(), "db.local");
        assert_eq!(parse("neo4j://10.0.0.1:17687").address().port(), 17687);
    }

    #[test]
    fn ipv6_hosts() {
        let uri = parse("neo4j://[::1]:7688?region=eu");
        assert_eq!(uri.address(), &Address::new("::1", 7688));
        assert_eq!(uri.routing_context()["region"], "eu");
        assert_eq!(parse("bolt://[fe80::1:2]").address().port(), 7687);
        assert!(fails("bolt://::1:7687").contains("brackets"));
        assert!(fails("bolt://[::1").contains("unclosed"));
        assert!(fails("bolt://[::1]x").contains("after the IPv6 host"));
        assert!(fails("bolt://[]:1").contains("IPv6"));
    }

    #[test]
    fn routing_context() {
        let uri = parse("neo4j://h?policy=my%20policy&region=eu+west");
        let ctx = uri.routing_context();
        assert_eq!(ctx.len(), 2);
        assert_eq!(ctx["policy"], "my policy");
        assert_eq!(ctx["region"], "eu west");
        assert!(parse("neo4j://h?").routing_context().is_empty());
        assert_eq!(
            parse("neo4j://h:1?a=b&c=d").to_string(),
            "neo4j://h:1?a=b&c=d"
        );
    }

    #[test]
    fn routing_context_errors() {
        assert!(fails("bolt://h?policy=x").contains("only allowed with the neo4j"));
        assert!(fails("bolt+s://h?").contains("only allowed"));
        assert!(fails("neo4j://h?address=x:1").contains("reserved"));
        assert!(fails("neo4j://h?a=1&a=2").contains("more than once"));
        assert!(fails("neo4j://h?a").contains("key=value"));
        assert!(fails("neo4j://h?a=").contains("must not be empty"));
        assert!(fails("neo4j://h?=b").contains("must not be empty"));
        assert!(fails("neo4j://h?a=%zz").contains("percent"));
        assert!(fails("neo4j://h?a=%ff").contains("UTF-8"));
    }

    #[test]
    fn other_errors() {
        assert!(fails("http://localhost").contains("unsupported URI scheme 'http'"));
        assert!(fails("localhost:7687").contains("not a driver URI"));
        assert!(fails("bolt://").contains("no host"));
        assert!(fails("bolt://:7687").contains("no host"));
        assert!(fails("bolt://h:0").contains("not a valid port"));
        assert!(fails("bolt://h:70000").contains("not a valid port"));
        assert!(fails("bolt://h:port").contains("not a valid port"));
        assert!(fails("bolt://h/db").contains("path"));
        assert!(fails("bolt://h#frag").contains("fragment"));
        assert!(fails("bolt://user:pw@h").contains("credentials"));
        assert!(fails("bolt://my host").contains("not a valid host"));
        assert!(fails("bolt://a]b").contains("not a valid host"));
    }

    #[test]
    fn credentials_are_refused_and_never_echoed() {
        for uri in [
            "bolt://root:secret?@host",
            "bolt://root:se/cret@host:7687",
            "neo4j://root:se#cret@host?region=eu",
            "bolt://root:secret@host:notaport",
            "root:secret@host",
            "bolt://root:s@cret@host",
        ] {
            let msg = fails(uri);
            assert!(msg.contains("credentials"), "{uri}: {msg}");
            for part in ["secret", "cret", "se/", "root", "host"] {
                assert!(!msg.contains(part), "{uri} leaked {part:?}: {msg}");
            }
        }
    }
}
