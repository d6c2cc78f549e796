//! One database's routing table.

use std::time::{Duration, Instant};

use super::{AccessMode, RouteReply};
use crate::Address;

/// The routers, readers and writers of one database, and how long they hold.
///
/// Stale rules follow the official drivers: a table is fresh for a mode when
/// it has not expired, has at least one router and at least one server for
/// that mode (a reader for [`AccessMode::Read`], a writer for
/// [`AccessMode::Write`]).
///
/// ```
/// use quiver_pool::{AccessMode, Address, RouteReply, RoutingTable};
/// use std::time::{Duration, Instant};
/// let a = Address::new("a", 7687);
/// let reply = RouteReply::new(Duration::from_secs(300), Some("neo4j".into()),
///     vec![a.clone()], vec![a.clone()], vec![]);
/// let now = Instant::now();
/// let table = RoutingTable::from_reply(reply, now);
/// assert!(table.is_fresh(AccessMode::Read, now));
/// assert!(!table.is_fresh(AccessMode::Write, now)); // no writer
/// assert!(!table.is_fresh(AccessMode::Read, now + Duration::from_secs(300)));
/// ```
#[derive(Debug, Clone)]
pub struct RoutingTable {
    database: Option<String>,
    routers: Vec<Address>,
    readers: Vec<Address>,
    writers: Vec<Address>,
    ttl: Duration,
    updated_at: Instant,
    initialized_without_writers: bool,
}

impl RoutingTable {
    /// The table a database starts with before any ROUTE: the initial router
    /// only, already expired.
    pub fn initial(database: Option<String>, router: Address, now: Instant) -> Self {
        Self {
            database,
            routers: vec![router],
            readers: Vec::new(),
            writers: Vec::new(),
            ttl: Duration::ZERO,
            updated_at: now,
            initialized_without_writers: true,
        }
    }

    /// The table a ROUTE reply describes, as of `now`.
    pub fn from_reply(reply: RouteReply, now: Instant) -> Self {
        let initialized_without_writers = reply.writers.is_empty();
        Self {
            database: reply.database,
            routers: reply.routers,
            readers: reply.readers,
            writers: reply.writers,
            ttl: reply.ttl,
            updated_at: now,
            initialized_without_writers,
        }
    }

    /// Names the database when the server named none.
    pub(crate) fn set_database(&mut self, database: Option<String>) {
        self.database = database;
    }

    /// The database this table routes for (`None`: the server named none).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// Servers that answer ROUTE.
    pub fn routers(&self) -> &[Address] {
        &self.routers
    }

    /// Servers for read work.
    pub fn readers(&self) -> &[Address] {
        &self.readers
    }

    /// Servers for write work.
    pub fn writers(&self) -> &[Address] {
        &self.writers
    }

    /// Servers for `mode`.
    pub fn servers_for(&self, mode: AccessMode) -> &[Address] {
        match mode {
            AccessMode::Read => &self.readers,
            AccessMode::Write => &self.writers,
        }
    }

    /// How long the table holds from its update.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Whether the last ROUTE that filled this table named no writer (a
    /// leader election was likely under way): the next refresh then asks the
    /// initial address first.
    pub fn initialized_without_writers(&self) -> bool {
        self.initialized_without_writers
    }

    /// Whether the TTL has run out at `now`.
    pub fn is_expired(&self, now: Instant) -> bool {
        match self.updated_at.checked_add(self.ttl) {
            Some(expires_at) => expires_at <= now,
            None => false,
        }
    }

    /// Whether the table can serve `mode` at `now` without a refresh.
    pub fn is_fresh(&self, mode: AccessMode, now: Instant) -> bool {
        !self.is_expired(now) && !self.routers.is_empty() && !self.servers_for(mode).is_empty()
    }

    /// Whether the table expired more than `purge_delay` before `now` and
    /// may be dropped from memory.
    pub fn should_be_purged(&self, now: Instant, purge_delay: Duration) -> bool {
        match self
            .updated_at
            .checked_add(self.ttl)
            .and_then(|t| t.checked_add(purge_delay))
        {
            Some(purge_at) => purge_at <= now,
            None => false,
        }
    }

    /// Removes `address` from routers, readers and writers.
    pub fn remove_server(&mut self, address: &Address) {
        self.routers.retain(|a| a != address);
        self.readers.retain(|a| a != address);
        self.writers.retain(|a| a != address);
    }

