//! PackStream, the binary format of the Neo4j Bolt protocol, as a serde data format.
//!
//! # Encoding and decoding
//!
//! [`to_vec`], [`to_writer`] and [`from_slice`] move any serde type to and from
//! PackStream; [`Value`] holds any PackStream value, Bolt structures included.
//! Decoding borrows `&str` and `&[u8]` from the input when the target type asks:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use quiver_packstream::{from_slice, to_vec};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Person<'a> {
//!     name: &'a str,
//!     age: i64,
//! }
//!
//! let bytes = to_vec(&Person { name: "Alice", age: 33 })?;
//! let back: Person<'_> = from_slice(&bytes)?;
//! assert_eq!(back, Person { name: "Alice", age: 33 });
//! # Ok::<(), quiver_packstream::Error>(())
//! ```
//!
//! # Bolt structures
//!
//! Each Bolt structure has a typed struct ([`Node`], [`Relationship`],
//! [`DateTime`], [`Point2D`], [`Vector`], ...) that implements `Serialize` and
//! `Deserialize`, so a user's type can hold one:
//!
//! ```
//! use serde::Deserialize;
//! use quiver_packstream::{from_slice, Date, Node, Value};
//!
//! #[derive(Deserialize)]
//! struct Row {
//!     person: Node,
//!     born: Date,
//! }
//!
//! // [Node(1, ["Person"], {}), Date(days 3)]
//! let bytes = [0x92, 0xB3, 0x4E, 0x01, 0x91, 0x86, b'P', b'e', b'r', b's', b'o', b'n', 0xA0,
//!              0xB1, 0x44, 0x03];
//! let row: Row = from_slice(&bytes)?;
//! assert!(row.person.has_label("Person"));
//! assert_eq!(row.person.element_id, "1"); // before Bolt 5.0: the id as a string
//! assert_eq!(row.born, Date { days: 3 });
//! # Ok::<(), quiver_packstream::Error>(())
//! ```
//!
//! In human-readable formats (serde_json, ...) typed structures serialize as
//! plain structs with named fields (a UUID as its string form), so a `Value`
//! prints sensibly as JSON; they deserialize only from PackStream.
//!
//! What differs between Bolt versions (element ids, UTC date-times, UUIDs) is
//! chosen by [`Options`], e.g. `Options::for_bolt(5, 4, false)`, passed to the
//! `*_with` functions. Decoding accepts every version's forms.
//!
//! # Hostile input
//!
//! Decoding never panics: lengths are checked against the input before
//! anything is allocated, nesting is limited ([`Options::max_depth`], 128 by
//! default), unknown structure tags decode to [`Value::Structure`].
//!
//! # Low-level API
//!
//! The Bolt message layer reads headers and splits values with
//! [`Deserializer`]'s `read_*`, [`Deserializer::raw_value`] and
//! [`Deserializer::skip_value`], and writes messages with the [`write`](mod@write)
//! functions, without intermediate values. [`from_record`] decodes a record's
//! values straight into a user type by column name.
#![warn(missing_docs)]

pub mod chrono_04;
mod de;
mod error;
pub mod marker;
mod options;
mod read;
mod record;
mod ser;
pub mod structure;
mod uuid;
mod value;
pub mod write;

pub use crate::de::Deserializer;
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::marker::Kind;
pub use crate::options::{Options, DEFAULT_MAX_DEPTH};
pub use crate::record::{from_record, from_record_with};
pub use crate::ser::{Compound, Serializer};
pub use crate::structure::graph::{Node, Path, Relationship, Segment, UnboundRelationship};
pub use crate::structure::spatial::{Point2D, Point3D};
pub use crate::structure::temporal::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, SecondsBasis, Time,
};
pub use crate::structure::unsupported::UnsupportedType;
pub use crate::structure::vector::Vector;
pub use crate::structure::Structure;
pub use crate::uuid::Uuid;
pub use crate::value::{Map, Value, ValueIndex};

use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Encodes `value` with the default [`Options`].
///
/// ```
/// assert_eq!(quiver_packstream::to_vec(&1234)?, [0xC9, 0x04, 0xD2]);
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
pub fn to_vec<T: ?Sized + Serialize>(value: &T) -> Result<Vec<u8>> {
    to_vec_with(value, &Options::default())
}

/// Encodes `value` with the given [`Options`].
pub fn to_vec_with<T: ?Sized + Serialize>(value: &T, options: &Options) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    to_writer_with(&mut out, value, options)?;
    Ok(out)
}

/// Encodes `value` into `writer` (a `Vec<u8>`, `bytes::BufMut::writer()`, ...)
/// with the default [`Options`].
pub fn to_writer<W: ?Sized + std::io::Write, T: ?Sized + Serialize>(
    writer: &mut W,
    value: &T,
) -> Result<()> {
    to_writer_with(writer, value, &Options::default())
}

/// Encodes `value` into `writer` with the given [`Options`].
pub fn to_writer_with<W: ?Sized + std::io::Write, T: ?Sized + Serialize>(
    writer: &mut W,
    value: &T,
    options: &Options,
) -> Result<()> {
    value.serialize(&mut Serializer::with_options(writer, options))
}

/// Decodes one value that spans all of `input`, with the default [`Options`].
/// Strings and bytes borrow from `input` when `T` asks.
pub fn from_slice<'de, T: Deserialize<'de>>(input: &'de [u8]) -> Result<T> {
    from_slice_with(input, &Options::default())
}

/// Decodes one value that spans all of `input`, with the given [`Options`].
pub fn from_slice_with<'de, T: Deserialize<'de>>(input: &'de [u8], options: &Options) -> Result<T> {
    let mut de = Deserializer::with_options(input, options);
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Reads `reader` to its end and decodes one value from it.
pub fn from_reader<R: std::io::Read, T: DeserializeOwned>(mut reader: R) -> Result<T> {
    let mut buf = Vec::new();
    reader.read_to_end(&mut buf)?;
    from_slice(&buf)
}

/// Converts a [`Value`] into any deserializable type (by encoding and decoding it).
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T> {
    from_slice(&encode_lossless(value)?)
}

/// Converts any serializable type into a [`Value`] (by encoding and decoding it).
///
/// A [`DateTimeZoneId`] keeps its seconds' basis, except that with the
/// `chrono-tz` feature local seconds become UTC seconds (the same instant).
pub fn to_value<T: ?Sized + Serialize>(value: &T) -> Result<Value> {
    from_slice(&encode_lossless(value)?)
}

/// Encodes for an in-memory conversion: zoned date-times keep the basis
/// their seconds are in (UTC first; local when a value holds local seconds
/// and no zone database is at hand).
fn encode_lossless<T: ?Sized + Serialize>(value: &T) -> Result<Vec<u8>> {
    match to_vec(value) {
        Err(e) if matches!(e.kind(), ErrorKind::ZoneConversion { .. }) => {
            to_vec_with(value, &Options::default().utc_datetime(false))
        }
        other => other,
    }
}
