//! `Serialize` for `Value`.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_bytes::Bytes;

use super::Value;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Boolean(b) => s.serialize_bool(*b),
            Value::Integer(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Bytes(b) => Bytes::new(b).serialize(s),
            Value::String(v) => s.serialize_str(v),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Value::Node(v) => v.serialize(s),
            Value::Relationship(v) => v.serialize(s),
            Value::UnboundRelationship(v) => v.serialize(s),
            Value::Path(v) => v.serialize(s),
            Value::Date(v) => v.serialize(s),
            Value::Time(v) => v.serialize(s),
            Value::LocalTime(v) => v.serialize(s),
            Value::DateTime(v) => v.serialize(s),
            Value::DateTimeZoneId(v) => v.serialize(s),
            Value::LocalDateTime(v) => v.serialize(s),
            Value::Duration(v) => v.serialize(s),
            Value::Point2D(v) => v.serialize(s),
            Value::Point3D(v) => v.serialize(s),
            Value::Vector(v) => v.serialize(s),
            Value::Unsupported(v) => v.serialize(s),
            Value::Uuid(v) => v.serialize(s),
            Value::Structure(v) => v.serialize(s),
        }
    }
}
