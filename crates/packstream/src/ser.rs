//! The serde `Serializer`: any `Serialize` value to PackStream.
//!
//! Mapping: booleans, integers (`u64` above `i64::MAX` fails), floats,
//! strings and `char`, bytes (through `serde_bytes`), `None` and `()` as
//! `Null`, sequences and tuples as lists, maps and structs as maps with
//! string keys, enums externally tagged like serde_json (`"Variant"` or
//! `{"Variant": content}`). Bolt structures go through the typed wrappers
//! ([`Node`](crate::Node), [`DateTime`](crate::DateTime), ...), whose encoding
//! follows the [`Options`].

use std::io::Write;

use serde::ser::{self, Impossible, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;
use crate::structure::{self, STRUCT_NAME, TYPED_NAME, UUID_KIND};
use crate::write;

/// Writes PackStream to an [`std::io::Write`] sink (a `Vec<u8>` for the fast path).
///
/// ```
/// use serde::Serialize;
/// use quiver_packstream::Serializer;
///
/// let mut ser = Serializer::new(Vec::new());
/// (1, "a").serialize(&mut ser)?;
/// assert_eq!(ser.into_inner(), vec![0x92, 0x01, 0x81, b'a']);
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
#[derive(Debug)]
pub struct Serializer<W> {
    writer: W,
    options: Options,
    portable: bool,
}

impl<W: Write> Serializer<W> {
    /// A serializer with the default [`Options`].
    pub fn new(writer: W) -> Self {
        Serializer {
            writer,
            options: Options::default(),
            portable: true,
        }
    }

    /// A serializer with the given [`Options`].
    pub fn with_options(writer: W, options: &Options) -> Self {
        Serializer {
            writer,
            options: *options,
            portable: true,
        }
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Whether everything written so far encodes the same under every
    /// [`Options`]: no zoned date-time, vector, UUID or graph structure
    /// (whose encodings, or whether they may be sent at all, depend on the
    /// protocol version). Bytes that are portable may be written once and
    /// sent on any connection.
    ///
    /// ```
    /// use quiver_packstream::{Date, DateTime, Serializer};
    /// use serde::Serialize;
    ///
    /// let mut ser = Serializer::new(Vec::new());
    /// (1, "a", Date { days: 3 }).serialize(&mut ser)?;
    /// assert!(ser.is_portable());
    /// DateTime { seconds: 0, nanoseconds: 0, tz_offset_seconds: 3600 }.serialize(&mut ser)?;
    /// assert!(!ser.is_portable());
    /// # Ok::<(), quiver_packstream::Error>(())
    /// ```
    pub fn is_portable(&self) -> bool {
        self.portable
    }

    /// The sink.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// Returns the sink.
    pub fn into_inner(self) -> W {
        self.writer
    }
}

impl<'a, W: Write> ser::Serializer for &'a mut Serializer<W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Compound<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    fn is_human_readable(&self) -> bool {
        false
    }

    #[inline]
    fn serialize_bool(self, v: bool) -> Result<()> {
        write::write_bool(&mut self.writer, v)
    }
    #[inline]
    fn serialize_i8(self, v: i8) -> Result<()> {
        write::write_int(&mut self.writer, v.into())
    }
    #[inline]
    fn serialize_i16(self, v: i16) -> Result<()> {
        write::write_int(&mut self.writer, v.into())
    }
    #[inline]
    fn serialize_i32(self, v: i32) -> Result<()> {
        write::write_int(&mut self.writer, v.into())
    }
    #[inline]
    fn serialize_i64(self, v: i64) -> Result<()> {
        write::write_int(&mut self.writer, v)
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        match i64::try_from(v) {
            Ok(v) => write::write_int(&mut self.writer, v),
            Err(_) => Err(Error::unrepresentable(format!(
                "integer {v} outside the 64-bit signed range"
            ))),
        }
    }
    #[inline]
    fn serialize_u8(self, v: u8) -> Result<()> {
        write::write_int(&mut self.writer, v.into())
    }
    #[inline]
    fn serialize_u16(self, v: u16) -> Result<()> {
        write::write_int(&mut self.writer, v.into())
    }
    #[inline]
    fn serialize_u32(self, v: u32) -> Result<()> {
        write::write_int(&mut self.writer, v.into())
    }
    #[inline]
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.serialize_i128(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        match i64::try_from(v) {
            Ok(v) => write::write_int(&mut self.writer, v),
            Err(_) => Err(Error::unrepresentable(format!(
                "integer {v} outside the 64-bit signed range"
            ))),
        }
    }
    #[inline]
    fn serialize_f32(self, v: f32) -> Result<()> {
        write::write_float(&mut self.writer, v.into())
    }
    #[inline]
    fn serialize_f64(self, v: f64) -> Result<()> {
        write::write_float(&mut self.writer, v)
    }
    fn serialize_char(self, v: char) -> Result<()> {
        write::write_string(&mut self.writer, v.encode_utf8(&mut [0u8; 4]))
    }
    #[inline]
    fn serialize_str(self, v: &str) -> Result<()> {
        write::write_string(&mut self.writer, v)
    }
    #[inline]
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        write::write_bytes(&mut self.writer, v)
    }
    #[inline]
    fn serialize_none(self) -> Result<()> {
        write::write_null(&mut self.writer)
    }
    #[inline]
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        write::write_null(&mut self.writer)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        write::write_null(&mut self.writer)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        write::write_string(&mut self.writer, variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        write::write_map_header(&mut self.writer, 1)?;
        write::write_string(&mut self.writer, variant)?;
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a, W>> {
        match len {
            Some(len) => {
                write::write_list_header(&mut self.writer, len)?;
                Ok(Compound(Inner::Direct(self)))
            }
            None => Ok(Compound::buffered(self, false)),
        }
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Compound<'a, W>> {
        if name == TYPED_NAME || name == STRUCT_NAME {
            return Ok(Compound(Inner::Struct {
                ser: self,
                state: StructState::Kind {
                    typed: name == TYPED_NAME,
                    fields: len.saturating_sub(1),
                },
            }));
        }
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, W>> {
        write::write_map_header(&mut self.writer, 1)?;
        write::write_string(&mut self.writer, variant)?;
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a, W>> {
        match len {
            Some(len) => {
                write::write_map_header(&mut self.writer, len)?;
                Ok(Compound(Inner::Direct(self)))
            }
            None => Ok(Compound::buffered(self, true)),
        }
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, W>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, W>> {
        write::write_map_header(&mut self.writer, 1)?;
        write::write_string(&mut self.writer, variant)?;
        self.serialize_map(Some(len))
    }
}

/// The state of a list, map or structure being serialized.
#[derive(Debug)]
pub struct Compound<'a, W>(Inner<'a, W>);

#[derive(Debug)]
enum Inner<'a, W> {
    /// Length known up front: the header is written, elements go straight out.
    Direct(&'a mut Serializer<W>),
    /// Length unknown: elements are buffered and counted, the header written at the end.
    Buffered {
        ser: &'a mut Serializer<W>,
        buf: Serializer<Vec<u8>>,
        count: usize,
        map: bool,
    },
    /// A structure through the private serde name.
    Struct {
        ser: &'a mut Serializer<W>,
        state: StructState,
    },
}

#[derive(Debug)]
enum StructState {
    Kind { typed: bool, fields: usize },
    Fields { plan: structure::Plan, index: usize },
    Uuid,
    Done,
}

impl<'a, W: Write> Compound<'a, W> {
    fn buffered(ser: &'a mut Serializer<W>, map: bool) -> Self {
        let options = ser.options;
        Compound(Inner::Buffered {
            ser,
            buf: Serializer::with_options(Vec::new(), &options),
            count: 0,
            map,
        })
    }

    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        match &mut self.0 {
            Inner::Direct(ser) => value.serialize(&mut **ser),
            Inner::Buffered { buf, count, .. } => {
                *count += 1;
                value.serialize(buf)
            }
            Inner::Struct { ser, state } => struct_field(ser, state, value),
        }
    }

    fn key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        match &mut self.0 {
            Inner::Direct(ser) => key.serialize(MapKey(&mut ser.writer)),
            Inner::Buffered { buf, count, .. } => {
                *count += 1;
                key.serialize(MapKey(&mut buf.writer))
            }
            Inner::Struct { .. } => Err(Error::unrepresentable("map key inside a structure")),
        }
    }

    fn value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        match &mut self.0 {
            Inner::Direct(ser) => value.serialize(&mut **ser),
            Inner::Buffered { buf, .. } => value.serialize(buf),
            Inner::Struct { .. } => Err(Error::unrepresentable("map value inside a structure")),
        }
    }

    fn finish(self) -> Result<()> {
        match self.0 {
            Inner::Direct(_) => Ok(()),
            Inner::Buffered {
                ser,
                buf,
                count,
                map,
            } => {
                if map {
                    write::write_map_header(&mut ser.writer, count)?;
                } else {
                    write::write_list_header(&mut ser.writer, count)?;
                }
                ser.writer.write_all(&buf.writer)?;
                Ok(())
            }
            Inner::Struct { ser, state } => match state {
                StructState::Done => Ok(()),
                StructState::Fields { plan, index } if index >= plan.emitted => Ok(()),
                StructState::Kind { fields: 0, .. } => {
                    // A structure that never emitted its tag: nothing sensible to write.
                    let _ = ser;
                    Err(Error::unrepresentable("structure without a tag"))
                }
                _ => Err(Error::unrepresentable(
                    "structure ended before all its fields were written",
                )),
            },
        }
    }
}

