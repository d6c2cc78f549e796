//! `Deserialize` for `Value`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Map, Value};
use crate::structure::{tag, FromFields, UUID_KIND};
use crate::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Node, Path, Point2D,
    Point3D, Relationship, Structure, Time, UnboundRelationship, UnsupportedType, Uuid, Vector,
};

/// Capacity to reserve for a container announced with `hint` elements: never
/// more than a sane bound, whatever a peer claims.
pub(crate) fn cautious(hint: Option<usize>) -> usize {
    hint.unwrap_or(0).min(4096)
}

impl<'de> Deserialize<'de> for Value {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any PackStream value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Boolean(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Integer(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Integer)
            .map_err(|_| E::custom("integer above i64::MAX"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(v.to_vec()))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut list = Vec::with_capacity(cautious(seq.size_hint()));
        while let Some(v) = seq.next_element()? {
            list.push(v);
        }
        Ok(Value::List(list))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some((k, v)) = access.next_entry::<String, Value>()? {
            map.insert(k, v);
        }
        Ok(Value::Map(map))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_tuple(usize::MAX, StructVisitor)
    }
}

/// Decodes a structure's `[kind, field...]` sequence into the matching variant.
struct StructVisitor;

impl<'de> Visitor<'de> for StructVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a structure")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let kind: u16 = seq
            .next_element()?
            .ok_or_else(|| de::Error::custom("structure without a tag"))?;
        if kind == UUID_KIND {
            return Uuid::from_fields(0, seq).map(Value::Uuid);
        }
        let t = u8::try_from(kind).map_err(|_| de::Error::custom("structure tag above 255"))?;
        Ok(match t {
            tag::NODE => Value::Node(Box::new(Node::from_fields(t, seq)?)),
            tag::RELATIONSHIP => Value::Relationship(Box::new(Relationship::from_fields(t, seq)?)),
            tag::UNBOUND_RELATIONSHIP => {
                Value::UnboundRelationship(Box::new(UnboundRelationship::from_fields(t, seq)?))
            }
            tag::PATH => Value::Path(Box::new(Path::from_fields(t, seq)?)),
            tag::DATE => Value::Date(Date::from_fields(t, seq)?),
            tag::TIME => Value::Time(Time::from_fields(t, seq)?),
            tag::LOCAL_TIME => Value::LocalTime(LocalTime::from_fields(t, seq)?),
            tag::DATE_TIME | tag::LEGACY_DATE_TIME => {
                Value::DateTime(DateTime::from_fields(t, seq)?)
            }
            tag::DATE_TIME_ZONE_ID | tag::LEGACY_DATE_TIME_ZONE_ID => {
                Value::DateTimeZoneId(Box::new(DateTimeZoneId::from_fields(t, seq)?))
            }
            tag::LOCAL_DATE_TIME => Value::LocalDateTime(LocalDateTime::from_fields(t, seq)?),
            tag::DURATION => Value::Duration(Duration::from_fields(t, seq)?),
            tag::POINT_2D => Value::Point2D(Point2D::from_fields(t, seq)?),
            tag::POINT_3D => Value::Point3D(Point3D::from_fields(t, seq)?),
            tag::VECTOR => Value::Vector(Vector::from_fields(t, seq)?),
            tag::UNSUPPORTED_TYPE => {
                Value::Unsupported(Box::new(UnsupportedType::from_fields(t, seq)?))
            }
            _ => Value::Structure(Structure::from_fields(t, seq)?),
        })
    }
}
