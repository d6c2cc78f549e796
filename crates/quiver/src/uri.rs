//! Parsing the URI a driver is created from.
//!
//! The generic URI syntax (authority, bracketed IPv6, port, query, fragment)
//! is the [`url`] crate's; on top of it live only the Neo4j rules: the six
//! schemes, no credentials, no path, the default port 7687 and the routing
//! context in the query string. For `bolt` and `neo4j` URIs `url` keeps the
//! host as written and never applies IDNA, so an application may pin
//! `idna_adapter = "=1.0.0"` to leave ICU's Unicode tables out of its build
//! (about 13 s of CPU on a cold build here) without changing what parses.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::{Host, Url};

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
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if !authority.starts_with('[') && authority.matches(':').count() > 1 {
            // `url` would read the last group as a port and fail on an empty host.
            return Err(Error::configuration(format!(
                "IPv6 hosts must be written in brackets, e.g. [{authority}]:7687"
            )));
        }
        let url = Url::parse(uri).map_err(|e| url_error(e, authority))?;
        if let Some(fragment) = url.fragment() {
            return Err(Error::configuration(format!(
                "the URI must not have a fragment ('#{fragment}')"
            )));
        }
        match url.path() {
            "" | "/" => {}
            path => {
                return Err(Error::configuration(format!(
                    "the URI must not have a path ('{path}')"
                )))
            }
        }
        let host = match url.host() {
            // The `bolt` and `neo4j` schemes are not special to `url`: their hosts stay
            // as written (no IDNA, no IPv4 normalisation), IPv6 literals are parsed.
            Some(Host::Domain(name)) => name.to_owned(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            None => String::new(),
        };
        if host.is_empty() {
            return Err(Error::configuration("the URI has no host"));
        }
        let port = match url.port() {
            None => DEFAULT_PORT,
            Some(0) => return Err(bad_port()),
            Some(port) => port,
        };
        let routing_context = match url.query() {
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
            address: Address::new(host, port),
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

fn bad_port() -> Error {
    Error::configuration("the URI's port is not a valid port (1 to 65535)")
}

/// `url`'s reason, in the driver's words; `authority` holds no credentials
/// (those were refused first).
fn url_error(e: url::ParseError, authority: &str) -> Error {
    match e {
        url::ParseError::EmptyHost => Error::configuration("the URI has no host"),
        url::ParseError::InvalidPort => bad_port(),
        url::ParseError::InvalidIpv6Address => Error::configuration(format!(
            "'{authority}' is not a bracketed IPv6 address with an optional port, e.g. [::1]:7687"
        )),
        url::ParseError::InvalidDomainCharacter => {
            Error::configuration(format!("'{authority}' is not a valid host name"))
        }
        other => Error::configuration(format!("the URI is not valid: {other}")),
    }
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

/// Decodes a routing-context key or value as a form does (`+` is a space),
/// strictly: a `%` not followed by two hex digits, or bytes that are not
/// UTF-8, are errors (a lenient decoder would send them on as written).
fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return Err(Error::configuration(format!(
            "invalid percent-encoding in '{s}'"
        )));
    }
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| Error::configuration(format!("'{s}' does not decode to UTF-8 text")))
}

/// What [`ConnectionUri`]'s `Display` escapes in routing-context keys and
/// values: everything but RFC 3986's unreserved characters.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn percent_encode(s: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(s, ESCAPED)
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
        assert!(fails("bolt://[::1").contains("bracketed IPv6"));
        assert!(fails("bolt://[::1]x").contains("bracketed IPv6"));
        assert!(fails("bolt://[::1]:99999").contains("not a valid port"));
        assert_eq!(parse("bolt://[::1]:65535").address().port(), 65535);
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
        assert!(fails("bolt://h:7687/?x=1").contains("only allowed"));
        assert!(fails("neo4j://h/?x=1#f").contains("fragment"));
        assert!(fails("bolt:/h").contains("not a driver URI"));
    }

    #[test]
    fn hosts_stay_as_written() {
        // No IDNA, no case folding, no IPv4 normalisation: the host is
        // resolved as the user wrote it.
        assert_eq!(
            parse("bolt://DB.Example.COM").address().host(),
            "DB.Example.COM"
        );
        assert_eq!(parse("bolt://10.0.0.1:1").address().host(), "10.0.0.1");
        assert_eq!(
            parse("neo4j://[FE80:0:0::1]:2").address(),
            &Address::new("fe80::1", 2)
        );
        assert_eq!(parse("neo4j://h:7687/").to_string(), "neo4j://h:7687");
        assert_eq!(
            parse("neo4j://h?k=a%2Fb+c").to_string(),
            "neo4j://h:7687?k=a%2Fb%20c"
        );
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
