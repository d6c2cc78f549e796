//! The script's value notation: JSON with a few one-key objects for the
//! PackStream types JSON lacks.
//!
//! | notation | value |
//! |---|---|
//! | `1`, `-7` | integer |
//! | `1.5`, `1.0` | float |
//! | `{"Z": "123"}` / `{"Z": 123}` | integer |
//! | `{"R": 1}` / `{"R": "NaN"}` / `{"R": "inf"}` | float |
//! | `{"#": "00 ff"}` | bytes (hex, spaces allowed) |
//! | `{"U": "0011…eeff"}` | UUID (32 hex digits, `-` allowed) |
//! | `{"@node": [1, ["L"], {}, "e1"]}` | structure by name (see [`STRUCTS`]) |
//! | `{"@struct": [78, 1, ...]}` | structure by tag, then its fields |
//! | `{"=": {"#": 1}}` | a map taken literally (escape for the keys above) |
//!
//! Patterns (client lines) add: `"*"` matches any value, a leading backslash
//! is dropped from strings (`"\\*"` is the string `*`), a map key ending in
//! `?` is optional, and the key `"..."` lets the map hold keys the pattern
//! does not name.

use serde_json::Value as Json;

use super::data::{Data, STRUCTS};
use super::pattern::{MapPattern, Pattern};

/// Reads a server value: wildcards are not allowed here.
pub(crate) fn to_data(json: &Json) -> Result<Data, String> {
    Ok(match json {
        Json::Null => Data::Null,
        Json::Bool(b) => Data::Bool(*b),
        Json::Number(n) => number(n)?,
        Json::String(s) => Data::String(s.clone()),
        Json::Array(items) => Data::List(items.iter().map(to_data).collect::<Result<_, _>>()?),
        Json::Object(map) => {
            if let Some(special) = special(map)? {
                return special.map_data(to_data);
            }
            let map = literal_map(map);
            Data::Map(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), to_data(v)?)))
                    .collect::<Result<_, String>>()?,
            )
        }
    })
}

/// Reads a client pattern.
pub(crate) fn to_pattern(json: &Json) -> Result<Pattern, String> {
    Ok(match json {
        Json::String(s) if s == "*" => Pattern::Any,
        Json::String(s) => {
            Pattern::Exact(Data::String(s.strip_prefix('\\').unwrap_or(s).to_owned()))
        }
        Json::Array(items) => {
            Pattern::List(items.iter().map(to_pattern).collect::<Result<_, _>>()?)
        }
        Json::Object(map) => {
            if let Some(special) = special(map)? {
                return special.map_pattern(to_pattern);
            }
            let literal = map.len() == 1 && map.contains_key("=");
            let map = literal_map(map);
            let mut pattern = MapPattern::default();
            for (key, value) in map {
                if key == "..." && !literal {
                    pattern.open = true;
                    continue;
                }
                let (key, optional) = match key.strip_suffix('?') {
                    Some(k) if !literal => (k.to_owned(), true),
                    _ => (key.clone(), false),
                };
                pattern.entries.push((key, to_pattern(value)?, optional));
            }
            Pattern::Map(pattern)
        }
        other => Pattern::Exact(to_data(other)?),
    })
}

fn number(n: &serde_json::Number) -> Result<Data, String> {
    if let Some(i) = n.as_i64() {
        Ok(Data::Int(i))
    } else if n.is_f64() {
        n.as_f64()
            .map(Data::Float)
            .ok_or_else(|| format!("bad number {n}"))
    } else {
        Err(format!("integer {n} does not fit in 64 bits"))
    }
}

/// `{"=": {...}}` unwraps to the inner map; other maps stay as they are.
fn literal_map(map: &serde_json::Map<String, Json>) -> &serde_json::Map<String, Json> {
    if map.len() == 1 {
        if let Some(Json::Object(inner)) = map.get("=") {
            return inner;
        }
    }
    map
}

/// A one-key object that stands for a typed value.
enum Special<'a> {
    Value(Data),
    Struct(u8, &'a [Json]),
}

impl Special<'_> {
    fn map_data(self, f: fn(&Json) -> Result<Data, String>) -> Result<Data, String> {
        match self {
            Special::Value(d) => Ok(d),
            Special::Struct(tag, fields) => Ok(Data::Struct {
                tag,
                fields: fields.iter().map(f).collect::<Result<_, _>>()?,
            }),
        }
    }

    fn map_pattern(self, f: fn(&Json) -> Result<Pattern, String>) -> Result<Pattern, String> {
        match self {
            Special::Value(d) => Ok(Pattern::Exact(d)),
            Special::Struct(tag, fields) => Ok(Pattern::Struct {
                tag,
                fields: fields.iter().map(f).collect::<Result<_, _>>()?,
            }),
        }
    }
}

