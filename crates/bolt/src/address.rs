//! Server addresses: `host:port` with the Bolt default port and bracketed
//! IPv6, as the user wrote them (resolution happens on connect), and where
//! an address came from when it is the result of a resolution.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;

use crate::error::Error;

/// The port a Bolt server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7687;

/// A server address: a host name or IP literal and a port.
///
/// Two addresses are equal when host and port are equal; whether an address
/// came out of DNS resolution (and from which name) does not take part.
///
/// ```
/// use quiver_bolt::Address;
/// let a = Address::parse("db.example.com").unwrap();
/// assert_eq!(a.port(), 7687);
/// let b = Address::parse("[::1]:7688").unwrap();
/// assert_eq!(b.host(), "::1");
/// assert_eq!(b.to_string(), "[::1]:7688");
/// ```
#[derive(Debug, Clone)]
pub struct Address {
    host: String,
    port: u16,
    /// The host name this address was resolved from, when it is the result of
    /// a resolution (custom resolver or DNS).
    resolved_from: Option<String>,
}

fn bad(input: &str, reason: &'static str) -> Error {
    Error::Address {
        address: input.to_owned(),
        reason: reason.to_owned(),
    }
}

impl Address {
    /// An address from a host and a port (an IPv6 host may come in
    /// brackets; they are dropped).
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        let host = host.into();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .map(str::to_owned)
            .unwrap_or(host);
        Self {
            host,
            port,
            resolved_from: None,
        }
    }

    /// Parses `host`, `host:port`, `[ipv6]`, `[ipv6]:port`; a bare IPv6
    /// literal (more than one colon, no brackets) takes the default port.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(bad(input, "empty address"));
        }
        if let Some(rest) = s.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| bad(input, "missing ']'"))?;
            if host.is_empty() {
                return Err(bad(input, "empty host"));
            }
            let port = if after.is_empty() {
                DEFAULT_PORT
            } else {
                let p = after
                    .strip_prefix(':')
                    .ok_or_else(|| bad(input, "expected ':' after ']'"))?;
                parse_port(input, p)?
            };
            return Ok(Self::new(host, port));
        }
        match s.matches(':').count() {
            0 => Ok(Self::new(s, DEFAULT_PORT)),
            1 => {
                let (host, port) = s
                    .split_once(':')
                    .ok_or_else(|| bad(input, "expected host:port"))?;
                if host.is_empty() {
                    return Err(bad(input, "empty host"));
                }
                Ok(Self::new(host, parse_port(input, port)?))
            }
            _ => Ok(Self::new(s, DEFAULT_PORT)),
        }
    }

    /// The host name or IP literal (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether this address is the result of a resolution.
    pub fn is_resolved(&self) -> bool {
        self.resolved_from.is_some()
    }

    /// The name to present to the server (TLS server name): the host this
    /// address was resolved from, or the host itself.
    pub fn server_name(&self) -> &str {
        self.resolved_from.as_deref().unwrap_or(&self.host)
    }

    /// This address, marked as resolved from `original`'s host name.
    pub fn resolved_from(mut self, original: &Address) -> Self {
        self.resolved_from = Some(original.server_name().to_owned());
        self
    }
}

fn parse_port(input: &str, p: &str) -> Result<u16, Error> {
    if p.is_empty() {
        return Err(bad(input, "empty port"));
    }
    p.parse::<u16>()
        .map_err(|_| bad(input, "port is not a number in 0..=65535"))
}

impl PartialEq for Address {
    fn eq(&self, other: &Self) -> bool {
        self.host == other.host && self.port == other.port
    }
}

impl Eq for Address {}

impl Hash for Address {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.host.hash(state);
        self.port.hash(state);
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl From<SocketAddr> for Address {
    fn from(sa: SocketAddr) -> Self {
        Self::new(sa.ip().to_string(), sa.port())
    }
}

impl std::str::FromStr for Address {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_from_table() {
        let cases: &[(&str, &str, u16)] = &[
            ("localhost", "localhost", 7687),
            ("localhost:7688", "localhost", 7688),
            ("10.0.0.1:1", "10.0.0.1", 1),
            ("[::1]", "::1", 7687),
            ("[::1]:9000", "::1", 9000),
            ("fe80::1", "fe80::1", 7687),
            ("  host:0 ", "host", 0),
        ];
        for (input, host, port) in cases {
            let a = Address::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((a.host(), a.port()), (*host, *port), "{input}");
            assert!(!a.is_resolved());
        }
    }

    #[test]
    fn rejects_from_table() {
        for input in [
            "",
            ":7687",
            "host:",
            "host:x",
            "host:65536",
            "[::1",
            "[]:1",
            "[::1]x",
            "[::1]:",
        ] {
            assert!(Address::parse(input).is_err(), "{input:?} parsed");
        }
    }

    #[test]
    fn display_round_trips() {
        for input in ["a:1", "[::1]:2", "10.1.1.1:7687"] {
            assert_eq!(Address::parse(input).unwrap().to_string(), input);
        }
    }

    #[test]
    fn brackets_around_an_ipv6_host_are_dropped() {
        assert_eq!(Address::new("[::1]", 1).host(), "::1");
        assert_eq!(Address::new("[::1]", 1).to_string(), "[::1]:1");
        let from_socket = Address::from(SocketAddr::from(([127, 0, 0, 1], 9)));
        assert_eq!(from_socket.to_string(), "127.0.0.1:9");
    }

    #[test]
    fn equality_ignores_resolution() {
        let name = Address::new("db", 7687);
        let ip = Address::new("10.0.0.1", 7687).resolved_from(&name);
        assert!(ip.is_resolved());
        assert_eq!(ip.server_name(), "db");
        assert_eq!(ip, Address::new("10.0.0.1", 7687));
        assert_ne!(ip, name);
    }
}
