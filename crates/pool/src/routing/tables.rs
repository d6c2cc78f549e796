//! Every database's routing table, with the removal rules applied across them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::{AccessMode, RoutingTable};
use crate::Address;

/// Routing tables keyed by database name (`None`: the table was filled by a
/// server that named no database).
///
/// ```
/// use quiver_pool::{AccessMode, Address, RouteReply, RoutingTable, RoutingTables};
/// use std::time::{Duration, Instant};
/// let (a, b) = (Address::new("a", 1), Address::new("b", 1));
/// let now = Instant::now();
/// let mut tables = RoutingTables::new(Duration::from_secs(30));
/// let reply = RouteReply::new(Duration::from_secs(60), Some("neo4j".into()),
///     vec![a.clone(), b.clone()], vec![b.clone()], vec![a.clone()]);
/// tables.insert(RoutingTable::from_reply(reply, now), now);
/// assert!(tables.is_fresh(Some("neo4j"), AccessMode::Write, now));
/// tables.remove_writer(Some("neo4j"), &a); // NotALeader from a
/// assert!(!tables.is_fresh(Some("neo4j"), AccessMode::Write, now));
/// tables.remove_server(&b); // b refused connections
/// assert!(tables.get(Some("neo4j")).unwrap().readers().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct RoutingTables {
    tables: HashMap<Option<String>, RoutingTable>,
    purge_delay: Duration,
}

impl RoutingTables {
    /// No tables; a table is dropped `purge_delay` after it expired.
    pub fn new(purge_delay: Duration) -> Self {
        Self {
            tables: HashMap::new(),
            purge_delay,
        }
    }

    /// The table for `database`.
    pub fn get(&self, database: Option<&str>) -> Option<&RoutingTable> {
        self.tables.get(&database.map(str::to_owned))
    }

    /// Whether `database`'s table can serve `mode` at `now`.
    pub fn is_fresh(&self, database: Option<&str>, mode: AccessMode, now: Instant) -> bool {
        self.get(database).is_some_and(|t| t.is_fresh(mode, now))
    }

    /// Stores `table` under its database, replacing the old one, and drops
    /// tables of other databases that expired more than the purge delay ago.
    pub fn insert(&mut self, table: RoutingTable, now: Instant) {
        let key = table.database().map(str::to_owned);
        let delay = self.purge_delay;
        self.tables
            .retain(|k, t| *k == key || !t.should_be_purged(now, delay));
        self.tables.insert(key, table);
    }

    /// A server refused connections or failed: it leaves every table.
    pub fn remove_server(&mut self, address: &Address) {
        for t in self.tables.values_mut() {
            t.remove_server(address);
        }
    }

    /// A writer answered NotALeader / ForbiddenOnReadOnlyDatabase: it stops
    /// being a writer for `database`.
    pub fn remove_writer(&mut self, database: Option<&str>, address: &Address) {
        if let Some(t) = self.tables.get_mut(&database.map(str::to_owned)) {
            t.remove_writer(address);
        }
    }

    /// Drops `database`'s table (e.g. the database was not found).
    pub fn forget(&mut self, database: Option<&str>) {
        self.tables.remove(&database.map(str::to_owned));
    }

    /// Routers to ask for `database`: its own table's, or else every router
    /// any table knows (the cluster is the same for every database).
    pub fn routers_for(&self, database: Option<&str>) -> Vec<Address> {
        if let Some(t) = self.get(database) {
            if !t.routers().is_empty() {
                return t.routers().to_vec();
            }
        }
        let mut all: Vec<Address> = Vec::new();
        for t in self.tables.values() {
            for r in t.routers() {
                if !all.contains(r) {
                    all.push(r.clone());
                }
            }
        }
        all
    }

    /// Whether any table names `address`.
    pub fn contains_server(&self, address: &Address) -> bool {
        self.tables.values().any(|t| {
            t.routers().contains(address)
                || t.readers().contains(address)
                || t.writers().contains(address)
        })
    }

    /// The databases that have a table.
    pub fn databases(&self) -> impl Iterator<Item = Option<&str>> {
        self.tables.keys().map(|k| k.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RouteReply;

    fn a(s: &str) -> Address {
        Address::parse(s).unwrap()
    }

    fn t(
        db: &str,
        routers: &[&str],
        readers: &[&str],
        writers: &[&str],
        ttl: u64,
        now: Instant,
    ) -> RoutingTable {
        let v = |x: &[&str]| x.iter().map(|s| a(s)).collect();
        RoutingTable::from_reply(
            RouteReply::new(
                Duration::from_secs(ttl),
                Some(db.into()),
                v(routers),
                v(readers),
                v(writers),
            ),
            now,
        )
    }

    #[test]
    fn remove_server_hits_every_table() {
        let now = Instant::now();
        let mut ts = RoutingTables::new(Duration::from_secs(30));
        ts.insert(t("x", &["r:1", "s:1"], &["r:1"], &["s:1"], 60, now), now);
        ts.insert(t("y", &["r:1"], &["s:1"], &["r:1"], 60, now), now);
        ts.remove_server(&a("r:1"));
        assert!(!ts.contains_server(&a("r:1")));
        assert!(!ts.is_fresh(Some("x"), AccessMode::Read, now));
        assert!(
            !ts.is_fresh(Some("y"), AccessMode::Read, now),
            "y lost its only router"
        );
        assert!(ts.is_fresh(Some("x"), AccessMode::Write, now));
    }

    #[test]
    fn remove_writer_only_in_that_database() {
        let now = Instant::now();
        let mut ts = RoutingTables::new(Duration::from_secs(30));
        ts.insert(t("x", &["w:1"], &["w:1"], &["w:1"], 60, now), now);
        ts.insert(t("y", &["w:1"], &["w:1"], &["w:1"], 60, now), now);
        ts.remove_writer(Some("x"), &a("w:1"));
        assert!(!ts.is_fresh(Some("x"), AccessMode::Write, now));
        assert!(ts.is_fresh(Some("x"), AccessMode::Read, now));
        assert!(ts.is_fresh(Some("y"), AccessMode::Write, now));
    }

    #[test]
    fn forget_and_purge() {
        let now = Instant::now();
        let mut ts = RoutingTables::new(Duration::from_secs(30));
        ts.insert(t("old", &["a:1"], &["a:1"], &[], 10, now), now);
        ts.insert(t("db", &["a:1"], &["a:1"], &[], 10, now), now);
        ts.forget(Some("db"));
        assert!(ts.get(Some("db")).is_none());
        let later = now + Duration::from_secs(41);
        ts.insert(t("new", &["b:1"], &["b:1"], &[], 10, later), later);
        assert!(ts.get(Some("old")).is_none(), "purged");
        assert_eq!(ts.databases().count(), 1);
    }

    #[test]
    fn routers_fall_back_to_other_tables() {
        let now = Instant::now();
        let mut ts = RoutingTables::new(Duration::from_secs(30));
        ts.insert(t("x", &["r:1", "s:1"], &["r:1"], &[], 60, now), now);
        assert_eq!(ts.routers_for(Some("x")).len(), 2);
        assert_eq!(ts.routers_for(Some("unknown")).len(), 2);
        assert!(RoutingTables::new(Duration::ZERO)
            .routers_for(None)
            .is_empty());
    }
}
