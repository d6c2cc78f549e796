//! Patterns for what the client sends, and the matcher.

use super::data::{Data, Message, TagName};

/// A pattern over one value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pattern {
    /// `"*"`: anything.
    Any,
    /// A value that must be equal (floats: NaN equals NaN).
    Exact(Data),
    /// A list, element by element.
    List(Vec<Pattern>),
    /// A map with required and optional keys.
    Map(MapPattern),
    /// A structure with this tag, field by field.
    Struct { tag: u8, fields: Vec<Pattern> },
}

/// A map pattern: `(key, pattern, optional)` entries.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct MapPattern {
    pub(crate) entries: Vec<(String, Pattern, bool)>,
    /// The map may hold keys the pattern does not name (`"...": ""`).
    pub(crate) open: bool,
}

/// A pattern over one client message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MessagePattern {
    pub(crate) tag: u8,
    /// `None`: any fields (`C: HELLO *`).
    pub(crate) fields: Option<Vec<Pattern>>,
}

impl MessagePattern {
    /// `Ok(())` when `message` matches, else why not.
    pub(crate) fn check(&self, message: &Message) -> Result<(), String> {
        if message.tag != self.tag {
            return Err(format!(
                "expected {}, got {}",
                TagName(self.tag),
                TagName(message.tag)
            ));
        }
        let Some(fields) = &self.fields else {
            return Ok(());
        };
        if fields.len() != message.fields.len() {
            return Err(format!(
                "expected {} fields, got {}",
                fields.len(),
                message.fields.len()
            ));
        }
        for (i, (p, v)) in fields.iter().zip(&message.fields).enumerate() {
            p.check(v).map_err(|e| format!("field {}: {e}", i + 1))?;
        }
        Ok(())
    }
}

fn same(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Float(x), Data::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Data::List(xs), Data::List(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (Data::Map(xs), Data::Map(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.iter().any(|(k2, y)| k == k2 && same(x, y)))
        }
        (
            Data::Struct {
                tag: t1,
                fields: f1,
            },
            Data::Struct {
                tag: t2,
                fields: f2,
            },
        ) => t1 == t2 && f1.len() == f2.len() && f1.iter().zip(f2).all(|(x, y)| same(x, y)),
        _ => a == b,
    }
}

impl Pattern {
    /// `Ok(())` when `value` matches, else a short path to the difference.
    pub(crate) fn check(&self, value: &Data) -> Result<(), String> {
        match (self, value) {
            (Pattern::Any, _) => Ok(()),
            (Pattern::Exact(expected), actual) => {
                if same(expected, actual) {
                    Ok(())
                } else {
                    Err(format!("expected {expected}, got {actual}"))
                }
            }
            (Pattern::List(patterns), Data::List(items)) => {
                if patterns.len() != items.len() {
                    return Err(format!(
                        "expected a list of {}, got {}",
                        patterns.len(),
                        value
                    ));
                }
                for (i, (p, v)) in patterns.iter().zip(items).enumerate() {
                    p.check(v).map_err(|e| format!("[{i}]: {e}"))?;
                }
                Ok(())
            }
            (Pattern::Map(pattern), Data::Map(entries)) => pattern.check(entries),
            (Pattern::Struct { tag, fields }, Data::Struct { tag: t, fields: f })
                if tag == t && fields.len() == f.len() =>
            {
                for (i, (p, v)) in fields.iter().zip(f).enumerate() {
                    p.check(v)
                        .map_err(|e| format!("structure field {i}: {e}"))?;
                }
                Ok(())
            }
            (pattern, actual) => Err(format!("expected {}, got {actual}", pattern.describe())),
        }
    }

    fn describe(&self) -> String {
        match self {
            Pattern::Any => "anything".into(),
            Pattern::Exact(d) => d.to_string(),
            Pattern::List(items) => format!("a list of {}", items.len()),
            Pattern::Map(_) => "a map".into(),
            Pattern::Struct { tag, fields } => {
                format!("a structure 0x{tag:02X} of {} fields", fields.len())
            }
        }
    }
}

impl MapPattern {
    fn check(&self, entries: &[(String, Data)]) -> Result<(), String> {
        for (key, pattern, optional) in &self.entries {
            match entries.iter().find(|(k, _)| k == key) {
                Some((_, v)) => pattern.check(v).map_err(|e| format!("{key:?}: {e}"))?,
                None if *optional => {}
                None => return Err(format!("missing key {key:?}")),
            }
        }
        if !self.open {
            if let Some((extra, v)) = entries
                .iter()
                .find(|(k, _)| !self.entries.iter().any(|(key, _, _)| key == k))
            {
                return Err(format!("unexpected key {extra:?} (value {v})"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::notation::{to_data, to_pattern};

    fn check(pattern: &str, value: &str) -> Result<(), String> {
        let p = to_pattern(&serde_json::from_str(pattern).unwrap()).unwrap();
        let v = to_data(&serde_json::from_str(value).unwrap()).unwrap();
        p.check(&v)
    }

    #[test]
    fn wildcards_and_exact() {
        assert!(check(r#""*""#, r#"{"a": 1}"#).is_ok());
        assert!(check(r#""\\*""#, r#""*""#).is_ok());
        assert!(check(r#""\\*""#, r#""x""#).is_err());
        assert!(check("1", "1").is_ok());
        assert!(check("1", "1.0").is_err());
        assert!(check(r#"[1, "*"]"#, r#"[1, "x"]"#).is_ok());
        assert!(check(r#"[1, "*"]"#, "[1]").is_err());
    }

    #[test]
    fn maps() {
        assert!(check(r#"{"a": 1, "b?": 2}"#, r#"{"a": 1}"#).is_ok());
        assert!(check(r#"{"a": 1, "b?": 2}"#, r#"{"a": 1, "b": 2}"#).is_ok());
        let err = check(r#"{"a": 1, "b?": 2}"#, r#"{"a": 1, "b": 3}"#).unwrap_err();
        assert!(err.contains("\"b\""), "{err}");
        let err = check(r#"{"a": 1}"#, r#"{"a": 1, "c": 3}"#).unwrap_err();
        assert!(err.contains("unexpected key \"c\""), "{err}");
        assert!(check(r#"{"a": 1, "...": ""}"#, r#"{"a": 1, "c": 3}"#).is_ok());
        let err = check(r#"{"a": 1}"#, r#"{}"#).unwrap_err();
        assert!(err.contains("missing key \"a\""), "{err}");
        assert!(check(r#"{"=": {"a?": 1}}"#, r#"{"a?": 1}"#).is_ok());
    }

    #[test]
    fn structures() {
        assert!(check(r#"{"@date": ["*"]}"#, r#"{"@date": [5]}"#).is_ok());
        assert!(check(r#"{"@date": ["*"]}"#, r#"{"@time": [5, 0]}"#).is_err());
    }
}
