//! Server addresses: `host:port` as the user wrote it (resolution happens on connect).

use std::fmt;
use std::net::SocketAddr;

use crate::error::Error;

/// The default Bolt port.
pub const DEFAULT_PORT: u16 = 7687;

/// A server address: a host name or IP literal and a port.
///
/// ```
/// use quiver_bolt::Address;
///
/// let a: Address = "example.com:7688".parse()?;
/// assert_eq!((a.host(), a.port()), ("example.com", 7688));
/// let b: Address = "[::1]".parse()?;
/// assert_eq!((b.host(), b.port()), ("::1", 7687));
/// assert_eq!(b.to_string(), "[::1]:7687");
/// # Ok::<(), quiver_bolt::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    host: String,
    port: u16,
}

impl Address {
    /// An address from its parts.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        let host = host.into();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .map(str::to_owned)
            .unwrap_or(host);
        Address { host, port }
    }

    /// The host name or IP literal (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl From<SocketAddr> for Address {
    fn from(a: SocketAddr) -> Self {
        Address::new(a.ip().to_string(), a.port())
    }
}

impl std::str::FromStr for Address {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::Address {
            address: s.to_owned(),
            reason: reason.to_owned(),
        };
        if s.is_empty() {
            return Err(bad("empty"));
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(|| bad("unclosed '['"))?;
            match after.strip_prefix(':') {
                Some(p) => (host, Some(p)),
                None if after.is_empty() => (host, None),
                None => return Err(bad("junk after ']'")),
            }
        } else if s.matches(':').count() > 1 {
            (s, None) // bare IPv6 literal
        } else {
            match s.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        if host.is_empty() {
            return Err(bad("empty host"));
        }
        let port = match port {
            Some(p) => p.parse().map_err(|_| bad("invalid port"))?,
            None => DEFAULT_PORT,
        };
        Ok(Address::new(host, port))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let a: Address = "localhost".parse().unwrap();
        assert_eq!(a, Address::new("localhost", 7687));
        let a: Address = "127.0.0.1:1".parse().unwrap();
        assert_eq!(a.to_string(), "127.0.0.1:1");
        let a: Address = "::1".parse().unwrap();
        assert_eq!(a.host(), "::1");
        let a: Address = "[fe80::1]:99".parse().unwrap();
        assert_eq!((a.host(), a.port()), ("fe80::1", 99));
        assert!("".parse::<Address>().is_err());
        assert!("h:x".parse::<Address>().is_err());
        assert!("[::1".parse::<Address>().is_err());
        assert!(":7687".parse::<Address>().is_err());
    }
}
