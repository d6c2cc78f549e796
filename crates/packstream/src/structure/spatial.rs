//! Spatial structures: points with a coordinate reference system id (SRID).

use serde::de::SeqAccess;
use serde::ser::SerializeTupleStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::temporal::simple_struct;
use super::{begin, deserialize_struct, field, no_more, tag, FromFields};

/// A 2D point. SRID 7203 is cartesian, 4326 is WGS-84 (x longitude, y latitude).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point2D {
    /// The coordinate reference system.
    pub srid: i64,
    /// x (or longitude).
    pub x: f64,
    /// y (or latitude).
    pub y: f64,
}

simple_struct!(Point2D, tag::POINT_2D, "a Point2D structure", srid, x, y);

/// A 3D point. SRID 9157 is cartesian 3D, 4979 is WGS-84 3D.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point3D {
    /// The coordinate reference system.
    pub srid: i64,
    /// x (or longitude).
    pub x: f64,
    /// y (or latitude).
    pub y: f64,
    /// z (or height).
    pub z: f64,
}

simple_struct!(Point3D, tag::POINT_3D, "a Point3D structure", srid, x, y, z);
