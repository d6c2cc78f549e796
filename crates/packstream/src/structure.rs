//! Bolt structures: tags, the generic [`Structure`], and how typed structures
//! travel through serde.
//!
//! A typed structure ([`Node`](crate::Node), [`DateTime`](crate::DateTime), ...)
//! serializes as a tuple struct under a private reserved name whose first
//! element is its tag; this crate's `Serializer` recognises the name and writes
//! a PackStream structure, choosing the version-dependent layout from its
//! [`Options`]. Deserializing asks for a newtype struct under the same private
//! name; this crate's `Deserializer` answers with the structure's tag and
//! fields. Neither name is visible to serde users.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::{SerializeTupleStruct, Serializer};
use serde::{Deserialize, Deserializer, Serialize};

use crate::options::Options;
use crate::value::Value;

/// In human-readable formats (JSON, ...), a typed structure serializes as a
/// struct with named fields rather than as a tagged PackStream structure.
macro_rules! human_readable {
    ($s:ident, $name:expr, { $($key:expr => $value:expr),+ $(,)? }) => {
        if $s.is_human_readable() {
            let mut st = $s.serialize_struct($name, [$($key),+].len())?;
            $(serde::ser::SerializeStruct::serialize_field(&mut st, $key, $value)?;)+
            return serde::ser::SerializeStruct::end(st);
        }
    };
}
pub(crate) use human_readable;

pub mod graph;
pub mod spatial;
pub mod temporal;
pub mod unsupported;
pub mod vector;

/// Typed structures: the serializer applies the version-dependent layout.
pub(crate) const TYPED_NAME: &str = "@@quiver_packstream::typed@@";
/// Raw structures (and every structure when deserializing).
pub(crate) const STRUCT_NAME: &str = "@@quiver_packstream::struct@@";
/// The "kind" a UUID reports in place of a structure tag.
pub(crate) const UUID_KIND: u16 = 0x100;

/// Whether a typed structure's encoding (or whether it may be sent at all)
/// depends on the protocol version's options.
pub(crate) fn depends_on_version(tag: u8) -> bool {
    matches!(
        tag,
        tag::DATE_TIME
            | tag::DATE_TIME_ZONE_ID
            | tag::LEGACY_DATE_TIME
            | tag::LEGACY_DATE_TIME_ZONE_ID
            | tag::VECTOR
            | tag::NODE
            | tag::RELATIONSHIP
            | tag::UNBOUND_RELATIONSHIP
            | tag::PATH
    )
}

pub(crate) const ZONE_CONVERSION_REASON: &str =
    "converting between local and UTC seconds needs a time-zone database (feature `chrono-tz`)";

/// Structure tags (signatures) of the Bolt value structures.
pub mod tag {
    /// Node: id, labels, properties (, element_id from Bolt 5.0).
    pub const NODE: u8 = 0x4E;
    /// Relationship: id, start id, end id, type, properties (, element ids from Bolt 5.0).
    pub const RELATIONSHIP: u8 = 0x52;
    /// Relationship without its end nodes, inside a path.
    pub const UNBOUND_RELATIONSHIP: u8 = 0x72;
    /// Path: nodes, unbound relationships, indices.
    pub const PATH: u8 = 0x50;
    /// Date: days since 1970-01-01.
    pub const DATE: u8 = 0x44;
    /// Time with offset: nanoseconds since midnight, offset seconds.
    pub const TIME: u8 = 0x54;
    /// Local time: nanoseconds since midnight.
    pub const LOCAL_TIME: u8 = 0x74;
    /// Date-time with offset, UTC seconds (Bolt 5.0+, or 4.4 with the `utc` patch).
    pub const DATE_TIME: u8 = 0x49;
    /// Date-time with zone id, UTC seconds (Bolt 5.0+, or 4.4 with the `utc` patch).
    pub const DATE_TIME_ZONE_ID: u8 = 0x69;
    /// Legacy date-time with offset, local seconds (before Bolt 5.0).
    pub const LEGACY_DATE_TIME: u8 = 0x46;
    /// Legacy date-time with zone id, local seconds (before Bolt 5.0).
    pub const LEGACY_DATE_TIME_ZONE_ID: u8 = 0x66;
    /// Local date-time: seconds and nanoseconds since the epoch, no zone.
    pub const LOCAL_DATE_TIME: u8 = 0x64;
    /// Duration: months, days, seconds, nanoseconds.
    pub const DURATION: u8 = 0x45;
    /// 2D point: srid, x, y.
    pub const POINT_2D: u8 = 0x58;
    /// 3D point: srid, x, y, z.
    pub const POINT_3D: u8 = 0x59;
    /// Vector (Bolt 6.0): element type marker, packed big-endian data.
    pub const VECTOR: u8 = 0x56;
    /// A value of a type the client's protocol version cannot carry (Bolt 6.0).
    pub const UNSUPPORTED_TYPE: u8 = 0x3F;
}

/// A structure this crate has no typed representation for: its tag and fields.
///
/// Decoding never fails on an unknown tag; the value arrives as a `Structure`.
#[derive(Clone, Debug, PartialEq)]
pub struct Structure {
    /// The tag byte.
    pub tag: u8,
    /// The fields (at most 15 can be encoded).
    pub fields: Vec<Value>,
}

impl Structure {
    /// A structure with the given tag and fields.
    pub fn new(tag: u8, fields: Vec<Value>) -> Self {
        Structure { tag, fields }
    }
}

