//! The dynamic [`Value`]: any PackStream value, with a variant for every Bolt
//! structure.

mod de;
mod display;
mod from;
mod ser;

use crate::structure::graph::{Node, Path, Relationship, UnboundRelationship};
use crate::structure::spatial::{Point2D, Point3D};
use crate::structure::temporal::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Time,
};
use crate::structure::unsupported::UnsupportedType;
use crate::structure::vector::Vector;
use crate::structure::Structure;
use crate::uuid::Uuid;

/// A map of properties or parameters: string keys, ordered.
pub type Map = std::collections::BTreeMap<String, Value>;

/// Any PackStream value.
///
/// Graph structures and zoned date-times are boxed to keep `Value` small.
///
/// ```
/// use quiver_packstream::{from_slice, to_vec, Value};
///
/// let v = Value::from(vec![Value::from(1), Value::from("two"), Value::Null]);
/// let bytes = to_vec(&v)?;
/// assert_eq!(bytes, [0x93, 0x01, 0x83, b't', b'w', b'o', 0xC0]);
/// assert_eq!(from_slice::<Value>(&bytes)?, v);
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
///
/// # Conversions
///
/// `From` converts the types that always fit: `bool`, `i8`..`i64`,
/// `u8`..`u32`, `f32`, `f64`, strings, `Option`s, vectors, [`Map`]s and the
/// typed structures. `u64`, `usize`, `u128` and `i128` convert with
/// `TryFrom`, checked into the one PackStream integer type, `i64`; beyond it
/// the conversion fails with [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange):
///
/// ```
/// use quiver_packstream::Value;
///
/// assert_eq!(Value::try_from(5u64)?, Value::Integer(5));
/// assert_eq!(Value::try_from(vec![1, 2].len())?, Value::Integer(2));
/// assert!(Value::try_from(u64::MAX).is_err());
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// A boolean.
    Boolean(bool),
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Float(f64),
    /// A byte array.
    Bytes(Vec<u8>),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// A map with string keys.
    Map(Map),
    /// A node.
    Node(Box<Node>),
    /// A relationship.
    Relationship(Box<Relationship>),
    /// A relationship inside a path.
    UnboundRelationship(Box<UnboundRelationship>),
    /// A path.
    Path(Box<Path>),
    /// A date.
    Date(Date),
    /// A time with offset.
    Time(Time),
    /// A local time.
    LocalTime(LocalTime),
    /// A date-time with offset.
    DateTime(DateTime),
    /// A date-time in a named zone.
    DateTimeZoneId(Box<DateTimeZoneId>),
    /// A local date-time.
    LocalDateTime(LocalDateTime),
    /// A duration.
    Duration(Duration),
    /// A 2D point.
    Point2D(Point2D),
    /// A 3D point.
    Point3D(Point3D),
    /// A vector (Bolt 6.0).
    Vector(Vector),
    /// A value of a type the protocol version cannot carry (Bolt 6.0).
    Unsupported(Box<UnsupportedType>),
    /// A UUID (Bolt 6.1).
    Uuid(Uuid),
    /// A structure with a tag this crate does not know.
    Structure(Structure),
}

impl Value {
    /// Whether the value is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Integer(i) => Some(i),
            _ => None,
        }
    }

    /// The float, if this is one (integers are not converted).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is a byte array.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The elements, if this is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The entries, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The node, if this is one.
    pub fn as_node(&self) -> Option<&Node> {
        match self {
            Value::Node(n) => Some(n),
            _ => None,
        }
    }

    /// The relationship, if this is one.
    pub fn as_relationship(&self) -> Option<&Relationship> {
        match self {
            Value::Relationship(r) => Some(r),
            _ => None,
        }
    }

    /// The path, if this is one.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Value::Path(p) => Some(p),
            _ => None,
        }
    }

    /// The element of a list at `index`, or the entry of a map at a string key.
    pub fn get<I: ValueIndex>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Boolean(_) => "Boolean",
            Value::Integer(_) => "Integer",
            Value::Float(_) => "Float",
            Value::Bytes(_) => "Bytes",
            Value::String(_) => "String",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
            Value::Node(_) => "Node",
            Value::Relationship(_) => "Relationship",
            Value::UnboundRelationship(_) => "UnboundRelationship",
            Value::Path(_) => "Path",
            Value::Date(_) => "Date",
            Value::Time(_) => "Time",
            Value::LocalTime(_) => "LocalTime",
            Value::DateTime(_) => "DateTime",
            Value::DateTimeZoneId(_) => "DateTimeZoneId",
            Value::LocalDateTime(_) => "LocalDateTime",
            Value::Duration(_) => "Duration",
            Value::Point2D(_) => "Point2D",
            Value::Point3D(_) => "Point3D",
            Value::Vector(_) => "Vector",
            Value::Unsupported(_) => "UnsupportedType",
            Value::Uuid(_) => "Uuid",
            Value::Structure(_) => "Structure",
        }
    }
}

/// Something a [`Value`] can be indexed by: a list index or a map key.
pub trait ValueIndex: private::Sealed {
    /// Looks the index up in `v`.
    fn index_into(self, v: &Value) -> Option<&Value>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for &str {}
}

impl ValueIndex for usize {
    fn index_into(self, v: &Value) -> Option<&Value> {
        v.as_list()?.get(self)
    }
}

impl ValueIndex for &str {
    fn index_into(self, v: &Value) -> Option<&Value> {
        v.as_map()?.get(self)
    }
}