fn struct_field<W: Write, T: ?Sized + Serialize>(
    ser: &mut Serializer<W>,
    state: &mut StructState,
    value: &T,
) -> Result<()> {
    match state {
        StructState::Kind { typed, fields } => {
            let kind = match value.serialize(Capture)? {
                Captured::Int(k) => k,
                _ => return Err(Error::unrepresentable("structure tag must be an integer")),
            };
            if kind == i64::from(UUID_KIND) {
                ser.portable = false;
                *state = StructState::Uuid;
                return Ok(());
            }
            let tag = u8::try_from(kind)
                .map_err(|_| Error::unrepresentable(format!("structure tag {kind}")))?;
            // Raw structures too: a graph tag written raw is still a graph
            // value, which the caller of portable bytes relies on not finding.
            if structure::depends_on_version(tag) {
                ser.portable = false;
            }
            if *typed && tag == structure::tag::VECTOR && !ser.options.vectors_enabled() {
                return Err(
                    ErrorKind::UnsupportedByProtocol("vectors need Bolt 6.0 or later").into(),
                );
            }
            let plan = if *typed {
                structure::Plan::typed(tag, *fields, &ser.options)
            } else {
                structure::Plan::raw(tag, *fields)
            };
            write::write_struct_header(&mut ser.writer, plan.wire_tag, plan.wire_fields())?;
            *state = StructState::Fields { plan, index: 0 };
            Ok(())
        }
        StructState::Fields { plan, index } => {
            let i = *index;
            *index += 1;
            if i >= plan.emitted {
                return Err(Error::unrepresentable("too many structure fields"));
            }
            if !plan.includes(i) {
                return Ok(());
            }
            if plan.requires(i) {
                match value.serialize(Capture)? {
                    Captured::Int(v) => write::write_int(&mut ser.writer, v),
                    Captured::Str(tz_id) => Err(ErrorKind::ZoneConversion {
                        tz_id,
                        reason: structure::ZONE_CONVERSION_REASON,
                    }
                    .into()),
                    _ => Err(Error::unrepresentable(format!(
                        "structure 0x{:02X}: seconds outside the 64-bit range",
                        plan.wire_tag
                    ))),
                }
            } else {
                value.serialize(&mut *ser)
            }
        }
        StructState::Uuid => {
            let bytes = match value.serialize(Capture)? {
                Captured::Uuid(b) => b,
                _ => return Err(Error::unrepresentable("UUID must be 16 bytes")),
            };
            if !ser.options.uuid_enabled() {
                return Err(
                    ErrorKind::UnsupportedByProtocol("UUID needs Bolt 6.1 or later").into(),
                );
            }
            *state = StructState::Done;
            write::write_uuid(&mut ser.writer, &bytes)
        }
        StructState::Done => Err(Error::unrepresentable("too many UUID fields")),
    }
}

