//! Building a [`Query`]: text plus parameters from a map, a `Serialize`
//! value or [`params!`](crate::params).

use serde::Serialize;

use crate::error::Result;
use crate::summary::Query;
use crate::{Map, Value};

impl Query {
    /// Adds (or replaces) one parameter: anything that converts into a
    /// [`Value`] (a `Vec<u8>`, `&[u8]` or `bytes::Bytes` is Cypher bytes),
    /// plus `u64`, `usize` and `u128`, checked into the `i64`
    /// a Cypher integer is. A value beyond `i64::MAX` is not added; running
    /// the query then fails with [`ErrorKind::Serialization`](crate::ErrorKind::Serialization),
    /// naming the parameter.
    ///
    /// ```
    /// use quiver::{Query, Value};
    ///
    /// let names = ["Alice", "Bob"];
    /// let q = Query::from("MATCH (p:Person {name: $name}) RETURN p LIMIT $n")
    ///     .param("name", "Alice")
    ///     .param("n", names.len())
    ///     .param("big", 5u64);
    /// assert_eq!(q.parameters()["name"], Value::from("Alice"));
    /// assert_eq!(q.parameters()["n"], Value::from(2));
    /// assert_eq!(q.parameters()["big"], Value::from(5));
    /// ```
    pub fn param<V>(mut self, key: impl Into<String>, value: V) -> Self
    where
        V: TryInto<Value>,
        V::Error: std::fmt::Display,
    {
        let key = key.into();
        match value.try_into() {
            Ok(v) => {
                self.parameters_mut().insert(key, v);
            }
            Err(e) => self.set_invalid(format!("parameter '{key}' cannot be sent: {e}")),
        }
        self
    }

    /// Adds every entry of `params` (a [`params!`](crate::params) map, say).
    ///
    /// ```
    /// use quiver::{params, Query};
    ///
    /// let q = Query::from("CREATE (:Person {name: $name, age: $age})")
    ///     .params(params! { "name" => "Alice", "age" => 42 });
    /// assert_eq!(q.parameters().len(), 2);
    /// ```
    pub fn params(mut self, params: Map) -> Self {
        let own = self.parameters_mut();
        if own.is_empty() {
            *own = params;
        } else {
            own.extend(params);
        }
        self
    }

    /// Adds the fields of any `Serialize` value that serializes as a struct
    /// or a map (see [`to_params`](crate::to_params)).
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct NewPerson<'a> { name: &'a str, age: u32 }
    ///
    /// let q = quiver::Query::from("CREATE (:Person {name: $name, age: $age})")
    ///     .params_from(&NewPerson { name: "Alice", age: 42 })?;
    /// assert_eq!(q.parameters()["age"], quiver::Value::from(42));
    /// # Ok::<(), quiver::Error>(())
    /// ```
    ///
    /// When the query has no parameters yet, the value is encoded once,
    /// straight to the bytes RUN sends: no [`Value`] tree is
    /// built (a batch of a million rows costs its encoded size, not its size
    /// as values). Values whose encoding depends on the protocol version
    /// (zoned date-times, vectors, UUIDs) go the [`Value`] way.
    pub fn params_from<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self> {
        if self.parameters().is_empty() {
            let mut ser = quiver_packstream::Serializer::new(Vec::new());
            if value.serialize(&mut ser).is_ok() && ser.is_portable() {
                let bytes = ser.into_inner();
                if is_map(&bytes) {
                    self.set_encoded_parameters(bytes);
                    return Ok(self);
                }
            }
        }
        // Anything else (nulls, errors to report, merging) as values.
        Ok(self.params(crate::to_params(value)?))
    }
}

/// Whether PackStream bytes start with a map marker.
fn is_map(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(0xA0..=0xAF | 0xD8..=0xDA))
}

impl From<&str> for Query {
    fn from(text: &str) -> Self {
        Query::new(text, Map::new())
    }
}

impl From<String> for Query {
    fn from(text: String) -> Self {
        Query::new(text, Map::new())
    }
}

impl From<&String> for Query {
    fn from(text: &String) -> Self {
        Query::new(text.as_str(), Map::new())
    }
}