    /// Removes `address` from the writers only.
    pub fn remove_writer(&mut self, address: &Address) {
        self.writers.retain(|a| a != address);
    }

    /// Every address in the table, routers first, without duplicates.
    pub fn servers(&self) -> Vec<Address> {
        let mut all: Vec<Address> = Vec::new();
        for a in self
            .routers
            .iter()
            .chain(&self.readers)
            .chain(&self.writers)
        {
            if !all.contains(a) {
                all.push(a.clone());
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> Address {
        Address::parse(s).unwrap()
    }

    fn table(routers: &[&str], readers: &[&str], writers: &[&str], ttl: u64) -> RoutingTable {
        let conv = |v: &[&str]| v.iter().map(|s| addr(s)).collect::<Vec<_>>();
        let reply = RouteReply::new(
            Duration::from_secs(ttl),
            Some("db".into()),
            conv(routers),
            conv(readers),
            conv(writers),
        );
        RoutingTable::from_reply(reply, T0.with(|t| *t))
    }

    thread_local! { static T0: Instant = Instant::now(); }

    fn at(secs: u64) -> Instant {
        T0.with(|t| *t) + Duration::from_secs(secs)
    }

    #[test]
    fn freshness_from_table_of_cases() {
        // routers, readers, writers, ttl, probe time, fresh for read, fresh for write
        type Case<'a> = (
            &'a [&'a str],
            &'a [&'a str],
            &'a [&'a str],
            u64,
            u64,
            bool,
            bool,
        );
        let cases: &[Case<'_>] = &[
            (&["r:1"], &["a:1"], &["w:1"], 10, 0, true, true),
            (&["r:1"], &["a:1"], &["w:1"], 10, 9, true, true),
            (&["r:1"], &["a:1"], &["w:1"], 10, 10, false, false),
            (&["r:1"], &["a:1"], &[], 10, 0, true, false),
            (&["r:1"], &[], &["w:1"], 10, 0, false, true),
            (&[], &["a:1"], &["w:1"], 10, 0, false, false),
            (&["r:1"], &["a:1"], &["w:1"], 0, 0, false, false),
        ];
        for (i, (r, rd, w, ttl, probe, fr, fw)) in cases.iter().enumerate() {
            let t = table(r, rd, w, *ttl);
            assert_eq!(
                t.is_fresh(AccessMode::Read, at(*probe)),
                *fr,
                "case {i} read"
            );
            assert_eq!(
                t.is_fresh(AccessMode::Write, at(*probe)),
                *fw,
                "case {i} write"
            );
        }
    }

    #[test]
    fn initial_table_is_stale_and_prefers_initial_router() {
        let t = RoutingTable::initial(None, addr("seed:7687"), at(0));
        assert!(!t.is_fresh(AccessMode::Read, at(0)));
        assert!(t.initialized_without_writers());
        assert_eq!(t.routers(), &[addr("seed:7687")]);
    }

    #[test]
    fn removal_rules() {
        let mut t = table(&["a:1", "b:1"], &["a:1", "c:1"], &["a:1"], 60);
        t.remove_writer(&addr("a:1"));
        assert!(t.writers().is_empty());
        assert_eq!(t.readers().len(), 2);
        t.remove_server(&addr("a:1"));
        assert_eq!(t.routers(), &[addr("b:1")]);
        assert_eq!(t.readers(), &[addr("c:1")]);
        assert_eq!(t.servers(), vec![addr("b:1"), addr("c:1")]);
    }

    #[test]
    fn purge_after_delay() {
        let t = table(&["a:1"], &["a:1"], &["a:1"], 10);
        let d = Duration::from_secs(30);
        assert!(!t.should_be_purged(at(39), d));
        assert!(t.should_be_purged(at(40), d));
    }

    #[test]
    fn huge_ttl_never_expires() {
        let reply = RouteReply::new(
            Duration::MAX,
            None,
            vec![addr("a:1")],
            vec![addr("a:1")],
            vec![],
        );
        let t = RoutingTable::from_reply(reply, at(0));
        assert!(!t.is_expired(at(1_000_000)));
        assert!(!t.should_be_purged(at(1_000_000), Duration::MAX));
    }
}
