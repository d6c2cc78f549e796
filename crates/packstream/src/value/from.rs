//! Conversions into `Value`.

use super::{Map, Value};
use crate::structure::graph::{Node, Path, Relationship, UnboundRelationship};
use crate::structure::spatial::{Point2D, Point3D};
use crate::structure::temporal::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Time,
};
use crate::structure::unsupported::UnsupportedType;
use crate::structure::vector::Vector;
use crate::structure::Structure;
use crate::uuid::Uuid;

macro_rules! from_via {
    ($($ty:ty => $variant:ident($conv:expr);)*) => {$(
        impl From<$ty> for Value {
            #[inline]
            fn from(v: $ty) -> Self {
                Value::$variant($conv(v))
            }
        }
    )*};
}

from_via! {
    bool => Boolean(std::convert::identity);
    i8 => Integer(i64::from);
    i16 => Integer(i64::from);
    i32 => Integer(i64::from);
    i64 => Integer(std::convert::identity);
    u16 => Integer(i64::from);
    u32 => Integer(i64::from);
    f32 => Float(f64::from);
    f64 => Float(std::convert::identity);
    String => String(std::convert::identity);
    &str => String(str::to_owned);
    Map => Map(std::convert::identity);
    Node => Node(Box::new);
    Relationship => Relationship(Box::new);
    UnboundRelationship => UnboundRelationship(Box::new);
    Path => Path(Box::new);
    Date => Date(std::convert::identity);
    Time => Time(std::convert::identity);
    LocalTime => LocalTime(std::convert::identity);
    DateTime => DateTime(std::convert::identity);
    DateTimeZoneId => DateTimeZoneId(Box::new);
    LocalDateTime => LocalDateTime(std::convert::identity);
    Duration => Duration(std::convert::identity);
    Point2D => Point2D(std::convert::identity);
    Point3D => Point3D(std::convert::identity);
    Vector => Vector(std::convert::identity);
    UnsupportedType => Unsupported(Box::new);
    Uuid => Uuid(std::convert::identity);
    Structure => Structure(std::convert::identity);
}

// Integers that may not fit an i64 convert with `TryFrom` (see `Value`'s docs).
macro_rules! try_from_wide_int {
    ($($ty:ty => $what:literal),*) => {$(
        impl TryFrom<$ty> for Value {
            type Error = crate::Error;
            fn try_from(v: $ty) -> Result<Self, crate::Error> {
                i64::try_from(v).map(Value::Integer).map_err(|_| {
                    crate::Error::out_of_range(
                        $what,
                        "outside the range of a PackStream Integer (i64::MIN..=i64::MAX)",
                    )
                })
            }
        }
    )*};
}

try_from_wide_int!(u64 => "u64", usize => "usize", u128 => "u128", i128 => "i128");

