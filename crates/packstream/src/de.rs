//! The serde `Deserializer`: PackStream to any `Deserialize` type, straight
//! from the input slice, borrowing strings and bytes when the target asks.
//!
//! Besides serde, [`Deserializer`] offers a low-level API for the Bolt message
//! layer: read a structure, list or map header, split a value off as raw
//! bytes, skip a value, all without decoding more than needed.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::error::{Error, ErrorKind, Result};
use crate::marker::{self, *};
use crate::options::Options;
use crate::read::{Read, SliceRead};
use crate::structure::{STRUCT_NAME, UUID_KIND};

mod graph;

/// Reads PackStream values from a byte slice.
///
/// ```
/// use quiver_packstream::Deserializer;
/// use serde::Deserialize;
///
/// // RECORD [1, "a"]: split the fields without decoding, then decode one.
/// let msg = [0xB1, 0x71, 0x92, 0x01, 0x81, b'a'];
/// let mut de = Deserializer::new(&msg);
/// assert_eq!(de.read_struct_header()?, (0x71, 1));
/// assert_eq!(de.read_list_header()?, 2);
/// let first = de.raw_value()?;
/// assert_eq!(first, &[0x01]);
/// let second = <&str>::deserialize(&mut de)?;
/// assert_eq!(second, "a");
/// assert!(de.is_end());
/// # Ok::<(), quiver_packstream::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Deserializer<'de> {
    read: SliceRead<'de>,
    remaining_depth: usize,
    max_depth: usize,
}

impl<'de> Deserializer<'de> {
    /// A deserializer with the default [`Options`].
    pub fn new(input: &'de [u8]) -> Self {
        Self::with_options(input, &Options::default())
    }

    /// A deserializer with the given [`Options`] (decoding uses the depth limit).
    pub fn with_options(input: &'de [u8], options: &Options) -> Self {
        Deserializer {
            read: SliceRead::new(input),
            remaining_depth: options.depth_limit(),
            max_depth: options.depth_limit(),
        }
    }

    /// Offset of the next byte to read.
    #[inline]
    pub fn position(&self) -> usize {
        self.read.position()
    }

