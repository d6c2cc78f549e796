//! Building a [`Query`]: text plus parameters from a map, a `Serialize`
//! value or [`params!`](crate::params).

use serde::Serialize;

use crate::error::Result;
use crate::summary::Query;
use crate::{Map, Value};

impl Query {
    /// Adds (or replaces) one parameter.
    ///
    /// ```
    /// use quiver::Query;
    ///
    /// let q = Query::from("MATCH (p:Person {name: $name}) RETURN p").param("name", "Alice");
    /// assert_eq!(q.parameters()["name"], quiver::Value::from("Alice"));
    /// ```
    pub fn param(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.parameters_mut().insert(key.into(), value.into());
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
    fn params_from_rejects_non_maps() {
        assert!(Query::from("RETURN 1").params_from(&5).is_err());
    }
}