impl Serialize for Structure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        human_readable!(s, "Structure", { "tag" => &self.tag, "fields" => &self.fields });
        let mut t = s.serialize_tuple_struct(STRUCT_NAME, self.fields.len() + 1)?;
        t.serialize_field(&u16::from(self.tag))?;
        for f in &self.fields {
            t.serialize_field(f)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for Structure {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for Structure {
    const EXPECTED: &'static str = "a structure";
    fn accepts(kind: u16) -> bool {
        kind <= 0xFF
    }
    fn from_fields<'de, A: SeqAccess<'de>>(tag: u8, mut seq: A) -> Result<Self, A::Error> {
        let mut fields = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(v) = seq.next_element::<Value>()? {
            fields.push(v);
        }
        Ok(Structure { tag, fields })
    }
}

// ---------------------------------------------------------------------------
// Serialization plumbing

/// Begins serializing a typed structure with `fields` emitted fields.
pub(crate) fn begin<S: Serializer>(
    s: S,
    tag: u8,
    fields: usize,
) -> Result<S::SerializeTupleStruct, S::Error> {
    let mut t = s.serialize_tuple_struct(TYPED_NAME, fields + 1)?;
    t.serialize_field(&u16::from(tag))?;
    Ok(t)
}

/// Which emitted fields of a typed structure are written, under which tag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub(crate) wire_tag: u8,
    pub(crate) emitted: usize,
    include: u32,
    require: u32,
}

impl Plan {
    pub(crate) fn raw(tag: u8, emitted: usize) -> Plan {
        Plan {
            wire_tag: tag,
            emitted,
            include: u32::MAX,
            require: 0,
        }
    }

    /// The layout of a typed structure under the given options. The emitted
    /// fields of each typed wrapper are listed in its `Serialize` impl.
    pub(crate) fn typed(tag: u8, emitted: usize, options: &Options) -> Plan {
        let eids = options.element_ids_enabled();
        let utc = options.utc_datetime_enabled();
        let (wire_tag, include, require) = match tag {
            // id, labels, properties, element_id
            tag::NODE if !eids => (tag, 0b0111, 0),
            // id, start, end, type, properties, element_id, start_eid, end_eid
            tag::RELATIONSHIP if !eids => (tag, 0b0001_1111, 0),
            // id, type, properties, element_id
            tag::UNBOUND_RELATIONSHIP if !eids => (tag, 0b0111, 0),
            // utc_seconds?, local_seconds?, nanoseconds, offset | tz_id
            tag::DATE_TIME if utc => (tag, 0b1101, 0b0001),
            tag::DATE_TIME => (tag::LEGACY_DATE_TIME, 0b1110, 0b0010),
            tag::DATE_TIME_ZONE_ID if utc => (tag, 0b1101, 0b0001),
            tag::DATE_TIME_ZONE_ID => (tag::LEGACY_DATE_TIME_ZONE_ID, 0b1110, 0b0010),
            _ => (tag, u32::MAX, 0),
        };
        Plan {
            wire_tag,
            emitted,
            include,
            require,
        }
    }

    pub(crate) fn includes(&self, i: usize) -> bool {
        i < 32 && self.include & (1 << i) != 0
    }

    pub(crate) fn requires(&self, i: usize) -> bool {
        i < 32 && self.require & (1 << i) != 0
    }

    pub(crate) fn wire_fields(&self) -> usize {
        (0..self.emitted).filter(|&i| self.includes(i)).count()
    }
}

// ---------------------------------------------------------------------------
// Deserialization plumbing

/// A type decoded from a structure's fields.
pub(crate) trait FromFields: Sized {
    /// What the type expects, for error messages.
    const EXPECTED: &'static str;
    /// Whether the type decodes from a structure of this kind (tag, or
    /// [`UUID_KIND`]).
    fn accepts(kind: u16) -> bool;
    /// Decodes from the fields; the sequence's `size_hint` is the exact field count.
    fn from_fields<'de, A: SeqAccess<'de>>(tag: u8, seq: A) -> Result<Self, A::Error>;
}

/// Deserializes a structure through the private name.
pub(crate) fn deserialize_struct<'de, D: Deserializer<'de>, T: FromFields>(
    d: D,
) -> Result<T, D::Error> {
    d.deserialize_newtype_struct(STRUCT_NAME, Outer::<T>(PhantomData))
}

struct Outer<T>(PhantomData<T>);

impl<'de, T: FromFields> Visitor<'de> for Outer<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_tuple(usize::MAX, Inner::<T>(PhantomData))
    }
}

struct Inner<T>(PhantomData<T>);

impl<'de, T: FromFields> Visitor<'de> for Inner<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let kind: u16 = seq
            .next_element()?
            .ok_or_else(|| de::Error::custom("structure without a tag"))?;
        if !T::accepts(kind) {
            return Err(de::Error::custom(crate::ErrorKind::UnexpectedStructTag {
                expected: T::EXPECTED,
                found: kind as u8,
            }));
        }
        T::from_fields(kind as u8, seq)
    }
}

/// Reads the next field, failing when the structure has too few.
pub(crate) fn field<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    seq: &mut A,
    tag: u8,
    name: &'static str,
) -> Result<T, A::Error> {
    seq.next_element()?.ok_or_else(|| {
        de::Error::custom(crate::ErrorKind::InvalidStructure {
            tag,
            reason: format!("missing field `{name}`"),
        })
    })
}

/// The number of fields left, as the deserializer reports it exactly.
pub(crate) fn fields_left<'de, A: SeqAccess<'de>>(seq: &A) -> usize {
    seq.size_hint().unwrap_or(0)
}

/// Fails when fields are left over.
pub(crate) fn no_more<'de, A: SeqAccess<'de>>(seq: &mut A, tag: u8) -> Result<(), A::Error> {
    if seq.next_element::<de::IgnoredAny>()?.is_some() {
        return Err(de::Error::custom(crate::ErrorKind::InvalidStructure {
            tag,
            reason: "too many fields".into(),
        }));
    }
    Ok(())
}
