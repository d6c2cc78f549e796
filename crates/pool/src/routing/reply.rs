//! The routing information a ROUTE reply carries (`rt: {ttl, db, servers}`).

use std::time::Duration;

use crate::Address;

/// The content of a ROUTE reply: TTL, database and the servers per role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteReply {
    pub(crate) ttl: Duration,
    pub(crate) database: Option<String>,
    pub(crate) routers: Vec<Address>,
    pub(crate) readers: Vec<Address>,
    pub(crate) writers: Vec<Address>,
}

/// Why a ROUTE reply could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid routing information: {reason}")]
pub struct RouteReplyError {
    reason: String,
}

impl RouteReplyError {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

impl RouteReply {
    /// A reply from its parts.
    pub fn new(
        ttl: Duration,
        database: Option<String>,
        routers: Vec<Address>,
        readers: Vec<Address>,
        writers: Vec<Address>,
    ) -> Self {
        Self {
            ttl,
            database,
            routers,
            readers,
            writers,
        }
    }

    /// Builds a reply from the fields of `rt`: `ttl` in seconds (negative
    /// counts as zero), `db`, and each server entry as its `role` (`ROUTE`,
    /// `READ`, `WRITE`; other roles are ignored for forward compatibility)
    /// with its `addresses`. An address that does not parse is an error.
    ///
    /// ```
    /// use quiver_pool::RouteReply;
    /// let reply = RouteReply::from_parts(300, Some("neo4j"), [
    ///     ("ROUTE", vec!["a:7687", "b:7687"]),
    ///     ("READ", vec!["b:7687"]),
    ///     ("WRITE", vec!["a:7687"]),
    /// ]).unwrap();
    /// assert_eq!(reply.routers().len(), 2);
    /// assert_eq!(reply.database(), Some("neo4j"));
    /// ```
    pub fn from_parts<'a, I, A>(
        ttl_seconds: i64,
        database: Option<&str>,
        servers: I,
    ) -> Result<Self, RouteReplyError>
    where
        I: IntoIterator<Item = (&'a str, A)>,
        A: IntoIterator<Item = &'a str>,
    {
        let ttl = Duration::from_secs(u64::try_from(ttl_seconds).unwrap_or(0));
        let mut reply = Self::new(ttl, database.map(str::to_owned), vec![], vec![], vec![]);
        for (role, addresses) in servers {
            let list = match role {
                "ROUTE" => &mut reply.routers,
                "READ" => &mut reply.readers,
                "WRITE" => &mut reply.writers,
                other => {
                    tracing::debug!(role = other, "ignoring unknown server role in ROUTE reply");
                    continue;
                }
            };
            for a in addresses {
                let address = Address::parse(a).map_err(|e| RouteReplyError::new(e.to_string()))?;
                if !list.contains(&address) {
                    list.push(address);
                }
            }
        }
        Ok(reply)
    }

    /// How long the information holds.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The database the information is for (the home database when none was
    /// asked for).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// Servers that answer ROUTE.
    pub fn routers(&self) -> &[Address] {
        &self.routers
    }

    /// Servers for reads.
    pub fn readers(&self) -> &[Address] {
        &self.readers
    }

    /// Servers for writes.
    pub fn writers(&self) -> &[Address] {
        &self.writers
    }

    /// Whether the routing driver may use this reply: it needs at least one
    /// router and one reader (no writer is a passing state, e.g. during a
    /// leader election).
    pub fn is_usable(&self) -> bool {
        !self.routers.is_empty() && !self.readers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_roles_and_dedups() {
        let r = RouteReply::from_parts(
            -5,
            None,
            [
                ("ROUTE", vec!["a:1", "a:1", "b:1"]),
                ("READ", vec!["c:1"]),
                ("WRITE", vec!["a:1"]),
                ("FUTURE_ROLE", vec!["not an address:x"]),
            ],
        )
        .unwrap();
        assert_eq!(r.ttl(), Duration::ZERO);
        assert_eq!(r.routers().len(), 2);
        assert_eq!(r.readers(), &[Address::new("c", 1)]);
        assert_eq!(r.writers(), &[Address::new("a", 1)]);
        assert!(r.is_usable());
    }

    #[test]
    fn bad_address_is_an_error() {
        let e = RouteReply::from_parts(1, None, [("READ", vec!["a:99999"])]).unwrap_err();
        assert!(e.to_string().contains("a:99999"), "{e}");
    }

    #[test]
    fn usable_needs_router_and_reader() {
        let no_reader =
            RouteReply::from_parts(1, None, [("ROUTE", vec!["a:1"]), ("WRITE", vec!["a:1"])])
                .unwrap();
        assert!(!no_reader.is_usable());
        let no_router = RouteReply::from_parts(1, None, [("READ", vec!["a:1"])]).unwrap();
        assert!(!no_router.is_usable());
    }
}
