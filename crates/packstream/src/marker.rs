//! PackStream marker bytes.
//!
//! Every value starts with a marker byte. Small values (tiny integers, short
//! strings, lists, maps and structures) pack their size or value into the
//! marker's low nibble; the others are followed by a big-endian size or value.

/// `Null`.
pub const NULL: u8 = 0xC0;
/// 64-bit IEEE 754 float, big-endian.
pub const FLOAT_64: u8 = 0xC1;
/// `false`.
pub const FALSE: u8 = 0xC2;
/// `true`.
pub const TRUE: u8 = 0xC3;
/// 32-bit float. Not a value on its own: only the element type marker of a
/// Bolt 6.0 vector.
pub const FLOAT_32: u8 = 0xC6;
/// Signed 8-bit integer.
pub const INT_8: u8 = 0xC8;
/// Signed 16-bit integer, big-endian.
pub const INT_16: u8 = 0xC9;
/// Signed 32-bit integer, big-endian.
pub const INT_32: u8 = 0xCA;
/// Signed 64-bit integer, big-endian.
pub const INT_64: u8 = 0xCB;
/// Byte array, 8-bit length.
pub const BYTES_8: u8 = 0xCC;
/// Byte array, 16-bit length.
pub const BYTES_16: u8 = 0xCD;
/// Byte array, 32-bit length.
pub const BYTES_32: u8 = 0xCE;
/// Tiny string: the low nibble is the length (0..=15).
pub const TINY_STRING: u8 = 0x80;
/// String, 8-bit length.
pub const STRING_8: u8 = 0xD0;
/// String, 16-bit length.
pub const STRING_16: u8 = 0xD1;
/// String, 32-bit length.
pub const STRING_32: u8 = 0xD2;
/// Tiny list: the low nibble is the length (0..=15).
pub const TINY_LIST: u8 = 0x90;
/// List, 8-bit length.
pub const LIST_8: u8 = 0xD4;
/// List, 16-bit length.
pub const LIST_16: u8 = 0xD5;
/// List, 32-bit length.
pub const LIST_32: u8 = 0xD6;
/// Tiny map: the low nibble is the number of entries (0..=15).
pub const TINY_MAP: u8 = 0xA0;
/// Map, 8-bit length.
pub const MAP_8: u8 = 0xD8;
/// Map, 16-bit length.
pub const MAP_16: u8 = 0xD9;
/// Map, 32-bit length.
pub const MAP_32: u8 = 0xDA;
/// Tiny structure: the low nibble is the number of fields (0..=15); a tag byte follows.
pub const TINY_STRUCT: u8 = 0xB0;
/// UUID (PackStream v2, Bolt 6.1): 16 bytes follow, most significant first.
pub const UUID: u8 = 0xE0;

/// The largest number of fields a structure can carry.
pub const MAX_STRUCT_FIELDS: usize = 15;

/// The kind of value a marker byte starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `Null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// An integer of any width.
    Integer,
    /// A 64-bit float.
    Float,
    /// A byte array.
    Bytes,
    /// A UTF-8 string.
    String,
    /// A list.
    List,
    /// A map.
    Map,
    /// A structure (tag plus fields).
    Structure,
    /// A UUID (PackStream v2).
    Uuid,
}

/// Classifies a marker byte; `None` for reserved bytes.
#[inline]
pub fn kind(marker: u8) -> Option<Kind> {
    Some(match marker {
        0x00..=0x7F | 0xF0..=0xFF | INT_8 | INT_16 | INT_32 | INT_64 => Kind::Integer,
        0x80..=0x8F | STRING_8 | STRING_16 | STRING_32 => Kind::String,
        0x90..=0x9F | LIST_8 | LIST_16 | LIST_32 => Kind::List,
        0xA0..=0xAF | MAP_8 | MAP_16 | MAP_32 => Kind::Map,
        0xB0..=0xBF => Kind::Structure,
        NULL => Kind::Null,
        FLOAT_64 => Kind::Float,
        FALSE | TRUE => Kind::Boolean,
        BYTES_8 | BYTES_16 | BYTES_32 => Kind::Bytes,
        UUID => Kind::Uuid,
        _ => return None,
    })
}