macro_rules! compound_impl {
    ($($trait:ident, $method:ident;)*) => {$(
        impl<W: Write> ser::$trait for Compound<'_, W> {
            type Ok = ();
            type Error = Error;
            #[inline]
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
                self.element(value)
            }
            fn end(self) -> Result<()> {
                self.finish()
            }
        }
    )*};
}

compound_impl! {
    SerializeSeq, serialize_element;
    SerializeTuple, serialize_element;
    SerializeTupleStruct, serialize_field;
    SerializeTupleVariant, serialize_field;
}

impl<W: Write> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    #[inline]
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.key(key)
    }
    #[inline]
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    #[inline]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.key(key)?;
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl<W: Write> ser::SerializeStructVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    #[inline]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.key(key)?;
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

/// Serializer methods that refuse what they are given with `$err`, for the
/// serializers that take only a few kinds of value (map keys, structure
/// headers): `refuse! { error(); serialize_bool serialize_seq }` writes
/// `serialize_bool` and `serialize_seq`, each returning `Err(error())`.
macro_rules! refuse {
    ($err:expr; $($method:ident)*) => { $( refuse!(@one $err; $method); )* };
    (@one $err:expr; serialize_bool) => { fn serialize_bool(self, _: bool) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_i8) => { fn serialize_i8(self, _: i8) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_i16) => { fn serialize_i16(self, _: i16) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_i32) => { fn serialize_i32(self, _: i32) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_i64) => { fn serialize_i64(self, _: i64) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_u8) => { fn serialize_u8(self, _: u8) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_u16) => { fn serialize_u16(self, _: u16) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_u32) => { fn serialize_u32(self, _: u32) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_u64) => { fn serialize_u64(self, _: u64) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_f32) => { fn serialize_f32(self, _: f32) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_f64) => { fn serialize_f64(self, _: f64) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_char) => { fn serialize_char(self, _: char) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_bytes) => { fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_none) => { fn serialize_none(self) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_some) => {
        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Self::Ok> { Err($err) }
    };
    (@one $err:expr; serialize_unit) => { fn serialize_unit(self) -> Result<Self::Ok> { Err($err) } };
    (@one $err:expr; serialize_unit_struct) => {
        fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok> { Err($err) }
    };
    (@one $err:expr; serialize_unit_variant) => {
        fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<Self::Ok> {
            Err($err)
        }
    };
    (@one $err:expr; serialize_newtype_variant) => {
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self, _: &'static str, _: u32, _: &'static str, _: &T,
        ) -> Result<Self::Ok> {
            Err($err)
        }
    };
    (@one $err:expr; serialize_seq) => {
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> { Err($err) }
    };
    (@one $err:expr; serialize_tuple) => {
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> { Err($err) }
    };
    (@one $err:expr; serialize_tuple_struct) => {
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct> {
            Err($err)
        }
    };
    (@one $err:expr; serialize_tuple_variant) => {
        fn serialize_tuple_variant(
            self, _: &'static str, _: u32, _: &'static str, _: usize,
        ) -> Result<Self::SerializeTupleVariant> {
            Err($err)
        }
    };
    (@one $err:expr; serialize_map) => {
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> { Err($err) }
    };
    (@one $err:expr; serialize_struct) => {
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> { Err($err) }
    };
    (@one $err:expr; serialize_struct_variant) => {
        fn serialize_struct_variant(
            self, _: &'static str, _: u32, _: &'static str, _: usize,
        ) -> Result<Self::SerializeStructVariant> {
            Err($err)
        }
    };
}

