//! Server addresses: a host name or IP literal plus a port.

use std::fmt;

/// The port Neo4j listens on for Bolt when a URI names none.
pub const DEFAULT_PORT: u16 = 7687;

/// The address of one Neo4j server, as given by a user, a URI, a resolver or
/// a routing table.
///
/// The host is kept as written (a DNS name, an IPv4 literal or an IPv6 literal
/// without brackets); name resolution happens when connecting.
///
/// ```
/// use quiver::Address;
///
/// let a = Address::new("example.com", 7687);
/// assert_eq!(a.to_string(), "example.com:7687");
/// let v6 = Address::new("::1", 7688);
/// assert_eq!(v6.to_string(), "[::1]:7688");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    host: String,
    port: u16,
}

impl Address {
    /// An address from a host (name or IP literal, IPv6 without brackets) and a port.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Address {
            host: host.into(),
            port,
        }
    }

    /// The host: a DNS name or an IP literal (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the host is an IPv6 literal.
    pub fn is_ipv6(&self) -> bool {
        self.host.contains(':')
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ipv6() {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl From<std::net::SocketAddr> for Address {
    fn from(addr: std::net::SocketAddr) -> Self {
        Address::new(addr.ip().to_string(), addr.port())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_ipv4_name_and_ipv6() {
        assert_eq!(Address::new("127.0.0.1", 1).to_string(), "127.0.0.1:1");
        assert_eq!(
            Address::new("neo4j.local", 7687).to_string(),
            "neo4j.local:7687"
        );
        assert_eq!(Address::new("fe80::1", 7687).to_string(), "[fe80::1]:7687");
    }

    #[test]
    fn converts_from_socket_addr() {
        let sa: std::net::SocketAddr = "[::1]:9000".parse().unwrap();
        let a = Address::from(sa);
        assert_eq!(a.host(), "::1");
        assert_eq!(a.port(), 9000);
        assert!(a.is_ipv6());
    }
}