impl<S: Into<String>> From<(S, Map)> for Query {
    fn from((text, parameters): (S, Map)) -> Self {
        Query::new(text, parameters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    #[derive(serde::Serialize)]
    struct Row<'a> {
        id: i64,
        name: &'a str,
        tags: [i64; 2],
        born: quiver_packstream::Date,
    }

    #[derive(serde::Serialize)]
    struct Batch<'a> {
        rows: &'a [Row<'a>],
    }

    fn batch_rows() -> Vec<Row<'static>> {
        (0..3)
            .map(|i| Row {
                id: i,
                name: "x",
                tags: [i, i + 1],
                born: quiver_packstream::Date { days: i },
            })
            .collect()
    }

    #[test]
    fn params_from_a_struct_is_encoded_once_and_reads_back_the_same() {
        let rows = batch_rows();
        let batch = Batch { rows: &rows };
        let q = Query::from("UNWIND $rows AS r RETURN r")
            .params_from(&batch)
            .unwrap();
        assert!(matches!(q.wire_params(), quiver_bolt::Params::Encoded(_)));
        // What the summary shows is the same map the value path builds.
        assert_eq!(q.parameters(), &crate::to_params(&batch).unwrap());
        let Value::List(list) = &q.parameters()["rows"] else {
            panic!("{:?}", q.parameters());
        };
        assert_eq!(list.len(), 3);
        // Adding a parameter afterwards keeps both.
        let q = q.param("extra", 1);
        assert!(matches!(q.wire_params(), quiver_bolt::Params::Map(_)));
        assert_eq!(q.parameters().len(), 2);
        assert_eq!(q.parameters()["extra"], Value::from(1));
    }

    #[test]
    fn version_dependent_values_and_merges_take_the_value_way() {
        #[derive(serde::Serialize)]
        struct Zoned {
            at: quiver_packstream::DateTime,
        }
        let zoned = Zoned {
            at: quiver_packstream::DateTime {
                seconds: 0,
                nanoseconds: 0,
                tz_offset_seconds: 3600,
            },
        };
        let q = Query::from("RETURN $at").params_from(&zoned).unwrap();
        assert!(matches!(q.wire_params(), quiver_bolt::Params::Map(_)));
        assert!(matches!(q.parameters()["at"], Value::DateTime(_)));
        // Parameters already there: merged as values.
        let q = Query::from("RETURN $a, $id")
            .param("a", 1)
            .params_from(&Row {
                id: 7,
                name: "n",
                tags: [0, 0],
                born: quiver_packstream::Date { days: 0 },
            })
            .unwrap();
        assert!(matches!(q.wire_params(), quiver_bolt::Params::Map(_)));
        assert_eq!(q.parameters()["a"], Value::from(1));
        assert_eq!(q.parameters()["id"], Value::from(7));
        // Not a map: the same error as before.
        assert!(Query::from("RETURN 1").params_from(&[1, 2]).is_err());
    }

    #[test]
    fn params_merge_and_replace() {
        let q = Query::from(("RETURN $a, $b", params! { "a" => 1 }))
            .params(params! { "b" => 2 })
            .param("a", 3);
        assert_eq!(q.parameters()["a"], Value::from(3));
        assert_eq!(q.parameters()["b"], Value::from(2));
        assert_eq!(q.text(), "RETURN $a, $b");
    }

    #[test]
    fn unsigned_parameters_are_checked_into_i64() {
        let q = Query::from("RETURN $n, $u, $s")
            .param("n", 7u64)
            .param("u", i64::MAX as u64)
            .param("s", 3usize);
        assert_eq!(q.parameters()["n"], Value::Integer(7));
        assert_eq!(q.parameters()["u"], Value::Integer(i64::MAX));
        assert_eq!(q.parameters()["s"], Value::Integer(3));
        assert!(q.check().is_ok());

        let q = Query::from("RETURN $n")
            .param("n", u64::MAX)
            .param("m", 1u8);
        assert!(!q.parameters().contains_key("n"));
        let e = q.check().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Serialization);
        let text = e.to_string();
        assert!(text.contains("'n'") && text.contains("u64"), "{text}");
    }

    #[test]
    fn graph_values_are_refused_as_parameters() {
        let node = crate::Node::default();
        let q = Query::from("RETURN $n").param("n", node.clone());
        let e = q.check().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Serialization);
        assert!(e.to_string().contains("'n' holds a Node"), "{e}");
        // Nested in lists and maps too.
        let q = Query::from("RETURN $l").param(
            "l",
            vec![
                Value::from(1),
                Value::from(params! { "r" => crate::Relationship::default() }),
            ],
        );
        assert!(q.check().unwrap_err().to_string().contains("Relationship"));
        // Their properties are fine.
        let q = Query::from("RETURN $p").param("p", node.properties);
        assert!(q.check().is_ok());
    }

    #[test]
    fn params_from_rejects_non_maps() {
        assert!(Query::from("RETURN 1").params_from(&5).is_err());
    }
}
