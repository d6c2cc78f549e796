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
    u8 => Integer(i64::from);
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

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
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