fn key_must_be_string() -> Error {
    Error::unrepresentable("map keys must be strings")
}

/// Serializes a map key: PackStream keys are strings.
struct MapKey<'a, W>(&'a mut W);

impl<W: Write> ser::Serializer for MapKey<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn is_human_readable(&self) -> bool {
        false
    }
    #[inline]
    fn serialize_str(self, v: &str) -> Result<()> {
        write::write_string(self.0, v)
    }
    fn serialize_char(self, v: char) -> Result<()> {
        write::write_string(self.0, v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        write::write_string(self.0, variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> Result<()> {
        v.serialize(self)
    }
    refuse! { key_must_be_string();
        serialize_bool serialize_i8 serialize_i16 serialize_i32 serialize_i64
        serialize_u8 serialize_u16 serialize_u32 serialize_u64 serialize_f32 serialize_f64
        serialize_bytes serialize_none serialize_some serialize_unit serialize_unit_struct
        serialize_newtype_variant serialize_seq serialize_tuple serialize_tuple_struct
        serialize_tuple_variant serialize_map serialize_struct serialize_struct_variant
    }
}

/// What [`Capture`] saw.
enum Captured {
    Int(i64),
    Str(String),
    Uuid([u8; 16]),
    None,
}

/// Captures the scalar a typed wrapper emits for a structure's kind, a
/// version-dependent seconds field, or a UUID's bytes.
struct Capture;

fn not_capturable() -> Error {
    Error::unrepresentable("unexpected value in a structure header")
}

impl ser::Serializer for Capture {
    type Ok = Captured;
    type Error = Error;
    type SerializeSeq = Impossible<Captured, Error>;
    type SerializeTuple = Impossible<Captured, Error>;
    type SerializeTupleStruct = Impossible<Captured, Error>;
    type SerializeTupleVariant = Impossible<Captured, Error>;
    type SerializeMap = Impossible<Captured, Error>;
    type SerializeStruct = Impossible<Captured, Error>;
    type SerializeStructVariant = Impossible<Captured, Error>;

    fn is_human_readable(&self) -> bool {
        false
    }
    fn serialize_i64(self, v: i64) -> Result<Captured> {
        Ok(Captured::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Captured> {
        Ok(Captured::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Captured> {
        Ok(Captured::Int(v.into()))
    }
    fn serialize_str(self, v: &str) -> Result<Captured> {
        Ok(Captured::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Captured> {
        <[u8; 16]>::try_from(v)
            .map(Captured::Uuid)
            .map_err(|_| not_capturable())
    }
    fn serialize_none(self) -> Result<Captured> {
        Ok(Captured::None)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<Captured> {
        v.serialize(self)
    }
    fn serialize_i8(self, v: i8) -> Result<Captured> {
        Ok(Captured::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Captured> {
        Ok(Captured::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Captured> {
        Ok(Captured::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Captured> {
        Ok(Captured::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Captured> {
        i64::try_from(v)
            .map(Captured::Int)
            .map_err(|_| not_capturable())
    }
    fn serialize_unit(self) -> Result<Captured> {
        Ok(Captured::None)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Captured> {
        v.serialize(self)
    }
    refuse! { not_capturable();
        serialize_bool serialize_f32 serialize_f64 serialize_char serialize_unit_struct
        serialize_unit_variant serialize_newtype_variant serialize_seq serialize_tuple
        serialize_tuple_struct serialize_tuple_variant serialize_map serialize_struct
        serialize_struct_variant
    }
}
