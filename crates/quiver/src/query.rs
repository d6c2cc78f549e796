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
    pub fn params_from<T: Serialize + ?Sized>(self, value: &T) -> Result<Self> {
        Ok(self.params(crate::to_params(value)?))
    }
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
