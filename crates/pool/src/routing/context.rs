//! The routing context: the `neo4j://` URI's query string, sent with ROUTE.

use std::collections::BTreeMap;

use crate::Address;

/// Key/value pairs the server uses to shape routing (e.g. a region policy),
/// plus `address`, the initial address as the user wrote it.
///
/// ```
/// use quiver_pool::{Address, RoutingContext};
/// let seed = Address::new("db.example.com", 7687);
/// let ctx = RoutingContext::from_query("policy=eu&region=west", &seed).unwrap();
/// assert_eq!(ctx.get("policy"), Some("eu"));
/// assert_eq!(ctx.get("address"), Some("db.example.com:7687"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutingContext {
    entries: BTreeMap<String, String>,
}

/// Why a query string is not a routing context.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid routing context in URI query {query:?}: {reason}")]
pub struct RoutingContextError {
    query: String,
    reason: String,
}

impl RoutingContext {
    /// Parses `key=value&key=value` (percent-decoded; no duplicate keys, no
    /// empty keys or values; `address` is reserved) and adds `address`.
    pub fn from_query(query: &str, initial: &Address) -> Result<Self, RoutingContextError> {
        let err = |reason: String| RoutingContextError {
            query: query.to_owned(),
            reason,
        };
        let mut entries = BTreeMap::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| err(format!("{pair:?} is not key=value")))?;
            let k = percent_decode(k).ok_or_else(|| err(format!("bad escape in {k:?}")))?;
            let v = percent_decode(v).ok_or_else(|| err(format!("bad escape in {v:?}")))?;
            if k.is_empty() || v.is_empty() {
                return Err(err(format!("empty key or value in {pair:?}")));
            }
            if k == "address" {
                return Err(err("the key \"address\" is reserved".into()));
            }
            if entries.insert(k.clone(), v).is_some() {
                return Err(err(format!("duplicate key {k:?}")));
            }
        }
        entries.insert("address".to_owned(), initial.to_string());
        Ok(Self { entries })
    }

    /// A context holding only `address`.
    pub fn for_address(initial: &Address) -> Self {
        let mut entries = BTreeMap::new();
        entries.insert("address".to_owned(), initial.to_string());
        Self { entries }
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// All pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The pairs as a map, the shape ROUTE sends.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.entries
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_adds_address() {
        let seed = Address::new("h", 1);
        let ctx = RoutingContext::from_query("a=1&b=x%20y&", &seed).unwrap();
        let pairs: Vec<_> = ctx.iter().collect();
        assert_eq!(pairs, [("a", "1"), ("address", "h:1"), ("b", "x y")]);
        assert_eq!(
            RoutingContext::from_query("", &seed).unwrap(),
            RoutingContext::for_address(&seed)
        );
    }

    #[test]
    fn rejects_bad_queries() {
        let seed = Address::new("h", 1);
        for q in ["a", "a=", "=1", "a=1&a=2", "address=x", "a=%zz", "a=%4"] {
            assert!(RoutingContext::from_query(q, &seed).is_err(), "{q:?}");
        }
    }
}