fn special(map: &serde_json::Map<String, Json>) -> Result<Option<Special<'_>>, String> {
    let mut iter = map.iter();
    let (Some((key, value)), None) = (iter.next(), iter.next()) else {
        return Ok(None);
    };
    let special = match key.as_str() {
        "Z" => Special::Value(Data::Int(match value {
            Json::Number(n) => n
                .as_i64()
                .ok_or_else(|| format!("{{\"Z\": {n}}} is not an i64"))?,
            Json::String(s) => s
                .trim()
                .parse()
                .map_err(|_| format!("{{\"Z\": {s:?}}} is not an i64"))?,
            other => return Err(format!("{{\"Z\": {other}}} needs a number or a string")),
        })),
        "R" => Special::Value(Data::Float(match value {
            Json::Number(n) => n
                .as_f64()
                .ok_or_else(|| format!("{{\"R\": {n}}} is not a float"))?,
            Json::String(s) => match s.trim() {
                "NaN" | "nan" => f64::NAN,
                "inf" | "+inf" | "Infinity" => f64::INFINITY,
                "-inf" | "-Infinity" => f64::NEG_INFINITY,
                t => t
                    .parse()
                    .map_err(|_| format!("{{\"R\": {s:?}}} is not a float"))?,
            },
            other => return Err(format!("{{\"R\": {other}}} needs a number or a string")),
        })),
        "#" => match value {
            Json::String(s) => Special::Value(Data::Bytes(parse_hex(s)?)),
            other => return Err(format!("{{\"#\": {other}}} needs a hex string")),
        },
        "U" => match value {
            Json::String(s) => {
                let bytes = parse_hex(s)?;
                let uuid: [u8; 16] = bytes
                    .try_into()
                    .map_err(|_| format!("{{\"U\": {s:?}}} needs 16 bytes"))?;
                Special::Value(Data::Uuid(uuid))
            }
            other => return Err(format!("{{\"U\": {other}}} needs a hex string")),
        },
        "@struct" => match value.as_array().map(Vec::as_slice) {
            Some([Json::Number(tag), fields @ ..]) => {
                let tag = tag
                    .as_u64()
                    .and_then(|t| u8::try_from(t).ok())
                    .ok_or_else(|| format!("structure tag {tag} is not a byte"))?;
                Special::Struct(tag, fields)
            }
            _ => return Err("{\"@struct\": [tag, fields...]} needs a tag number first".into()),
        },
        name if name.starts_with('@') => {
            let short = &name[1..];
            let Some(&(_, tag)) = STRUCTS.iter().find(|(n, _)| *n == short) else {
                return Err(format!("unknown structure name {name:?}"));
            };
            match value.as_array() {
                Some(fields) => Special::Struct(tag, fields),
                None => return Err(format!("{{\"{name}\": [...]}} needs a list of fields")),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(special))
}

/// Hex digits, with optional spaces, `:` or `_` between bytes.
pub(crate) fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && !matches!(b, b':' | b'_' | b'-'))
        .collect();
    if digits.len() % 2 != 0 {
        return Err(format!("odd number of hex digits in {text:?}"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| format!("bad hex {text:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(text: &str) -> Data {
        to_data(&serde_json::from_str(text).unwrap()).unwrap()
    }

    #[test]
    fn plain_json() {
        assert_eq!(data("1"), Data::Int(1));
        assert_eq!(data("1.0"), Data::Float(1.0));
        assert_eq!(data("\"*\""), Data::String("*".into()));
        assert_eq!(
            data(r#"{"a": [null, true]}"#),
            Data::Map(vec![(
                "a".into(),
                Data::List(vec![Data::Null, Data::Bool(true)])
            )])
        );
    }

    #[test]
    fn extended() {
        assert_eq!(data(r#"{"Z": "-5"}"#), Data::Int(-5));
        assert_eq!(data(r#"{"R": 2}"#), Data::Float(2.0));
        assert!(matches!(data(r#"{"R": "NaN"}"#), Data::Float(x) if x.is_nan()));
        assert_eq!(data(r##"{"#": "00 FF"}"##), Data::Bytes(vec![0, 255]));
        assert_eq!(
            data(r#"{"U": "00010203-0405-0607-0809-0a0b0c0d0e0f"}"#),
            Data::Uuid([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
        );
        assert_eq!(
            data(r#"{"@date": [19000]}"#),
            Data::Struct {
                tag: 0x44,
                fields: vec![Data::Int(19000)]
            }
        );
        assert_eq!(
            data(r#"{"@struct": [1, "x"]}"#),
            Data::Struct {
                tag: 1,
                fields: vec![Data::String("x".into())]
            }
        );
        assert_eq!(
            data(r##"{"=": {"#": 1}}"##),
            Data::Map(vec![("#".into(), Data::Int(1))])
        );
    }

    #[test]
    fn bad_notation_is_an_error() {
        for text in [
            r##"{"#": "0"}"##,
            r#"{"@nope": []}"#,
            r#"{"@struct": ["x"]}"#,
            r#"{"Z": "x"}"#,
            "18446744073709551615",
        ] {
            assert!(
                to_data(&serde_json::from_str(text).unwrap()).is_err(),
                "{text}"
            );
        }
    }
}
