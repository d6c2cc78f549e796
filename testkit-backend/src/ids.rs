//! Backend-chosen ids for every object TestKit refers to, and the registries that hold the objects.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// An opaque id the backend hands to TestKit. Sent as a JSON number; accepted back as a
/// number or a string of digits (TestKit echoes whatever it got, but be lenient).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(u64);

impl Id {
    /// The raw number.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for Id {
    fn from(raw: u64) -> Self {
        Self(raw)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a backend id (non-negative integer or string of digits)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                u64::try_from(v)
                    .map(Id)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                v.parse()
                    .map(Id)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// Hands out fresh ids; one per connection, shared by every kind of object (TestKit requires the
/// auth-manager kinds to share one id space, sharing it for everything is simplest).
#[derive(Debug, Default)]
pub struct IdGenerator(AtomicU64);

impl IdGenerator {
    /// A new generator; the first id is 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next unused id.
    pub fn next_id(&self) -> Id {
        Id(self.0.fetch_add(1, Ordering::Relaxed))
    }
}

/// Objects of one kind (drivers, sessions, ...) by id.
#[derive(Debug)]
pub struct Registry<T> {
    kind: &'static str,
    objects: HashMap<Id, T>,
}

impl<T> Registry<T> {
    /// An empty registry; `kind` names the objects in error messages ("driver", "session").
    pub fn new(kind: &'static str) -> Self {
        Self {
            kind,
            objects: HashMap::new(),
        }
    }

    /// Stores `object` under `id`, replacing (and returning) any previous object with that id.
    pub fn insert(&mut self, id: Id, object: T) -> Option<T> {
        self.objects.insert(id, object)
    }

    /// The object with `id`, or a backend failure naming the kind and id.
    pub fn get(&self, id: Id) -> Result<&T, Error> {
        self.objects.get(&id).ok_or_else(|| self.unknown(id))
    }

    /// The object with `id` for changing, or a backend failure naming the kind and id.
    pub fn get_mut(&mut self, id: Id) -> Result<&mut T, Error> {
        match self.objects.get_mut(&id) {
            Some(object) => Ok(object),
            None => Err(Error::UnknownId {
                kind: self.kind,
                id,
            }),
        }
    }

    /// Removes and returns the object with `id`.
    pub fn remove(&mut self, id: Id) -> Result<T, Error> {
        self.objects.remove(&id).ok_or_else(|| self.unknown(id))
    }

    /// Whether an object with `id` is stored.
    pub fn contains(&self, id: Id) -> bool {
        self.objects.contains_key(&id)
    }

    /// How many objects are stored.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    fn unknown(&self, id: Id) -> Error {
        Error::UnknownId {
            kind: self.kind,
            id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fresh_and_shared() {
        let ids = IdGenerator::new();
        let a = ids.next_id();
        let b = ids.next_id();
        assert_ne!(a, b);
    }

    #[test]
    fn id_json_forms() {
        assert_eq!(serde_json::to_string(&Id(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<Id>("7").unwrap(), Id(7));
        assert_eq!(serde_json::from_str::<Id>("\"12\"").unwrap(), Id(12));
        assert!(serde_json::from_str::<Id>("-1").is_err());
        assert!(serde_json::from_str::<Id>("\"x\"").is_err());
        assert!(serde_json::from_str::<Id>("1.5").is_err());
    }

    #[test]
    fn registry_reports_unknown_ids() {
        let mut reg = Registry::new("driver");
        reg.insert(Id(1), "one");
        assert_eq!(*reg.get(Id(1)).unwrap(), "one");
        let err = reg.get(Id(2)).unwrap_err();
        assert_eq!(err.to_string(), "unknown driver id 2");
        assert_eq!(reg.remove(Id(1)).unwrap(), "one");
        assert!(reg.is_empty());
    }
}
