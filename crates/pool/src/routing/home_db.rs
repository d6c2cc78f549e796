//! The home-database cache: which database a user's work lands in when the
//! session names none, so the extra resolution round trip can be skipped.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Whose home database an entry holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HomeDbKey {
    /// The driver's own credentials.
    Driver,
    /// An impersonated user.
    ImpersonatedUser(String),
    /// Session-level credentials, identified by a caller-made key (e.g. a
    /// scheme and principal; never the secret itself).
    Auth(String),
}

impl HomeDbKey {
    /// The key for a request: the impersonated user wins over session auth,
    /// which wins over the driver's credentials.
    pub fn for_request(impersonated_user: Option<&str>, auth_key: Option<&str>) -> Self {
        match (impersonated_user, auth_key) {
            (Some(user), _) => Self::ImpersonatedUser(user.to_owned()),
            (None, Some(auth)) => Self::Auth(auth.to_owned()),
            (None, None) => Self::Driver,
        }
    }
}

/// A bounded cache from [`HomeDbKey`] to database name, each entry valid for
/// a TTL. Filled from ROUTE replies and from Bolt 5.8+ BEGIN/RUN replies.
///
/// ```
/// use quiver_pool::{HomeDbCache, HomeDbKey};
/// use std::time::{Duration, Instant};
/// let mut cache = HomeDbCache::new(Duration::from_secs(5), 1000);
/// let now = Instant::now();
/// cache.insert(HomeDbKey::Driver, "neo4j", now);
/// assert_eq!(cache.get(&HomeDbKey::Driver, now), Some("neo4j"));
/// assert_eq!(cache.get(&HomeDbKey::Driver, now + Duration::from_secs(5)), None);
/// ```
#[derive(Debug, Clone)]
pub struct HomeDbCache {
    entries: HashMap<HomeDbKey, (String, Instant)>,
    ttl: Duration,
    max_size: usize,
}

impl HomeDbCache {
    /// An empty cache; entries live `ttl`; at most `max_size` entries.
    pub fn new(ttl: Duration, max_size: usize) -> Self {
        Self {
            entries: HashMap::new(),
            ttl,
            max_size: max_size.max(1),
        }
    }

    /// The cached home database for `key`, if still valid at `now`.
    pub fn get(&self, key: &HomeDbKey, now: Instant) -> Option<&str> {
        let (db, at) = self.entries.get(key)?;
        let valid = at.checked_add(self.ttl).is_none_or(|until| now < until);
        valid.then_some(db.as_str())
    }

    /// Records `key`'s home database as of `now`. When full, the oldest
    /// tenth of the entries (and every expired one) is dropped first.
    pub fn insert(&mut self, key: HomeDbKey, database: impl Into<String>, now: Instant) {
        if !self.entries.contains_key(&key) && self.entries.len() >= self.max_size {
            self.prune(now);
        }
        self.entries.insert(key, (database.into(), now));
    }

    /// Forgets `key`.
    pub fn remove(&mut self, key: &HomeDbKey) {
        self.entries.remove(key);
    }

    /// Forgets every entry that points at `database`.
    pub fn forget_database(&mut self, database: &str) {
        self.entries.retain(|_, (db, _)| db != database);
    }

    /// Number of entries, valid or not.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn prune(&mut self, now: Instant) {
        let ttl = self.ttl;
        self.entries
            .retain(|_, (_, at)| at.checked_add(ttl).is_none_or(|until| now < until));
        if self.entries.len() < self.max_size {
            return;
        }
        let mut ages: Vec<Instant> = self.entries.values().map(|(_, at)| *at).collect();
        ages.sort_unstable();
        let drop = (self.max_size / 10).max(1);
        if let Some(cutoff) = ages.get(drop.saturating_sub(1)).copied() {
            self.entries.retain(|_, (_, at)| *at > cutoff);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_precedence() {
        assert_eq!(
            HomeDbKey::for_request(Some("u"), Some("a")),
            HomeDbKey::ImpersonatedUser("u".into())
        );
        assert_eq!(
            HomeDbKey::for_request(None, Some("a")),
            HomeDbKey::Auth("a".into())
        );
        assert_eq!(HomeDbKey::for_request(None, None), HomeDbKey::Driver);
    }

    #[test]
    fn keys_are_separate_and_forgettable() {
        let now = Instant::now();
        let mut c = HomeDbCache::new(Duration::from_secs(60), 100);
        c.insert(HomeDbKey::Driver, "neo4j", now);
        c.insert(HomeDbKey::ImpersonatedUser("bob".into()), "bobdb", now);
        assert_eq!(
            c.get(&HomeDbKey::ImpersonatedUser("bob".into()), now),
            Some("bobdb")
        );
        c.forget_database("bobdb");
        assert_eq!(c.get(&HomeDbKey::ImpersonatedUser("bob".into()), now), None);
        assert_eq!(c.get(&HomeDbKey::Driver, now), Some("neo4j"));
    }

    #[test]
    fn bounded_size_drops_oldest() {
        let t0 = Instant::now();
        let mut c = HomeDbCache::new(Duration::from_secs(1000), 10);
        for i in 0..10u64 {
            c.insert(
                HomeDbKey::Auth(i.to_string()),
                "db",
                t0 + Duration::from_secs(i),
            );
        }
        c.insert(
            HomeDbKey::Auth("new".into()),
            "db",
            t0 + Duration::from_secs(20),
        );
        assert_eq!(c.len(), 10);
        assert_eq!(
            c.get(&HomeDbKey::Auth("0".into()), t0 + Duration::from_secs(20)),
            None
        );
        assert!(c
            .get(&HomeDbKey::Auth("new".into()), t0 + Duration::from_secs(20))
            .is_some());
    }
}
