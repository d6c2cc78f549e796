//! Vectors (Bolt 6.0): a structure holding an element type marker and the
//! elements packed big-endian in one byte array.

use serde::de::SeqAccess;
use serde::ser::SerializeTupleStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_bytes::{ByteBuf, Bytes};

use super::{begin, deserialize_struct, field, no_more, tag, FromFields};
use crate::marker;

/// A vector of numbers of one element type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Vector {
    /// Signed 8-bit integers (type marker 0xC8).
    I8(Vec<i8>),
    /// Signed 16-bit integers (0xC9).
    I16(Vec<i16>),
    /// Signed 32-bit integers (0xCA).
    I32(Vec<i32>),
    /// Signed 64-bit integers (0xCB).
    I64(Vec<i64>),
    /// 32-bit floats (0xC6).
    F32(Vec<f32>),
    /// 64-bit floats (0xC1).
    F64(Vec<f64>),
}

impl Vector {
    /// The element type marker.
    pub fn type_marker(&self) -> u8 {
        match self {
            Vector::I8(_) => marker::INT_8,
            Vector::I16(_) => marker::INT_16,
            Vector::I32(_) => marker::INT_32,
            Vector::I64(_) => marker::INT_64,
            Vector::F32(_) => marker::FLOAT_32,
            Vector::F64(_) => marker::FLOAT_64,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            Vector::I8(v) => v.len(),
            Vector::I16(v) => v.len(),
            Vector::I32(v) => v.len(),
            Vector::I64(v) => v.len(),
            Vector::F32(v) => v.len(),
            Vector::F64(v) => v.len(),
        }
    }

    /// Whether the vector has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements packed big-endian, as on the wire.
    pub fn to_be_bytes(&self) -> Vec<u8> {
        fn pack<T: Copy, const N: usize>(v: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
            let mut out = Vec::with_capacity(v.len() * N);
            for &x in v {
                out.extend_from_slice(&f(x));
            }
            out
        }
        match self {
            Vector::I8(v) => pack(v, i8::to_be_bytes),
            Vector::I16(v) => pack(v, i16::to_be_bytes),
            Vector::I32(v) => pack(v, i32::to_be_bytes),
            Vector::I64(v) => pack(v, i64::to_be_bytes),
            Vector::F32(v) => pack(v, f32::to_be_bytes),
            Vector::F64(v) => pack(v, f64::to_be_bytes),
        }
    }

    /// Unpacks big-endian elements of the type `type_marker` names. `None` for
    /// an unknown marker or a length that is not a multiple of the element size.
    pub fn from_be_bytes(type_marker: u8, data: &[u8]) -> Option<Vector> {
        fn unpack<T, const N: usize>(data: &[u8], f: impl Fn([u8; N]) -> T) -> Option<Vec<T>> {
            if data.len() % N != 0 {
                return None;
            }
            Some(
                data.chunks_exact(N)
                    .map(|c| {
                        let mut a = [0u8; N];
                        a.copy_from_slice(c);
                        f(a)
                    })
                    .collect(),
            )
        }
        Some(match type_marker {
            marker::INT_8 => Vector::I8(unpack(data, i8::from_be_bytes)?),
            marker::INT_16 => Vector::I16(unpack(data, i16::from_be_bytes)?),
            marker::INT_32 => Vector::I32(unpack(data, i32::from_be_bytes)?),
            marker::INT_64 => Vector::I64(unpack(data, i64::from_be_bytes)?),
            marker::FLOAT_32 => Vector::F32(unpack(data, f32::from_be_bytes)?),
            marker::FLOAT_64 => Vector::F64(unpack(data, f64::from_be_bytes)?),
            _ => return None,
        })
    }
}

impl Serialize for Vector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return match self {
                Vector::I8(v) => v.serialize(s),
                Vector::I16(v) => v.serialize(s),
                Vector::I32(v) => v.serialize(s),
                Vector::I64(v) => v.serialize(s),
                Vector::F32(v) => v.serialize(s),
                Vector::F64(v) => v.serialize(s),
            };
        }
        let mut t = begin(s, tag::VECTOR, 2)?;
        t.serialize_field(Bytes::new(&[self.type_marker()]))?;
        t.serialize_field(Bytes::new(&self.to_be_bytes()))?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for Vector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_struct(d)
    }
}

impl FromFields for Vector {
    const EXPECTED: &'static str = "a Vector structure";
    fn accepts(kind: u16) -> bool {
        kind == u16::from(tag::VECTOR)
    }
    fn from_fields<'de, A: SeqAccess<'de>>(t: u8, mut seq: A) -> Result<Self, A::Error> {
        let type_marker: ByteBuf = field(&mut seq, t, "type_marker")?;
        let data: ByteBuf = field(&mut seq, t, "data")?;
        no_more(&mut seq, t)?;
        let invalid = |reason: &str| {
            serde::de::Error::custom(crate::ErrorKind::InvalidStructure {
                tag: t,
                reason: reason.into(),
            })
        };
        let &[m] = type_marker.as_slice() else {
            return Err(invalid("type marker must be one byte"));
        };
        Vector::from_be_bytes(m, &data)
            .ok_or_else(|| invalid("unknown element type or data length not a multiple of it"))
    }
}
