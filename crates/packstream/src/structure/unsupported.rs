//! The placeholder for values the client's protocol version cannot carry (Bolt 6.0).

use serde::de::SeqAccess;
use serde::ser::SerializeTupleStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::temporal::simple_struct;
use super::{begin, deserialize_struct, field, no_more, tag, FromFields};
use crate::value::{Map, Value};

/// A value of a type the negotiated protocol version cannot carry: the server
/// sends its type name and the protocol version that would carry it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnsupportedType {
    /// The type's name.
    pub name: String,
    /// The major version of the first protocol that carries it.
    pub minimum_protocol_major: i64,
    /// The minor version of the first protocol that carries it.
    pub minimum_protocol_minor: i64,
    /// Extra information; `"message"` may explain.
    pub extra: Map,
}

impl UnsupportedType {
    /// The server's explanation, if it sent one.
    pub fn message(&self) -> Option<&str> {
        match self.extra.get("message") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }
}

simple_struct!(
    UnsupportedType,
    tag::UNSUPPORTED_TYPE,
    "an UnsupportedType structure",
    name,
    minimum_protocol_major,
    minimum_protocol_minor,
    extra
);
