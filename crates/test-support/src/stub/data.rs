//! The stub's neutral view of PackStream values and Bolt messages.
//!
//! The stub keeps its own small value type so the matcher and the script
//! notation do not depend on how `quiver-packstream` models values; `wire.rs`
//! converts between the two.

use std::fmt;

/// A PackStream value as the stub sees it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Data {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    String(String),
    /// A byte array.
    Bytes(Vec<u8>),
    /// A UUID (PackStream v2, Bolt 6.1 and later).
    Uuid([u8; 16]),
    /// A list.
    List(Vec<Data>),
    /// A map, in wire order.
    Map(Vec<(String, Data)>),
    /// A structure with its tag byte.
    Struct {
        /// The tag byte.
        tag: u8,
        /// The fields in order.
        fields: Vec<Data>,
    },
}

/// A Bolt message: a tag and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The message tag (for example `0x10` for RUN).
    pub tag: u8,
    /// The fields in order.
    pub fields: Vec<Data>,
}

/// Bolt message names and tags, requests and replies.
const MESSAGES: &[(&str, u8)] = &[
    ("HELLO", 0x01),
    ("GOODBYE", 0x02),
    ("RESET", 0x0F),
    ("RUN", 0x10),
    ("BEGIN", 0x11),
    ("COMMIT", 0x12),
    ("ROLLBACK", 0x13),
    ("DISCARD", 0x2F),
    ("PULL", 0x3F),
    ("TELEMETRY", 0x54),
    ("ROUTE", 0x66),
    ("LOGON", 0x6A),
    ("LOGOFF", 0x6B),
    ("SUCCESS", 0x70),
    ("RECORD", 0x71),
    ("IGNORED", 0x7E),
    ("FAILURE", 0x7F),
];

/// Structure names usable in the script notation (`{"@node": [...]}`).
pub(crate) const STRUCTS: &[(&str, u8)] = &[
    ("node", 0x4E),
    ("rel", 0x52),
    ("unbound_rel", 0x72),
    ("path", 0x50),
    ("date", 0x44),
    ("time", 0x54),
    ("local_time", 0x74),
    ("datetime", 0x49),
    ("datetime_zone_id", 0x69),
    ("local_datetime", 0x64),
    ("legacy_datetime", 0x46),
    ("legacy_datetime_zone_id", 0x66),
    ("duration", 0x45),
    ("point2d", 0x58),
    ("point3d", 0x59),
];

/// The tag of a message name (`"RUN"` → `0x10`); also accepts `0x10`.
pub(crate) fn message_tag(name: &str) -> Option<u8> {
    if let Some(hex) = name.strip_prefix("0x").or_else(|| name.strip_prefix("0X")) {
        return u8::from_str_radix(hex, 16).ok();
    }
    MESSAGES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, t)| t)
}

/// The name of a message tag, if it is a known one.
pub(crate) fn message_name(tag: u8) -> Option<&'static str> {
    MESSAGES.iter().find(|&&(_, t)| t == tag).map(|&(n, _)| n)
}

/// Writes a message tag as its name, or `0xNN` when unknown.
pub(crate) struct TagName(pub(crate) u8);

impl fmt::Display for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match message_name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:02X}", self.0),
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", TagName(self.tag))?;
        for field in &self.fields {
            write!(f, " {field}")?;
        }
        Ok(())
    }
}

fn write_str_json(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    match serde_json::to_string(s) {
        Ok(quoted) => f.write_str(&quoted),
        Err(_) => write!(f, "{s:?}"),
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

/// Writes values in the script notation, so an error shows what to paste.
impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Data::Null => f.write_str("null"),
            Data::Bool(b) => write!(f, "{b}"),
            Data::Int(i) => write!(f, "{i}"),
            Data::Float(x) if x.is_finite() => {
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x}")
                }
            }
            Data::Float(x) => {
                let text = if x.is_nan() {
                    "NaN"
                } else if *x > 0.0 {
                    "inf"
                } else {
                    "-inf"
                };
                write!(f, "{{\"R\": \"{text}\"}}")
            }
            Data::String(s) => write_str_json(f, s),
            Data::Bytes(b) => {
                f.write_str("{\"#\": \"")?;
                write_hex(f, b)?;
                f.write_str("\"}")
            }
            Data::Uuid(u) => {
                f.write_str("{\"U\": \"")?;
                write_hex(f, u)?;
                f.write_str("\"}")
            }
            Data::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Data::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_str_json(f, k)?;
                    write!(f, ": {v}")?;
                }
                f.write_str("}")
            }
            Data::Struct { tag, fields } => {
                match STRUCTS.iter().find(|&&(_, t)| t == *tag) {
                    Some((name, _)) => write!(f, "{{\"@{name}\": [")?,
                    None => write!(f, "{{\"@struct\": [{tag}")?,
                }
                let known = STRUCTS.iter().any(|&(_, t)| t == *tag);
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 || !known {
                        f.write_str(", ")?;
                    }
                    write!(f, "{field}")?;
                }
                f.write_str("]}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tags() {
        assert_eq!(message_tag("RUN"), Some(0x10));
        assert_eq!(message_tag("pull"), Some(0x3F));
        assert_eq!(message_tag("0x66"), Some(0x66));
        assert_eq!(message_tag("NOPE"), None);
        assert_eq!(TagName(0x7F).to_string(), "FAILURE");
        assert_eq!(TagName(0x99).to_string(), "0x99");
    }

    #[test]
    fn display_uses_script_notation() {
        let m = Message {
            tag: 0x10,
            fields: vec![
                Data::String("RETURN 1".into()),
                Data::Map(vec![("x".into(), Data::Float(1.0))]),
                Data::Bytes(vec![0, 255]),
                Data::Struct {
                    tag: 0x44,
                    fields: vec![Data::Int(3)],
                },
                Data::Struct {
                    tag: 0x01,
                    fields: vec![Data::Null],
                },
            ],
        };
        assert_eq!(
            m.to_string(),
            r##"RUN "RETURN 1" {"x": 1.0} {"#": "00ff"} {"@date": [3]} {"@struct": [1, null]}"##
        );
    }
}