// `u8` is no `Into<Value>`: a `Vec<u8>` is bytes, not a list of integers
// (the generic `Vec<T>` impl would otherwise overlap). A lone `u8` converts
// with `TryFrom`, which never fails, so `TryInto<Value>` APIs take it.
#[allow(clippy::infallible_try_from)] // From<u8> would make Vec<u8> a list
impl TryFrom<u8> for Value {
    type Error = std::convert::Infallible;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Ok(Value::Integer(i64::from(v)))
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl From<&Vec<u8>> for Value {
    fn from(v: &Vec<u8>) -> Self {
        Value::Bytes(v.clone())
    }
}

impl<const N: usize> From<[u8; N]> for Value {
    fn from(v: [u8; N]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Value {
    fn from(v: &[u8; N]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl From<serde_bytes::ByteBuf> for Value {
    fn from(v: serde_bytes::ByteBuf) -> Self {
        Value::Bytes(v.into_vec())
    }
}

impl From<&serde_bytes::Bytes> for Value {
    fn from(v: &serde_bytes::Bytes) -> Self {
        Value::Bytes(v.to_vec())
    }
}

#[cfg(feature = "bytes")]
impl From<bytes::Bytes> for Value {
    fn from(v: bytes::Bytes) -> Self {
        Value::Bytes(Vec::from(v))
    }
}

#[cfg(feature = "bytes")]
impl From<&bytes::Bytes> for Value {
    fn from(v: &bytes::Bytes) -> Self {
        Value::Bytes(v.to_vec())
    }
}

#[cfg(feature = "bytes")]
impl TryFrom<Value> for bytes::Bytes {
    type Error = crate::Error;
    /// Fails with [`ErrorKind::UnexpectedType`](crate::ErrorKind::UnexpectedType)
    /// for a value other than bytes.
    fn try_from(v: Value) -> Result<Self, crate::Error> {
        Vec::<u8>::try_from(v).map(bytes::Bytes::from)
    }
}

impl From<()> for Value {
    fn from(_: ()) -> Self {
        Value::Null
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Value::List(iter.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

macro_rules! try_from_value {
    ($($ty:ty => $variant:ident($bind:ident) $conv:expr, $name:literal;)*) => {$(
        impl TryFrom<Value> for $ty {
            type Error = crate::Error;
            /// Fails with [`ErrorKind::UnexpectedType`](crate::ErrorKind::UnexpectedType)
            /// for a value of another type.
            fn try_from(v: Value) -> Result<Self, crate::Error> {
                match v {
                    Value::$variant($bind) => Ok($conv),
                    other => Err(crate::ErrorKind::UnexpectedType {
                        expected: $name,
                        found: other.type_name(),
                    }
                    .into()),
                }
            }
        }
    )*};
}

try_from_value! {
    bool => Boolean(b) b, "Boolean";
    i64 => Integer(i) i, "Integer";
    f64 => Float(f) f, "Float";
    String => String(s) s, "String";
    Vec<u8> => Bytes(b) b, "Bytes";
    Vec<Value> => List(l) l, "List";
    Map => Map(m) m, "Map";
    Node => Node(n) *n, "Node";
    Relationship => Relationship(r) *r, "Relationship";
    UnboundRelationship => UnboundRelationship(r) *r, "UnboundRelationship";
    Path => Path(p) *p, "Path";
    Date => Date(d) d, "Date";
    Time => Time(t) t, "Time";
    LocalTime => LocalTime(t) t, "LocalTime";
    DateTime => DateTime(d) d, "DateTime";
    DateTimeZoneId => DateTimeZoneId(d) *d, "DateTimeZoneId";
    LocalDateTime => LocalDateTime(d) d, "LocalDateTime";
    Duration => Duration(d) d, "Duration";
    Point2D => Point2D(p) p, "Point2D";
    Point3D => Point3D(p) p, "Point3D";
    Vector => Vector(v) v, "Vector";
    UnsupportedType => Unsupported(u) *u, "UnsupportedType";
    Uuid => Uuid(u) u, "Uuid";
    Structure => Structure(s) s, "Structure";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_containers_become_bytes() {
        let want = Value::Bytes(vec![1, 2, 3]);
        assert_eq!(Value::from(vec![1u8, 2, 3]), want);
        assert_eq!(Value::from(&vec![1u8, 2, 3]), want);
        assert_eq!(Value::from(&[1u8, 2, 3][..]), want);
        assert_eq!(Value::from([1u8, 2, 3]), want);
        assert_eq!(Value::from(b"\x01\x02\x03"), want);
        assert_eq!(
            Value::from(serde_bytes::ByteBuf::from(vec![1u8, 2, 3])),
            want
        );
        assert_eq!(Value::from(serde_bytes::Bytes::new(&[1, 2, 3])), want);
        #[cfg(feature = "bytes")]
        {
            let b = bytes::Bytes::from_static(&[1, 2, 3]);
            assert_eq!(Value::from(&b), want);
            assert_eq!(Value::from(b.clone()), want);
            assert_eq!(bytes::Bytes::try_from(want.clone()).unwrap(), b);
        }
        // Other vectors stay lists; a lone u8 is an integer.
        assert_eq!(
            Value::from(vec![1i64, 2]),
            Value::List(vec![Value::Integer(1), Value::Integer(2)])
        );
        assert_eq!(Value::try_from(7u8).unwrap(), Value::Integer(7));
    }

    #[test]
    fn bytes_decode_into_byte_vectors() {
        let encoded = crate::to_vec(&Value::from(vec![1u8, 2, 3])).unwrap();
        assert_eq!(encoded, [0xCC, 3, 1, 2, 3]);
        let back: Vec<u8> = crate::from_slice(&encoded).unwrap();
        assert_eq!(back, [1, 2, 3]);
        // A list of integers still decodes into a Vec<u8> too.
        let list = crate::to_vec(&vec![1i64, 2]).unwrap();
        assert_eq!(crate::from_slice::<Vec<u8>>(&list).unwrap(), [1, 2]);
    }

    #[test]
    fn wide_integers_are_checked() {
        assert_eq!(Value::try_from(5u64).unwrap(), Value::Integer(5));
        assert_eq!(Value::try_from(5usize).unwrap(), Value::Integer(5));
        assert_eq!(
            Value::try_from(i64::MAX as u64).unwrap(),
            Value::Integer(i64::MAX)
        );
        let e = Value::try_from(u64::MAX).unwrap_err();
        assert!(matches!(
            e.kind(),
            crate::ErrorKind::OutOfRange { what: "u64", .. }
        ));
        assert!(Value::try_from(i128::MIN).is_err());
    }
}