    /// Number of bytes not read yet.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.read.remaining()
    }

    /// The bytes not read yet.
    #[inline]
    pub fn remaining_bytes(&self) -> &'de [u8] {
        self.read.rest()
    }

    /// Whether the whole input has been read.
    #[inline]
    pub fn is_end(&self) -> bool {
        self.read.remaining() == 0
    }

    /// Fails with [`ErrorKind::TrailingBytes`] unless the whole input has been read.
    pub fn end(&self) -> Result<()> {
        if self.is_end() {
            Ok(())
        } else {
            Err(ErrorKind::TrailingBytes {
                position: self.position(),
                remaining: self.remaining(),
            }
            .into())
        }
    }

    /// The next marker byte, not consumed.
    #[inline]
    pub fn peek_marker(&self) -> Result<u8> {
        self.read.peek()
    }

    /// The kind of the next value, not consumed.
    pub fn peek_kind(&self) -> Result<Kind> {
        let m = self.read.peek()?;
        marker::kind(m).ok_or_else(|| self.invalid_marker(m, self.position()))
    }

    #[cold]
    fn invalid_marker(&self, marker: u8, position: usize) -> Error {
        ErrorKind::InvalidMarker { marker, position }.into()
    }

    #[cold]
    fn unexpected(&self, expected: &'static str, marker: u8, position: usize) -> Error {
        if marker::kind(marker).is_none() {
            return self.invalid_marker(marker, position);
        }
        ErrorKind::UnexpectedMarker {
            expected,
            marker,
            position,
        }
        .into()
    }

    #[inline]
    fn be_u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.read.array()?))
    }

    #[inline]
    fn be_u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.read.array()?))
    }

    /// Reads a `Null`.
    pub fn read_null(&mut self) -> Result<()> {
        let pos = self.position();
        match self.read.next()? {
            NULL => Ok(()),
            m => Err(self.unexpected("null", m, pos)),
        }
    }

    /// Reads a boolean.
    pub fn read_bool(&mut self) -> Result<bool> {
        let pos = self.position();
        match self.read.next()? {
            TRUE => Ok(true),
            FALSE => Ok(false),
            m => Err(self.unexpected("a boolean", m, pos)),
        }
    }

    /// Reads an integer of any width.
    #[inline]
    pub fn read_int(&mut self) -> Result<i64> {
        let pos = self.position();
        let m = self.read.next()?;
        self.int_after(m, pos)
    }

    #[inline]
    fn int_after(&mut self, m: u8, pos: usize) -> Result<i64> {
        Ok(match m {
            0x00..=0x7F => i64::from(m),
            0xF0..=0xFF => i64::from(m as i8),
            INT_8 => i64::from(self.read.next()? as i8),
            INT_16 => i64::from(i16::from_be_bytes(self.read.array()?)),
            INT_32 => i64::from(i32::from_be_bytes(self.read.array()?)),
            INT_64 => i64::from_be_bytes(self.read.array()?),
            m => return Err(self.unexpected("an integer", m, pos)),
        })
    }

    /// Reads a float.
    pub fn read_float(&mut self) -> Result<f64> {
        let pos = self.position();
        match self.read.next()? {
            FLOAT_64 => Ok(f64::from_be_bytes(self.read.array()?)),
            m => Err(self.unexpected("a float", m, pos)),
        }
    }

    /// Reads a string, borrowed from the input.
    #[inline]
    pub fn read_string(&mut self) -> Result<&'de str> {
        let pos = self.position();
        let m = self.read.next()?;
        let len = match m {
            0x80..=0x8F => usize::from(m & 0x0F),
            STRING_8 => usize::from(self.read.next()?),
            STRING_16 => usize::from(self.be_u16()?),
            STRING_32 => self.be_u32()? as usize,
            m => return Err(self.unexpected("a string", m, pos)),
        };
        self.str_body(len, pos)
    }

    #[inline]
    fn str_body(&mut self, len: usize, pos: usize) -> Result<&'de str> {
        let start = self.position();
        let bytes = self.body(len, pos)?;
        std::str::from_utf8(bytes).map_err(|_| ErrorKind::InvalidUtf8 { position: start }.into())
    }

    #[inline]
    fn body(&mut self, len: usize, pos: usize) -> Result<&'de [u8]> {
        if len > self.remaining() {
            return Err(self.too_long(len as u64, pos));
        }
        self.read.take(len)
    }

    #[cold]
    fn too_long(&self, len: u64, position: usize) -> Error {
        ErrorKind::LengthExceedsInput {
            len,
            remaining: self.remaining(),
            position,
        }
        .into()
    }

    /// Reads a byte array, borrowed from the input.
    pub fn read_bytes(&mut self) -> Result<&'de [u8]> {
        let pos = self.position();
        let len = match self.read.next()? {
            BYTES_8 => usize::from(self.read.next()?),
            BYTES_16 => usize::from(self.be_u16()?),
            BYTES_32 => self.be_u32()? as usize,
            m => return Err(self.unexpected("a byte array", m, pos)),
        };
        self.body(len, pos)
    }

    /// Reads a UUID (marker 0xE0).
    pub fn read_uuid(&mut self) -> Result<[u8; 16]> {
        let pos = self.position();
        match self.read.next()? {
            UUID => self.read.array(),
            m => Err(self.unexpected("a UUID", m, pos)),
        }
    }

    /// Reads a list header: the number of values that follow.
    ///
    /// Fails when the input cannot hold that many values (each takes at least
    /// one byte), so the count is safe to reserve capacity for.
    #[inline]
    pub fn read_list_header(&mut self) -> Result<usize> {
        let pos = self.position();
        let m = self.read.next()?;
        self.list_len(m, pos)
    }

    #[inline]
    fn list_len(&mut self, m: u8, pos: usize) -> Result<usize> {
        let len = match m {
            0x90..=0x9F => usize::from(m & 0x0F),
            LIST_8 => usize::from(self.read.next()?),
            LIST_16 => usize::from(self.be_u16()?),
            LIST_32 => self.be_u32()? as usize,
            m => return Err(self.unexpected("a list", m, pos)),
        };
        if len > self.remaining() {
            return Err(self.too_long(len as u64, pos));
        }
        Ok(len)
    }

    /// Reads a map header: the number of key-value pairs that follow.
    ///
    /// Fails when the input cannot hold that many pairs.
    #[inline]
    pub fn read_map_header(&mut self) -> Result<usize> {
        let pos = self.position();
        let m = self.read.next()?;
        self.map_len(m, pos)
    }

    #[inline]
    fn map_len(&mut self, m: u8, pos: usize) -> Result<usize> {
        let len = match m {
            0xA0..=0xAF => usize::from(m & 0x0F),
            MAP_8 => usize::from(self.read.next()?),
            MAP_16 => usize::from(self.be_u16()?),
            MAP_32 => self.be_u32()? as usize,
            m => return Err(self.unexpected("a map", m, pos)),
        };
        if (len as u64) * 2 > self.remaining() as u64 {
            return Err(self.too_long(len as u64, pos));
        }
        Ok(len)
    }

    /// Reads a structure header: its tag and number of fields.
    #[inline]
    pub fn read_struct_header(&mut self) -> Result<(u8, usize)> {
        let pos = self.position();
        match self.read.next()? {
            m @ 0xB0..=0xBF => {
                let tag = self.read.next()?;
                Ok((tag, usize::from(m & 0x0F)))
            }
            m => Err(self.unexpected("a structure", m, pos)),
        }
    }

    /// Skips the next value, however deeply nested, without recursion and
    /// without decoding strings.
    ///
    /// Runs over the input slice directly: this is how a record is split into
    /// its fields.
    pub fn skip_value(&mut self) -> Result<()> {
        let start = self.position();
        let input = self.read.rest();
        let end = input.len();
        let mut i = 0usize;
        // Values still to skip; each takes at least one byte, which bounds it.
        let mut pending: usize = 1;
        // Values still to skip in the innermost open container (the top level
        // holds one), and the counts of the containers around it: their number
        // is the nesting, held to the same limit as decoding.
        let mut left_here: usize = 1;
        let mut outer = Levels::default();
        'values: while pending > 0 {
            while left_here == 0 {
                match outer.pop() {
                    Some(left) => left_here = left,
                    // `pending` counts what the levels hold; never reached.
                    None => break 'values,
                }
            }
            left_here -= 1;
            pending -= 1;
            let Some(&m) = input.get(i) else {
                return Err(self.eof_at(start + end));
            };
            let header = i;
            i += 1;
            // Bytes to skip after the marker and its size field.
            let (size_len, body) = match m {
                0x00..=0x7F | 0xF0..=0xFF | NULL | TRUE | FALSE => continue,
                0x80..=0x8F => (0, usize::from(m & 0x0F)),
                INT_8 => (0, 1),
                INT_16 => (0, 2),
                INT_32 => (0, 4),
                INT_64 | FLOAT_64 => (0, 8),
                UUID => (0, 16),
                STRING_8 | BYTES_8 => (1, be_len(input, i, 1)),
                STRING_16 | BYTES_16 => (2, be_len(input, i, 2)),
                STRING_32 | BYTES_32 => (4, be_len(input, i, 4)),
                0x90..=0x9F
                | 0xA0..=0xAF
                | 0xB0..=0xBF
                | LIST_8
                | LIST_16
                | LIST_32
                | MAP_8
                | MAP_16
                | MAP_32 => {
                    let (size_len, n) = match m {
                        0x90..=0xAF => (0, usize::from(m & 0x0F)),
                        // The size field of a structure is its tag byte.
                        0xB0..=0xBF => (1, usize::from(m & 0x0F)),
                        LIST_8 | MAP_8 => (1, be_len(input, i, 1)),
                        LIST_16 | MAP_16 => (2, be_len(input, i, 2)),
                        _ => (4, be_len(input, i, 4)),
                    };
                    i += size_len;
                    if i > end {
                        return Err(self.eof_at(start + end));
                    }
                    let items = if matches!(m, 0xA0..=0xAF | MAP_8 | MAP_16 | MAP_32) {
                        n.saturating_mul(2)
                    } else {
                        n
                    };
                    if outer.len() >= self.remaining_depth {
                        return Err(ErrorKind::DepthLimitExceeded {
                            limit: self.max_depth,
                        }
                        .into());
                    }
                    if items > 0 {
                        outer.push(left_here);
                        left_here = items;
                    }
                    pending = pending.saturating_add(items);
                    if pending > end - i {
                        return Err(ErrorKind::LengthExceedsInput {
                            len: n as u64,
                            remaining: end - i,
                            position: start + header,
                        }
                        .into());
                    }
                    continue;
                }
                m => return Err(self.invalid_marker(m, start + header)),
            };
            i += size_len;
            if i > end {
                return Err(self.eof_at(start + end));
            }
            if body > end - i {
                return Err(ErrorKind::LengthExceedsInput {
                    len: body as u64,
                    remaining: end - i,
                    position: start + header,
                }
                .into());
            }
            i += body;
        }
        self.read.advance(i);
        Ok(())
    }

    #[cold]
    fn eof_at(&self, position: usize) -> Error {
        ErrorKind::UnexpectedEof { position }.into()
    }

    /// The exact bytes of the next value, which is consumed. Decode them later
    /// with [`from_slice`](crate::from_slice) or a new `Deserializer`.
    pub fn raw_value(&mut self) -> Result<&'de [u8]> {
        let start = self.position();
        self.skip_value()?;
        Ok(self.read.slice_from(start))
    }

    #[inline]
    fn enter(&mut self) -> Result<()> {
        match self.remaining_depth.checked_sub(1) {
            Some(d) => {
                self.remaining_depth = d;
                Ok(())
            }
            None => Err(ErrorKind::DepthLimitExceeded {
                limit: self.max_depth,
            }
            .into()),
        }
    }

    #[inline]
    fn leave(&mut self) {
        self.remaining_depth += 1;
    }

    fn visit_list<V: Visitor<'de>>(&mut self, len: usize, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let mut access = SeqAccess {
            de: self,
            left: len,
        };
        let value = visitor.visit_seq(&mut access)?;
        let left = access.left;
        self.leave();
        if left != 0 {
            return Err(de::Error::invalid_length(
                len,
                &"fewer elements in the list",
            ));
        }
        Ok(value)
    }

    fn visit_map<V: Visitor<'de>>(&mut self, len: usize, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let mut access = MapAccess {
            de: self,
            left: len,
        };
        let value = visitor.visit_map(&mut access)?;
        let left = access.left;
        self.leave();
        if left != 0 {
            return Err(de::Error::invalid_length(len, &"fewer entries in the map"));
        }
        Ok(value)
    }

    fn visit_struct<V: Visitor<'de>>(
        &mut self,
        kind: u16,
        fields: usize,
        uuid: Option<&'de [u8]>,
        visitor: V,
    ) -> Result<V::Value> {
        self.enter()?;
        let value = visitor.visit_newtype_struct(StructDeserializer {
            de: self,
            kind,
            fields,
            uuid,
        })?;
        self.leave();
        Ok(value)
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn is_human_readable(&self) -> bool {
        false
    }

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let pos = self.position();
        let m = self.read.next()?;
        match m {
            0x00..=0x7F => visitor.visit_i64(i64::from(m)),
            0xF0..=0xFF => visitor.visit_i64(i64::from(m as i8)),
            INT_8 | INT_16 | INT_32 | INT_64 => visitor.visit_i64(self.int_after(m, pos)?),
            0x80..=0x8F => visitor.visit_borrowed_str(self.str_body(usize::from(m & 0x0F), pos)?),
            STRING_8 => {
                let len = usize::from(self.read.next()?);
                visitor.visit_borrowed_str(self.str_body(len, pos)?)
            }
            STRING_16 => {
                let len = usize::from(self.be_u16()?);
                visitor.visit_borrowed_str(self.str_body(len, pos)?)
            }
            STRING_32 => {
                let len = self.be_u32()? as usize;
                visitor.visit_borrowed_str(self.str_body(len, pos)?)
            }
            0x90..=0x9F | LIST_8 | LIST_16 | LIST_32 => {
                let len = self.list_len(m, pos)?;
                self.visit_list(len, visitor)
            }
            0xA0..=0xAF | MAP_8 | MAP_16 | MAP_32 => {
                let len = self.map_len(m, pos)?;
                self.visit_map(len, visitor)
            }
            NULL => visitor.visit_unit(),
            TRUE => visitor.visit_bool(true),
            FALSE => visitor.visit_bool(false),
            FLOAT_64 => visitor.visit_f64(f64::from_be_bytes(self.read.array()?)),
            BYTES_8 => {
                let len = usize::from(self.read.next()?);
                visitor.visit_borrowed_bytes(self.body(len, pos)?)
            }
            BYTES_16 => {
                let len = usize::from(self.be_u16()?);
                visitor.visit_borrowed_bytes(self.body(len, pos)?)
            }
            BYTES_32 => {
                let len = self.be_u32()? as usize;
                visitor.visit_borrowed_bytes(self.body(len, pos)?)
            }
            0xB0..=0xBF => {
                let tag = self.read.next()?;
                let fields = usize::from(m & 0x0F);
                if fields > self.remaining() {
                    return Err(self.too_long(fields as u64, pos));
                }
                self.visit_struct(u16::from(tag), fields, None, visitor)
            }
            UUID => {
                let bytes = self.read.take(16)?;
                self.visit_struct(UUID_KIND, 1, Some(bytes), visitor)
            }
            m => Err(self.invalid_marker(m, pos)),
        }
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.read.peek()? == NULL {
            self.read.next()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == STRUCT_NAME {
            let pos = self.position();
            let m = self.read.peek()?;
            if !matches!(m, 0xB0..=0xBF | UUID) {
                return Err(self.unexpected("a structure", m, pos));
            }
            return self.deserialize_any(visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let pos = self.position();
        let m = self.read.peek()?;
        match marker::kind(m) {
            Some(Kind::String) => {
                let s = self.read_string()?;
                visitor.visit_enum(de::value::BorrowedStrDeserializer::new(s))
            }
            Some(Kind::Map) => {
                let len = self.read_map_header()?;
                if len != 1 {
                    return Err(de::Error::invalid_length(len, &"a map with one entry"));
                }
                self.enter()?;
                let value = visitor.visit_enum(EnumAccess { de: self })?;
                self.leave();
                Ok(value)
            }
            _ => Err(self.unexpected("an enum (a string or a map with one entry)", m, pos)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    /// A map, or a node or relationship presented as a map (see
    /// [`Node`](crate::Node)).
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.struct_or_map(visitor)
    }

    /// A map by field name, or a node or relationship presented as one (see
    /// [`Node`](crate::Node)).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.struct_or_map(visitor)
    }

    /// A list, or a byte array as a sequence of `u8` (so a `Vec<u8>` takes
    /// Cypher bytes).
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if marker::kind(self.read.peek()?) == Some(Kind::Bytes) {
            let bytes = self.read_bytes()?;
            return visitor.visit_seq(de::value::SeqDeserializer::<_, Error>::new(
                bytes.iter().copied(),
            ));
        }
        self.deserialize_any(visitor)
    }

    /// A string, or a temporal structure as its ISO 8601 text (what
    /// chrono's `Deserialize` parses; see [`chrono_04`](crate::chrono_04)).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match crate::chrono_04::text_view(self)? {
            Some(text) => visitor.visit_string(text),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    /// A list, or for a pair a duration as `(seconds, nanoseconds)` (what
    /// chrono's `TimeDelta` reads).
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        if len == 2 {
            if let Some((secs, nanos)) = crate::chrono_04::pair_view(self)? {
                return visitor.visit_seq(de::value::SeqDeserializer::<_, Error>::new(
                    [secs, nanos].into_iter(),
                ));
            }
        }
        self.deserialize_any(visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct
        tuple_struct identifier
    }
}

struct SeqAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

struct MapAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

struct EnumAccess<'a, 'de> {
    de: &'a mut Deserializer<'de>,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let variant = seed.deserialize(&mut *self.de)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for EnumAccess<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self.de)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(self.de, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(self.de, visitor)
    }
}

/// The big-endian size of `width` bytes at `at`, or 0 when the input ends
/// first (the caller then finds `at + width` past the end).
#[inline(always)]
fn be_len(input: &[u8], at: usize, width: usize) -> usize {
    match input.get(at..at.saturating_add(width)) {
        Some(&[a]) => usize::from(a),
        Some(&[a, b]) => usize::from(u16::from_be_bytes([a, b])),
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]) as usize,
        _ => 0,
    }
}

