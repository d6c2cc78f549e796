//! The routing information a ROUTE reply carries (`rt: {ttl, db, servers}`).

use std::collections::HashSet;
use std::time::Duration;

use quiver_packstream::{Map, Value};

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
        // What each role already lists: duplicates are dropped in one pass,
        // not by searching the list for every address (a table of 20,000
        // servers would cost 200 million comparisons).
        let mut seen: [HashSet<Address>; 3] = Default::default();
        for (role, addresses) in servers {
            let (list, seen) = match role {
                "ROUTE" => (&mut reply.routers, &mut seen[0]),
                "READ" => (&mut reply.readers, &mut seen[1]),
                "WRITE" => (&mut reply.writers, &mut seen[2]),
                other => {
                    tracing::debug!(role = other, "ignoring unknown server role in ROUTE reply");
                    continue;
                }
            };
            for a in addresses {
                let address = Address::parse(a).map_err(|e| RouteReplyError::new(e.to_string()))?;
                if seen.insert(address.clone()) {
                    list.push(address);
                }
            }
        }
        Ok(reply)
    }

    /// Reads the `rt` map of a ROUTE SUCCESS: `ttl` (integer seconds),
    /// `db` (string or null, optional), `servers` (a list of maps, each with
    /// a `role` string and an `addresses` list of strings).
    ///
    /// ```
    /// use quiver_packstream::{Map, Value};
    /// use quiver_pool::RouteReply;
    /// let server = Map::from([
    ///     ("role".to_owned(), Value::String("READ".into())),
    ///     ("addresses".to_owned(), Value::List(vec![Value::String("r:7687".into())])),
    /// ]);
    /// let rt = Map::from([
    ///     ("ttl".to_owned(), Value::Integer(300)),
    ///     ("db".to_owned(), Value::String("neo4j".into())),
    ///     ("servers".to_owned(), Value::List(vec![Value::Map(server)])),
    /// ]);
    /// let reply = RouteReply::from_rt(&rt).unwrap();
    /// assert_eq!(reply.readers()[0].host(), "r");
    /// ```
    pub fn from_rt(rt: &Map) -> Result<Self, RouteReplyError> {
        let ttl = match rt.get("ttl") {
            Some(Value::Integer(t)) => *t,
            Some(other) => {
                return Err(RouteReplyError::new(format!(
                    "ttl is not an integer: {other:?}"
                )))
            }
            None => return Err(RouteReplyError::new("no ttl")),
        };
        let database = match rt.get("db") {
            None | Some(Value::Null) => None,
            Some(Value::String(db)) => Some(db.as_str()),
            Some(other) => {
                return Err(RouteReplyError::new(format!(
                    "db is not a string: {other:?}"
                )))
            }
        };
        let servers = match rt.get("servers") {
            Some(Value::List(list)) => list,
            Some(other) => {
                return Err(RouteReplyError::new(format!(
                    "servers is not a list: {other:?}"
                )))
            }
            None => return Err(RouteReplyError::new("no servers")),
        };
        let mut entries: Vec<(&str, Vec<&str>)> = Vec::with_capacity(servers.len());
        for server in servers {
            let Value::Map(server) = server else {
                return Err(RouteReplyError::new("a server entry is not a map"));
            };
            let Some(Value::String(role)) = server.get("role") else {
                return Err(RouteReplyError::new("a server entry has no role string"));
            };
            let Some(Value::List(addresses)) = server.get("addresses") else {
                return Err(RouteReplyError::new("a server entry has no addresses list"));
            };
            let mut list = Vec::with_capacity(addresses.len());
            for a in addresses {
                match a {
                    Value::String(s) => list.push(s.as_str()),
                    other => {
                        return Err(RouteReplyError::new(format!(
                            "an address is not a string: {other:?}"
                        )))
                    }
                }
            }
            entries.push((role.as_str(), list));
        }
        Self::from_parts(ttl, database, entries)
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

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn server(role: Value, addresses: Value) -> Value {
        Value::Map(Map::from([
            ("role".to_owned(), role),
            ("addresses".to_owned(), addresses),
        ]))
    }

    fn rt(ttl: Value, db: Option<Value>, servers: Value) -> Map {
        let mut m = Map::from([("ttl".to_owned(), ttl), ("servers".to_owned(), servers)]);
        if let Some(db) = db {
            m.insert("db".to_owned(), db);
        }
        m
    }

    #[test]
    fn rt_map_parses() {
        let servers = Value::List(vec![
            server(s("ROUTE"), Value::List(vec![s("a:1"), s("b:1")])),
            server(s("WRITE"), Value::List(vec![s("a:1")])),
            server(s("READ"), Value::List(vec![s("b:1"), s("[::1]:2")])),
        ]);
        let r =
            RouteReply::from_rt(&rt(Value::Integer(30), Some(s("x")), servers.clone())).unwrap();
        assert_eq!(r.ttl(), Duration::from_secs(30));
        assert_eq!(r.database(), Some("x"));
        assert_eq!(r.readers(), &[Address::new("b", 1), Address::new("::1", 2)]);
        let r = RouteReply::from_rt(&rt(Value::Integer(30), Some(Value::Null), servers.clone()))
            .unwrap();
        assert_eq!(r.database(), None);
        let r = RouteReply::from_rt(&rt(Value::Integer(30), None, servers)).unwrap();
        assert_eq!(r.database(), None);
    }

    #[test]
    fn hostile_rt_maps_are_errors_not_panics() {
        let good_servers = Value::List(vec![server(s("READ"), Value::List(vec![s("a:1")]))]);
        let cases: Vec<Map> = vec![
            Map::new(),
            rt(s("10"), None, good_servers.clone()),
            rt(
                Value::Integer(1),
                Some(Value::Integer(3)),
                good_servers.clone(),
            ),
            rt(Value::Integer(1), None, s("nope")),
            rt(Value::Integer(1), None, Value::List(vec![s("x")])),
            rt(
                Value::Integer(1),
                None,
                Value::List(vec![server(Value::Null, Value::List(vec![]))]),
            ),
            rt(
                Value::Integer(1),
                None,
                Value::List(vec![server(s("READ"), s("a:1"))]),
            ),
            rt(
                Value::Integer(1),
                None,
                Value::List(vec![server(
                    s("READ"),
                    Value::List(vec![Value::Integer(1)]),
                )]),
            ),
            rt(
                Value::Integer(1),
                None,
                Value::List(vec![server(s("READ"), Value::List(vec![s("a:-1")]))]),
            ),
        ];
        for (i, case) in cases.iter().enumerate() {
            assert!(RouteReply::from_rt(case).is_err(), "case {i} parsed");
        }
        let mut no_servers = rt(Value::Integer(1), None, Value::Null);
        no_servers.remove("servers");
        assert!(RouteReply::from_rt(&no_servers).is_err());
        // Extreme TTLs are clamped, not overflowed.
        let r =
            RouteReply::from_rt(&rt(Value::Integer(i64::MIN), None, good_servers.clone())).unwrap();
        assert_eq!(r.ttl(), Duration::ZERO);
        let r = RouteReply::from_rt(&rt(Value::Integer(i64::MAX), None, good_servers)).unwrap();
        assert!(r.ttl() > Duration::from_secs(1 << 40));
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
