//! The home-database cache: which database a user's work lands in when the
//! session names none, so the extra resolution round trip can be skipped.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use quiver_bolt::AuthToken;

/// Whose home database an entry holds: the principal work runs as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HomeDbKey {
    /// The driver's own credentials, whatever token its auth manager hands
    /// out at the time (they all stand for the same user).
    Driver,
    /// A user by name: an impersonated user, or the principal of
    /// session-level `basic` credentials (the same user either way).
    User(String),
    /// Session-level credentials of another scheme, identified by scheme,
    /// principal and realm (never the secret itself).
    Credentials(String),
}

impl HomeDbKey {
    /// The key for work done as `impersonated_user` (which wins) or with
    /// the session-level credentials `session_auth` (else the driver's).
    ///
    /// `None` when the principal can't be named without the secret (a
    /// session token without a principal, such as `bearer`): such work
    /// neither reads nor fills the cache.
    ///
    /// ```
    /// use quiver_bolt::AuthToken;
    /// use quiver_pool::HomeDbKey;
    /// let basic = AuthToken::basic("bob", "secret");
    /// assert_eq!(HomeDbKey::for_session(None, Some(&basic)), HomeDbKey::for_session(Some("bob"), None));
    /// assert_eq!(HomeDbKey::for_session(None, None), Some(HomeDbKey::Driver));
    /// assert_eq!(HomeDbKey::for_session(None, Some(&AuthToken::bearer("t"))), None);
    /// ```
    pub fn for_session(
        impersonated_user: Option<&str>,
        session_auth: Option<&AuthToken>,
    ) -> Option<Self> {
        if let Some(user) = impersonated_user {
            return Some(Self::User(user.to_owned()));
        }
        let Some(auth) = session_auth else {
            return Some(Self::Driver);
        };
        let principal = auth.principal()?;
        if auth.scheme() == "basic" {
            return Some(Self::User(principal.to_owned()));
        }
        // Length-prefixed parts: no two tokens share a key by accident.
        let mut key = String::new();
        for part in [auth.scheme(), principal, auth.realm().unwrap_or_default()] {
            key.push_str(&part.len().to_string());
            key.push(':');
            key.push_str(part);
        }
        Some(Self::Credentials(key))
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
    fn key_is_the_principal() {
        let basic = AuthToken::basic("u", "pw");
        let other_basic = AuthToken::basic("u", "other password");
        let custom = AuthToken::custom("special", "u", "pw", None, None);
        let key = HomeDbKey::for_session;
        assert_eq!(
            key(Some("u"), Some(&custom)),
            Some(HomeDbKey::User("u".into()))
        );
        assert_eq!(key(None, Some(&basic)), Some(HomeDbKey::User("u".into())));
        assert_eq!(key(None, Some(&basic)), key(None, Some(&other_basic)));
        assert_ne!(key(None, Some(&custom)), key(None, Some(&basic)));
        assert_ne!(
            key(None, Some(&custom)),
            key(
                None,
                Some(&AuthToken::custom("special", "v", "pw", None, None))
            )
        );
        assert_eq!(key(None, None), Some(HomeDbKey::Driver));
        assert_eq!(key(None, Some(&AuthToken::bearer("t"))), None);
        assert_eq!(key(None, Some(&AuthToken::none())), None);
    }

    #[test]
    fn keys_are_separate_and_forgettable() {
        let now = Instant::now();
        let mut c = HomeDbCache::new(Duration::from_secs(60), 100);
        c.insert(HomeDbKey::Driver, "neo4j", now);
        c.insert(HomeDbKey::User("bob".into()), "bobdb", now);
        assert_eq!(c.get(&HomeDbKey::User("bob".into()), now), Some("bobdb"));
        c.forget_database("bobdb");
        assert_eq!(c.get(&HomeDbKey::User("bob".into()), now), None);
        assert_eq!(c.get(&HomeDbKey::Driver, now), Some("neo4j"));
    }

    #[test]
    fn bounded_size_drops_oldest() {
        let t0 = Instant::now();
        let mut c = HomeDbCache::new(Duration::from_secs(1000), 10);
        for i in 0..10u64 {
            c.insert(
                HomeDbKey::Credentials(i.to_string()),
                "db",
                t0 + Duration::from_secs(i),
            );
        }
        c.insert(
            HomeDbKey::Credentials("new".into()),
            "db",
            t0 + Duration::from_secs(20),
        );
        assert_eq!(c.len(), 10);
        assert_eq!(
            c.get(
                &HomeDbKey::Credentials("0".into()),
                t0 + Duration::from_secs(20)
            ),
            None
        );
        assert!(c
            .get(
                &HomeDbKey::Credentials("new".into()),
                t0 + Duration::from_secs(20)
            )
            .is_some());
    }
}