/// A structure (or UUID) presented to a visitor as a newtype struct whose
/// content is the sequence `[kind, field...]`; `kind` is the tag, or
/// [`UUID_KIND`] for a UUID.
struct StructDeserializer<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    kind: u16,
    fields: usize,
    uuid: Option<&'de [u8]>,
}

impl<'de> de::Deserializer<'de> for StructDeserializer<'_, 'de> {
    type Error = Error;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let mut access = StructSeq {
            de: self.de,
            kind: Some(self.kind),
            left: self.fields,
            uuid: self.uuid,
        };
        let value = visitor.visit_seq(&mut access)?;
        if access.kind.is_some() || access.left != 0 {
            return Err(Error::invalid_structure(
                self.kind as u8,
                "fields left unread by the target type",
            ));
        }
        Ok(value)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct StructSeq<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    kind: Option<u16>,
    left: usize,
    uuid: Option<&'de [u8]>,
}

impl<'de> de::SeqAccess<'de> for StructSeq<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if let Some(kind) = self.kind.take() {
            return seed.deserialize(kind.into_deserializer()).map(Some);
        }
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        match self.uuid.take() {
            Some(bytes) => seed
                .deserialize(de::value::BorrowedBytesDeserializer::<Error>::new(bytes))
                .map(Some),
            None => seed.deserialize(&mut *self.de).map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left + usize::from(self.kind.is_some()))
    }
}

/// The counts of values left in the containers around the one being skipped:
/// a stack, inline while shallow (no allocation on the hot path of splitting
/// records), spilling to the heap when deep.
#[derive(Default)]
struct Levels {
    inline: [usize; LEVELS_INLINE],
    len: usize,
    spill: Vec<usize>,
}

const LEVELS_INLINE: usize = 16;

impl Levels {
    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn push(&mut self, left: usize) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = left,
            None => self.spill.push(left),
        }
        self.len += 1;
    }

    #[inline]
    fn pop(&mut self) -> Option<usize> {
        self.len = self.len.checked_sub(1)?;
        match self.inline.get(self.len) {
            Some(&left) => Some(left),
            None => self.spill.pop(),
        }
    }
}
