//! [`Presence`]: a request field that may be absent, `null`, or set, where TestKit gives the
//! three cases different meanings.

use serde::{Deserialize, Deserializer};

/// A field that is absent, `null`, or has a value. Use with `#[serde(default)]`.
///
/// For example `trustedCertificates`: absent means "driver default (system CAs)", `null` means
/// "system CAs" explicitly, `[]` means "trust all" and `["path"]` means "these CAs".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Presence<T> {
    /// The field was not in the message.
    #[default]
    Absent,
    /// The field was `null`.
    Null,
    /// The field had a value.
    Value(T),
}

impl<T> Presence<T> {
    /// Whether the field was in the message (as `null` or a value).
    pub fn is_present(&self) -> bool {
        !matches!(self, Presence::Absent)
    }

    /// The value, if any (absent and `null` both give `None`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Presence::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if any, by value.
    pub fn into_value(self) -> Option<T> {
        match self {
            Presence::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Presence<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only called when the field is present; `#[serde(default)]` covers absence.
        Ok(match Option::<T>::deserialize(d)? {
            Some(v) => Presence::Value(v),
            None => Presence::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        field: Presence<Vec<String>>,
    }

    #[test]
    fn tells_absent_null_and_value_apart() {
        let absent: Probe = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.field, Presence::Absent);
        let null: Probe = serde_json::from_str(r#"{"field": null}"#).unwrap();
        assert_eq!(null.field, Presence::Null);
        let empty: Probe = serde_json::from_str(r#"{"field": []}"#).unwrap();
        assert_eq!(empty.field, Presence::Value(vec![]));
        assert!(empty.field.is_present());
        assert!(!absent.field.is_present());
    }
}
