//! Query parameters: the `params!` macro and conversion from any
//! `Serialize` type.

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::{Map, Value};

/// Builds a parameter [`Map`](crate::Map) from `key => value` pairs; each
/// value goes through [`Value::from`](crate::Value), so numbers, strings,
/// booleans, vectors, options, maps and temporal types all work (a
/// `Vec<u8>` is bytes). `u64` and `usize` need [`Query::param`](crate::Query::param),
/// which checks them into `i64`.
///
/// ```
/// use quiver::{params, Value};
///
/// let p = params! { "name" => "Alice", "age" => 42, "tags" => vec!["a", "b"] };
/// assert_eq!(p["name"], Value::from("Alice"));
/// assert_eq!(p["age"], Value::from(42));
/// let nested = params! { "person" => params! { "name" => "Bob" } };
/// assert!(nested["person"].as_map().is_some());
/// assert!(params! {}.is_empty());
/// ```
#[macro_export]
macro_rules! params {
    () => {
        $crate::Map::new()
    };
    ($($key:expr => $value:expr),+ $(,)?) => {{
        let mut map = $crate::Map::new();
        $(
            map.insert(
                ::std::string::String::from($key),
                $crate::Value::from($value),
            );
        )+
        map
    }};
}

/// Converts any `Serialize` value that serializes as a map or a struct into
/// query parameters: struct fields become parameter names.
///
/// serde can't tell some Cypher types from others: a `Vec<u8>` field goes as
/// a list of integers unless marked `#[serde(with = "serde_bytes")]`, and a
/// chrono field as a string unless marked with a [`quiver::serde`](crate::serde)
/// helper. Unsigned fields above `i64::MAX` fail.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct NewPerson<'a> { name: &'a str, age: u32 }
///
/// let p = quiver::to_params(&NewPerson { name: "Alice", age: 42 })?;
/// assert_eq!(p["name"], quiver::Value::from("Alice"));
/// assert_eq!(p["age"], quiver::Value::from(42));
/// # Ok::<(), quiver::Error>(())
/// ```
pub fn to_params<T: Serialize + ?Sized>(value: &T) -> Result<Map> {
    let value = quiver_packstream::to_value(value).map_err(|e| {
        Error::new(
            ErrorKind::Serialization,
            "the value cannot be converted to query parameters",
        )
        .with_source(e)
    })?;
    match value {
        Value::Map(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(Error::new(
            ErrorKind::Serialization,
            format!(
                "query parameters must be a map or a struct, not {}",
                other.type_name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn macro_builds_maps() {
        let p = params! {
            "s" => "x",
            "i" => 7i64,
            "f" => 1.5,
            "b" => true,
            "o" => None::<i64>,
            "l" => vec![1, 2],
            String::from("owned") => "key",
        };
        assert_eq!(p.len(), 7);
        assert_eq!(p["f"], Value::Float(1.5));
        assert_eq!(p["o"], Value::Null);
        assert_eq!(
            p["l"],
            Value::List(vec![Value::Integer(1), Value::Integer(2)])
        );
        assert_eq!(p["owned"], Value::from("key"));
    }

    #[test]
    fn structs_and_maps_become_parameters() {
        #[derive(Serialize)]
        struct P {
            name: String,
            nick: Option<String>,
        }
        let p = to_params(&P {
            name: "n".into(),
            nick: None,
        })
        .unwrap();
        assert_eq!(p["name"], Value::from("n"));
        assert_eq!(p["nick"], Value::Null);

        let mut h = HashMap::new();
        h.insert("k", 1);
        assert_eq!(to_params(&h).unwrap()["k"], Value::from(1));
        assert!(to_params(&()).unwrap().is_empty());
    }

    #[test]
    fn other_shapes_are_rejected() {
        let e = to_params(&vec![1, 2]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Serialization);
        assert!(e.to_string().contains("map or a struct"), "{e}");
        let e = to_params(&u64::MAX).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Serialization);
    }
}
