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
